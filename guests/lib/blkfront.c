/*
 * blkfront.c - the block frontend (lab 7; Xen's io/blkif.h, the xenbus
 * handshake of LINUX-XEN.md §3).  Each request grants its data pages to
 * the backend (read-only for writes) and ends the grants when the
 * response comes; the ring page is granted once per connection.  A
 * request's id is its slot in bf->req, so ids never collide.
 */
#include <guests/lib/blkfront.h>
#include <guests/lib/ring.h>
#include <guests/lib/gnttab.h>
#include <guests/lib/xs.h>
#include <guests/lib/pv.h>

#define PAGE		      4096u
#define BLKFRONT_POLL_NS      50000000ull /* the backend's state checked */
#define BLKFRONT_HANDSHAKE_NS 10000000000ull

static uint8_t blkfront_pages[3][PAGE] __attribute__((aligned(4096)));
static unsigned blkfront_npages;

static void blkfront_event(evtchn_port_t port, void *arg)
{
	((struct blkfront *)arg)->event = 1;
}

/* Reads bf->backend/key as a number; dflt when missing. */
static uint64_t blkfront_key(struct blkfront *bf, const char *key, long dflt)
{
	char path[96];
	long v;

	snprintf(path, sizeof(path), "%s/%s", bf->backend, key);
	return xs_read_int(0, path, &v) == 0 ? (uint64_t)v : (uint64_t)dflt;
}

/* Writes ring-ref, event-channel and protocol, and Initialised, in one
 * transaction (retried on conflict). */
static long blkfront_publish(struct blkfront *bf)
{
	char path[80];
	xs_txn_t t;
	long r;

	do {
		if ((r = xs_transaction_start(&t)) < 0)
			return r;
		snprintf(path, sizeof(path), "%s/ring-ref", bf->dir);
		xs_printf(t, path, "%u", bf->ring_ref);
		snprintf(path, sizeof(path), "%s/event-channel", bf->dir);
		xs_printf(t, path, "%u", bf->port);
		snprintf(path, sizeof(path), "%s/protocol", bf->dir);
		xs_write(t, path, XEN_IO_PROTO_ABI_X86_64);
		snprintf(path, sizeof(path), "%s/request-notify-each", bf->dir);
		if (bf->notify_each) /* lab 8's slow backend */
			xs_write(t, path, "1");
		snprintf(path, sizeof(path), "%s/state", bf->dir);
		xs_printf(t, path, "%u", XenbusStateInitialised);
		r = xs_transaction_end(t, false);
	} while (r == -XEN_EAGAIN);
	return r;
}

/* Grants the ring and allocates the channel, publishes them, and waits
 * for Connected: 0 or -XEN_E* (logged). */
static long blkfront_connect(struct blkfront *bf)
{
	long r = xenbus_wait_state(bf->backend, XenbusStateInitWait,
				   BLKFRONT_HANDSHAKE_NS);

	if (r < 0)
		return printf("blkfront: %s: backend not in InitWait\n",
			      bf->dir),
		       r;
	bf->sectors = blkfront_key(bf, "sectors", 0);
	bf->sector_size = (unsigned)blkfront_key(bf, "sector-size", 512);
	bf->info = (unsigned)blkfront_key(bf, "info", 0);
	bf->flush = blkfront_key(bf, "feature-flush-cache", 0);
	bf->discard = blkfront_key(bf, "feature-discard", 0);
	SHARED_RING_INIT(bf->sring);
	FRONT_RING_INIT(&bf->ring, bf->sring, PAGE);
	memset(bf->req, 0, sizeof(bf->req));
	if ((r = gnttab_grant(bf->backend_id, (uintptr_t)bf->sring / PAGE,
			      false)) < 0)
		return printf("blkfront: %s: ring grant: %ld\n", bf->dir, r), r;
	bf->ring_ref = (grant_ref_t)r;
	if ((r = evtchn_alloc_unbound(bf->backend_id)) < 0)
		return printf("blkfront: %s: channel: %ld\n", bf->dir, r), r;
	bf->port = (evtchn_port_t)r;
	evtchn_bind(bf->port, blkfront_event, bf);
	if ((r = blkfront_publish(bf)) < 0 ||
	    (r = xenbus_wait_state(bf->backend, XenbusStateConnected,
				   BLKFRONT_HANDSHAKE_NS)) < 0)
		return printf("blkfront: %s: backend did not connect: %ld\n",
			      bf->dir, r),
		       r;
	bf->dead = false;
	return 0;
}

