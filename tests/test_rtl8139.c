/*
 * test_rtl8139.c - dom0's RTL8139 card (guests/dom0/rtl8139.c, issue 16)
 * against a fake guest RAM: the reset values, ISR's write-1-to-clear and
 * the line under IMR, transmit and its aborts, the receive ring's
 * header, CRC, 32-bit alignment, wrap (split, or past the end with
 * WRAP), CAPR's 16-byte lag, a full ring, RCR's accept bits, the
 * 9346CR lock, and a ring outside RAM.
 */
#include <criterion/criterion.h>
#include <string.h>
#include <guests/dom0/rtl8139.h>

#define RAM_BASE 0x10000
#define RAM_SIZE 0x20000
#define RING	 0x10000 /* gpa of the ring */
#define TXBUF	 0x2f000

static uint8_t ram[RAM_SIZE];
static struct rtl8139_dev card;
static const uint8_t mac[6] = { 0x00, 0x16, 0x3e, 0x00, 0x08, 0x08 };
static uint8_t sent[2048];
static size_t sent_len;
static unsigned nsent, irq_changes;

static long fake_dma(void *arg, uint64_t gpa, void *buf, size_t len,
		     bool to_guest)
{
	if (gpa < RAM_BASE || gpa + len > RAM_BASE + RAM_SIZE)
		return -1;
	if (to_guest)
		memcpy(ram + gpa - RAM_BASE, buf, len);
	else
		memcpy(buf, ram + gpa - RAM_BASE, len);
	return 0;
}

static void fake_irq(void *arg, bool level)
{
	irq_changes++;
}

static void fake_xmit(void *arg, const void *frame, size_t len)
{
	memcpy(sent, frame, len);
	sent_len = len;
	nsent++;
}

static uint32_t rd(unsigned off, unsigned size)
{
	return rtl8139_io_read(&card, off, size);
}

static void wr(unsigned off, unsigned size, uint32_t v)
{
	rtl8139_io_write(&card, off, size, v);
}

/* A powered-on card with an 8 KiB ring (rblen 0) at RING, both on. */
static void setup(void)
{
	memset(ram, 0, sizeof(ram));
	card = (struct rtl8139_dev){ .dma = fake_dma,
				     .irq = fake_irq,
				     .xmit = fake_xmit };
	nsent = irq_changes = 0;
	rtl8139_reset(&card, mac);
	wr(RTL_RBSTART, 4, RING);
	wr(RTL_CR, 1, RTL_CR_RE | RTL_CR_TE);
	wr(RTL_RCR, 4, RTL_RCR_APM | RTL_RCR_AB);
}

TestSuite(rtl8139, .init = setup);

/* A frame to dst of len bytes, payload bytes from seed. */
static const uint8_t *frame_to(const uint8_t *dst, size_t len, uint8_t seed)
{
	static uint8_t f[1514];

	memcpy(f, dst, 6);
	memcpy(f + 6, "\x02\x00\x00\x00\x00\x09", 6);
	for (size_t i = 12; i < len; i++)
		f[i] = (uint8_t)(seed + i);
	return f;
}

/* Ethernet's CRC-32, bit by bit, apart from the card's. */
static uint32_t crc32(const uint8_t *p, size_t len)
{
	uint32_t c = ~0u;

	while (len--) {
		c ^= *p++;
		for (int b = 0; b < 8; b++)
			c = (c >> 1) ^ (0xedb88320u & -(c & 1));
	}
	return ~c;
}

static uint8_t *at(unsigned ring_off)
{
	return ram + RING - RAM_BASE + ring_off;
}

Test(rtl8139, reset_values)
{
	for (int i = 0; i < 6; i++)
		cr_expect_eq(rd(RTL_IDR0 + i, 1), mac[i]);
	for (int n = 0; n < RTL_TX_DESCS; n++)
		cr_expect_eq(rd(RTL_TSD0 + 4 * n, 4), RTL_TSD_OWN);
	cr_expect_eq(rd(RTL_CAPR, 2), 0xfff0);
	cr_expect_eq(rd(RTL_CBR, 2), 0);
	cr_expect_eq(rd(RTL_CR, 1), RTL_CR_RE | RTL_CR_TE | RTL_CR_BUFE);
	cr_expect_eq(rd(RTL_TCR, 4) & 0x7cc00000, RTL_TCR_HWVER);
	wr(RTL_CR, 1, RTL_CR_RST);
	cr_expect_eq(rd(RTL_CR, 1), RTL_CR_BUFE, "RST: RE and TE off");
}

