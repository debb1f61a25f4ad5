/*
 * hypercall.c - Xen-style hypercalls from a test guest (lab 5; lab 6 adds
 * the PV calls): VMMCALL on AMD, VMCALL on Intel, with the number and
 * arguments in the registers inc/public/xen.h gives for 32- and 64-bit
 * callers, and the hvm_op helpers that type the guest's own memory.
 */
#include "guest.h"
#include <inc/public/xen.h>
#include <inc/public/hvm/hvm_op.h>

/* Whether the CPU is AMD's (VMMCALL) rather than Intel's (VMCALL). */
static bool hypercall_amd(void)
{
	static int amd = -1;

	if (amd < 0) {
		struct cpuid_regs r = cpuid(0, 0);

		/* The vendor is EBX, EDX, ECX: "Auth" "enti" "cAMD". */
		amd = r.ebx == 0x68747541 && r.edx == 0x69746e65 &&
		      r.ecx == 0x444d4163;
	}
	return amd;
}

#ifdef __x86_64__
#define HYPERCALL_REGS(a1, a2, a3) "D"(a1), "S"(a2), "d"(a3)
#else
#define HYPERCALL_REGS(a1, a2, a3) "b"(a1), "c"(a2), "d"(a3)
#endif

long hypercall3(unsigned nr, unsigned long a1, unsigned long a2,
		unsigned long a3)
{
	long r;

	if (hypercall_amd())
		__asm__ volatile("vmmcall"
				 : "=a"(r)
				 : "a"(nr), HYPERCALL_REGS(a1, a2, a3)
				 : "memory");
	else
		__asm__ volatile("vmcall"
				 : "=a"(r)
				 : "a"(nr), HYPERCALL_REGS(a1, a2, a3)
				 : "memory");
	return r;
}

long hvm_set_mem_type(uint64_t first_pfn, uint32_t nr, unsigned type)
{
	struct xen_hvm_set_mem_type a = { .domid = DOMID_SELF,
					  .hvmmem_type = (uint16_t)type,
					  .nr = nr,
					  .first_pfn = first_pfn };

	return hypercall3(__HYPERVISOR_hvm_op, HVMOP_set_mem_type,
			  (unsigned long)&a, 0);
}

long hvm_get_mem_type(uint64_t pfn)
{
	struct xen_hvm_get_mem_type a = { .domid = DOMID_SELF, .pfn = pfn };
	long r = hypercall3(__HYPERVISOR_hvm_op, HVMOP_get_mem_type,
			    (unsigned long)&a, 0);

	return r < 0 ? r : a.mem_type;
}
