/*
 * trapentry.S - entry stubs for all 256 vectors: exceptions 0-31 and
 * interrupts 32-255 (lab 1; SDM 3A 6.12 and 6.14 for the 64-bit interrupt
 * stack frame).
 *
 * void trap(struct trapframe *tf)   [called with %rdi = the frame]
 * Each stub pushes a dummy error code where the CPU pushes none, then its
 * vector; trap_common saves the general registers so the stack holds a
 * struct trapframe (kernel/trap.h), calls trap(), and on return restores
 * everything and IRETs.  The CPU aligns %rsp to 16 before its pushes, and
 * the frame is 22 quadwords, so trap() is entered with an aligned stack.
 */

#include <kernel/gprs.h>

/* As inc/x86.h, which assembly cannot include. */
#define T_NEXCEPTIONS	32
#define IDT_NVECTORS	256

/* Vectors where the CPU pushes an error code (SDM 3A table 6-1). */
#define TRAP_EC(n)	\
	.globl trap_vector##n; trap_vector##n: pushq $(n); jmp trap_common
#define TRAP_NOEC(n)	\
	.globl trap_vector##n; trap_vector##n: pushq $0; pushq $(n); jmp trap_common

	.text
	.balign 16
TRAP_NOEC(0)
TRAP_NOEC(1)
TRAP_NOEC(2)
TRAP_NOEC(3)
TRAP_NOEC(4)
TRAP_NOEC(5)
TRAP_NOEC(6)
TRAP_NOEC(7)
TRAP_EC(8)
TRAP_NOEC(9)
TRAP_EC(10)
TRAP_EC(11)
TRAP_EC(12)
TRAP_EC(13)
TRAP_EC(14)
TRAP_NOEC(15)
TRAP_NOEC(16)
TRAP_EC(17)
TRAP_NOEC(18)
TRAP_NOEC(19)
TRAP_NOEC(20)
TRAP_EC(21)
TRAP_NOEC(22)
TRAP_NOEC(23)
TRAP_NOEC(24)
TRAP_NOEC(25)
TRAP_NOEC(26)
TRAP_NOEC(27)
TRAP_NOEC(28)
TRAP_EC(29)
TRAP_EC(30)
TRAP_NOEC(31)

/*
 * Interrupts 32-255 push no error code.  Each stub fits in 16 bytes
 * (push imm8, push imm32, jmp rel32), so trap_vectors can index them.
 */
	.balign 16
trap_irq_stubs:
	vec = T_NEXCEPTIONS
	.rept IDT_NVECTORS - T_NEXCEPTIONS
	pushq	$0
	pushq	$vec
	jmp	trap_common
	.balign 16
	vec = vec + 1
	.endr

trap_common:
	cld
	PUSH_TRAPFRAME_GPRS
	movq	%rsp, %rdi
	call	trap
	POP_TRAPFRAME_GPRS
	addq	$16, %rsp		/* vector and error code */
	iretq

/* The stub addresses, indexed by vector, for trap_init. */
	.section .rodata
	.balign 8
	.globl trap_vectors
trap_vectors:
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad trap_vector\n
	.endr
	i = 0
	.rept IDT_NVECTORS - T_NEXCEPTIONS
	.quad trap_irq_stubs + 16 * i
	i = i + 1
	.endr
