/*
 * wild32.S - a 32-bit protected-mode guest that reads guest-physical
 * memory it does not have (lab 3): the nested page fault must crash this
 * domain only, with a dump, while the others run on.  If the read ever
 * returns, it writes 1 to port 0xf4.  A flat binary entered at 0x8000.
 */
	.code32
	.text
	.globl _start
_start:
	cli
	mov	0x80000000, %eax
	mov	$1, %al
	outb	%al, $0xf4
	hlt
