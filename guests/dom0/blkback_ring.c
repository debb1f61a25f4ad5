/*
 * blkback_ring.c - blkback's side of the blkif ring (lab 7; Xen's
 * io/blkif.h and io/ring.h).  Every request is copied out of the shared
 * page before it is looked at (the frontend may rewrite it meanwhile),
 * checked against the ring, the disk and the blkif limits, and answered
 * with BLKIF_RSP_ERROR when wrong; data move only with GNTTABOP_copy, so
 * a grant the frontend does not own fails that request in the hypervisor
 * and touches nothing.
 */
#include "blkback.h"
#include <inc/stdio.h>
#include <inc/string.h>

#define SECT BLKIF_SECTOR_SIZE
#define PAGE 4096u

/* Log lines per device for bad requests: a hostile frontend cannot
 * flood the console. */
#define BLKBACK_LOG_MAX 4

/* A gnttab_copy op between disk byte offset off and the frontend's
 * grant ref at page offset goff, len bytes not crossing a disk page. */
static void blkback_copy_op(struct gnttab_copy *op, struct blkback_dev *d,
			    uint64_t off, grant_ref_t ref, unsigned goff,
			    unsigned len, bool to_disk)
{
	struct gnttab_copy_ptr local = {
		.u.gmfn = (uintptr_t)(d->disk->data + off) / PAGE,
		.domid = DOMID_SELF,
		.offset = (uint16_t)(off % PAGE),
	};
	struct gnttab_copy_ptr remote = {
		.u.ref = ref,
		.domid = d->xb.front_id,
		.offset = (uint16_t)goff,
	};

	op->source = to_disk ? remote : local;
	op->dest = to_disk ? local : remote;
	op->flags = to_disk ? GNTCOPY_source_gref : GNTCOPY_dest_gref;
	op->len = (uint16_t)len;
	op->status = GNTST_okay;
}

/* Whether sectors [sector, sector + n) lie on d's disk. */
static bool blkback_in_disk(struct blkback_dev *d, uint64_t sector, uint64_t n)
{
	return sector <= d->disk->sectors && n <= d->disk->sectors - sector;
}

/* The sectors req's segments carry, or 0 if a segment is malformed. */
static uint64_t blkback_req_sectors(const struct blkif_request *req)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < req->nr_segments; i++) {
		const struct blkif_request_segment *s = &req->seg[i];
		if (s->first_sect > s->last_sect ||
		    s->last_sect >= BLKIF_SECTORS_PAGE)
			return 0;
		n += s->last_sect - s->first_sect + 1u;
	}
	return n;
}

/* Logs a bad request of d (the first few only); the status for it. */
static int16_t blkback_bad(struct blkback_dev *d,
			   const struct blkif_request *req, const char *why)
{
	if (d->errors++ < BLKBACK_LOG_MAX)
		printf("blkback: dom %u vbd %u: request %llu: %s\n",
		       d->xb.front_id, d->xb.id, (unsigned long long)req->id,
		       why);
	return BLKIF_RSP_ERROR;
}

/* A read or write: at most two copy ops per segment, one hypercall. */
static int16_t blkback_rw(struct blkback_dev *d,
			  const struct blkif_request *req, bool to_disk)
{
	struct gnttab_copy ops[2 * BLKIF_MAX_SEGMENTS_PER_REQUEST];
	uint64_t off = req->sector_number * SECT, n;
	unsigned nops = 0;

	if (req->nr_segments == 0 ||
	    req->nr_segments > BLKIF_MAX_SEGMENTS_PER_REQUEST)
		return blkback_bad(d, req, "nr_segments not 1..11");
	if (!(n = blkback_req_sectors(req)))
		return blkback_bad(
			d, req, "first_sect/last_sect not 0..7, first <= last");
	if (!blkback_in_disk(d, req->sector_number, n))
		return blkback_bad(d, req, "sectors beyond the disk");
	if (to_disk && !d->writable)
		return blkback_bad(d, req, "write to a read-only disk");
	for (unsigned i = 0; i < req->nr_segments; i++) {
		const struct blkif_request_segment *s = &req->seg[i];
		unsigned goff = s->first_sect * SECT;
		unsigned len = (s->last_sect - s->first_sect + 1u) * SECT;
		while (len) {
			unsigned part = MIN(len, PAGE - (unsigned)(off % PAGE));
			blkback_copy_op(&ops[nops++], d, off, s->gref, goff,
					part, to_disk);
			off += part, goff += part, len -= part;
		}
	}
	if (gnttab_copy(ops, nops) < 0)
		return blkback_bad(d, req, "grant copy refused");
	for (unsigned i = 0; i < nops; i++)
		if (ops[i].status != GNTST_okay)
			return blkback_bad(d, req,
					   "a grant the frontend did not give");
	return BLKIF_RSP_OKAY;
}

/* Discard: the sectors read as zeroes afterwards (and so are forgotten
 * for BLKIF_DISCARD_SECURE too). */
static int16_t blkback_discard(struct blkback_dev *d,
			       const struct blkif_request *req)
{
	struct blkif_request_discard dr;

	memcpy(&dr, req, sizeof(dr));
	if (!d->writable)
		return blkback_bad(d, req, "discard on a read-only disk");
	if (!blkback_in_disk(d, dr.sector_number, dr.nr_sectors))
		return blkback_bad(d, req, "discard beyond the disk");
	memset(d->disk->data + dr.sector_number * SECT, 0,
	       dr.nr_sectors * SECT);
	return BLKIF_RSP_OKAY;
}

