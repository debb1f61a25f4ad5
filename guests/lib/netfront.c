/*
 * netfront.c - the network frontend (lab 7, netfront.h): Xen's netfront
 * protocol (guests/lib/io/netif.h) over grants (gnttab.h), xenstore
 * (xs.h) and an event channel.  The backend is trusted no more than it
 * trusts us: every response's id, offset and length is checked.
 */
#include <guests/lib/netfront.h>
#include <guests/lib/gnttab.h>
#include <guests/lib/ring.h>
#include <guests/lib/xs.h>

#define NF_PAGE	 4096
#define NF_TOKEN "netfront"

static uint8_t nf_tx_ring[NF_PAGE] __attribute__((aligned(NF_PAGE)));
static uint8_t nf_rx_ring[NF_PAGE] __attribute__((aligned(NF_PAGE)));
static uint8_t nf_tx_pages[NETFRONT_TX_BUFS][NF_PAGE]
	__attribute__((aligned(NF_PAGE)));
static uint8_t nf_rx_pages[NETFRONT_RX_BUFS][NF_PAGE]
	__attribute__((aligned(NF_PAGE)));
static struct netfront nf_dev;
static bool nf_used;

static void nf_event(evtchn_port_t port, void *arg)
{
	((struct netfront *)arg)->kicked = 1;
}

/* Publishes the ring's new requests and notifies as the backend asked
 * (or always, for the benchmark without suppression). */
#define NF_PUSH(nf, r)                                            \
	do {                                                      \
		if (RING_PUSH_NOTIFY(r) || (nf)->notify_always) { \
			evtchn_send((nf)->port);                  \
			(nf)->notifies++;                         \
		}                                                 \
	} while (0)

/* Posts receive buffer id in the next request slot (not yet pushed). */
static void nf_rx_post(struct netfront *nf, uint16_t id)
{
	netif_rx_request_t *req = RING_GET_REQUEST(&nf->rx,
						   nf->rx.req_prod_pvt++);

	req->id = id;
	req->gref = nf->rx_gref[id];
}

/* Reads dir/backend, backend-id and mac; 0 or -XEN_E*, printed. */
static long nf_read_config(struct netfront *nf)
{
	char path[NETFRONT_PATH + 16], mac[24];
	long id, r;

	snprintf(path, sizeof(path), "%s/backend", nf->dir);
	r = xs_read(0, path, nf->backend, sizeof(nf->backend));
	if (r >= 0) {
		snprintf(path, sizeof(path), "%s/backend-id", nf->dir);
		r = xs_read_int(0, path, &id);
	}
	if (r >= 0) {
		snprintf(path, sizeof(path), "%s/mac", nf->dir);
		r = xs_read(0, path, mac, sizeof(mac));
	}
	if (r >= 0 && (!net_parse_mac(mac, nf->mac) || id < 0 ||
		       id >= DOMID_FIRST_RESERVED))
		r = -XEN_EINVAL;
	if (r < 0)
		printf("netfront: %s: %s: error %ld\n", nf->dir, path, r);
	nf->backend_id = (domid_t)id;
	return r;
}

/* Grants the rings and every buffer to the backend; 0 or -XEN_E*. */
static long nf_grant_all(struct netfront *nf)
{
	long r = gnttab_grant(nf->backend_id, virt_to_gfn(nf_tx_ring), false);

	if (r >= 0)
		nf->tx_ring_ref = (grant_ref_t)r;
	r = r < 0 ? r :
		    gnttab_grant(nf->backend_id, virt_to_gfn(nf_rx_ring),
				 false);
	if (r >= 0)
		nf->rx_ring_ref = (grant_ref_t)r;
	for (unsigned i = 0; r >= 0 && i < NETFRONT_TX_BUFS; i++) {
		r = gnttab_grant(nf->backend_id, virt_to_gfn(nf_tx_pages[i]),
				 true);
		nf->tx_gref[i] = (grant_ref_t)r;
	}
	for (unsigned i = 0; r >= 0 && i < NETFRONT_RX_BUFS; i++) {
		r = gnttab_grant(nf->backend_id, virt_to_gfn(nf_rx_pages[i]),
				 false);
		nf->rx_gref[i] = (grant_ref_t)r;
	}
	return r < 0 ? r : 0;
}

/* Starts both rings afresh: every transmit buffer free, every receive
 * buffer posted, a new event channel; 0 or -XEN_E*. */
static long nf_rings_start(struct netfront *nf)
{
	struct netif_tx_sring *txs = (void *)nf_tx_ring;
	struct netif_rx_sring *rxs = (void *)nf_rx_ring;
	long r = evtchn_alloc_unbound(nf->backend_id);

	if (r < 0)
		return r;
	nf->port = (evtchn_port_t)r;
	SHARED_RING_INIT(txs);
	SHARED_RING_INIT(rxs);
	FRONT_RING_INIT(&nf->tx, txs, NF_PAGE);
	FRONT_RING_INIT(&nf->rx, rxs, NF_PAGE);
	for (nf->tx_nfree = 0; nf->tx_nfree < NETFRONT_TX_BUFS; nf->tx_nfree++)
		nf->tx_free[nf->tx_nfree] = (uint16_t)nf->tx_nfree;
	for (uint16_t i = 0; i < NETFRONT_RX_BUFS; i++)
		nf_rx_post(nf, i);
	RING_PUSH_NOTIFY(&nf->rx);
	evtchn_bind(nf->port, nf_event, nf);
	return 0;
}

