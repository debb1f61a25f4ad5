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
/* Vectors where the CPU pushes an error code (SDM 3A table 6-1):
 * 8, 10-14, 17, 21, 29 and 30. */
#define TRAP_EC_MASK	0x60227d00
#define TRAP_STUB_SIZE	16

/*
 * One stub per vector, each in TRAP_STUB_SIZE bytes (push imm8, push
 * imm32, jmp rel32), so trap_init finds vector n's at trap_stubs + 16n.
 */
	.text
	.balign 16
	.globl trap_stubs
trap_stubs:
	vec = 0
	.rept IDT_NVECTORS
	.if vec >= T_NEXCEPTIONS || !((TRAP_EC_MASK >> (vec & 31)) & 1)
	pushq	$0
	.endif
	pushq	$vec
	jmp	trap_common
	.balign TRAP_STUB_SIZE
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
