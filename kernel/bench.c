/*
 * bench.c - the hypervisor's half of `make bench-exits` (labs 3 and 8).
 *
 * With "bench" on the boot command line the hypervisor notes the TSC of
 * the first and last exit of each kind per domain and, once every domain
 * has ended, prints exits per second by kind, the guests/bench loop's
 * time against the same loop run natively (bench_ratio), and make lab8's
 * counters (enum bench_event).  "bench=exit-path" (`make bench-exit-path`)
 * adds bench_exit_path, "exit_state=alternate" (lab 8) bench_exit_state.
 */
#include <inc/x86.h>
#include <kernel/kernel.h>
#include <kernel/clock.h>
#include <kernel/domain.h>
#include <kernel/bench.h>
#include <kernel/exit.h>
#include <kernel/mm/gmem.h>

#define BENCH_LOOP_PREFIX  "bench: loop iterations: "
#define BENCH_CPUID_PREFIX "bench: cpuid exits: "
#define BENCH_CHUNK	   100

static int bench_on = -1, bench_bare_on, bench_state_on;

static void bench_read_cmdline(void)
{
	const char *arg = cmdline_get("bench");

	bench_on = arg != NULL;
	bench_bare_on = arg && strcmp(arg, "exit-path") == 0;
	arg = cmdline_get("exit_state");
	bench_state_on = arg && strcmp(arg, "alternate") == 0;
}

/* Small enough to inline: bench_exit runs at every exit. */
static inline bool bench_enabled(void)
{
	if (bench_on < 0)
		bench_read_cmdline();
	return bench_on;
}

/*
 * v stands at a CPUID of len bytes whose exit is not handled yet: the two
 * bytes after it become a jump back to it, and the backend alone runs it
 * n times.  Code, registers and RIP are then put back for the full path.
 * Returns the loop's TSC cycles, 0 if it could not run.
 */
static uint64_t bench_bare_loop(struct vcpu *v, uint8_t len, uint64_t n)
{
	uint8_t jmp[2] = { 0xeb, (uint8_t)(-2 - len) }, code[2]; /* JMP rel8 */
	uint64_t rip = virt_reg_read(v, VREG_RIP), gprs[GPR_COUNT], t, i;
	struct vseg_desc cs;
	uint32_t pfec;
	gva_t la, fault;
	int r = 0;

	virt_seg_read(v, VSEG_CS, &cs);
	la = vcpu_long_mode(v) ? rip + len : (uint32_t)(cs.base + rip + len);
	if (gmem_read(v, la, code, 2, &fault, &pfec) < 0 ||
	    gmem_write(v, la, jmp, 2, &fault, &pfec) < 0)
		return 0;
	memcpy(gprs, v->gprs, sizeof(gprs));
	t = rdtsc();
	for (i = 0; i < n && r >= 0; i += (uint64_t)r)
		r = virt_bench_cpuid(v, len);
	t = rdtsc() - t;
	gmem_write(v, la, code, 2, &fault, &pfec);
	memcpy(v->gprs, gprs, sizeof(gprs));
	virt_reg_write(v, VREG_RIP, rip);
	return r < 0 ? 0 : t;
}

/* m, or x when smaller or m is unset (0). */
static uint64_t bench_min(uint64_t m, uint64_t x)
{
	return m && m < x ? m : x;
}

/*
 * "bench=exit-path": the time from one CPUID exit to the next, with no
 * other exit between, is a CPUID exit through hvlab.  After every
 * BENCH_CHUNK of them the bare loop runs as many, so that both see the
 * same load on the machine, and the rest once the guest has reported the
 * end of its CPUID loop.  The fastest chunk of each is kept too: time the
 * machine gave to other processes is in the others.  Returns the bare
 * loop's time.
 */
