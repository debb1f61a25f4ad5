/*
 * nic - an hvm guest with the RTL8139 card of dom0's device model (issue
 * 16; guests/dom0/rtl8139.c, dm_nic.c) and the guest library's driver
 * (guests/lib/rtl8139.c) under the stack of guests/lib/net.c.  Its peer
 * is a netfront domU (guests/pv-net, mode=echo) on the same bridge, and
 * another pings it:
 *
 *   the card on the PCI bus (its ID, class, BARs sized as firmware
 *     does, interrupt pin and line) and its MAC through both BARs;
 *   ISR and IMR with interrupts masked: TOK and ROK set, no interrupt;
 *     write 1 to clear; unmasking raises the line;
 *   a netfront domU's pings (guests/pv-net, mode=ping) answered until it
 *     says stop;
 *   pings and UDP echoes both ways through xenbr0, interrupt-driven, the
 *     datagrams enough to wrap the 8 KiB ring several times and split
 *     frames at its end, each frame's length checked against its IP
 *     header's (the 4-byte header and the CRC stripped);
 *   a hostile driver: transmit buffers outside its RAM or straddling
 *     its end, a size over the chip's limit, a receive ring outside its
 *     RAM, DMA without bus mastering: each an error bit, and the card
 *     still works after.
 *
 * Command line: ip=IP peer=IP mac=MAC (the card's, as dom0 gave it).
 */
#include <guests/lib/guest.h>
#include <guests/lib/net.h>
#include <guests/lib/rtl8139.h>
#include <inc/apic.h>

#define LVT_LINT0      0x350
#define LVT_EXTINT     0x700
#define PORT_ECHO      7
#define PORT_STOP      9
#define PING_ID	       0x8139
#define WAIT_CYCLES    20000000000ULL /* one answer, on a slow emulator */
#define ECHO_COUNT     40
#define ALL_INTS       0xffff
#define PCI_ADDR       0xcf8
#define PCI_DATA       0xcfc
#define PCI_ID	       0x00
#define PCI_COMMAND    0x04 /* and status above */
#define PCI_CLASS      0x08 /* class, subclass, prog-if, revision */
#define PCI_BAR0       0x10
#define PCI_BAR1       0x14
#define PCI_INTR       0x3c /* line, pin */
#define PCI_CMD_IO     0x1
#define PCI_CMD_MEM    0x2
#define PCI_CMD_MASTER 0x4

static uint8_t ring[RTL_RING_LEN(0) + 16] __attribute__((aligned(16)));
static uint8_t frame[2048];
static struct rtl8139 nic;
static struct net_if nif;
static volatile unsigned irqs;
static unsigned waits_missed; /* nic_wait's deadline came first */
static uint32_t peer;
static unsigned pci_dev;	   /* the card's device number on bus 0 */
static volatile uint8_t *nic_mmio; /* BAR1 */

/* what the callbacks saw */
static volatile int got;
static unsigned bad_len, got_seq;
static bool got_ok;

static unsigned nic_line;

__attribute__((interrupt)) static void nic_handler(struct intr_frame *f)
{
	irqs++;
	if (nic_line >= 8)
		outb(0xa0, 0x20); /* EOI to the slave, then its cascade */
	outb(0x20, 0x20);
}

/* Routes the card's line through the 8259A pair (edge: the line's rise)
 * to nic_handler: vectors PIC_VEC.., the slave on the master's line 2. */
static void irq_setup(unsigned line)
{
	uint16_t mask = (uint16_t) ~(1u << line | 1u << 2);

	nic_line = line;
	*(volatile uint32_t *)(uintptr_t)(APIC_DEFAULT_PA +
					  APIC_SVR) = APIC_SVR_ENABLE | 0xff;
	*(volatile uint32_t *)(uintptr_t)(APIC_DEFAULT_PA +
					  LVT_LINT0) = LVT_EXTINT;
	idt_set(PIC_VEC + (int)line, nic_handler);
	pic_init((uint8_t)mask, (uint8_t)(mask >> 8));
}

static bool nic_xmit(void *dev, const void *f, size_t len)
{
	return rtl8139_send(dev, f, len) == 0;
}

