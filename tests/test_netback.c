/*
 * test_netback.c - netback's data path (guests/dom0/netback_ring.c, lab
 * 7) on the host, against a fake grant table: frames from a frontend's
 * transmit ring reach the bridge whole (also in several slots), frames
 * from the bridge land in its posted receive buffers, and every request
 * a hostile frontend can write - sizes of 0 or past 1514, slots crossing
 * their page, too many slots, extra_info, producer indices beyond the
 * ring or running backwards - breaks only that vif, with its reason;
 * grants it does not own fail just their frame.
 */
#include <criterion/criterion.h>
#include <string.h>
#include <guests/dom0/netback.h>

#define FRONT	 5
#define NGRANTS	 16
#define PAGE	 4096
#define RING_REF 0 /* not a grant: the rings are shared directly here */

/* The frontend's granted pages: ref i is page[i] of domain FRONT. */
static uint8_t page[NGRANTS][PAGE] __attribute__((aligned(PAGE)));
static uint8_t tx_ring[PAGE] __attribute__((aligned(PAGE)));
static uint8_t rx_ring[PAGE] __attribute__((aligned(PAGE)));
static struct netif_tx_front_ring ftx;
static struct netif_rx_front_ring frx;
static struct netback_vif vif;
static unsigned events, copies;

/* What the other bridge port received. */
static struct bridge_port peer;
static uint8_t peer_frame[2048];
static size_t peer_len;
static unsigned peer_frames;

static bool peer_deliver(struct bridge_port *p, const void *f, size_t len)
{
	memcpy(peer_frame, f, len);
	peer_len = len;
	peer_frames++;
	return true;
}

/* Where one side of a copy points, or NULL when not allowed. */
static uint8_t *fake_ptr(const struct gnttab_copy_ptr *p, bool is_gref,
			 unsigned len)
{
	if (p->offset + len > PAGE)
		return NULL;
	if (!is_gref)
		return p->domid == DOMID_SELF ?
			       (uint8_t *)(uintptr_t)(p->u.gmfn << 12) +
				       p->offset :
			       NULL;
	if (p->domid != FRONT || p->u.ref < 1 || p->u.ref >= NGRANTS)
		return NULL;
	return page[p->u.ref] + p->offset;
}

long gnttab_copy(struct gnttab_copy *ops, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		uint8_t *src = fake_ptr(&ops[i].source,
					ops[i].flags & GNTCOPY_source_gref,
					ops[i].len);
		uint8_t *dst = fake_ptr(&ops[i].dest,
					ops[i].flags & GNTCOPY_dest_gref,
					ops[i].len);

		ops[i].status = src && dst ? GNTST_okay : GNTST_bad_gntref;
		if (src && dst)
			memcpy(dst, src, ops[i].len);
		copies++;
	}
	return 0;
}

static bool gone; /* the frontend domain died */

bool netback_alive(struct netback_vif *v)
{
	return !gone;
}

long evtchn_send(evtchn_port_t port)
{
	events++;
	return 0;
}

static void setup(void)
{
	struct netif_tx_sring *txs = (void *)tx_ring;
	struct netif_rx_sring *rxs = (void *)rx_ring;

	SHARED_RING_INIT(txs);
	SHARED_RING_INIT(rxs);
	FRONT_RING_INIT(&ftx, txs, PAGE);
	FRONT_RING_INIT(&frx, rxs, PAGE);
	memset(&vif, 0, sizeof(vif));
	vif.xb.front_id = FRONT;
	vif.xb.connected = true;
	BACK_RING_INIT(&vif.tx, txs, PAGE);
	BACK_RING_INIT(&vif.rx, rxs, PAGE);
	vif.bport.deliver = netback_rx;
	vif.bport.arg = &vif;
	peer.deliver = peer_deliver;
	struct bridge *br = bridge_get("xenbr0");
	bridge_attach(br, &vif.bport);
	bridge_attach(br, &peer);
	events = copies = peer_frames = 0;
	gone = false;
}

TestSuite(netback, .init = setup);

/* A broadcast frame of len bytes whose payload bytes count up from seed. */
static void make_frame(uint8_t *f, size_t len, uint8_t seed)
{
	memset(f, 0xff, 6);
	memcpy(f + 6, "\x00\x16\x3e\x00\x00\x05", 6);
	for (size_t i = 12; i < len; i++)
		f[i] = (uint8_t)(seed + i);
}

/* Queues one transmit slot (not pushed). */
static void tx_slot(grant_ref_t ref, uint16_t offset, uint16_t size,
		    uint16_t flags, uint16_t id)
{
	*RING_GET_REQUEST(&ftx, ftx.req_prod_pvt++) = (netif_tx_request_t){
		.gref = ref,
		.offset = offset,
		.size = size,
		.flags = flags,
		.id = id
	};
}

static void tx_push(void)
{
	int notify;

	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&ftx, notify);
	(void)notify;
}