Test(rtl8139, isr_write_1_to_clear_and_imr)
{
	wr(RTL_TSAD0, 4, TXBUF);
	wr(RTL_TSD0, 4, 64);
	rtl8139_input(&card, frame_to(mac, 64, 1), 64);
	cr_assert_eq(rd(RTL_ISR, 2), RTL_INT_ROK | RTL_INT_TOK);
	cr_expect_eq(irq_changes, 0, "IMR 0: the line stays low");
	wr(RTL_ISR, 2, 0);
	cr_expect_eq(rd(RTL_ISR, 2), RTL_INT_ROK | RTL_INT_TOK);
	wr(RTL_IMR, 2, RTL_INT_TOK);
	cr_expect(card.irq_level && irq_changes == 1, "unmasked: high");
	wr(RTL_ISR, 1, RTL_INT_TOK);
	cr_expect_eq(rd(RTL_ISR, 2), RTL_INT_ROK, "TOK cleared, ROK kept");
	cr_expect(!card.irq_level, "ROK masked: low again");
}

Test(rtl8139, transmit)
{
	memcpy(ram + TXBUF - RAM_BASE, "\xff\xff\xff\xff\xff\xff", 6);
	wr(RTL_TSAD0 + 8, 4, TXBUF);
	wr(RTL_TSD0 + 8, 4, 42);
	cr_assert_eq(nsent, 1);
	cr_expect_eq(sent_len, RTL_FRAME_MIN, "padded to 60");
	cr_expect_eq(sent[0], 0xff);
	cr_expect_eq(rd(RTL_TSD0 + 8, 4), RTL_TSD_OWN | RTL_TSD_TOK | 42);
	cr_expect_eq(rd(RTL_ISR, 2), RTL_INT_TOK);
}

Test(rtl8139, transmit_aborts)
{
	static const uint32_t bad[][2] = {
		{ RAM_BASE + RAM_SIZE + 0x1000, 100 }, /* outside */
		{ RAM_BASE + RAM_SIZE - 50, 100 },     /* straddling */
		{ TXBUF, RTL_TX_MAX + 1 },	       /* too long */
		{ 0xfffffff0, 100 },		       /* wraps 4 GiB */
	};

	for (int i = 0; i < 4; i++) {
		wr(RTL_ISR, 2, 0xffff);
		wr(RTL_TSAD0, 4, bad[i][0]);
		wr(RTL_TSD0, 4, bad[i][1]);
		cr_expect_eq(rd(RTL_TSD0, 4) & ~RTL_TSD_SIZE,
			     RTL_TSD_OWN | RTL_TSD_TABT, "case %d", i);
		cr_expect_eq(rd(RTL_ISR, 2), RTL_INT_TER, "case %d", i);
	}
	cr_expect_eq(nsent, 0);
	wr(RTL_CR, 1, RTL_CR_RE);
	wr(RTL_TSAD0, 4, TXBUF);
	wr(RTL_TSD0, 4, 60);
	cr_expect_eq(nsent, 0, "TE off: nothing sent");
}

Test(rtl8139, receive_header_crc_alignment_capr)
{
	const uint8_t *f = frame_to(mac, 61, 7);

	cr_assert(rtl8139_input(&card, f, 61));
	cr_expect_eq(at(0)[0] | at(0)[1] << 8, RTL_RX_ROK | RTL_RX_PAM);
	cr_expect_eq(at(0)[2] | at(0)[3] << 8, 61 + 4, "length with the CRC");
	cr_expect_eq(memcmp(at(4), f, 61), 0);
	cr_assert_eq(crc32((const uint8_t *)"123456789", 9), 0xcbf43926);
	cr_expect_eq(at(65)[0] | at(65)[1] << 8 | at(65)[2] << 16 |
			     (uint32_t)at(65)[3] << 24,
		     crc32(f, 61), "the FCS after the frame");
	cr_expect_eq(rd(RTL_CBR, 2), (4 + 65 + 3) & ~3u, "32-bit aligned");
	cr_expect_eq(rd(RTL_CR, 1) & RTL_CR_BUFE, 0);
	wr(RTL_CAPR, 2, 72);
	cr_expect_eq(rd(RTL_CR, 1) & RTL_CR_BUFE, 0, "CAPR without the lag");
	wr(RTL_CAPR, 2, 72 - 16);
	cr_expect_eq(rd(RTL_CR, 1) & RTL_CR_BUFE, RTL_CR_BUFE);
}

