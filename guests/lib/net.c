/*
 * net.c - Ethernet, ARP (RFC 826), IPv4 (RFC 791), ICMP echo (RFC 792)
 * and UDP (RFC 768) for guests/lib/net.h (lab 7).  Frames are parsed
 * with every length checked against what arrived before a field is
 * read: a frame from the network is as hostile as a ring request.
 */
#include <guests/lib/net.h>
#include <inc/string.h>

#define ARP_HW_ETHER  1
#define ARP_OP_REQ    1
#define ARP_OP_REPLY  2
#define ARP_LEN	      28
#define IP_PROTO_ICMP 1
#define IP_PROTO_UDP  17
#define IP_TTL	      64
#define IP_MF_OFFSET  0x3fff /* more fragments, fragment offset */
#define ICMP_ECHO     8
#define ICMP_REPLY    0

static const uint8_t net_bcast[ETH_ALEN] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff
};

/* Big-endian loads and stores at any alignment. */
static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

uint32_t net_csum_add(uint32_t sum, const void *p, size_t len)
{
	const uint8_t *b = p;

	for (; len > 1; b += 2, len -= 2)
		sum += get16(b);
	if (len)
		sum += (uint32_t)b[0] << 8;
	return sum;
}

uint16_t net_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

void net_if_init(struct net_if *nif, const uint8_t mac[ETH_ALEN], uint32_t ip,
		 net_xmit_t xmit, void *dev)
{
	memset(nif, 0, sizeof(*nif));
	memcpy(nif->mac, mac, ETH_ALEN);
	nif->ip = ip;
	nif->xmit = xmit;
	nif->dev = dev;
}

bool net_arp_lookup(struct net_if *nif, uint32_t ip, uint8_t mac[ETH_ALEN])
{
	for (unsigned i = 0; i < NET_ARP_SLOTS; i++)
		if (nif->arp[i].ip == ip && ip) {
			memcpy(mac, nif->arp[i].mac, ETH_ALEN);
			return true;
		}
	return false;
}

/* Records ip at mac, over its old entry or the oldest one. */
static void net_arp_learn(struct net_if *nif, uint32_t ip, const uint8_t *mac)
{
	unsigned i;

	if (!ip || (mac[0] & 1))
		return;
	for (i = 0; i < NET_ARP_SLOTS && nif->arp[i].ip != ip; i++)
		;
	if (i == NET_ARP_SLOTS)
		i = nif->arp_next++ % NET_ARP_SLOTS;
	nif->arp[i].ip = ip;
	memcpy(nif->arp[i].mac, mac, ETH_ALEN);
}

/* Fills the Ethernet header of frame f and sends len bytes in all. */
static bool net_xmit(struct net_if *nif, uint8_t *f, const uint8_t *dst,
		     uint16_t type, size_t len)
{
	memcpy(f, dst, ETH_ALEN);
	memcpy(f + ETH_ALEN, nif->mac, ETH_ALEN);
	put16(f + 12, type);
	if (!nif->xmit(nif->dev, f, len)) {
		nif->stats.tx_failed++;
		return false;
	}
	nif->stats.tx++;
	return true;
}

/* An ARP packet of op to (tha, tpa) from this interface. */
static bool net_arp_send(struct net_if *nif, uint16_t op, const uint8_t *tha,
			 uint32_t tpa, const uint8_t *eth_dst)
{
	uint8_t f[ETH_HLEN + ARP_LEN];
	uint8_t *a = f + ETH_HLEN;

	put16(a, ARP_HW_ETHER);
	put16(a + 2, ETH_P_IP);
	a[4] = ETH_ALEN;
	a[5] = 4;
	put16(a + 6, op);
	memcpy(a + 8, nif->mac, ETH_ALEN);
	put32(a + 14, nif->ip);
	memcpy(a + 18, tha, ETH_ALEN);
	put32(a + 24, tpa);
	return net_xmit(nif, f, eth_dst, ETH_P_ARP, sizeof(f));
}

bool net_arp_request(struct net_if *nif, uint32_t ip)
{
	static const uint8_t zero[ETH_ALEN];

	return net_arp_send(nif, ARP_OP_REQ, zero, ip, net_bcast);
}

/* An ARP packet: learn the sender when it is for us, answer requests. */
static void net_arp_input(struct net_if *nif, const uint8_t *a, size_t len)
{
	uint32_t spa, tpa;

	if (len < ARP_LEN || get16(a) != ARP_HW_ETHER ||
	    get16(a + 2) != ETH_P_IP || a[4] != ETH_ALEN || a[5] != 4) {
		nif->stats.rx_bad++;
		return;
	}
	spa = get32(a + 14);
	tpa = get32(a + 24);
	if (tpa != nif->ip || !nif->ip) {
		nif->stats.rx_other++;
		return;
	}
	net_arp_learn(nif, spa, a + 8);
	if (get16(a + 6) == ARP_OP_REQ)
		net_arp_send(nif, ARP_OP_REPLY, a + 8, spa, a + 8);
}

/*
 * Fills the IPv4 header at ip for a payload of plen bytes of proto to
 * dst, and sends the frame around it; 0 or -XEN_E* as net_udp_send.
 */
static long net_ip_send(struct net_if *nif, uint8_t *f, uint32_t dst,
			uint8_t proto, size_t plen)
{
	uint8_t mac[ETH_ALEN];
	uint8_t *ip = f + ETH_HLEN;

	if (!net_arp_lookup(nif, dst, mac)) {
		net_arp_request(nif, dst);
		return -XEN_EAGAIN;
	}
	memset(ip, 0, NET_IP_HLEN);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(NET_IP_HLEN + plen));
	ip[8] = IP_TTL;
	ip[9] = proto;
	put32(ip + 12, nif->ip);
	put32(ip + 16, dst);
	put16(ip + 10, net_csum_fold(net_csum_add(0, ip, NET_IP_HLEN)));
	if (!net_xmit(nif, f, mac, ETH_P_IP, ETH_HLEN + NET_IP_HLEN + plen))
		return -XEN_EAGAIN;
	return 0;
}

/* The UDP checksum over the pseudo-header and udp[0..len). */
static uint16_t net_udp_csum(uint32_t src, uint32_t dst, const uint8_t *udp,
			     size_t len)
{
	uint8_t pseudo[12];

	put32(pseudo, src);
	put32(pseudo + 4, dst);
	pseudo[8] = 0;
	pseudo[9] = IP_PROTO_UDP;
	put16(pseudo + 10, (uint16_t)len);
	return net_csum_fold(
		net_csum_add(net_csum_add(0, pseudo, 12), udp, len));
}

long net_udp_send(struct net_if *nif, uint32_t dst, uint16_t sport,
		  uint16_t dport, const void *data, size_t len)
{
	uint8_t f[ETH_FRAME_MAX];
	uint8_t *udp = f + ETH_HLEN + NET_IP_HLEN;
	uint16_t csum;

	if (len > NET_UDP_MAX)
		return -XEN_EINVAL;
	put16(udp, sport);
	put16(udp + 2, dport);
	put16(udp + 4, (uint16_t)(NET_UDP_HLEN + len));
	put16(udp + 6, 0);
	memcpy(udp + NET_UDP_HLEN, data, len);
	csum = net_udp_csum(nif->ip, dst, udp, NET_UDP_HLEN + len);
	/* 0 means "no checksum": a computed 0 is sent as its complement */
	put16(udp + 6, csum ? csum : 0xffff);
	return net_ip_send(nif, f, dst, IP_PROTO_UDP, NET_UDP_HLEN + len);
}

/* An ICMP message of type with id, seq and data to dst. */
static long net_icmp_send(struct net_if *nif, uint32_t dst, uint8_t type,
			  uint16_t id, uint16_t seq, const void *data,
			  size_t len)
{
	uint8_t f[ETH_FRAME_MAX];
	uint8_t *icmp = f + ETH_HLEN + NET_IP_HLEN;

	if (len > ETH_FRAME_MAX - ETH_HLEN - NET_IP_HLEN - NET_ICMP_HLEN)
		return -XEN_EINVAL;
	icmp[0] = type;
	icmp[1] = 0;
	put16(icmp + 2, 0);
	put16(icmp + 4, id);
	put16(icmp + 6, seq);
	memcpy(icmp + NET_ICMP_HLEN, data, len);
	put16(icmp + 2,
	      net_csum_fold(net_csum_add(0, icmp, NET_ICMP_HLEN + len)));
	return net_ip_send(nif, f, dst, IP_PROTO_ICMP, NET_ICMP_HLEN + len);
}

long net_ping_send(struct net_if *nif, uint32_t dst, uint16_t id, uint16_t seq,
		   const void *data, size_t len)
{
	return net_icmp_send(nif, dst, ICMP_ECHO, id, seq, data, len);
}

/* An ICMP message of len bytes from src. */
static void net_icmp_input(struct net_if *nif, uint32_t src,
			   const uint8_t *icmp, size_t len)
{
	uint16_t id, seq;

	if (len < NET_ICMP_HLEN || net_csum_fold(net_csum_add(0, icmp, len))) {
		nif->stats.rx_bad++;
		return;
	}
	id = get16(icmp + 4);
	seq = get16(icmp + 6);
	if (icmp[0] == ICMP_ECHO) {
		if (net_icmp_send(nif, src, ICMP_REPLY, id, seq,
				  icmp + NET_ICMP_HLEN,
				  len - NET_ICMP_HLEN) == 0)
			nif->stats.echo_answered++;
	} else if (icmp[0] == ICMP_REPLY && nif->on_echo) {
		nif->on_echo(nif, src, id, seq, icmp + NET_ICMP_HLEN,
			     len - NET_ICMP_HLEN);
	} else {
		nif->stats.rx_other++;
	}
}

