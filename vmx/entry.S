/*
 * entry.S - the VT-x world switch (Intel SDM vol. 3C, 26 "VM Entries",
 * 27.5 "Loading Host State", 31.3 "VMX Instructions": VMLAUNCH/VMRESUME),
 * lab 3.  It mirrors svm/entry.S.
 *
 * int vmx_vmrun(struct vcpu *v, int launched)
 *
 *   %rdi  v: every guest GPR but RSP is loaded from and stored to v->gprs
 *         (offsets from kernel/asm-offsets.c); guest RSP lives in the VMCS.
 *   %esi  nonzero: VMRESUME, else VMLAUNCH.
 *   returns %eax 0 after a VM exit, 1 on VMfailValid (the error is in the
 *         VMCS's VM-instruction error field), 2 on VMfailInvalid.
 *
 * Call with interrupts off and v's VMCS current.  A VM exit restores host
 * RIP and RSP from the VMCS and nothing else of the GPRs: host RSP is
 * written here, just before the entry, so that the exit lands in vmx_exit
 * with the callee-saved registers and v on top of the stack.  RFLAGS is
 * 0x2 after an exit (IF, DF clear).
 */
#include "kernel/asm-offsets.h"
#include <kernel/gprs.h>
#include <vmx/vmcs.h>

	.text
	.globl vmx_vmrun
	.type vmx_vmrun, @function
vmx_vmrun:
	PUSH_CALLEE_SAVED
	push	%rdi			/* v, for after the exit */
#if SOL >= 3
	mov	$VMCS_HOST_RSP, %eax
	vmwrite	%rsp, %rax

	test	%esi, %esi		/* MOVs keep the flags for the jump */
	mov	VCPU_RAX(%rdi), %rax
	LOAD_GUEST_GPRS
	jnz	1f
	vmlaunch
	jmp	2f
1:	vmresume
2:	/* Still here: the entry failed and no guest ran (CF or ZF set). */
	mov	$1, %eax
	jnc	3f
	mov	$2, %eax
3:	pop	%rdi			/* v; RSP never moved */
	jmp	vmx_vmrun_out

	.globl vmx_exit
	.type vmx_exit, @function
vmx_exit:
	/* Host RSP is back; every GPR still holds the guest's. */
	SAVE_GUEST_GPRS 0
	mov	%rax, VCPU_RAX(%rdi)
	pop	%rdi
	xor	%eax, %eax
#else
	/* LAB 3: your code here */
	and	$-16, %rsp
	call	vmx_vmrun_missing

	.globl vmx_exit
	.type vmx_exit, @function
vmx_exit:
	call	vmx_vmrun_missing
#endif
vmx_vmrun_out:
	POP_CALLEE_SAVED
	ret
	.size vmx_vmrun, . - vmx_vmrun
