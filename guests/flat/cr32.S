/*
 * cr32.S - a 32-bit protected-mode guest for the CR0/CR4 write emulation
 * of lab 3: reserved and hidden bits raise #GP in the guest (caught by its
 * own IDT), CLTS clears CR0.TS, LMSW sets CR0.MP but cannot clear CR0.PE,
 * and a permitted CR4 bit sticks.  Writes the number of the first failed
 * check to port 0xf4, 0 when all pass.  A flat binary entered at 0x8000.
 */
#include "flat.h"
#define GP_VECTOR	13

	.code32
	.text
	.globl _start
_start:
	cli
	mov	$0x7000, %esp
	lgdt	gdtr
	IDT_GATE32(GP_VECTOR, gp_handler)
	lidt	idtr

	/* 1: CR4.VMXE (hidden virtualization) is #GP */
	mov	%cr4, %eax
	or	$0x2000, %eax
	mov	%eax, %cr4
	mov	$1, %al
	cmpl	$1, gp_count
	jne	fail

	/* 2: CR0.NW without CR0.CD is #GP */
	mov	%cr0, %eax
	and	$~0x40000000, %eax
	or	$0x20000000, %eax
	mov	%eax, %cr0
	mov	$2, %al
	cmpl	$2, gp_count
	jne	fail

	/* 3: CLTS clears CR0.TS */
	mov	%cr0, %eax
	or	$0x8, %eax
	mov	%eax, %cr0
	clts
	mov	%cr0, %eax
	test	$0x8, %eax
	mov	$3, %al
	jnz	fail

	/* 4: LMSW sets MP, leaves PE set although the operand clears it */
	mov	$0x2, %cx
	lmsw	%cx
	mov	%cr0, %ebx
	mov	$4, %al
	test	$0x1, %ebx
	jz	fail
	test	$0x2, %ebx
	jz	fail

	/* 5: CR4.OSFXSR is permitted and sticks; no #GP so far beyond two */
	mov	%cr4, %ebx
	or	$0x200, %ebx
	mov	%ebx, %cr4
	mov	%cr4, %ecx
	mov	$5, %al
	cmp	%ebx, %ecx
	jne	fail
	cmpl	$2, gp_count
	jne	fail

	FLAT_EXIT

/* #GP: count it and skip the 3-byte MOV to CRn that raised it. */
gp_handler:
	incl	gp_count
	addl	$3, 4(%esp)
	add	$4, %esp
	iret

	FLAT_TABLES32(GP_VECTOR)
gp_count:
	.long	0
