/*
 * asm-offsets.c - struct vcpu offsets for the world switches (svm/entry.S,
 * vmx/entry.S, kernel/gprs.h), generated from C so that the assembly can
 * never disagree with struct vcpu (labs 2 and 3).
 *
 * Compiled with -S only: each DEFINE leaves a "->NAME VALUE" marker in the
 * assembly output, which kernel/Makefrag turns into obj/kernel/asm-offsets.h.
 * Backend constants come from the backend's headers (vmx/vmcs.h).
 */
#include <kernel/domain.h>

#define DEFINE(sym, val) \
	__asm__ volatile("\n.ascii \"->" #sym " %c0\"" : : "i"(val))
#define DEFINE_GPR(reg) \
	DEFINE(VCPU_##reg, offsetof(struct vcpu, gprs) + 8 * GPR_##reg)

void asm_offsets(void);

void asm_offsets(void)
{
	DEFINE_GPR(RAX);
	DEFINE_GPR(RCX);
	DEFINE_GPR(RDX);
	DEFINE_GPR(RBX);
	DEFINE_GPR(RBP);
	DEFINE_GPR(RSI);
	DEFINE_GPR(RDI);
	DEFINE_GPR(R8);
	DEFINE_GPR(R9);
	DEFINE_GPR(R10);
	DEFINE_GPR(R11);
	DEFINE_GPR(R12);
	DEFINE_GPR(R13);
	DEFINE_GPR(R14);
	DEFINE_GPR(R15);
}
