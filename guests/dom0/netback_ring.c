/*
 * netback_ring.c - netback's data path (lab 7, netback.h): the transmit
 * ring's frames copied in and switched, the bridge's frames copied into
 * the receive ring's posted buffers.  Everything a frontend wrote is read
 * once into a private copy, then checked, then used: the ring page is
 * the frontend's and may change under us at any time.
 */
#include "netback.h"
#include <inc/stdio.h>
#include <inc/string.h>

#define NB_PAGE	     4096
#define NB_FRAME_MAX 1514 /* ETH_FRAME_MAX: a 1500-byte MTU */
#define NB_LOG_MAX   3	  /* grant failures logged per vif */

/* Frames pass through these, whole pages so no copy crosses a page. */
static uint8_t nb_tx_buf[NB_PAGE] __attribute__((aligned(NB_PAGE)));
static uint8_t nb_rx_buf[NB_PAGE] __attribute__((aligned(NB_PAGE)));

static uint64_t nb_gfn(const void *p)
{
	return (uintptr_t)p >> 12;
}

/* Marks v broken for the reason fmt formats (the first one), with a
 * log line. */
static bool nb_break(struct netback_vif *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static bool nb_break(struct netback_vif *v, const char *fmt, ...)
{
	va_list ap;

	if (v->broken[0])
		return false;
	va_start(ap, fmt);
	vsnprintf(v->broken, sizeof(v->broken), fmt, ap);
	va_end(ap);
	printf("netback: vif%u.%u: %s; disconnecting\n", v->xb.front_id,
	       v->xb.id, v->broken);
	return false;
}

/* Logs a failed grant copy, the first few times. */
static void nb_log_grant(struct netback_vif *v, const char *ring,
			 grant_ref_t ref, int16_t status)
{
	if (v->logged++ < NB_LOG_MAX)
		printf("netback: vif%u.%u: %s grant %u: copy status %d; frame "
		       "dropped\n",
		       v->xb.front_id, v->xb.id, ring, ref, status);
}

/*
 * Whether the frontend's producer index prod is one it may write: at
 * most a ring ahead of the responses, never behind them.
 */
static bool nb_prod_ok(struct netback_vif *v, const char *ring, RING_IDX prod,
		       RING_IDX rsp_prod, unsigned size)
{
	if (prod - rsp_prod <= size)
		return true;
	if ((int32_t)(prod - rsp_prod) < 0)
		return nb_break(v, "%s req_prod %u runs backwards (below %u)",
				ring, prod, rsp_prod);
	return nb_break(v, "%s req_prod %u is more than %u slots ahead of %u",
			ring, prod, size, rsp_prod);
}

/*
 * Copies the slots of the frame at req_cons into reqs: its slot count,
 * 0 while the frontend has not pushed all of them, -1 when broken.
 */
static int nb_tx_slots(struct netback_vif *v, RING_IDX prod,
		       netif_tx_request_t *reqs)
{
	RING_IDX cons = v->tx.req_cons;
	int n = 0;

	do {
		if (n == XEN_NETIF_NR_SLOTS_MIN)
			return nb_break(v, "a frame of more than %d slots", n),
			       -1;
		if (cons + (RING_IDX)n == prod)
			return 0;
		reqs[n] = *RING_GET_REQUEST(&v->tx, cons + (RING_IDX)n);
		__asm__ volatile("" ::: "memory"); /* one read, then the copy */
	} while (reqs[n++].flags & NETTXF_more_data);
	return n;
}

/*
 * Checks the frame's n slots: sizes and offsets within their pages, no
 * extra_info slots (no feature that needs one was offered).  Sets each
 * slot's byte count in bytes[]; the frame's length, or 0 when broken.
 */
static size_t nb_tx_check(struct netback_vif *v, const netif_tx_request_t *reqs,
			  int n, unsigned *bytes)
{
	unsigned total = reqs[0].size, rest = 0;

	if (total == 0 || total > NB_FRAME_MAX)
		return nb_break(v, "tx id %u: size %u, want 1..%u", reqs[0].id,
				total, NB_FRAME_MAX);
	for (int i = 1; i < n; i++)
		rest += bytes[i] = reqs[i].size;
	if (rest >= total)
		return nb_break(v,
				"tx id %u: fragments of %u bytes in a "
				"frame of %u",
				reqs[0].id, rest, total);
	bytes[0] = total - rest;
	for (int i = 0; i < n; i++) {
		if (reqs[i].flags & NETTXF_extra_info)
			return nb_break(v, "tx id %u: extra_info, not offered",
					reqs[i].id);
		if (reqs[i].offset + bytes[i] > NB_PAGE)
			return nb_break(v,
					"tx id %u: offset %u + %u bytes "
					"crosses its page",
					reqs[i].id, reqs[i].offset, bytes[i]);
	}
	return total;
}

/* Copies the frame's n checked slots into nb_tx_buf; GNTST_okay or the
 * first failing slot's status. */
static int16_t nb_tx_copy(struct netback_vif *v, const netif_tx_request_t *reqs,
			  int n, const unsigned *bytes)
{
	struct gnttab_copy ops[XEN_NETIF_NR_SLOTS_MIN];
	unsigned at = 0;

	for (int i = 0; i < n; i++) {
		ops[i] = (struct gnttab_copy){
			.source = { .u.ref = reqs[i].gref,
				    .domid = v->xb.front_id,
				    .offset = reqs[i].offset },
			.dest = { .u.gmfn = nb_gfn(nb_tx_buf),
				  .domid = DOMID_SELF,
				  .offset = (uint16_t)at },
			.len = (uint16_t)bytes[i],
			.flags = GNTCOPY_source_gref,
		};
		at += bytes[i];
	}
	if (gnttab_copy(ops, (unsigned)n) < 0)
		return GNTST_general_error;
	for (int i = 0; i < n; i++)
		if (ops[i].status != GNTST_okay) {
			nb_log_grant(v, "tx", reqs[i].gref, ops[i].status);
			return ops[i].status;
		}
	return GNTST_okay;
}

/* Answers each of the frame's n slots with status. */
static void nb_tx_respond(struct netback_vif *v, const netif_tx_request_t *reqs,
			  int n, int16_t status)
{
	for (int i = 0; i < n; i++) {
		netif_tx_response_t *rsp =
			RING_GET_RESPONSE(&v->tx, v->tx.rsp_prod_pvt++);

		rsp->id = reqs[i].id;
		rsp->status = status;
	}
}

/* Takes one frame of n slots: checks, copies, answers, switches it. */
static void nb_tx_frame(struct netback_vif *v, const netif_tx_request_t *reqs,
			int n)
{
	unsigned bytes[XEN_NETIF_NR_SLOTS_MIN];
	size_t len = nb_tx_check(v, reqs, n, bytes);
	bool ok = len && nb_tx_copy(v, reqs, n, bytes) == GNTST_okay;

	if (v->broken[0])
		return;
	v->tx.req_cons += (RING_IDX)n;
	nb_tx_respond(v, reqs, n,
		      ok ? XEN_NETIF_RSP_OKAY : XEN_NETIF_RSP_ERROR);
	if (!ok) {
		v->tx_errors++;
		return;
	}
	v->tx_frames++;
	bridge_input(&v->bport, nb_tx_buf, len);
}

bool netback_tx(struct netback_vif *v)
{
	netif_tx_request_t reqs[XEN_NETIF_NR_SLOTS_MIN];
	unsigned done = 0;
	RING_IDX prod;
	int n, notify;

	if (!netback_alive(v))
		return false;
	prod = v->tx.sring->req_prod;
	xen_rmb(); /* the requests below prod, after prod */
	if (!nb_prod_ok(v, "tx", prod, v->tx.rsp_prod_pvt, RING_SIZE(&v->tx)))
		return false;
	while (done < NETBACK_BUDGET && !v->broken[0] &&
	       (n = nb_tx_slots(v, prod, reqs)) > 0) {
		nb_tx_frame(v, reqs, n);
		done++;
	}
	if (done) {
		RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&v->tx, notify);
		if (notify)
			evtchn_send(v->xb.port);
	}
	if (v->broken[0] || done == NETBACK_BUDGET)
		return done > 0;
	/* wake me for anything past prod: a frame's missing slots too */
	v->tx.sring->req_event = prod + 1;
	xen_mb();
	return done > 0 || v->tx.sring->req_prod != prod;
}

