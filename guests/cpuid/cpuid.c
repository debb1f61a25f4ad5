/*
 * cpuid.c - the CPUID policy (lab 3): the hypervisor-present bit, hvlab's
 * signature at leaf 0x40000000, and the features hvlab cannot virtualize
 * hidden (VMX, SVM, MONITOR/MWAIT).  Fails on bare hardware or plain QEMU,
 * which is the point.
 */
#include <guests/lib/guest.h>

#define CPUID1_ECX_MONITOR    (1u << 3)
#define CPUID1_ECX_VMX	      (1u << 5)
#define CPUID1_ECX_HYPERVISOR (1u << 31)
#define CPUID81_ECX_SVM	      (1u << 2)

void main(void)
{
	struct cpuid_regs l1 = cpuid(1, 0), hv = cpuid(0x40000000, 0);
	struct cpuid_regs ext = cpuid(0x80000000, 0);
	char sig[13];

	cpuid_signature(&hv, sig);
	report(l1.ecx & CPUID1_ECX_HYPERVISOR, "leaf 1: hypervisor bit set");
	report(strncmp(sig, "hvlab", 5) == 0,
	       "leaf 0x40000000: signature "
	       "\"%s\" starts with \"hvlab\"",
	       sig);
	report(hv.eax >= 0x40000000 && hv.eax < 0x40000100,
	       "leaf 0x40000000: max hypervisor leaf 0x%x", hv.eax);
	report(!(l1.ecx & CPUID1_ECX_VMX), "leaf 1: VMX hidden");
	report(!(l1.ecx & CPUID1_ECX_MONITOR), "leaf 1: MONITOR/MWAIT hidden");
	if (ext.eax >= 0x80000001)
		report(!(cpuid(0x80000001, 0).ecx & CPUID81_ECX_SVM),
		       "leaf 0x80000001: SVM hidden");
}
