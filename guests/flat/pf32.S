/*
 * pf32.S - a 32-bit guest that turns on its own paging and takes its own
 * page fault (lab 4, paging = "shadow"): the hypervisor must inject the
 * #PF with the guest's error code and CR2, keep CR2 across the exits the
 * handler causes before reading it (VT-x does not switch CR2), and drop
 * the stale translation on INVLPG.  Writes the number of the first failed
 * check to port 0xf4, 0 when all pass.  A flat binary entered at 0x8000.
 */
#include "flat.h"
#define PF_VECTOR	14
#define PD		0x10000		/* page directory, 4 MiB PSE pages */
#define PDE_4M_RW	0x83		/* P, R/W, PS: frame 0 */
#define FAULT_LA	0x400123	/* in PDE 1, not present at first */

	.code32
	.text
	.globl _start
_start:
	cli
	mov	$0x7000, %esp
	lgdt	gdtr
	IDT_GATE32(PF_VECTOR, pf_handler)
	lidt	idtr
	movl	$PDE_4M_RW, PD
	movl	$0, PD + 4
	mov	%cr4, %eax
	or	$0x10, %eax		/* CR4.PSE */
	mov	%eax, %cr4
	mov	$PD, %eax
	mov	%eax, %cr3
	mov	%cr0, %eax
	or	$0x80000000, %eax	/* CR0.PG */
	mov	%eax, %cr0

	/* 1-2 in the handler; 3: the write retried through the new PDE */
	movb	$0x5a, FAULT_LA
	mov	$3, %al
	cmpb	$0x5a, FAULT_LA & 0x3fffff
	jne	fail
	/* 4: exactly one fault */
	mov	$4, %al
	cmpl	$1, pf_count
	jne	fail
	/* 5: the guest reads back its own CR3 */
	mov	%cr3, %ebx
	mov	$5, %al
	cmp	$PD, %ebx
	jne	fail

	FLAT_EXIT

/*
 * #PF: an OUT first (an exit between the fault and the read of CR2), then
 * check CR2 (1) and the error code, a supervisor write to a page not
 * present (2); map the page and retry.
 */
pf_handler:
	incl	pf_count
	mov	$0x3f8, %dx
	mov	$'#', %al
	out	%al, %dx
	mov	%cr2, %ebx
	mov	$1, %al
	cmp	$FAULT_LA, %ebx
	jne	fail
	mov	$2, %al
	cmpl	$0x2, (%esp)
	jne	fail
	movl	$PDE_4M_RW, PD + 4
	invlpg	FAULT_LA
	add	$4, %esp
	iret

	FLAT_TABLES32(PF_VECTOR)
pf_count:
	.long	0
