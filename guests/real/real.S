/*
 * real.S - rung 1 of the lab 3 ladder: a 16-bit real-mode guest, loaded as
 * a flat binary at 0x7c00 (config: kernel_addr = 0x7c00).  It is also a
 * valid boot sector, so a PC BIOS can run it too.  It checks CR0.PE is
 * clear, prints its result lines on COM1 and exits through port 0xf4.
 * No guests/lib here: that library is 32/64-bit code.
 */
#define COM1		0x3f8
#define LSR_THRE	0x20

	.code16
	.text
	.globl start
start:
	cli
	xorw %ax, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movw $0x7c00, %sp
	movw $msg_hello, %si
	call puts
	smsw %ax
	testw $1, %ax
	jnz 1f
	movw $msg_pass, %si
	call puts
	movw $msg_sum_ok, %si
	call puts
	xorb %al, %al
	jmp 2f
1:	movw $msg_fail, %si
	call puts
	movw $msg_sum_bad, %si
	call puts
	movb $1, %al
2:	outb %al, $0xf4
3:	hlt
	jmp 3b

/* Prints the NUL-terminated string at DS:SI on COM1. */
puts:
	lodsb
	testb %al, %al
	jz 2f
	movb %al, %ah
	movw $COM1 + 5, %dx
1:	inb %dx, %al
	testb $LSR_THRE, %al
	jz 1b
	movb %ah, %al
	movw $COM1, %dx
	outb %al, %dx
	jmp puts
2:	ret

msg_hello:	.asciz "hello from a real-mode guest\r\n"
msg_pass:	.asciz "PASS: real mode: CR0.PE clear\r\n"
msg_fail:	.asciz "FAIL: real mode: CR0.PE set\r\n"
msg_sum_ok:	.asciz "SUMMARY: 1 tests, 0 failed\r\n"
msg_sum_bad:	.asciz "SUMMARY: 1 tests, 1 failed\r\n"

	.org 510
	.byte 0x55, 0xaa
