/*
 * dm.c - dom0's device model, the server core (issue 16; dm.h): `dm NAME
 * [hang|garbage|DEVICE ARGS...]` serves a device of an hvm domain
 * through the hypervisor's ioreq forwarding (inc/public/hvm/dm_op.h,
 * ioreq.h; pv/ioreq.c).  The first `dm` of a domain creates, maps and
 * enables its ioreq server; each names one device (the test device when
 * none is named).  "hang" takes every request and never answers;
 * "garbage" answers with another size: the hypervisor must crash the
 * guest in both cases, and only it.
 *
 * The shared page of ioreq_t is mapped with XENMEM_acquire_resource at a
 * frame dom0 gave back; the guest's RAM that a string or a DMA transfer
 * reaches shows one page at a time at another such frame
 * (XENMAPSPACE_gmfn_foreign), which the hypervisor gives only for the
 * guest's RAM.
 *
 * PCI configuration space follows the PCI Local Bus Specification 3.0,
 * 6.1 "Configuration Space Organization" (header type 0) and 6.2.5.1
 * "Address Maps" (a BAR's writable bits give its size: writing all ones
 * reads back ~(size - 1) with the type bits).
 */
#include "dm.h"
#include <inc/public/memory.h>
#include <inc/public/hvm/dm_op.h>
#include <inc/public/hvm/ioreq.h>

#define DM_DOMAINS 4
#define DM_VCPUS   8 /* slots looked at per domain */

#define PCI_COMMAND	   0x04
#define PCI_COMMAND_IO	   0x1
#define PCI_COMMAND_MEM	   0x2
#define PCI_COMMAND_MASTER 0x4
#define PCI_BAR0	   0x10
#define PCI_INTERRUPT_LINE 0x3c

enum dm_mode {
	DM_NORMAL,
	DM_HANG,
	DM_GARBAGE
};

struct dm_domain {
	bool used;
	domid_t domid;
	enum dm_mode mode;
	volatile struct ioreq *slots; /* the shared page */
	struct dm_dev *devs;
};

static struct dm_domain dm_domains[DM_DOMAINS];
/* Frames given back at the first `dm`: the shared pages, then the one a
 * guest page shows at. */
static uint8_t dm_pages[DM_DOMAINS + 1][4096] __attribute__((aligned(4096)));
static bool dm_pages_absent;
static uint8_t dm_string_buf[4096]; /* a request's elements: one page */

static long dm_op(domid_t domid, struct xen_dm_op *op)
{
	struct xen_dm_op_buf buf = { (uintptr_t)op, sizeof(*op) };

	return _hypercall3(__HYPERVISOR_dm_op, domid, 1, &buf);
}

long dm_irq_level(struct dm_domain *d, unsigned irq, bool level)
{
	struct xen_dm_op op = { .op = XEN_DMOP_set_isa_irq_level };

	op.u.set_isa_irq_level.isa_irq = (uint8_t)irq;
	op.u.set_isa_irq_level.level = level;
	return dm_op(d->domid, &op);
}

domid_t dm_domid(const struct dm_domain *d)
{
	return d->domid;
}

/* Claims (map) or gives back [start, end] of type XEN_DMOP_IO_RANGE_*. */
static long dm_range(domid_t domid, bool map, uint32_t type, uint64_t start,
		     uint64_t end)
{
	struct xen_dm_op op = {
		.op = map ? XEN_DMOP_map_io_range_to_ioreq_server :
			    XEN_DMOP_unmap_io_range_from_ioreq_server
	};

	op.u.map_io_range_to_ioreq_server.type = type;
	op.u.map_io_range_to_ioreq_server.start = start;
	op.u.map_io_range_to_ioreq_server.end = end;
	return dm_op(domid, &op);
}

