/*
 * gprs.h - general-register save and restore sequences shared by the world
 * switches (svm/entry.S, vmx/entry.S, te/entry.S) and the trap entry
 * (kernel/trapentry.S); assembly only (labs 1-3).
 *
 * Include after asm-offsets.h where the guest-GPR macros are used: they
 * address struct vcpu through its VCPU_* offsets.
 *
 * Assembler macros: clang-format stays out.
 */
/* clang-format off */
#ifndef KERNEL_GPRS_H
#define KERNEL_GPRS_H

#ifndef __ASSEMBLER__
#error "kernel/gprs.h is for assembly files"
#endif

/*
 * The host's callee-saved registers (SysV ABI), under a frame record so
 * backtraces can walk through a world switch.  POP_CALLEE_SAVED expects
 * %rsp where PUSH_CALLEE_SAVED left it.
 */
.macro PUSH_CALLEE_SAVED
	push	%rbp
	mov	%rsp, %rbp
	push	%rbx
	push	%r12
	push	%r13
	push	%r14
	push	%r15
.endm

.macro POP_CALLEE_SAVED
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbx
	pop	%rbp
.endm

/*
 * Every GPR but %rsp, pushed in the reverse order of struct trapframe's
 * first fields (kernel/trap.h), so that %rsp then points at the frame.
 */
.macro PUSH_TRAPFRAME_GPRS
	.irp r, rax, rbx, rcx, rdx, rsi, rdi, rbp, r8, r9, r10, r11, r12, r13, r14, r15
	pushq	%\r
	.endr
.endm

.macro POP_TRAPFRAME_GPRS
	.irp r, r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax
	popq	%\r
	.endr
.endm

#if SOL >= 3
/*
 * Load the guest's RBX-R15 from struct vcpu *v in %rdi, %rdi last.  RAX
 * and RSP are left alone (SVM keeps them in the VMCB); flags are preserved.
 */
.macro LOAD_GUEST_GPRS
	mov	VCPU_RBX(%rdi), %rbx
	mov	VCPU_RCX(%rdi), %rcx
	mov	VCPU_RDX(%rdi), %rdx
	mov	VCPU_RSI(%rdi), %rsi
	mov	VCPU_RBP(%rdi), %rbp
	mov	VCPU_R8(%rdi), %r8
	mov	VCPU_R9(%rdi), %r9
	mov	VCPU_R10(%rdi), %r10
	mov	VCPU_R11(%rdi), %r11
	mov	VCPU_R12(%rdi), %r12
	mov	VCPU_R13(%rdi), %r13
	mov	VCPU_R14(%rdi), %r14
	mov	VCPU_R15(%rdi), %r15
	mov	VCPU_RDI(%rdi), %rdi
.endm

/*
 * Store the guest's RBX-R15 into v, found at vslot(%rsp).  Leaves %rdi = v
 * and %rsp unchanged; RAX and RSP are the caller's business.
 */
.macro SAVE_GUEST_GPRS vslot
	push	%rdi
	mov	\vslot+8(%rsp), %rdi
	mov	%rbx, VCPU_RBX(%rdi)
	mov	%rcx, VCPU_RCX(%rdi)
	mov	%rdx, VCPU_RDX(%rdi)
	mov	%rsi, VCPU_RSI(%rdi)
	mov	%rbp, VCPU_RBP(%rdi)
	mov	%r8, VCPU_R8(%rdi)
	mov	%r9, VCPU_R9(%rdi)
	mov	%r10, VCPU_R10(%rdi)
	mov	%r11, VCPU_R11(%rdi)
	mov	%r12, VCPU_R12(%rdi)
	mov	%r13, VCPU_R13(%rdi)
	mov	%r14, VCPU_R14(%rdi)
	mov	%r15, VCPU_R15(%rdi)
	pop	VCPU_RDI(%rdi)
.endm
#else
/* LAB 3: your code here (the guest-GPR moves your world switch needs) */
.macro LOAD_GUEST_GPRS
	.error "LOAD_GUEST_GPRS (kernel/gprs.h): not implemented"
.endm
.macro SAVE_GUEST_GPRS vslot
	.error "SAVE_GUEST_GPRS (kernel/gprs.h): not implemented"
.endm
#endif

#endif
