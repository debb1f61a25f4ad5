/*
 * pv-net - the network split driver from a domU (lab 7), in either
 * container: netfront (guests/lib/netfront.c) and the stack of
 * guests/lib/net.c talk through dom0's netback and bridge to another
 * domU or to dom0's own address.  The command line picks the mode:
 *
 *   mode=ping peer=IP [peer2=IP count=N]
 *                                   N echo requests to each peer and 5 to
 *                                   dom0, every reply with its data, the
 *                                   median round trip printed; then
 *                                   "stop" to the peers
 *   mode=echo [stops=N]             answers pings, echoes UDP port 7,
 *                                   receives streams (as udp-recv), until
 *                                   N domains sent to port 9 (or time=MS)
 *   mode=udp-send peer=IP [count=N size=S]
 *                                   a numbered stream, at most a window
 *                                   of it unacknowledged; MiB/s printed
 *   mode=udp-recv [count=N]         the stream: no loss, in order, every
 *                                   payload's checksum right
 *   mode=hostile                    bad requests on its own vif (hostile.c)
 *   mode=bench peer=IP              make bench-split against an echo peer:
 *                                   ping and stream, with and without
 *                                   notification suppression on both ends
 *
 * Always ip=IP (this domain's address); notify=always turns off the
 * frontend's notification suppression (make bench-split).
 */
#include "pv-net.h"

#define PING_ID	   0x7e57
#define PING_DATA  56
#define PORT_ECHO  7
#define PORT_STOP  9
#define PORT_CTL   10	/* "notify always" / "notify suppress" */
#define PORT_SEND  5000 /* the stream's source: acks come back here */
#define PORT_RECV  5001
#define PORT_HELO  5002 /* a stream starts: its datagram count */
#define WINDOW	   48	/* datagrams unacknowledged: < NETFRONT_RX_BUFS */
#define ACK_EVERY  16
#define STREAM_HDR 8 /* seq, then the FNV-1a hash of the rest */

struct netfront *nf;
struct net_if nif;

/* Pattern byte i of datagram seq. */
static uint8_t pattern(uint32_t seq, size_t i)
{
	return (uint8_t)(seq * 31 + i * 7 + 1);
}

