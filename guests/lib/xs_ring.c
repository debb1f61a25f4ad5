/*
 * xs_ring.c - the xenstore client's transport in a domU (lab 7): the
 * ring page and event channel the domain builder announced as
 * HVM_PARAM_STORE_PFN / HVM_PARAM_STORE_EVTCHN.  Requests go out whole;
 * incoming messages are assembled as bytes arrive (a reply may be larger
 * than the ring), watch events queued, the reply handed back.
 */
#include <guests/lib/xs.h>
#include <guests/lib/xs_ring.h>
#include <guests/lib/pv.h>

#define XS_TIMEOUT_NS (60 * 1000000000ULL) /* a dead daemon: fail, not hang */

static struct xenstore_domain_interface *xs_intf;
static evtchn_port_t xs_port;
static volatile int xs_kicked;
static struct xs_msg xs_in; /* the message being assembled */
static size_t xs_in_have;   /* its bytes so far */

static void xs_on_event(evtchn_port_t port, void *arg)
{
	xs_kicked = 1;
}

long xs_transport_init(void)
{
	uint64_t pfn = 0, port = 0;
	long r = hvm_get_param(HVM_PARAM_STORE_PFN, &pfn);

	if (r == 0)
		r = hvm_get_param(HVM_PARAM_STORE_EVTCHN, &port);
	if (r < 0)
		return r;
	if (pfn == 0)
		return -XEN_ENOENT;
	xs_intf = (struct xenstore_domain_interface *)(uintptr_t)(pfn << 12);
	xs_port = (evtchn_port_t)port;
	evtchn_bind(xs_port, xs_on_event, NULL);
	return 0;
}

/*
 * Reads what has arrived into xs_in: 1 once a whole message is there,
 * 0 if not yet, -XEN_EIO for a broken ring or header.
 */
static long xs_assemble(void)
{
	size_t want = sizeof(xs_in.h);
	long n;

	for (;;) {
		if (xs_in_have >= sizeof(xs_in.h)) {
			if (xs_in.h.len > XENSTORE_PAYLOAD_MAX)
				return -XEN_EIO;
			want = sizeof(xs_in.h) + xs_in.h.len;
		}
		if (xs_in_have == want)
			return 1;
		n = xs_ring_get(xs_intf->rsp, &xs_intf->rsp_prod,
				&xs_intf->rsp_cons, (char *)&xs_in + xs_in_have,
				want - xs_in_have);
		if (n < 0)
			return -XEN_EIO;
		if (n == 0)
			return 0;
		xs_in_have += (size_t)n;
		evtchn_send(xs_port);
	}
}

/*
 * Takes in the messages that have arrived: watch events are queued, the
 * reply to req_id copied to *rep.  1 when that reply came, 0 if not yet,
 * or -XEN_EIO.
 */
static long xs_poll(uint32_t req_id, struct xs_msg *rep)
{
	long r;

	while ((r = xs_assemble()) == 1) {
		xs_in_have = 0;
		if (xs_in.h.type == XS_WATCH_EVENT) {
			const char *path = xs_in.body;
			size_t plen = strnlen(path, xs_in.h.len);

			if (plen + 1 < xs_in.h.len &&
			    strnlen(path + plen + 1, xs_in.h.len - plen - 1) <
				    xs_in.h.len - plen - 1)
				xs_queue_event(path, path + plen + 1);
		} else if (rep && xs_in.h.req_id == req_id) {
			*rep = xs_in;
			return 1;
		}
	}
	return r;
}

/* Sends len bytes, waiting for room; 0 or -XEN_E*. */
static long xs_send(const void *data, size_t len, uint64_t deadline)
{
	const char *p = data;
	long n;

	while (len) {
		xs_kicked = 0;
		n = xs_ring_put(xs_intf->req, &xs_intf->req_prod,
				&xs_intf->req_cons, p, len);
		if (n < 0)
			return -XEN_EIO;
		if (n > 0)
			evtchn_send(xs_port);
		p += n;
		len -= (size_t)n;
		/* The daemon may wait for us to take its events first. */
		if (n == 0 && xs_poll(0, NULL) < 0)
			return -XEN_EIO;
		if (n == 0 && !pv_block_until(&xs_kicked, deadline))
			return -XEN_ETIME;
	}
	return 0;
}

long xs_transport(const struct xs_msg *req, struct xs_msg *rep)
{
	uint64_t deadline = pv_time_ns() + XS_TIMEOUT_NS;
	long r;

	if (!xs_intf)
		return -XEN_ENOENT;
	r = xs_send(req, sizeof(req->h) + req->h.len, deadline);
	while (r == 0) {
		xs_kicked = 0;
		r = xs_poll(req->h.req_id, rep);
		if (r == 0 && !pv_block_until(&xs_kicked, deadline))
			r = -XEN_ETIME;
	}
	return r < 0 ? r : 0;
}

void xs_wait_event(uint64_t deadline_ns)
{
	unsigned seen = xs_events_count();

	while (xs_intf && xs_events_count() == seen &&
	       pv_time_ns() < deadline_ns) {
		xs_kicked = 0;
		if (xs_poll(0, NULL) < 0)
			return;
		if (xs_events_count() == seen)
			pv_block_until(&xs_kicked, deadline_ns);
	}
}
