/*
 * bench.c - what nested faults cost, for make bench-npf (lab 5): in a
 * demand domain, bench=N first touches of N fresh pages (each a nested
 * fault that populates and maps a frame), less the same N touches once
 * mapped; N reads of the test device's register file (each a nested
 * fault decoded and run by the x86 emulator); N CPUIDs for reference.
 * Each is timed by the guest's TSC.
 */
#include <guests/memory/memory.h>

#define BENCH_BASE (TEST_BASE + MIB(64))

/* Cycles to write the first word of n pages from BENCH_BASE. */
static uint64_t bench_touch(uint64_t n)
{
	uint64_t t0 = rdtsc();

	for (uint64_t i = 0; i < n; i++)
		poke64(BENCH_BASE + i * PAGE, i);
	return rdtsc() - t0;
}

static uint64_t bench_mmio(uint64_t n, uint64_t *sum)
{
	uint64_t t0 = rdtsc(), s = 0;

	for (uint64_t i = 0; i < n; i++)
		s += *(volatile uint64_t *)(TESTDEV_BASE + TESTDEV_REGFILE);
	*sum = s;
	return rdtsc() - t0;
}

static uint64_t bench_cpuid(uint64_t n)
{
	uint64_t t0 = rdtsc();

	for (uint64_t i = 0; i < n; i++)
		cpuid(0, 0);
	return rdtsc() - t0;
}

void test_bench(void)
{
	uint64_t n = cmdline_u64("bench", 1000), first, again, mmio, sum;
	uint64_t bad = 0;

	if (!report(n > 0 && BENCH_BASE + n * PAGE <= guest_memory(),
		    "npf-bench: %lu pages fit in the domain", n))
		return;
	first = bench_touch(n);
	again = bench_touch(n);
	*(volatile uint64_t *)(TESTDEV_BASE + TESTDEV_REGFILE) = 3;
	mmio = bench_mmio(n, &sum);
	printf("npf-bench: populate %lu faults %lu cycles\n", n,
	       first > again ? first - again : 0);
	printf("npf-bench: mmio %lu reads %lu cycles\n", n, mmio);
	printf("npf-bench: cpuid %lu exits %lu cycles\n", n, bench_cpuid(n));
	for (uint64_t i = 0; i < n; i++)
		bad += peek64(BENCH_BASE + i * PAGE) != i;
	report(bad == 0 && sum == 3 * n,
	       "npf-bench: populated pages and the device read back (%lu "
	       "wrong)",
	       bad);
}
