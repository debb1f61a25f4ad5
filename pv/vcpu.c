/*
 * vcpu.c - time and scheduling for domains with Xen's ABI (lab 6;
 * labs/lab6.md's pvclock): __HYPERVISOR_vcpu_op (inc/public/vcpu.h),
 * __HYPERVISOR_sched_op (sched.h), __HYPERVISOR_set_timer_op, and
 * shared_info's wallclock.  A vcpu's timers are checked when it is
 * scheduled in and, while it waits (VCPU_HALTED), each time the scheduler
 * looks for work (pv_can_wake).
 */
#include <inc/types.h>
#include <inc/x86.h>
#include <inc/public/xen.h>
#include <inc/public/sched.h>
#include <inc/public/vcpu.h>
#include <kernel/kernel.h>
#include <kernel/clock.h>
#include <kernel/domain.h>
#include <kernel/mm/page.h>
#include <pv/hypercall.h>
#include <pv/pv.h>

#define VCPU_PERIOD_MIN_NS 1000000ULL /* Xen refuses shorter periods */
#define VCPU_POLL_MAX	   128
#define NS_PER_S	   1000000000ULL

uint64_t pv_system_time(void)
{
	return clock_tsc_ns(rdtsc());
}

#if SOL >= 6
/*
 * tsc_to_system_mul and tsc_shift for a TSC of hz: the shift brings hz
 * into (1e9, 2e9], then mul = 2^32 * 1e9 / (hz scaled), rounded, so that
 * ((ticks << shift) * mul) >> 32 is ns (mul < 2^32).
 */
static void pvclock_scale(uint64_t hz, uint32_t *mul, int8_t *shift)
{
	uint64_t scaled = hz, den, q, r;
	int s = 0, i;

	for (; scaled > 2 * NS_PER_S; scaled >>= 1)
		s--;
	for (; scaled <= NS_PER_S; scaled <<= 1)
		s++;
	/* (1e9 << 32 << -s) / hz, a bit at a time past 64 bits. */
	den = s > 0 ? scaled : hz;
	q = (NS_PER_S << 32) / den;
	r = (NS_PER_S << 32) % den;
	for (i = s; i < 0; i++) {
		q = q * 2 + (2 * r >= den);
		r = 2 * r >= den ? 2 * r - den : 2 * r;
	}
	*mul = (uint32_t)(q + (2 * r >= den));
	*shift = (int8_t)s;
}

void pv_time_update(struct vcpu *v)
{
	struct vcpu_info *vi = pv_vcpu_info(v);
	struct vcpu_time_info *t;
	uint64_t tsc = rdtsc();

	if (!vi)
		return;
	t = &vi->time;
	/* The guest retries while version is odd or changed under it. */
	t->version |= 1;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	t->tsc_timestamp = tsc;
	t->system_time = clock_tsc_ns(tsc);
	pvclock_scale(clock_tsc_hz(), &t->tsc_to_system_mul, &t->tsc_shift);
	t->flags = XEN_PVCLOCK_TSC_STABLE_BIT;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	t->version++;
}
#else
void pv_time_update(struct vcpu *v)
{
	/* LAB 6: your code here */
}
#endif

void pv_wallclock_update(struct domain *d)
{
	struct shared_info *s = pv_shared_info(d);
	uint64_t tsc = rdtsc(), boot_ns;

	if (!s)
		return;
	boot_ns = clock_unix_ns(tsc) - clock_tsc_ns(tsc); /* of system time 0 */
	s->wc_version |= 1;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	s->wc_sec = (uint32_t)(boot_ns / NS_PER_S);
	s->wc_sec_hi = (uint32_t)(boot_ns / NS_PER_S >> 32);
	s->wc_nsec = (uint32_t)(boot_ns % NS_PER_S);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	s->wc_version++;
}

/* Moves v's runstate to state, accounting the time; copied to the guest's
 * area if it registered one. */
static void pv_runstate_set(struct vcpu *v, int state)
{
	struct vcpu_runstate_info *r = &v->pv.runstate;
	uint64_t now = pv_system_time();

	r->time[r->state & 3] += now - r->state_entry_time;
	r->state_entry_time = now;
	r->state = state;
	if (v->pv.runstate_area)
		pv_copy_out(v, v->pv.runstate_area, r, sizeof(*r));
}

/* Raises VIRQ_TIMER for v's singleshot or periodic timer if due; whether
 * one was. */
static bool pv_timers_fire(struct vcpu *v)
{
	uint64_t now = pv_system_time();
	struct pv_vcpu *p = &v->pv;
	bool fired = false;

	if (p->timer_ns && now >= p->timer_ns) {
		p->timer_ns = 0;
		fired = true;
	}
	if (p->period_ns && now >= p->period_next) {
		p->period_next += p->period_ns;
		if (p->period_next <= now) /* missed ticks are not made up */
			p->period_next = now + p->period_ns;
		fired = true;
	}
	if (fired)
		evtchn_send_virq(v->domain, v, VIRQ_TIMER);
	return fired;
}

