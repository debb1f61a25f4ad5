/*
 * xs_local.c - the xenstore client's transport inside dom0 (lab 7):
 * guests/lib/xs.c's requests go straight to dom0's own daemon as domain
 * 0, so a backend calls the same xs.h in dom0 and in a driver domain.
 * Watch events for dom0 land in xs.c's queue at once.
 */
#include "dom0.h"
#include "xenstored.h"
#include <guests/lib/xs.h>
#include <guests/lib/pv.h>

_Static_assert(sizeof(struct xs_msg) == sizeof(struct xsd_msg),
	       "one message layout for both sides");

static struct xsd_conn *xs_local;

long xs_transport_init(void)
{
	if (!xs_local)
		xs_local = xsd_conn_open(0);
	return xs_local ? 0 : -XEN_ENOSPC;
}

long xs_transport(const struct xs_msg *req, struct xs_msg *rep)
{
	if (!xs_local)
		return -XEN_ENOENT;
	xsd_request(xs_local, (const struct xsd_msg *)req,
		    (struct xsd_msg *)rep);
	return 0;
}

static unsigned xs_local_seen; /* xs_events_count() as the wait began */

static bool xs_local_new_event(void)
{
	return xs_events_count() != xs_local_seen;
}

void xs_wait_event(uint64_t deadline_ns)
{
	xs_local_seen = xs_events_count();
	dom0_wait_until(xs_local_new_event, deadline_ns);
}
