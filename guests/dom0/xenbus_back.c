/*
 * xenbus_back.c - the xenbus side of a backend (lab 7, xenbus_back.h):
 * the device table, the watch on backend/TYPE, the handshake, and the
 * grant and channel set-up every backend does the same way.
 */
#include "xenbus_back.h"
#include <guests/lib/pv.h>
#include <guests/lib/gnttab.h>
#include <guests/lib/xs.h>

/* Rescans at least this often: the watch queue is shared by everyone in
 * the domain and drops events when full, so an event may be missed. */
#define XB_RESCAN_NS 200000000ull

void dom0_kick(evtchn_port_t port, void *arg);

static struct xb_dev *xb_at(const struct xb_backend *b, unsigned i)
{
	return (struct xb_dev *)((char *)b->devs + i * b->size);
}

bool xb_read(const struct xb_backend *b, const char *dir, const char *key,
	     char *buf, size_t len)
{
	char path[XB_PATH_MAX + 32];

	snprintf(path, sizeof(path), "%s/%s", dir, key);
	if (xs_read(0, path, buf, len) >= 0)
		return true;
	printf("%s: %s: no %s\n", b->name, dir, key);
	return false;
}

bool xb_read_int(const struct xb_backend *b, const char *dir, const char *key,
		 long *val)
{
	char path[XB_PATH_MAX + 32];
	long r;

	snprintf(path, sizeof(path), "%s/%s", dir, key);
	r = xs_read_int(0, path, val);
	if (r < 0)
		printf("%s: %s: %s\n", b->name, path,
		       r == -XEN_ENOENT ? "missing" : "not a number");
	return r >= 0;
}

long xb_write(const struct xb_dev *d, const char *key, const char *value)
{
	char path[XB_PATH_MAX + 32];

	snprintf(path, sizeof(path), "%s/%s", d->dir, key);
	return xs_write(0, path, value);
}

bool xb_map(const struct xb_backend *b, const struct xb_dev *d, const char *key,
	    void **slot, grant_handle_t *handle)
{
	long ref, r = GNTST_general_error;

	if (!xb_read_int(b, d->front, key, &ref))
		return false;
	*slot = gnttab_slot_alloc();
	if (*slot)
		r = gnttab_map(d->front_id, (grant_ref_t)ref, *slot, false,
			       handle);
	if (r == GNTST_okay)
		return true;
	printf("%s: %s/%s: grant %ld cannot be mapped (%ld)\n", b->name,
	       d->front, key, ref, r);
	if (*slot)
		gnttab_slot_free(*slot);
	*slot = NULL;
	return false;
}

void xb_unmap(void **slot, grant_handle_t handle)
{
	if (!*slot)
		return;
	gnttab_unmap(handle, *slot);
	gnttab_slot_free(*slot);
	*slot = NULL;
}

bool xb_bind(const struct xb_backend *b, struct xb_dev *d)
{
	long evtchn, r = -XEN_EINVAL;

	if (!xb_read_int(b, d->front, "event-channel", &evtchn))
		return false;
	if (evtchn > 0)
		r = evtchn_bind_interdomain(d->front_id, (evtchn_port_t)evtchn,
					    dom0_kick, NULL);
	if (r < 0) {
		printf("%s: %s: event-channel %ld cannot be bound (%ld)\n",
		       b->name, d->front, evtchn, r);
		return false;
	}
	d->port = (evtchn_port_t)r;
	return true;
}

bool xb_alive(const struct xb_dev *d)
{
	struct evtchn_status st;

	return evtchn_status(d->port, &st) == 0 &&
	       st.status == EVTCHNSTAT_interdomain;
}

/* Reads d's keys and offers it: InitWait, or Closed. */
static void xb_open(struct xb_backend *b, struct xb_dev *d)
{
	char path[XB_PATH_MAX + 8];

	if (!xb_read(b, d->dir, "frontend", d->front, sizeof(d->front)) ||
	    !b->open(d)) {
		xenbus_switch_state(d->dir, XenbusStateClosed);
		return;
	}
	d->offered = true;
	snprintf(path, sizeof(path), "%s/state", d->front);
	xs_watch(path, b->type);
	xenbus_switch_state(d->dir, XenbusStateInitWait);
}

/*
 * Follows d's frontend: connects, disconnects, offers d again.  A
 * frontend that is Closing finds the backend Closing until it moves on
 * (Linux's frontends, shutting down, wait for exactly that).  Writes
 * nothing once d's directory is gone: a write would create it again.
 */
