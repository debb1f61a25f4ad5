/*
 * netback.c - netback's vifs (lab 7, netback.h): found by watching this
 * domain's backend/vif directory, which the toolstack fills from each
 * domain's vif lines; Xen's backend keys and xenbus handshake
 * (io/netif.h, io/xenbus.h) as Linux's netback writes them:
 *
 *   new vif          feature-rx-copy = 1 (Linux's netfront insists),
 *                    feature-sg = 0, ...; InitWait
 *   front Initialised or Connected
 *                    map tx-ring-ref and rx-ring-ref, bind
 *                    event-channel, join the vif's bridge; Connected
 *   front Closing, Closed, gone, or a broken ring
 *                    leave the bridge, unbind, unmap; Closed
 *   front Initialising after that
 *                    InitWait again (a restarted frontend reconnects)
 *
 * The domain's own interface on the bridge (netback.h) is set up at
 * the first poll.
 */
#include "netback.h"
#include <guests/lib/pv.h>
#include <guests/lib/gnttab.h>
#include <guests/lib/net.h>
#include <guests/lib/xs.h>

#define NETBACK_VIFS	  8
#define NETBACK_TOKEN	  "vif"
#define NETBACK_RESCAN_NS 200000000ull /* events may be another's to take */
#define NETBACK_IP	  0x0a000001   /* 10.0.0.1 */

static struct netback_vif nb_vifs[NETBACK_VIFS];
static char nb_base[NETBACK_PATH_MAX]; /* .../backend/vif */
static bool nb_rescan;
static uint64_t nb_scanned_ns;

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

/* Reads v->dir/key into buf; false (logged) when missing. */
static bool nb_key(struct netback_vif *v, const char *key, char *buf,
		   size_t len)
{
	char path[NETBACK_PATH_MAX + 16];

	snprintf(path, sizeof(path), "%s/%s", v->dir, key);
	if (xs_read(0, path, buf, len) >= 0)
		return true;
	printf("netback: %s: no %s\n", v->dir, key);
	return false;
}

/* The number dir/key into *val; false (logged) when missing or bad. */
static bool nb_int(const char *dir, const char *key, long *val)
{
	char path[NETBACK_PATH_MAX + 24];
	long r;

	snprintf(path, sizeof(path), "%s/%s", dir, key);
	r = xs_read_int(0, path, val);
	if (r < 0)
		printf("netback: %s: %s\n", path,
		       r == -XEN_ENOENT ? "missing" : "not a number");
	return r >= 0;
}

/* Offers v: Linux netback's feature keys, then InitWait; Closed (logged)
 * when its directory lacks what the toolstack writes. */
static void nb_vif_open(struct netback_vif *v)
{
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
	char path[NETBACK_PATH_MAX + 32];

	snprintf(v->bport.name, sizeof(v->bport.name), "vif%u.%u", v->front_id,
		 v->handle);
	if (!nb_key(v, "frontend", v->front, sizeof(v->front)) ||
	    !nb_key(v, "bridge", v->bridge, sizeof(v->bridge)) ||
	    !bridge_get(v->bridge)) {
		xenbus_switch_state(v->dir, XenbusStateClosed);
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(features); i += 2) {
		snprintf(path, sizeof(path), "%s/%s", v->dir, features[i]);
		xs_write(0, path, features[i + 1]);
	}
	snprintf(path, sizeof(path), "%s/state", v->front);
	xs_watch(path, NETBACK_TOKEN);
	xenbus_switch_state(v->dir, XenbusStateInitWait);
}

/* Maps ring ref of the frontend at *slot; false (logged) when refused. */
static bool nb_map(struct netback_vif *v, const char *key, void **slot,
		   grant_handle_t *handle)
{
	long ref, r = GNTST_general_error;

	if (!nb_int(v->front, key, &ref))
		return false;
	*slot = gnttab_slot_alloc();
	if (*slot)
		r = gnttab_map(v->front_id, (grant_ref_t)ref, *slot, false,
			       handle);
	if (r == GNTST_okay)
		return true;
	printf("netback: %s/%s: grant %ld cannot be mapped (%ld)\n", v->front,
	       key, ref, r);
	if (*slot)
		gnttab_slot_free(*slot);
	*slot = NULL;
	return false;
}

