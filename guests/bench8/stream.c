/*
 * stream.c - netperf's UDP stream against guests/pv-net mode=echo, in its
 * stream protocol: a HELO datagram with the count, then numbered
 * datagrams of NET_UDP_MAX bytes (sequence number, FNV-1a hash of the
 * rest, a pattern the receiver checks), at most STREAM_WINDOW of them
 * unacknowledged; the receiver acknowledges every 16th and the last.
 * Pings first (netperf's request/response: the median round trip, and
 * the echo domain checks it answered some); "stop" on port 9 after lets
 * the echo domain end.
 */
#include "bench8.h"

#define PORT_STOP     9
#define PORT_SEND     5000
#define PORT_RECV     5001
#define PORT_HELO     5002
#define STREAM_WINDOW 48
#define STREAM_HDR    8
#define PING_ID	      0xbe8
#define PINGS	      9

static struct bench_nic *st_nic;
static struct net_if st_own, *st_nif = &st_own;
static volatile int st_acked_changed;
static uint32_t st_acked;

static uint32_t fnv1a(const uint8_t *p, size_t len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static void on_ack(struct net_if *n, uint32_t src, uint16_t sport,
		   uint16_t dport, const uint8_t *data, size_t len)
{
	if (dport == PORT_SEND && len == 8 && !memcmp(data, "ACK ", 4)) {
		st_acked = MAX(st_acked, get32le(data + 4));
		st_acked_changed = 1;
	}
}

static volatile int st_pong;

static void on_pong(struct net_if *n, uint32_t src, uint16_t id, uint16_t seq,
		    const uint8_t *data, size_t len)
{
	st_pong = id == PING_ID ? seq + 1 : st_pong;
}

/* The median round trip of PINGS echo requests to peer in ns, 0 if one
 * went unanswered for 20 s (the first may wait for the peer to start). */
static uint64_t ping_run(struct bench_env *env, uint32_t peer)
{
	uint64_t rtt[PINGS], t0, end;

	st_nif->on_echo = on_pong;
	for (uint16_t i = 0; i < PINGS; i++) {
		t0 = env->now_ns();
		end = t0 + (i ? 20000 : 120000) * BENCH8_MS;
		st_pong = 0;
		while (!st_pong && env->now_ns() < end) {
			net_ping_send(st_nif, peer, PING_ID, i, "bench8", 6);
			st_nic->poll(st_nic->dev, st_nif, &st_pong,
				     MIN(end,
					 env->now_ns() + 1000 * BENCH8_MS));
		}
		if (st_pong != i + 1)
			return 0;
		rtt[i] = env->now_ns() - t0;
	}
	st_nif->on_echo = NULL;
	return median(rtt, PINGS);
}

/* net_udp_send, polling while ARP resolves dst or the ring is full;
 * false after timeout_ns. */
static bool send_retry(struct bench_env *env, uint32_t dst, uint16_t sport,
		       uint16_t dport, const void *data, size_t len,
		       uint64_t timeout_ns)
{
	uint64_t end = env->now_ns() + timeout_ns;
	long r;

	while ((r = net_udp_send(st_nif, dst, sport, dport, data, len)) &&
	       env->now_ns() < end)
		st_nic->poll(st_nic->dev, st_nif, NULL,
			     env->now_ns() + 20 * BENCH8_MS);
	return r == 0;
}

static bool send_datagram(struct bench_env *env, uint32_t peer, uint32_t seq)
{
	static uint8_t d[NET_UDP_MAX];

	put32le(d, seq);
	for (size_t i = STREAM_HDR; i < sizeof(d); i++)
		d[i] = (uint8_t)(seq * 31 + i * 7 + 1);
	put32le(d + 4, fnv1a(d + STREAM_HDR, sizeof(d) - STREAM_HDR));
	return send_retry(env, peer, PORT_SEND, PORT_RECV, d, sizeof(d),
			  1000 * BENCH8_MS);
}

/* The stream's time in ns, 0 if it was not all acknowledged. */
static uint64_t stream_run(struct bench_env *env, uint32_t peer, uint32_t count)
{
	uint64_t t0, end;
	uint32_t seq = 0;
	uint8_t helo[4];

	put32le(helo, count);
	/* the peer may come up later: its ARP answer starts the stream */
	if (!send_retry(env, peer, PORT_SEND, PORT_HELO, helo, 4,
			120000 * BENCH8_MS))
		return 0;
	t0 = env->now_ns();
	end = t0 + 120000 * BENCH8_MS;
	while (st_acked < count && env->now_ns() < end) {
		for (; seq < count && seq - st_acked < STREAM_WINDOW; seq++)
			if (!send_datagram(env, peer, seq))
				return 0;
		st_acked_changed = 0;
		st_nic->poll(st_nic->dev, st_nif, &st_acked_changed, end);
	}
	return st_acked < count ? 0 : env->now_ns() - t0;
}

void bench_stream(struct bench_env *env, uint32_t ip, uint32_t peer,
		  uint32_t count)
{
	uint64_t ns;
	bool stopped = true;

	st_nic = env->nic;
	if (st_nic->nif)
		st_nif = st_nic->nif;
	else
		net_if_init(st_nif, st_nic->mac, ip, st_nic->xmit, st_nic->dev);
	st_nif->on_udp = on_ack;
	ns = ping_run(env, peer);
	report(ns != 0, "net: %u pings answered", PINGS);
	bench_result("rtt", ns, 1, "round-trip");
	ns = stream_run(env, peer, count);
	report(ns != 0, "net: %u datagrams of %u bytes acknowledged", count,
	       (unsigned)NET_UDP_MAX);
	bench_result("net", ns, (uint64_t)count * NET_UDP_MAX, "bytes");
	/* three times: a datagram may meet a full receive ring */
	for (int i = 0; i < 3; i++) {
		stopped &= send_retry(env, peer, PORT_STOP, PORT_STOP, "stop",
				      4, 1000 * BENCH8_MS);
		st_nic->poll(st_nic->dev, st_nif, NULL,
			     env->now_ns() + 20 * BENCH8_MS);
	}
	report(stopped, "told the echo peer to stop");
	st_nif->on_udp = NULL;
	if (st_nic->close)
		st_nic->close(st_nic->dev);
}
