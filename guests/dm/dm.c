/*
 * dm - an hvm guest whose test device (guests/lib/testdm.h) is served by
 * dom0's device model through the hypervisor's ioreq forwarding (issue
 * 16; pv/ioreq.c, guests/dom0/dm.c): its port and MMIO registers at every
 * access size, REP INS/OUTS of the FIFO (a string across a page, words
 * and double words), and the interrupt the device model raises.  A
 * mirror of each register file says what every read must give.
 *
 * With mode=hang or mode=garbage on its command line it makes one
 * access, which must never complete: the hypervisor crashes it.
 */
#include <guests/lib/guest.h>
#include <guests/lib/testdm.h>
#include <inc/apic.h>

#define LVT_LINT0  0x350
#define LVT_EXTINT 0x700
#define DM_LINE	   5

static uint8_t port_regs[16], mmio_regs[TESTDM_MMIO_SIZE];
static uint8_t page_pair[8192] __attribute__((aligned(4096)));
static uint8_t back[512];
static volatile unsigned irqs;

/* n bytes of a mirror from off, little-endian. */
static uint64_t mirror(const uint8_t *m, unsigned off, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)m[off + i] << (8 * i);
	return v;
}

static void mirror_set(uint8_t *m, unsigned off, unsigned n, uint64_t v)
{
	for (unsigned i = 0; i < n; i++)
		m[off + i] = (uint8_t)(v >> (8 * i));
}

static uint64_t port_in(unsigned off, unsigned n)
{
	uint16_t p = (uint16_t)(TESTDM_PORT + off);

	return n == 1 ? inb(p) : n == 2 ? inw(p) : inl(p);
}

static void port_out(unsigned off, unsigned n, uint64_t v)
{
	uint16_t p = (uint16_t)(TESTDM_PORT + off);

	if (n == 1)
		outb(p, (uint8_t)v);
	else if (n == 2)
		outw(p, (uint16_t)v);
	else
		outl(p, (uint32_t)v);
}

static void test_ports(void)
{
	static const unsigned sizes[] = { 1, 2, 4 };
	bool ok = true;

	for (unsigned i = 0; i < 16; i++)
		port_regs[i] = TESTDM_PATTERN(i);
	for (unsigned s = 0; s < 3; s++)
		for (unsigned off = 0; off + sizes[s] <= 16; off += sizes[s])
			ok &= port_in(off, sizes[s]) ==
			      mirror(port_regs, off, sizes[s]);
	report(ok, "port reads of 1, 2 and 4 bytes: the device model's");
	ok = true;
	for (unsigned s = 0; s < 3; s++) {
		unsigned off = 3 + 4 * s;
		uint64_t v = 0x8877665544332211ULL >> (8 * s);

		port_out(off, sizes[s], v);
		mirror_set(port_regs, off, sizes[s], v);
		for (unsigned t = 0; t < 3; t++)
			ok &= port_in(off & ~(sizes[t] - 1), sizes[t]) ==
			      mirror(port_regs, off & ~(sizes[t] - 1),
				     sizes[t]);
	}
	report(ok, "port writes of 1, 2 and 4 bytes read back at every size");
	report_eq(inb(TESTDM_PORT_END + 1), 0xff,
		  "the port after the claimed range: nobody's");
}

static uint64_t mmio_in(unsigned off, unsigned n)
{
	volatile void *p = (void *)(uintptr_t)(TESTDM_MMIO + off);

	switch (n) {
	case 1: return *(volatile uint8_t *)p;
	case 2: return *(volatile uint16_t *)p;
	case 4: return *(volatile uint32_t *)p;
	}
	return *(volatile uint64_t *)p;
}

static void mmio_out(unsigned off, unsigned n, uint64_t v)
{
	volatile void *p = (void *)(uintptr_t)(TESTDM_MMIO + off);

	switch (n) {
	case 1: *(volatile uint8_t *)p = (uint8_t)v; break;
	case 2: *(volatile uint16_t *)p = (uint16_t)v; break;
	case 4: *(volatile uint32_t *)p = (uint32_t)v; break;
	default: *(volatile uint64_t *)p = v;
	}
}