/* The response to the n-th transmit slot. */
static netif_tx_response_t *tx_rsp(unsigned n)
{
	return RING_GET_RESPONSE(&ftx, n);
}

Test(netback, tx_one_frame)
{
	make_frame(page[3] + 100, 60, 1);
	tx_slot(3, 100, 60, 0, 77);
	tx_push();
	cr_expect(netback_tx(&vif));
	cr_expect_eq(peer_frames, 1, "the bridge's other port got it");
	cr_expect(peer_len == 60 && !memcmp(peer_frame, page[3] + 100, 60));
	cr_expect_eq(ftx.sring->rsp_prod, 1);
	cr_expect(tx_rsp(0)->id == 77 &&
		  tx_rsp(0)->status == XEN_NETIF_RSP_OKAY);
	cr_expect_eq(events, 1,
		     "the frontend asked for an event (rsp_event 1)");
	cr_expect_eq(vif.tx.sring->req_event, 2, "the next request wakes us");
	cr_expect_eq(vif.tx_frames, 1);
}

/* A frame in three slots: first slot's size is the frame's. */
Test(netback, tx_slots)
{
	uint8_t f[1514];

	make_frame(f, sizeof(f), 9);
	memcpy(page[1] + 4000, f, 96);
	memcpy(page[2], f + 96, 1000);
	memcpy(page[4] + 8, f + 1096, 418);
	tx_slot(1, 4000, 1514, NETTXF_more_data, 1);
	tx_slot(2, 0, 1000, NETTXF_more_data, 2);
	tx_slot(4, 8, 418, 0, 3);
	tx_push();
	netback_tx(&vif);
	cr_expect(peer_len == 1514 && !memcmp(peer_frame, f, 1514));
	cr_expect_eq(ftx.sring->rsp_prod, 3, "one response per slot");
	cr_expect(tx_rsp(2)->id == 3 && tx_rsp(2)->status == 0);
}

/* A frame whose last slot is not pushed yet waits for it. */
Test(netback, tx_partial_frame_waits)
{
	make_frame(page[1], 100, 0);
	tx_slot(1, 0, 100, NETTXF_more_data, 1);
	tx_push();
	cr_expect(!netback_tx(&vif));
	cr_expect_eq(peer_frames, 0);
	cr_expect_eq(vif.tx.sring->req_event, 2, "woken by the missing slot");
	tx_slot(2, 0, 40, 0, 2);
	tx_push();
	netback_tx(&vif);
	cr_expect(peer_frames == 1 && peer_len == 100);
	cr_expect(!vif.broken[0]);
}

/* No more than NETBACK_BUDGET frames per call; the rest next time. */
Test(netback, tx_budget)
{
	make_frame(page[1], 60, 0);
	for (int i = 0; i < NETBACK_BUDGET + 10; i++)
		tx_slot(1, 0, 60, 0, (uint16_t)i);
	tx_push();
	cr_expect(netback_tx(&vif));
	cr_expect_eq(peer_frames, NETBACK_BUDGET);
	netback_tx(&vif);
	cr_expect_eq(peer_frames, NETBACK_BUDGET + 10);
}

/* A grant that is not the frontend's fails its frame, and only it. */
Test(netback, tx_foreign_grant)
{
	make_frame(page[1], 60, 0);
	tx_slot(NGRANTS + 5, 0, 60, 0, 1);
	tx_slot(1, 0, 60, 0, 2);
	tx_push();
	netback_tx(&vif);
	cr_expect_eq(tx_rsp(0)->status, XEN_NETIF_RSP_ERROR);
	cr_expect_eq(tx_rsp(1)->status, XEN_NETIF_RSP_OKAY);
	cr_expect(peer_frames == 1 && vif.tx_errors == 1 && !vif.broken[0]);
}

/* Pushes one bad slot and checks that it broke the vif, naming why. */
static void expect_broken(const char *why)
{
	tx_push();
	netback_tx(&vif);
	cr_expect(strstr(vif.broken, why), "broken: \"%s\", want \"%s\"",
		  vif.broken, why);
	cr_expect_eq(peer_frames, 0, "nothing reached the bridge");
}

Test(netback, tx_size_zero)
{
	tx_slot(1, 0, 0, 0, 1);
	expect_broken("size 0");
}

Test(netback, tx_size_too_big)
{
	tx_slot(1, 0, 1515, 0, 1);
	expect_broken("size 1515");
}

Test(netback, tx_crosses_page)
{
	tx_slot(1, 4000, 200, 0, 1);
	expect_broken("crosses its page");
}

Test(netback, tx_fragments_too_big)
{
	tx_slot(1, 0, 100, NETTXF_more_data, 1);
	tx_slot(2, 0, 100, 0, 2);
	expect_broken("fragments");
}

Test(netback, tx_too_many_slots)
{
	for (int i = 0; i < XEN_NETIF_NR_SLOTS_MIN + 1; i++)
		tx_slot(1, 0, 1000, NETTXF_more_data, (uint16_t)i);
	expect_broken("more than 18 slots");
}