/* Reads the frontend directory's backend and backend-id: 0 or -XEN_E*. */
static long blkfront_backend(struct blkfront *bf)
{
	char path[80];
	long r, id;

	snprintf(path, sizeof(path), "%s/backend", bf->dir);
	if ((r = xs_read(0, path, bf->backend, sizeof(bf->backend))) < 0)
		return printf("blkfront: %s: no backend\n", bf->dir), r;
	snprintf(path, sizeof(path), "%s/backend-id", bf->dir);
	if ((r = xs_read_int(0, path, &id)) < 0)
		return printf("blkfront: %s: no backend-id\n", bf->dir), r;
	bf->backend_id = (domid_t)id;
	return 0;
}

long blkfront_init(struct blkfront *bf, unsigned devid)
{
	char dom[40];
	bool each = bf->notify_each;
	long r;

	memset(bf, 0, sizeof(*bf));
	bf->suppress = true;
	bf->notify_each = each;
	if (blkfront_npages == ARRAY_SIZE(blkfront_pages))
		return -XEN_ENOSPC;
	bf->sring = (struct blkif_sring *)blkfront_pages[blkfront_npages++];
	if ((r = pv_domid()) < 0 ||
	    (r = xs_get_domain_path((domid_t)r, dom, sizeof(dom))) < 0)
		return r;
	snprintf(bf->dir, sizeof(bf->dir), "%s/device/vbd/%u", dom, devid);
	if ((r = blkfront_backend(bf)) < 0)
		return r;
	return blkfront_connect(bf);
}

/* Fails every outstanding request: the backend is gone. */
static void blkfront_fail_all(struct blkfront *bf)
{
	bf->dead = true;
	for (unsigned i = 0; i < BLKFRONT_RING_SIZE; i++)
		if (bf->req[i].busy && !bf->req[i].done) {
			bf->req[i].done = true;
			bf->req[i].status = BLKIF_RSP_ERROR;
		}
}

/* Ends the ring's grant and the channel of the last connection. */
static void blkfront_release(struct blkfront *bf)
{
	evtchn_close(bf->port);
	gnttab_end(bf->ring_ref);
	for (unsigned i = 0; i < BLKFRONT_RING_SIZE; i++)
		for (unsigned s = 0; bf->req[i].busy && s < bf->req[i].nseg;
		     s++)
			gnttab_end(bf->req[i].gref[s]);
	memset(bf->req, 0, sizeof(bf->req));
}

void blkfront_close(struct blkfront *bf)
{
	xenbus_switch_state(bf->dir, XenbusStateClosing);
	blkfront_fail_all(bf);
	blkfront_release(bf);
	xenbus_switch_state(bf->dir, XenbusStateClosed);
}

long blkfront_reconnect(struct blkfront *bf, uint64_t timeout_ns)
{
	uint64_t deadline = pv_time_ns() + timeout_ns;
	long s;

	blkfront_release(bf);
	xenbus_switch_state(bf->dir, XenbusStateInitialising);
	/* The backend may come back elsewhere (a new driver domain). */
	while (blkfront_backend(bf) < 0 ||
	       (s = xenbus_read_state(bf->backend)) != XenbusStateInitWait) {
		if (pv_time_ns() >= deadline)
			return -XEN_ETIMEDOUT;
		pv_sleep(BLKFRONT_POLL_NS);
	}
	return blkfront_connect(bf);
}

/* Grants buf's pages to the backend as r's segments; the sector count or
 * -XEN_E*.  Ends what it granted on failure. */
static long blkfront_segments(struct blkfront *bf, struct blkif_request *r,
			      struct blkfront_req *q, uintptr_t buf,
			      unsigned nsect, bool readonly)
{
	unsigned n = 0;

	for (q->nseg = 0; n < nsect; q->nseg++) {
		unsigned first = (unsigned)(buf % PAGE) / BLKIF_SECTOR_SIZE;
		unsigned cnt = MIN(nsect - n, BLKIF_SECTORS_PAGE - first);
		long ref;

		if (q->nseg == BLKIF_MAX_SEGMENTS_PER_REQUEST ||
		    (ref = gnttab_grant(bf->backend_id, buf / PAGE, readonly)) <
			    0) {
			while (q->nseg)
				gnttab_end(q->gref[--q->nseg]);
			return -XEN_E2BIG;
		}
		q->gref[q->nseg] = (grant_ref_t)ref;
		r->seg[q->nseg] = (struct blkif_request_segment){
			(grant_ref_t)ref, (uint8_t)first,
			(uint8_t)(first + cnt - 1)
		};
		n += cnt;
		buf += cnt * BLKIF_SECTOR_SIZE;
	}
	return n;
}

