/*
 * dm.h - dom0's device model (issue 16): the devices of hvm domains that
 * the hypervisor forwards to dom0 (Xen's ioreq model, inc/public/hvm/
 * ioreq.h and dm_op.h; pv/ioreq.c).
 *
 *   dm.c         the server core: `dm NAME DEVICE...`, one ioreq server
 *                per domain, its requests dispatched to the devices,
 *                REP strings element by element, guest RAM for strings
 *                and DMA through foreign mappings, PCI configuration
 *                space (header type 0) for devices that are PCI functions
 *   dm_testdev.c the test device (guests/lib/testdm.h)
 *   dm_ide.c     the PIIX3 IDE function and its disk
 *
 * A device is a struct dm_dev the device's file fills and gives to
 * dm_dev_add: its regions (fixed ranges and, for a PCI function, BARs)
 * and its ops.  The core claims the regions, moves a BAR's claim when
 * the guest writes the BAR, and calls ops->read or ops->write with the
 * region and the offset in it for each access (a REP string's elements
 * one by one).  A PCI function's I/O and memory regions answer only
 * while its command register enables them.  Everything a device needs of
 * the guest's RAM goes through dm_guest_copy, which refuses addresses
 * that are not the guest's RAM: a guest cannot make dom0 touch anything
 * else.
 *
 *	static const struct dm_ops foo_ops = { foo_read, foo_write };
 *	dm_pci_init(&foo->dev, DM_BDF(0, 3, 0), 0x10ec, 0x8139, 0x020000, 1);
 *	dm_pci_bar(&foo->dev, 4, DM_IO, 16, 0xc000);
 *	r = dm_dev_add(d, &foo->dev, "foo", &foo_ops);
 *
 * Bus 0's functions: 00:00.0 is the hypervisor's host bridge (kernel/
 * dev/pci.c, which also owns any function it adds to its table); the
 * PIIX3 is 00:01.0 (its ISA bridge, so that an OS scanning function 0
 * first finds the device) and 00:01.1 (IDE).  A PCI function's INTx#
 * goes to the ISA IRQ its interrupt line register names (dm_irq_level
 * with config[0x3c]): hvlab routes no PCI interrupt links.
 */
#ifndef GUESTS_DOM0_DM_H
#define GUESTS_DOM0_DM_H

#include "dom0.h"
#include <guests/lib/pv.h>

#define DM_REGIONS	8 /* 0-5 are a PCI function's BARs */
#define DM_FIXED	6 /* the first fixed region */
#define DM_BAR_NONE	0
#define DM_IO		1 /* a region of ports */
#define DM_MEM		2 /* a region of MMIO */
#define DM_PCI_CONFIG	256
#define DM_BDF(b, d, f) ((uint16_t)((b) << 8 | (d) << 3 | (f)))

struct dm_domain;
struct dm_dev;

/*
 * A device's accesses: size 1, 2, 4 (or 8 for MMIO) bytes at offset off
 * of region (a BAR number, or DM_FIXED + the fixed region's number).
 * config_write, optional, runs after the guest wrote configuration
 * register dword reg (BARs and the command register already updated).
 * release, optional, frees the device when its domain has gone.
 */
struct dm_ops {
	uint64_t (*read)(struct dm_dev *dev, int region, uint64_t off,
			 unsigned size);
	void (*write)(struct dm_dev *dev, int region, uint64_t off,
		      unsigned size, uint64_t val);
	void (*config_write)(struct dm_dev *dev, unsigned reg);
	void (*release)(struct dm_dev *dev);
};

struct dm_region {
	int type;      /* DM_BAR_NONE, DM_IO or DM_MEM */
	uint64_t base; /* a fixed region's, or where a BAR is claimed */
	uint64_t size; /* a power of two for a BAR */
	bool claimed;  /* requests for it come */
};

struct dm_dev {
	struct dm_domain *dom; /* set by dm_dev_add */
	const char *name;
	const struct dm_ops *ops;
	struct dm_region regions[DM_REGIONS];
	bool pci;
	uint16_t bdf; /* bus 15:8, device 7:3, function 2:0 */
	uint8_t config[DM_PCI_CONFIG];
	uint8_t config_wmask[DM_PCI_CONFIG]; /* bits the guest may write */
	struct dm_dev *next;		     /* the domain's devices */
};

/*
 * Makes dev a PCI function at bdf with a type 0 header: vendor, device,
 * class (class 23:16, subclass 15:8, prog-if 7:0), interrupt pin (0
 * none, 1 INTA#); the command register's I/O, memory and bus-master bits
 * and the interrupt line are writable.
 */
void dm_pci_init(struct dm_dev *dev, uint16_t bdf, uint16_t vendor,
		 uint16_t device, uint32_t class, uint8_t pin);

/* BAR bar (0-5) of dev: type DM_IO or DM_MEM (32-bit, not prefetchable),
 * size bytes (a power of two, 16 or more for I/O), at base as firmware
 * would have assigned it (0: unassigned). */
void dm_pci_bar(struct dm_dev *dev, int bar, int type, uint32_t size,
		uint32_t base);

/* Fixed region n (0..1) of dev: ports or MMIO at [base, base+size). */
void dm_fixed(struct dm_dev *dev, int n, int type, uint64_t base,
	      uint64_t size);

/* Attaches dev to d: claims its fixed regions, its PCI function and its
 * assigned BARs.  0 or -XEN_E* (logged). */
long dm_dev_add(struct dm_domain *d, struct dm_dev *dev, const char *name,
		const struct dm_ops *ops);

/* Copies len bytes between buf and d's guest-physical gpa (to_guest:
 * into the guest).  0, or -XEN_EFAULT when any byte is not d's RAM (the
 * copy may have been done in part). */
long dm_guest_copy(struct dm_domain *d, uint64_t gpa, void *buf, size_t len,
		   bool to_guest);

/* Sets ISA IRQ line irq (0-15) of d to level; 0 or -XEN_E*. */
long dm_irq_level(struct dm_domain *d, unsigned irq, bool level);

/* The domain d serves. */
domid_t dm_domid(const struct dm_domain *d);

/* The devices: each makes its device for d from the `dm NAME DEVICE
 * ARGS...` arguments after DEVICE; 0 or 1 (the error printed). */
int dm_testdev_attach(struct dm_domain *d, int argc, char **argv);
int dm_ide_attach(struct dm_domain *d, int argc, char **argv);

#endif
