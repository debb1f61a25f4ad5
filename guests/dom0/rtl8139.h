/*
 * rtl8139.h - the RTL8139C(L) card dom0's device model emulates for an
 * hvm domain (issue 16; registers in guests/lib/rtl8139.h).  The card
 * knows no hypervisor: it reaches the guest's RAM, its interrupt line
 * and the wire through the three functions its owner gives, so the host
 * tests (tests/test_rtl8139.c) drive it against a fake RAM.
 *
 *	struct rtl8139_dev nic = { .dma = fn, .irq = fn, .xmit = fn };
 *	rtl8139_reset(&nic, mac);
 *	rtl8139_io_write(&nic, RTL_CR, 1, RTL_CR_RE);	a guest's OUT
 *	rtl8139_input(&nic, frame, len);		a frame off the wire
 */
#ifndef GUESTS_DOM0_RTL8139_H
#define GUESTS_DOM0_RTL8139_H

#include <inc/types.h>
#include <guests/lib/rtl8139.h>

#define RTL_FRAME_MIN 60 /* a frame sent is padded to this, as the chip does */

struct rtl8139_dev {
	uint8_t regs[RTL_IO_SIZE]; /* little-endian, as the guest sees them */
	uint8_t mac[6];		   /* the EEPROM's: IDR after a reset */
	bool irq_level;
	/* Copies len bytes between buf and guest-physical gpa (to_guest:
	 * into the guest); 0, or negative when a page is not the guest's. */
	long (*dma)(void *arg, uint64_t gpa, void *buf, size_t len,
		    bool to_guest);
	void (*irq)(void *arg, bool level); /* INTA#'s new level */
	void (*xmit)(void *arg, const void *frame, size_t len);
	void *arg;
	/* counters: frames the ring had no room for, DMAs refused */
	unsigned rx_dropped, dma_errors;
};

/* Puts the card in its power-on state with EEPROM address mac (datasheet
 * 6: each register's initial value); the interrupt line goes low. */
void rtl8139_reset(struct rtl8139_dev *d, const uint8_t mac[6]);

/* A guest read of size bytes (1, 2 or 4) at register offset off. */
uint32_t rtl8139_io_read(struct rtl8139_dev *d, unsigned off, unsigned size);

/* A guest write: transmits when a TSD is written with OWN clear, resets
 * on CR.RST, clears ISR bits written as 1, and updates the line. */
void rtl8139_io_write(struct rtl8139_dev *d, unsigned off, unsigned size,
		      uint32_t val);

/* A frame from the wire (without CRC): put into the guest's ring when RE
 * is on, RCR accepts it and the ring has room; false when dropped. */
bool rtl8139_input(struct rtl8139_dev *d, const void *frame, size_t len);

#endif
