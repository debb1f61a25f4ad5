/*
 * pvclock.c - time in a PV guest (lab 6): system time from vcpu_info's
 * vcpu_time_info with its version protocol (inc/public/xen.h, as Linux's
 * arch/x86/kernel/pvclock.c reads it), the wall clock from shared_info,
 * and blocking until an event or a deadline (set_timer_op, SCHEDOP_block,
 * VIRQ_TIMER).
 */
#include <guests/lib/pv.h>

#define barrier() __asm__ volatile("" ::: "memory")

evtchn_port_t pv_timer_port;

void pv_timer_init(void)
{
	long port = evtchn_bind_virq(VIRQ_TIMER, 0, NULL, NULL);

	if (port < 0) {
		printf("pv_timer_init: bind_virq(VIRQ_TIMER) = %ld\n", port);
		guest_exit(1);
	}
	pv_timer_port = (evtchn_port_t)port;
	evtchn_unmask(pv_timer_port);
}

/* ((tsc - tsc_timestamp) scaled by tsc_shift) * mul / 2^32. */
static uint64_t pvclock_scale(uint64_t delta, uint32_t mul, int8_t shift)
{
	if (shift < 0)
		delta >>= -shift;
	else
		delta <<= shift;
	return (uint64_t)(((unsigned __int128)delta * mul) >> 32);
}

uint64_t pv_time_ns(void)
{
	const volatile struct vcpu_time_info *t = &pv_vcpu_info()->time;
	uint32_t version;
	uint64_t ns;

	/* x86 keeps loads in order; the compiler must too. */
	do {
		version = t->version;
		barrier();
		ns = t->system_time + pvclock_scale(rdtsc() - t->tsc_timestamp,
						    t->tsc_to_system_mul,
						    t->tsc_shift);
		barrier();
	} while ((version & 1) || version != t->version);
	return ns;
}

uint64_t pv_wallclock_sec(void)
{
	const volatile struct shared_info *s = HYPERVISOR_shared_info;
	uint32_t version;
	uint64_t sec;

	do {
		version = s->wc_version;
		barrier();
		sec = (uint64_t)s->wc_sec_hi << 32 | s->wc_sec;
		barrier();
	} while ((version & 1) || version != s->wc_version);
	return sec;
}

/*
 * With interrupts off between the check and SCHEDOP_block, an event
 * that arrives in between leaves evtchn_upcall_pending set, which block
 * wakes on; the upcall itself runs once interrupts are on again.  The
 * timer is armed again each round: the hypervisor's clock may reach the
 * deadline a little before this pvclock reading does, as Linux allows.
 */
bool pv_block_until(volatile int *flag, uint64_t deadline_ns)
{
	for (;;) {
		cli();
		if ((flag && *flag) ||
		    (deadline_ns && pv_time_ns() >= deadline_ns))
			break;
		if (deadline_ns)
			HYPERVISOR_set_timer_op(deadline_ns);
		HYPERVISOR_sched_op(SCHEDOP_block, NULL);
		pv_irq_enable();
	}
	pv_irq_enable();
	return flag && *flag;
}

bool pv_sleep(uint64_t ns)
{
	unsigned n = evtchn_count(pv_timer_port);

	if (HYPERVISOR_set_timer_op(pv_time_ns() + ns) != 0)
		return false;
	for (;;) {
		cli();
		if (evtchn_count(pv_timer_port) != n)
			break;
		HYPERVISOR_sched_op(SCHEDOP_block, NULL);
		pv_irq_enable();
	}
	pv_irq_enable();
	return true;
}
