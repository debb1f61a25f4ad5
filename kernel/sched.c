/*
 * sched.c - running the domains (labs 2 and 3): a round-robin scheduler over the
 * runnable vcpus of all domains on the one physical CPU.
 *
 * A vcpu runs for one slice: until it stops, a host interrupt (the
 * preemption timer) makes it exit, or it has used SCHED_SLICE_EXITS exits
 * or SCHED_SLICE_US of time, whichever comes first.  The exit bound keeps
 * an exit storm from starving the others; the timer does the same for a
 * guest that spins without exiting.  When no vcpu can run, the CPU halts
 * until the next host interrupt, with the timer set for the first guest
 * timer due (sched_idle).
 */
#include <inc/x86.h>
#include <kernel/kernel.h>
#include <kernel/clock.h>
#include <kernel/console.h>
#include <kernel/load/config.h>
#include <kernel/domain.h>
#include <kernel/dev/platform.h>
#include <kernel/sched.h>
#include <kernel/exit.h>
#include <kernel/preempt.h>
#include <kernel/migrate.h>
#include <kernel/gdbstub.h>

#define SCHED_SLICE_EXITS 4096
#define SCHED_TIMEOUT_S	  60
#define SCHED_IDLE_US	  1000 /* the longest idle sleep: devices' timers */

struct vcpu *sched_current;

/* TSC value after which running domains are stopped; 0: never. */
static uint64_t sched_deadline;
static uint64_t sched_timeout_s;

static void sched_slice(struct vcpu *v)
{
	uint64_t start = rdtsc();
	uint64_t budget = clock_tsc_hz() / 1000000 * SCHED_SLICE_US;
	int n;

	sched_current = v;
	xstate_load(v);
	virt_slice(v, true);
	pv_vcpu_switch(v, true);
	for (n = 0; n < SCHED_SLICE_EXITS; n++) {
		virt_vcpu_run(v);
		exit_dispatch(v);
		/* Only a debug exit stops a domain for GDB in a slice. */
		if (v->state != VCPU_RUNNABLE || v->exit.kind == EXIT_INTR ||
		    v->exit.kind == EXIT_DEBUG)
			break;
		if (budget && rdtsc() - start > budget)
			break;
	}
	pv_vcpu_switch(v, false);
	virt_slice(v, false);
	xstate_save(v);
	sched_current = NULL;
	v->run_tsc += rdtsc() - start;
}

/*
 * INIT and STARTUP IPIs (kernel/dev/vlapic.c) take effect between slices
 * (SDM 3A 9.4.4 "MP Initialization Example", 11.6.1): INIT puts v in its
 * RESET state, where an AP waits for a STARTUP and the BSP starts again
 * at the reset vector; STARTUP vector VV starts it in real mode at
 * VV00:0000.
 */
static void sched_init_sipi(struct vcpu *v)
{
	struct vlapic *l = &v->lapic;
	struct virt_event ev;
	struct vseg_desc cs = { (uint16_t)(l->sipi << 8), 0x09b, 0xffff,
				(uint64_t)l->sipi << 12 };

	if (l->init) {
		virt_take_event(v, &ev);
		virt_vcpu_reset(v);
		memset(v->gprs, 0, sizeof(v->gprs));
		virt_flush_tlb(v);
		l->init = false;
		if (v->id == 0)
			v->state = VCPU_RUNNABLE;
	}
	if (v->state != VCPU_WAIT_SIPI || l->sipi < 0)
		return;
	virt_seg_write(v, VSEG_CS, &cs);
	virt_reg_write(v, VREG_RIP, 0);
	l->sipi = -1;
	v->state = VCPU_RUNNABLE;
}

/* Whether halted v has something to take: an NMI, an interrupt it
 * accepts (RFLAGS.IF), or a Xen event or timer. */
static bool sched_can_wake(struct vcpu *v)
{
	if (v->pv.down)
		return false;
	return v->lapic.nmi || pv_can_wake(v) ||
	       (vlapic_pending(v) &&
		(virt_reg_read(v, VREG_RFLAGS) & X86_FLAGS_IF));
}