/* The free request slot, or NULL. */
static struct blkfront_req *blkfront_slot(struct blkfront *bf)
{
	for (unsigned i = 0; i < BLKFRONT_RING_SIZE; i++)
		if (!bf->req[i].busy)
			return &bf->req[i];
	return NULL;
}

long blkfront_submit(struct blkfront *bf, uint8_t op, uint64_t sector,
		     void *buf, unsigned nsect)
{
	struct blkfront_req *q = blkfront_slot(bf);
	struct blkif_request *r;
	long n = 0;

	if (bf->dead)
		return -XEN_ENODEV;
	if (RING_FULL(&bf->ring) || !q)
		return -XEN_EAGAIN;
	if ((op == BLKIF_OP_READ || op == BLKIF_OP_WRITE) &&
	    (!nsect || (uintptr_t)buf % BLKIF_SECTOR_SIZE))
		return -XEN_EINVAL;
	r = RING_GET_REQUEST(&bf->ring, bf->ring.req_prod_pvt);
	memset(r, 0, sizeof(*r));
	r->operation = op;
	r->id = (uint64_t)(q - bf->req);
	r->sector_number = sector;
	q->nseg = 0;
	if (op == BLKIF_OP_DISCARD) {
		((struct blkif_request_discard *)r)->nr_sectors = nsect;
	} else if (nsect) {
		n = blkfront_segments(bf, r, q, (uintptr_t)buf, nsect,
				      op != BLKIF_OP_READ);
		if (n < (long)nsect)
			return n < 0 ? n : -XEN_E2BIG;
		r->nr_segments = q->nseg;
	}
	q->busy = true;
	q->done = false;
	q->op = op;
	bf->ring.req_prod_pvt++;
	return (long)r->id;
}

void blkfront_push(struct blkfront *bf)
{
	bool notify = RING_PUSH_NOTIFY(&bf->ring);

	bf->pushes++;
	if (notify || !bf->suppress) {
		bf->notifies++;
		evtchn_send(bf->port);
	}
}

/* Takes the responses on the ring; whether there were any. */
static bool blkfront_collect(struct blkfront *bf)
{
	bool any = false;
	int more;

	do {
		RING_IDX rp = bf->ring.sring->rsp_prod;

		xen_rmb(); /* the responses after the index covering them */
		if (RING_RESPONSE_PROD_OVERFLOW(&bf->ring, rp)) {
			printf("blkfront: %s: backend's rsp_prod %u is wild\n",
			       bf->dir, rp);
			blkfront_fail_all(bf);
			return true;
		}
		for (; bf->ring.rsp_cons != rp; bf->ring.rsp_cons++) {
			struct blkif_response rsp;
			RING_COPY_RESPONSE(&bf->ring, bf->ring.rsp_cons, &rsp);
			if (rsp.id < BLKFRONT_RING_SIZE &&
			    bf->req[rsp.id].busy) {
				bf->req[rsp.id].done = true;
				bf->req[rsp.id].status = rsp.status;
				any = true;
			}
		}
		RING_FINAL_CHECK_FOR_RESPONSES(&bf->ring, more);
	} while (more);
	return any;
}

/* Whether the backend has left (Closing, Closed, its directory gone). */
static bool blkfront_backend_gone(struct blkfront *bf)
{
	long s = xenbus_read_state(bf->backend);

	return s < 0 || s >= XenbusStateClosing;
}

/* -XEN_E* for a response status. */
static long blkfront_errno(struct blkfront *bf, uint8_t op, int16_t status)
{
	if (status == BLKIF_RSP_OKAY)
		return 0;
	if (bf->dead)
		return -XEN_ENODEV;
	if (status == BLKIF_RSP_EOPNOTSUPP)
		return -XEN_EOPNOTSUPP;
	if (op != BLKIF_OP_READ && (bf->info & VDISK_READONLY))
		return -XEN_EROFS;
	return -XEN_EIO;
}

long blkfront_complete(struct blkfront *bf, long id)
{
	struct blkfront_req *q = &bf->req[id];
	uint64_t deadline = pv_time_ns() + BLKFRONT_TIMEOUT_NS;
	long r;

	while (!q->done) {
		bf->event = 0;
		if (blkfront_collect(bf))
			continue;
		if (pv_time_ns() >= deadline) {
			printf("blkfront: %s: no response in %llu ms\n",
			       bf->dir, BLKFRONT_TIMEOUT_NS / 1000000);
			blkfront_fail_all(bf);
			for (unsigned s = 0; s < q->nseg; s++)
				gnttab_end(q->gref[s]);
			q->busy = false;
			return -XEN_ETIMEDOUT;
		}
		if (!pv_block_until(&bf->event,
				    MIN(deadline,
					pv_time_ns() + BLKFRONT_POLL_NS)) &&
		    blkfront_backend_gone(bf))
			blkfront_fail_all(bf);
	}
	r = blkfront_errno(bf, q->op, q->status);
	for (unsigned s = 0; s < q->nseg; s++)
		if (gnttab_end(q->gref[s]) < 0 && !bf->dead)
			printf("blkfront: %s: grant %u still in use\n", bf->dir,
			       q->gref[s]);
	q->busy = false;
	return r;
}

