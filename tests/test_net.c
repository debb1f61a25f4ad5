/*
 * test_net.c - the guests' network stack (guests/lib/net.c, lab 7) on
 * the host: two interfaces on one wire resolve each other with ARP, ping
 * and exchange UDP; checksums match RFC 1071's example and frames a
 * real stack wrote; malformed frames (runts, bad lengths, bad checksums,
 * fragments, another address) are dropped and counted, never read past
 * their end (the frames sit at the end of a buffer so ASan-free runs
 * still see an overread as a wrong result).
 */
#include <criterion/criterion.h>
#include <string.h>
#include <guests/lib/net.h>

#define A_IP 0x0a000002 /* 10.0.0.2 */
#define B_IP 0x0a000003
#define QMAX 8

/* The wire: frames queue up, and pump() hands them to the other side. */
struct wire_frame {
	struct net_if *to;
	size_t len;
	uint8_t data[ETH_FRAME_MAX];
};
static struct wire_frame queue[QMAX];
static unsigned qlen;
static struct net_if a, b;
static bool refuse; /* the device is full */

static bool xmit(void *dev, const void *frame, size_t len)
{
	if (refuse || qlen == QMAX)
		return false;
	cr_assert_leq(len, ETH_FRAME_MAX);
	queue[qlen].to = dev;
	queue[qlen].len = len;
	memcpy(queue[qlen++].data, frame, len);
	return true;
}

/* Delivers queued frames (and those they cause) until none is left. */
static void pump(void)
{
	for (unsigned i = 0; i < qlen; i++)
		net_input(queue[i].to, queue[i].data, queue[i].len);
	qlen = 0;
}

static const uint8_t mac_a[6] = { 0x00, 0x16, 0x3e, 0, 0, 2 };
static const uint8_t mac_b[6] = { 0x00, 0x16, 0x3e, 0, 0, 3 };

static void setup(void)
{
	qlen = 0;
	refuse = false;
	net_if_init(&a, mac_a, A_IP, xmit, &b);
	net_if_init(&b, mac_b, B_IP, xmit, &a);
}

TestSuite(net, .init = setup);

/* What b's callbacks saw last. */
static struct {
	unsigned n;
	uint32_t src;
	uint16_t sport, dport, id, seq;
	size_t len;
	uint8_t data[ETH_FRAME_MAX];
} got;

static void on_udp(struct net_if *nif, uint32_t src, uint16_t sport,
		   uint16_t dport, const uint8_t *data, size_t len)
{
	got.n++;
	got.src = src;
	got.sport = sport;
	got.dport = dport;
	got.len = len;
	memcpy(got.data, data, len);
}

static void on_echo(struct net_if *nif, uint32_t src, uint16_t id, uint16_t seq,
		    const uint8_t *data, size_t len)
{
	got.n++;
	got.src = src;
	got.id = id;
	got.seq = seq;
	got.len = len;
	memcpy(got.data, data, len);
}

/* RFC 1071 section 3's example: the sum of these words is ddf2. */
Test(net, checksum_rfc1071)
{
	static const uint8_t w[] = { 0x00, 0x01, 0xf2, 0x03,
				     0xf4, 0xf5, 0xf6, 0xf7 };

	cr_expect_eq(net_csum_fold(net_csum_add(0, w, sizeof(w))),
		     (uint16_t)~0xddf2);
	/* an odd length pads with a zero byte */
	cr_expect_eq(net_csum_fold(net_csum_add(0, w, 3)),
		     (uint16_t) ~(0x0001 + 0xf200));
}

/* An IPv4 header from a real capture: checksum field 0xb861 verifies. */
Test(net, checksum_ip_header)
{
	static const uint8_t ip[] = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40,
				      0x00, 0x40, 0x11, 0xb8, 0x61, 0xc0, 0xa8,
				      0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7 };

	cr_expect_eq(net_csum_fold(net_csum_add(0, ip, sizeof(ip))), 0);
}

Test(net, parse)
{
	uint32_t ip;
	uint8_t mac[6];

	cr_expect(net_parse_ip("10.0.0.1", &ip) && ip == 0x0a000001);
	cr_expect(net_parse_ip("255.255.255.255", &ip) && ip == 0xffffffff);
	cr_expect(!net_parse_ip("10.0.0", &ip));
	cr_expect(!net_parse_ip("10.0.0.256", &ip));
	cr_expect(!net_parse_ip("10.0.0.1x", &ip));
	cr_expect(!net_parse_ip("10..0.1", &ip));
	cr_expect(net_parse_mac("00:16:3E:0a:ff:01", mac) && mac[2] == 0x3e &&
		  mac[3] == 0x0a && mac[4] == 0xff && mac[5] == 1);
	cr_expect(!net_parse_mac("00:16:3e:0a:ff", mac));
	cr_expect(!net_parse_mac("00:16:3e:0a:ff:100", mac));
	cr_expect(!net_parse_mac("00-16-3e-0a-ff-01", mac));
}

/* The first send asks ARP; once answered, both ends know each other. */
Test(net, arp_then_udp)
{
	uint8_t mac[6];

	b.on_udp = on_udp;
	cr_assert_eq(net_udp_send(&a, B_IP, 1000, 2000, "hello", 5),
		     -XEN_EAGAIN);
	cr_assert_eq(qlen, 1, "one ARP request");
	cr_expect(memcmp(queue[0].data, "\xff\xff\xff\xff\xff\xff", 6) == 0,
		  "the request is broadcast");
	pump();
	cr_expect(net_arp_lookup(&a, B_IP, mac) && !memcmp(mac, mac_b, 6),
		  "a learnt b from the reply");
	cr_expect(net_arp_lookup(&b, A_IP, mac) && !memcmp(mac, mac_a, 6),
		  "b learnt a from the request");
	cr_assert_eq(net_udp_send(&a, B_IP, 1000, 2000, "hello", 5), 0);
	pump();
	cr_expect_eq(got.n, 1);
	cr_expect(got.src == A_IP && got.sport == 1000 && got.dport == 2000);
	cr_expect(got.len == 5 && memcmp(got.data, "hello", 5) == 0);
}