/* A frame's length must be what its IP header says (+14), unless the
 * sender padded it to 60: the driver strips the header and the CRC. */
static void check_len(const uint8_t *f, long n)
{
	if (n >= 14 + NET_IP_HLEN && f[12] == 0x08 && f[13] == 0x00) {
		long ip_len = f[16] << 8 | f[17];

		if (n != ip_len + 14 && !(n == 60 && ip_len + 14 < 60))
			bad_len++;
	}
}

/* Takes every frame in the ring into the stack. */
static void drain(void)
{
	long n;

	while ((n = rtl8139_recv(&nic, frame, sizeof(frame))) > 0) {
		check_len(frame, n);
		net_input(&nif, frame, (size_t)n);
	}
}

/* Interrupt-driven: waits for the card's interrupts, acknowledges them
 * and drains the ring, until *flag or the deadline; whether *flag. */
static bool nic_wait(volatile int *flag, uint64_t end)
{
	while (!*flag && rdtsc() < end) {
		unsigned seen = irqs;

		sti();
		while (irqs == seen && rdtsc() < end)
			pause();
		cli();
		waits_missed += irqs == seen;
		/* until ISR reads 0: a bit set between the read and the
		 * clear would keep the line high, and the PIC sees edges (a
		 * card whose ISR never clears gets a few rounds) */
		for (int round = 0; round < 8; round++) {
			drain();
			if (!rtl8139_ack(&nic, ALL_INTS))
				break;
		}
	}
	return *flag;
}

/* Sends until ARP has resolved dst (or the deadline); whether sent. */
static bool send_retry(long (*fn)(void), uint64_t end)
{
	static volatile int never;
	long r;

	while ((r = fn()) == -XEN_EAGAIN && rdtsc() < end)
		nic_wait(&never, MIN(end, rdtsc() + WAIT_CYCLES / 20));
	return r == 0;
}

static uint16_t ping_seq;
static uint8_t ping_data[56];

static long ping_send(void)
{
	return net_ping_send(&nif, peer, PING_ID, ping_seq, ping_data,
			     sizeof(ping_data));
}

static void on_echo(struct net_if *n, uint32_t src, uint16_t id, uint16_t seq,
		    const uint8_t *data, size_t len)
{
	got_ok = id == PING_ID && len == sizeof(ping_data) &&
		 !memcmp(data, ping_data, len);
	got_seq = seq;
	got = 1;
}

/* One echo request seq to the peer; whether its reply came intact. */
static bool ping_once(uint16_t seq)
{
	uint64_t end = rdtsc() + WAIT_CYCLES;

	ping_seq = seq;
	for (size_t i = 0; i < sizeof(ping_data); i++)
		ping_data[i] = (uint8_t)(seq * 7 + i);
	unsigned missed;

	got = 0;
	if (!send_retry(ping_send, end))
		return false;
	missed = waits_missed;
	while (nic_wait(&got, end) && got_seq != seq)
		got = 0;
	/* an interrupt must bring the reply, not the deadline */
	return got && got_ok && waits_missed == missed;
}

static uint8_t udp_data[NET_UDP_MAX];
static size_t udp_len;

static long udp_send(void)
{
	return net_udp_send(&nif, peer, PORT_ECHO, PORT_ECHO, udp_data,
			    udp_len);
}

static volatile int stopped; /* a pinger said stop (port 9) */

static void on_udp(struct net_if *n, uint32_t src, uint16_t sport,
		   uint16_t dport, const uint8_t *d, size_t len)
{
	if (dport == PORT_STOP)
		stopped = 1;
	if (dport != PORT_ECHO)
		return;
	got_ok = len == udp_len && !memcmp(d, udp_data, len);
	got = 1;
}

/* One datagram of len bytes echoed by the peer; whether it came back. */
static bool udp_echo(unsigned seq, size_t len)
{
	uint64_t end = rdtsc() + WAIT_CYCLES;

	udp_len = len;
	for (size_t i = 0; i < len; i++)
		udp_data[i] = (uint8_t)(seq * 13 + i * 3 + 1);
	unsigned missed;

	got = 0;
	if (!send_retry(udp_send, end))
		return false;
	missed = waits_missed;
	return nic_wait(&got, end) && got_ok && waits_missed == missed;
}

