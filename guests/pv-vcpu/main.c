/*
 * pv-vcpu - time, timers and scheduling of a PV vcpu (lab 6), in either
 * container: pvclock and the wall clock, set_timer_op, vcpu_op's
 * singleshot and periodic timers raising VIRQ_TIMER on time, the
 * runstate area, shared_info moved with add_to_physmap, vcpu_info moved
 * into the guest's own page (and refused across a page boundary), is_up, sched_op's yield, block woken by a
 * timer, poll with a timeout and with a pending port, and the errors.
 */
#include <guests/lib/pv.h>

#define MS 1000000ULL
/* How late a timer may fire: QEMU's TCG and Bochs are slow. */
#define LATE_NS (200 * MS)

/* A timer a test cancels at once is due this far ahead. */
#define CANCEL_NS (100 * MS)

/* Where VIRQ_TIMER's upcalls land while a test watches them. */
static volatile int fired;
static volatile uint64_t fired_at;

static void on_timer(evtchn_port_t port, void *arg)
{
	fired++;
	fired_at = pv_time_ns();
}

/* Waits with interrupts on, without blocking (no timer of its own). */
static void spin_until(uint64_t t)
{
	while (pv_time_ns() < t)
		pause();
}

static void test_clock(void)
{
	uint64_t t0 = pv_time_ns(), t1, sec = pv_wallclock_sec();
	const volatile struct vcpu_time_info *t = &pv_vcpu_info()->time;

	report(t->version && !(t->version & 1),
	       "vcpu_time_info.version %u is even and not 0", t->version);
	report(t->tsc_to_system_mul != 0, "tsc_to_system_mul 0x%x, shift %d",
	       t->tsc_to_system_mul, t->tsc_shift);
	for (volatile int i = 0; i < 100000; i++)
		;
	t1 = pv_time_ns();
	report(t1 > t0, "system time advances: %llu -> %llu ns",
	       (unsigned long long)t0, (unsigned long long)t1);
	/* 2020-01-01 .. 2100-01-01: a clock that was read at all. */
	report(sec > 1577836800ULL && sec < 4102444800ULL,
	       "wall clock at system time 0: %llu s since 1970",
	       (unsigned long long)sec);
}

/* Arms nothing itself: waits up to LATE_NS past deadline for on_timer. */
static bool timer_wait(uint64_t deadline)
{
	uint64_t end = deadline + LATE_NS;

	while (!fired && pv_time_ns() < end) {
		cli();
		if (!fired)
			HYPERVISOR_sched_op(SCHEDOP_block, NULL);
		pv_irq_enable();
	}
	return fired;
}

static void test_set_timer_op(void)
{
	uint64_t deadline = pv_time_ns() + 5 * MS;

	fired = 0;
	report_eq(HYPERVISOR_set_timer_op(deadline), 0, "set_timer_op(+5 ms)");
	timer_wait(deadline);
	report(fired && fired_at >= deadline,
	       "set_timer_op: VIRQ_TIMER (%d) at %lld ns from the deadline",
	       fired, (long long)(fired_at - deadline));
	/* Far enough that a slow machine cannot reach it before the
	 * cancel; then waited for past it. */
	fired = 0;
	deadline = pv_time_ns() + CANCEL_NS;
	HYPERVISOR_set_timer_op(deadline);
	report_eq(HYPERVISOR_set_timer_op(0), 0, "set_timer_op(0) cancels");
	spin_until(deadline + 20 * MS);
	report_eq(fired, 0, "no VIRQ_TIMER after set_timer_op(0)");
}

static void test_singleshot(void)
{
	struct vcpu_set_singleshot_timer s = { .flags = VCPU_SSHOTTMR_future };
	uint64_t deadline;
	long r;
	int tries = 0;

	fired = 0;
	/* On a busy machine the other domains may run between reading the
	 * time and the call, for longer than 5 ms: Xen's answer is then
	 * -ETIME, and the test takes a new deadline.  Without a timer set
	 * the wait would block for good. */
	do {
		s.timeout_abs_ns = deadline = pv_time_ns() + 5 * MS;
		r = HYPERVISOR_vcpu_op(VCPUOP_set_singleshot_timer, 0, &s);
	} while (r == -XEN_ETIME && ++tries < 3);
	if (report_eq(r, 0, "vcpu_op: set_singleshot_timer(+5 ms)"))
		timer_wait(deadline);
	report(fired && fired_at >= deadline,
	       "singleshot: VIRQ_TIMER (%d) at %lld ns from the deadline",
	       fired, (long long)(fired_at - deadline));
	s.timeout_abs_ns = pv_time_ns() - MS;
	report_eq(HYPERVISOR_vcpu_op(VCPUOP_set_singleshot_timer, 0, &s),
		  -XEN_ETIME,
		  "singleshot in the past with VCPU_SSHOTTMR_future");
	fired = 0;
	s.timeout_abs_ns = deadline = pv_time_ns() + CANCEL_NS;
	HYPERVISOR_vcpu_op(VCPUOP_set_singleshot_timer, 0, &s);
	report_eq(HYPERVISOR_vcpu_op(VCPUOP_stop_singleshot_timer, 0, NULL), 0,
		  "vcpu_op: stop_singleshot_timer");
	spin_until(deadline + 20 * MS);
	report_eq(fired, 0, "no VIRQ_TIMER after stop_singleshot_timer");
}