static uint64_t bench_exit_path(struct vcpu *v)
{
	struct bench_stats *b = &v->domain->bench;
	uint64_t n, t = 0;

	if (v->nexits == b->path_nexit + 1) {
		b->path_cycles += rdtsc() - b->path_tsc;
		b->path_n++;
	}
	n = b->path_n - b->bare_n;
	if (n >= BENCH_CHUNK || (n && b->cpuid_n))
		t = bench_bare_loop(v, v->exit.insn_len, n);
	if (t && n >= BENCH_CHUNK) {
		b->bare_min = bench_min(b->bare_min, t / n);
		b->path_min = bench_min(b->path_min,
					(b->path_cycles - b->path_mark) / n);
	}
	if (t) {
		b->path_mark = b->path_cycles;
		b->bare_cycles += t;
		b->bare_n += n;
	}
	b->path_nexit = v->nexits;
	b->path_tsc = rdtsc();
	return t;
}

/*
 * "exit_state=alternate": slices alternate between the two ways of
 * switching the guest's state (kernel/virt.c's virt_slice).  The time
 * from one CPUID exit to the next in the same slice (v->run_tsc moves at
 * each slice's end) counts for the slice's way, and so does the fastest
 * chunk of BENCH_CHUNK such exits in a row: the machine's other work
 * falls in the slower ones.
 */
static void bench_exit_state(struct vcpu *v)
{
	struct bench_stats *b = &v->domain->bench;
	unsigned m = v->lazy_state;
	uint64_t dt = rdtsc() - b->state_tsc;

	if (v->nexits != b->state_nexit + 1 || v->run_tsc != b->state_run) {
		b->state_chunk_n = b->state_chunk_cycles = 0;
	} else {
		b->state_n[m]++;
		b->state_cycles[m] += dt;
		b->state_chunk_cycles += dt;
		if (++b->state_chunk_n == BENCH_CHUNK) {
			b->state_min[m] = bench_min(b->state_min[m],
						    b->state_chunk_cycles /
							    BENCH_CHUNK);
			b->state_chunk_n = b->state_chunk_cycles = 0;
		}
	}
	b->state_nexit = v->nexits;
	b->state_run = v->run_tsc;
	b->state_tsc = rdtsc();
}

void bench_exit(struct vcpu *v, enum exit_kind k)
{
	struct bench_stats *b = &v->domain->bench;
	uint64_t now;

	if (!bench_enabled())
		return;
	/* hvlab's own CPUID exits span no bare loop */
	if (bench_bare_on && k == EXIT_CPUID && b->first[k])
		b->first[k] += bench_exit_path(v);
	if (bench_state_on && k == EXIT_CPUID)
		bench_exit_state(v);
	now = rdtsc();
	if (!b->first[k])
		b->first[k] = now;
	b->last[k] = now;
}

/* A guest's "PREFIX N in C cycles" line into *n and *cycles. */
static void bench_parse(const char *line, const char *prefix, uint64_t *n,
			uint64_t *cycles)
{
	size_t plen = strlen(prefix);

	if (strncmp(line, prefix, plen))
		return;
	line += plen;
	strtou64(&line, n);
	if (strncmp(line, " in ", 4) == 0) {
		line += 4;
		strtou64(&line, cycles);
	}
}