/* Fills the ring to just before its end; the next frame's offset. */
static unsigned fill_to_end(void)
{
	unsigned off = 0;

	while (off < 8192 - 1600) {
		cr_assert(rtl8139_input(&card, frame_to(mac, 1000, 3), 1000));
		off = rd(RTL_CBR, 2);
		wr(RTL_CAPR, 2, (uint16_t)(off - 16));
	}
	return off;
}

Test(rtl8139, receive_wraps_split)
{
	unsigned off = fill_to_end();
	const uint8_t *f = frame_to(mac, 1500, 9);
	unsigned first = 8192 - off - 4;

	cr_assert(rtl8139_input(&card, f, 1500));
	cr_expect_eq(memcmp(at(off + 4), f, first), 0);
	cr_expect_eq(memcmp(at(0), f + first, 1500 - first), 0, "the rest");
	cr_expect_eq(rd(RTL_CBR, 2), (off + ((4 + 1504 + 3) & ~3u)) % 8192);
}

Test(rtl8139, receive_wrap_bit_runs_past_the_end)
{
	unsigned off;
	const uint8_t *f = frame_to(mac, 1500, 9);

	wr(RTL_RCR, 4, RTL_RCR_APM | RTL_RCR_WRAP);
	off = fill_to_end();
	cr_assert(rtl8139_input(&card, f, 1500));
	cr_expect_eq(memcmp(at(off + 4), f, 1500), 0);
	cr_expect_eq(rd(RTL_CBR, 2), (off + ((4 + 1504 + 3) & ~3u)) % 8192);
}

Test(rtl8139, receive_full_ring)
{
	unsigned n = 0;

	while (n < 16 && rtl8139_input(&card, frame_to(mac, 1000, 3), 1000))
		n++;
	cr_expect_eq(n, 8192 / 1008, "as many as fit, never all 8 KiB");
	cr_expect_eq(rd(RTL_ISR, 2) & RTL_INT_RXOVW, RTL_INT_RXOVW);
	cr_expect_eq(rd(RTL_MPC, 4), 1);
	wr(RTL_CAPR, 2, (uint16_t)(1008 - 16));
	cr_expect(rtl8139_input(&card, frame_to(mac, 1000, 3), 1000),
		  "room again once read");
}

Test(rtl8139, receive_accept_bits)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t mcast[6] = { 0x01, 0x00, 0x5e, 0, 0, 1 };
	static const uint8_t other[6] = { 0x00, 0x16, 0x3e, 0, 0, 9 };

	cr_expect(rtl8139_input(&card, frame_to(bcast, 60, 0), 60));
	cr_expect(!rtl8139_input(&card, frame_to(mcast, 60, 0), 60));
	cr_expect(!rtl8139_input(&card, frame_to(other, 60, 0), 60));
	wr(RTL_RCR, 4, RTL_RCR_AM | RTL_RCR_AAP);
	cr_expect(!rtl8139_input(&card, frame_to(bcast, 60, 0), 60));
	cr_expect(rtl8139_input(&card, frame_to(mcast, 60, 0), 60));
	cr_expect(rtl8139_input(&card, frame_to(other, 60, 0), 60));
	wr(RTL_CR, 1, RTL_CR_TE);
	cr_expect(!rtl8139_input(&card, frame_to(other, 60, 0), 60), "RE off");
}

Test(rtl8139, config_lock)
{
	wr(RTL_CONFIG1, 1, 0);
	cr_expect_eq(rd(RTL_CONFIG1, 1), 0x0d, "locked");
	wr(RTL_9346CR, 1, RTL_9346CR_UNLOCK);
	wr(RTL_CONFIG1, 1, 0);
	cr_expect_eq(rd(RTL_CONFIG1, 1), 0);
}

Test(rtl8139, ring_outside_ram)
{
	wr(RTL_RBSTART, 4, RAM_BASE + RAM_SIZE);
	cr_expect(!rtl8139_input(&card, frame_to(mac, 100, 0), 100));
	cr_expect_eq(rd(RTL_ISR, 2), RTL_INT_SERR);
	cr_expect_eq(rd(RTL_CBR, 2), 0);
}
