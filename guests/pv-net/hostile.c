/*
 * hostile.c - pv-net's mode=hostile (lab 7): a frontend that abuses its
 * own vif while two other domains exchange packets through the same
 * bridge.  It writes what no well-behaved netfront writes - sizes of 0
 * and past a frame, a slot crossing its page, producer indices beyond the
 * ring or running backwards, on both rings - and checks that netback
 * disconnects it each time (then reconnects), fails just the frame for
 * grants the backend may not use, and drops only its own frames while it
 * posts no receive buffers.  The other domains' results show that none
 * of it disturbed them.
 */
#include "pv-net.h"
#include <guests/lib/gnttab.h>
#include <guests/lib/xs.h>

#define BAD_ID	   0xbad /* not a buffer: netfront skips its response */
#define FLOOD	   (NETFRONT_RX_BUFS + 40)
#define STATE_WAIT (20000 * MS)

static uint8_t page[4096] __attribute__((aligned(4096)));

/* Queues one transmit slot as given and pushes it with an event. */
static void raw_tx(grant_ref_t ref, uint16_t offset, uint16_t size)
{
	*RING_GET_REQUEST(&nf->tx,
			  nf->tx.req_prod_pvt++) = (netif_tx_request_t){
		.gref = ref, .offset = offset, .size = size, .id = BAD_ID
	};
	xen_wmb(); /* the slot before the index */
	nf->tx.sring->req_prod = nf->tx.req_prod_pvt;
	evtchn_send(nf->port);
}

/* Waits for the transmit response in slot idx; its status, or 99. */
static int tx_status(RING_IDX idx)
{
	uint64_t end = pv_time_ns() + 30000 * MS;

	while ((int32_t)(nf->tx.sring->rsp_prod - idx) <= 0 &&
	       pv_time_ns() < end)
		netfront_wait(nf, pv_time_ns() + 10 * MS);
	xen_rmb();
	if ((int32_t)(nf->tx.sring->rsp_prod - idx) <= 0)
		return 99;
	return RING_GET_RESPONSE(&nf->tx, idx)->status;
}

/* The backend must have dropped the vif for what; then reconnect. */
static void expect_dropped(const char *what)
{
	long s = netfront_wait_backend(nf, XenbusStateClosed, STATE_WAIT);

	report(s == XenbusStateClosed,
	       "hostile: %s: the backend disconnected "
	       "(state %ld)",
	       what, s);
	report(netfront_reconnect(nf, STATE_WAIT) == 0,
	       "hostile: reconnected after %s", what);
}

/* A frame with a grant the backend may not read fails alone. */
static void bad_grants(void)
{
	long other = gnttab_grant(nf->backend_id + 100, (uintptr_t)page >> 12,
				  true);
	RING_IDX idx = nf->tx.req_prod_pvt;

	memset(page, 0xff, 64);
	raw_tx(2000, 0, 64); /* a ref never granted */
	report_eq(tx_status(idx), XEN_NETIF_RSP_ERROR,
		  "hostile: a ref never granted fails its frame");
	idx = nf->tx.req_prod_pvt;
	raw_tx((grant_ref_t)other, 0, 64); /* granted, to someone else */
	report_eq(tx_status(idx), XEN_NETIF_RSP_ERROR,
		  "hostile: a ref granted to another domain fails its frame");
	report_eq(netfront_backend_state(nf), XenbusStateConnected,
		  "hostile: still connected after the bad grants");
	if (other >= 0)
		gnttab_end((grant_ref_t)other);
}

/* Frames to a frontend with no buffer left are dropped, not queued. */
static void no_rx_buffers(void)
{
	uint8_t data[8] = { 0 }, frame[ETH_FRAME_MAX];
	unsigned got = 0;

	ping_peer(DOM0_IP, 2, "dom0 before the flood");
	for (uint16_t i = 0; i < FLOOD; i++) /* replies fill every buffer */
		net_ping_send(&nif, DOM0_IP, 1, i, data, sizeof(data));
	pv_sleep(500 * MS);
	while (netfront_recv(nf, frame, sizeof(frame)) > 0)
		got++;
	/* buffers taken are posted again, so a few more may come in */
	report(got < FLOOD && got > 0,
	       "hostile: %u frames of %u arrived while no buffer was posted "
	       "(%u buffers)",
	       got, FLOOD, NETFRONT_RX_BUFS);
}

void mode_hostile(void)
{
	no_rx_buffers();
	bad_grants();
	raw_tx(nf->tx_gref[0], 0, 0);
	expect_dropped("size 0");
	raw_tx(nf->tx_gref[0], 0, ETH_FRAME_MAX + 1);
	expect_dropped("size 1515");
	raw_tx(nf->tx_gref[0], 4000, 200);
	expect_dropped("a slot crossing its page");
	nf->tx.sring->req_prod = nf->tx.req_prod_pvt + 1000;
	evtchn_send(nf->port);
	expect_dropped("tx req_prod beyond the ring");
	memset(page, 0xff, 64);
	raw_tx(nf->tx_gref[0], 0, 64);
	tx_status(nf->tx.req_prod_pvt - 1);
	nf->tx.sring->req_prod = nf->tx.req_prod_pvt - 2;
	evtchn_send(nf->port);
	expect_dropped("tx req_prod running backwards");
	nf->rx.sring->req_prod = nf->rx.req_prod_pvt + 1000;
	net_ping_send(&nif, DOM0_IP, 1, 0, page, 8); /* its reply finds it */
	expect_dropped("rx req_prod beyond the ring");
	report(ping_peer(DOM0_IP, 5, "dom0 after all that") > 0,
	       "hostile: the vif works again");
}