static void test_periodic(void)
{
	struct vcpu_set_periodic_timer p = { .period_ns = 2 * MS };
	uint64_t t0 = pv_time_ns(), end;
	int n;

	fired = 0;
	report_eq(HYPERVISOR_vcpu_op(VCPUOP_set_periodic_timer, 0, &p), 0,
		  "vcpu_op: set_periodic_timer(2 ms)");
	end = t0 + 5 * LATE_NS;
	while (fired < 5 && pv_time_ns() < end) {
		cli();
		HYPERVISOR_sched_op(SCHEDOP_block, NULL);
		pv_irq_enable();
	}
	n = fired;
	report(n >= 5 && fired_at - t0 >= 10 * MS,
	       "periodic: %d ticks, the fifth after %llu us (>= 10000)", n,
	       (unsigned long long)(fired_at - t0) / 1000);
	report_eq(HYPERVISOR_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL), 0,
		  "vcpu_op: stop_periodic_timer");
	end = pv_time_ns() + 5 * MS;
	while (pv_time_ns() < end)
		pause();
	n = fired;
	end = pv_time_ns() + 20 * MS;
	while (pv_time_ns() < end)
		pause();
	report_eq(fired - n, 0, "no ticks after stop_periodic_timer");
	p.period_ns = 1000;
	report_eq(HYPERVISOR_vcpu_op(VCPUOP_set_periodic_timer, 0, &p),
		  -XEN_EINVAL, "set_periodic_timer(1 us), below Xen's 1 ms");
}

/*
 * Blocks until VIRQ_TIMER.  The timer is armed with events masked, just
 * before the block and CANCEL_NS ahead, so the vcpu does block: only a
 * preemption longer than that between the two could pass the deadline
 * first (Bochs' TSC runs at about 4 MHz, several domains share it).
 */
static void block_on_timer(void)
{
	int n = fired;

	cli();
	HYPERVISOR_set_timer_op(pv_time_ns() + CANCEL_NS);
	while (fired == n) {
		HYPERVISOR_sched_op(SCHEDOP_block, NULL);
		pv_irq_enable();
		cli();
	}
	pv_irq_enable();
}

static void test_runstate(void)
{
	static struct vcpu_runstate_info rs;
	struct vcpu_register_runstate_memory_area a = { (uintptr_t)&rs };
	uint64_t before, blocked, t0, t1;

	report_eq(HYPERVISOR_vcpu_op(VCPUOP_register_runstate_memory_area, 0,
				     &a),
		  0, "vcpu_op: register_runstate_memory_area");
	before = rs.time[RUNSTATE_running];
	blocked = rs.time[RUNSTATE_blocked];
	HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
	t0 = pv_time_ns();
	block_on_timer();
	t1 = pv_time_ns();
	report_eq(rs.state, RUNSTATE_running,
		  "runstate: running while it runs");
	report(rs.time[RUNSTATE_running] > before,
	       "runstate: running time grows (%llu -> %llu ns)",
	       (unsigned long long)before,
	       (unsigned long long)rs.time[RUNSTATE_running]);
	report(rs.time[RUNSTATE_blocked] > blocked &&
		       rs.time[RUNSTATE_blocked] - blocked <= t1 - t0,
	       "runstate: blocked time grows by %llu ns over a %llu ns "
	       "SCHEDOP_block",
	       (unsigned long long)(rs.time[RUNSTATE_blocked] - blocked),
	       (unsigned long long)(t1 - t0));
	report(rs.state_entry_time <= pv_time_ns(),
	       "runstate: entered at %llu ns, not in the future",
	       (unsigned long long)rs.state_entry_time);
	a.addr = 0;
	HYPERVISOR_vcpu_op(VCPUOP_register_runstate_memory_area, 0, &a);
}

/* shared_info moved (add_to_physmap): time and events follow it. */
static void test_shared_info_move(void)
{
	static uint8_t page[4096] __attribute__((aligned(4096)));
	uint64_t wc = pv_wallclock_sec(), t0 = pv_time_ns(), t1;
	long r = pv_shared_info_move(page);

	report_eq(r, 0, "add_to_physmap(shared_info) moves it to %p",
		  (void *)page);
	report_eq(pv_wallclock_sec(), wc, "the wall clock in the moved page");
	t1 = pv_time_ns();
	report(t1 >= t0, "pvclock in the moved page: %llu -> %llu ns",
	       (unsigned long long)t0, (unsigned long long)t1);
	fired = 0;
	HYPERVISOR_set_timer_op(pv_time_ns() + 2 * MS);
	report(timer_wait(pv_time_ns() + 2 * MS),
	       "VIRQ_TIMER through the moved shared_info");
}

