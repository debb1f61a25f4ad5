/*
 * netback.c - netback's vifs (lab 7, netback.h) on the handshake of
 * xenbus_back.h, for each backend/vif directory the toolstack makes from
 * a vif line, with the keys Linux's netback writes (io/netif.h):
 *   open:    feature-rx-copy = 1 (Linux's netfront insists),
 *            feature-sg = 0, ...;
 *   connect: maps tx-ring-ref and rx-ring-ref, binds event-channel,
 *            joins the vif's bridge; the rings are served by
 *            netback_ring.c.
 * The domain's own interface on the bridge (netback.h) is set up when
 * the backend starts.
 */
#include "netback.h"
#include <guests/lib/pv.h>
#include <guests/lib/gnttab.h>
#include <guests/lib/net.h>
#include <guests/lib/xs.h>

#define NETBACK_VIFS 8
#define NETBACK_IP   0x0a000001 /* 10.0.0.1 */

static struct netback_vif nb_vifs[NETBACK_VIFS];
static struct xb_backend netback;

/* The domain's own interface: a port on xenbr0 and the stack behind it. */
static struct net_if nb_local;
static struct bridge_port nb_local_port = { .name = "local" };

static bool nb_local_deliver(struct bridge_port *port, const void *frame,
			     size_t len)
{
	net_input(&nb_local, frame, len);
	return true;
}

static bool nb_local_xmit(void *dev, const void *frame, size_t len)
{
	bridge_input(&nb_local_port, frame, len);
	return true;
}

/* Puts the domain on xenbr0 at ip= (10.0.0.1 when absent), its MAC
 * 02:00 and the address: locally administered, never a vif's. */
static void nb_local_init(void)
{
	char arg[20];
	uint32_t ip = NETBACK_IP;
	uint8_t mac[ETH_ALEN] = { 0x02, 0x00 };

	if (cmdline_get("ip", arg, sizeof(arg)) && !net_parse_ip(arg, &ip))
		printf("netback: ip=%s: not an IPv4 address; using 10.0.0.1\n",
		       arg);
	for (int i = 0; i < 4; i++)
		mac[2 + i] = (uint8_t)(ip >> (24 - 8 * i));
	net_if_init(&nb_local, mac, ip, nb_local_xmit, NULL);
	nb_local_port.deliver = nb_local_deliver;
	if (bridge_attach(bridge_get("xenbr0"), &nb_local_port) == 0)
		printf("netback: xenbr0 up, this domain is %u.%u.%u.%u\n",
		       NET_IP_ARGS(ip));
}

/* Offers v: Linux netback's feature keys; false (logged) when its
 * directory lacks what the toolstack writes. */
static bool nb_open(struct xb_dev *x)
{
	struct netback_vif *v = (struct netback_vif *)x;
	static const char *const features[] = {
		"feature-rx-copy",
		"1",
		"feature-rx-flip",
		"0",
		"feature-sg",
		"0",
		"feature-gso-tcpv4",
		"0",
		"feature-gso-tcpv6",
		"0",
		"feature-split-event-channels",
		"0",
	};

	v->bport.deliver = netback_rx;
	v->bport.arg = v;
	snprintf(v->bport.name, sizeof(v->bport.name), "vif%u.%u", x->front_id,
		 x->id);
	if (!xb_read(&netback, x->dir, "bridge", v->bridge,
		     sizeof(v->bridge)) ||
	    !bridge_get(v->bridge))
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(features); i += 2)
		xb_write(x, features[i], features[i + 1]);
	return true;
}

bool netback_alive(struct netback_vif *v)
{
	if (xb_alive(&v->xb))
		return true;
	if (!v->broken[0])
		snprintf(v->broken, sizeof(v->broken), "frontend gone");
	return false;
}

/* Leaves the bridge, unbinds and unmaps a connected v. */
static void nb_disconnect(struct xb_dev *x)
{
	struct netback_vif *v = (struct netback_vif *)x;

	bridge_detach(&v->bport);
	evtchn_close(x->port);
	xb_unmap(&v->tx_slot, v->tx_handle);
	xb_unmap(&v->rx_slot, v->rx_handle);
}

/* Maps the rings, binds the channel, joins the bridge; false (logged). */
static bool nb_connect(struct xb_dev *x)
{
	struct netback_vif *v = (struct netback_vif *)x;
	long copy = 0;
	bool ok = false;

	if (!xb_read_int(&netback, x->front, "request-rx-copy", &copy) ||
	    copy != 1)
		printf("netback: %s: request-rx-copy must be 1 (no page "
		       "flipping)\n",
		       x->front);
	else if (xb_map(&netback, x, "tx-ring-ref", &v->tx_slot,
			&v->tx_handle) &&
		 xb_map(&netback, x, "rx-ring-ref", &v->rx_slot, &v->rx_handle))
		ok = xb_bind(&netback, x);
	if (ok && bridge_attach(bridge_get(v->bridge), &v->bport) < 0) {
		printf("netback: %s: bridge %s is full\n", x->dir, v->bridge);
		evtchn_close(x->port);
		ok = false;
	}
	if (!ok) {
		xb_unmap(&v->tx_slot, v->tx_handle);
		xb_unmap(&v->rx_slot, v->rx_handle);
		return false;
	}
	BACK_RING_INIT(&v->tx, (struct netif_tx_sring *)v->tx_slot, 4096);
	BACK_RING_INIT(&v->rx, (struct netif_rx_sring *)v->rx_slot, 4096);
	v->broken[0] = '\0';
	v->logged = 0;
	return true;
}

static bool nb_broken(const struct xb_dev *x)
{
	return ((const struct netback_vif *)x)->broken[0];
}

static bool nb_serve(struct xb_dev *x)
{
	return netback_tx((struct netback_vif *)x);
}

static struct xb_backend netback = {
	.name = "netback",
	.type = "vif",
	.devs = nb_vifs,
	.size = sizeof(nb_vifs[0]),
	.n = NETBACK_VIFS,
	.start = nb_local_init,
	.open = nb_open,
	.connect = nb_connect,
	.disconnect = nb_disconnect,
	.broken = nb_broken,
	.serve = nb_serve,
};

bool netback_poll(void)
{
	return xb_poll(&netback);
}

struct net_if *netback_local(void)
{
	return nb_local_port.br ? &nb_local : NULL;
}

void netback_show(void)
{
	bridge_show(printf);
	for (unsigned i = 0; i < NETBACK_VIFS; i++) {
		struct netback_vif *v = &nb_vifs[i];

		if (v->xb.used)
			printf("vif%u.%u %s: tx %lu (%lu errors) rx %lu (%lu "
			       "dropped)%s%s\n",
			       v->xb.front_id, v->xb.id,
			       v->xb.connected ? "connected" : "down",
			       v->tx_frames, v->tx_errors, v->rx_frames,
			       v->rx_dropped, v->broken[0] ? ": " : "",
			       v->broken);
	}
	printf("local %u.%u.%u.%u: rx %u tx %u, %u pings answered\n",
	       NET_IP_ARGS(nb_local.ip), nb_local.stats.rx, nb_local.stats.tx,
	       nb_local.stats.echo_answered);
}