/* Writes the frontend's keys in one transaction, retried on conflict. */
static long nf_publish(struct netfront *nf)
{
	static const char *const keys[] = { "tx-ring-ref", "rx-ring-ref",
					    "event-channel", "request-rx-copy",
					    "feature-rx-notify" };
	char path[NETFRONT_PATH + 24];
	xs_txn_t t;
	long r;

	do {
		r = xs_transaction_start(&t);
		for (unsigned i = 0; r >= 0 && i < ARRAY_SIZE(keys); i++) {
			unsigned v = i == 0 ? nf->tx_ring_ref :
				     i == 1 ? nf->rx_ring_ref :
				     i == 2 ? nf->port :
					      1;

			snprintf(path, sizeof(path), "%s/%s", nf->dir, keys[i]);
			r = xs_printf(t, path, "%u", v);
		}
		if (r < 0) {
			xs_transaction_end(t, true);
			return r;
		}
		r = xs_transaction_end(t, false);
	} while (r == -XEN_EAGAIN);
	return r;
}

long netfront_backend_state(struct netfront *nf)
{
	return xenbus_read_state(nf->backend);
}

long netfront_wait_backend(struct netfront *nf, enum xenbus_state want,
			   uint64_t timeout_ns)
{
	uint64_t end = pv_time_ns() + timeout_ns;
	long r;

	/* in slices: a state read now and then does not depend on every
	 * watch event arriving */
	do {
		r = xenbus_wait_state(nf->backend, want, 100 * 1000000ULL);
		/* closed while it should connect: it has given up (could
		 * not map the rings, refused a key); no use waiting on */
		if (want == XenbusStateConnected && r != (long)want &&
		    xenbus_read_state(nf->backend) == XenbusStateClosed)
			return XenbusStateClosed;
	} while (r != (long)want && pv_time_ns() < end);
	return r;
}

/* Waits until the backend is in state want; 0, or -XEN_E* printed. */
static long nf_wait_backend(struct netfront *nf, enum xenbus_state want,
			    uint64_t timeout_ns)
{
	long r = netfront_wait_backend(nf, want, timeout_ns);

	if (r == (long)want)
		return 0;
	printf("netfront: %s: backend %s: state %ld, want %d\n", nf->dir,
	       nf->backend, r, want);
	return r < 0 ? r : -XEN_EIO;
}

/* From the backend's InitWait to Connected: rings, keys, states. */
static long nf_connect(struct netfront *nf, uint64_t timeout_ns)
{
	long r = nf_wait_backend(nf, XenbusStateInitWait, timeout_ns);

	if (r >= 0 && (r = nf_rings_start(nf)) < 0)
		printf("netfront: %s: rings: error %ld\n", nf->dir, r);
	if (r >= 0 && (r = nf_publish(nf)) < 0)
		printf("netfront: %s: writing keys: error %ld\n", nf->dir, r);
	if (r >= 0)
		r = xenbus_switch_state(nf->dir, XenbusStateInitialised);
	if (r >= 0)
		r = nf_wait_backend(nf, XenbusStateConnected, timeout_ns);
	if (r >= 0)
		r = xenbus_switch_state(nf->dir, XenbusStateConnected);
	return r;
}

struct netfront *netfront_init(unsigned devid, uint64_t timeout_ns)
{
	struct netfront *nf = &nf_dev;
	uint64_t end = pv_time_ns() + timeout_ns;
	long r;

	if (nf_used)
		return NULL;
	memset(nf, 0, sizeof(*nf));
	snprintf(nf->dir, sizeof(nf->dir), "device/vif/%u", devid);
	r = xs_init();
	/* a store busy elsewhere (dom0 creating domains) answers late */
	while (r >= 0 && (r = nf_read_config(nf)) == -XEN_ETIME &&
	       pv_time_ns() < end)
		;
	if (r >= 0 && (r = gnttab_init()) < 0)
		printf("netfront: grant table: error %ld\n", r);
	if (r >= 0 && (r = nf_grant_all(nf)) < 0)
		printf("netfront: %s: grants: error %ld\n", nf->dir, r);
	if (r >= 0)
		r = nf_connect(nf, timeout_ns);
	if (r < 0)
		return NULL;
	nf_used = true;
	return nf;
}

long netfront_reconnect(struct netfront *nf, uint64_t timeout_ns)
{
	long r;

	evtchn_close(nf->port);
	xenbus_switch_state(nf->dir, XenbusStateClosed);
	r = nf_wait_backend(nf, XenbusStateClosed, timeout_ns);
	if (r >= 0)
		r = xenbus_switch_state(nf->dir, XenbusStateInitialising);
	return r < 0 ? r : nf_connect(nf, timeout_ns);
}

