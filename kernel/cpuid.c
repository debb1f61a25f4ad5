/*
 * cpuid.c - the CPUID a guest sees (lab 3; SDM vol. 2A "CPUID", AMD
 * CPUID Specification #25481).
 *
 * Policy: pass through the features a guest uses natively (under QEMU TCG
 * -cpu max: SMEP/SMAP, UMIP, FSGSBASE, ...); announce the emulated local
 * APIC with x2APIC and TSC-deadline mode (kernel/dev/vlapic.c) and a core
 * per vcpu; hide hardware virtualization and what hvlab does not emulate
 * (MTRRs, MONITOR/MWAIT, LA57, RDTSCP/RDPID, TSC_ADJUST, thermal and
 * PDCM MSRs; leaf 6 keeps only ARAT: the vLAPIC timer never stops), and
 * PCID/INVPCID from shadow-paged domains; set the hypervisor bit.
 *
 * XSAVE comes with the components kernel/xstate.c offers (x87, SSE, AVX,
 * AVX-512) and the instructions that need them; XSAVEC (leaf 0xd's
 * compacted sizes are not the guest's), XSAVES (IA32_XSS), AMX and PKU
 * (CR4.PKE is refused) stay hidden.
 *
 * Leaf 0x40000000 is hvlab's signature "hvlabhvlabhv" with EAX =
 * CPUID_HV_MAX; the rest of the range reads as zeros.  Lab 6: a domain
 * with Xen's ABI finds Xen's leaves at its base (pv/xen.c): 0x40000000
 * for type pv, which hides hvlab's, and 0x40000100 for xen_platform hvm.
 */
#include <kernel/kernel.h>
#include <kernel/clock.h>
#include <kernel/domain.h>
#include <kernel/cpuid.h>
#include <kernel/dev/vlapic.h>

#define L1_ECX_MONITOR	(1u << 3)
#define L1_ECX_TM2	(1u << 8)
#define L1_ECX_PDCM	(1u << 15)
#define L1_EDX_ACPI	(1u << 22)
#define L1_EDX_TM	(1u << 29)
#define L6_EAX_ARAT	(1u << 2)
#define L7_EBX_TSC_ADJ	(1u << 1)
#define L7_ECX_LA57	(1u << 16)
#define L7_ECX_RDPID	(1u << 22)
#define E1_EDX_RDTSCP	(1u << 27)
#define L1_ECX_VMX	(1u << 5)
#define L1_ECX_PCID	(1u << 17)
#define L1_ECX_X2APIC	(1u << 21)
#define L1_ECX_DEADLINE (1u << 24)
#define L1_ECX_XSAVE	(1u << 26)
#define L1_ECX_OSXSAVE	(1u << 27)
#define L1_ECX_AVX	(1u << 28)
#define L1_ECX_FMA	(1u << 12)
#define L1_ECX_F16C	(1u << 29)
#define L1_ECX_HV	(1u << 31)
#define L1_EDX_APIC	(1u << 9)
#define L1_EDX_MTRR	(1u << 12)
#define L7_EBX_FSGSBASE (1u << 0)
#define L7_EBX_SMEP	(1u << 7)
#define L7_EBX_INVPCID	(1u << 10)
#define L7_EBX_SMAP	(1u << 20)
#define L7_EBX_AVX2	(1u << 5)
#define L7_EBX_AVX512	0xdc230000u /* F, DQ, IFMA, PF, ER, CD, BW, VL */
#define L7_ECX_AVX512	0x00005842u /* VBMI, VBMI2, VNNI, BITALG, VPOPCNTDQ */
#define L7_EDX_AVX512	0x0080010cu /* 4VNNIW, 4FMAPS, VP2INTERSECT, FP16 */
#define L7_EDX_AMX	0x03400000u /* AMX-BF16, AMX-TILE, AMX-INT8 */
#define L7_ECX_UMIP	(1u << 2)
#define L7_ECX_PKU	(1u << 3)
#define L7_ECX_OSPKE	(1u << 4)
#define E1_ECX_SVM	(1u << 2)
#define E1_ECX_XOP	(1u << 11)
#define E1_ECX_FMA4	(1u << 16)
#define CPUID_XSAVE	0xd
#define XSAVE1_EAX_OK	0x5u /* XSAVEOPT, XGETBV with ECX = 1 */

