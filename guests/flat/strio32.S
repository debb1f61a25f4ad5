/*
 * strio32.S - a 32-bit protected-mode guest for the string I/O emulation of lab 3:
 * REP OUTSB and REP INSB through the emulated UART, forwards, backwards
 * (RFLAGS.DF set), and with a 16-bit address-size override (only SI and CX count).
 * Writes the number of the first failed check to port 0xf4, 0 when all
 * pass.  A flat binary loaded and entered at 0x8000, code and data in one
 * section.
 */
#include "flat.h"
	.code32
	.text
	.globl _start
_start:
	cli
	cld

	/* 1: forwards, DS:rSI, count in rCX */
	mov	$msg1, %esi
	mov	$msg1_len, %ecx
	mov	$0x3f8, %dx
	rep outsb
	mov	$1, %al
	cmp	$msg1 + msg1_len, %esi
	jne	fail
	test	%ecx, %ecx
	jnz	fail

	/* 2: REP INSB of the scratch register into ES:rDI */
	mov	$0x3ff, %dx
	mov	$0x5a, %al
	outb	%al, %dx
	mov	$buf, %edi
	mov	$4, %ecx
	rep insb
	mov	$2, %al
	cmpl	$0x5a5a5a5a, buf
	jne	fail
	cmp	$buf + 4, %edi
	jne	fail

	/* 3: backwards: the text is stored reversed */
	std
	mov	$msg3_end - 1, %esi
	mov	$msg3_len, %ecx
	mov	$0x3f8, %dx
	rep outsb
	cld
	mov	$3, %al
	cmp	$msg3 - 1, %esi
	jne	fail

	/* 4: addr16: only SI and CX count, the upper halves stay */
	mov	$0xabcd0000 + msg4, %esi
	mov	$0x10000 + msg4_len, %ecx
	mov	$0x3f8, %dx
	addr16 rep outsb
	mov	$4, %al
	cmp	$0xabcd0000 + msg4 + msg4_len, %esi
	jne	fail
	cmp	$0x10000, %ecx
	jne	fail

	/* 5: the byte OUTSB sends is the one at [rSI] */
	mov	$qbyte, %esi
	mov	$0x3ff, %dx
	outsb
	inb	%dx, %al
	cmp	$'Q', %al
	mov	$5, %al
	jne	fail

	FLAT_EXIT

	STRIO_DATA("strio32", "23oirts")