/* Copies len bytes of frame into the receive buffer grant ref; status. */
static int16_t nb_rx_copy(struct netback_vif *v, grant_ref_t ref,
			  const void *frame, size_t len)
{
	struct gnttab_copy op = {
		.source = { .u.gmfn = nb_gfn(nb_rx_buf), .domid = DOMID_SELF },
		.dest = { .u.ref = ref, .domid = v->xb.front_id },
		.len = (uint16_t)len,
		.flags = GNTCOPY_dest_gref,
	};

	memcpy(nb_rx_buf, frame, len);
	if (gnttab_copy(&op, 1) < 0)
		return GNTST_general_error;
	if (op.status != GNTST_okay)
		nb_log_grant(v, "rx", ref, op.status);
	return op.status;
}

bool netback_rx(struct bridge_port *port, const void *frame, size_t len)
{
	struct netback_vif *v = port->arg;
	netif_rx_request_t req;
	netif_rx_response_t *rsp;
	RING_IDX prod;
	bool ok;
	int notify;

	if (!v->xb.connected || v->broken[0] || len > NB_FRAME_MAX ||
	    !netback_alive(v))
		return false;
	prod = v->rx.sring->req_prod;
	xen_rmb(); /* the requests below prod, after prod */
	if (!nb_prod_ok(v, "rx", prod, v->rx.rsp_prod_pvt, RING_SIZE(&v->rx)))
		return false;
	if (prod == v->rx.req_cons) {
		v->rx_dropped++; /* no buffer posted: its own loss alone */
		return false;
	}
	req = *RING_GET_REQUEST(&v->rx, v->rx.req_cons++);
	__asm__ volatile("" ::: "memory"); /* one read, then the copy */
	ok = nb_rx_copy(v, req.gref, frame, len) == GNTST_okay;
	rsp = RING_GET_RESPONSE(&v->rx, v->rx.rsp_prod_pvt++);
	*rsp = (netif_rx_response_t){
		.id = req.id,
		.status = ok ? (int16_t)len : XEN_NETIF_RSP_ERROR,
	};
	RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&v->rx, notify);
	if (notify)
		evtchn_send(v->xb.port);
	if (ok)
		v->rx_frames++;
	return ok;
}