/* The sectors of the next request of an I/O at buf: what 11 pages from
 * buf's sector in its page hold. */
static unsigned blkfront_chunk(uintptr_t buf, uint64_t left)
{
	unsigned first = (unsigned)(buf % PAGE) / BLKIF_SECTOR_SIZE;

	return (unsigned)MIN(left, BLKFRONT_MAX_SECTORS - first);
}

long blkfront_io(struct blkfront *bf, uint8_t op, uint64_t sector, void *buf,
		 uint64_t nsect)
{
	long ids[BLKFRONT_RING_SIZE], err = 0, id;
	unsigned head = 0, tail = 0;
	uint64_t done = 0;
	bool data = op == BLKIF_OP_READ || op == BLKIF_OP_WRITE;

	if (!data) /* a flush or a discard: one request */
		return (id = blkfront_submit(bf, op, sector, buf,
					     (unsigned)nsect)) < 0 ?
			       id :
			       (blkfront_push(bf), blkfront_complete(bf, id));
	while (done < nsect || head != tail) {
		unsigned queued = tail - head;
		while (done < nsect && !err) {
			uintptr_t p = (uintptr_t)buf + done * BLKIF_SECTOR_SIZE;
			unsigned n = blkfront_chunk(p, nsect - done);
			if ((id = blkfront_submit(bf, op, sector + done,
						  (void *)p, n)) == -XEN_EAGAIN)
				break;
			if (id < 0)
				err = id;
			else
				ids[tail++ % BLKFRONT_RING_SIZE] = id,
					     done += n;
		}
		if (tail - head != queued)
			blkfront_push(bf);
		if (head == tail)
			break;
		if ((id = blkfront_complete(
			     bf, ids[head++ % BLKFRONT_RING_SIZE])) &&
		    !err)
			err = id;
		if (err)
			done = nsect; /* collect what is out, submit no more */
	}
	return err;
}

/* The slow path: one blkfront_io per piece, each pushed and waited for,
 * so every piece costs the backend a wakeup and us an event. */
static long blkfront_iov_each(struct blkfront *bf, uint8_t op,
			      const struct blkfront_vec *v, unsigned n)
{
	long err = 0, r;

	for (unsigned i = 0; i < n; i++)
		if ((r = blkfront_io(bf, op, v[i].sector, v[i].buf,
				     v[i].nsect)) &&
		    !err)
			err = r;
	return err;
}

long blkfront_iov(struct blkfront *bf, uint8_t op, const struct blkfront_vec *v,
		  unsigned n, bool batch)
{
	if (!batch)
		return blkfront_iov_each(bf, op, v, n);
#if SOL >= 8
	long ids[BLKFRONT_RING_SIZE], err = 0, id;
	unsigned next = 0, queued = 1;

	while (next < n && !err && queued) {
		/* As many pieces as the ring takes, then one push: at most
		 * one event for the whole batch. */
		for (queued = 0; next < n && queued < BLKFRONT_RING_SIZE;) {
			id = blkfront_submit(bf, op, v[next].sector,
					     v[next].buf, v[next].nsect);
			if (id == -XEN_EAGAIN)
				break;
			if (id < 0) {
				err = id;
				break;
			}
			ids[queued++] = id;
			next++;
		}
		if (queued)
			blkfront_push(bf);
		/* The whole batch back before the next one: every request
		 * out is collected, even after an error. */
		for (unsigned i = 0; i < queued; i++)
			if ((id = blkfront_complete(bf, ids[i])) && !err)
				err = id;
	}
	/* A ring the caller's own requests keep full. */
	return err ? err : next < n ? -XEN_EAGAIN : 0;
#else
	/* LAB 8: your code here.  Submit as many pieces as the ring
	 * takes (blkfront_submit says -XEN_EAGAIN when it is full), push
	 * them once, collect their responses, and go on with the next
	 * batch; return the first error once nothing is left on the ring. */
	return blkfront_iov_each(bf, op, v, n);
#endif
}
