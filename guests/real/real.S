/*
 * real.S - rung 1 of the lab 3 ladder: a 16-bit real-mode guest, loaded as
 * a flat binary at 0x7c00 (config: kernel_addr = 0x7c00).  It is also a
 * valid boot sector, so a PC BIOS can run it too (there the reset checks
 * fail: firmware has changed CR0).  It checks CR0.PE is clear and that
 * CR0, EFLAGS, DR6, DR7 and EFER hold their values after RESET (SDM 3A
 * table 10-1), the same on both vendors; prints its result lines on COM1
 * and exits through port 0xf4 with the number of failures.
 * No guests/lib here: that library is 32/64-bit code.
 */
#include <inc/x86.h>

#define COM1		0x3f8
#define LSR_THRE	0x20

	.code16
	.text
	.globl start
start:
	movw $0, %ax		/* MOV, not XOR: EFLAGS still as at entry */
	movw %ax, %ss
	movw $0x7c00, %sp
	pushfl
	cli
	movw %ax, %ds
	movw %ax, %es
	movw $msg_hello, %si
	call puts

	movl %cr0, %eax
	andl $CR0_PE, %eax
	xorl %edx, %edx
	movw $msg_pe, %si
	call check
	movl %cr0, %eax
	movl $CR0_RESET, %edx
	movw $msg_cr0, %si
	call check
	popl %eax
	movl $RFLAGS_RESET, %edx
	movw $msg_flags, %si
	call check
	movl %dr6, %eax
	movl $DR6_RESET, %edx
	movw $msg_dr6, %si
	call check
	movl %dr7, %eax
	movl $DR7_RESET, %edx
	movw $msg_dr7, %si
	call check
	movl $MSR_EFER, %ecx
	rdmsr
	orl %edx, %eax
	xorl %edx, %edx
	movw $msg_efer, %si
	call check

	movw $msg_sum, %si
	call puts
	movb fails, %al
	addb $'0', %al
	call putc
	movw $msg_sum_end, %si
	call puts
	movb fails, %al
	outb %al, $0xf4
1:	hlt
	jmp 1b

/* Prints "PASS: " or "FAIL: " (counting it) as EAX == EDX, then DS:SI. */
check:
	pushw %si
	movw $msg_pass, %si
	cmpl %edx, %eax
	je 1f
	incb fails
	movw $msg_fail, %si
1:	call puts
	popw %si
	call puts
	movw $msg_crlf, %si
	jmp puts

/* Prints the NUL-terminated string at DS:SI on COM1. */
puts:
	lodsb
	testb %al, %al
	jz 1f
	call putc
	jmp puts
1:	ret

/* Prints AL on COM1. */
putc:
	movb %al, %ah
	movw $COM1 + 5, %dx
1:	inb %dx, %al
	testb $LSR_THRE, %al
	jz 1b
	movb %ah, %al
	movw $COM1, %dx
	outb %al, %dx
	ret

fails:		.byte 0
msg_hello:	.asciz "hello from a real-mode guest\r\n"
msg_pass:	.asciz "PASS: "
msg_fail:	.asciz "FAIL: "
msg_crlf:	.asciz "\r\n"
msg_pe:		.asciz "real mode: CR0.PE clear"
msg_cr0:	.asciz "reset: CR0 0x60000010"
msg_flags:	.asciz "reset: EFLAGS 0x2"
msg_dr6:	.asciz "reset: DR6 0xffff0ff0"
msg_dr7:	.asciz "reset: DR7 0x400"
msg_efer:	.asciz "reset: EFER 0"
msg_sum:	.asciz "SUMMARY: 6 tests, "
msg_sum_end:	.asciz " failed\r\n"

	.org 510
	.byte 0x55, 0xaa