/* Configuration mechanism #1: dword reg of bus 0's function dev.0. */
static uint32_t pci_read(unsigned dev, unsigned reg)
{
	outl(PCI_ADDR, 0x80000000u | dev << 11 | reg);
	return inl(PCI_DATA);
}

static void pci_write(unsigned dev, unsigned reg, uint32_t v)
{
	outl(PCI_ADDR, 0x80000000u | dev << 11 | reg);
	outl(PCI_DATA, v);
}

/* BAR reg's size, as firmware finds it: all ones written, the bits that
 * stay clear read back, the BAR restored. */
static uint32_t pci_bar_size(unsigned reg, uint32_t *bar)
{
	uint32_t v;

	*bar = pci_read(pci_dev, reg);
	pci_write(pci_dev, reg, 0xffffffff);
	v = pci_read(pci_dev, reg);
	pci_write(pci_dev, reg, *bar);
	v &= *bar & 1 ? 0xfffcu : ~0xfu; /* I/O BARs decode 16 bits */
	return (*bar & 1 ? 0x10000 - v : ~v + 1);
}

/* Finds the card on bus 0, sizes its BARs, turns on I/O, memory and bus
 * mastering; its port base, or 0. */
static uint16_t test_pci(unsigned *line)
{
	uint32_t bar0, bar1, intr, size0, size1;
	uint8_t ff;

	for (pci_dev = 0; pci_dev < 32; pci_dev++)
		if (pci_read(pci_dev, PCI_ID) ==
		    ((uint32_t)RTL_DEVICE << 16 | RTL_VENDOR))
			break;
	if (!report(pci_dev < 32, "an RTL8139 (10ec:8139) at 00:%02x.0",
		    pci_dev))
		return 0;
	report_eq(pci_read(pci_dev, PCI_CLASS) >> 8, 0x020000,
		  "its class is an Ethernet controller");
	size0 = pci_bar_size(PCI_BAR0, &bar0);
	size1 = pci_bar_size(PCI_BAR1, &bar1);
	report((bar0 & 1) && size0 == RTL_IO_SIZE,
	       "BAR0: ports at 0x%x, %u of them", bar0 & ~3u, size0);
	report(!(bar1 & 1) && size1 == RTL_IO_SIZE && bar1,
	       "BAR1: MMIO at 0x%x, %u bytes", bar1 & ~0xfu, size1);
	intr = pci_read(pci_dev, PCI_INTR);
	*line = intr & 0xff;
	report((intr >> 8 & 0xff) == 1 && *line < 16,
	       "interrupt pin INTA#, line %u", *line);
	ff = inb((uint16_t)((bar0 & ~3u) + RTL_IDR0));
	pci_write(pci_dev, PCI_COMMAND,
		  PCI_CMD_IO | PCI_CMD_MEM | PCI_CMD_MASTER);
	report(ff == 0xff && inb((uint16_t)((bar0 & ~3u) + RTL_IDR0)) != 0xff,
	       "its ports answer once the command register enables them");
	nic_mmio = (volatile uint8_t *)(uintptr_t)(bar1 & ~0xfu);
	return (uint16_t)(bar0 & ~3u);
}

static void test_identity(void)
{
	char arg[24];
	uint8_t mac[ETH_ALEN];
	uint32_t tcr = inl(nic.io + RTL_TCR);
	bool mmio_ok = true;

	report(cmdline_get("mac", arg, sizeof(arg)) &&
		       net_parse_mac(arg, mac) &&
		       memcmp(mac, nic.mac, ETH_ALEN) == 0,
	       "IDR0-5 read the MAC dom0 gave, "
	       "%02x:%02x:%02x:%02x:%02x:%02x",
	       nic.mac[0], nic.mac[1], nic.mac[2], nic.mac[3], nic.mac[4],
	       nic.mac[5]);
	for (int i = 0; i < ETH_ALEN; i++)
		mmio_ok &= nic_mmio[RTL_IDR0 + i] == nic.mac[i];
	report(mmio_ok, "BAR1's MMIO shows the same IDR0-5");
	report_eq(tcr & 0x7cc00000, RTL_TCR_HWVER,
		  "TCR's hardware version is an RTL8139C's");
	/* BUFE is not looked at: a peer's broadcast may be in already */
	report_eq(inb(nic.io + RTL_CR) & ~RTL_CR_BUFE, RTL_CR_RE | RTL_CR_TE,
		  "after the reset: receive and transmit on");
}

