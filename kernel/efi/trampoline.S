/*
 * trampoline.S - the loader's last instructions: switch to the kernel's
 * page tables and enter the kernel.
 *
 * void trampoline_enter(uint64_t pml4_pa, uint64_t entry, uint64_t arg)
 *   %rdi = physical address of the new PML4 (paging.c)
 *   %rsi = kernel entry point (a KERNBASE virtual address)
 *   %rdx = the kernel's argument: the boot_info in the direct map
 * Runs after ExitBootServices, interrupts off.  This code and the current
 * stack are identity mapped in the new tables; the stack moves to its
 * direct-map alias so the kernel does not depend on the identity map.
 * Enters the kernel as if called: %rdi = arg, a zero return address on a
 * 16-byte aligned stack.  Never returns.
 */
#include <inc/memlayout.h>

	.text
	.globl trampoline_enter
trampoline_enter:
	cli
	mov	%rdi, %cr3
	movabs	$DIRECTMAP_BASE, %rax
	add	%rax, %rsp
	and	$-16, %rsp
	mov	%rdx, %rdi
	xor	%ebp, %ebp
	pushq	$0
	jmp	*%rsi

	.section .note.GNU-stack, "", @progbits