/*
 * A due timer wakes v even with VIRQ_TIMER unbound (where Xen would sleep
 * on): a wakeup without an event is one SCHEDOP_block may always have.
 */
bool pv_can_wake(struct vcpu *v)
{
	struct vcpu_info *vi;
	bool wake;

	if (!v->domain->pv.on || v->pv.down)
		return false;
	wake = pv_timers_fire(v);
	vi = pv_vcpu_info(v);
	wake |= (v->pv.poll_until && pv_system_time() >= v->pv.poll_until) ||
		(vi && vi->evtchn_upcall_pending && !vi->evtchn_upcall_mask);
	if (wake) {
		v->pv.blocked = v->pv.polling = false;
		v->pv.poll_until = 0;
	}
	return wake;
}

void pv_vcpu_switch(struct vcpu *v, bool in)
{
	if (!v->domain->pv.on)
		return;
	if (!in) {
		pv_runstate_set(v, v->pv.down		   ? RUNSTATE_offline :
				   v->state == VCPU_HALTED ? RUNSTATE_blocked :
							     RUNSTATE_runnable);
		return;
	}
	pv_timers_fire(v);
	pv_runstate_set(v, RUNSTATE_running);
	pv_time_update(v);
}

/* VCPUOP_register_vcpu_info: once per vcpu, within one page of RAM. */
static long vcpu_register_info(struct vcpu *v, struct vcpu *t, uint64_t arg)
{
	struct vcpu_register_vcpu_info a;
	struct vcpu_info *old, *new;
	gpa_t gpa;

	if (pv_copy_in(v, &a, arg, sizeof(a)) < 0)
		return -XEN_EFAULT;
	gpa = (a.mfn << PAGE_SHIFT) + a.offset;
	if (t->pv.vcpu_info != PV_NO_GPA || a.mfn >> (64 - PAGE_SHIFT) ||
	    a.offset > PAGE_SIZE - sizeof(struct vcpu_info) ||
	    !(new = pv_map(t->domain, gpa, sizeof(*new))))
		return -XEN_EINVAL;
	if ((old = pv_vcpu_info(t)))
		memmove(new, old, sizeof(*new));
	t->pv.vcpu_info = gpa;
	/* As Xen: a spurious upcall makes the guest scan every word, so no
	 * event marked in the old place is lost. */
	new->evtchn_upcall_pending = 1;
	new->evtchn_pending_sel = ~0ULL;
	pv_time_update(t);
	return 0;
}

/* VCPUOP_register_runstate_memory_area: a guest-linear address, 0 none. */
static long vcpu_register_runstate(struct vcpu *v, struct vcpu *t, uint64_t arg)
{
	struct vcpu_register_runstate_memory_area a;

	if (pv_copy_in(v, &a, arg, sizeof(a)) < 0)
		return -XEN_EFAULT;
	if (a.addr &&
	    pv_copy_out(v, a.addr, &t->pv.runstate, sizeof(t->pv.runstate)) < 0)
		return -XEN_EFAULT;
	t->pv.runstate_area = a.addr;
	return 0;
}

static long vcpu_singleshot(struct vcpu *v, uint64_t arg)
{
	struct vcpu_set_singleshot_timer a;

	if (pv_copy_in(v, &a, arg, sizeof(a)) < 0)
		return -XEN_EFAULT;
	if ((a.flags & VCPU_SSHOTTMR_future) &&
	    a.timeout_abs_ns < pv_system_time())
		return -XEN_ETIME;
	v->pv.timer_ns = a.timeout_abs_ns ? a.timeout_abs_ns : 1;
	return 0;
}

static long vcpu_periodic(struct vcpu *v, struct vcpu *t, uint64_t arg)
{
	struct vcpu_set_periodic_timer a;

	if (pv_copy_in(v, &a, arg, sizeof(a)) < 0)
		return -XEN_EFAULT;
	if (a.period_ns < VCPU_PERIOD_MIN_NS || a.period_ns > 1000 * NS_PER_S)
		return -XEN_EINVAL;
	t->pv.period_ns = a.period_ns;
	t->pv.period_next = pv_system_time() + a.period_ns;
	return 0;
}

/* VCPUOP_up of a vcpu that never started has no state to start from. */
static long vcpu_up(struct vcpu *t)
{
	if (t->state == VCPU_WAIT_SIPI || t->state == VCPU_STOPPED)
		return -XEN_EINVAL;
	if (t->pv.down) {
		t->pv.down = false;
		t->state = VCPU_RUNNABLE;
	}
	return 0;
}

static long vcpu_get_runstate(struct vcpu *v, struct vcpu *t, uint64_t arg)
{
	pv_runstate_set(t, t->pv.runstate.state);
	return pv_copy_out(v, arg, &t->pv.runstate, sizeof(t->pv.runstate));
}

