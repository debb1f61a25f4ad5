/*
 * pci.c - PCI configuration mechanism #1 (PCI Local Bus Specification 3.0,
 * 3.2.2.3.2 "Software Generation of Configuration Transactions") with one
 * device, the host bridge at 00:00.0, and the reset control register that
 * shares its ports.
 *
 * CONFIG_ADDRESS at 0xcf8 takes dword accesses only; other sizes to
 * 0xcf8-0xcfb are ordinary I/O, where the chipset's reset control
 * register sits at 0xcf9 (Intel ICH9 datasheet, 13.7.5 "RST_CNT").
 *
 * The host bridge is a read-only Intel 440FX (82441FX PMC datasheet, 3.2),
 * the chipset of a PC whose firmware tables have no MCFG.  Other functions
 * may be a device model's (pv/ioreq.c forwards their accesses); those that
 * do not exist read all ones and ignore writes, as a master abort does.
 */
#include <kernel/kernel.h>
#include <kernel/domain.h>
#include <kernel/dev/io.h>
#include <kernel/dev/platform.h>
#include <kernel/dev/chipset.h>
#include <pv/pv.h>

#define PCI_ADDR_ENABLE	  0x80000000u
#define PCI_ADDR_WRITABLE 0x80fffffcu /* 30:24 reserved, 1:0 type 0 */
#define PCI_ADDR_REG	  0xfc
#define PCI_DATA	  (PLATFORM_PCI_CONF + 4)
#define PCI_PORTS	  8

#define RCR_RST_CPU 0x04
#define RCR_KEPT    0x0a /* SYS_RST and FULL_RST; RST_CPU acts and clears */

/*
 * A function: read returns the dword at reg (a multiple of 4); write,
 * NULL when it is read-only, stores the bytes mask selects of val there.
 */
struct pci_function {
	uint16_t bdf; /* bus 15:8, device 7:3, function 2:0 */
	uint32_t (*read)(struct domain *d, unsigned reg);
	void (*write)(struct domain *d, unsigned reg, uint32_t val,
		      uint32_t mask);
};

static uint32_t pci_host_read(struct domain *d, unsigned reg)
{
	switch (reg) {
	case 0x00: return 0x1237u << 16 | 0x8086; /* device, vendor */
	case 0x04: return 0x0280u << 16 | 0x0006; /* status, command */
	case 0x08:
		return 0x060000u << 8 | 0x02; /* class: host bridge; revision */
	}
	return 0;
}

/*
 * The Xen platform device at 00:02.0 of xen_platform domains (QEMU's
 * hw/i386/xen/xen_platform.c), where Linux finds its grant table.  Its
 * BARs are fixed; all ones written to one sizes it (PCI 3.0, 6.2.5.1).
 * No interrupt pin: events come through the callback vector.
 */
static uint32_t pci_xen_read(struct domain *d, unsigned reg)
{
	const struct pci *p = &d->chipset.pci;
	uint32_t bar1 = (uint32_t)(p2m_size(&d->p2m) - PLATFORM_XEN_MMIO_SIZE);

	if (!d->config->xen_platform)
		return ~0u;
	switch (reg) {
	case 0x00:
	case 0x2c: return 0x0001u << 16 | 0x5853; /* device, vendor */
	case 0x04: return p->xen_cmd;
	case 0x08: return 0xff8000u << 8 | 0x01; /* class: other; revision */
	case 0x10:
		return (p->xen_sizing & 1 ? ~(PLATFORM_XEN_IO_SIZE - 1) :
					    PLATFORM_XEN_IO) |
		       1; /* I/O space */
	case 0x14:
		return (p->xen_sizing & 2 ?
				(uint32_t) ~(PLATFORM_XEN_MMIO_SIZE - 1) :
				bar1) |
		       8; /* 32-bit memory, prefetchable */
	}
	return 0;
}

static void pci_xen_write(struct domain *d, unsigned reg, uint32_t val,
			  uint32_t mask)
{
	struct pci *p = &d->chipset.pci;
	unsigned bar = reg == 0x10 ? 1 : 2;

	if (reg == 0x04) /* I/O, memory, bus master */
		p->xen_cmd = (uint8_t)((p->xen_cmd & ~mask) | (val & mask & 7));
	else if (reg == 0x10 || reg == 0x14)
		p->xen_sizing = (uint8_t)((p->xen_sizing & ~bar) |
					  (val == ~0u && mask == ~0u ? bar :
								       0));
}

static const struct pci_function pci_functions[] = {
	{ 0x0000, pci_host_read, NULL },
	{ 0x0010, pci_xen_read, pci_xen_write },
};

/* The function CONFIG_ADDRESS addr selects, or NULL. */
static const struct pci_function *pci_find(uint32_t addr)
{
	size_t i;

	if (!(addr & PCI_ADDR_ENABLE))
		return NULL;
	for (i = 0; i < ARRAY_SIZE(pci_functions); i++)
		if (pci_functions[i].bdf == (uint16_t)(addr >> 8))
			return &pci_functions[i];
	return NULL;
}

/* CONFIG_DATA: the byte lanes of port..port+size-1 of the dword. */
static int pci_data(struct domain *d, struct pci *p, uint64_t port,
		    unsigned size, bool write, uint64_t *val)
{
	const struct pci_function *f = pci_find(p->addr);
	unsigned shift = 8 * (unsigned)(port & 3), reg = p->addr & PCI_ADDR_REG;
	uint32_t mask = (uint32_t)((~0ULL >> (64 - 8 * size)) << shift);

	if (!f && (p->addr & PCI_ADDR_ENABLE))
		return ioreq_pci(d, p->addr, (uint16_t)port, size, write, val);
	if (!write)
		*val = f ? (f->read(d, reg) & mask) >> shift :
			   ~0ULL >> (64 - 8 * size);
	else if (f && f->write)
		f->write(d, reg, (uint32_t)(*val << shift), mask);
	return 0;
}

/* A non-dword access to 0xcf8-0xcfb: only its byte at 0xcf9 is there. */
static void pci_rcr(struct domain *d, struct pci *p, uint64_t port,
		    unsigned size, bool write, uint64_t *val)
{
	bool hit = port <= PLATFORM_RESET_CF9 &&
		   PLATFORM_RESET_CF9 < port + size;
	unsigned shift = hit ? 8 * (unsigned)(PLATFORM_RESET_CF9 - port) : 0;
	uint8_t v = (uint8_t)(*val >> shift);

	if (!write) {
		*val = ~0ULL >> (64 - 8 * size);
		if (hit)
			*val &= ~(0xffULL << shift) | (uint64_t)p->rcr << shift;
		return;
	}
	if (!hit)
		return;
	p->rcr = v & RCR_KEPT;
	if (v & RCR_RST_CPU)
		domain_reboot(d);
}

static int pci_io(struct domain *d, void *opaque, uint64_t port, unsigned size,
		  bool write, uint64_t *val)
{
	struct pci *p = opaque;

	if (port == PLATFORM_PCI_CONF && size == 4 && write)
		p->addr = (uint32_t)*val & PCI_ADDR_WRITABLE;
	else if (port == PLATFORM_PCI_CONF && size == 4)
		*val = p->addr;
	else if (port < PCI_DATA)
		pci_rcr(d, p, port, size, write, val);
	else
		return pci_data(d, p, port, size, write, val);
	return 0;
}

int pci_init(struct domain *d)
{
	return io_register_port(d, PLATFORM_PCI_CONF, PCI_PORTS, pci_io,
				&d->chipset.pci, "pci-conf");
}