/* Resolves a and b with each other. */
static void resolve(void)
{
	net_arp_request(&a, B_IP);
	pump();
}

Test(net, ping)
{
	uint8_t data[56];

	for (unsigned i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)i;
	resolve();
	a.on_echo = on_echo;
	cr_assert_eq(net_ping_send(&a, B_IP, 7, 42, data, sizeof(data)), 0);
	pump();
	cr_expect_eq(b.stats.echo_answered, 1);
	cr_expect_eq(got.n, 1, "a got the reply");
	cr_expect(got.src == B_IP && got.id == 7 && got.seq == 42);
	cr_expect(got.len == sizeof(data) && !memcmp(got.data, data, got.len));
}

Test(net, udp_largest_and_too_large)
{
	static uint8_t big[NET_UDP_MAX + 1];

	for (unsigned i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7);
	resolve();
	b.on_udp = on_udp;
	cr_expect_eq(net_udp_send(&a, B_IP, 1, 2, big, sizeof(big)),
		     -XEN_EINVAL);
	cr_assert_eq(net_udp_send(&a, B_IP, 1, 2, big, NET_UDP_MAX), 0);
	cr_expect_eq(queue[0].len, ETH_FRAME_MAX);
	pump();
	cr_expect(got.len == NET_UDP_MAX && !memcmp(got.data, big, got.len));
}

Test(net, device_full)
{
	resolve();
	refuse = true;
	cr_expect_eq(net_udp_send(&a, B_IP, 1, 2, "x", 1), -XEN_EAGAIN);
	cr_expect_eq(a.stats.tx_failed, 1);
}

/* A datagram from a to b, as it leaves a, in queue[0]. */
static struct wire_frame *udp_frame(void)
{
	resolve();
	b.on_udp = on_udp;
	net_udp_send(&a, B_IP, 1, 2, "payload", 7);
	cr_assert_eq(qlen, 1);
	return &queue[0];
}

/* Feeds f's first len bytes from the end of a buffer to b. */
static void feed(const struct wire_frame *f, size_t len)
{
	static uint8_t buf[ETH_FRAME_MAX];

	memcpy(buf + sizeof(buf) - len, f->data, len);
	net_input(&b, buf + sizeof(buf) - len, len);
}

Test(net, drops_corrupt_udp)
{
	struct wire_frame *f = udp_frame();
	unsigned bad = b.stats.rx_bad;

	f->data[f->len - 1] ^= 1; /* the payload: UDP checksum */
	feed(f, f->len);
	f->data[f->len - 1] ^= 1;
	f->data[ETH_HLEN + 8] ^= 1; /* the TTL: IP header checksum */
	feed(f, f->len);
	f->data[ETH_HLEN + 8] ^= 1;
	cr_expect_eq(got.n, 0);
	cr_expect_eq(b.stats.rx_bad, bad + 2);
	feed(f, f->len);
	cr_expect_eq(got.n, 1, "the frame itself was fine");
}

Test(net, drops_truncated)
{
	struct wire_frame *f = udp_frame();

	for (size_t len = 0; len < f->len; len++)
		feed(f, len);
	cr_expect_eq(got.n, 0, "no prefix of the frame is delivered");
}

Test(net, drops_bad_lengths)
{
	struct wire_frame *f = udp_frame();
	uint8_t *ip = f->data + ETH_HLEN;
	unsigned bad = b.stats.rx_bad;

	ip[0] = 0x44; /* IHL 4 < 5 */
	feed(f, f->len);
	ip[0] = 0x4f; /* IHL 15: 60 bytes, beyond the total length */
	feed(f, f->len);
	ip[0] = 0x45;
	ip[2] = 0xff; /* total length beyond the frame */
	feed(f, f->len);
	ip[2] = 0;
	ip[NET_IP_HLEN + 4] = 0xff; /* UDP length beyond the packet */
	feed(f, f->len);
	cr_expect_eq(got.n, 0);
	cr_expect_eq(b.stats.rx_bad, bad + 4);
}

/* A fragment, or a packet for another address, is not for the stack. */
Test(net, ignores_fragments_and_others)
{
	struct wire_frame *f = udp_frame();
	uint8_t *ip = f->data + ETH_HLEN;
	struct wire_frame g = *f;
	uint16_t csum;

	ip[6] = 0x20; /* more fragments */
	ip[10] = ip[11] = 0;
	csum = net_csum_fold(net_csum_add(0, ip, NET_IP_HLEN));
	ip[10] = (uint8_t)(csum >> 8);
	ip[11] = (uint8_t)csum;
	feed(f, f->len);
	memcpy(g.data, "\x00\x16\x3e\x00\x00\x09", 6); /* another MAC */
	feed(&g, g.len);
	cr_expect_eq(got.n, 0);
	cr_expect_eq(b.stats.rx_bad, 0);
	cr_expect_eq(b.stats.rx_other, 2);
}

/* ARP for another address is neither answered nor learnt. */
Test(net, arp_for_others)
{
	struct net_if c;
	uint8_t mac[6];

	net_if_init(&c, mac_a, 0x0a000009, xmit, &b);
	net_arp_request(&c, 0x0a000063);
	pump();
	cr_expect_eq(qlen, 0, "nobody answers");
	cr_expect(!net_arp_lookup(&b, 0x0a000009, mac));
}
