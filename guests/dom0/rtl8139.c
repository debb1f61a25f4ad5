/*
 * rtl8139.c - the RTL8139C(L)'s registers, transmit descriptors and
 * receive ring (rtl8139.h; RTL8139C(L) datasheet section 6 "Register
 * Descriptions", the programming guide's "Packet Transmission" and
 * "Packet Reception").  The registers live in one little-endian array,
 * as the guest sees them; only those with side effects are handled apart.
 *
 * Every address a guest gives (TSADn, RBSTART) is checked by the owner's
 * dma function page by page: a descriptor outside the guest's RAM or
 * longer than the chip allows aborts (TABT, ISR.TER), a ring outside it
 * loses the frame (ISR.SERR), and the card goes on.
 */
#include "rtl8139.h"
#include <inc/string.h>

#define RTL_ETH_MIN 14
#define RTL_ETH_MAX 1514

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
	return get16(p) | (uint32_t)get16(p + 2) << 16;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

/* Ethernet's FCS (IEEE 802.3 3.2.9), reflected CRC-32. */
static uint32_t rtl8139_crc(const uint8_t *p, size_t len)
{
	uint32_t crc = 0xffffffff;

	for (size_t i = 0; i < len; i++) {
		crc ^= p[i];
		for (int b = 0; b < 8; b++)
			crc = crc >> 1 ^ (crc & 1 ? 0xedb88320 : 0);
	}
	return ~crc;
}

/* INTA# follows ISR & IMR (a level interrupt): told only when it moves. */
static void rtl8139_irq_update(struct rtl8139_dev *d)
{
	bool level = (get16(d->regs + RTL_ISR) & get16(d->regs + RTL_IMR)) != 0;

	if (level != d->irq_level) {
		d->irq_level = level;
		d->irq(d->arg, level);
	}
}

static void rtl8139_raise(struct rtl8139_dev *d, uint16_t bits)
{
	put16(d->regs + RTL_ISR, get16(d->regs + RTL_ISR) | bits);
}

void rtl8139_reset(struct rtl8139_dev *d, const uint8_t mac[6])
{
	memset(d->regs, 0, sizeof(d->regs));
	memcpy(d->mac, mac, 6);
	memcpy(d->regs + RTL_IDR0, mac, 6);
	for (int n = 0; n < RTL_TX_DESCS; n++)
		put32(d->regs + RTL_TSD0 + 4 * n, RTL_TSD_OWN);
	put16(d->regs + RTL_CAPR, (uint16_t)-RTL_CAPR_LAG);
	d->regs[RTL_CONFIG1] = 0x0d; /* LWAKE, as the EEPROM leaves it */
	rtl8139_irq_update(d);
}

/* The receive ring's length (RCR.RBLEN), and the offset the driver has
 * read up to: CAPR plus the chip's 16 bytes. */
static unsigned rtl8139_ring_len(struct rtl8139_dev *d)
{
	return RTL_RING_LEN(d->regs[RTL_RCR + 1] >> 3 & 3);
}

static unsigned rtl8139_read_off(struct rtl8139_dev *d)
{
	uint16_t capr = get16(d->regs + RTL_CAPR);

	return (uint16_t)(capr + RTL_CAPR_LAG) % rtl8139_ring_len(d);
}

/* One register byte as the guest reads it. */
static uint8_t rtl8139_readb(struct rtl8139_dev *d, unsigned off)
{
	if (off == RTL_CR)
		return (uint8_t)(d->regs[off] |
				 (get16(d->regs + RTL_CBR) ==
						  rtl8139_read_off(d) ?
					  RTL_CR_BUFE :
					  0));
	if (off == RTL_TCR + 3)
		return d->regs[off] | RTL_TCR_HWVER >> 24;
	return d->regs[off];
}

uint32_t rtl8139_io_read(struct rtl8139_dev *d, unsigned off, unsigned size)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < size && off + i < RTL_IO_SIZE; i++)
		v |= (uint32_t)rtl8139_readb(d, off + i) << (8 * i);
	return v;
}

/* One register byte as the guest writes it; the side effects of the
 * whole write come after (rtl8139_io_write). */
static void rtl8139_writeb(struct rtl8139_dev *d, unsigned off, uint8_t b)
{
	bool unlocked = (d->regs[RTL_9346CR] & RTL_9346CR_UNLOCK) ==
			RTL_9346CR_UNLOCK;

	switch (off) {
	case RTL_ISR:
	case RTL_ISR + 1:
		d->regs[off] &= (uint8_t)~b; /* write 1 to clear */
		break;
	case RTL_CR: d->regs[off] = b & (RTL_CR_RE | RTL_CR_TE); break;
	case RTL_MPC:
		put32(d->regs + RTL_MPC, 0); /* any write clears it */
		break;
	case RTL_CONFIG0:
	case RTL_CONFIG1:
		if (unlocked)
			d->regs[off] = b;
		break;
	case RTL_CBR:
	case RTL_CBR + 1:
	case RTL_MSR: break; /* read-only */
	default: d->regs[off] = b;
	}
}

/* Ends descriptor n's transmission with OWN and ok (TOK) or not (TABT
 * and ISR.TER). */
static void rtl8139_tx_done(struct rtl8139_dev *d, int n, bool ok)
{
	uint8_t *tsd = d->regs + RTL_TSD0 + 4 * n;

	put32(tsd,
	      get32(tsd) | RTL_TSD_OWN | (ok ? RTL_TSD_TOK : RTL_TSD_TABT));
	rtl8139_raise(d, ok ? RTL_INT_TOK : RTL_INT_TER);
}

