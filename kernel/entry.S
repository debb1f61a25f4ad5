/*
 * entry.S - the kernel's first instructions.
 *
 * void _start(struct boot_info *bi)   [%rdi = boot_info in the direct map]
 * Entered from the loader in 64-bit mode, interrupts off, on the loader's
 * page tables and stack.  Switches to the boot stack in .bss and calls
 * kernel_main(bi), which never returns.
 */
#include <inc/memlayout.h>

	.section .text.entry, "ax"
	.globl _start
_start:
	cli
	cld
	lea	boot_stack_top(%rip), %rsp
	xor	%ebp, %ebp		/* terminates the backtrace */
	call	kernel_main
1:	hlt
	jmp	1b

	.bss
	.balign 4096
	.globl boot_stack
boot_stack:
	.space KSTACK_SIZE
	.globl boot_stack_top
boot_stack_top:
