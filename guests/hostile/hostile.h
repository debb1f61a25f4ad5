/*
 * hostile.h - what the parts of the hostile guest share (lab 3): the
 * probe that runs one instruction which may fault, and the attacks.
 */
#ifndef GUESTS_HOSTILE_HOSTILE_H
#define GUESTS_HOSTILE_HOSTILE_H

#include <guests/lib/guest.h>

#define NO_TRAP (-1)

/* Where the trap handlers resume, and what they saw (trap.c). */
extern volatile uintptr_t probe_fixup;
extern volatile int probe_vec;
extern volatile uint32_t probe_err;
extern volatile unsigned probe_traps;

/* Installs the #UD, #GP and #PF handlers. */
void trap_init(void);

/*
 * Runs the instruction text insn with EAX, ECX and EDX in and out of a, c
 * and d; evaluates to the vector it raised, or NO_TRAP.
 */
#define PROBE(insn, a, c, d)                                    \
	({                                                      \
		probe_vec = NO_TRAP;                            \
		__asm__ volatile("movl $1f, %3\n\t" insn "\n1:" \
				 : "+a"(a), "+c"(c), "+d"(d),   \
				   "=m"(probe_fixup)            \
				 :                              \
				 : "memory");                   \
		probe_vec;                                      \
	})

/* The attacks, selected by attack= on the command line (hostile.c). */
void attack_io(void);
void attack_msr(void);
void attack_insn(void);
void attack_mem(uint32_t gpa, bool write);
void attack_high(bool top);
void attack_ptwalk(uint64_t pd_gpa);
void attack_rep_triple(void);
void attack_halt(void);
void attack_xsave(void);

/* Identity-maps the first 4 MiB with one 4-MiB page and turns paging on. */
void paging_on_4m(void);
/* Clears CR0.PG again: back to flat protected mode. */
void paging_off(void);

#endif
