/*
 * strio64.S - a 64-bit long-mode guest for the string I/O emulation of lab 3:
 * REP OUTSB and REP INSB through the emulated UART, forwards, backwards
 * (RFLAGS.DF set), and with a 32-bit address-size override (ESI and ECX, zero-extended).
 * Writes the number of the first failed check to port 0xf4, 0 when all
 * pass.  A flat binary loaded and entered at 0x8000, code and data in one
 * section.
 */
#include "flat.h"
	.code64
	.text
	.globl _start
_start:
	cli
	cld

	/* 1: forwards, DS:rSI, count in rCX */
	mov	$msg1, %rsi
	mov	$msg1_len, %rcx
	mov	$0x3f8, %dx
	rep outsb
	mov	$1, %al
	cmp	$msg1 + msg1_len, %rsi
	jne	fail
	test	%rcx, %rcx
	jnz	fail

	/* 2: REP INSB of the scratch register into ES:rDI */
	mov	$0x3ff, %dx
	mov	$0x5a, %al
	outb	%al, %dx
	mov	$buf, %rdi
	mov	$4, %rcx
	rep insb
	mov	$2, %al
	cmpl	$0x5a5a5a5a, buf
	jne	fail
	cmp	$buf + 4, %rdi
	jne	fail

	/* 3: backwards: the text is stored reversed */
	std
	mov	$msg3_end - 1, %rsi
	mov	$msg3_len, %rcx
	mov	$0x3f8, %dx
	rep outsb
	cld
	mov	$3, %al
	cmp	$msg3 - 1, %rsi
	jne	fail

	/* 4: addr32: ESI and ECX count and are zero-extended */
	movabs	$0xdead00000000 + msg4, %rsi
	movabs	$0x100000000 + msg4_len, %rcx
	mov	$0x3f8, %dx
	addr32 rep outsb
	mov	$4, %al
	cmp	$msg4 + msg4_len, %rsi
	jne	fail
	test	%rcx, %rcx
	jnz	fail

	/* 5: the byte OUTSB sends is the one at [rSI] */
	mov	$qbyte, %rsi
	mov	$0x3ff, %dx
	outsb
	inb	%dx, %al
	cmp	$'Q', %al
	mov	$5, %al
	jne	fail

	FLAT_EXIT

	STRIO_DATA("strio64", "46oirts")
