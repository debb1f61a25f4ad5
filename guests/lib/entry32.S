/*
 * entry32.S - start code of 32-bit protected-mode guests.  A Multiboot
 * loader enters _start with EAX = 0x2BADB002, EBX = the info structure,
 * flat 32-bit segments and paging off (Multiboot 0.6.96, 3.2); we load our
 * own GDT so the selectors are known (the IDT gates use 0x08), set a stack
 * and call guest_start(magic, info), which never returns.
 */
#include <guests/lib/multiboot.h>

MULTIBOOT_HEADER

	.text
	.code32
	.globl _start
_start:
	cli
	lgdt gdt_desc
	ljmp $0x08, $1f
1:	movw $0x10, %cx
	movw %cx, %ds
	movw %cx, %es
	movw %cx, %fs
	movw %cx, %gs
	movw %cx, %ss
	movl $stack_top, %esp
	pushl %ebx
	pushl %eax
	call guest_start
	ud2

	.data
	.balign 8
gdt:
	.quad 0
	.quad 0x00cf9a000000ffff	/* 0x08: 32-bit code, base 0, 4 GiB */
	.quad 0x00cf92000000ffff	/* 0x10: data, base 0, 4 GiB */
gdt_end:
gdt_desc:
	.word gdt_end - gdt - 1
	.long gdt

	.bss
	.balign 16
	.space 16384
stack_top:
