/*
 * pv-hostile-xs - a xenstore client that misbehaves (lab 7): watches on
 * every path it can name until the quota says E2BIG, a flood of requests
 * whose replies it never reads, then either ring indices that cannot be
 * (mode=badidx) or a header longer than XENSTORE_PAYLOAD_MAX
 * (mode=oversize).  It checks that the daemon refused and said why in
 * the page's error field; the grader checks that dom0 and a
 * well-behaved domain kept working meanwhile.
 */
#include <guests/lib/pv.h>
#include <guests/lib/xs.h>

#define MS 1000000ULL

static struct xenstore_domain_interface *intf;
static evtchn_port_t port;

/* Watches on paths from / down until the quota refuses one. */
static void watch_everything(void)
{
	static const char *const paths[] = {
		"/",	 "/local", "/local/domain", "/local/domain/0",
		"/tool", "/vm"
	};
	char tok[16];
	long r = 0;
	unsigned i;

	for (i = 0; r == 0 && i < 200; i++) {
		snprintf(tok, sizeof(tok), "h%u", i);
		r = xs_watch(i < ARRAY_SIZE(paths) ? paths[i] : "data", tok);
	}
	report(r == -XEN_E2BIG, "watch quota: E2BIG after %u watches", i - 1);
}

/* Pushes raw bytes into the request ring, as far as it has room. */
static size_t push(const void *data, size_t len)
{
	XENSTORE_RING_IDX prod = intf->req_prod, cons = intf->req_cons;
	size_t n = 0;

	while (n < len && prod - cons < XENSTORE_RING_SIZE)
		intf->req[MASK_XENSTORE_IDX(prod++)] = ((
			const char *)data)[n++];
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	intf->req_prod = prod;
	evtchn_send(port);
	return n;
}

/* Room in the request ring. */
static size_t room(void)
{
	return XENSTORE_RING_SIZE - (intf->req_prod - intf->req_cons);
}

/* Whole requests for 300 ms, none of their replies read. */
static void flood(void)
{
	/* 24 bytes with no padding: the header says all of them. */
	static const struct {
		struct xsd_sockmsg h;
		char body[8];
	} req = { { XS_READ, 1, 0, 8 }, "name" };
	uint64_t end = pv_time_ns() + 300 * MS;
	unsigned long sent = 0;

	while (pv_time_ns() < end) {
		if (room() < sizeof(req)) {
			pv_sleep(MS);
			continue;
		}
		sent += push(&req, sizeof(req));
	}
	report(sent > XENSTORE_RING_SIZE, "flooded %lu bytes of requests",
	       sent);
}

/* Waits up to 2 s for the daemon to set the page's error field. */
static uint32_t wait_error(void)
{
	uint64_t end = pv_time_ns() + 2000 * MS;

	while (!intf->error && pv_time_ns() < end)
		pv_sleep(10 * MS);
	return intf->error;
}

void main(void)
{
	uint64_t pfn = 0, p = 0;
	char mode[16];

	cmdline_get("mode", mode, sizeof(mode));
	if (!report(xs_init() == 0 &&
			    hvm_get_param(HVM_PARAM_STORE_PFN, &pfn) == 0 &&
			    hvm_get_param(HVM_PARAM_STORE_EVTCHN, &p) == 0,
		    "xs_init"))
		return;
	intf = (void *)(uintptr_t)(pfn << 12);
	port = (evtchn_port_t)p;
	watch_everything();
	if (strcmp(mode, "oversize") == 0) {
		struct xsd_sockmsg h = { .type = XS_WRITE, .len = 5000 };

		push(&h, sizeof(h));
		report_eq(wait_error(), XENSTORE_ERROR_COMM,
			  "a 5000-byte header: the connection is closed");
		return;
	}
	flood();
	intf->req_prod = intf->req_cons + 3 * XENSTORE_RING_SIZE;
	evtchn_send(port);
	report_eq(wait_error(), XENSTORE_ERROR_RINGIDX,
		  "req_prod 3 rings ahead: the connection is closed");
}
