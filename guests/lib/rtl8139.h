/*
 * rtl8139.h - the Realtek RTL8139C(L) Fast Ethernet controller (issue 16):
 * its registers, as the datasheet names them (RTL8139C(L) datasheet,
 * section 6 "Register Descriptions", and the RTL8139 programming guide),
 * which dom0's device model emulates (guests/dom0/rtl8139.c) and the
 * guest library's driver drives (guests/lib/rtl8139.c).
 *
 * Transmit: four descriptors, each a buffer address TSADn and a status
 * TSDn; writing a size into TSDn with OWN clear hands the buffer to the
 * card, which sets OWN when it has read it and TOK when it has sent it.
 * Receive: one ring at RBSTART of 8, 16, 32 or 64 KiB (+16 bytes); each
 * frame lands at CBR as a 4-byte header (status, then length counting
 * the 4-byte CRC), the frame and its CRC, and the next one starts at the
 * next 32-bit boundary.  The driver says how far it has read with CAPR,
 * which by a quirk of the chip is 16 bytes behind its read offset.
 *
 *	static uint8_t ring[RTL_RING_LEN(0) + 16];
 *	struct rtl8139 nic;
 *	rtl8139_init(&nic, bar0_port, ring, 0);		an 8 KiB ring
 *	rtl8139_send(&nic, frame, len);
 *	n = rtl8139_recv(&nic, buf, sizeof(buf));
 */
#ifndef GUESTS_LIB_RTL8139_H
#define GUESTS_LIB_RTL8139_H

#include <inc/types.h>

#define RTL_VENDOR  0x10ec
#define RTL_DEVICE  0x8139
#define RTL_IO_SIZE 256 /* BAR0: the registers as I/O ports */

/* Registers: offsets from BAR0 (datasheet 6, table "Register Map"). */
#define RTL_IDR0    0x00 /* the MAC, 6 bytes */
#define RTL_MAR0    0x08 /* the multicast filter, 8 bytes */
#define RTL_TSD0    0x10 /* transmit status of descriptor n: +4n */
#define RTL_TSAD0   0x20 /* transmit buffer address of descriptor n: +4n */
#define RTL_RBSTART 0x30 /* receive ring's address */
#define RTL_CR	    0x37 /* command, 1 byte */
#define RTL_CAPR    0x38 /* current address of packet read, 2 bytes */
#define RTL_CBR	    0x3a /* current buffer address (write), 2 bytes */
#define RTL_IMR	    0x3c /* interrupt mask, 2 bytes */
#define RTL_ISR	    0x3e /* interrupt status, 2 bytes, write 1 to clear */
#define RTL_TCR	    0x40 /* transmit configuration */
#define RTL_RCR	    0x44 /* receive configuration */
#define RTL_MPC	    0x4c /* missed packets */
#define RTL_9346CR  0x50 /* EEPROM command: unlocks CONFIGx */
#define RTL_CONFIG0 0x51
#define RTL_CONFIG1 0x52
#define RTL_MSR	    0x58 /* media status */

#define RTL_TX_DESCS 4
#define RTL_TX_MAX   1792 /* the largest size TSD takes */

/* CR */
#define RTL_CR_BUFE 0x01 /* the receive ring is empty */
#define RTL_CR_TE   0x04
#define RTL_CR_RE   0x08
#define RTL_CR_RST  0x10 /* reset; reads 1 until done */

/* TSDn */
#define RTL_TSD_SIZE 0x1fff
#define RTL_TSD_OWN  (1u << 13) /* the card has read the buffer */
#define RTL_TSD_TUN  (1u << 14)
#define RTL_TSD_TOK  (1u << 15)
#define RTL_TSD_TABT (1u << 30) /* transmit aborted */

/* ISR and IMR */
#define RTL_INT_ROK   0x0001
#define RTL_INT_RER   0x0002
#define RTL_INT_TOK   0x0004
#define RTL_INT_TER   0x0008
#define RTL_INT_RXOVW 0x0010 /* the ring had no room for a frame */
#define RTL_INT_SERR  0x8000 /* a DMA went outside the guest's RAM */

/* RCR */
#define RTL_RCR_AAP	    0x01 /* accept all physical addresses */
#define RTL_RCR_APM	    0x02 /* accept our own address */
#define RTL_RCR_AM	    0x04 /* accept multicast */
#define RTL_RCR_AB	    0x08 /* accept broadcast */
#define RTL_RCR_WRAP	    0x80 /* a frame runs past the ring's end */
#define RTL_RCR_RBLEN_SHIFT 11	 /* 0..3: 8, 16, 32, 64 KiB */

/* TCR: the hardware version of an RTL8139C (datasheet 6.9). */
#define RTL_TCR_HWVER 0x74000000u

/* 9346CR: EEM = 11 lets CONFIG0..4 be written */
#define RTL_9346CR_UNLOCK 0xc0

/* The receive header's status (datasheet 6.2 "Receive Status"). */
#define RTL_RX_ROK 0x0001
#define RTL_RX_BAR 0x2000 /* broadcast */
#define RTL_RX_PAM 0x4000 /* our address */
#define RTL_RX_MAR 0x8000 /* multicast */

#define RTL_RX_HDR   4
#define RTL_RX_CRC   4
#define RTL_CAPR_LAG 16 /* CAPR reads 16 bytes behind the read offset */

/* The ring's length for RBLEN n (8 KiB << n); the buffer needs 16 more
 * bytes, and a frame's worth more with WRAP. */
#define RTL_RING_LEN(n) (8192u << (n))

struct rtl8139 {
	uint16_t io;	  /* BAR0 */
	unsigned rblen;	  /* RCR's RBLEN */
	uint8_t *ring;	  /* RTL_RING_LEN(rblen) + 16 bytes, identity-mapped */
	unsigned rx_off;  /* where the next frame's header is */
	unsigned tx_next; /* the descriptor the next frame takes */
	uint8_t mac[6];
	/* counters */
	unsigned rx_frames, rx_split, rx_errors, tx_frames, tx_errors;
};

/*
 * Resets the card at I/O base io, reads its MAC, and starts both
 * directions with a receive ring of RTL_RING_LEN(rblen) at ring (whose
 * buffer must hold RTL_RING_LEN(rblen) + 16 bytes), accepting our own
 * address and broadcasts, interrupts ROK, TOK, TER, RER and RXOVW;
 * false when the reset never ends.
 */
bool rtl8139_init(struct rtl8139 *nic, uint16_t io, uint8_t *ring,
		  unsigned rblen);

/*
 * Queues one frame (14..RTL_TX_MAX bytes, copied to the descriptor's own
 * buffer); 0, -1 when the next descriptor is still the card's.  A
 * descriptor's TOK or TABT is counted when it is taken again.
 */
long rtl8139_send(struct rtl8139 *nic, const void *frame, size_t len);

/*
 * Takes the next frame from the ring into buf (up to len bytes; the
 * header and CRC stripped, a frame split at the ring's end joined) and
 * gives its room back with CAPR: the frame's length, 0 when the ring is
 * empty, -1 when the header is not a good frame's (rx_errors counted; the
 * ring is reset by rtl8139_init only).
 */
long rtl8139_recv(struct rtl8139 *nic, void *buf, size_t len);

/* Acknowledges ISR's bits in mask (write 1 to clear); the bits that
 * were set. */
uint16_t rtl8139_ack(struct rtl8139 *nic, uint16_t mask);

#endif
