/*
 * msr.c - the MSRs a guest may use (lab 3; SDM vol. 4, AMD APM vol. 2
 * appendix A).
 *
 * Every RDMSR/WRMSR exits.  The MSRs the VMCB/VMCS holds are emulated on
 * the saved guest state, TSC reads pass through, the APIC MSRs belong to
 * kernel/dev/vlapic.c.  What Linux reads without a fixup reads as a CPU
 * without those features would answer (SDM 4 table 2-2).  Any other MSR,
 * and any value an MSR refuses, is #GP(0), as on a CPU without that MSR.
 * Lab 6: a domain with Xen's ABI also has the MSR that installs the
 * hypercall page (pv/xen.c).
 */
#include <inc/x86.h>
#include <kernel/kernel.h>
#include <kernel/domain.h>
#include <kernel/msr.h>
#include <inc/mmu.h>
#include <inc/apic.h>

#define CPUID_E1_EDX_NX (1u << 20)
/* IA32_MISC_ENABLE: fast strings (0), BTS (11) and PEBS (12) unavailable. */
#define MISC_ENABLE_VALUE 0x1801

/* The vreg behind msr for MSRs stored verbatim, or VREG_COUNT. */
static enum vreg msr_vreg(uint32_t msr)
{
	switch (msr) {
	case MSR_STAR: return VREG_STAR;
	case MSR_LSTAR: return VREG_LSTAR;
	case MSR_CSTAR: return VREG_CSTAR;
	case MSR_SFMASK: return VREG_SFMASK;
	case MSR_KERNEL_GS_BASE: return VREG_KERNEL_GS_BASE;
	case MSR_IA32_SYSENTER_CS: return VREG_SYSENTER_CS;
	case MSR_IA32_SYSENTER_ESP: return VREG_SYSENTER_ESP;
	case MSR_IA32_SYSENTER_EIP: return VREG_SYSENTER_EIP;
	case MSR_IA32_PAT: return VREG_PAT;
	case MSR_EFER: return VREG_EFER;
	default: return VREG_COUNT;
	}
}

static bool msr_vlapic(uint32_t msr)
{
	return msr == MSR_IA32_TSC_DEADLINE ||
	       (msr >= MSR_X2APIC_FIRST && msr <= MSR_X2APIC_LAST);
}

int msr_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	struct vseg_desc s;
	enum vreg r = msr_vreg(msr);

	if (r != VREG_COUNT) {
		*val = virt_reg_read(v, r);
		return 0;
	}
	if (msr_vlapic(msr))
		return vlapic_msr_read(v, msr, val);
	switch (msr) {
	case MSR_IA32_TSC: *val = rdtsc(); return 0;
	case MSR_IA32_APIC_BASE: *val = vlapic_base_msr(v); return 0;
	case MSR_IA32_MISC_ENABLE: *val = MISC_ENABLE_VALUE; return 0;
	case MSR_IA32_BIOS_SIGN_ID:
	case MSR_AMD_INT_PENDING: *val = 0; return 0;
	case MSR_FS_BASE:
	case MSR_GS_BASE:
		virt_seg_read(v, msr == MSR_FS_BASE ? VSEG_FS : VSEG_GS, &s);
		*val = s.base;
		return 0;
	default: return -E_NOT_FOUND;
	}
}

/* Each PAT entry must be a defined memory type: 0, 1, 4, 5, 6 or 7. */
static bool msr_pat_valid(uint64_t val)
{
	int i;

	for (i = 0; i < 8; i++) {
		unsigned t = (val >> (8 * i)) & 0xff;

		if (t == 2 || t == 3 || t > 7)
			return false;
	}
	return true;
}

/* EFER: only SCE, LME, NXE (if the CPU has NX) and FFXSR; LMA is the
 * CPU's to set, and LME may not change while paging is on. */
static int msr_write_efer(struct vcpu *v, uint64_t val)
{
	uint64_t old = virt_reg_read(v, VREG_EFER);
	uint64_t ok = EFER_SCE | EFER_LME | EFER_LMA | EFER_FFXSR;

	if (cpuid(0x80000001, 0).edx & CPUID_E1_EDX_NX)
		ok |= EFER_NXE;
	if (val & ~ok)
		return -E_INVAL;
	if ((virt_reg_read(v, VREG_CR0) & CR0_PG) && ((val ^ old) & EFER_LME))
		return -E_INVAL;
	val = (val & ~EFER_LMA) | (old & EFER_LMA);
	virt_reg_write(v, VREG_EFER, val);
	return 0;
}

static int msr_write_seg_base(struct vcpu *v, enum vseg seg, uint64_t val)
{
	struct vseg_desc s;

	if (!is_canonical(val))
		return -E_INVAL;
	virt_seg_read(v, seg, &s);
	s.base = val;
	virt_seg_write(v, seg, &s);
	return 0;
}

int msr_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
	int err;

	if (pv_wrmsr(v, msr, val, &err))
		return err;
	if (msr_vlapic(msr))
		return vlapic_msr_write(v, msr, val);
	switch (msr) {
	case MSR_EFER: return msr_write_efer(v, val);
	case MSR_IA32_APIC_BASE: return vlapic_set_base_msr(v, val);
	case MSR_IA32_BIOS_SIGN_ID: return 0;
	case MSR_FS_BASE: return msr_write_seg_base(v, VSEG_FS, val);
	case MSR_GS_BASE: return msr_write_seg_base(v, VSEG_GS, val);
	case MSR_IA32_PAT:
		if (!msr_pat_valid(val))
			return -E_INVAL;
		break;
	case MSR_LSTAR:
	case MSR_CSTAR:
	case MSR_KERNEL_GS_BASE:
	case MSR_IA32_SYSENTER_ESP:
	case MSR_IA32_SYSENTER_EIP:
		if (!is_canonical(val))
			return -E_INVAL;
		break;
	case MSR_IA32_SYSENTER_CS: val &= 0xffff; break;
	case MSR_SFMASK: val &= 0xffffffff; break;
	case MSR_STAR: break;
	default: return -E_NOT_FOUND;
	}
	virt_reg_write(v, msr_vreg(msr), val);
	return 0;
}