/* Unmaps what nb_map mapped at *slot. */
static void nb_unmap(void **slot, grant_handle_t handle)
{
	if (!*slot)
		return;
	gnttab_unmap(handle, *slot);
	gnttab_slot_free(*slot);
	*slot = NULL;
}

bool netback_alive(struct netback_vif *v)
{
	struct evtchn_status st;

	if (evtchn_status(v->port, &st) == 0 &&
	    st.status == EVTCHNSTAT_interdomain)
		return true;
	if (!v->broken[0])
		snprintf(v->broken, sizeof(v->broken), "frontend gone");
	return false;
}

/* Leaves the bridge, unbinds and unmaps a connected v. */
static void nb_disconnect(struct netback_vif *v)
{
	if (!v->connected)
		return;
	v->connected = false;
	bridge_detach(&v->bport);
	evtchn_close(v->port);
	nb_unmap(&v->tx_slot, v->tx_handle);
	nb_unmap(&v->rx_slot, v->rx_handle);
}

/* Maps the rings, binds the channel, joins the bridge: Connected, or
 * Closed with a log line. */
static void nb_connect(struct netback_vif *v)
{
	long copy = 0, evtchn = 0, r = -1;

	if (!nb_int(v->front, "request-rx-copy", &copy) || copy != 1)
		printf("netback: %s: request-rx-copy must be 1 (no page "
		       "flipping)\n",
		       v->front);
	else if (nb_int(v->front, "event-channel", &evtchn) &&
		 nb_map(v, "tx-ring-ref", &v->tx_slot, &v->tx_handle) &&
		 nb_map(v, "rx-ring-ref", &v->rx_slot, &v->rx_handle))
		r = evtchn_bind_interdomain(v->front_id, (evtchn_port_t)evtchn,
					    dom0_kick, NULL);
	if (r >= 0 && bridge_attach(bridge_get(v->bridge), &v->bport) < 0) {
		printf("netback: %s: bridge %s is full\n", v->dir, v->bridge);
		evtchn_close((evtchn_port_t)r);
		r = -1;
	}
	if (r < 0) {
		nb_unmap(&v->tx_slot, v->tx_handle);
		nb_unmap(&v->rx_slot, v->rx_handle);
		xenbus_switch_state(v->dir, XenbusStateClosed);
		return;
	}
	v->port = (evtchn_port_t)r;
	BACK_RING_INIT(&v->tx, (struct netif_tx_sring *)v->tx_slot, 4096);
	BACK_RING_INIT(&v->rx, (struct netif_rx_sring *)v->rx_slot, 4096);
	v->broken[0] = '\0';
	v->logged = 0;
	v->connected = true;
	xenbus_switch_state(v->dir, XenbusStateConnected);
}

/* Follows v's frontend: connects, disconnects, offers itself again. */
static void nb_vif_step(struct netback_vif *v)
{
	long front = xenbus_read_state(v->front);
	long mine = xenbus_read_state(v->dir);

	if (v->connected &&
	    (v->broken[0] || front < 0 || front >= XenbusStateClosing)) {
		nb_disconnect(v);
		if (mine >= 0) /* not when the toolstack removed the dir */
			xenbus_switch_state(v->dir, XenbusStateClosed);
	} else if (!v->connected && mine == XenbusStateInitWait &&
		   (front == XenbusStateInitialised ||
		    front == XenbusStateConnected)) {
		nb_connect(v);
	} else if (!v->connected && mine == XenbusStateClosed && v->front[0] &&
		   front == XenbusStateInitialising) {
		xenbus_switch_state(v->dir, XenbusStateInitWait);
	}
}

/* Forgets v, whose directory is gone. */
static void nb_vif_free(struct netback_vif *v)
{
	char path[NETBACK_PATH_MAX + 8];

	nb_disconnect(v);
	snprintf(path, sizeof(path), "%s/state", v->front);
	if (v->front[0])
		xs_unwatch(path, NETBACK_TOKEN);
	memset(v, 0, sizeof(*v));
}

/* The vif of frontend front, handle h: known or new; NULL when full. */
static struct netback_vif *nb_vif_find(unsigned front, unsigned h)
{
	struct netback_vif *free = NULL;

