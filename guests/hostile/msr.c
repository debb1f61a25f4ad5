/*
 * msr.c - MSR attacks (lab 3; SDM 4 and APM 2 appendix A): RDMSR and
 * WRMSR over three index ranges, where every MSR outside hvlab's policy
 * must #GP, and writes to MSRs that would reach the host (EFER.SVME,
 * VM_HSAVE_PA, FEATURE_CONTROL, a moved APIC base, invalid PAT types).
 */
#include <guests/hostile/hostile.h>

static const struct {
	uint32_t first, n;
} msr_ranges[] = {
	{ 0x00000000, 0x2000 },
	{ 0xc0000000, 0x2000 },
	{ 0xc0010000, 0x2000 },
};

/* The MSRs kernel/msr.c emulates; TSC only for reads (the x2APIC's
 * fault while the APIC is in xAPIC mode). */
static bool msr_known(uint32_t msr, bool write)
{
	return (msr == MSR_IA32_TSC && !write) || msr == MSR_IA32_APIC_BASE ||
	       msr == MSR_IA32_TSC_DEADLINE || msr == MSR_IA32_BIOS_SIGN_ID ||
	       msr == MSR_IA32_MISC_ENABLE || msr == MSR_AMD_INT_PENDING ||
	       (msr >= MSR_IA32_SYSENTER_CS && msr <= MSR_IA32_SYSENTER_EIP) ||
	       msr == MSR_IA32_PAT || (msr >= MSR_EFER && msr <= MSR_SFMASK) ||
	       (msr >= MSR_FS_BASE && msr <= MSR_KERNEL_GS_BASE);
}

static int msr_try_read(uint32_t msr, uint64_t *val)
{
	uint32_t a = 0, c = msr, d = 0;
	int vec = PROBE("rdmsr", a, c, d);

	*val = ((uint64_t)d << 32) | a;
	return vec;
}

static int msr_try_write(uint32_t msr, uint64_t val)
{
	uint32_t a = (uint32_t)val, c = msr, d = val >> 32;

	return PROBE("wrmsr", a, c, d);
}

/* Every index: RDMSR faults exactly when the MSR is unknown. */
static void msr_read_sweep(void)
{
	unsigned i, bad = 0, gp = 0;
	uint64_t val;
	uint32_t msr;

	for (i = 0; i < ARRAY_SIZE(msr_ranges); i++)
		for (msr = msr_ranges[i].first;
		     msr - msr_ranges[i].first < msr_ranges[i].n; msr++) {
			int vec = msr_try_read(msr, &val);

			gp += vec == T_GP;
			if ((vec == T_GP) == msr_known(msr, false) ||
			    (vec != T_GP && vec != NO_TRAP)) {
				if (bad++ < 4)
					printf("rdmsr 0x%x: vector %d\n", msr,
					       vec);
			}
		}
	report(bad == 0,
	       "rdmsr sweep: %u #GP, only unknown MSRs fault (%u "
	       "wrong)",
	       gp, bad);
}

/* WRMSR 0 to every unknown index: each must #GP, none may reach the CPU. */
static void msr_write_sweep(void)
{
	unsigned i, bad = 0;
	uint32_t msr;

	for (i = 0; i < ARRAY_SIZE(msr_ranges); i++)
		for (msr = msr_ranges[i].first;
		     msr - msr_ranges[i].first < msr_ranges[i].n; msr++) {
			if (msr_known(msr, false))
				continue;
			if (msr_try_write(msr, 0) != T_GP && bad++ < 4)
				printf("wrmsr 0x%x: no #GP\n", msr);
		}
	report(bad == 0, "wrmsr sweep: every unknown MSR faults (%u did not)",
	       bad);
}

static void msr_host_writes(void)
{
	uint64_t efer, apic, pat;

	msr_try_read(MSR_EFER, &efer);
	report(!(efer & EFER_SVME), "rdmsr EFER hides SVME");
	report(msr_try_write(MSR_EFER, efer | EFER_SVME) == T_GP,
	       "wrmsr EFER.SVME: #GP");
	report(msr_try_write(MSR_EFER, efer | (1ULL << 63)) == T_GP,
	       "wrmsr EFER bit 63: #GP");
	report(msr_try_write(MSR_VM_HSAVE_PA, 0x1000) == T_GP,
	       "wrmsr VM_HSAVE_PA: #GP");
	report(msr_try_write(MSR_VM_CR, 0) == T_GP, "wrmsr VM_CR: #GP");
	report(msr_try_write(MSR_IA32_FEATURE_CONTROL, 5) == T_GP,
	       "wrmsr FEATURE_CONTROL: #GP");
	msr_try_read(MSR_IA32_APIC_BASE, &apic);
	report(msr_try_write(MSR_IA32_APIC_BASE, (apic & 0xfff) | 0xfed00000) ==
		       T_GP,
	       "wrmsr APIC_BASE moved to 0xfed00000: #GP");
	report(msr_try_write(MSR_IA32_APIC_BASE, apic | (1ULL << 40)) == T_GP,
	       "wrmsr APIC_BASE reserved bit 40: #GP");
	msr_try_read(MSR_IA32_PAT, &pat);
	report(msr_try_write(MSR_IA32_PAT, 0x0007040600070402ULL) == T_GP &&
		       msr_try_write(MSR_IA32_PAT, 0x0807040600070406ULL) ==
			       T_GP,
	       "wrmsr PAT with types 2 and 8: #GP");
	report(msr_try_write(MSR_IA32_PAT, PAT_RESET) == NO_TRAP &&
		       msr_try_write(MSR_IA32_PAT, pat) == NO_TRAP,
	       "wrmsr PAT valid: ok");
	report(msr_try_write(MSR_IA32_SYSENTER_EIP, 0x0000800000000000ULL) ==
		       T_GP,
	       "wrmsr SYSENTER_EIP non-canonical: #GP");
}

void attack_msr(void)
{
	msr_read_sweep();
	msr_write_sweep();
	msr_host_writes();
}