long dm_guest_copy(struct dm_domain *d, uint64_t gpa, void *buf, size_t len,
		   bool to_guest)
{
	uint8_t *page = dm_pages[DM_DOMAINS], *b = buf;

	while (len) {
		size_t at = gpa % 4096, n = MIN(len, 4096 - at);

		if (gpa >> 52 ||
		    dom0_map_foreign(d->domid, gpa >> 12, page) < 0)
			return -XEN_EFAULT;
		if (to_guest)
			memcpy(page + at, b, n);
		else
			memcpy(b, page + at, n);
		dom0_unmap(page);
		gpa += n, b += n, len -= n;
	}
	return 0;
}

/* PCI configuration space */

void dm_pci_init(struct dm_dev *dev, uint16_t bdf, uint16_t vendor,
		 uint16_t device, uint32_t class, uint8_t pin)
{
	uint8_t *c = dev->config;

	dev->pci = true;
	dev->bdf = bdf;
	memset(c, 0, sizeof(dev->config));
	memset(dev->config_wmask, 0, sizeof(dev->config_wmask));
	memcpy(c + 0x00, &vendor, 2);
	memcpy(c + 0x02, &device, 2);
	c[0x09] = (uint8_t) class;
	c[0x0a] = (uint8_t)(class >> 8);
	c[0x0b] = (uint8_t)(class >> 16);
	c[0x3d] = pin;
	dev->config_wmask[PCI_COMMAND] = PCI_COMMAND_IO | PCI_COMMAND_MEM |
					 PCI_COMMAND_MASTER;
	dev->config_wmask[PCI_INTERRUPT_LINE] = 0xff;
}

void dm_pci_bar(struct dm_dev *dev, int bar, int type, uint32_t size,
		uint32_t base)
{
	uint32_t flags = type == DM_IO ? 0x1 : 0x0, value = base | flags;
	/* I/O BARs decode 16 bits (the upper half reads 0, as the PIIX3's
	 * BMIBA does); memory BARs 32. */
	uint32_t wmask = ~(size - 1) & (type == DM_IO ? 0xfffcu : ~0xfu);

	dev->regions[bar] = (struct dm_region){ .type = type, .size = size };
	memcpy(dev->config + PCI_BAR0 + 4 * bar, &value, 4);
	memcpy(dev->config_wmask + PCI_BAR0 + 4 * bar, &wmask, 4);
}

void dm_fixed(struct dm_dev *dev, int n, int type, uint64_t base, uint64_t size)
{
	dev->regions[DM_FIXED + n] = (struct dm_region){ .type = type,
							 .base = base,
							 .size = size };
}

static uint32_t dm_range_type(int type)
{
	return type == DM_IO ? XEN_DMOP_IO_RANGE_PORT :
			       XEN_DMOP_IO_RANGE_MEMORY;
}

/* Moves BAR bar's claim to where the BAR and the command register say:
 * nowhere while decoding is off or the BAR is 0 (Linux sizes BARs with
 * decoding off). */
static void dm_bar_claim(struct dm_dev *dev, int bar)
{
	struct dm_region *r = &dev->regions[bar];
	uint32_t value,
		on = r->type == DM_IO ? PCI_COMMAND_IO : PCI_COMMAND_MEM;
	uint64_t base;

	memcpy(&value, dev->config + PCI_BAR0 + 4 * bar, 4);
	base = value & (r->type == DM_IO ? ~0x3u : ~0xfu);
	if (!(dev->config[PCI_COMMAND] & on) ||
	    (r->type == DM_IO && base + r->size > 0x10000))
		base = 0;
	if (r->claimed && r->base == base)
		return;
	if (r->claimed)
		dm_range(dev->dom->domid, false, dm_range_type(r->type),
			 r->base, r->base + r->size - 1);
	r->claimed = false;
	r->base = base;
	if (base && dm_range(dev->dom->domid, true, dm_range_type(r->type),
			     base, base + r->size - 1) < 0)
		printf("dm: %s: BAR%d at 0x%llx cannot be claimed\n", dev->name,
		       bar, (unsigned long long)base);
	else if (base)
		r->claimed = true;
}

