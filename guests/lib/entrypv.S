/*
 * entrypv.S - start code of the PV guests (lab 6): one ELF for both
 * containers, with the Xen ELF notes that name its two entries
 * (inc/public/elfnote.h), as Linux's vmlinux carries both.
 *
 *   pv_entry32  XEN_ELFNOTE_PHYS32_ENTRY, the hvm container (PVH): 32-bit
 *               protected mode, paging off, EBX = struct hvm_start_info.
 *               Builds an identity map of the low 4 GiB and enters long
 *               mode as entry64.S does (SDM 3A 10.8.5).
 *   pv_entry64  XEN_ELFNOTE_ENTRY, the te container (classic PV): 64-bit,
 *               CPL 3, paging off (virtual = physical), RSI = struct
 *               start_info.
 *
 * Both call pv_start(container, info) (pv.c), which never returns.
 */
#include <inc/mmu.h>
#include <inc/x86.h>
#include <inc/public/elfnote.h>
#include <guests/lib/pv.h>

#define PTE_P_W		(PTE_P | PTE_W)
#define PTE_P_W_PS	(PTE_P | PTE_W | PTE_PS)

/* One ELF note (gABI "Note Section"): name "Xen", type, then desc. */
.macro XEN_NOTE type, desc:vararg
	.balign 4
	.long 2f - 1f
	.long 4f - 3f
	.long \type
1:	.asciz "Xen"
2:	.balign 4
3:	\desc
4:	.balign 4
.endm

	.section .note.xen, "a"
	XEN_NOTE XEN_ELFNOTE_GUEST_OS, .asciz "hvlab"
	XEN_NOTE XEN_ELFNOTE_ENTRY, .quad pv_entry64
	XEN_NOTE XEN_ELFNOTE_PHYS32_ENTRY, .long pv_entry32

	.text
	.code32
	.globl pv_entry32
pv_entry32:
	cli
	movl %ebx, %esi
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
	ljmp $0x08, $long_mode

	.code64
long_mode:
	xorl %eax, %eax
	movw %ax, %fs
	movw %ax, %gs
	movq $stack_top, %rsp
	movl %esi, %esi		/* the upper half is undefined after the switch */
	movl $PV_CONTAINER_HVM, %edi
	call pv_start
	ud2

	.globl pv_entry64
pv_entry64:
	movq $stack_top, %rsp
	movl $PV_CONTAINER_TE, %edi
	call pv_start
	ud2

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