/* Runs one slice of every runnable vcpu of d; false if none could run. */
static bool sched_domain(struct domain *d)
{
	bool ran = false;
	int i;

	if (migrate_incoming(d) || d->pv.paused || gdbstub_holds(d))
		return false;
	for (i = 0; i < d->nvcpus && d->state == DOMAIN_RUNNING; i++) {
		struct vcpu *v = &d->vcpus[i];

		/* Idle rounds come here too: a PV timer that falls due while
		 * every vcpu waits is fired by pv_can_wake. */
		if (v->state == VCPU_HALTED && d->type == DOMAIN_HVM)
			platform_poll(d);
		if (v->state == VCPU_WAIT_SIPI)
			sched_init_sipi(v);
		if (v->state == VCPU_IOREQ)
			ioreq_poll(v);
		if (v->state == VCPU_HALTED && sched_can_wake(v))
			v->state = VCPU_RUNNABLE;
		if (v->state != VCPU_RUNNABLE)
			continue;
		sched_slice(v);
		ran = true;
	}
	/* A domain GDB debugs waits for its debugger, without a timeout. */
	if (d->state == DOMAIN_RUNNING && sched_deadline && !d->config->gdb &&
	    rdtsc() > sched_deadline)
		domain_crash(d, &d->vcpus[0], "timed out after %llu s",
			     (unsigned long long)sched_timeout_s);
	if (d->state != DOMAIN_RUNNING)
		domain_reap(d);
	return ran;
}

/*
 * The boot command line's "timeout=SECONDS" (default SCHED_TIMEOUT_S;
 * 0 lets domains run forever) bounds how long domains may run.  With a
 * dom0 the default is forever: it runs until someone types poweroff;
 * a domain GDB debugs (gdb = 1) has none.
 */
static void sched_set_timeout(void)
{
	const char *arg = cmdline_get("timeout"), *p = arg;
	uint64_t s = domain_privileged() ? 0 : SCHED_TIMEOUT_S;

	if (arg && (strtou64(&p, &s) < 0 || *p || s > 1000000))
		cprintf("hvlab: timeout=%s: not a number of seconds; using "
			"%llu\n",
			arg, (unsigned long long)(s = SCHED_TIMEOUT_S));
	sched_timeout_s = s;
	sched_deadline = s ? rdtsc() + s * clock_tsc_hz() : 0;
}

/*
 * Nothing could run: the CPU sleeps until a host interrupt, at the latest
 * when the first local APIC timer of a halted vcpu or an hvm domain's PIT
 * is due, or after SCHED_IDLE_US for the timers devices keep themselves.
 */
static void sched_idle(void)
{
	uint64_t wake = rdtsc() + clock_tsc_hz() / 1000000 * SCHED_IDLE_US, t;
	struct domain *d;
	int j;

	for (d = domains; d < domains + DOMAIN_MAX; d++) {
		if (d->state != DOMAIN_RUNNING)
			continue;
		if (d->type == DOMAIN_HVM && (t = platform_next_event(d)))
			wake = MIN(wake, t);
		for (j = 0; j < d->nvcpus; j++)
			if (d->vcpus[j].lapic.deadline)
				wake = MIN(wake, d->vcpus[j].lapic.deadline);
	}
	preempt_idle(wake);
}

void sched_run(void)
{
	struct domain *dom0 = domain_privileged();
	bool live, ran;
	int i;

	sched_set_timeout();
	preempt_init(SCHED_SLICE_US);
	do {
		live = ran = false;
		for (i = 0; i < DOMAIN_MAX; i++) {
			if (domains[i].state != DOMAIN_RUNNING)
				continue;
			ran |= sched_domain(&domains[i]);
			live |= domains[i].state == DOMAIN_RUNNING;
		}
		migrate_tick();
		console_poll();
		gdbstub_poll();
		if (live && !ran)
			sched_idle();
	} while (live && (!dom0 || dom0->state == DOMAIN_RUNNING));
	gdbstub_poll(); /* GDB hears of a debugged domain's end */
	preempt_stop();
}