Test(netback, tx_extra_info)
{
	tx_slot(1, 0, 60, NETTXF_extra_info, 1);
	tx_slot(0, 0, 0, 0, 0);
	expect_broken("extra_info");
}

Test(netback, tx_prod_beyond_ring)
{
	ftx.req_prod_pvt = NETIF_TX_RING_SIZE + 1;
	expect_broken("more than 256 slots ahead");
}

Test(netback, tx_prod_backwards)
{
	make_frame(page[1], 60, 0);
	tx_slot(1, 0, 60, 0, 1);
	tx_slot(1, 0, 60, 0, 2);
	tx_push();
	netback_tx(&vif);
	peer_frames = 0;
	ftx.req_prod_pvt = 1;
	expect_broken("runs backwards");
}

/* Posts receive buffer ref (not pushed). */
static void rx_post(grant_ref_t ref, uint16_t id)
{
	*RING_GET_REQUEST(&frx, frx.req_prod_pvt++) = (netif_rx_request_t){
		.id = id, .gref = ref
	};
}

static void rx_push(void)
{
	int notify;

	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&frx, notify);
	(void)notify;
}

Test(netback, rx_into_posted_buffer)
{
	uint8_t f[200];

	make_frame(f, sizeof(f), 3);
	rx_post(6, 40);
	rx_push();
	bridge_input(&peer, f, sizeof(f));
	cr_expect(!memcmp(page[6], f, sizeof(f)));
	cr_expect_eq(frx.sring->rsp_prod, 1);
	netif_rx_response_t *rsp = RING_GET_RESPONSE(&frx, 0);
	cr_expect(rsp->id == 40 && rsp->status == 200 && rsp->offset == 0);
	cr_expect_eq(events, 1);
	cr_expect(vif.rx_frames == 1 && vif.bport.tx == 1);
}

/* No buffer posted: the frame is dropped, the vif stays. */
Test(netback, rx_no_buffer_drops)
{
	uint8_t f[60];

	make_frame(f, sizeof(f), 0);
	bridge_input(&peer, f, sizeof(f));
	cr_expect(vif.rx_dropped == 1 && vif.bport.dropped == 1);
	cr_expect(!vif.broken[0]);
	cr_expect_eq(frx.sring->rsp_prod, 0);
}

Test(netback, rx_foreign_grant)
{
	uint8_t f[60];

	make_frame(f, sizeof(f), 0);
	rx_post(NGRANTS, 1);
	rx_push();
	bridge_input(&peer, f, sizeof(f));
	cr_expect_eq(RING_GET_RESPONSE(&frx, 0)->status, XEN_NETIF_RSP_ERROR);
	cr_expect(!vif.broken[0] && vif.rx_frames == 0);
}

Test(netback, rx_prod_beyond_ring)
{
	uint8_t f[60];

	make_frame(f, sizeof(f), 0);
	frx.req_prod_pvt = NETIF_RX_RING_SIZE + 1;
	rx_push();
	bridge_input(&peer, f, sizeof(f));
	cr_expect(strstr(vif.broken, "rx req_prod"), "broken: %s", vif.broken);
	cr_expect_eq(copies, 0);
}

/*
 * A frontend that takes no responses: the backend cannot see its private
 * rsp_cons, so it serves on; a request written over an unread response
 * costs the frontend that response, and nobody else anything.
 */
Test(netback, tx_unconsumed_responses)
{
	make_frame(page[1], 60, 0);
	for (unsigned i = 0; i < NETIF_TX_RING_SIZE; i++)
		tx_slot(1, 0, 60, 0, 1);
	tx_push();
	for (int i = 0; i < 8; i++)
		netback_tx(&vif);
	cr_expect_eq(peer_frames, NETIF_TX_RING_SIZE);
	tx_slot(1, 0, 60, 0, 1);
	tx_push();
	netback_tx(&vif);
	cr_expect(peer_frames == NETIF_TX_RING_SIZE + 1 && !vif.broken[0]);
	cr_expect_eq(vif.tx.rsp_prod_pvt, NETIF_TX_RING_SIZE + 1);
}

/* A dead frontend's rings are never touched: its pages are gone. */
Test(netback, dead_frontend_untouched)
{
	uint8_t f[60];

	make_frame(page[1], 60, 0);
	tx_slot(1, 0, 60, 0, 1);
	tx_push();
	rx_post(6, 1);
	rx_push();
	gone = true;
	SHARED_RING_INIT((struct netif_tx_sring *)tx_ring);
	cr_expect(!netback_tx(&vif));
	make_frame(f, sizeof(f), 0);
	bridge_input(&peer, f, sizeof(f));
	cr_expect(copies == 0 && peer_frames == 0);
	cr_expect_eq(vif.tx.rsp_prod_pvt, 0);
}