/* A configuration write of size bytes at byte offset reg. */
static void dm_config_write(struct dm_dev *dev, unsigned reg, unsigned size,
			    uint64_t val)
{
	for (unsigned i = 0; i < size && reg + i < DM_PCI_CONFIG; i++) {
		uint8_t m = dev->config_wmask[reg + i];

		dev->config[reg + i] = (uint8_t)((dev->config[reg + i] & ~m) |
						 ((val >> (8 * i)) & m));
	}
	for (int bar = 0; bar < 6; bar++)
		if (dev->regions[bar].type != DM_BAR_NONE)
			dm_bar_claim(dev, bar);
	if (dev->ops->config_write)
		dev->ops->config_write(dev, reg & ~3u);
}

static uint64_t dm_config_read(struct dm_dev *dev, unsigned reg, unsigned size)
{
	uint64_t val = 0;

	if (reg + size > DM_PCI_CONFIG)
		return ~0ULL;
	memcpy(&val, dev->config + reg, size);
	return val;
}

long dm_dev_add(struct dm_domain *d, struct dm_dev *dev, const char *name,
		const struct dm_ops *ops)
{
	long r = 0;

	dev->dom = d;
	dev->name = name;
	dev->ops = ops;
	for (int i = DM_FIXED; i < DM_REGIONS && r == 0; i++) {
		struct dm_region *g = &dev->regions[i];

		if (g->type != DM_BAR_NONE &&
		    (r = dm_range(d->domid, true, dm_range_type(g->type),
				  g->base, g->base + g->size - 1)) == 0)
			g->claimed = true;
	}
	if (r == 0 && dev->pci)
		r = dm_range(d->domid, true, XEN_DMOP_IO_RANGE_PCI, dev->bdf,
			     dev->bdf);
	if (r < 0) {
		printf("dm: %s: cannot claim its ports, MMIO or PCI "
		       "function: %s\n",
		       name, xl_strerror(r));
		return r;
	}
	for (int bar = 0; dev->pci && bar < 6; bar++)
		if (dev->regions[bar].type != DM_BAR_NONE)
			dm_bar_claim(dev, bar);
	dev->next = d->devs;
	d->devs = dev;
	return 0;
}

/* Dispatch */

/* The device and region at addr of type DM_IO or DM_MEM, the offset in
 * *off; NULL when none decodes it. */
static struct dm_dev *dm_find(struct dm_domain *d, int type, uint64_t addr,
			      unsigned size, int *region, uint64_t *off)
{
	for (struct dm_dev *dev = d->devs; dev; dev = dev->next)
		for (int i = 0; i < DM_REGIONS; i++) {
			struct dm_region *g = &dev->regions[i];
			uint32_t on = type == DM_IO ? PCI_COMMAND_IO :
						      PCI_COMMAND_MEM;

			if (g->type != type || !g->claimed || addr < g->base ||
			    addr + size > g->base + g->size)
				continue;
			if (dev->pci && !(dev->config[PCI_COMMAND] & on))
				return NULL;
			*region = i;
			*off = addr - g->base;
			return dev;
		}
	return NULL;
}

/* One access of size bytes at addr; *data in and out. */
static void dm_access(struct dm_domain *d, int type, uint64_t addr,
		      unsigned size, bool write, uint64_t *data)
{
	int region;
	uint64_t off;
	struct dm_dev *dev = dm_find(d, type, addr, size, &region, &off);

	if (!dev && !write)
		*data = ~0ULL >> (64 - 8 * size);
	else if (dev && write)
		dev->ops->write(dev, region, off, size, *data);
	else if (dev)
		*data = dev->ops->read(dev, region, off, size) &
			(~0ULL >> (64 - 8 * size));
}

/* A REP string: count elements in the guest's RAM at data, one page at
 * most (the hypervisor splits at its end), each one access. */
