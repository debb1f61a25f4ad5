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

#include <guests/lib/long_mode.inc>

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
	LONG_MODE_ENTER long_mode

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

	LONG_MODE_DATA