static void test_mmio(void)
{
	static const unsigned sizes[] = { 1, 2, 4, 8 };
	bool ok = true;

	for (unsigned i = 0; i < TESTDM_MMIO_SIZE; i++)
		mmio_regs[i] = TESTDM_PATTERN(i);
	for (unsigned s = 0; s < 4; s++)
		for (unsigned off = 0; off < 64; off += sizes[s])
			ok &= mmio_in(off, sizes[s]) ==
			      mirror(mmio_regs, off, sizes[s]);
	ok &= mmio_in(TESTDM_MMIO_SIZE - 8, 8) ==
	      mirror(mmio_regs, TESTDM_MMIO_SIZE - 8, 8);
	report(ok, "MMIO reads of 1, 2, 4 and 8 bytes: the device model's");
	ok = true;
	for (unsigned s = 0; s < 4; s++) {
		unsigned off = 0x100 + 0x10 * s;
		uint64_t v = 0x0123456789abcdefULL ^ s;

		mmio_out(off, sizes[s], v);
		mirror_set(mmio_regs, off, sizes[s], v);
		for (unsigned t = 0; t < 4; t++)
			ok &= mmio_in(off, sizes[t]) ==
			      mirror(mmio_regs, off, sizes[t]);
	}
	report(ok,
	       "MMIO writes of 1, 2, 4 and 8 bytes read back at every size");
	/* One instruction, two accesses: a read, then a write. */
	__asm__ volatile(
		"orl %1, %0"
		: "+m"(*(volatile uint32_t *)(uintptr_t)(TESTDM_MMIO + 0x200))
		: "ri"(0x80000001u));
	mirror_set(mmio_regs, 0x200, 4,
		   mirror(mmio_regs, 0x200, 4) | 0x80000001u);
	report_eq(mmio_in(0x200, 4), mirror(mmio_regs, 0x200, 4),
		  "MMIO read-modify-write (OR) of 4 bytes");
}

/* rep_NAME(p, n): REP INSN of n elements at p through the FIFO; reg is
 * "S" (OUTS reads at RSI) or "D" (INS writes at RDI). */
#define REP_IO(name, insn, reg)                           \
	static void rep_##name(const void *p, uint64_t n) \
	{                                                 \
		__asm__ volatile("rep " insn              \
				 : "+" reg(p), "+c"(n)    \
				 : "d"(TESTDM_FIFO)       \
				 : "memory");             \
	}
REP_IO(outsb, "outsb", "S")
REP_IO(insb, "insb", "D")
REP_IO(outsw, "outsw", "S")
REP_IO(insl, "insl", "D")

static void test_strings(void)
{
	uint8_t *across = page_pair + 4096 - 100;

	for (unsigned i = 0; i < 300; i++)
		across[i] = (uint8_t)(i * 13 + 5);
	rep_outsb(across, 300);
	memset(back, 0, sizeof(back));
	rep_insb(back, 300);
	report(memcmp(back, across, 300) == 0,
	       "REP OUTSB and REP INSB of 300 bytes across a page");
	rep_outsw(across, 64);
	memset(back, 0, sizeof(back));
	rep_insl(back, 32);
	report(memcmp(back, across, 128) == 0,
	       "REP OUTSW of 64 words read back with REP INSL of 32");
	memset(page_pair + 4096 - 8, 0x77, 16);
	rep_insl(page_pair + 4096 - 8, 4);
	report(mirror(page_pair, 4096 - 8, 8) == 0 &&
		       mirror(page_pair, 4096, 8) == 0,
	       "REP INSL of an empty FIFO across a page: zeros");
	report_eq(inb(TESTDM_FIFO), 0, "the FIFO is empty");
}

__attribute__((interrupt)) static void dm_handler(struct intr_frame *f)
{
	irqs++;
	outb(TESTDM_FIFO, 0x5a); /* the device, before the OUT completed */
	__asm__ volatile("outb %%al, $0x20" : : "a"(0x20));
}

static void test_irq(void)
{
	uint64_t end;

	*(volatile uint32_t *)(uintptr_t)(APIC_DEFAULT_PA +
					  APIC_SVR) = APIC_SVR_ENABLE | 0xff;
	*(volatile uint32_t *)(uintptr_t)(APIC_DEFAULT_PA +
					  LVT_LINT0) = LVT_EXTINT;
	idt_set(PIC_VEC + DM_LINE, dm_handler);
	pic_init((uint8_t) ~(1u << DM_LINE), 0xff);
	sti();
	outb(TESTDM_IRQ, DM_LINE);
	end = rdtsc() + 2000000000ULL;
	while (!irqs && rdtsc() < end)
		pause();
	cli();
	report_eq(irqs, 1, "the device model's IRQ %d arrived", DM_LINE);
	report_eq(inb(TESTDM_IRQ), 1, "the device model sent one pulse");
	report(inb(TESTDM_FIFO) == 0x5a && inb(TESTDM_FIFO) == 0,
	       "the handler's own access reached the device once");
}

void main(void)
{
	char mode[16];

	if (cmdline_get("mode", mode, sizeof(mode))) {
		printf("dm: one access the device model (%s) never "
		       "completes\n",
		       mode);
		report(false, "inb got 0x%x", inb(TESTDM_PORT));
		return;
	}
	test_ports();
	test_mmio();
	test_strings();
	test_irq();
}
