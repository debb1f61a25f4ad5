/*
 * pv-evtchn - event channels within one domain (lab 6), in either
 * container: an unbound port bound back to the domain itself
 * (interdomain loopback), IPIs, VIRQ_TIMER, EVTCHNOP_status of each kind,
 * close, unmask re-delivering a pending event, masked ports and
 * evtchn_upcall_mask keeping the upcall away, the callback vector turned
 * off and on, and the errors: ports out of range or closed, a VIRQ bound
 * twice, the FIFO ABI's init_control.
 */
#include <guests/lib/pv.h>

#define MS 1000000ULL

static volatile int hits;

static void on_event(evtchn_port_t port, void *arg)
{
	hits++;
}

/* Waits up to 50 ms for on_event; whether it ran. */
static bool wait_event(void)
{
	return pv_block_until(&hits, pv_time_ns() + 50 * MS);
}

static const char *const status_names[] = {
	"closed", "unbound", "interdomain", "pirq", "virq", "ipi",
};

/* EVTCHNOP_status of port into *st; reports whether it is want. */
static bool status_is(long port, uint32_t want, struct evtchn_status *st)
{
	long r = evtchn_status((evtchn_port_t)port, st);

	return report(r == 0 && st->status == want,
		      "status(%ld) = %ld: %s, want %s", port, r,
		      st->status < ARRAY_SIZE(status_names) ?
			      status_names[st->status] :
			      "?",
		      status_names[want]);
}

static void test_loopback(void)
{
	struct evtchn_status st;
	long a = evtchn_alloc_unbound(DOMID_SELF), b;
	long self = pv_domid();
	bool ok;

	report(a > 0, "alloc_unbound(DOMID_SELF) = %ld", a);
	report(self >= 0 && self < DOMID_FIRST_RESERVED,
	       "the domain's own id %ld from an unbound port's status", self);
	if (status_is(a, EVTCHNSTAT_unbound, &st))
		report_eq(st.u.unbound.dom, self, "status(%ld): remote domain",
			  a);
	b = evtchn_bind_interdomain(DOMID_SELF, (evtchn_port_t)a, on_event,
				    NULL);
	report(b > 0 && b != a, "bind_interdomain(self, %ld) = %ld", a, b);
	wait_event();
	hits = 0;
	if (status_is(a, EVTCHNSTAT_interdomain, &st)) {
		report_eq(st.u.interdomain.dom, self,
			  "status(%ld): interdomain domain", a);
		report_eq(st.u.interdomain.port, b,
			  "status(%ld): interdomain port", a);
	}
	evtchn_send((evtchn_port_t)a);
	ok = wait_event();
	report(ok, "send on %ld upcalls port %ld (handled %u)", a, b,
	       evtchn_count((evtchn_port_t)b));
	report_eq(evtchn_bind_interdomain(DOMID_SELF, (evtchn_port_t)a, NULL,
					  NULL),
		  -XEN_EINVAL, "bind_interdomain to a bound port");
	report_eq(evtchn_close((evtchn_port_t)b), 0, "close(%ld)", b);
	status_is(a, EVTCHNSTAT_unbound, &st);
	report_eq(evtchn_send((evtchn_port_t)b), -XEN_EINVAL,
		  "send on closed port %ld", b);
	evtchn_close((evtchn_port_t)a);
	status_is(a, EVTCHNSTAT_closed, &st);
}

static void test_ipi(void)
{
	struct evtchn_status st;
	long p = evtchn_bind_ipi(0, on_event, NULL);

	report(p > 0, "bind_ipi(vcpu 0) = %ld", p);
	if (status_is(p, EVTCHNSTAT_ipi, &st))
		report_eq(st.vcpu, 0, "status(%ld): vcpu", p);
	hits = 0;
	report_eq(evtchn_send((evtchn_port_t)p), 0, "send(ipi %ld)", p);
	report(wait_event(), "the IPI arrives by upcall");
	report_eq(evtchn_bind_ipi(1, NULL, NULL), -XEN_ENOENT,
		  "bind_ipi(vcpu 1) of a 1-vcpu domain");
	evtchn_close((evtchn_port_t)p);
}

/* Masked: pending is set, no upcall; unmask delivers it once. */
static void test_mask(void)
{
	long p = evtchn_bind_ipi(0, on_event, NULL);
	unsigned up, ticks;

	evtchn_mask((evtchn_port_t)p);
	hits = 0;
	up = evtchn_upcalls();
	ticks = evtchn_count(pv_timer_port);
	evtchn_send((evtchn_port_t)p);
	pv_block_until(&hits, pv_time_ns() + 10 * MS);
	up = evtchn_upcalls() - up;
	ticks = evtchn_count(pv_timer_port) - ticks;
	report(hits == 0 && evtchn_is_pending((evtchn_port_t)p),
	       "a masked port is pending without its handler (%d calls)", hits);
	report(up <= ticks,
	       "a masked port brings no upcall of its own (%u upcalls, %u "
	       "for the timer)",
	       up, ticks);
	report_eq(evtchn_unmask((evtchn_port_t)p), 0, "unmask(%ld)", p);
	wait_event();
	report(hits == 1, "unmask re-delivers the pending event (%d calls)",
	       hits);
	report(!evtchn_is_pending((evtchn_port_t)p),
	       "the upcall cleared the pending bit");
	evtchn_close((evtchn_port_t)p);
}

