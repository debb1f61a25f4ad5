/*
 * guests/lib/io/netif.h - the network split driver's rings (Xen's
 * xen/include/public/io/netif.h): a frontend's transmit and receive
 * rings of io/ring.h, and the xenstore keys the two ends exchange.
 * Needs inc/public/xen.h and memset() first; includes ring.h and
 * grant_table.h itself.
 *
 * Transmit: the frontend grants the backend a page holding a frame and
 * queues { gref, offset, size, id }; the backend copies the frame out
 * (GNTTABOP_copy), answers { id, status } and the frontend reuses the
 * page.  A frame may span several requests: every one but the last has
 * NETTXF_more_data, the first's size is the whole frame's, each later
 * one's its own fragment's.  Receive: the frontend posts empty granted
 * pages { id, gref }; the backend copies an arriving frame into the
 * next one and answers { id, offset, flags, status = length } in the
 * same ring slot (Linux's netfront ignores the id and relies on that).
 *
 *	netif_tx_request_t *req = RING_GET_REQUEST(&tx, tx.req_prod_pvt++);
 *	*req = (netif_tx_request_t){ .gref = ref, .id = slot, .size = len };
 *	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&tx, notify);
 *	if (notify)
 *		evtchn_send(port);
 *
 * Xenstore, frontend dir device/vif/N: tx-ring-ref, rx-ring-ref,
 * event-channel, request-rx-copy = 1, feature-rx-notify = 1; backend
 * dir backend/vif/DOMID/N: handle, mac, bridge, feature-rx-copy = 1
 * (Linux's netfront refuses a backend without it), feature-sg = 0, ...
 */
#ifndef GUESTS_LIB_IO_NETIF_H
#define GUESTS_LIB_IO_NETIF_H

#include <guests/lib/io/ring.h>
#include <inc/public/grant_table.h>

/* Slots a frame may use at most that every backend must accept. */
#define XEN_NETIF_NR_SLOTS_MIN 18

/* Transmit request flags. */
#define NETTXF_csum_blank     (1U << 0) /* checksum left to the backend */
#define NETTXF_data_validated (1U << 1) /* checksum already checked */
#define NETTXF_more_data      (1U << 2) /* the frame continues in the next slot */
#define NETTXF_extra_info     (1U << 3) /* a netif_extra_info slot follows */

/* 12 bytes; offset + this slot's bytes must stay within the page. */
struct netif_tx_request {
	grant_ref_t gref;
	uint16_t offset;
	uint16_t flags; /* NETTXF_* */
	uint16_t id;	/* echoed in the response */
	uint16_t size;	/* first slot: the frame; later ones: the slot's */
};
typedef struct netif_tx_request netif_tx_request_t;

#define XEN_NETIF_EXTRA_TYPE_GSO  1
#define XEN_NETIF_EXTRA_FLAG_MORE (1U << 0)

/* Fits a tx request's and an rx response's slot; hvlab's backend offers
 * no feature that needs one, and answers a frame that has one with an
 * error. */
struct netif_extra_info {
	uint8_t type;  /* XEN_NETIF_EXTRA_TYPE_* */
	uint8_t flags; /* XEN_NETIF_EXTRA_FLAG_* */
	union {
		struct {
			uint16_t size;
			uint8_t type;
			uint8_t pad;
			uint16_t features;
		} gso;
		struct {
			uint8_t addr[6];
		} mcast;
		uint16_t pad[3];
	} u;
};
typedef struct netif_extra_info netif_extra_info_t;

struct netif_tx_response {
	uint16_t id;
	int16_t status; /* XEN_NETIF_RSP_* */
};
typedef struct netif_tx_response netif_tx_response_t;

struct netif_rx_request {
	uint16_t id; /* echoed in the response */
	uint16_t pad;
	grant_ref_t gref; /* a whole page the backend may write */
};
typedef struct netif_rx_request netif_rx_request_t;

/* Receive response flags. */
#define NETRXF_data_validated (1U << 0)
#define NETRXF_csum_blank     (1U << 1)
#define NETRXF_more_data      (1U << 2)
#define NETRXF_extra_info     (1U << 3)
#define NETRXF_gso_prefix     (1U << 4)

struct netif_rx_response {
	uint16_t id;
	uint16_t offset; /* where the frame starts in the page */
	uint16_t flags;	 /* NETRXF_* */
	int16_t status;	 /* > 0: the frame's length; else XEN_NETIF_RSP_* */
};
typedef struct netif_rx_response netif_rx_response_t;

DEFINE_RING_TYPES(netif_tx, struct netif_tx_request, struct netif_tx_response);
DEFINE_RING_TYPES(netif_rx, struct netif_rx_request, struct netif_rx_response);

#define XEN_NETIF_RSP_DROPPED -2
#define XEN_NETIF_RSP_ERROR   -1
#define XEN_NETIF_RSP_OKAY    0
#define XEN_NETIF_RSP_NULL    1 /* no response: an extra_info slot's */

/* Both rings of one page hold 256 slots (Linux's NET_TX/RX_RING_SIZE). */
#define NETIF_TX_RING_SIZE __CONST_RING_SIZE(netif_tx, 4096)
#define NETIF_RX_RING_SIZE __CONST_RING_SIZE(netif_rx, 4096)

#endif
