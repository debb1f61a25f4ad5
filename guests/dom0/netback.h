/*
 * netback.h - the network backend (lab 7): connects other domains'
 * netfronts to a software bridge (bridge.h) over Xen's netif rings
 * (guests/lib/io/netif.h).  It runs in dom0 or in a driver domain, the
 * same files in both; its domain is also a port on the bridge, with an
 * address of its own (ip= on its command line, 10.0.0.1 by default), so
 * it answers ARP and ping.
 *
 *   netback.c       vifs: xenstore watches, the xenbus handshake,
 *                   connect and disconnect, the domain's own interface
 *   netback_ring.c  the rings: validate each request, copy frames in and
 *                   out with GNTTABOP_copy, respond, notify
 */
#ifndef GUESTS_DOM0_NETBACK_H
#define GUESTS_DOM0_NETBACK_H

#include <inc/types.h>
#include <inc/public/xen.h>
#include <inc/public/event_channel.h>
#include <inc/public/grant_table.h>
#include <guests/lib/io/ring.h>
#include <guests/lib/io/netif.h>
#include "bridge.h"
#include "xenbus_back.h"

#define NETBACK_BUDGET 64 /* tx frames one call takes from one vif */

/* One vif: a frontend's device, its rings and its bridge port. */
struct netback_vif {
	struct xb_dev xb; /* first: the xenbus side */
	char bridge[BRIDGE_NAME_MAX];
	char broken[80]; /* why the frontend's rings are not to be read */
	struct netif_tx_back_ring tx;
	struct netif_rx_back_ring rx;
	void *tx_slot, *rx_slot; /* where the ring pages are mapped */
	grant_handle_t tx_handle, rx_handle;
	struct bridge_port bport;
	unsigned long tx_frames, tx_errors, rx_frames, rx_dropped;
	unsigned logged; /* grant failures logged (a few, not a flood) */
};

/*
 * Takes up to NETBACK_BUDGET frames from v's transmit ring (v
 * connected), copies each in, answers it and hands it to the bridge;
 * true if it consumed any.  A request no well-behaved frontend writes
 * (an index past the ring, a size of 0 or past ETH_FRAME_MAX, a slot
 * crossing its page, too many slots) sets v->broken with a log line;
 * the caller disconnects.  A grant the copy refuses fails just its frame.
 */
bool netback_tx(struct netback_vif *v);

/*
 * The bridge's delivery to v's port: copies the frame into the next
 * receive buffer the frontend posted and answers it; false (dropped)
 * when there is none or v is not connected.
 */
bool netback_rx(struct bridge_port *port, const void *frame, size_t len);

/*
 * Whether v's frontend domain is still there (its end of the event
 * channel bound): a dead granter's pages vanish from our mappings, so
 * the rings are touched only after this (netback.c; the tests fake it).
 */
bool netback_alive(struct netback_vif *v);

/* What netback_ring.c needs from the guest library (guest.h, pv.h,
 * gnttab.h); the host tests give their own. */
int printf(const char *fmt, ...);
long gnttab_copy(struct gnttab_copy *ops, unsigned n);
long evtchn_send(evtchn_port_t port);

/* Ends dom0's wait for work (dom0.h; the driver domain has its own):
 * the handler of every backend port. */
void dom0_kick(evtchn_port_t port, void *arg);

/* netback.c: the domain's service (main.c's dom0_services); true if it
 * did work.  Starts watching its backend/vif directory at the first call. */
bool netback_poll(void);

/* dom0's own interface on xenbr0 (bench8 streams from it), NULL before
 * the bridge is up. */
struct net_if *netback_local(void);

/* Prints each bridge's ports and each vif's counters. */
void netback_show(void);

#endif
