/*
 * entry.S - start code of trap-and-emulate guests (lab 2, type "te";
 * inc/public/te.h).  The te backend enters the 64-bit ELF entry point at
 * CPL 3 with RDI = Multiboot magic and RSI = the information structure,
 * which are guest_start's arguments.  No Multiboot header: a te guest
 * never runs in 32-bit mode.
 */
	.text
	.globl _start
_start:
	movq $te_stack_top, %rsp
	call guest_start
	ud2

	.bss
	.balign 16
	.space 16384
te_stack_top:
