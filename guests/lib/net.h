/*
 * net.h - a minimal Ethernet/ARP/IPv4 stack (guests/lib, lab 7): an ARP
 * cache, IPv4 with header checksums (no fragments, no options sent, no
 * routing: every peer is on the link), ICMP echo and UDP with checksums
 * (RFC 791, 792, 768, 826).  It knows no device: a struct net_if sends
 * through its xmit function and is fed arriving frames by net_input, so
 * netfront's guests and dom0's port on the bridge (guests/dom0/bridge.c)
 * run the same code, and so do the host tests (tests/test_net.c).
 *
 *	net_if_init(&nif, mac, ip, xmit_fn, dev);
 *	nif.on_udp = got_datagram;
 *	while (net_udp_send(&nif, peer, 7, 7, "hi", 2) == -XEN_EAGAIN)
 *		feed net_input with frames until ARP has answered;
 *
 * Addresses are host-order uint32_t (10.0.0.1 is 0x0a000001); frames
 * carry them in network order.  Nothing here blocks or allocates.
 */
#ifndef GUESTS_LIB_NET_H
#define GUESTS_LIB_NET_H

#include <inc/types.h>
#include <inc/public/xen.h>

#define ETH_ALEN      6
#define ETH_HLEN      14
#define ETH_FRAME_MAX 1514 /* without the FCS: a 1500-byte MTU */
#define ETH_P_IP      0x0800
#define ETH_P_ARP     0x0806
#define NET_IP_HLEN   20
#define NET_UDP_HLEN  8
#define NET_ICMP_HLEN 8
#define NET_UDP_MAX   (ETH_FRAME_MAX - ETH_HLEN - NET_IP_HLEN - NET_UDP_HLEN)
#define NET_ARP_SLOTS 8

/* printf("%u.%u.%u.%u", NET_IP_ARGS(ip)) */
#define NET_IP_ARGS(ip)                                        \
	(unsigned)((ip) >> 24), (unsigned)((ip) >> 16 & 0xff), \
		(unsigned)((ip) >> 8 & 0xff), (unsigned)((ip)&0xff)

static inline uint16_t net_htons(uint16_t v)
{
	return __builtin_bswap16(v);
}

static inline uint32_t net_htonl(uint32_t v)
{
	return __builtin_bswap32(v);
}

#define net_ntohs net_htons
#define net_ntohl net_htonl

/* Little-endian 32-bit fields, as pv-net's stream protocol carries them. */
static inline void put32le(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline uint32_t get32le(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

struct net_if;

/* Sends one whole frame; false when the device cannot take it now. */
typedef bool (*net_xmit_t)(void *dev, const void *frame, size_t len);

/* A datagram for the interface, its checksum checked. */
typedef void (*net_udp_fn)(struct net_if *nif, uint32_t src, uint16_t sport,
			   uint16_t dport, const uint8_t *data, size_t len);

/* An ICMP echo reply for the interface. */
typedef void (*net_echo_fn)(struct net_if *nif, uint32_t src, uint16_t id,
			    uint16_t seq, const uint8_t *data, size_t len);

/* What net_input saw, for reports and the benchmarks. */
struct net_stats {
	unsigned rx, tx;    /* frames */
	unsigned rx_bad;    /* dropped: truncated, a wrong checksum, ... */
	unsigned rx_other;  /* not ours: another address, another protocol */
	unsigned tx_failed; /* xmit refused */
	unsigned echo_answered;
};

struct net_if {
	uint8_t mac[ETH_ALEN];
	uint32_t ip;
	net_xmit_t xmit;
	void *dev;
	net_udp_fn on_udp;   /* NULL: datagrams are dropped */
	net_echo_fn on_echo; /* NULL: echo replies are dropped */
	void *user;	     /* the callbacks' own */
	struct {
		uint32_t ip;
		uint8_t mac[ETH_ALEN];
	} arp[NET_ARP_SLOTS];
	unsigned arp_next; /* the slot a new entry replaces */
	struct net_stats stats;
};

/* An interface with address ip (host order) sending through xmit(dev). */
void net_if_init(struct net_if *nif, const uint8_t mac[ETH_ALEN], uint32_t ip,
		 net_xmit_t xmit, void *dev);

/*
 * Handles one arriving frame: ARP requests for nif->ip are answered and
 * ARP replies cached, echo requests answered, echo replies and datagrams
 * handed to the callbacks.  Anything malformed is counted and dropped.
 */
void net_input(struct net_if *nif, const void *frame, size_t len);

/*
 * Sends a datagram of len bytes (at most NET_UDP_MAX); 0, -XEN_EAGAIN
 * when dst's MAC is not known yet (an ARP request went out: feed
 * net_input and try again) or the device is full, -XEN_EINVAL when too
 * long.
 */
long net_udp_send(struct net_if *nif, uint32_t dst, uint16_t sport,
		  uint16_t dport, const void *data, size_t len);

/* Sends an ICMP echo request with len bytes of data; as net_udp_send. */
long net_ping_send(struct net_if *nif, uint32_t dst, uint16_t id, uint16_t seq,
		   const void *data, size_t len);

/* Whether ip's MAC is cached; copies it to mac. */
bool net_arp_lookup(struct net_if *nif, uint32_t ip, uint8_t mac[ETH_ALEN]);

/* Broadcasts an ARP request for ip; false when xmit refused it. */
bool net_arp_request(struct net_if *nif, uint32_t ip);

/*
 * The Internet checksum (RFC 1071) of len bytes at p, continuing sum (a
 * previous net_csum_add); net_csum_fold gives the field's value.
 */
uint32_t net_csum_add(uint32_t sum, const void *p, size_t len);
uint16_t net_csum_fold(uint32_t sum);

/* "10.0.0.2" into *ip; false when malformed. */
bool net_parse_ip(const char *s, uint32_t *ip);

/* "00:16:3e:00:00:01" into mac; false when malformed. */
bool net_parse_mac(const char *s, uint8_t mac[ETH_ALEN]);

#endif
