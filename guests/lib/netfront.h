/*
 * netfront.h - the network frontend (guests/lib, lab 7): the domU's end
 * of a vif (guests/lib/io/netif.h), found in xenstore under
 * device/vif/N, whose backend (netback, in dom0 or a driver domain)
 * switches its frames on a bridge.
 *
 * The xenbus handshake (io/xenbus.h): wait for the backend's InitWait,
 * grant it the two ring pages, post receive buffers, write tx-ring-ref,
 * rx-ring-ref, event-channel and request-rx-copy in one transaction,
 * switch to Initialised, wait for Connected.  Transmit copies a frame
 * into one of NETFRONT_TX_BUFS pages granted read-only; receive buffers
 * are NETFRONT_RX_BUFS pages granted writable, each posted again once
 * its frame is taken.  One vif per guest.
 *
 *	struct netfront *nf = netfront_init(0);
 *	netfront_send(nf, frame, len);
 *	while (!(n = netfront_recv(nf, buf, sizeof(buf))))
 *		netfront_wait(nf, deadline);
 */
#ifndef GUESTS_LIB_NETFRONT_H
#define GUESTS_LIB_NETFRONT_H

#include <guests/lib/pv.h>
#include <guests/lib/net.h>
#include <guests/lib/io/netif.h>
#include <guests/lib/io/xenbus.h>

#define NETFRONT_TX_BUFS 64
#define NETFRONT_RX_BUFS 128 /* of the ring's 256 slots */
#define NETFRONT_PATH	 64

struct netfront {
	char dir[NETFRONT_PATH];     /* device/vif/N */
	char backend[NETFRONT_PATH]; /* the backend's directory */
	domid_t backend_id;
	uint8_t mac[ETH_ALEN];
	struct netif_tx_front_ring tx;
	struct netif_rx_front_ring rx;
	evtchn_port_t port;
	volatile int kicked; /* an event came since netfront_wait looked */
	bool notify_always;  /* bench-split: notify on every push */
	uint16_t tx_free[NETFRONT_TX_BUFS];
	unsigned tx_nfree;
	grant_ref_t tx_gref[NETFRONT_TX_BUFS], rx_gref[NETFRONT_RX_BUFS];
	grant_ref_t tx_ring_ref, rx_ring_ref;
	/* counters */
	unsigned tx_frames, rx_frames, tx_errors, rx_errors, notifies;
};

/*
 * Connects vif devid (device/vif/DEVID): the handshake above, waiting
 * at most timeout_ns for each of the backend's states.  The frontend,
 * or NULL with the reason printed.
 */
struct netfront *netfront_init(unsigned devid, uint64_t timeout_ns);

/*
 * Queues one frame of len bytes (14..ETH_FRAME_MAX) for the backend;
 * 0, -XEN_EAGAIN when every transmit buffer is in flight (netfront_wait
 * and retry), -XEN_EINVAL for a bad length.  Frames the backend answers
 * with an error are counted in tx_errors.
 */
long netfront_send(struct netfront *nf, const void *frame, size_t len);

/*
 * Takes the next received frame into buf (up to len bytes) and posts
 * its buffer again: the frame's length, or 0 when none has arrived.
 * Responses the backend got wrong are counted in rx_errors and skipped.
 */
long netfront_recv(struct netfront *nf, void *buf, size_t len);

/*
 * Waits for the backend's next event (a frame, or transmit buffers
 * back) or deadline_ns; true when there is something to receive.
 */
bool netfront_wait(struct netfront *nf, uint64_t deadline_ns);

/*
 * Closes the connection and makes it again (after the backend dropped
 * it, or to start afresh): Closed, the backend's Closed, Initialising,
 * then netfront_init's handshake with new rings; 0 or -XEN_E* (printed).
 */
long netfront_reconnect(struct netfront *nf, uint64_t timeout_ns);

/*
 * Disconnects: Closing, then (once the backend is Closing too, having
 * unmapped the rings, or after timeout_ns) Closed.  A frontend closes before it ends, as
 * Linux's does at shutdown.
 */
void netfront_close(struct netfront *nf, uint64_t timeout_ns);

/* Waits until the backend's state is want, or Closed when want is
 * Connected (it gave up), at most timeout_ns; the state last read. */
long netfront_wait_backend(struct netfront *nf, enum xenbus_state want,
			   uint64_t timeout_ns);

/* The backend's state (XenbusState*), or -XEN_E*. */
long netfront_backend_state(struct netfront *nf);

/* net_if's xmit for a netfront: waits up to 100 ms for a free buffer. */
bool netfront_xmit(void *nf, const void *frame, size_t len);

/*
 * Feeds every received frame to nif until deadline_ns or until *flag
 * becomes non-zero (flag NULL: until the deadline); whether *flag was set.
 */
bool netfront_poll(struct netfront *nf, struct net_if *nif, volatile int *flag,
		   uint64_t deadline_ns);

#endif