static void xb_step(struct xb_backend *b, struct xb_dev *d)
{
	long front = xenbus_read_state(d->front);
	long mine = xenbus_read_state(d->dir);

	if (d->connected &&
	    (b->broken(d) || front < 0 || front >= XenbusStateClosing)) {
		b->disconnect(d);
		d->connected = false;
		if (mine >= 0)
			xenbus_switch_state(d->dir,
					    front == XenbusStateClosing ?
						    XenbusStateClosing :
						    XenbusStateClosed);
	} else if (mine == XenbusStateClosing && front != XenbusStateClosing) {
		xenbus_switch_state(d->dir, XenbusStateClosed);
	} else if (!d->connected && mine == XenbusStateInitWait &&
		   (front == XenbusStateInitialised ||
		    front == XenbusStateConnected)) {
		d->connected = b->connect(d);
		xenbus_switch_state(d->dir, d->connected ?
						    XenbusStateConnected :
						    XenbusStateClosed);
	} else if (!d->connected && mine == XenbusStateClosed && d->offered &&
		   front == XenbusStateInitialising) {
		xenbus_switch_state(d->dir, XenbusStateInitWait);
	}
}

/* Forgets d, whose directory is gone. */
static void xb_free(struct xb_backend *b, struct xb_dev *d)
{
	char path[XB_PATH_MAX + 8];

	if (d->connected)
		b->disconnect(d);
	if (b->release)
		b->release(d);
	snprintf(path, sizeof(path), "%s/state", d->front);
	if (d->front[0])
		xs_unwatch(path, b->type);
	memset(d, 0, b->size);
}

/* The device of frontend front, id: known or new; NULL when the table is
 * full (logged once). */
static struct xb_dev *xb_find(struct xb_backend *b, unsigned front, unsigned id)
{
	struct xb_dev *free = NULL;

	for (unsigned i = 0; i < b->n; i++) {
		struct xb_dev *d = xb_at(b, i);

		if (d->used && d->front_id == front && d->id == id)
			return d;
		if (!d->used && !free)
			free = d;
	}
	if (!free) {
		if (!b->told_full)
			printf("%s: dom %u %s %u: more than %u devices\n",
			       b->name, front, b->type, id, b->n);
		b->told_full = true;
		return NULL;
	}
	free->used = true;
	free->front_id = (domid_t)front;
	free->id = id;
	snprintf(free->dir, sizeof(free->dir), "%s/%u/%u", b->base, front, id);
	xb_open(b, free);
	return free;
}

/* The decimal number s (a domid or an id), or -1 if it is not one. */
static long xb_num(const char *s)
{
	long v = 0;

	if (!*s || strlen(s) > 9)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v;
}

/* Brings the devices in line with backend/TYPE and their frontends. */
static void xb_scan(struct xb_backend *b)
{
	char fronts[256], path[XB_PATH_MAX], ids[256];
	long n = xs_directory(0, b->base, fronts, sizeof(fronts));

	for (unsigned i = 0; i < b->n; i++)
		xb_at(b, i)->listed = false;
	for (const char *f = fronts; n > 0; n--, f += strlen(f) + 1) {
		long front = xb_num(f), k = 0;

		snprintf(path, sizeof(path), "%s/%s", b->base, f);
		if (front >= 0 && front < DOMID_FIRST_RESERVED)
			k = xs_directory(0, path, ids, sizeof(ids));
		for (const char *id = ids; k > 0; k--, id += strlen(id) + 1) {
			long i = xb_num(id);
			struct xb_dev *d;

			if (i >= 0 &&
			    (d = xb_find(b, (unsigned)front, (unsigned)i)))
				d->listed = true;
		}
	}
	for (unsigned i = 0; i < b->n; i++) {
		struct xb_dev *d = xb_at(b, i);

		if (d->used && !d->listed)
			xb_free(b, d);
		else if (d->used)
			xb_step(b, d);
	}
}

/* Sets up the grant slots, finds this domain's backend/TYPE and watches
 * it; 0 or -XEN_E*. */
static long xb_start(struct xb_backend *b)
{
	char dom[48];
	long me = pv_boot.privileged ? 0 : pv_domid();
	long r = me < 0 ? me : gnttab_init();

	if (r >= 0)
		r = xs_get_domain_path((domid_t)me, dom, sizeof(dom));
	if (r >= 0) {
		snprintf(b->base, sizeof(b->base), "%s/backend/%s", dom,
			 b->type);
		r = xs_watch(b->base, b->type);
	}
	if (r < 0)
		printf("%s: cannot watch backend/%s: %ld\n", b->name, b->type,
		       r);
	else if (b->start)
		b->start();
	return r;
}

bool xb_poll(struct xb_backend *b)
{
	char path[XB_PATH_MAX];
	bool did = false;

	if (!b->started)
		b->started = xb_start(b) < 0 ? -1 : 1;
	if (b->started < 0)
		return false;
	/* Only its own events: the toolstack and the other backends share
	 * the queue. */
	while (xs_watch_take(b->type, path, sizeof(path)))
		b->rescan = true;
	if (b->rescan || pv_time_ns() - b->scanned_ns > XB_RESCAN_NS) {
		b->rescan = false;
		b->scanned_ns = pv_time_ns();
		xb_scan(b);
	}
	for (unsigned i = 0; i < b->n; i++) {
		struct xb_dev *d = xb_at(b, i);

		if (d->connected && !b->broken(d))
			did |= b->serve(d);
		if (d->connected && b->broken(d))
			b->rescan = did = true;
	}
	return did;
}