static void dm_string(struct dm_domain *d, int type, volatile struct ioreq *q)
{
	uint64_t bytes = (uint64_t)q->count * q->size, data = q->data;
	uint64_t first = q->df ? data + q->size - bytes : data;
	bool write = q->dir == IOREQ_WRITE;
	uint8_t *buf = dm_string_buf;

	if (bytes > sizeof(dm_string_buf) || first > data)
		return;
	if (write && dm_guest_copy(d, first, buf, bytes, false) < 0)
		return;
	for (uint32_t i = 0; i < q->count; i++) {
		uint64_t v = 0, at = q->df ? bytes - (i + 1) * q->size :
					     i * (uint64_t)q->size;

		memcpy(&v, buf + at, q->size);
		dm_access(d, type, q->addr, q->size, write, &v);
		memcpy(buf + at, &v, q->size);
	}
	if (!write)
		dm_guest_copy(d, first, buf, bytes, true);
}

/* A configuration access: addr is SBDF << 32 | register. */
static void dm_config(struct dm_domain *d, volatile struct ioreq *q,
		      uint64_t *data)
{
	unsigned reg = (unsigned)(q->addr & 0xfff);
	struct dm_dev *dev = d->devs;

	while (dev && !(dev->pci && dev->bdf == (uint16_t)(q->addr >> 32)))
		dev = dev->next;
	if (!dev && q->dir == IOREQ_READ)
		*data = ~0ULL >> (64 - 8 * q->size);
	else if (dev && q->dir == IOREQ_WRITE)
		dm_config_write(dev, reg, q->size, *data);
	else if (dev)
		*data = dm_config_read(dev, reg, q->size);
}

/* Serves request q: data for a read, the devices' state for a write. */
static void dm_serve(struct dm_domain *d, volatile struct ioreq *q)
{
	uint64_t data = q->data;
	unsigned size = q->size;
	int type = q->type == IOREQ_TYPE_PIO ? DM_IO : DM_MEM;

	if (size != 1 && size != 2 && size != 4 && size != 8)
		return;
	if (q->type == IOREQ_TYPE_PCI_CONFIG)
		dm_config(d, q, &data);
	else if (q->data_is_ptr)
		dm_string(d, type, q);
	else
		dm_access(d, type, q->addr, size, q->dir == IOREQ_WRITE, &data);
	if (!q->data_is_ptr)
		q->data = data;
}

/* d's vcpu slot q is READY: answer as d's mode says; true if it did. */
static bool dm_answer(struct dm_domain *d, volatile struct ioreq *q)
{
	if (d->mode == DM_HANG) {
		q->state = STATE_IOREQ_INPROCESS;
		printf("dm: domain %u: not answering\n", d->domid);
		return true;
	}
	if (d->mode == DM_GARBAGE)
		q->size = q->size == 4 ? 2 : 4;
	else
		dm_serve(d, q);
	/* The answer is whole before the hypervisor may see it. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	q->state = STATE_IORESP_READY;
	evtchn_send(q->vp_eport); /* the hypervisor polls; as Xen */
	return true;
}

bool dm_poll(void)
{
	bool work = false;

	if (toolstack_deaths_pending())
		return false; /* their pages may show zeros already */
	for (int i = 0; i < DM_DOMAINS; i++) {
		struct dm_domain *d = &dm_domains[i];

		for (int v = 0; d->used && v < DM_VCPUS; v++)
			if (d->slots[v].state == STATE_IOREQ_READY) {
				__atomic_thread_fence(__ATOMIC_ACQUIRE);
				work |= dm_answer(d, &d->slots[v]);
			}
	}
	return work;
}

/* The server */

/* The server's shared page at d's frame in dm_pages; 0 or -XEN_E*. */
static long dm_map_page(struct dm_domain *d)
{
	uint8_t *page = dm_pages[d - dm_domains];
	uint64_t gfn = (uintptr_t)page >> 12;
	struct xen_mem_acquire_resource a = {
		.domid = d->domid,
		.type = XENMEM_resource_ioreq_server,
		.id = 0,
		.nr_frames = 1,
		.frame = XENMEM_resource_ioreq_server_frame_ioreq(0),
		.frame_list = (uintptr_t)&gfn,
	};
	long r = HYPERVISOR_memory_op(XENMEM_acquire_resource, &a);

	d->slots = (volatile struct ioreq *)page;
	return r;
}

