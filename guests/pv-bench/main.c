/*
 * pv-bench - what paravirtualization costs (make bench-pv, lab 6), in
 * TSC cycles, the median of n rounds of each, in either container:
 *
 *   role=ping peer=ID: a null hypercall through the page
 *     (xen_version(XENVER_version)); a VIRQ_TIMER single-shot timer due
 *     at once, from set_timer_op to the upcall, blocked in between as a
 *     tickless kernel would be; and an event channel round trip to the
 *     pong domain ID (send, its upcall and send back, our upcall);
 *   role=pong peer=ID: offers an unbound port to domain ID and answers
 *     each event with one.
 *
 * what=null,virq,ping (the default: all three) picks ping's measures; the
 * grader runs the round trips alone as lab 6's interdomain test.
 *
 * Prints "pv-bench: KIND median C cycles (n rounds)" for tools/bench-pv;
 * guests/lapic-bench is the emulated local APIC's counterpart.
 */
#include <guests/lib/pv.h>

#define MAX_ROUNDS 4096
#define WAIT_NS	   (5ULL * 1000 * 1000 * 1000) /* a lost event ends it */

static uint64_t samples[MAX_ROUNDS];
static volatile int fired;
static volatile uint64_t fired_tsc;

static void on_event(evtchn_port_t port, void *arg)
{
	fired_tsc = rdtsc();
	fired = 1;
}

static void print_median(const char *kind, unsigned n)
{
	printf("pv-bench: %s median %llu cycles (%u rounds)\n", kind,
	       (unsigned long long)median(samples, n), n);
}

static void bench_null(unsigned n)
{
	long r = 0;

	for (unsigned i = 0; i < n; i++) {
		uint64_t t0 = rdtsc();

		r = HYPERVISOR_xen_version(XENVER_version, NULL);
		samples[i] = rdtsc() - t0;
	}
	report(r > 0, "xen_version: %ld.%ld", r >> 16, r & 0xffff);
	print_median("null", n);
}

/* VIRQ_TIMER is the library's port (pv_timer_port): its upcalls come to
 * on_event while this runs. */
static void bench_virq(unsigned n)
{
	unsigned lost = 0;

	evtchn_bind(pv_timer_port, on_event, NULL);
	for (unsigned i = 0; i < n; i++) {
		uint64_t t0;

		fired = 0;
		t0 = rdtsc();
		HYPERVISOR_set_timer_op(pv_time_ns());
		if (!pv_block_until(&fired, 0))
			lost++;
		samples[i] = fired_tsc - t0;
	}
	report(lost == 0, "%u timers due at once, %u lost", n, lost);
	print_median("virq", n);
}

/* Binds to the first port of domain peer offered to us (pong allocates
 * it at its start, so retry while it has not yet). */
static long bind_peer(domid_t peer)
{
	for (int tries = 0; tries < 10000; tries++) {
		for (evtchn_port_t p = 1; p < 8; p++) {
			long port = evtchn_bind_interdomain(peer, p, on_event,
							    NULL);

			if (port > 0)
				return port;
		}
		HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
	}
	return -XEN_ESRCH;
}

static void bench_ping(domid_t peer, unsigned n)
{
	long port = bind_peer(peer);
	unsigned lost = 0;

	if (!report(port > 0, "bound to domain %u: port %ld", peer, port))
		return;
	for (unsigned i = 0; i < n; i++) {
		uint64_t t0;

		fired = 0;
		t0 = rdtsc();
		evtchn_send(port);
		if (!pv_block_until(&fired, pv_time_ns() + WAIT_NS)) {
			lost++;
			break;
		}
		samples[i] = fired_tsc - t0;
	}
	report(lost == 0, "%u round trips to domain %u", n, peer);
	if (!lost)
		print_median("ping", n);
}

static void pong(domid_t peer, unsigned n)
{
	long port = evtchn_alloc_unbound(peer);
	unsigned answered = 0;

	if (!report(port > 0, "port %ld offered to domain %u", port, peer))
		return;
	evtchn_bind(port, on_event, NULL);
	while (answered < n && pv_block_until(&fired, pv_time_ns() + WAIT_NS)) {
		fired = 0;
		evtchn_send(port);
		answered++;
	}
	report(answered == n, "answered %u of %u events", answered, n);
}

/* Whether kind is in what= (all kinds when there is none). */
static bool wanted(const char *kind)
{
	char what[32];
	size_t k = strlen(kind);

	if (!cmdline_get("what", what, sizeof(what)))
		return true;
	for (const char *w = what; *w; w++)
		if (strncmp(w, kind, k) == 0)
			return true;
	return false;
}

void main(void)
{
	unsigned n = cmdline_u64("n", 1000);
	domid_t peer = cmdline_u64("peer", 1);
	char role[8];

	if (n == 0 || n > MAX_ROUNDS)
		n = MAX_ROUNDS;
	if (cmdline_get("role", role, sizeof(role)) &&
	    strcmp(role, "pong") == 0) {
		pong(peer, n);
		return;
	}
	if (wanted("null"))
		bench_null(n);
	if (wanted("virq"))
		bench_virq(n);
	if (wanted("ping"))
		bench_ping(peer, n);
}
