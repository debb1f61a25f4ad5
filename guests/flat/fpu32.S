/*
 * fpu32.S - a 32-bit protected-mode guest for the per-vcpu x87/SSE state
 * (lab 3).  Two domains run it at once: each puts its own TSC value in
 * XMM0, makes CPUID exits long enough to be descheduled many times, and
 * checks that XMM0 still holds its value.  Writes 1 to port 0xf4 if the
 * other domain's state leaked in, 0 otherwise.  A flat binary entered at
 * 0x8000.
 */
#include "flat.h"
#define EXITS	30000

	.code32
	.text
	.globl _start
_start:
	cli
	mov	%cr4, %eax
	or	$0x600, %eax		/* OSFXSR | OSXMMEXCPT: SSE allowed */
	mov	%eax, %cr4
	mov	%cr0, %eax
	and	$~0x4, %eax		/* EM off */
	or	$0x2, %eax		/* MP on */
	mov	%eax, %cr0

	rdtsc
	mov	%eax, %esi
	movd	%eax, %xmm0
	mov	$EXITS, %edi
1:	xor	%eax, %eax
	cpuid
	dec	%edi
	jnz	1b
	movd	%xmm0, %eax
	cmp	%esi, %eax
	mov	$1, %al
	jne	fail
	FLAT_EXIT
