/*
 * asm-offsets.c - VMCS field encodings for vmx/entry.S, generated from C so
 * that the assembly uses vmx/vmcs.h's values (lab 3).  The struct vcpu
 * offsets come from kernel/asm-offsets.c.
 *
 * Compiled with -S only: each DEFINE leaves a "->NAME VALUE" marker in the
 * assembly output, which kernel/Makefrag turns into obj/vmx/asm-offsets.h.
 */
#include <vmx/vmcs.h>

#define DEFINE(sym, val) \
	__asm__ volatile("\n.ascii \"->" #sym " %c0\"" : : "i"(val))

void asm_offsets(void);

void asm_offsets(void)
{
	DEFINE(FIELD_HOST_RSP, VMCS_HOST_RSP);
}