/* Creates, maps and enables d's server. */
static long dm_setup(struct dm_domain *d)
{
	struct xen_dm_op op = { .op = XEN_DMOP_create_ioreq_server };
	long r;

	if ((r = dm_op(d->domid, &op)) < 0 || (r = dm_map_page(d)) < 0)
		return r;
	for (int i = 0; i < DM_VCPUS; i++)
		if (d->slots[i].vp_eport)
			evtchn_bind(d->slots[i].vp_eport, dom0_kick, NULL);
	op = (struct xen_dm_op){ .op = XEN_DMOP_set_ioreq_server_state };
	op.u.set_ioreq_server_state.enabled = 1;
	return dm_op(d->domid, &op);
}

/* The server of domid, set up at its first `dm`; NULL (printed). */
static struct dm_domain *dm_domain_get(domid_t domid)
{
	struct dm_domain *d = NULL;
	long r;

	for (int i = 0; i < DM_DOMAINS; i++)
		if (dm_domains[i].used && dm_domains[i].domid == domid)
			return &dm_domains[i];
	for (int i = 0; i < DM_DOMAINS && !d; i++)
		if (!dm_domains[i].used)
			d = &dm_domains[i];
	if (!d) {
		printf("dm: ENOSPC\n");
		return NULL;
	}
	if (!dm_pages_absent &&
	    (r = dom0_frames_release(dm_pages, DM_DOMAINS + 1)) < 0) {
		printf("dm: %s\n", xl_strerror(r));
		return NULL;
	}
	dm_pages_absent = true;
	*d = (struct dm_domain){ .used = true, .domid = domid };
	if ((r = dm_setup(d)) < 0) {
		printf("dm: domain %u: %s\n", domid, xl_strerror(r));
		dom0_unmap(dm_pages[d - dm_domains]);
		d->used = false;
		return NULL;
	}
	return d;
}

static const struct {
	const char *name;
	int (*attach)(struct dm_domain *d, int argc, char **argv);
} dm_devices[] = {
	{ "test", dm_testdev_attach },
	{ "ide", dm_ide_attach },
};

/* `dm NAME [hang|garbage|DEVICE ARGS...]`: 0 or 1 (the error printed). */
int dm_main(int argc, char **argv)
{
	long domid = argc >= 2 ? xl_lookup(argv[1]) : -XEN_EINVAL;
	const char *what = argc >= 3 ? argv[2] : "test";
	enum dm_mode mode = !strcmp(what, "hang")    ? DM_HANG :
			    !strcmp(what, "garbage") ? DM_GARBAGE :
						       DM_NORMAL;
	struct dm_domain *d;
	size_t i = 0;

	while (mode == DM_NORMAL && i < ARRAY_SIZE(dm_devices) &&
	       strcmp(dm_devices[i].name, what))
		i++;
	if (domid < 0 || i == ARRAY_SIZE(dm_devices)) {
		printf("dm: %s\n",
		       domid < 0 ? xl_strerror(domid) : "no such device");
		return 1;
	}
	if (!(d = dm_domain_get((domid_t)domid)))
		return 1;
	d->mode = mode;
	if (mode == DM_NORMAL &&
	    dm_devices[i].attach(d, MAX(argc - 3, 0), argv + MIN(argc, 3)))
		return 1;
	if (mode != DM_NORMAL && dm_testdev_attach(d, 0, NULL))
		return 1;
	printf("dm: serving domain %ld%s\n", domid,
	       mode == DM_HANG	  ? " (hang)" :
	       mode == DM_GARBAGE ? " (garbage)" :
				    "");
	return 0;
}

void dm_forget(domid_t domid)
{
	for (int i = 0; i < DM_DOMAINS; i++) {
		struct dm_domain *d = &dm_domains[i];

		if (!d->used || d->domid != domid)
			continue;
		for (struct dm_dev *dev = d->devs, *next; dev; dev = next) {
			next = dev->next;
			if (dev->ops->release)
				dev->ops->release(dev);
		}
		dom0_unmap(dm_pages[i]);
		d->used = false;
	}
}