static void test_vcpu_info(void)
{
	static uint8_t page[2][4096] __attribute__((aligned(4096)));
	struct vcpu_register_vcpu_info across = {
		.mfn = (uintptr_t)page[0] >> 12,
		.offset = 4096 - 32,
	};
	struct vcpu_info *vi = (struct vcpu_info *)(page[1] + 128);

	report_eq(HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, 0, &across),
		  -XEN_EINVAL, "register_vcpu_info across a page boundary");
	report_eq(HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, 1, &across),
		  -XEN_ENOENT, "register_vcpu_info of vcpu 1");
	report_eq(pv_register_vcpu_info(vi), 0, "register_vcpu_info(%p)",
		  (void *)vi);
	report(vi->time.version && !(vi->time.version & 1),
	       "the new vcpu_info has pvclock (version %u)", vi->time.version);
	fired = 0;
	HYPERVISOR_set_timer_op(pv_time_ns() + 2 * MS);
	report(timer_wait(pv_time_ns() + 2 * MS),
	       "events arrive through the new vcpu_info");
	report_eq(pv_register_vcpu_info(vi), -XEN_EINVAL,
		  "register_vcpu_info a second time");
}

/* Shutdowns that must not end the domain. */
static void test_shutdown_errors(void)
{
	struct sched_shutdown s = { .reason = SHUTDOWN_suspend };

	report_eq(HYPERVISOR_sched_op(SCHEDOP_shutdown, &s), -XEN_EINVAL,
		  "sched_op: shutdown(SHUTDOWN_suspend)");
	s.reason = 99;
	report_eq(HYPERVISOR_sched_op(SCHEDOP_shutdown, &s), -XEN_EINVAL,
		  "sched_op: shutdown(reason 99)");
	report_eq(HYPERVISOR_sched_op(SCHEDOP_shutdown,
				      (void *)0xffff800000000000UL),
		  -XEN_EFAULT, "sched_op: shutdown, reason in the hypervisor");
	s.reason = SHUTDOWN_poweroff;
	report_eq(HYPERVISOR_sched_op(SCHEDOP_shutdown_code, &s), 0,
		  "sched_op: shutdown_code(poweroff) records, does not end");
}

static void test_sched(void)
{
	long p = evtchn_bind_ipi(0, NULL, NULL);
	evtchn_port_t port = (evtchn_port_t)p;
	struct sched_poll poll = { .ports = (uintptr_t)&port, .nr_ports = 1 };
	uint64_t t0, deadline;

	report_eq(HYPERVISOR_sched_op(SCHEDOP_yield, NULL), 0,
		  "sched_op: yield");
	/* Armed with events masked: a timer due before the block leaves its
	 * event pending, which block returns at, instead of an upcall that
	 * leaves block nothing to wake it. */
	fired = 0;
	cli();
	deadline = pv_time_ns() + 5 * MS;
	HYPERVISOR_set_timer_op(deadline);
	HYPERVISOR_sched_op(SCHEDOP_block, NULL);
	t0 = pv_time_ns();
	pv_irq_enable();
	report(t0 >= deadline && fired,
	       "sched_op: block returns at the timer, %lld ns from it",
	       (long long)(t0 - deadline));
	poll.timeout = deadline = pv_time_ns() + 5 * MS;
	report_eq(HYPERVISOR_sched_op(SCHEDOP_poll, &poll), 0,
		  "sched_op: poll(port %u, +5 ms)", port);
	t0 = pv_time_ns();
	report(t0 >= deadline && t0 < deadline + LATE_NS,
	       "poll returns at its timeout, %lld ns from it",
	       (long long)(t0 - deadline));
	evtchn_send(port);
	poll.timeout = pv_time_ns() + 1000 * MS;
	t0 = pv_time_ns();
	report_eq(HYPERVISOR_sched_op(SCHEDOP_poll, &poll), 0,
		  "sched_op: poll(pending port %u)", port);
	report(pv_time_ns() - t0 < 100 * MS,
	       "poll of a pending port returns at once (%llu us)",
	       (unsigned long long)(pv_time_ns() - t0) / 1000);
	evtchn_clear_pending(port);
	evtchn_close(port);
	poll.ports = 0xffff800000000000UL;
	report_eq(HYPERVISOR_sched_op(SCHEDOP_poll, &poll), -XEN_EFAULT,
		  "poll with its ports in the hypervisor");
	report_eq(HYPERVISOR_sched_op(100, NULL), -XEN_ENOSYS, "sched_op 100");
	test_shutdown_errors();
	report_eq(HYPERVISOR_vcpu_op(VCPUOP_is_up, 0, NULL), 1,
		  "vcpu_op: is_up(0)");
	report_eq(HYPERVISOR_vcpu_op(VCPUOP_is_up, 7, NULL), -XEN_ENOENT,
		  "vcpu_op: is_up(7)");
	report_eq(HYPERVISOR_vcpu_op(100, 0, NULL), -XEN_ENOSYS, "vcpu_op 100");
}

void main(void)
{
	printf("pv-vcpu: %s container\n", pv_in_te() ? "te" : "hvm");
	evtchn_bind(pv_timer_port, on_timer, NULL);
	test_clock();
	test_set_timer_op();
	test_singleshot();
	test_periodic();
	test_runstate();
	test_sched();
	test_shared_info_move();
	test_vcpu_info();
}
