/*
 * xsave.c - per-vcpu XSAVE state and debug registers (lab 3; SDM 1 ch. 13,
 * SDM 2B "XSETBV", SDM 3A 17.2).  Two domains run attack=xsave with
 * different seed= values in the same boot: each checks that XSETBV
 * faults as the SDM says, that registers it enables come up in their init
 * state rather than the other domain's, and that its YMM registers and
 * DR0-DR3 survive slices in which the other domain loads its own pattern.
 * late=1 waits some slices before it starts, so the first domain's
 * pattern is in the CPU by then.
 */
#include <guests/hostile/hostile.h>

#define L1_ECX_XSAVE   (1u << 26)
#define L1_ECX_OSXSAVE (1u << 27)
#define L1_ECX_AVX     (1u << 28)
#define XCR0_X87       1u
#define XCR0_SSE       2u
#define XCR0_AVX       4u
#define XCR0_BIT10     (1u << 10) /* no XCR0 component (PASID is XSS) */
#define XSAVE_LEGACY   576
#define ROUNDS	       6
#define ROUND_EXITS    5000 /* more than a slice's exits (kernel/sched.c) */
#define NYMM	       8

static uint8_t xs_pattern[NYMM * 32] __attribute__((aligned(32)));
static uint8_t xs_ymm[NYMM * 32] __attribute__((aligned(32)));

static uint32_t xs_arg(const char *key)
{
	char buf[16];
	uint32_t n = 0;
	const char *p;

	if (cmdline_get(key, buf, sizeof(buf)))
		for (p = buf; *p >= '0' && *p <= '9'; p++)
			n = 10 * n + (uint32_t)(*p - '0');
	return n;
}

/* Exits enough to end the slice several times over. */
static void xs_spin(uint32_t rounds)
{
	uint32_t i, n;

	for (n = 0; n < rounds; n++)
		for (i = 0; i < ROUND_EXITS; i++)
			cpuid(0, 0);
}

static int xs_xsetbv(uint32_t ecx, uint32_t lo, uint32_t hi)
{
	return PROBE(".byte 0x0f, 0x01, 0xd1", lo, ecx, hi);
}

/* XGETBV(0), or ~0 if it faulted. */
static uint32_t xs_xgetbv(void)
{
	uint32_t a = 0, c = 0, d = 0;

	if (PROBE(".byte 0x0f, 0x01, 0xd0", a, c, d) != NO_TRAP)
		return ~0u;
	return a;
}

static void xs_store_ymm(uint8_t *buf)
{
	__asm__ volatile(
		"vmovdqu %%ymm0, 0(%0)\n\tvmovdqu %%ymm1, 32(%0)\n\t"
		"vmovdqu %%ymm2, 64(%0)\n\tvmovdqu %%ymm3, 96(%0)\n\t"
		"vmovdqu %%ymm4, 128(%0)\n\tvmovdqu %%ymm5, 160(%0)\n\t"
		"vmovdqu %%ymm6, 192(%0)\n\tvmovdqu %%ymm7, 224(%0)"
		:
		: "r"(buf)
		: "memory");
}

static void xs_load_ymm(const uint8_t *buf)
{
	__asm__ volatile(
		"vmovdqu 0(%0), %%ymm0\n\tvmovdqu 32(%0), %%ymm1\n\t"
		"vmovdqu 64(%0), %%ymm2\n\tvmovdqu 96(%0), %%ymm3\n\t"
		"vmovdqu 128(%0), %%ymm4\n\tvmovdqu 160(%0), %%ymm5\n\t"
		"vmovdqu 192(%0), %%ymm6\n\tvmovdqu 224(%0), %%ymm7"
		:
		: "r"(buf)
		: "memory");
}

static void xs_load_dr(uint32_t seed)
{
	uint32_t a = 0x1000 * seed;

	__asm__ volatile("mov %0, %%db0" : : "r"(a + 0x10));
	__asm__ volatile("mov %0, %%db1" : : "r"(a + 0x20));
	__asm__ volatile("mov %0, %%db2" : : "r"(a + 0x30));
	__asm__ volatile("mov %0, %%db3" : : "r"(a + 0x40));
}

/* How many of DR0-DR3 differ from what xs_load_dr(seed) wrote. */
static int xs_check_dr(uint32_t seed)
{
	uint32_t d[4], a = 0x1000 * seed;
	int bad = 0, i;

	__asm__ volatile("mov %%db0, %0" : "=r"(d[0]));
	__asm__ volatile("mov %%db1, %0" : "=r"(d[1]));
	__asm__ volatile("mov %%db2, %0" : "=r"(d[2]));
	__asm__ volatile("mov %%db3, %0" : "=r"(d[3]));
	for (i = 0; i < 4; i++)
		bad += d[i] != (seed ? a + 0x10 * (uint32_t)(i + 1) : 0);
	return bad;
}

