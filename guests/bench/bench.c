/*
 * bench.c - the guest of `make bench-exits` (labs 3 and 8): the cost of N
 * CPUID exits, N VMMCALL exits and of a CPU-bound loop, in TSC cycles.
 * n=N on the command line sets N (default 10000), vmmcall=V the VMMCALL
 * exits alone (default N), loop=L the loop's iterations (default 1000 N).
 * VMMCALL only runs under hvlab (signature at CPUID 0x40000000);
 * elsewhere it would raise #UD.
 */
#include <guests/lib/guest.h>

#define DEFAULT_N  10000
#define LOOP_PER_N 1000

static bool under_hvlab(void)
{
	struct cpuid_regs r = cpuid(0x40000000, 0);

	return memcmp(&r.ebx, "hvla", 4) == 0 && (r.ecx & 0xff) == 'b';
}

static void bench_print(const char *what, uint64_t n, uint64_t cycles)
{
	printf("bench: %s: %llu in %llu cycles, %llu cycles each\n", what,
	       (unsigned long long)n, (unsigned long long)cycles,
	       (unsigned long long)(cycles / (n ? n : 1)));
}

static uint64_t bench_cpuid(uint64_t n)
{
	uint64_t t0 = rdtsc();

	for (uint64_t i = 0; i < n; i++)
		cpuid(0, 0);
	return rdtsc() - t0;
}

static uint64_t bench_vmmcall(uint64_t n)
{
	uint64_t t0 = rdtsc();

	for (uint64_t i = 0; i < n; i++) {
		uint64_t rax = ~0ULL;

		__asm__ volatile("vmmcall" : "+a"(rax) : : "memory");
	}
	return rdtsc() - t0;
}

void main(void)
{
	uint64_t n = cmdline_u64("n", DEFAULT_N);
	uint64_t nvmmcall = cmdline_u64("vmmcall", n);
	uint64_t loop = cmdline_u64("loop", n * LOOP_PER_N);
	uint64_t sum;

	bench_print("cpuid exits", n, bench_cpuid(n));
	if (under_hvlab())
		bench_print("vmmcall exits", nvmmcall, bench_vmmcall(nvmmcall));
	else
		report_skip("vmmcall exits: not running under hvlab");
	bench_print("loop iterations", loop, guest_loop(loop, &sum));
	report(sum != 0, "bench finished (n=%llu)", (unsigned long long)n);
}