/* The other way: a netfront domU pings this one (net_input answers)
 * until it says stop. */
static void test_served(void)
{
	report(nic_wait(&stopped, rdtsc() + 30 * WAIT_CYCLES),
	       "served a netfront pinger until it said stop");
	report(nif.stats.echo_answered >= 5, "answered its echo requests (%u)",
	       nif.stats.echo_answered);
}

/* Polls ISR, interrupts enabled, until a bit of mask is set or cycles
 * pass; ISR. */
static uint16_t isr_poll(uint16_t mask, uint64_t cycles)
{
	uint64_t end = rdtsc() + cycles;
	uint16_t isr;

	sti();
	while (!((isr = inw(nic.io + RTL_ISR)) & mask) && rdtsc() < end)
		pause();
	cli();
	return isr;
}

/* ARP requests for the peer with interrupts masked until its reply sets
 * ROK; then ISR's write-1-to-clear and IMR's unmasking. */
static void test_isr_imr(void)
{
	uint64_t end = rdtsc() + 6 * WAIT_CYCLES;
	uint16_t isr = 0;
	unsigned irqs0;

	outw(nic.io + RTL_IMR, 0);
	/* An edge the card raised before IMR went to 0 (a late reply to an
	 * earlier test) waits in the PIC's IRR, as on hardware: it comes in
	 * first, and the count starts after it. */
	sti();
	for (uint64_t t = rdtsc() + WAIT_CYCLES / 2000; rdtsc() < t;)
		pause();
	cli();
	irqs0 = irqs;
	while (!(isr & RTL_INT_ROK) && rdtsc() < end) {
		net_arp_request(&nif, peer);
		isr = isr_poll(RTL_INT_ROK, WAIT_CYCLES / 20);
	}
	report(isr == (RTL_INT_ROK | RTL_INT_TOK) && irqs == irqs0,
	       "IMR 0: TOK and ROK in ISR (0x%x), no interrupt (%u)", isr,
	       irqs - irqs0);
	outw(nic.io + RTL_ISR, 0);
	outw(nic.io + RTL_ISR, RTL_INT_TOK);
	report_eq(inw(nic.io + RTL_ISR), RTL_INT_ROK,
		  "ISR write 1 to clear: TOK cleared, ROK kept");
	sti();
	outw(nic.io + RTL_IMR, RTL_INT_ROK);
	for (uint64_t t = rdtsc() + WAIT_CYCLES; irqs == irqs0 && rdtsc() < t;)
		pause();
	cli();
	report_eq(irqs - irqs0, 1,
		  "IMR unmasking a pending ROK raises the interrupt");
	rtl8139_ack(&nic, RTL_INT_ROK);
	drain();
	outw(nic.io + RTL_IMR, ALL_INTS);
	report(inb(nic.io + RTL_CR) & RTL_CR_BUFE,
	       "the ring is empty once read (CAPR 16 behind)");
}

static void test_traffic(void)
{
	unsigned ok = 0, irqs0 = irqs, wraps = 0, off = nic.rx_off;
	bool ping_ok = true;

	/* each stops at its first loss: every later one would wait too */
	for (uint16_t i = 0; i < 10 && ping_ok; i++)
		ping_ok = ping_once(i);
	report(ping_ok, "ping %u.%u.%u.%u through xenbr0: 10 replies intact",
	       NET_IP_ARGS(peer));
	for (unsigned i = 0; i < ECHO_COUNT && ok == i; i++) {
		/* odd sizes: frames end off a 32-bit boundary */
		ok += udp_echo(i, 301 + (i * 97) % 1150);
		wraps += nic.rx_off < off;
		off = nic.rx_off;
	}
	report_eq(ok, ECHO_COUNT, "UDP echoes through xenbr0 back intact");
	report(wraps >= 3 && nic.rx_split > 0,
	       "the 8 KiB ring wrapped %u times, %u frames split at its end",
	       wraps, nic.rx_split);
	report_eq(bad_len, 0,
		  "every frame's length is its IP header's (no header, no "
		  "CRC)");
	report_eq(nic.rx_errors, 0, "no bad receive header");
	/* a reply is only taken after an interrupt: one per exchange */
	report(irqs - irqs0 >= 10 + ECHO_COUNT,
	       "interrupts delivered them (%u)", irqs - irqs0);
}

