/*
 * hostile.c - pv-blk's hostile mode (lab 7): a frontend that breaks the
 * blkif protocol.  Malformed requests and grants it does not own must be
 * answered with BLKIF_RSP_ERROR, a producer index that runs backwards or
 * past the ring must make the backend close the ring, responses it never
 * consumes must cost nobody but itself; the backend must serve it again
 * after it reconnects, and meanwhile serve every other domain.
 */
#include <guests/lib/pv.h>
#include <guests/lib/gnttab.h>
#include <guests/lib/xs.h>
#include "pv-blk.h"

#define WAIT_NS 3000000000ull

/* Puts req on the ring as is, pushes it, and waits for its response;
 * its status, or 1 if none came. */
static int raw_request(struct blkfront *bf, const struct blkif_request *req)
{
	uint64_t deadline = pv_time_ns() + WAIT_NS;
	RING_IDX want = bf->ring.rsp_cons + 1;
	int status;

	*RING_GET_REQUEST(&bf->ring, bf->ring.req_prod_pvt) = *req;
	bf->ring.req_prod_pvt++;
	blkfront_push(bf);
	while (bf->ring.sring->rsp_prod != want && pv_time_ns() < deadline)
		pv_sleep(1000000);
	if (bf->ring.sring->rsp_prod != want)
		return 1;
	status = RING_GET_RESPONSE(&bf->ring, bf->ring.rsp_cons)->status;
	bf->ring.rsp_cons++;
	return status;
}

/* A one-segment request of op on sector, a page granted as asked. */
static struct blkif_request one_seg(uint8_t op, uint64_t sector,
				    grant_ref_t ref)
{
	return (struct blkif_request){ .operation = op,
				       .nr_segments = 1,
				       .id = 777,
				       .sector_number = sector,
				       .seg = { { ref, 0, 7 } } };
}

static void hostile_requests(struct blkfront *bf)
{
	long mine = gnttab_grant(bf->backend_id, (uintptr_t)blk_buf / 4096,
				 false);
	long other = gnttab_grant(DOMID_FIRST_RESERVED - 1,
				  (uintptr_t)blk_buf / 4096, false);
	struct blkif_request r = one_seg(BLKIF_OP_READ, 0, (grant_ref_t)mine);

	report_eq(raw_request(bf, &r), BLKIF_RSP_OKAY,
		  "a well-formed raw request");
	r.nr_segments = 0;
	report_eq(raw_request(bf, &r), BLKIF_RSP_ERROR, "nr_segments 0");
	r.nr_segments = 12;
	report_eq(raw_request(bf, &r), BLKIF_RSP_ERROR, "nr_segments 12");
	r = one_seg(BLKIF_OP_READ, 0, (grant_ref_t)mine);
	r.seg[0].first_sect = 5, r.seg[0].last_sect = 2;
	report_eq(raw_request(bf, &r), BLKIF_RSP_ERROR,
		  "first_sect > last_sect");
	r.seg[0].first_sect = 0, r.seg[0].last_sect = 9;
	report_eq(raw_request(bf, &r), BLKIF_RSP_ERROR, "last_sect 9");
	r = one_seg(BLKIF_OP_READ, ~0ull >> 8, (grant_ref_t)mine);
	report_eq(raw_request(bf, &r), BLKIF_RSP_ERROR,
		  "a sector far beyond the disk");
	r = one_seg(BLKIF_OP_WRITE, 0, 2000);
	report_eq(raw_request(bf, &r), BLKIF_RSP_ERROR,
		  "a grant ref never given");
	r = one_seg(BLKIF_OP_READ, 0, (grant_ref_t)other);
	report_eq(raw_request(bf, &r), BLKIF_RSP_ERROR,
		  "a grant given to another domain");
	gnttab_end((grant_ref_t)mine);
	gnttab_end((grant_ref_t)other);
}

/* Waits for the backend to close the ring: whether it did. */
static bool backend_closed(struct blkfront *bf)
{
	uint64_t deadline = pv_time_ns() + WAIT_NS;
	long s;

	while ((s = xenbus_read_state(bf->backend)) != XenbusStateClosed &&
	       pv_time_ns() < deadline)
		pv_sleep(10000000);
	return s == XenbusStateClosed;
}

/* Publishes producer index prod (a lie) and notifies. */
static void wild_producer(struct blkfront *bf, RING_IDX prod)
{
	bf->ring.sring->req_prod = prod;
	evtchn_send(bf->port);
}

static void hostile_indices(struct blkfront *bf)
{
	struct blkif_request r = one_seg(BLKIF_OP_FLUSH_DISKCACHE, 0, 0);
	RING_IDX p;

	r.nr_segments = 0;
	for (unsigned i = 0; i < 40; i++) /* wraps the ring once */
		raw_request(bf, &r);
	p = bf->ring.sring->req_prod;
	wild_producer(bf, p - 5);
	report(backend_closed(bf),
	       "req_prod run backwards: the backend closed the ring");
	report_eq(blkfront_reconnect(bf, WAIT_NS), 0, "reconnected");
	report_eq(blkfront_io(bf, BLKIF_OP_READ, 0, blk_buf, 8), 0,
		  "a read after reconnecting");
	wild_producer(bf, bf->ring.sring->req_prod + 1000);
	report(backend_closed(bf),
	       "req_prod 1000 ahead: the backend closed the ring");
	report_eq(blkfront_reconnect(bf, WAIT_NS), 0, "reconnected again");
}

/* Fills the ring and never takes the responses for a while. */
static void hostile_unconsumed(struct blkfront *bf)
{
	struct blkif_request r = one_seg(BLKIF_OP_FLUSH_DISKCACHE, 0, 0);

	r.nr_segments = 0;
	for (unsigned i = 0; i < RING_SIZE(&bf->ring); i++)
		*RING_GET_REQUEST(&bf->ring, bf->ring.req_prod_pvt++) = r;
	blkfront_push(bf);
	pv_sleep(1000000000ull);
	report_eq(bf->ring.sring->rsp_prod - bf->ring.rsp_cons,
		  RING_SIZE(&bf->ring),
		  "a full ring answered and left unconsumed for 1 s");
	bf->ring.rsp_cons = bf->ring.sring->rsp_prod;
	report_eq(blkfront_io(bf, BLKIF_OP_READ, 0, blk_buf, 8), 0,
		  "served again once consumed");
}

void blk_hostile(struct blkfront *bf)
{
	hostile_requests(bf);
	hostile_unconsumed(bf);
	hostile_indices(bf);
}
