/*
 * bench.c - the hypervisor's half of `make bench-exits` (labs 3 and 8).
 *
 * With "bench" on the boot command line the hypervisor notes the TSC of
 * the first and last exit of each kind per domain and, once every domain
 * has ended, prints exits per second for CPUID and hypercall exits.  It
 * also runs the guests/bench CPU-bound loop natively, in the same boot and
 * for as many iterations as the guest reported on its console with
 *   "bench: loop iterations: N in C cycles, ..."
 * and prints the guest/native time ratio.  For `make bench-linux` it also
 * prints, per domain, how many exits of each kind it took and their rate
 * over its run (its first exit to its last), so the costliest device shows.
 */
#include <inc/x86.h>
#include <kernel/kernel.h>
#include <kernel/clock.h>
#include <kernel/domain.h>
#include <kernel/bench.h>

#define BENCH_LOOP_PREFIX "bench: loop iterations: "

static int bench_on = -1;

static bool bench_enabled(void)
{
	if (bench_on < 0)
		bench_on = cmdline_get("bench") != NULL;
	return bench_on;
}

void bench_exit(struct domain *d, enum exit_kind k)
{
	uint64_t now;

	if (!bench_enabled())
		return;
	now = rdtsc();
	if (!d->bench.first[k])
		d->bench.first[k] = now;
	d->bench.last[k] = now;
}

/* Parses a decimal number at *s, advancing it. */
static uint64_t bench_number(const char **s)
{
	uint64_t v = 0;

	for (; **s >= '0' && **s <= '9'; (*s)++)
		v = v * 10 + (uint64_t)(**s - '0');
	return v;
}

void bench_console_line(struct domain *d, const char *line)
{
	size_t plen = strlen(BENCH_LOOP_PREFIX);

	if (!bench_enabled() || strncmp(line, BENCH_LOOP_PREFIX, plen))
		return;
	line += plen;
	d->bench.loop_n = bench_number(&line);
	if (strncmp(line, " in ", 4) == 0) {
		line += 4;
		d->bench.loop_cycles = bench_number(&line);
	}
}

/* The guest's loop, compiled into the hypervisor: same code, same count. */
static uint64_t bench_native_loop(uint64_t n)
{
	uint64_t t0 = rdtsc(), x = 1;

	for (uint64_t i = 0; i < n; i++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		__asm__ volatile("" : "+r"(x));
	}
	return rdtsc() - t0;
}

static void bench_rate(const struct domain *d, enum exit_kind k)
{
	uint64_t n = d->exits_by_kind[k];
	uint64_t span = d->bench.last[k] - d->bench.first[k];
	uint64_t hz = clock_tsc_hz();

	if (n < 2 || !span || !hz)
		return;
	cprintf("bench-exits: %s: %llu %s exits, %llu exits/s, %llu ns each\n",
		d->name, (unsigned long long)n, exit_kind_name(k),
		(unsigned long long)((n - 1) * hz / span),
		(unsigned long long)(span * 1000000000ULL / hz / (n - 1)));
}

static void bench_ratio(const struct domain *d)
{
	uint64_t native;

	if (!d->bench.loop_n || !d->bench.loop_cycles)
		return;
	native = bench_native_loop(d->bench.loop_n);
	cprintf("bench-exits: %s: loop of %llu iterations: guest %llu cycles, "
		"native %llu cycles, guest/native %llu.%02llu\n",
		d->name, (unsigned long long)d->bench.loop_n,
		(unsigned long long)d->bench.loop_cycles,
		(unsigned long long)native,
		(unsigned long long)(d->bench.loop_cycles / native),
		(unsigned long long)(d->bench.loop_cycles * 100 / native %
				     100));
}

/* Every kind's count and rate over d's run, its first exit to its last. */
static void bench_kinds(const struct domain *d)
{
	uint64_t first = ~0ULL, last = 0, hz = clock_tsc_hz();
	int k;

	for (k = 0; k < EXIT_NKINDS; k++) {
		if (!d->exits_by_kind[k])
			continue;
		first = MIN(first, d->bench.first[k]);
		last = MAX(last, d->bench.last[k]);
	}
	if (last <= first || !hz)
		return;
	for (k = 0; k < EXIT_NKINDS; k++)
		if (d->exits_by_kind[k])
			cprintf("bench-kinds: %s: %s %llu exits, %llu/s\n",
				d->name, exit_kind_name(k),
				(unsigned long long)d->exits_by_kind[k],
				(unsigned long long)(d->exits_by_kind[k] * hz /
						     (last - first)));
}

void bench_report(void)
{
	int i;

	if (!bench_enabled())
		return;
	for (i = 0; i < DOMAIN_MAX; i++) {
		if (!domains[i].name[0])
			continue;
		bench_rate(&domains[i], EXIT_CPUID);
		bench_rate(&domains[i], EXIT_HYPERCALL);
		bench_ratio(&domains[i]);
		bench_kinds(&domains[i]);
	}
}