/* Hands descriptor nic.tx_next a buffer at addr of size bytes; its TSD
 * after the card has looked. */
static uint32_t tx_raw(uint32_t addr, uint32_t size)
{
	unsigned d = nic.tx_next;

	nic.tx_next = (d + 1) % RTL_TX_DESCS;
	outl(nic.io + RTL_TSAD0 + 4 * d, addr);
	outl(nic.io + RTL_TSD0 + 4 * d, size);
	return inl(nic.io + RTL_TSD0 + 4 * d);
}

static bool tx_aborted(uint32_t tsd)
{
	uint16_t isr = rtl8139_ack(&nic, RTL_INT_TER | RTL_INT_TOK);

	return (tsd & (RTL_TSD_OWN | RTL_TSD_TABT | RTL_TSD_TOK)) ==
		       (RTL_TSD_OWN | RTL_TSD_TABT) &&
	       isr == RTL_INT_TER;
}

static void test_hostile(void)
{
	uint64_t mem = guest_memory();
	uint32_t beyond = (uint32_t)(mem + 0x100000);

	outw(nic.io + RTL_IMR, 0);
	rtl8139_ack(&nic, ALL_INTS);
	report(tx_aborted(tx_raw(beyond, 100)),
	       "TSAD outside the guest's RAM: TABT and ISR.TER");
	report(tx_aborted(tx_raw((uint32_t)mem - 50, 100)),
	       "TSAD straddling the end of its RAM: TABT and ISR.TER");
	report(tx_aborted(tx_raw((uint32_t)(uintptr_t)frame, 4000)),
	       "TSD size 4000 (over 1792): TABT and ISR.TER");
	outl(nic.io + RTL_RBSTART, beyond);
	for (uint64_t end = rdtsc() + 6 * WAIT_CYCLES;
	     !(inw(nic.io + RTL_ISR) & RTL_INT_SERR) && rdtsc() < end;) {
		net_arp_request(&nif, peer);
		isr_poll(RTL_INT_SERR, WAIT_CYCLES / 20);
	}
	report(inw(nic.io + RTL_ISR) & RTL_INT_SERR,
	       "a receive ring outside its RAM: ISR.SERR");
	report(rtl8139_init(&nic, nic.io, ring, 0) && ping_once(100),
	       "after a reset the card works again: a ping's reply");
	pci_write(pci_dev, PCI_COMMAND, PCI_CMD_IO);
	report(tx_aborted(tx_raw((uint32_t)(uintptr_t)frame, 100)),
	       "bus mastering off: a transmit aborts (no DMA)");
	pci_write(pci_dev, PCI_COMMAND,
		  PCI_CMD_IO | PCI_CMD_MEM | PCI_CMD_MASTER);
}

static void stop_peer(void)
{
	udp_len = 4;
	memcpy(udp_data, "stop", 4);
	for (int i = 0; i < 3; i++)
		net_udp_send(&nif, peer, PORT_STOP, PORT_STOP, udp_data, 4);
	drain();
}

void main(void)
{
	char arg[20];
	uint32_t ip = 0;
	unsigned line;
	uint16_t io;

	if (!cmdline_get("ip", arg, sizeof(arg)) || !net_parse_ip(arg, &ip) ||
	    !cmdline_get("peer", arg, sizeof(arg)) ||
	    !net_parse_ip(arg, &peer)) {
		report(false, "ip= and peer= give the addresses");
		return;
	}
	if (!(io = test_pci(&line)))
		return;
	irq_setup(line);
	if (!report(rtl8139_init(&nic, io, ring, 0), "the card's reset ends"))
		return;
	net_if_init(&nif, nic.mac, ip, nic_xmit, &nic);
	nif.on_echo = on_echo;
	nif.on_udp = on_udp;
	test_identity();
	test_served();
	test_isr_imr();
	test_traffic();
	test_hostile();
	stop_peer();
}