static bool cpuid_has(uint64_t xfeatures)
{
	return (xstate_guest_mask() & xfeatures) == xfeatures;
}

static void cpuid_leaf1(struct vcpu *v, struct cpuid_regs *r)
{
	r->ecx &= ~(L1_ECX_MONITOR | L1_ECX_VMX | L1_ECX_OSXSAVE | L1_ECX_TM2 |
		    L1_ECX_PDCM);
	r->ecx |= L1_ECX_X2APIC | L1_ECX_DEADLINE;
	if (!cpuid_has(XFEATURE_X87))
		r->ecx &= ~L1_ECX_XSAVE;
	else if (virt_reg_read(v, VREG_CR4) & CR4_OSXSAVE)
		r->ecx |= L1_ECX_OSXSAVE;
	if (!cpuid_has(XFEATURE_AVX))
		r->ecx &= ~(L1_ECX_AVX | L1_ECX_FMA | L1_ECX_F16C);
	r->ecx |= L1_ECX_HV;
	/* Shadow roots are not tagged by PCID: CR4.PCIDE is refused. */
	if (v->domain->shadow.on)
		r->ecx &= ~L1_ECX_PCID;
	r->edx &= ~(L1_EDX_MTRR | L1_EDX_ACPI | L1_EDX_TM);
	r->edx |= L1_EDX_APIC;
	r->ebx = (r->ebx & 0x00ffffff) | ((uint32_t)v->id << 24);
}

/*
 * Leaf 0xb, x2APIC topology (SDM 2A "CPUID", 9.9.1): subleaf 0 the SMT
 * level (one thread), 1 the core level (the domain's vcpus), then none;
 * EDX the x2APIC ID.
 */
static void cpuid_topology(struct vcpu *v, uint32_t subleaf,
			   struct cpuid_regs *r)
{
	unsigned bits = 0;

	while ((1 << bits) < v->domain->nvcpus)
		bits++;
	*r = (struct cpuid_regs){ 0, 0, subleaf & 0xff, (uint32_t)v->id };
	if (subleaf == 0) {
		r->ebx = 1;
		r->ecx |= 1 << 8;
	} else if (subleaf == 1) {
		r->eax = bits;
		r->ebx = (uint32_t)v->domain->nvcpus;
		r->ecx |= 2 << 8;
	}
}

static void cpuid_hv(uint32_t leaf, struct cpuid_regs *r)
{
	static const char sig[12] = CPUID_HV_SIGNATURE;

	*r = (struct cpuid_regs){ 0, 0, 0, 0 };
	if (leaf != CPUID_HV_BASE)
		return;
	r->eax = CPUID_HV_MAX;
	memcpy(&r->ebx, sig, 4);
	memcpy(&r->ecx, sig + 4, 4);
	memcpy(&r->edx, sig + 8, 4);
}

static void cpuid_leaf7(struct vcpu *v, struct cpuid_regs *r)
{
	/* INVPCID is not intercepted: the shadow could not see it. */
	if (v->domain->shadow.on)
		r->ebx &= ~L7_EBX_INVPCID;
	r->ebx &= ~L7_EBX_TSC_ADJ;
	r->ecx &= ~(L7_ECX_LA57 | L7_ECX_RDPID);
	if (!cpuid_has(XFEATURE_AVX))
		r->ebx &= ~L7_EBX_AVX2;
	if (!cpuid_has(XFEATURE_AVX512)) {
		r->ebx &= ~L7_EBX_AVX512;
		r->ecx &= ~L7_ECX_AVX512;
		r->edx &= ~L7_EDX_AVX512;
	}
	r->ecx &= ~(L7_ECX_PKU | L7_ECX_OSPKE);
	r->edx &= ~L7_EDX_AMX;
}

/*
 * Leaf 0xd for the components a guest may enable.  The sizes for the
 * current XCR0 (subleaf 0 EBX; subleaf 1 EBX, compacted, for XCR0 |
 * IA32_XSS) are the CPU's: it runs with the guest's XCR0 during the exit
 * (kernel/xstate.c), and IA32_XSS is 0.
 */
