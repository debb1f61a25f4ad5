/*
 * test_blkback.c - blkback's ring (guests/dom0/blkback_ring.c) and the
 * frontend's producer (guests/lib/ring.c) on the host, lab 7.  A fake
 * GNTTABOP_copy resolves grants from a small table of this test's pages,
 * so requests naming grants the frontend does not own fail as the
 * hypervisor makes them fail.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <guests/dom0/blkback.h>
#include <guests/lib/ring.h>

#define FRONT	5
#define SECTORS 128 /* a 64 KiB disk */
#define NGRANT	16

static uint8_t disk_data[SECTORS * 512] __attribute__((aligned(4096)));
static uint8_t pages[NGRANT][4096] __attribute__((aligned(4096)));
static uint8_t ring_page[4096] __attribute__((aligned(4096)));
static struct blkback_disk disk = { .path = "d.img",
				    .data = disk_data,
				    .sectors = SECTORS,
				    .writer = -1 };
static struct blkback_dev dev;
static struct blkif_front_ring fr;
static unsigned sends, copies;
static bool hostile; /* each event makes the frontend produce a ring more */

/* Grant refs 8..8+NGRANT-1 of domain FRONT are pages[]. */
static uint8_t *grant_page(grant_ref_t ref, domid_t dom)
{
	if (dom != FRONT || ref < 8 || ref >= 8 + NGRANT)
		return NULL;
	return pages[ref - 8];
}

static uint8_t *copy_end(struct gnttab_copy_ptr *p, bool gref)
{
	uint8_t *page = gref ? grant_page(p->u.ref, p->domid) :
			       (uint8_t *)(uintptr_t)(p->u.gmfn * 4096);
	return page ? page + p->offset : NULL;
}

long gnttab_copy(struct gnttab_copy *ops, unsigned n)
{
	copies++;
	for (unsigned i = 0; i < n; i++) {
		struct gnttab_copy *op = &ops[i];
		uint8_t *src = copy_end(&op->source,
					op->flags & GNTCOPY_source_gref);
		uint8_t *dst = copy_end(&op->dest,
					op->flags & GNTCOPY_dest_gref);
		cr_assert(op->source.offset + op->len <= 4096,
			  "source crosses a page");
		cr_assert(op->dest.offset + op->len <= 4096,
			  "dest crosses a page");
		if (!src || !dst) {
			op->status = GNTST_general_error;
			continue;
		}
		memcpy(dst, src, op->len);
		op->status = GNTST_okay;
	}
	return 0;
}

long evtchn_send(evtchn_port_t port)
{
	cr_assert_eq(port, 7);
	sends++;
	if (hostile) { /* every slot answered is filled again at once */
		fr.sring->req_prod = dev.ring.rsp_prod_pvt + RING_SIZE(&fr);
		fr.sring->rsp_event = dev.ring.rsp_prod_pvt + 1;
	}
	return 0;
}

static void setup(void)
{
	struct blkif_sring *s = (struct blkif_sring *)ring_page;

	for (unsigned i = 0; i < sizeof(disk_data); i++)
		disk_data[i] = (uint8_t)(i * 7 + i / 512);
	memset(pages, 0, sizeof(pages));
	SHARED_RING_INIT(s);
	FRONT_RING_INIT(&fr, s, 4096);
	memset(&dev, 0, sizeof(dev));
	dev.xb.front_id = FRONT;
	dev.xb.id = 51712;
	dev.disk = &disk;
	dev.writable = true;
	dev.xb.connected = true;
	dev.xb.port = 7;
	BACK_RING_INIT(&dev.ring, s, 4096);
	sends = copies = 0;
	hostile = false;
}

TestSuite(blkback, .init = setup);

/* Queues a request of op on sector with nseg segments on grant 8+i,
 * sectors first..last of each; returns it for changes. */
static struct blkif_request *req(uint8_t op, uint64_t sector, unsigned nseg,
				 uint8_t first, uint8_t last)
{
	struct blkif_request *r = RING_GET_REQUEST(&fr, fr.req_prod_pvt);

	memset(r, 0, sizeof(*r));
	r->operation = op;
	r->nr_segments = (uint8_t)nseg;
	r->id = 1000 + fr.req_prod_pvt++;
	r->sector_number = sector;
	for (unsigned i = 0; i < nseg && i < BLKIF_MAX_SEGMENTS_PER_REQUEST;
	     i++)
		r->seg[i] = (struct blkif_request_segment){ 8 + i, first,
							    last };
	return r;
}

/* Publishes, serves, and returns the status of response i. */
static int16_t serve_status(RING_IDX i)
{
	RING_PUSH_REQUESTS(&fr);
	blkback_ring_serve(&dev);
	cr_assert_geq(fr.sring->rsp_prod, i + 1, "response %u missing", i);
	cr_expect_eq(RING_GET_RESPONSE(&fr, i)->id, 1000 + i);
	return RING_GET_RESPONSE(&fr, i)->status;
}

