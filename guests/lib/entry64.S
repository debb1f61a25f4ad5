/*
 * entry64.S - start code of long-mode guests.  Entered like entry32.S by
 * a Multiboot loader in 32-bit protected mode; builds an identity map of
 * the low 4 GiB in 2 MiB pages, enables PAE, EFER.LME and paging, and
 * jumps to 64-bit code (SDM 3A 10.8.5 "Initializing IA-32e Mode"), then
 * calls guest_start(magic, info).
 */
#include <guests/lib/multiboot.h>
#include <inc/mmu.h>
#include <inc/x86.h>
#include <guests/lib/long_mode.inc>

MULTIBOOT_HEADER

	.text
	.code32
	.globl _start
_start:
	cli
	movl %eax, %edi
	movl %ebx, %esi
	LONG_MODE_ENTER long_mode

	.code64
long_mode:
	xorl %eax, %eax
	movw %ax, %fs
	movw %ax, %gs
	movq $stack_top, %rsp
	call guest_start
	ud2

	LONG_MODE_DATA