static uint32_t fnv1a(const uint8_t *p, size_t len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

bool net_send_retry(uint32_t dst, uint16_t sport, uint16_t dport,
		    const void *data, size_t len, uint64_t timeout_ns)
{
	uint64_t end = pv_time_ns() + timeout_ns;
	long r;

	while ((r = net_udp_send(&nif, dst, sport, dport, data, len)) ==
		       -XEN_EAGAIN &&
	       pv_time_ns() < end)
		netfront_poll(nf, &nif, NULL, pv_time_ns() + 20 * MS);
	return r == 0;
}

/* ping */

static volatile int pong;
static uint16_t pong_seq;
static bool pong_ok;

static void on_echo(struct net_if *n, uint32_t src, uint16_t id, uint16_t seq,
		    const uint8_t *data, size_t len)
{
	bool ok = id == PING_ID && len == PING_DATA;

	for (size_t i = 0; ok && i < len; i++)
		ok = data[i] == pattern(seq, i);
	pong_seq = seq;
	pong_ok = ok;
	pong = 1;
}

/* Sends echo request seq to peer; its round trip in ns, or 0 if none
 * came back with the right data within 20 s (a slow emulator's dom0). */
static uint64_t ping_once(uint32_t peer, uint16_t seq)
{
	uint8_t data[PING_DATA];
	uint64_t t0 = pv_time_ns(), end = t0 + 20000 * MS;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = pattern(seq, i);
	pong = 0;
	while (net_ping_send(&nif, peer, PING_ID, seq, data, sizeof(data)) ==
		       -XEN_EAGAIN &&
	       pv_time_ns() < end)
		netfront_poll(nf, &nif, NULL, pv_time_ns() + 20 * MS);
	while (pv_time_ns() < end) {
		pong = 0;
		if (!netfront_poll(nf, &nif, &pong, end))
			break;
		if (pong_seq == seq)
			return pong_ok ? pv_time_ns() - t0 : 0;
	}
	return 0;
}

/* Pings peer count times; the median round trip in ns, 0 if any failed. */
uint64_t ping_peer(uint32_t peer, unsigned count, const char *what)
{
	static uint64_t rtt[1000];
	unsigned got = 0;

	count = MIN(count, ARRAY_SIZE(rtt));
	/* the peer may come up later; the first reply also resolves ARP */
	for (uint64_t end = pv_time_ns() + 120000 * MS;
	     !ping_once(peer, 0xffff) && pv_time_ns() < end;)
		;
	for (unsigned i = 0; i < count; i++)
		if ((rtt[got] = ping_once(peer, (uint16_t)i)))
			got++;
	report(got == count,
	       "ping %s %u.%u.%u.%u: %u of %u replies, data "
	       "intact",
	       what, NET_IP_ARGS(peer), got, count);
	if (!got)
		return 0;
	uint64_t m = median(rtt, got);
	printf("ping %s: median rtt %llu us over %u\n", what,
	       (unsigned long long)(m / 1000), got);
	return got == count ? m : 0;
}

/* Tells an echo peer this domain is done with it: three times, as a
 * datagram may meet a full receive ring. */
static void stop_peer(uint32_t peer)
{
	bool ok = true;

	if (!cmdline_u64("stop", 1))
		return;
	for (int i = 0; i < 3; i++) {
		ok &= net_send_retry(peer, PORT_STOP, PORT_STOP, "stop", 4,
				     1000 * MS);
		netfront_poll(nf, &nif, NULL, pv_time_ns() + 20 * MS);
	}
	report(ok, "told %u.%u.%u.%u to stop", NET_IP_ARGS(peer));
}

static void mode_ping(uint32_t peer)
{
	unsigned count = (unsigned)cmdline_u64("count", 20);
	char arg[20];
	uint32_t peer2 = 0;

	if (cmdline_get("peer2", arg, sizeof(arg)))
		report(net_parse_ip(arg, &peer2), "peer2=%s is an address",
		       arg);
	ping_peer(peer, count, "peer");
	if (peer2)
		ping_peer(peer2, count, "peer");
	ping_peer(DOM0_IP, 5, "dom0");
	stop_peer(peer);
	if (peer2)
		stop_peer(peer2);
}

/* udp-send: datagrams [acked, sent) are in flight */

static volatile int acked_changed;
static uint32_t acked;

static void on_ack(struct net_if *n, uint32_t src, uint16_t sport,
		   uint16_t dport, const uint8_t *data, size_t len)
{
	if (dport == PORT_SEND && len == 8 && !memcmp(data, "ACK ", 4)) {
		acked = MAX(acked, get32le(data + 4));
		acked_changed = 1;
	}
}

/* Sends datagram seq of size bytes. */
static bool stream_send(uint32_t peer, uint32_t seq, size_t size)
{
	static uint8_t d[NET_UDP_MAX];

	put32le(d, seq);
	for (size_t i = STREAM_HDR; i < size; i++)
		d[i] = pattern(seq, i);
	put32le(d + 4, fnv1a(d + STREAM_HDR, size - STREAM_HDR));
	return net_send_retry(peer, PORT_SEND, PORT_RECV, d, size, 1000 * MS);
}

/* Streams count datagrams of size bytes; MiB/s * 100, or 0 on failure. */
static uint64_t stream_to(uint32_t peer, uint32_t count, size_t size)
{
	uint64_t t0, ns, end;
	uint32_t seq = 0;

	nif.on_udp = on_ack;
	acked = 0;
	uint8_t helo[4];

	put32le(helo, count);
	/* the receiver may come up later: its ARP answer starts the stream */
	if (!net_send_retry(peer, PORT_SEND, PORT_HELO, helo, 4, 120000 * MS))
		return 0;
	t0 = pv_time_ns();
	end = t0 + 120000 * MS;
	while (acked < count && pv_time_ns() < end) {
		for (; seq < count && seq - acked < WINDOW; seq++)
			if (!stream_send(peer, seq, size))
				return 0;
		acked_changed = 0;
		netfront_poll(nf, &nif, &acked_changed, end);
	}
	ns = pv_time_ns() - t0;
	if (acked < count)
		return 0;
	return (uint64_t)count * size * 100 * 1000000000ULL / ns / MiB;
}

static void mode_udp_send(uint32_t peer)
{
	uint32_t count = (uint32_t)cmdline_u64("count", 1000);
	size_t size = MAX(STREAM_HDR,
			  MIN(cmdline_u64("size", 1024), NET_UDP_MAX));
	uint64_t rate = stream_to(peer, count, size);

	report(rate > 0, "udp-send: %u datagrams of %zu bytes acknowledged",
	       count, size);
	printf("udp-send: %llu.%02llu MiB/s\n", (unsigned long long)rate / 100,
	       (unsigned long long)rate % 100);
	stop_peer(peer);
}

/* udp-recv */

static struct {
	uint32_t next, count, bad_order, bad_data, peer;
	volatile int done;
} rs;

static void on_stream(struct net_if *n, uint32_t src, uint16_t sport,
		      uint16_t dport, const uint8_t *d, size_t len)
{
	uint8_t ack[8] = "ACK ";
	uint32_t seq;

	if (dport == PORT_HELO && len == 4) {
		rs.next = rs.bad_order = rs.bad_data = 0;
		rs.count = get32le(d);
		rs.done = 0;
		return;
	}
	if (dport != PORT_RECV || len < STREAM_HDR)
		return;
	seq = get32le(d);
	if (seq != rs.next)
		rs.bad_order++;
	if (fnv1a(d + STREAM_HDR, len - STREAM_HDR) != get32le(d + 4))
		rs.bad_data++;
	for (size_t i = STREAM_HDR; i < len; i++)
		if (d[i] != pattern(seq, i)) {
			rs.bad_data++;
			break;
		}
	rs.next = seq + 1;
	if (rs.next % ACK_EVERY == 0 || rs.next == rs.count) {
		put32le(ack + 4, rs.next);
		net_udp_send(n, src, PORT_RECV, sport, ack, sizeof(ack));
	}
	if (rs.next == rs.count)
		rs.done = 1;
}

static void mode_udp_recv(void)
{
	uint32_t count = (uint32_t)cmdline_u64("count", 1000);

	nif.on_udp = on_stream;
	netfront_poll(nf, &nif, &rs.done, pv_time_ns() + 180000 * MS);
	report(rs.done && rs.count == count,
	       "udp-recv: all %u datagrams "
	       "arrived (%u announced, last %u)",
	       count, rs.count, rs.next);
	report_eq(rs.bad_order, 0, "udp-recv: in order, none lost");
	report_eq(rs.bad_data, 0, "udp-recv: every payload checksum right");
}

/* echo */

static volatile int stopped;
static uint32_t stoppers[8]; /* the domains that said stop */
static unsigned nstoppers, stops;

/* Counts src's stop once however often it says it. */
static void echo_stop(uint32_t src)
{
	for (unsigned i = 0; i < nstoppers; i++)
		if (stoppers[i] == src)
			return;
	if (nstoppers < ARRAY_SIZE(stoppers))
		stoppers[nstoppers++] = src;
	stopped = nstoppers >= stops;
}

static void on_echo_udp(struct net_if *n, uint32_t src, uint16_t sport,
			uint16_t dport, const uint8_t *d, size_t len)
{
	if (dport == PORT_ECHO)
		net_udp_send(n, src, PORT_ECHO, sport, d, len);
	else if (dport == PORT_STOP)
		echo_stop(src);
	else if (dport == PORT_CTL)
		nf->notify_always = len == 13 &&
				    !memcmp(d, "notify always", 13);
	else
		on_stream(n, src, sport, dport, d, len);
}

static void mode_echo(void)
{
	uint64_t ms = cmdline_u64("time", 240000);

	stops = (unsigned)MAX(cmdline_u64("stops", 1), 1);
	nif.on_udp = on_echo_udp;
	report(netfront_poll(nf, &nif, &stopped, pv_time_ns() + ms * MS),
	       "echo: served until told to stop");
	report(nif.stats.echo_answered > 0, "echo: answered %u pings",
	       nif.stats.echo_answered);
	report_eq(nif.stats.rx_bad, 0, "echo: no malformed frame arrived");
	report_eq(rs.bad_order + rs.bad_data, 0,
		  "echo: streams in order and intact");
}

/* bench: one round with the frontends' notification suppression on or
 * off at both ends; prints one line for make bench-split */
static void bench_round(uint32_t peer, bool suppress)
{
	const char *ctl = suppress ? "notify suppress" : "notify always";
	unsigned pings = (unsigned)cmdline_u64("pings", 200);
	uint32_t count = (uint32_t)cmdline_u64("count", 2000);
	unsigned n0 = nf->notifies, f0 = nf->tx_frames;
	uint64_t rtt, rate;

	nf->notify_always = !suppress;
	net_send_retry(peer, PORT_CTL, PORT_CTL, ctl, strlen(ctl), 1000 * MS);
	rtt = ping_peer(peer, pings, suppress ? "suppressed" : "always");
	rate = stream_to(peer, count, NET_UDP_MAX);
	report(rtt && rate, "bench: a round with suppression %s",
	       suppress ? "on" : "off");
	printf("pv-net: bench %s rtt-us %llu udp-mibs %llu.%02llu events %u "
	       "frames %u\n",
	       suppress ? "sup" : "nosup", (unsigned long long)(rtt / 1000),
	       (unsigned long long)rate / 100, (unsigned long long)rate % 100,
	       nf->notifies - n0, nf->tx_frames - f0);
}

static void mode_bench(uint32_t peer)
{
	for (unsigned r = 0; r < cmdline_u64("rounds", 1); r++) {
		bench_round(peer, true);
		bench_round(peer, false);
	}
	stop_peer(peer);
}

void main(void)
{
	char mode[16] = "", arg[20];
	uint32_t ip = 0, peer = 0;

	cmdline_get("mode", mode, sizeof(mode));
	if (!cmdline_get("ip", arg, sizeof(arg)) || !net_parse_ip(arg, &ip))
		report(false, "ip= gives this domain's address");
	if (cmdline_get("peer", arg, sizeof(arg)) && !net_parse_ip(arg, &peer))
		report(false, "peer=%s is an address", arg);
	nf = netfront_init(0, 600000 * MS);
	if (!report(nf, "vif 0 connected") || !ip)
		return;
	printf("pv-net: mac %02x:%02x:%02x:%02x:%02x:%02x ip %u.%u.%u.%u\n",
	       nf->mac[0], nf->mac[1], nf->mac[2], nf->mac[3], nf->mac[4],
	       nf->mac[5], NET_IP_ARGS(ip));
	nf->notify_always = cmdline_get("notify", arg, sizeof(arg)) &&
			    !strcmp(arg, "always");
	net_if_init(&nif, nf->mac, ip, netfront_xmit, nf);
	nif.on_echo = on_echo;
	if (!strcmp(mode, "ping"))
		mode_ping(peer);
	else if (!strcmp(mode, "echo"))
		mode_echo();
	else if (!strcmp(mode, "udp-send"))
		mode_udp_send(peer);
	else if (!strcmp(mode, "udp-recv"))
		mode_udp_recv();
	else if (!strcmp(mode, "hostile"))
		mode_hostile();
	else if (!strcmp(mode, "bench"))
		mode_bench(peer);
	else
		report(false,
		       "mode=%s: want ping, echo, udp-send, udp-recv, "
		       "hostile or bench",
		       mode);
	printf("pv-net: %u frames sent, %u received, %u notifications, "
	       "%u not sent (no ring space or no ARP answer in time)\n",
	       nf->tx_frames, nf->rx_frames, nf->notifies, nif.stats.tx_failed);
	netfront_close(nf, 5000 * MS);
}
