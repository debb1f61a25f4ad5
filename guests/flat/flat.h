/*
 * flat.h - what the flat guests share (assembly only): the end of a run,
 * the 32-bit guests' GDT and IDT, and the data of the string I/O guests.
 *
 * Assembler macros: clang-format stays out.
 */
/* clang-format off */
#ifndef GUESTS_FLAT_FLAT_H
#define GUESTS_FLAT_FLAT_H

/*
 * Every check passed: exit status 0.  A failed check jumps to fail with
 * its number in AL, which becomes the exit status (port 0xf4).
 */
#define FLAT_EXIT	mov $0, %al; fail: outb %al, $0xf4; hlt; jmp fail

/*
 * Points the 32-bit interrupt gate for vector vec of the table idt at
 * handler, in code segment 0x08 (clobbers EAX).
 */
#define IDT_GATE32(vec, handler)					\
	mov	$handler, %eax;						\
	mov	%ax, idt + (vec) * 8;					\
	movw	$0x08, idt + (vec) * 8 + 2;				\
	movw	$0x8e00, idt + (vec) * 8 + 4;				\
	shr	$16, %eax;						\
	mov	%ax, idt + (vec) * 8 + 6

/*
 * A flat 32-bit GDT (0x08 code, 0x10 data) and an IDT for vectors 0 to
 * last, with their pseudo-descriptors gdtr and idtr for LGDT and LIDT.
 */
#define FLAT_TABLES32(last)						\
	.balign	8;							\
gdt:	.quad	0;							\
	.quad	0x00cf9a000000ffff;					\
	.quad	0x00cf92000000ffff;					\
gdtr:	.word	3 * 8 - 1;						\
	.long	gdt;							\
idt:	.fill	((last) + 1) * 8, 1, 0;					\
idtr:	.word	((last) + 1) * 8 - 1;					\
	.long	idt

/*
 * The strioNN guests' data: check 1's message, check 3's message written
 * backwards (REVERSED: the guest's name reversed, so DF=1 prints it the
 * right way round), check 4's message, a 4-byte input buffer, and the
 * byte check 5 sends.
 */
#define STRIO_DATA(name, reversed)					\
msg1:	.ascii	name, ": rep outsb\n";					\
msg1_len = . - msg1;							\
msg3:	.ascii	"\n)1=FD( sdrawkcab bstuo per :", reversed;		\
msg3_end: ;								\
msg3_len = msg3_end - msg3;						\
msg4:	.ascii	name, ": rep outsb with override\n";			\
msg4_len = . - msg4;							\
	.balign	4;							\
buf:	.long	0;							\
qbyte:	.byte	'Q'

#endif