Test(blkback, read_multi_segment)
{
	/* Sector 3 onwards: each 4 KiB segment straddles two disk pages. */
	req(BLKIF_OP_READ, 3, 11, 0, 7);
	cr_assert_eq(serve_status(0), BLKIF_RSP_OKAY);
	for (unsigned i = 0; i < 11; i++)
		cr_assert(!memcmp(pages[i], disk_data + (3 + 8 * i) * 512,
				  4096),
			  "segment %u", i);
	cr_expect_eq(RING_GET_RESPONSE(&fr, 0)->operation, BLKIF_OP_READ);
}

Test(blkback, write_partial_pages)
{
	memset(pages[0], 0xaa, 4096);
	memset(pages[1], 0xbb, 4096);
	req(BLKIF_OP_WRITE, 10, 2, 2, 4); /* 3 sectors from each page */
	cr_assert_eq(serve_status(0), BLKIF_RSP_OKAY);
	for (unsigned i = 0; i < 3 * 512; i++) {
		cr_assert_eq(disk_data[10 * 512 + i], 0xaa);
		cr_assert_eq(disk_data[13 * 512 + i], 0xbb);
	}
	cr_assert_eq(disk_data[16 * 512], (uint8_t)(16 * 512 * 7 + 16));
}

Test(blkback, malformed_requests_fail)
{
	req(BLKIF_OP_READ, 0, 0, 0, 7);			  /* no segment */
	req(BLKIF_OP_READ, 0, 1, 0, 7)->nr_segments = 12; /* too many */
	req(BLKIF_OP_READ, 0, 1, 5, 4);			  /* first > last */
	req(BLKIF_OP_READ, 0, 1, 0, 8);			  /* beyond the page */
	req(BLKIF_OP_READ, SECTORS - 7, 1, 0, 7);	  /* past the end */
	req(BLKIF_OP_READ, ~0ull / 256, 1, 0, 7);	  /* wraps */
	req(BLKIF_OP_DISCARD, 0, 0, 0, 0);
	((struct blkif_request_discard *)RING_GET_REQUEST(&fr, 6))->nr_sectors =
		SECTORS + 1;
	for (RING_IDX i = 0; i < 7; i++)
		cr_expect_eq(serve_status(i), BLKIF_RSP_ERROR, "request %u", i);
	req(BLKIF_OP_READ, SECTORS - 8, 1, 0, 7); /* the last page: fine */
	cr_expect_eq(serve_status(7), BLKIF_RSP_OKAY);
	cr_expect_eq(dev.errors, 7);
	cr_expect(!dev.broken);
}

Test(blkback, foreign_grant_fails)
{
	uint8_t before[4096];

	memcpy(before, disk_data, 4096);
	req(BLKIF_OP_WRITE, 0, 1, 0, 7)->seg[0].gref = 8 +
						       NGRANT; /* not given */
	cr_expect_eq(serve_status(0), BLKIF_RSP_ERROR);
	cr_expect(!memcmp(before, disk_data, 4096), "disk changed");
}

Test(blkback, readonly_and_ops)
{
	struct blkif_request_discard *dr;

	dev.writable = false;
	req(BLKIF_OP_WRITE, 0, 1, 0, 7);
	req(BLKIF_OP_READ, 0, 1, 0, 7);
	req(BLKIF_OP_FLUSH_DISKCACHE, 0, 0, 0, 0);
	req(BLKIF_OP_INDIRECT, 0, 1, 0, 7);
	cr_expect_eq(serve_status(0), BLKIF_RSP_ERROR, "write to read-only");
	cr_expect_eq(serve_status(1), BLKIF_RSP_OKAY);
	cr_expect_eq(serve_status(2), BLKIF_RSP_OKAY, "flush");
	cr_expect_eq(serve_status(3), BLKIF_RSP_EOPNOTSUPP, "indirect");
	dev.writable = true;
	dr = (struct blkif_request_discard *)req(BLKIF_OP_DISCARD, 8, 0, 0, 0);
	dr->nr_sectors = 4;
	cr_expect_eq(serve_status(4), BLKIF_RSP_OKAY, "discard");
	for (unsigned i = 8 * 512; i < 12 * 512; i++)
		cr_assert_eq(disk_data[i], 0);
	cr_expect_neq(disk_data[12 * 512 + 1], 0);
}

