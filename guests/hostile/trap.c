/*
 * trap.c - fault recovery for the hostile guests (lab 3): #UD, #GP and #PF
 * handlers that record the vector and error code and resume at the fixup
 * address the probe stored, so one guest can try hundreds of instructions
 * that must fault (SDM 3A 6.15, exception classes).
 */
#include <guests/hostile/hostile.h>

volatile uintptr_t probe_fixup;
volatile int probe_vec;
volatile uint32_t probe_err;
volatile unsigned probe_traps;

/*
 * A macro, not a function: handlers may not call functions that clobber
 * caller-saved registers (clang -Winterrupt-service-routine).  Volatile
 * store: clang treats the frame as a by-value copy and drops stores.
 */
#define TRAP_RESUME(f, vec, err)                               \
	do {                                                   \
		probe_vec = (vec);                             \
		probe_err = (uint32_t)(err);                   \
		probe_traps++;                                 \
		*(volatile uintptr_t *)&(f)->ip = probe_fixup; \
	} while (0)

__attribute__((interrupt)) static void trap_ud(struct intr_frame *f)
{
	TRAP_RESUME(f, T_UD, 0);
}

__attribute__((interrupt)) static void trap_gp(struct intr_frame *f,
					       uintptr_t err)
{
	TRAP_RESUME(f, T_GP, err);
}

__attribute__((interrupt)) static void trap_pf(struct intr_frame *f,
					       uintptr_t err)
{
	TRAP_RESUME(f, T_PF, err);
}

void trap_init(void)
{
	idt_set(T_UD, trap_ud);
	idt_set(T_GP, trap_gp);
	idt_set(T_PF, trap_pf);
}
