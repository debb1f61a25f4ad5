/*
 * rtl8139.c - the guest library's RTL8139 driver (issue 16, rtl8139.h):
 * the programming guide's sequence (power on through CONFIG1, reset,
 * ring, accept bits, both directions on), four transmit descriptors
 * used round robin, and the receive ring read header by header.  The
 * guest is identity-mapped below 4 GiB, so a buffer's address is its
 * pointer.
 */
#include <guests/lib/guest.h>
#include <guests/lib/rtl8139.h>

#define RTL_RESET_POLLS 100000

static uint8_t rtl_tx_buf[RTL_TX_DESCS][2048] __attribute__((aligned(16)));
static bool rtl_tx_used[RTL_TX_DESCS];

bool rtl8139_init(struct rtl8139 *nic, uint16_t io, uint8_t *ring,
		  unsigned rblen)
{
	unsigned polls = 0;

	*nic = (struct rtl8139){ .io = io, .rblen = rblen, .ring = ring };
	for (int i = 0; i < RTL_TX_DESCS; i++)
		rtl_tx_used[i] = false;
	/* CONFIG1 is written only with the EEPROM's registers unlocked;
	 * LWAKE off powers the chip up */
	outb(io + RTL_9346CR, RTL_9346CR_UNLOCK);
	outb(io + RTL_CONFIG1, 0);
	outb(io + RTL_9346CR, 0);
	outb(io + RTL_CR, RTL_CR_RST);
	while ((inb(io + RTL_CR) & RTL_CR_RST) && ++polls < RTL_RESET_POLLS)
		pause();
	if (polls == RTL_RESET_POLLS)
		return false;
	for (int i = 0; i < 6; i++)
		nic->mac[i] = inb(io + RTL_IDR0 + i);
	outl(io + RTL_RBSTART, (uint32_t)(uintptr_t)ring);
	outw(io + RTL_IMR, RTL_INT_ROK | RTL_INT_RER | RTL_INT_TOK |
				   RTL_INT_TER | RTL_INT_RXOVW);
	outb(io + RTL_CR, RTL_CR_RE | RTL_CR_TE);
	outl(io + RTL_RCR,
	     RTL_RCR_APM | RTL_RCR_AB | rblen << RTL_RCR_RBLEN_SHIFT);
	return true;
}

long rtl8139_send(struct rtl8139 *nic, const void *frame, size_t len)
{
	unsigned d = nic->tx_next;
	uint16_t tsd = (uint16_t)(nic->io + RTL_TSD0 + 4 * d);
	uint32_t st = inl(tsd);

	if (len < 14 || len > RTL_TX_MAX)
		return -1;
	if (!(st & RTL_TSD_OWN))
		return -1; /* the card has not read it yet */
	if (rtl_tx_used[d] && (st & RTL_TSD_TOK))
		nic->tx_frames++;
	else if (rtl_tx_used[d])
		nic->tx_errors++;
	memcpy(rtl_tx_buf[d], frame, len);
	outl(nic->io + RTL_TSAD0 + 4 * d, (uint32_t)(uintptr_t)rtl_tx_buf[d]);
	/* OWN clear, the size: the card starts reading */
	outl(tsd, (uint32_t)len);
	rtl_tx_used[d] = true;
	nic->tx_next = (d + 1) % RTL_TX_DESCS;
	return 0;
}

/* Copies n bytes of the ring from offset off to buf, joining the two
 * pieces of a frame the card wrapped to the ring's start. */
static void rtl8139_copy(struct rtl8139 *nic, unsigned off, void *buf, size_t n)
{
	unsigned len = RTL_RING_LEN(nic->rblen);
	size_t first = MIN(n, (size_t)(len - off));

	memcpy(buf, nic->ring + off, first);
	memcpy((uint8_t *)buf + first, nic->ring, n - first);
	if (first < n)
		nic->rx_split++;
}

long rtl8139_recv(struct rtl8139 *nic, void *buf, size_t len)
{
	unsigned ring_len = RTL_RING_LEN(nic->rblen);
	uint16_t status, size;
	size_t n;

	if (inb(nic->io + RTL_CR) & RTL_CR_BUFE)
		return 0;
	/* 32-bit aligned, so a header never straddles the end */
	status = (uint16_t)(nic->ring[nic->rx_off] | nic->ring[nic->rx_off + 1]
							     << 8);
	size = (uint16_t)(nic->ring[nic->rx_off + 2] |
			  nic->ring[nic->rx_off + 3] << 8);
	if (!(status & RTL_RX_ROK) || size < 14 + RTL_RX_CRC ||
	    size > RTL_TX_MAX + RTL_RX_CRC) {
		nic->rx_errors++;
		return -1;
	}
	n = MIN((size_t)(size - RTL_RX_CRC), len);
	rtl8139_copy(nic, (nic->rx_off + RTL_RX_HDR) % ring_len, buf, n);
	nic->rx_off = ((nic->rx_off + RTL_RX_HDR + size + 3) & ~3u) % ring_len;
	outw(nic->io + RTL_CAPR, (uint16_t)(nic->rx_off - RTL_CAPR_LAG));
	nic->rx_frames++;
	return (long)n;
}

uint16_t rtl8139_ack(struct rtl8139 *nic, uint16_t mask)
{
	uint16_t isr = inw(nic->io + RTL_ISR);

	outw(nic->io + RTL_ISR, isr & mask);
	return isr & mask;
}
