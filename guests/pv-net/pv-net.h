/*
 * pv-net.h - what pv-net's files share (lab 7): the vif, the stack on
 * it, and the helpers main.c gives hostile.c.
 */
#ifndef GUESTS_PV_NET_H
#define GUESTS_PV_NET_H

#include <guests/lib/pv.h>
#include <guests/lib/netfront.h>
#include <guests/lib/net.h>

#define MS	1000000ULL
#define DOM0_IP 0x0a000001 /* netback's own interface: 10.0.0.1 */

extern struct netfront *nf;
extern struct net_if nif;

/* net_udp_send, retried while ARP resolves dst; false after timeout_ns. */
bool net_send_retry(uint32_t dst, uint16_t sport, uint16_t dport,
		    const void *data, size_t len, uint64_t timeout_ns);

/* Pings peer count times (reported as what); the median round trip in
 * ns, 0 when a reply was missing or wrong. */
uint64_t ping_peer(uint32_t peer, unsigned count, const char *what);

/* hostile.c */
void mode_hostile(void);

#endif
