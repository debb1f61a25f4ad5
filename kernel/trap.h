/*
 * trap.h - exceptions (kernel/trap.c, kernel/trapentry.S, lab 1; SDM 3A
 * chapter 6).  Every stub builds the same struct trapframe on the stack.
 */
#ifndef KERNEL_TRAP_H
#define KERNEL_TRAP_H

#include <inc/types.h>

/*
 * What the stubs push (general registers, vector, error code) below what the
 * CPU pushes (rip ... ss).  Field order is stack order, lowest address
 * first; trapentry.S depends on it.
 */
struct trapframe {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t trapno;
	uint64_t err; /* 0 for vectors where the CPU pushes none */
	uint64_t rip, cs, rflags, rsp, ss;
};

_Static_assert(sizeof(struct trapframe) == 22 * 8, "trapframe layout");
_Static_assert(offsetof(struct trapframe, trapno) == 15 * 8,
	       "trapentry.S pushes 15 registers below the vector");

/* A handler for one vector; it returns to resume the interrupted code. */
typedef void (*trap_handler_fn)(struct trapframe *tf);

/* Fills and loads the IDT; call after gdt_init. */
void trap_init(void);
/* The #DF and NMI gates' IST stacks on or off: off while the TSS in TR
 * is a guest's (lab 8's lazy VMLOAD state, svm/svm.c). */
void trap_ist(bool on);

/* Installs handler for vector (0-255); NULL restores the fatal default. */
void trap_set_handler(int vector, trap_handler_fn handler);

/*
 * Installs the handler for every trap taken at CPL 3 (lab 2's te backend
 * runs its guests there); it sees such traps before any other handler.
 */
void trap_set_user_handler(trap_handler_fn handler);

/* Runs the handler installed for tf's vector; false if there is none. */
bool trap_run_handler(struct trapframe *tf);

/* Called by trapentry.S with the frame of every exception. */
void trap(struct trapframe *tf);

/* Prints the exception line, registers and backtrace for tf. */
void trap_print(const struct trapframe *tf);

/*
 * Prints 16 general registers, four a line, in the order of their x86
 * numbers (rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8-r15), which is
 * enum gpr's: for the exception dump and the backends' vcpu dumps.
 */
void trap_print_gprs(const uint64_t gprs[16]);

#endif
