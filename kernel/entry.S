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
	.type _start, @function
_start:
	cli
	cld
	lea	boot_stack_top(%rip), %rsp
	xor	%ebp, %ebp		/* terminates the backtrace */
	call	kernel_main
1:	hlt
	jmp	1b
	.size _start, . - _start

	.bss
	.balign 4096
	.globl boot_stack
boot_stack:
	.space KSTACK_SIZE
	.globl boot_stack_top
boot_stack_top:

/*
 * void gdt_load_segments(uint16_t cs, uint16_t ds)   [%di = cs, %si = ds]
 * Loads %ds, %es, %ss from ds and clears %fs, %gs; %cs can only change
 * through a far transfer, so lretq "returns" to the caller with the new %cs.
 */
	.text
	.globl gdt_load_segments
	.type gdt_load_segments, @function
gdt_load_segments:
	movw	%si, %ds
	movw	%si, %es
	movw	%si, %ss
	xorl	%eax, %eax
	movw	%ax, %fs
	movw	%ax, %gs
	popq	%rax			/* return address */
	movzwq	%di, %rdi
	pushq	%rdi
	pushq	%rax
	lretq
	.size gdt_load_segments, . - gdt_load_segments