static void cpuid_xsave(uint32_t subleaf, struct cpuid_regs *r)
{
	uint64_t mask = xstate_guest_mask();

	if (subleaf == 0) {
		r->eax = (uint32_t)mask;
		r->edx = (uint32_t)(mask >> 32);
		r->ecx = xstate_size(mask);
	} else if (subleaf == 1) {
		r->eax &= XSAVE1_EAX_OK;
		r->ecx = r->edx = 0;
	}
	if (!mask ||
	    (subleaf >= 2 && (subleaf >= 64 || !(mask & (1ULL << subleaf)))))
		*r = (struct cpuid_regs){ 0, 0, 0, 0 };
}

/*
 * Leaves 0x15 and 0x16, where the CPU has them, state the TSC frequency
 * hvlab measured (kernel/clock.c), not the CPU's claim, which an emulator
 * need not keep (Bochs claims 3.5 GHz and counts 32 MHz).  Leaf 0x15's
 * core crystal is the local APIC timer's 100 MHz, as on the CPUs whose
 * crystal drives that timer: Linux then takes both rates from here
 * instead of timing them against the PIT, whose checks an emulated exit
 * is too slow to pass.
 */
static void cpuid_tsc(uint32_t leaf, struct cpuid_regs *r)
{
	uint32_t mhz = (uint32_t)(clock_tsc_hz() / 1000000);

	if (cpuid(0, 0).eax < leaf)
		return;
	if (leaf == 0x15)
		*r = (struct cpuid_regs){ 10000,
					  (uint32_t)(clock_tsc_hz() / 10000),
					  (uint32_t)VLAPIC_HZ, 0 };
	else
		*r = (struct cpuid_regs){ mhz, mhz,
					  (uint32_t)(VLAPIC_HZ / 1000000), 0 };
}

struct cpuid_regs cpuid_policy(struct vcpu *v, uint32_t leaf, uint32_t subleaf)
{
	struct cpuid_regs r;
	uint32_t xen[4];

	if (pv_cpuid(v, leaf, subleaf, xen))
		return (struct cpuid_regs){ xen[0], xen[1], xen[2], xen[3] };
	if (leaf >= CPUID_HV_BASE && leaf < CPUID_HV_BASE + 0x100) {
		cpuid_hv(leaf, &r);
		return r;
	}
	r = cpuid(leaf, subleaf);
	switch (leaf) {
	case 1: cpuid_leaf1(v, &r); break;
	case 7:
		if (subleaf == 0)
			cpuid_leaf7(v, &r);
		break;
	case 6: r = (struct cpuid_regs){ L6_EAX_ARAT, 0, 0, 0 }; break;
	case 0x80000001:
		r.ecx &= ~E1_ECX_SVM;
		r.edx &= ~E1_EDX_RDTSCP;
		if (!cpuid_has(XFEATURE_AVX))
			r.ecx &= ~(E1_ECX_XOP | E1_ECX_FMA4);
		break;
	case CPUID_XSAVE: cpuid_xsave(subleaf, &r); break;
	case 0xb: cpuid_topology(v, subleaf, &r); break;
	case 0x15:
	case 0x16: cpuid_tsc(leaf, &r); break;
	case 0x8000000a: r = (struct cpuid_regs){ 0, 0, 0, 0 }; break;
	default: break;
	}
	return r;
}

void cpuid_exec(struct vcpu *v)
{
	struct cpuid_regs r = cpuid_policy(v, (uint32_t)v->gprs[GPR_RAX],
					   (uint32_t)v->gprs[GPR_RCX]);

	v->gprs[GPR_RAX] = r.eax;
	v->gprs[GPR_RBX] = r.ebx;
	v->gprs[GPR_RCX] = r.ecx;
	v->gprs[GPR_RDX] = r.edx;
}

uint64_t cpuid_cr4_allowed(void)
{
	struct cpuid_regs l1 = cpuid(1, 0), l7 = cpuid(7, 0);
	uint64_t ok = 0x7ff; /* VME ... OSXMMEXCPT */

	if (cpuid(0, 0).eax < 7)
		l7 = (struct cpuid_regs){ 0, 0, 0, 0 };
	if (l7.ecx & L7_ECX_UMIP)
		ok |= CR4_UMIP;
	if (l7.ebx & L7_EBX_FSGSBASE)
		ok |= CR4_FSGSBASE;
	if (l1.ecx & L1_ECX_PCID)
		ok |= CR4_PCIDE;
	if (l7.ebx & L7_EBX_SMEP)
		ok |= CR4_SMEP;
	if (l7.ebx & L7_EBX_SMAP)
		ok |= CR4_SMAP;
	return ok;
}