	for (unsigned i = 0; i < NETBACK_VIFS; i++) {
		struct netback_vif *v = &nb_vifs[i];

		if (v->used && v->front_id == front && v->handle == h)
			return v;
		if (!v->used && !free)
			free = v;
	}
	if (!free)
		return NULL;
	free->used = true;
	free->front_id = (domid_t)front;
	free->handle = h;
	free->bport.deliver = netback_rx;
	free->bport.arg = free;
	snprintf(free->dir, sizeof(free->dir), "%s/%u/%u", nb_base, front, h);
	nb_vif_open(free);
	return free;
}

/* The decimal number s (a domid or handle), or -1 if it is not one. */
static long nb_num(const char *s)
{
	long v = 0;

	if (!*s || strlen(s) > 5)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v;
}

/* Marks seen every vif in backend/vif/FRONT, creating new ones. */
static void nb_scan_front(const char *front, bool *seen)
{
	char path[NETBACK_PATH_MAX], ids[128];
	long f = nb_num(front), n;

	snprintf(path, sizeof(path), "%s/%s", nb_base, front);
	n = f < 0 || f >= DOMID_FIRST_RESERVED ?
		    0 :
		    xs_directory(0, path, ids, sizeof(ids));
	for (const char *id = ids; n > 0; n--, id += strlen(id) + 1) {
		long h = nb_num(id);
		struct netback_vif *v;

		if (h >= 0 && (v = nb_vif_find((unsigned)f, (unsigned)h)))
			seen[v - nb_vifs] = true;
	}
}

/* Brings the vifs in line with the directory and their frontends. */
static void nb_scan(void)
{
	bool seen[NETBACK_VIFS] = { 0 };
	char fronts[256];
	long n = xs_directory(0, nb_base, fronts, sizeof(fronts));

	for (const char *f = fronts; n > 0; n--, f += strlen(f) + 1)
		nb_scan_front(f, seen);
	for (unsigned i = 0; i < NETBACK_VIFS; i++) {
		if (nb_vifs[i].used && !seen[i])
			nb_vif_free(&nb_vifs[i]);
		else if (nb_vifs[i].used)
			nb_vif_step(&nb_vifs[i]);
	}
}

/* Finds this domain's backend/vif and watches it; 0 or -XEN_E*. */
static long nb_start(void)
{
	char dom[48];
	long me = pv_boot.privileged ? 0 : pv_domid();
	long r = me < 0 ? me : gnttab_init();

	if (r >= 0)
		r = xs_get_domain_path((domid_t)me, dom, sizeof(dom));
	if (r >= 0) {
		snprintf(nb_base, sizeof(nb_base), "%s/backend/vif", dom);
		r = xs_watch(nb_base, NETBACK_TOKEN);
	}
	if (r < 0)
		printf("netback: cannot watch backend/vif: %ld\n", r);
	else
		nb_local_init();
	return r;
}

bool netback_poll(void)
{
	static int started; /* 0: not yet, 1: running, -1: failed */
	char path[NETBACK_PATH_MAX];
	bool did = false;

	if (!started)
		started = nb_start() < 0 ? -1 : 1;
	if (started < 0)
		return false;
	while (xs_watch_take(NETBACK_TOKEN, path, sizeof(path)))
		nb_rescan = true;
	if (nb_rescan || pv_time_ns() - nb_scanned_ns > NETBACK_RESCAN_NS) {
		nb_rescan = false;
		nb_scanned_ns = pv_time_ns();
		nb_scan();
	}
	for (unsigned i = 0; i < NETBACK_VIFS; i++) {
		struct netback_vif *v = &nb_vifs[i];

		if (v->connected && !v->broken[0])
			did |= netback_tx(v);
		if (v->connected && v->broken[0])
			nb_rescan = did = true;
	}
	return did;
}

void netback_show(void)
{
	bridge_show(printf);
	for (unsigned i = 0; i < NETBACK_VIFS; i++) {
		struct netback_vif *v = &nb_vifs[i];

		if (v->used)
			printf("vif%u.%u %s: tx %lu (%lu errors) rx %lu (%lu "
			       "dropped)%s%s\n",
			       v->front_id, v->handle,
			       v->connected ? "connected" : "down",
			       v->tx_frames, v->tx_errors, v->rx_frames,
			       v->rx_dropped, v->broken[0] ? ": " : "",
			       v->broken);
	}
	printf("local %u.%u.%u.%u: rx %u tx %u, %u pings answered\n",
	       NET_IP_ARGS(nb_local.ip), nb_local.stats.rx, nb_local.stats.tx,
	       nb_local.stats.echo_answered);
}
