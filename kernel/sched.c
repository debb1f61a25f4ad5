/*
 * sched.c - running the domains (lab 3): a round-robin scheduler over the
 * runnable vcpus of all domains on the one physical CPU, and the top-level
 * domain_run_all that creates the domains from their configs, runs them
 * and sums up.
 *
 * A vcpu runs for one slice: until it stops, a host interrupt (the
 * preemption timer) makes it exit, or it has used SCHED_SLICE_EXITS exits
 * or SCHED_SLICE_US of time, whichever comes first.  The exit bound keeps
 * an exit storm from starving the others; the timer does the same for a
 * guest that spins without exiting.
 */
#include <inc/boot_info.h>
#include <inc/x86.h>
#include <kernel/kernel.h>
#include <kernel/clock.h>
#include <kernel/load/config.h>
#include <kernel/domain.h>
#include <kernel/mm/page.h>

#define SCHED_SLICE_EXITS	4096
#define SCHED_TIMEOUT_S		60

/* TSC value after which running domains are stopped; 0: never. */
static uint64_t sched_deadline;
static uint64_t sched_timeout_s;

static void sched_slice(struct vcpu *v)
{
	uint64_t start = rdtsc();
	uint64_t budget = clock_tsc_hz() / 1000000 * SCHED_SLICE_US;
	int n;

	xstate_load(v);
	for (n = 0; n < SCHED_SLICE_EXITS; n++) {
		virt_vcpu_run(v);
		exit_dispatch(v);
		if (v->state != VCPU_RUNNABLE || v->exit.kind == EXIT_INTR)
			break;
		if (budget && rdtsc() - start > budget)
			break;
	}
	xstate_save(v);
}

/* Runs one slice of every runnable vcpu of d; false if none could run. */
static bool sched_domain(struct domain *d)
{
	bool ran = false;
	int i;

	for (i = 0; i < d->nvcpus && d->state == DOMAIN_RUNNING; i++) {
		struct vcpu *v = &d->vcpus[i];

		if (v->state == VCPU_HALTED && vlapic_pending(v))
			v->state = VCPU_RUNNABLE;
		if (v->state != VCPU_RUNNABLE)
			continue;
		sched_slice(v);
		ran = true;
	}
	if (d->state == DOMAIN_RUNNING && sched_deadline &&
	    rdtsc() > sched_deadline)
		domain_crash(d, &d->vcpus[0], "timed out after %llu s",
			     (unsigned long long)sched_timeout_s);
	if (d->state != DOMAIN_RUNNING)
		domain_reap(d);
	return ran;
}

/* Until no domain is running; idles while every vcpu waits in HLT. */
void sched_run(void)
{
	bool live, ran;
	int i;

	do {
		live = ran = false;
		for (i = 0; i < DOMAIN_MAX; i++) {
			if (domains[i].state != DOMAIN_RUNNING)
				continue;
			ran |= sched_domain(&domains[i]);
			live |= domains[i].state == DOMAIN_RUNNING;
		}
		if (live && !ran)
			pause();
	} while (live);
}

/*
 * The boot command line's "timeout=SECONDS" (default SCHED_TIMEOUT_S;
 * 0 lets domains run forever) bounds how long domains may run.
 */
static void sched_set_timeout(void)
{
	const char *arg = cmdline_get("timeout");
	uint64_t s = SCHED_TIMEOUT_S;

	if (arg) {
		for (s = 0; *arg >= '0' && *arg <= '9' && s < 1000000; arg++)
			s = s * 10 + (uint64_t)(*arg - '0');
		if (*arg)
			cprintf("hvlab: timeout=%s: not a number of seconds; "
				"using %llu\n", cmdline_get("timeout"),
				(unsigned long long)(s = SCHED_TIMEOUT_S));
	}
	sched_timeout_s = s;
	sched_deadline = s ? rdtsc() + s * clock_tsc_hz() : 0;
}

/* "domains/NAME.cfg" (directly under domains/). */
static bool sched_is_config(const char *name)
{
	size_t len = strnlen(name, BOOT_NAME_MAX);

	return len > 12 && strncmp(name, "domains/", 8) == 0 &&
	       !strchr(name + 8, '/') && strcmp(name + len - 4, ".cfg") == 0;
}

/* Parses and creates the domain of boot file f; false if that failed. */
static bool sched_create(const struct boot_info *bi, const struct boot_file *f,
			 struct domain_config *c)
{
	char err[160];

	if (config_parse(f->name, kva(f->pa), f->size, c, err, sizeof(err))) {
		cprintf("%s\n", err);
		result_printf("config %s: rejected\n", f->name);
		return false;
	}
	return domain_create(c, bi) != NULL;
}

static void sched_summary(const struct domain *d)
{
	if (d->state == DOMAIN_EXITED)
		cprintf("summary: %s exited %d after %llu exits\n", d->name,
			d->exit_status, (unsigned long long)d->vcpus[0].nexits);
	else
		cprintf("summary: %s crashed: %s\n", d->name, d->crash_reason);
}

int domain_run_all(const struct boot_info *bi)
{
	static struct domain_config configs[DOMAIN_MAX];
	int n = 0, failed = 0, i;
	uint32_t f;

	for (f = 0; f < bi->nfiles; f++)
		n += sched_is_config(bi->files[f].name);
	if (n == 0)
		return 0;
	/* Hardware virtualization is enabled by the first hvm domain
	 * (virt_hw): without it, or before lab 3, te domains still run and
	 * hvm ones fail to start. */
	check_p2m();
	xstate_init();
	for (n = 0, f = 0; f < bi->nfiles; f++) {
		if (!sched_is_config(bi->files[f].name))
			continue;
		if (n == DOMAIN_MAX) {
			cprintf("%s: more than %d domains\n", bi->files[f].name,
				DOMAIN_MAX);
			failed++;
			continue;
		}
		if (!sched_create(bi, &bi->files[f], &configs[n++]))
			failed++;
	}
	cprintf("hvlab: running %d domain%s\n", n - failed,
		n - failed == 1 ? "" : "s");
	preempt_init(SCHED_SLICE_US);
	sched_set_timeout();
	sched_run();
	preempt_stop();
	bench_report();
	for (i = 0; i < DOMAIN_MAX; i++) {
		if (!domains[i].name[0])
			continue;
		sched_summary(&domains[i]);
		if (domains[i].state != DOMAIN_EXITED || domains[i].exit_status)
			failed++;
	}
	return failed ? 1 : 0;
}
