/*
 * lazy.c - lab 8's check of lazily switched state (kernel/virt.c's
 * virt_slice): two or more of these run at once, each with its own
 * seed=S, and each fills the state SVM's VMLOAD and VMSAVE switch
 * (KernelGSBase, STAR, LSTAR, CSTAR, SFMASK, SYSENTER_*, FS and GS bases;
 * on VT-x the MSR lists hold the first five) with values of its seed.  Then, for rounds=R rounds of CPUID exits long enough to
 * span several scheduler slices of the others, it swaps GS with SWAPGS
 * (natively: the hypervisor sees no exit) and reads every value back
 * with RDMSR (an exit).  A value of another domain's seed, of the host,
 * or from before a SWAPGS means the state leaked or went stale.
 */
#include <guests/lib/guest.h>

#define EXITS_PER_ROUND 500

static const uint32_t msrs[] = {
	MSR_KERNEL_GS_BASE,
	MSR_STAR,
	MSR_LSTAR,
	MSR_CSTAR,
	MSR_SFMASK,
	MSR_IA32_SYSENTER_CS,
	MSR_IA32_SYSENTER_ESP,
	MSR_IA32_SYSENTER_EIP,
	MSR_FS_BASE,
	MSR_GS_BASE,
};

/* Seed s's value of msrs[i]: canonical, and within each MSR's width. */
static uint64_t value(uint64_t s, unsigned i)
{
	uint64_t v = 0x00007f0000000000ull | s << 24 | (uint64_t)i << 12 | s;

	if (msrs[i] == MSR_IA32_SYSENTER_CS)
		return (s << 8 | i) & 0xffff;
	if (msrs[i] == MSR_SFMASK)
		return (uint32_t)v;
	return v;
}

void main(void)
{
	uint64_t seed = cmdline_u64("seed", 1) & 0xff;
	uint64_t rounds = cmdline_u64("rounds", 16);
	unsigned wrong = 0, swapped = 0;
	char what[160] = "";

	for (unsigned i = 0; i < ARRAY_SIZE(msrs); i++)
		wrmsr(msrs[i], value(seed, i));
	for (uint64_t r = 0; r < rounds; r++) {
		for (unsigned n = 0; n < EXITS_PER_ROUND; n++)
			cpuid(0, 0);
		/* Odd rounds run with GS swapped: KernelGSBase and the GS
		 * base trade places without an exit. */
		__asm__ volatile("swapgs" ::: "memory");
		swapped ^= 1;
		for (unsigned i = 0; i < ARRAY_SIZE(msrs); i++) {
			unsigned j = i;
			uint64_t got;

			if (swapped && msrs[i] == MSR_KERNEL_GS_BASE)
				j = ARRAY_SIZE(msrs) - 1; /* GS base's */
			else if (swapped && msrs[i] == MSR_GS_BASE)
				j = 0;
			got = rdmsr(msrs[i]);
			if (got != value(seed, j) && !wrong++)
				snprintf(what, sizeof(what),
					 "MSR 0x%x round %llu: 0x%llx, want "
					 "0x%llx",
					 msrs[i], (unsigned long long)r,
					 (unsigned long long)got,
					 (unsigned long long)value(seed, j));
		}
	}
	report(wrong == 0,
	       "lazy state: seed %llu's MSRs kept over %llu rounds of %u "
	       "exits beside other domains: %u wrong%s%s",
	       (unsigned long long)seed, (unsigned long long)rounds,
	       EXITS_PER_ROUND, wrong, wrong ? ", first " : "", what);
}
