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
	.text
	.globl te_enter
te_enter:
	pushq	%rbx
	pushq	%rbp
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%rsp, te_host_rsp(%rip)
	movq	%rdi, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rbp
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rbx
	popq	%rax
	/* trapno and err */
	addq	$16, %rsp
	iretq

	.globl te_leave
te_leave:
	movq	te_host_rsp(%rip), %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbp
	popq	%rbx
	ret

	.bss
	.balign 8
te_host_rsp:
	.quad	0
