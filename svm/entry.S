/*
 * entry.S - the SVM world switch (AMD APM vol. 2, 15.5 "VMRUN Instruction",
 * 15.5.2 "VMSAVE and VMLOAD Instructions"), lab 3.
 *
 * void svm_vmrun(struct vcpu *v, hpa_t vmcb_pa, hpa_t host_pa)
 *
 *   %rdi  v: guest GPRs are loaded from and stored to v->gprs (offsets from
 *         kernel/asm-offsets.c); guest RAX and RSP live in the VMCB instead.
 *   %rsi  physical address of the guest's VMCB.
 *   %rdx  physical address of a host VMCB-sized area for VMSAVE/VMLOAD,
 *         or 0 when svm_slice_switch keeps the guest's VMLOAD state loaded.
 *
 * Called with GIF = 0 (after CLGI).  VMRUN saves and restores only the
 * host's RAX, RSP, RIP, RFLAGS, control registers, EFER and descriptor
 * table registers; every other GPR is saved here, and FS, GS, TR, LDTR
 * (hidden parts included), KernelGSBase, STAR/LSTAR/CSTAR/SFMASK and
 * SYSENTER_* are swapped with VMSAVE/VMLOAD around it.
 */
#include "kernel/asm-offsets.h"
#include <kernel/gprs.h>

	.section .text.svm_vmrun, "ax"
	.globl svm_vmrun
	.type svm_vmrun, @function
svm_vmrun:
	PUSH_CALLEE_SAVED
	push	%rdi			/* v, for after VMRUN */
	push	%rdx			/* host_pa */
#if SOL >= 3
	/* host_pa 0 (lab 8): the guest's VMLOAD state is in the CPU already
	 * and stays there after the exit (svm_slice_switch). */
	mov	%rdx, %rax
	test	%rax, %rax
	jz	1f
	vmsave	%rax			/* host FS/GS/TR/LDTR/syscall MSRs */
1:	mov	%rsi, %rax		/* VMRUN's operand, restored on exit */

	LOAD_GUEST_GPRS

	cmpq	$0, (%rsp)		/* host_pa; flags only: GPRs are the guest's */
	je	2f
	vmload	%rax
2:	vmrun	%rax
	cmpq	$0, (%rsp)
	je	3f
	vmsave	%rax
3:
	/* Host RSP and RAX are back; every other GPR still holds the guest's. */
	SAVE_GUEST_GPRS 8		/* v is under host_pa */

	pop	%rax			/* host_pa */
	test	%rax, %rax
	jz	4f
	vmload	%rax
4:
#else
	/* LAB 3: your code here */
	and	$-16, %rsp
	call	svm_vmrun_missing
#endif
	pop	%rdi
	POP_CALLEE_SAVED
	ret
	.size svm_vmrun, . - svm_vmrun