Test(blkback, producer_backwards_or_too_far)
{
	req(BLKIF_OP_READ, 0, 1, 0, 7);
	cr_assert_eq(serve_status(0), BLKIF_RSP_OKAY);
	fr.sring->req_prod = 0; /* backwards */
	blkback_ring_serve(&dev);
	cr_expect(dev.broken, "backwards req_prod accepted");
	setup();
	fr.sring->req_prod = RING_SIZE(&fr) + 1;
	blkback_ring_serve(&dev);
	cr_expect(dev.broken, "req_prod a ring and one ahead accepted");
	cr_expect_eq(fr.sring->rsp_prod, 0);
	setup();
	fr.req_prod_pvt = RING_SIZE(&fr); /* a full ring: fine */
	for (RING_IDX i = 0; i < RING_SIZE(&fr); i++)
		*RING_GET_REQUEST(&fr, i) = (struct blkif_request){
			.operation = BLKIF_OP_FLUSH_DISKCACHE, .id = 1000 + i
		};
	cr_expect_eq(serve_status(RING_SIZE(&fr) - 1), BLKIF_RSP_OKAY);
	cr_expect(!dev.broken);
}

/* A frontend that never consumes responses and keeps producing as fast
 * as the backend answers costs dom0 a bounded amount per poll. */
Test(blkback, endless_producer_is_bounded, .timeout = 10)
{
	for (RING_IDX i = 0; i < RING_SIZE(&fr); i++)
		*RING_GET_REQUEST(&fr, i) = (struct blkif_request){
			.operation = BLKIF_OP_FLUSH_DISKCACHE
		};
	hostile = true;
	fr.sring->req_prod = RING_SIZE(&fr);
	for (unsigned polls = 1; polls <= 3; polls++) {
		cr_expect(blkback_ring_serve(&dev));
		cr_assert_eq(dev.requests, polls * BLKBACK_BUDGET);
	}
	cr_expect(!dev.broken);
}

/* The backend's own suppression (lab 8): it notifies only past
 * rsp_event. */
TestSuite(coalesce, .init = setup);

Test(coalesce, responses_notify_as_asked)
{
	req(BLKIF_OP_FLUSH_DISKCACHE, 0, 0, 0, 0);
	serve_status(0);
	cr_expect_eq(sends, 1, "first response: rsp_event is 1");
	fr.rsp_cons = 1;
	req(BLKIF_OP_FLUSH_DISKCACHE, 0, 0, 0, 0);
	serve_status(1);
	cr_expect_eq(sends, 1, "rsp_event not moved: no event wanted");
	fr.sring->rsp_event = 3;
	req(BLKIF_OP_FLUSH_DISKCACHE, 0, 0, 0, 0);
	serve_status(2);
	cr_expect_eq(sends, 2);
	cr_expect_eq(fr.sring->req_event, 4,
		     "backend asks for the next request");
}

/* A batch of five requests: five responses, one event. */
Test(coalesce, one_event_per_batch)
{
	for (unsigned i = 0; i < 5; i++)
		req(BLKIF_OP_FLUSH_DISKCACHE, 0, 0, 0, 0);
	serve_status(4);
	cr_expect_eq(fr.sring->rsp_prod, 5, "all five responses pushed");
	cr_expect_eq(sends, 1, "one event for the batch, not %u", sends);
	cr_expect_eq(dev.events, 1, "dev.events counts it");
	cr_expect_eq(fr.sring->req_event, 6,
		     "the final check asks for the next request");
}

/* request-notify-each: the slow path lab 8 measures keeps an event per
 * response. */
Test(coalesce, notify_each_is_the_slow_path)
{
	dev.notify_each = true;
	for (unsigned i = 0; i < 5; i++)
		req(BLKIF_OP_FLUSH_DISKCACHE, 0, 0, 0, 0);
	serve_status(4);
	cr_expect_eq(sends, 5, "an event per response, got %u", sends);
	cr_expect_eq(fr.sring->req_event, 6);
}

Test(ring, push_publishes_and_suppresses)
{
	struct blkif_sring *s = (struct blkif_sring *)ring_page;

	SHARED_RING_INIT(s);
	cr_expect(ring_push_requests(&s->req_prod, &s->req_event, 3),
		  "req_event 1 within (0, 3]");
	cr_expect_eq(s->req_prod, 3, "req_prod published");
	cr_expect(!ring_push_requests(&s->req_prod, &s->req_event, 5),
		  "req_event 1 not within (3, 5]");
	cr_expect_eq(s->req_prod, 5);
	s->req_event = 6;
	cr_expect(ring_push_requests(&s->req_prod, &s->req_event, 6));
	cr_expect(!ring_push_requests(&s->req_prod, &s->req_event, 6),
		  "nothing new");
	/* Across the wrap of the 32-bit indices. */
	s->req_prod = 0xfffffffe;
	s->req_event = 1;
	cr_expect(ring_push_requests(&s->req_prod, &s->req_event, 2));
	s->req_event = 0xffffffff;
	cr_expect(!ring_push_requests(&s->req_prod, &s->req_event, 4));
	cr_expect_eq(s->req_prod, 4);
}
