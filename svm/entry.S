/*
 * entry.S - the SVM world switch (AMD APM vol. 2, 15.5 "VMRUN Instruction",
 * 15.5.2 "VMSAVE and VMLOAD Instructions"), lab 3.
 *
 * void svm_vmrun(struct vcpu *v, hpa_t vmcb_pa, hpa_t host_pa)
 *
 *   %rdi  v: guest GPRs are loaded from and stored to v->gprs (offsets from
 *         asm-offsets.h); guest RAX and RSP live in the VMCB instead.
 *   %rsi  physical address of the guest's VMCB.
 *   %rdx  physical address of a host VMCB-sized area for VMSAVE/VMLOAD.
 *
 * Called with GIF = 0 (after CLGI).  VMRUN saves and restores only the
 * host's RAX, RSP, RIP, RFLAGS, control registers, EFER and descriptor
 * table registers; every other GPR is saved here, and FS, GS, TR, LDTR
 * (hidden parts included), KernelGSBase, STAR/LSTAR/CSTAR/SFMASK and
 * SYSENTER_* are swapped with VMSAVE/VMLOAD around it.
 */
#include "asm-offsets.h"

	.text
	.globl svm_vmrun
	.type svm_vmrun, @function
svm_vmrun:
	push	%rbp
	mov	%rsp, %rbp
	push	%rbx
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	push	%rdi			/* v, for after VMRUN */
	push	%rdx			/* host_pa */
#if SOL >= 3
	mov	%rdx, %rax
	vmsave	%rax			/* host FS/GS/TR/LDTR/syscall MSRs */
	mov	%rsi, %rax		/* VMRUN's operand, restored on exit */

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

	vmload	%rax
	vmrun	%rax
	vmsave	%rax

	/* Host RSP and RAX are back; every other GPR still holds the guest's. */
	push	%rdi
	mov	16(%rsp), %rdi		/* v */
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

	pop	%rax			/* host_pa */
	vmload	%rax
#else
	/* LAB 3: your code here */
	and	$-16, %rsp
	call	svm_vmrun_missing
#endif
	pop	%rdi
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbx
	pop	%rbp
	ret
	.size svm_vmrun, . - svm_vmrun