void netfront_close(struct netfront *nf, uint64_t timeout_ns)
{
	xenbus_switch_state(nf->dir, XenbusStateClosing);
	netfront_wait_backend(nf, XenbusStateClosing, timeout_ns);
	xenbus_switch_state(nf->dir, XenbusStateClosed);
	evtchn_close(nf->port);
}

/* Takes transmit responses, freeing their buffers. */
static void nf_tx_reap(struct netfront *nf)
{
	RING_IDX prod = nf->tx.sring->rsp_prod;

	xen_rmb(); /* the responses below prod, after prod */
	for (; nf->tx.rsp_cons != prod; nf->tx.rsp_cons++) {
		netif_tx_response_t *rsp = RING_GET_RESPONSE(&nf->tx,
							     nf->tx.rsp_cons);

		if (rsp->status == XEN_NETIF_RSP_NULL)
			continue;
		if (rsp->id >= NETFRONT_TX_BUFS ||
		    nf->tx_nfree == NETFRONT_TX_BUFS) {
			nf->tx_errors++; /* a backend's bogus id */
			continue;
		}
		if (rsp->status != XEN_NETIF_RSP_OKAY)
			nf->tx_errors++;
		nf->tx_free[nf->tx_nfree++] = rsp->id;
	}
}

long netfront_send(struct netfront *nf, const void *frame, size_t len)
{
	netif_tx_request_t *req;
	uint16_t id;

	if (len < ETH_HLEN || len > ETH_FRAME_MAX)
		return -XEN_EINVAL;
	nf_tx_reap(nf);
	if (!nf->tx_nfree || RING_FULL(&nf->tx))
		return -XEN_EAGAIN;
	id = nf->tx_free[--nf->tx_nfree];
	memcpy(nf_tx_pages[id], frame, len);
	req = RING_GET_REQUEST(&nf->tx, nf->tx.req_prod_pvt++);
	*req = (netif_tx_request_t){ .gref = nf->tx_gref[id],
				     .id = id,
				     .size = (uint16_t)len };
	NF_PUSH(nf, &nf->tx);
	nf->tx_frames++;
	return 0;
}

/*
 * The frame of the response in slot idx, or NULL when the backend got it
 * wrong.  Buffer i is posted in the slots i, i + NETFRONT_RX_BUFS, ...,
 * and a response comes in its request's slot (netif.h), so the id is
 * known before it is read.
 */
static const uint8_t *nf_rx_frame(RING_IDX idx, const netif_rx_response_t *rsp)
{
	if (rsp->id != idx % NETFRONT_RX_BUFS || rsp->status <= 0 ||
	    rsp->offset + rsp->status > NF_PAGE ||
	    (rsp->flags & (NETRXF_more_data | NETRXF_extra_info)))
		return NULL;
	return nf_rx_pages[rsp->id] + rsp->offset;
}

long netfront_recv(struct netfront *nf, void *buf, size_t len)
{
	netif_rx_response_t rsp;
	const uint8_t *frame;
	RING_IDX idx;
	long n = 0;

	while (!n && RING_HAS_UNCONSUMED_RESPONSES(&nf->rx)) {
		xen_rmb(); /* the response after rsp_prod */
		idx = nf->rx.rsp_cons++;
		rsp = *RING_GET_RESPONSE(&nf->rx, idx);
		frame = nf_rx_frame(idx, &rsp);
		if (frame) {
			n = MIN((long)len, rsp.status);
			memcpy(buf, frame, (size_t)n);
			nf->rx_frames++;
		} else {
			nf->rx_errors++;
		}
		nf_rx_post(nf, (uint16_t)(idx % NETFRONT_RX_BUFS));
		NF_PUSH(nf, &nf->rx);
	}
	return n;
}

bool netfront_wait(struct netfront *nf, uint64_t deadline_ns)
{
	int work;

	nf->kicked = 0;
	RING_FINAL_CHECK_FOR_RESPONSES(&nf->rx, work);
	if (work)
		return true;
	if (!nf->tx_nfree) {
		RING_FINAL_CHECK_FOR_RESPONSES(&nf->tx, work);
		if (work)
			return false;
	}
	pv_block_until(&nf->kicked, deadline_ns);
	return RING_HAS_UNCONSUMED_RESPONSES(&nf->rx);
}

bool netfront_xmit(void *dev, const void *frame, size_t len)
{
	struct netfront *nf = dev;
	uint64_t deadline = pv_time_ns() + 100000000ULL;
	long r;

	while ((r = netfront_send(nf, frame, len)) == -XEN_EAGAIN &&
	       pv_time_ns() < deadline)
		netfront_wait(nf, deadline);
	return r == 0;
}

bool netfront_poll(struct netfront *nf, struct net_if *nif, volatile int *flag,
		   uint64_t deadline_ns)
{
	static uint8_t frame[ETH_FRAME_MAX];
	long n;

	for (;;) {
		while ((n = netfront_recv(nf, frame, sizeof(frame))) > 0) {
			net_input(nif, frame, (size_t)n);
			if (flag && *flag)
				return true;
		}
		if ((flag && *flag) || pv_time_ns() >= deadline_ns)
			return flag && *flag;
		netfront_wait(nf, deadline_ns);
	}
}