long vcpu_op(struct vcpu *v, const uint64_t *args)
{
	struct domain *d = v->domain;
	struct vcpu *t;

	if (args[1] >= (uint64_t)d->nvcpus)
		return -XEN_ENOENT;
	t = &d->vcpus[args[1]];
	switch (args[0]) {
	case VCPUOP_up: return vcpu_up(t);
	case VCPUOP_down:
		t->pv.down = true;
		t->state = t->state == VCPU_RUNNABLE ? VCPU_HALTED : t->state;
		return 0;
	case VCPUOP_is_up:
		return !t->pv.down && t->state != VCPU_WAIT_SIPI &&
		       t->state != VCPU_STOPPED;
	case VCPUOP_get_runstate_info: return vcpu_get_runstate(v, t, args[2]);
	case VCPUOP_register_runstate_memory_area:
		return vcpu_register_runstate(v, t, args[2]);
	case VCPUOP_set_periodic_timer: return vcpu_periodic(v, t, args[2]);
	case VCPUOP_stop_periodic_timer: t->pv.period_ns = 0; return 0;
	case VCPUOP_set_singleshot_timer:
		return t == v ? vcpu_singleshot(v, args[2]) : -XEN_EINVAL;
	case VCPUOP_stop_singleshot_timer:
		if (t != v)
			return -XEN_EINVAL;
		v->pv.timer_ns = 0;
		return 0;
	case VCPUOP_register_vcpu_info:
		return vcpu_register_info(v, t, args[2]);
	}
	return -XEN_ENOSYS;
}

/* Makes v wait (VCPU_HALTED) unless it can go on at once. */
static void sched_wait(struct vcpu *v)
{
	if (!pv_can_wake(v)) {
		v->pv.blocked = true;
		v->state = VCPU_HALTED;
	}
}

/* SCHEDOP_yield ends the slice as a host interrupt would (kernel/sched.c). */
static long sched_yield(struct vcpu *v, void *arg, uint64_t op)
{
	v->exit.kind = EXIT_INTR;
	return 0;
}

static long sched_block(struct vcpu *v, void *arg, uint64_t op)
{
	struct vcpu_info *vi = pv_vcpu_info(v);

	if (vi)
		vi->evtchn_upcall_mask = 0;
	sched_wait(v);
	return 0;
}

/* SCHEDOP_poll: at once if one of the ports is pending, else waits for an
 * event on the vcpu or the timeout. */
static long sched_poll(struct vcpu *v, void *arg, uint64_t op)
{
	struct shared_info *s = pv_shared_info(v->domain);
	evtchn_port_t ports[VCPU_POLL_MAX];
	struct sched_poll *a = arg;
	uint32_t i;

	if (a->nr_ports > VCPU_POLL_MAX)
		return -XEN_EINVAL;
	if (pv_copy_in(v, ports, a->ports, a->nr_ports * sizeof(ports[0])) < 0)
		return -XEN_EFAULT;
	for (i = 0; i < a->nr_ports; i++)
		if (ports[i] >= PV_EVTCHN_PORTS)
			return -XEN_EINVAL;
	for (i = 0; s && i < a->nr_ports; i++)
		if (s->evtchn_pending[ports[i] / 64] &
		    (1ULL << (ports[i] % 64)))
			return 0;
	if (a->timeout && a->timeout <= pv_system_time())
		return 0;
	v->pv.polling = true;
	v->pv.poll_until = a->timeout;
	sched_wait(v);
	return 0;
}

/* SCHEDOP_shutdown: the domain ends with the reason the guest gives;
 * SCHEDOP_shutdown_code only records the reason. */
static long sched_shutdown(struct vcpu *v, void *arg, uint64_t op)
{
	struct domain *d = v->domain;
	uint32_t reason = ((struct sched_shutdown *)arg)->reason;

	if (reason > SHUTDOWN_watchdog || reason == SHUTDOWN_suspend)
		return -XEN_EINVAL;
	d->pv.shutdown_reason = reason;
	if (op == SCHEDOP_shutdown_code)
		return 0;
	if (reason == SHUTDOWN_poweroff ||
	    (reason == SHUTDOWN_reboot && d->on_crash != ON_CRASH_RESTART))
		domain_exit(d, 0);
	else if (reason == SHUTDOWN_reboot)
		domain_crash(d, NULL, "the guest rebooted (SCHEDOP_shutdown)");
	else if (reason == SHUTDOWN_crash)
		domain_crash(d, v,
			     "the guest crashed itself (SCHEDOP_shutdown)");
	else
		domain_crash(d, v, "the guest's watchdog fired");
	return 0;
}

static const struct pv_subop sched_ops[] = {
	[SCHEDOP_yield] = { sched_yield },
	[SCHEDOP_block] = { sched_block },
	SUBOP(SCHEDOP_shutdown, sched_shutdown, struct sched_shutdown, false),
	SUBOP(SCHEDOP_poll, sched_poll, struct sched_poll, false),
	SUBOP(SCHEDOP_shutdown_code, sched_shutdown, struct sched_shutdown,
	      false),
};

long sched_op(struct vcpu *v, const uint64_t *args)
{
	return pv_subop_call(v, args, sched_ops, ARRAY_SIZE(sched_ops));
}

long set_timer_op(struct vcpu *v, const uint64_t *args)
{
	v->pv.timer_ns = args[0];
	return 0;
}
