/*
 * te.h - helpers of the trap-and-emulate test guests (lab 2): the
 * paravirtual interface of inc/public/te.h and the instructions whose
 * emulation they test.
 */
#ifndef GUESTS_TE_LIB_TE_H
#define GUESTS_TE_LIB_TE_H

#include <guests/lib/guest.h>
#include <inc/public/te.h>

struct __attribute__((packed)) te_dtr {
	uint16_t limit;
	uint64_t base;
};

static inline uint64_t te_pushf(void)
{
	uint64_t f;

	__asm__ volatile("pushfq; popq %0" : "=r"(f));
	return f;
}

static inline void te_popf(uint64_t f)
{
	__asm__ volatile("pushq %0; popfq" : : "r"(f) : "memory", "cc");
}

/* PUSHF and POPF behind the emulation prefix: they see the virtual IF. */
static inline uint64_t te_pv_pushf(void)
{
	uint64_t f;

	__asm__ volatile(TE_EMULATE_PREFIX "pushfq; popq %0" : "=r"(f));
	return f;
}

static inline void te_pv_popf(uint64_t f)
{
	__asm__ volatile("pushq %0;" TE_EMULATE_PREFIX "popfq"
			 :
			 : "r"(f)
			 : "memory", "cc");
}

/* The virtual IF as the hypervisor keeps it. */
static inline bool te_vif(void)
{
	return inb(TE_PORT_VIF) & 1;
}

/* CPUID behind the emulation prefix: the CPU the hypervisor describes. */
static inline struct cpuid_regs te_pv_cpuid(uint32_t leaf, uint32_t subleaf)
{
	struct cpuid_regs r;

	__asm__ volatile(TE_EMULATE_PREFIX "cpuid"
			 : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
			 : "a"(leaf), "c"(subleaf));
	return r;
}

/* The frame a 64-bit CPU pushes for a handler (SDM 3A 6.14.2). */
struct te_frame {
	uint64_t ip, cs, flags, sp, ss;
};

/*
 * TE_TRY("insn", inputs...) runs one instruction and returns the vector
 * of the #UD, #NP or #GP it raised (the error code in te_fault_err), or
 * -1; the fault resumes after the instruction.  The instruction may
 * clobber RAX and RDX (RDMSR does).  te_catch_faults() first.
 */
static volatile int te_fault_vec = -1;
static volatile uint64_t te_fault_err;
static volatile uint64_t te_resume __attribute__((used));

#define TE_TRY(insn, ...)                                                    \
	({                                                                   \
		te_fault_vec = -1;                                           \
		__asm__ volatile("leaq 1f(%%rip), %%r11;"                    \
				 "movq %%r11, te_resume(%%rip);" insn "\n1:" \
				 :                                           \
				 : __VA_ARGS__                               \
				 : "rax", "rdx", "r11", "memory");           \
		te_fault_vec;                                                \
	})

__attribute__((interrupt, unused)) static void te_catch_gp(struct intr_frame *f,
							   uintptr_t error)
{
	te_fault_vec = T_GP;
	te_fault_err = error;
	f->ip = te_resume;
}

__attribute__((interrupt, unused)) static void te_catch_np(struct intr_frame *f,
							   uintptr_t error)
{
	te_fault_vec = T_NP;
	te_fault_err = error;
	f->ip = te_resume;
}

__attribute__((interrupt, unused)) static void te_catch_ud(struct intr_frame *f)
{
	te_fault_vec = T_UD;
	te_fault_err = 0;
	f->ip = te_resume;
}

static inline void te_catch_faults(void)
{
	idt_set(T_UD, te_catch_ud);
	idt_set(T_NP, te_catch_np);
	idt_set(T_GP, te_catch_gp);
}

#endif

/* CRn as the guest reads it (n = 0, 3, 4 or 8; te emulates the move). */
static inline uint64_t te_read_cr(int n)
{
	uint64_t v = 0;

	if (n == 0)
		__asm__ volatile("mov %%cr0, %0" : "=r"(v));
	else if (n == 3)
		__asm__ volatile("mov %%cr3, %0" : "=r"(v));
	else if (n == 4)
		__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	else
		__asm__ volatile("mov %%cr8, %0" : "=r"(v));
	return v;
}