/* evtchn_upcall_mask holds upcalls back; clearing it lets them in. */
static void test_upcall_mask(void)
{
	struct vcpu_info *vi = pv_vcpu_info();
	long p = evtchn_bind_ipi(0, on_event, NULL);
	uint64_t end = pv_time_ns() + 10 * MS;

	hits = 0;
	vi->evtchn_upcall_mask = 1;
	evtchn_send((evtchn_port_t)p);
	while (pv_time_ns() < end)
		pause();
	report(hits == 0 && vi->evtchn_upcall_pending,
	       "evtchn_upcall_mask holds the upcall (pending %u, %d calls)",
	       vi->evtchn_upcall_pending, hits);
	vi->evtchn_upcall_mask = 0;
	report(wait_event(), "clearing evtchn_upcall_mask lets it in");
	evtchn_close((evtchn_port_t)p);
}

/* CALLBACK_IRQ 0 turns upcalls off; setting the vector again resumes. */
static void test_callback_off(void)
{
	uint64_t via = (uint64_t)HVM_PARAM_CALLBACK_TYPE_VECTOR << 56 |
		       PV_UPCALL_VECTOR;
	long p = evtchn_bind_ipi(0, on_event, NULL);
	uint64_t end = pv_time_ns() + 10 * MS;

	hits = 0;
	report_eq(hvm_set_param(HVM_PARAM_CALLBACK_IRQ, 0), 0,
		  "set_param(CALLBACK_IRQ, 0)");
	evtchn_send((evtchn_port_t)p);
	while (pv_time_ns() < end)
		pause();
	report_eq(hits, 0, "no upcall without a callback vector");
	report_eq(hvm_set_param(HVM_PARAM_CALLBACK_IRQ, via), 0,
		  "set_param(CALLBACK_IRQ, vector 0x%x)", PV_UPCALL_VECTOR);
	report(wait_event(),
	       "the pending event arrives once the vector is set");
	evtchn_close((evtchn_port_t)p);
}

static void test_virq(void)
{
	struct evtchn_status st;
	unsigned n = evtchn_count(pv_timer_port);

	if (status_is(pv_timer_port, EVTCHNSTAT_virq, &st))
		report_eq(st.u.virq, VIRQ_TIMER, "status(%u): virq",
			  pv_timer_port);
	report_eq(evtchn_bind_virq(VIRQ_TIMER, 0, NULL, NULL), -XEN_EEXIST,
		  "bind_virq(VIRQ_TIMER) a second time");
	report_eq(evtchn_bind_virq(NR_VIRQS, 0, NULL, NULL), -XEN_EINVAL,
		  "bind_virq(NR_VIRQS)");
	pv_sleep(2 * MS);
	report(evtchn_count(pv_timer_port) > n,
	       "VIRQ_TIMER on port %u after set_timer_op (%u events)",
	       pv_timer_port, evtchn_count(pv_timer_port) - n);
}

static void test_errors(void)
{
	static const uint32_t bad[] = { 0, 1023, 4095, 4096, 0xffffffff };
	struct evtchn_status st;

	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++)
		report_eq(evtchn_send(bad[i]), -XEN_EINVAL, "send(port %u)",
			  bad[i]);
	report_eq(evtchn_close(0), -XEN_EINVAL, "close(port 0)");
	report_eq(evtchn_unmask(5000), -XEN_EINVAL, "unmask(port 5000)");
	report_eq(evtchn_status(5000, &st), -XEN_EINVAL, "status(port 5000)");
	report_eq(HYPERVISOR_event_channel_op(EVTCHNOP_init_control, &st),
		  -XEN_ENOSYS, "init_control (FIFO ABI)");
	report_eq(HYPERVISOR_event_channel_op(100, &st), -XEN_ENOSYS,
		  "event_channel_op 100");
	report_eq(HYPERVISOR_event_channel_op(EVTCHNOP_send,
					      (void *)0xffff800000000000UL),
		  -XEN_EFAULT, "send with its struct in the hypervisor");
}

void main(void)
{
	printf("pv-evtchn: %s container, timer port %u\n",
	       pv_in_te() ? "te" : "hvm", pv_timer_port);
	test_loopback();
	test_ipi();
	test_mask();
	test_upcall_mask();
	test_callback_off();
	test_virq();
	test_errors();
}