void bench_console_line(struct domain *d, const char *line)
{
	uint64_t cycles;

	if (!bench_enabled())
		return;
	bench_parse(line, BENCH_LOOP_PREFIX, &d->bench.loop_n,
		    &d->bench.loop_cycles);
	bench_parse(line, BENCH_CPUID_PREFIX, &d->bench.cpuid_n, &cycles);
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

static void bench_print_path(const char *what, const struct domain *d,
			     uint64_t bare, uint64_t hv)
{
	cprintf("bench-exit-path: %s: %s: bare %llu cycles each, hvlab %llu "
		"cycles each, hvlab/bare %llu.%02llu\n",
		d->name, what, (unsigned long long)bare, (unsigned long long)hv,
		(unsigned long long)(hv / bare),
		(unsigned long long)(hv * 100 / bare % 100));
}

/* CPUID exits through hvlab and through the bare loop, in turns. */
static void bench_exit_path_report(const struct domain *d)
{
	const struct bench_stats *b = &d->bench;

	if (!b->path_n || !b->bare_n || !b->path_cycles || !b->bare_cycles)
		return;
	cprintf("bench-exit-path: %s: %llu and %llu cpuid exits\n", d->name,
		(unsigned long long)b->bare_n, (unsigned long long)b->path_n);
	bench_print_path("all", d, b->bare_cycles / b->bare_n,
			 b->path_cycles / b->path_n);
	if (b->bare_min && b->path_min)
		bench_print_path("fastest chunk", d, b->bare_min, b->path_min);
}

void bench_slice(struct vcpu *v, bool in)
{
	struct bench_stats *b = &v->domain->bench;

	if (!bench_enabled() || !bench_state_on)
		return;
	if (in) {
		b->slice_ops = virt_world_ops;
		b->slice_exits = v->nexits;
		return;
	}
	b->state_ops[v->lazy_state] += virt_world_ops - b->slice_ops;
	b->state_exits[v->lazy_state] += v->nexits - b->slice_exits;
}

/* Hundredths of a / b. */
static unsigned long long bench_centi(uint64_t a, uint64_t b)
{
	return b ? (unsigned long long)(a * 100 / b) : 0;
}

/* CPUID exits in eager and in lazy slices (exit_state=alternate). */
static void bench_exit_state_report(const struct domain *d)
{
	const struct bench_stats *b = &d->bench;
	const uint64_t *n = b->state_n, *c = b->state_cycles, *m = b->state_min;
	const uint64_t *o = b->state_ops, *e = b->state_exits;
	unsigned long long eo = bench_centi(o[0], e[0]),
			   lo = bench_centi(o[1], e[1]);

	if (e[0] && e[1])
		cprintf("bench-exit-state: %s: state switches per exit: "
			"eager %llu.%02llu (%llu exits), lazy %llu.%02llu "
			"(%llu exits)\n",
			d->name, eo / 100, eo % 100, (unsigned long long)e[0],
			lo / 100, lo % 100, (unsigned long long)e[1]);
	if (!n[0] || !n[1] || !m[0] || !m[1])
		return;
	cprintf("bench-exit-state: %s: eager %llu cycles each (%llu exits), "
		"lazy %llu cycles each (%llu exits); fastest chunk eager %llu, "
		"lazy %llu, lazy/eager %llu.%02llu\n",
		d->name, (unsigned long long)(c[0] / n[0]),
		(unsigned long long)n[0], (unsigned long long)(c[1] / n[1]),
		(unsigned long long)n[1], (unsigned long long)m[0],
		(unsigned long long)m[1], (unsigned long long)(m[1] / m[0]),
		(unsigned long long)(m[1] * 100 / m[0] % 100));
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

/* make lab8's counters: d's events (enum bench_event) and hypercalls by
 * number, on two lines. */
static void bench_counts(const struct domain *d)
{
	static const char *const names[BENCH_NEVENTS] = { "evtchn-send",
							  "ioreq", "grant-map",
							  "grant-copy",
							  "shadow-fault" };
	int i;

	cprintf("bench-counts: %s:", d->name);
	for (i = 0; i < BENCH_NEVENTS; i++)
		cprintf(" %s %llu", names[i], (unsigned long long)d->counts[i]);
	cprintf("\nbench-hypercalls: %s:", d->name);
	for (i = 0; i < XEN_HYPERCALL_MAX; i++)
		if (d->pv.nhypercalls[i])
			cprintf(" %d=%llu", i,
				(unsigned long long)d->pv.nhypercalls[i]);
	cprintf("\n");
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
		bench_exit_path_report(&domains[i]);
		bench_exit_state_report(&domains[i]);
		bench_kinds(&domains[i]);
		bench_counts(&domains[i]);
	}
}
