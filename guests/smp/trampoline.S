/*
 * trampoline.S - where an application processor starts (SDM 3A 9.4.4
 * "MP Initialization Example"): smp.c copies it to SMP_TRAMPOLINE and
 * sends STARTUP with vector SMP_TRAMPOLINE >> 12, so the AP runs it in real
 * mode at CS = 0x0800, IP = 0.  It turns on PAE, EFER.LME and paging with
 * the BSP's page tables at once and jumps to 64-bit code, which calls
 * tramp_entry on tramp_stack.  It records where it started: CS in
 * tramp_cs, and in tramp_ip the IP of tramp_here (its offset when IP
 * started at 0).
 */
#include <inc/mmu.h>
#include <inc/x86.h>

#define SMP_TRAMPOLINE 0x8000
#define ABS(x) (SMP_TRAMPOLINE + (x) - tramp_start)

	.text
	.globl tramp_start, tramp_end, tramp_cr3, tramp_stack, tramp_entry
	.globl tramp_cs, tramp_ip, tramp_here
	.code16
tramp_start:
	cli
	call tramp_here
tramp_here:
	popw %bx
	movw %cs, %ax
	movw %ax, %ds
	movw %ax, tramp_cs - tramp_start
	movw %bx, tramp_ip - tramp_start
	lgdtl tramp_gdt_desc - tramp_start
	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl tramp_cr3 - tramp_start, %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	rdmsr
	orl $EFER_LME, %eax
	wrmsr
	movl %cr0, %eax
	orl $(CR0_PG | CR0_PE), %eax
	movl %eax, %cr0
	ljmpl $0x08, $ABS(tramp_64)

	.code64
tramp_64:
	movl $0x10, %eax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movq ABS(tramp_stack), %rsp
	movq ABS(tramp_entry), %rax
	call *%rax
	ud2

	.balign 8
tramp_gdt:
	.quad 0
	.quad 0x00af9a000000ffff	/* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff	/* 0x10: data */
tramp_gdt_desc:
	.word tramp_gdt_desc - tramp_gdt - 1
	.long ABS(tramp_gdt)
	.balign 8
tramp_cr3:	.quad 0
tramp_stack:	.quad 0
tramp_entry:	.quad 0
tramp_cs:	.word 0
tramp_ip:	.word 0
tramp_end:
