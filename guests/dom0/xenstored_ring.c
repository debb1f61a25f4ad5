/*
 * xenstored_ring.c - dom0's xenstore daemon's transport (lab 7): each
 * introduced domain's ring page (guests/lib/io/xs_wire.h), mapped into
 * one of dom0's absent frames with XENMEM_add_to_physmap_batch
 * (XENMAPSPACE_gmfn_foreign), and an interdomain event channel to it.
 *
 * The page is the guest's to scribble on, so nothing read from it is
 * trusted: indices that cannot be, or a header longer than
 * XENSTORE_PAYLOAD_MAX, close the connection (the page's error field
 * says why, a log line names the domain); a domain gets at most
 * XSD_QUOTA_REQUESTS requests served per poll, and a new one only once
 * its previous reply and events have left, so a client that floods or
 * never reads stalls only itself.
 */
#include "dom0.h"
#include "xenstored.h"
#include <guests/lib/xs.h>
#include <guests/lib/xs_ring.h>
#include <guests/lib/pv.h>

#define XSD_EVENTS 16 /* watch events waiting per domain */

struct xsd_ring {
	struct xsd_conn *conn; /* NULL: slot free */
	struct xenstore_domain_interface *intf;
	evtchn_port_t port;
	bool broken;
	struct xsd_msg in, out;
	size_t in_have, out_len, out_sent;
	unsigned ev_head, ev_tail; /* free-running */
	struct {
		char path[XSD_PATH_MAX], token[XSD_TOKEN_MAX];
	} ev[XSD_EVENTS];
};

static struct xsd_ring xsd_rings[XSD_CONNS];
/* Where the rings are mapped: frames given back at start-up. */
static uint8_t xsd_pages[XSD_CONNS][4096] __attribute__((aligned(4096)));
static bool xsd_pages_absent;

/* Maps dom's frame gfn at slot i's page; 0 or -XEN_E*. */
static long xsd_map(int i, domid_t dom, uint64_t gfn)
{
	long r = xsd_pages_absent ? 0 :
				    dom0_frames_release(xsd_pages, XSD_CONNS);

	xsd_pages_absent = r == 0;
	return r < 0 ? r : dom0_map_foreign(dom, gfn, xsd_pages[i]);
}

static void xsd_unmap(int i)
{
	dom0_unmap(xsd_pages[i]);
}

long xsd_introduce(domid_t dom, uint64_t gfn, uint32_t port)
{
	struct xsd_ring *ring = NULL;
	long r;
	int i;

	for (i = 0; i < XSD_CONNS && !ring; i++)
		if (!xsd_rings[i].conn)
			ring = &xsd_rings[i];
	if (!ring)
		return -XEN_ENOSPC;
	i = (int)(ring - xsd_rings);
	r = xsd_map(i, dom, gfn);
	if (r < 0)
		return r;
	r = evtchn_bind_interdomain(dom, port, dom0_kick, NULL);
	if (r < 0) {
		xsd_unmap(i);
		return r;
	}
	*ring = (struct xsd_ring){ .intf = (void *)xsd_pages[i],
				   .port = (evtchn_port_t)r,
				   .conn = xsd_conn_open(dom) };
	if (!ring->conn) {
		evtchn_close(ring->port);
		xsd_unmap(i);
		return -XEN_ENOSPC;
	}
	ring->conn->transport = ring;
	return 0;
}

long xsd_release(domid_t dom)
{
	struct xsd_conn *conn = xsd_conn_find(dom);
	struct xsd_ring *ring = conn ? conn->transport : NULL;

	if (!ring)
		return -XEN_ENOENT;
	evtchn_close(ring->port);
	xsd_unmap((int)(ring - xsd_rings));
	xsd_conn_close(conn);
	ring->conn = NULL;
	return 0;
}

bool xsd_send_event(struct xsd_conn *conn, const char *path, const char *token)
{
	struct xsd_ring *ring = conn->transport;

	if (!ring) {
		xs_queue_event(path, token);
		return true;
	}
	if (ring->ev_tail - ring->ev_head == XSD_EVENTS)
		return false;
	strlcpy(ring->ev[ring->ev_tail % XSD_EVENTS].path, path, XSD_PATH_MAX);
	strlcpy(ring->ev[ring->ev_tail % XSD_EVENTS].token, token,
		XSD_TOKEN_MAX);
	ring->ev_tail++;
	return true;
}

/* Stops serving ring: the page's error field and dom0's log say why. */
static void xsd_break(struct xsd_ring *ring, uint32_t error, const char *why)
{
	printf("xenstored: domain %u: %s; connection closed\n", ring->conn->dom,
	       why);
	ring->intf->error = error;
	ring->broken = true;
	xsd_conn_reset(ring->conn);
}

/* Puts the next queued event in ring->out. */
static void xsd_next_event(struct xsd_ring *ring)
{
	const char *path = ring->ev[ring->ev_head % XSD_EVENTS].path;
	const char *token = ring->ev[ring->ev_head % XSD_EVENTS].token;
	size_t pl = strlen(path) + 1, tl = strlen(token) + 1;

	ring->out.h = (struct xsd_sockmsg){ .type = XS_WATCH_EVENT,
					    .len = (uint32_t)(pl + tl) };
	memcpy(ring->out.body, path, pl);
	memcpy(ring->out.body + pl, token, tl);
	ring->out_len = sizeof(ring->out.h) + pl + tl;
	ring->out_sent = 0;
	ring->ev_head++;
}

/* Sends what ring->out and the event queue hold while there is room;
 * true if bytes moved. */
static bool xsd_flush(struct xsd_ring *ring)
{
	bool moved = false;
	long n;

	for (;;) {
		if (ring->out_sent == ring->out_len) {
			if (ring->ev_head == ring->ev_tail)
				return moved;
			xsd_next_event(ring);
		}
		n = xs_ring_put(ring->intf->rsp, &ring->intf->rsp_prod,
				&ring->intf->rsp_cons,
				(char *)&ring->out + ring->out_sent,
				ring->out_len - ring->out_sent);
		if (n < 0) {
			xsd_break(ring, XENSTORE_ERROR_RINGIDX,
				  "response ring indices out of range");
			return moved;
		}
		if (n == 0)
			return moved;
		ring->out_sent += (size_t)n;
		moved = true;
	}
}

/* Reads the next request into ring->in; 1 once it is whole, 0 if not
 * yet, -1 after breaking the connection. */
static int xsd_read_request(struct xsd_ring *ring)
{
	size_t want = sizeof(ring->in.h);
	long n;

	for (;;) {
		if (ring->in_have >= sizeof(ring->in.h)) {
			if (ring->in.h.len > XENSTORE_PAYLOAD_MAX) {
				xsd_break(ring, XENSTORE_ERROR_COMM,
					  "request longer than 4096 bytes");
				return -1;
			}
			want = sizeof(ring->in.h) + ring->in.h.len;
		}
		if (ring->in_have == want)
			return 1;
		n = xs_ring_get(ring->intf->req, &ring->intf->req_prod,
				&ring->intf->req_cons,
				(char *)&ring->in + ring->in_have,
				want - ring->in_have);
		if (n < 0) {
			xsd_break(ring, XENSTORE_ERROR_RINGIDX,
				  "request ring indices out of range");
			return -1;
		}
		if (n == 0)
			return 0;
		ring->in_have += (size_t)n;
	}
}

/* Serves up to XSD_QUOTA_REQUESTS of ring's requests; true if it did
 * anything. */
static bool xsd_serve_ring(struct xsd_ring *ring)
{
	struct xenstore_domain_interface *intf = ring->intf;
	XENSTORE_RING_IDX cons;
	bool work;
	unsigned served = 0;

	/* Checked at every poll, not only when bytes move: a stalled
	 * connection is still one to close. */
	if (intf->req_prod - intf->req_cons > XENSTORE_RING_SIZE ||
	    intf->rsp_prod - intf->rsp_cons > XENSTORE_RING_SIZE) {
		xsd_break(ring, XENSTORE_ERROR_RINGIDX,
			  "ring indices out of range");
		return true;
	}
	cons = intf->req_cons;
	work = xsd_flush(ring);

	while (!ring->broken && served < XSD_QUOTA_REQUESTS &&
	       ring->out_sent == ring->out_len &&
	       ring->ev_head == ring->ev_tail && xsd_read_request(ring) == 1) {
		ring->in_have = 0;
		xsd_request(ring->conn, &ring->in, &ring->out);
		ring->out_len = sizeof(ring->out.h) + ring->out.h.len;
		ring->out_sent = 0;
		served++;
		xsd_flush(ring);
	}
	/* Consumed bytes of a long request are room the client waits for. */
	work |= served || intf->req_cons != cons;
	if (work)
		evtchn_send(ring->port);
	return work;
}

bool xenstored_poll(void)
{
	bool work = false;

	/* A dead domain's page may be unmapped under us: the toolstack
	 * releases it first. */
	for (int i = 0; i < XSD_CONNS && !toolstack_deaths_pending(); i++)
		if (xsd_rings[i].conn && !xsd_rings[i].broken)
			work |= xsd_serve_ring(&xsd_rings[i]);
	return work;
}
