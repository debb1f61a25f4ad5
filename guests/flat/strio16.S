/*
 * strio16.S - a 16-bit real-mode guest for the string I/O emulation of lab 3:
 * REP OUTSB and REP INSB through the emulated UART, forwards, backwards
 * (RFLAGS.DF set), and with an FS segment override whose base differs from DS.
 * Writes the number of the first failed check to port 0xf4, 0 when all
 * pass.  A flat binary loaded and entered at 0x8000, code and data in one
 * section.
 */
#include "flat.h"
	.code16
	.text
	.globl _start
_start:
	cli
	cld
	xor	%ax, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %ss
	mov	$0x7000, %sp

	/* 1: forwards, DS:rSI, count in rCX */
	mov	$msg1, %si
	mov	$msg1_len, %cx
	mov	$0x3f8, %dx
	rep outsb
	mov	$1, %al
	cmp	$msg1 + msg1_len, %si
	jne	fail
	test	%cx, %cx
	jnz	fail

	/* 2: REP INSB of the scratch register into ES:rDI */
	mov	$0x3ff, %dx
	mov	$0x5a, %al
	outb	%al, %dx
	mov	$buf, %di
	mov	$4, %cx
	rep insb
	mov	$2, %al
	cmpl	$0x5a5a5a5a, buf
	jne	fail
	cmp	$buf + 4, %di
	jne	fail

	/* 3: backwards: the text is stored reversed */
	std
	mov	$msg3_end - 1, %si
	mov	$msg3_len, %cx
	mov	$0x3f8, %dx
	rep outsb
	cld
	mov	$3, %al
	cmp	$msg3 - 1, %si
	jne	fail

	/* 4: FS override, FS base 0x800 */
	mov	$0x80, %bx
	mov	%bx, %fs
	mov	$msg4 - 0x800, %si
	mov	$msg4_len, %cx
	mov	$0x3f8, %dx
	rep outsb %fs:(%si), (%dx)
	mov	$4, %al
	cmp	$msg4 + msg4_len - 0x800, %si
	jne	fail

	/* 5: the override picks the data: FS:SI holds 'Q', DS:SI does not */
	mov	$qbyte - 0x800, %si
	mov	$0x3ff, %dx
	outsb	%fs:(%si), (%dx)
	inb	%dx, %al
	cmp	$'Q', %al
	mov	$5, %al
	jne	fail

	FLAT_EXIT

	STRIO_DATA("strio16", "61oirts")
