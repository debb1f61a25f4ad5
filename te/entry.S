/*
 * entry.S - the trap-and-emulate world switch (lab 2): into the guest at
 * CPL 3 by IRETQ, back when the guest traps (SDM 3A 6.14 "Exception and
 * Interrupt Handling in 64-bit Mode").
 *
 * void te_enter(struct trapframe *tf)    %rdi = tf
 *   Saves the callee-saved registers and %rsp, loads every general
 *   register from tf and IRETs through tf->rip, cs, rflags, rsp, ss.
 *   Returns when the trap handler calls te_leave.  Called with host
 *   interrupts disabled; the guest's RFLAGS has IF set, so a host
 *   interrupt is a trap from CPL 3 like any guest fault.
 *
 * void te_leave(void)
 *   Called from trap() on the trap stack (TSS.RSP0) after the guest's
 *   frame was saved: switches back to the stack te_enter saved and
 *   returns from te_enter.  Never returns to its caller.
 */
#include <kernel/gprs.h>

	.text
	.globl te_enter
te_enter:
	PUSH_CALLEE_SAVED
	movq	%rsp, te_host_rsp(%rip)
	movq	%rdi, %rsp
	POP_TRAPFRAME_GPRS
	/* trapno and err */
	addq	$16, %rsp
	iretq

	.globl te_leave
te_leave:
	movq	te_host_rsp(%rip), %rsp
	POP_CALLEE_SAVED
	ret

	.bss
	.balign 8
te_host_rsp:
	.quad	0