/* Descriptor n was written: sends its buffer if OWN is clear and TE on. */
static void rtl8139_transmit(struct rtl8139_dev *d, int n)
{
	static uint8_t frame[RTL_TX_MAX];
	uint32_t tsd = get32(d->regs + RTL_TSD0 + 4 * n);
	uint32_t tsad = get32(d->regs + RTL_TSAD0 + 4 * n);
	size_t len = tsd & RTL_TSD_SIZE;

	if ((tsd & RTL_TSD_OWN) || !(d->regs[RTL_CR] & RTL_CR_TE))
		return;
	put32(d->regs + RTL_TSD0 + 4 * n,
	      tsd & ~(RTL_TSD_TOK | RTL_TSD_TABT | RTL_TSD_TUN));
	if (len < RTL_ETH_MIN || len > RTL_TX_MAX ||
	    d->dma(d->arg, tsad, frame, len, false) < 0) {
		d->dma_errors += len >= RTL_ETH_MIN && len <= RTL_TX_MAX;
		rtl8139_tx_done(d, n, false);
		return;
	}
	if (len < RTL_FRAME_MIN) {
		memset(frame + len, 0, RTL_FRAME_MIN - len);
		len = RTL_FRAME_MIN;
	}
	d->xmit(d->arg, frame, len);
	rtl8139_tx_done(d, n, true);
}

void rtl8139_io_write(struct rtl8139_dev *d, unsigned off, unsigned size,
		      uint32_t val)
{
	for (unsigned i = 0; i < size && off + i < RTL_IO_SIZE; i++)
		rtl8139_writeb(d, off + i, (uint8_t)(val >> (8 * i)));
	if (off <= RTL_CR && RTL_CR < off + size &&
	    (val >> (8 * (RTL_CR - off)) & RTL_CR_RST)) {
		rtl8139_reset(d, d->mac);
		return;
	}
	for (int n = 0; n < RTL_TX_DESCS; n++) {
		unsigned tsd = RTL_TSD0 + 4 * n;

		/* the size's bytes and OWN are in the low half */
		if (off < tsd + 2 && tsd < off + size)
			rtl8139_transmit(d, n);
	}
	rtl8139_irq_update(d);
}

/* The receive status for a frame to dst, 0 when RCR rejects it. */
static uint16_t rtl8139_accept(struct rtl8139_dev *d, const uint8_t *dst)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	uint8_t rcr = d->regs[RTL_RCR];

	if (memcmp(dst, bcast, 6) == 0)
		return rcr & RTL_RCR_AB ? RTL_RX_BAR : 0;
	/* AM takes every group address: MAR's hash is not applied */
	if (dst[0] & 1)
		return rcr & RTL_RCR_AM ? RTL_RX_MAR : 0;
	if (memcmp(dst, d->regs + RTL_IDR0, 6) == 0)
		return rcr & (RTL_RCR_APM | RTL_RCR_AAP) ? RTL_RX_PAM : 0;
	return rcr & RTL_RCR_AAP ? RTL_RX_ROK : 0;
}

/* Writes n bytes of pkt at ring offset off: straight on past the end
 * with WRAP, else the rest at the ring's start; 0 or negative. */
static long rtl8139_ring_write(struct rtl8139_dev *d, unsigned off,
			       uint8_t *pkt, size_t n)
{
	uint32_t base = get32(d->regs + RTL_RBSTART);
	size_t first = n, len = rtl8139_ring_len(d);

	if (!(d->regs[RTL_RCR] & RTL_RCR_WRAP))
		first = MIN(n, len - off);
	if (d->dma(d->arg, (uint64_t)base + off, pkt, first, true) < 0)
		return -1;
	return first < n ? d->dma(d->arg, base, pkt + first, n - first, true) :
			   0;
}

bool rtl8139_input(struct rtl8139_dev *d, const void *frame, size_t len)
{
	static uint8_t pkt[RTL_RX_HDR + RTL_ETH_MAX + RTL_RX_CRC];
	unsigned ring = rtl8139_ring_len(d), cbr = get16(d->regs + RTL_CBR);
	unsigned read = rtl8139_read_off(d), room, size, total;
	uint16_t status;

	if (!(d->regs[RTL_CR] & RTL_CR_RE) || len < RTL_ETH_MIN ||
	    len > RTL_ETH_MAX || !(status = rtl8139_accept(d, frame)))
		return false;
	size = (unsigned)len + RTL_RX_CRC;
	total = (RTL_RX_HDR + size + 3) & ~3u;
	room = cbr == read ? ring : (read + ring - cbr) % ring;
	if (total >= room) { /* full: CBR may never catch up with CAPR */
		put32(d->regs + RTL_MPC, get32(d->regs + RTL_MPC) + 1);
		rtl8139_raise(d, RTL_INT_RXOVW);
		d->rx_dropped++;
		rtl8139_irq_update(d);
		return false;
	}
	put16(pkt, status | RTL_RX_ROK);
	put16(pkt + 2, (uint16_t)size);
	memcpy(pkt + RTL_RX_HDR, frame, len);
	put32(pkt + RTL_RX_HDR + len, rtl8139_crc(frame, len));
	if (rtl8139_ring_write(d, cbr, pkt, RTL_RX_HDR + size) < 0) {
		d->dma_errors++;
		rtl8139_raise(d, RTL_INT_SERR);
		rtl8139_irq_update(d);
		return false;
	}
	put16(d->regs + RTL_CBR, (uint16_t)((cbr + total) % ring));
	rtl8139_raise(d, RTL_INT_ROK);
	rtl8139_irq_update(d);
	return true;
}