/* XSETBV before CR4.OSXSAVE, then CR4.OSXSAVE and what CPUID shows. */
static void xs_enable(void)
{
	uint32_t cr0, cr4;

	report(xs_xsetbv(0, XCR0_X87 | XCR0_SSE, 0) == T_UD &&
		       xs_xgetbv() == ~0u,
	       "XSETBV and XGETBV without CR4.OSXSAVE: #UD");
	__asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
	__asm__ volatile(
		"mov %0, %%cr0"
		:
		: "r"((cr0 | (uint32_t)CR0_MP) & ~(uint32_t)(CR0_EM | CR0_TS)));
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	cr4 |= (uint32_t)(CR4_OSFXSR | CR4_OSXSAVE);
	__asm__ volatile("mov %0, %%cr4" : : "r"(cr4));
	report((cpuid(1, 0).ecx & L1_ECX_OSXSAVE) && xs_xgetbv() == XCR0_X87 &&
		       cpuid(0xd, 0).ebx == XSAVE_LEGACY,
	       "CR4.OSXSAVE: CPUID.1 OSXSAVE, XCR0 1, XSAVE area 576 bytes");
}

static void xs_bad_xcr0(uint32_t allowed)
{
	report(xs_xsetbv(1, XCR0_X87, 0) == T_GP, "XSETBV XCR1: #GP");
	report(xs_xsetbv(0, XCR0_SSE, 0) == T_GP, "XSETBV without x87: #GP");
	report(xs_xsetbv(0, XCR0_X87 | XCR0_AVX, 0) == T_GP,
	       "XSETBV AVX without SSE: #GP");
	report(xs_xsetbv(0, XCR0_X87 | XCR0_BIT10, 0) == T_GP &&
		       !(allowed & XCR0_BIT10),
	       "XSETBV XCR0 bit 10: #GP");
	report(xs_xsetbv(0, XCR0_X87, 1u << 31) == T_GP,
	       "XSETBV reserved bit 63: #GP");
	report(xs_xgetbv() == XCR0_X87, "XCR0 still 1 after the faults");
}

/* YMM: init state when enabled, then its pattern across slices. */
static void xs_ymm_test(uint32_t seed, uint32_t size7)
{
	uint32_t i, n, bad = 0;

	for (i = 0; i < sizeof(xs_pattern); i++)
		xs_pattern[i] = (uint8_t)(seed * 37 + i);
	report(xs_xsetbv(0, XCR0_X87 | XCR0_SSE | XCR0_AVX, 0) == NO_TRAP &&
		       xs_xgetbv() == (XCR0_X87 | XCR0_SSE | XCR0_AVX) &&
		       cpuid(0xd, 0).ebx == size7,
	       "XSETBV XCR0 7: XGETBV 7, XSAVE area %u bytes", size7);
	xs_store_ymm(xs_ymm);
	for (i = 0; i < NYMM; i++)
		bad += memcmp(&xs_ymm[32 * i + 16],
			      "\0\0\0\0\0\0\0\0"
			      "\0\0\0\0\0\0\0\0",
			      16) != 0;
	report(bad == 0,
	       "YMM0-7 upper halves zero when AVX is enabled "
	       "(%u not)",
	       bad);
	xs_load_ymm(xs_pattern);
	for (n = 0, bad = 0; n < ROUNDS; n++) {
		xs_spin(1);
		xs_store_ymm(xs_ymm);
		bad += memcmp(xs_ymm, xs_pattern, sizeof(xs_ymm)) != 0;
	}
	report(bad == 0,
	       "YMM0-7 kept across %u x %u exits (%u rounds lost "
	       "them)",
	       ROUNDS, ROUND_EXITS, bad);
}

static void xs_dr_test(uint32_t seed)
{
	uint32_t n, bad = 0;

	report(xs_check_dr(0) == 0, "DR0-3 zero at start");
	xs_load_dr(seed);
	for (n = 0; n < ROUNDS; n++) {
		xs_spin(1);
		bad += xs_check_dr(seed) != 0;
	}
	report(bad == 0,
	       "DR0-3 kept across %u x %u exits (%u rounds lost "
	       "them)",
	       ROUNDS, ROUND_EXITS, bad);
}

void attack_xsave(void)
{
	uint32_t seed = xs_arg("seed");
	struct cpuid_regs l1 = cpuid(1, 0), d0;

	if (xs_arg("late"))
		xs_spin(3);
	xs_dr_test(seed);
	if (!(l1.ecx & L1_ECX_XSAVE)) {
		report_skip("XSAVE: CPUID.1 does not offer it");
		return;
	}
	xs_enable();
	d0 = cpuid(0xd, 0);
	xs_bad_xcr0(d0.eax);
	if (!(l1.ecx & L1_ECX_AVX) || !(d0.eax & XCR0_AVX)) {
		report_skip("AVX: CPUID does not offer it");
		return;
	}
	xs_ymm_test(seed, cpuid(0xd, 2).ebx + cpuid(0xd, 2).eax);
}