/* A UDP datagram of len bytes (the IP payload) from src to dst. */
static void net_udp_input(struct net_if *nif, uint32_t src, uint32_t dst,
			  const uint8_t *udp, size_t len)
{
	size_t ulen = len >= NET_UDP_HLEN ? get16(udp + 4) : 0;
	const uint8_t *data = udp + NET_UDP_HLEN;

	if (ulen < NET_UDP_HLEN || ulen > len ||
	    (get16(udp + 6) && net_udp_csum(src, dst, udp, ulen))) {
		nif->stats.rx_bad++;
		return;
	}
	if (nif->on_udp)
		nif->on_udp(nif, src, get16(udp), get16(udp + 2), data,
			    ulen - NET_UDP_HLEN);
	else
		nif->stats.rx_other++;
}

/* An IPv4 packet of len bytes (the Ethernet payload). */
static void net_ip_input(struct net_if *nif, const uint8_t *ip, size_t len)
{
	size_t hlen = len ? (size_t)(ip[0] & 0xf) * 4 : 0;
	size_t tlen = len >= NET_IP_HLEN ? get16(ip + 2) : 0;
	uint32_t src, dst;

	if (len < NET_IP_HLEN || ip[0] >> 4 != 4 || hlen < NET_IP_HLEN ||
	    tlen < hlen || tlen > len ||
	    net_csum_fold(net_csum_add(0, ip, hlen))) {
		nif->stats.rx_bad++;
		return;
	}
	src = get32(ip + 12);
	dst = get32(ip + 16);
	/* fragments are never sent by this stack's peers: drop, not reassemble */
	if (dst != nif->ip || (get16(ip + 6) & IP_MF_OFFSET)) {
		nif->stats.rx_other++;
		return;
	}
	if (ip[9] == IP_PROTO_ICMP)
		net_icmp_input(nif, src, ip + hlen, tlen - hlen);
	else if (ip[9] == IP_PROTO_UDP)
		net_udp_input(nif, src, dst, ip + hlen, tlen - hlen);
	else
		nif->stats.rx_other++;
}

void net_input(struct net_if *nif, const void *frame, size_t len)
{
	const uint8_t *f = frame;
	uint16_t type;

	nif->stats.rx++;
	if (len < ETH_HLEN || len > ETH_FRAME_MAX) {
		nif->stats.rx_bad++;
		return;
	}
	if (memcmp(f, nif->mac, ETH_ALEN) && memcmp(f, net_bcast, ETH_ALEN)) {
		nif->stats.rx_other++;
		return;
	}
	type = get16(f + 12);
	if (type == ETH_P_ARP)
		net_arp_input(nif, f + ETH_HLEN, len - ETH_HLEN);
	else if (type == ETH_P_IP)
		net_ip_input(nif, f + ETH_HLEN, len - ETH_HLEN);
	else
		nif->stats.rx_other++;
}

/* The number at *s up to max, advancing *s; false when none. */
static bool net_parse_num(const char **s, unsigned base, unsigned max,
			  unsigned *v)
{
	const char *p = *s;
	unsigned d;

	for (*v = 0; *p; p++) {
		if (*p >= '0' && *p <= '9')
			d = (unsigned)(*p - '0');
		else if (base == 16 && (*p | 0x20) >= 'a' && (*p | 0x20) <= 'f')
			d = (unsigned)((*p | 0x20) - 'a' + 10);
		else
			break;
		*v = *v * base + d;
		if (*v > max)
			return false;
	}
	if (p == *s)
		return false;
	*s = p;
	return true;
}

bool net_parse_ip(const char *s, uint32_t *ip)
{
	unsigned b;

	*ip = 0;
	for (int i = 0; i < 4; i++) {
		if ((i && *s++ != '.') || !net_parse_num(&s, 10, 255, &b))
			return false;
		*ip = *ip << 8 | b;
	}
	return *s == '\0';
}

bool net_parse_mac(const char *s, uint8_t mac[ETH_ALEN])
{
	unsigned b;

	for (int i = 0; i < ETH_ALEN; i++) {
		if ((i && *s++ != ':') || !net_parse_num(&s, 16, 255, &b))
			return false;
		mac[i] = (uint8_t)b;
	}
	return *s == '\0';
}
