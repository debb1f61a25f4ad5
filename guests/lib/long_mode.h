/*
 * long_mode.h - assembler macros shared by the guests' 32-bit entries
 * (entry64.S, entrypv.S): from 32-bit protected mode to long mode on an
 * identity map of the low 4 GiB in 2 MiB pages (SDM 3A 10.8.5
 * "Initializing IA-32e Mode").  Needs inc/mmu.h and inc/x86.h.
 *
 *	LONG_MODE_ENTER long_mode	loads the GDT, builds the map, enables
 *					PAE, EFER.LME and paging, jumps to
 *					long_mode (64-bit, CS 0x08, DS 0x10);
 *					clobbers EAX, ECX, EDX; keeps ESI, EDI
 *	LONG_MODE_DATA			the GDT, the tables, a 16 KiB stack
 *					ending at stack_top
 */
#ifndef GUESTS_LIB_LONG_MODE_H
#define GUESTS_LIB_LONG_MODE_H

#define PTE_P_W	   (PTE_P | PTE_W)
#define PTE_P_W_PS (PTE_P | PTE_W | PTE_PS)

.macro LONG_MODE_ENTER target
	lgdt gdt_desc
	ljmp $0x18, $1f
1:	movw $0x10, %cx
	movw %cx, %ds
	movw %cx, %es
	movw %cx, %ss
	movl $stack_top, %esp

	/* PML4[0] -> PDPT; PDPT[0..3] -> PD0..3; PDs map 2048 x 2 MiB. */
	movl $pdpt + PTE_P_W, pml4
	xorl %ecx, %ecx
2:	movl %ecx, %eax
	shll $12, %eax
	addl $pd + PTE_P_W, %eax
	movl %eax, pdpt(,%ecx,8)
	incl %ecx
	cmpl $4, %ecx
	jne 2b
	xorl %ecx, %ecx
3:	movl %ecx, %eax
	shll $21, %eax
	orl $PTE_P_W_PS, %eax
	movl %eax, pd(,%ecx,8)
	incl %ecx
	cmpl $2048, %ecx
	jne 3b

	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl $pml4, %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	rdmsr
	orl $EFER_LME, %eax
	wrmsr
	movl %cr0, %eax
	orl $(CR0_PG | CR0_PE), %eax
	movl %eax, %cr0
	ljmp $0x08, $\target
.endm

.macro LONG_MODE_DATA
	.data
	.balign 8
gdt:
	.quad 0
	.quad 0x00af9a000000ffff	/* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff	/* 0x10: data */
	.quad 0x00cf9a000000ffff	/* 0x18: 32-bit code, until paging is on */
gdt_end:
gdt_desc:
	.word gdt_end - gdt - 1
	.quad gdt

	.bss
	.balign 4096
pml4:	.space 4096
pdpt:	.space 4096
pd:	.space 4 * 4096
	.balign 16
	.space 16384
stack_top:
.endm

#endif