int16_t blkback_dispatch(struct blkback_dev *d, const struct blkif_request *req)
{
	switch (req->operation) {
	case BLKIF_OP_READ: return blkback_rw(d, req, false);
	case BLKIF_OP_WRITE:
	case BLKIF_OP_WRITE_BARRIER: /* requests are served in order */
		return blkback_rw(d, req, true);
	case BLKIF_OP_FLUSH_DISKCACHE:
		/* The image in memory is the stable storage; a flush with
		 * data (Linux's FUA writes) writes them first. */
		return req->nr_segments ? blkback_rw(d, req, true) :
					  BLKIF_RSP_OKAY;
	case BLKIF_OP_DISCARD: return blkback_discard(d, req);
	default:
		blkback_bad(d, req, "unknown operation");
		return BLKIF_RSP_EOPNOTSUPP;
	}
}

/* Puts the response to a request on the ring (pushed later). */
static void blkback_respond(struct blkback_dev *d, uint64_t id, uint8_t op,
			    int16_t status)
{
	struct blkif_response *rsp = RING_GET_RESPONSE(&d->ring,
						       d->ring.rsp_prod_pvt);

	rsp->id = id;
	rsp->operation = op;
	rsp->status = status;
	d->ring.rsp_prod_pvt++;
	d->requests++;
}

/* Marks d broken for producer index rp, with the dom0 log line. */
static void blkback_broken(struct blkback_dev *d, RING_IDX rp)
{
	printf("blkback: dom %u vbd %u: req_prod %u with req_cons %u: not a "
	       "ring of %u slots; disconnecting\n",
	       d->xb.front_id, d->xb.id, rp, d->ring.req_cons,
	       RING_SIZE(&d->ring));
	d->broken = true;
}

/* Sends the frontend an event for its responses. */
static void blkback_notify(struct blkback_dev *d)
{
	d->events++;
	evtchn_send(d->xb.port);
}

/*
 * The slow path lab 8 measures: every response pushed with an event of
 * its own, whether or not the frontend waits for it (request-notify-each
 * frontends ask for it).  At a batch's end only the final check.
 */
static int blkback_push_each(struct blkback_dev *d, bool end)
{
	int more = 0;

	if (!end) {
		RING_PUSH_RESPONSES(&d->ring);
		blkback_notify(d);
	} else {
		RING_FINAL_CHECK_FOR_REQUESTS(&d->ring, more);
	}
	return more;
}

/*
 * Called after each response (end false) and at the end of a batch (end
 * true), where it returns whether requests came meanwhile.  Coalescing
 * (lab 8): the batch's responses pushed together with at most one event,
 * and only if the frontend asked for one (rsp_event); then an event
 * asked for at the next request (req_event) and one more look, or a
 * request published meanwhile would wait for an event never sent.
 */
static int blkback_push(struct blkback_dev *d, bool end)
{
	struct blkif_back_ring *r = &d->ring;
	int more = 0, notify;

	if (d->notify_each)
		return blkback_push_each(d, end);
#if SOL >= 8
	if (!end)
		return 0; /* the batch's responses go together */
	RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(r, notify);
	if (notify)
		blkback_notify(d);
	RING_FINAL_CHECK_FOR_REQUESTS(r, more);
	return more;
#else
	/* LAB 8: your code here.  Push the batch's responses once, at its
	 * end, with an event only if the frontend waits for one; then ask
	 * for an event at the next request and look for requests again. */
	(void)r;
	(void)more;
	(void)notify;
	return blkback_push_each(d, end);
#endif
}

bool blkback_ring_serve(struct blkback_dev *d)
{
	struct blkif_back_ring *r = &d->ring;
	unsigned budget = BLKBACK_BUDGET;
	int more = 0;

#if SOL >= 7
	do {
		RING_IDX rp = r->sring->req_prod;

		/* The slots after the index that covers them (ring.h). */
		xen_rmb();
		/* Backwards, or ahead by more than the ring holds. */
		if (RING_REQUEST_PROD_OVERFLOW(r, rp)) {
			blkback_broken(d, rp);
			return budget != BLKBACK_BUDGET;
		}
		while (r->req_cons != rp && budget) {
			struct blkif_request req;

			RING_COPY_REQUEST(r, r->req_cons, &req);
			r->req_cons++, budget--;
			blkback_respond(d, req.id, req.operation,
					blkback_dispatch(d, &req));
			blkback_push(d, false);
		}
		more = blkback_push(d, true);
		if (!budget)
			return true; /* the rest at the next poll */
	} while (more);
#else
	/* LAB 7: your code here.  Consume the requests the frontend has
	 * published (copy each out of the ring, blkback_dispatch it, put
	 * the response and call blkback_push(d, false)); at the end of
	 * each batch blkback_push(d, true) pushes the responses, notifies
	 * and asks for an event at the next request: look again while it
	 * says more came. */
	(void)r;
	(void)more;
	(void)blkback_respond;
	(void)blkback_push;
	(void)blkback_broken;
#endif
	return budget != BLKBACK_BUDGET;
}
