/*
 * dm.c - dom0's test device model (issue 16): `dm NAME [hang|garbage]`
 * serves an hvm domain's test device (guests/lib/testdm.h) through the
 * hypervisor's ioreq forwarding (inc/public/hvm/dm_op.h, ioreq.h;
 * pv/ioreq.c); REP strings of its FIFO come as one request of count
 * elements, interrupts go out with set_isa_irq_level.  "hang" takes every
 * request and never answers; "garbage" answers with another size.  The
 * hypervisor must crash the guest in both cases, and only it.
 * `dm NAME nic [MAC]` adds an RTL8139 card on xenbr0 (dm_nic.c).
 *
 * The shared page of ioreq_t is mapped with XENMEM_acquire_resource at a
 * frame dom0 gave back; a string's elements are in the guest's RAM, one
 * page that dom0 maps for the copy (XENMAPSPACE_gmfn_foreign).
 */
#include "dom0.h"
#include "dm_nic.h"
#include <guests/lib/pv.h>
#include <inc/public/memory.h>
#include <inc/public/hvm/dm_op.h>
#include <inc/public/hvm/ioreq.h>
#include <guests/lib/testdm.h>
#include <guests/lib/net.h>
#include <guests/lib/rtl8139.h>

#define DM_DOMAINS 4
#define DM_VCPUS   8 /* slots looked at per domain */

enum dm_mode {
	DM_NORMAL,
	DM_HANG,
	DM_GARBAGE
};

struct dm_domain {
	bool used;
	domid_t domid;
	enum dm_mode mode;
	struct dm_nic *nic;	      /* NULL: none */
	volatile struct ioreq *slots; /* the shared page */
	uint8_t regs[16];
	uint8_t mmio[TESTDM_MMIO_SIZE];
	uint8_t fifo[4096];
	unsigned fifo_len;
	unsigned irqs;
};

static struct dm_domain dm_domains[DM_DOMAINS];
/* Frames given back at the first `dm`: the shared pages, then the one a
 * string's guest page shows at. */
static uint8_t dm_pages[DM_DOMAINS + 1][4096] __attribute__((aligned(4096)));
static bool dm_pages_absent;

static long dm_op(domid_t domid, struct xen_dm_op *op)
{
	struct xen_dm_op_buf buf = { (uintptr_t)op, sizeof(*op) };

	return _hypercall3(__HYPERVISOR_dm_op, domid, 1, &buf);
}

long dm_irq(domid_t domid, unsigned irq, bool level)
{
	struct xen_dm_op op = { .op = XEN_DMOP_set_isa_irq_level };

	op.u.set_isa_irq_level.isa_irq = (uint8_t)irq;
	op.u.set_isa_irq_level.level = level;
	return dm_op(domid, &op);
}

static long dm_range(domid_t domid, uint32_t type, uint64_t start, uint64_t end)
{
	struct xen_dm_op op = { .op = XEN_DMOP_map_io_range_to_ioreq_server };

	op.u.map_io_range_to_ioreq_server.type = type;
	op.u.map_io_range_to_ioreq_server.start = start;
	op.u.map_io_range_to_ioreq_server.end = end;
	return dm_op(domid, &op);
}

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

/* Creates, maps and enables d's server with the test device's ranges. */
static long dm_setup(struct dm_domain *d)
{
	struct xen_dm_op op = { .op = XEN_DMOP_create_ioreq_server };
	long r;

	if ((r = dm_op(d->domid, &op)) < 0 || (r = dm_map_page(d)) < 0 ||
	    (r = dm_range(d->domid, XEN_DMOP_IO_RANGE_PORT, TESTDM_PORT,
			  TESTDM_PORT_END)) < 0 ||
	    (r = dm_range(d->domid, XEN_DMOP_IO_RANGE_MEMORY, TESTDM_MMIO,
			  TESTDM_MMIO + TESTDM_MMIO_SIZE - 1)) < 0 ||
	    (d->nic &&
	     (r = dm_range(d->domid, XEN_DMOP_IO_RANGE_PORT, DM_NIC_PORT,
			   DM_NIC_PORT + RTL_IO_SIZE - 1)) < 0))
		return r;
	for (int i = 0; i < DM_VCPUS; i++)
		if (d->slots[i].vp_eport)
			evtchn_bind(d->slots[i].vp_eport, dom0_kick, NULL);
	op = (struct xen_dm_op){ .op = XEN_DMOP_set_ioreq_server_state };
	op.u.set_ioreq_server_state.enabled = 1;
	return dm_op(d->domid, &op);
}

/* The card of `dm NAME nic [MAC]` for d, 00:16:3e:00:80:ID by default;
 * 0 or -XEN_E*. */
static long dm_nic_plug(struct dm_domain *d, const char *mac_arg)
{
	uint8_t mac[6] = { 0x00, 0x16, 0x3e, 0x00, 0x80, (uint8_t)d->domid };

	if (mac_arg && !net_parse_mac(mac_arg, mac))
		return -XEN_EINVAL;
	d->nic = dm_nic_attach(d->domid, mac);
	return d->nic ? 0 : -XEN_ENOSPC;
}

/* `dm NAME [hang|garbage|nic [MAC]]`: 0 or 1 (the error printed). */
int dm_main(int argc, char **argv)
{
	struct dm_domain *d = NULL;
	long domid = argc >= 2 ? xl_lookup(argv[1]) : -XEN_EINVAL, r;
	enum dm_mode mode = DM_NORMAL;
	bool nic = argc >= 3 && strcmp(argv[2], "nic") == 0;

	if (argc == 3 && strcmp(argv[2], "hang") == 0)
		mode = DM_HANG;
	else if (argc == 3 && strcmp(argv[2], "garbage") == 0)
		mode = DM_GARBAGE;
	else if (argc != 2 && !(nic && argc <= 4))
		domid = -XEN_EINVAL;
	for (int i = 0; i < DM_DOMAINS && !d; i++)
		if (!dm_domains[i].used)
			d = &dm_domains[i];
	if (domid < 0 || !d) {
		printf("dm: %s\n", domid < 0 ? xl_strerror(domid) : "ENOSPC");
		return 1;
	}
	if (!dm_pages_absent &&
	    (r = dom0_frames_release(dm_pages, DM_DOMAINS + 1)) < 0) {
		printf("dm: %s\n", xl_strerror(r));
		return 1;
	}
	dm_pages_absent = true;
	*d = (struct dm_domain){ .used = true,
				 .domid = (domid_t)domid,
				 .mode = mode };
	for (unsigned i = 0; i < sizeof(d->regs); i++)
		d->regs[i] = TESTDM_PATTERN(i);
	for (unsigned i = 0; i < sizeof(d->mmio); i++)
		d->mmio[i] = TESTDM_PATTERN(i);
	if ((nic && (r = dm_nic_plug(d, argc == 4 ? argv[3] : NULL)) < 0) ||
	    (r = dm_setup(d)) < 0) {
		printf("dm: domain %ld: %s\n", domid, xl_strerror(r));
		dom0_unmap(dm_pages[d - dm_domains]);
		dm_nic_detach(d->nic);
		d->used = false;
		return 1;
	}
	printf("dm: serving domain %ld%s\n", domid,
	       mode == DM_HANG	  ? " (hang)" :
	       mode == DM_GARBAGE ? " (garbage)" :
	       nic		  ? " (rtl8139 on xenbr0)" :
				    "");
	return 0;
}

/* Moves n bytes between the FIFO and buf: push (write) or pop. */
static void dm_fifo(struct dm_domain *d, uint8_t *buf, unsigned n, bool write)
{
	if (write) {
		n = MIN(n, sizeof(d->fifo) - d->fifo_len);
		memcpy(d->fifo + d->fifo_len, buf, n);
		d->fifo_len += n;
		return;
	}
	memset(buf, 0, n);
	n = MIN(n, d->fifo_len);
	memcpy(buf, d->fifo, n);
	memmove(d->fifo, d->fifo + n, d->fifo_len - n);
	d->fifo_len -= n;
}

/* One port access of size bytes; *data in and out. */
static void dm_port(struct dm_domain *d, uint64_t port, unsigned size,
		    bool write, uint64_t *data)
{
	uint64_t off = port - TESTDM_PORT;

	if (dm_nic_port(d->nic, port, size, write, data))
		return;
	if (port == TESTDM_FIFO) {
		dm_fifo(d, (uint8_t *)data, size, write);
	} else if (port == TESTDM_IRQ && write) {
		dm_irq(d->domid, *data & 0xf, true);
		dm_irq(d->domid, *data & 0xf, false);
		d->irqs++;
	} else if (port == TESTDM_IRQ) {
		*data = d->irqs;
	} else if (off < sizeof(d->regs) && off + size <= sizeof(d->regs)) {
		if (write)
			memcpy(d->regs + off, data, size);
		else
			memcpy(data, d->regs + off, size);
	}
}

/* A REP string of the FIFO: its elements in one page of the guest. */
static void dm_string(struct dm_domain *d, volatile struct ioreq *q)
{
	uint8_t *page = dm_pages[DM_DOMAINS];
	uint64_t bytes = (uint64_t)q->count * q->size, at = q->data % 4096;
	bool write = q->dir == IOREQ_WRITE;
	uint64_t first = q->df ? at + q->size - bytes : at;

	if (q->addr != TESTDM_FIFO || bytes > 4096 || q->df ||
	    first + bytes > 4096 || first > at)
		return; /* the test device strings forward only */
	if (dom0_map_foreign(d->domid, q->data >> 12, page) < 0)
		return;
	dm_fifo(d, page + first, (unsigned)bytes, write);
	dom0_unmap(page);
}

/* Serves request q: data for a read, the device's state for a write. */
static void dm_serve(struct dm_domain *d, volatile struct ioreq *q)
{
	uint64_t data = q->data, off = q->addr - TESTDM_MMIO;
	unsigned size = q->size;

	if (size != 1 && size != 2 && size != 4 && size != 8)
		return;
	if (q->type == IOREQ_TYPE_PIO && q->data_is_ptr)
		dm_string(d, q);
	else if (q->type == IOREQ_TYPE_PIO)
		dm_port(d, q->addr, size, q->dir == IOREQ_WRITE, &data);
	else if (off < sizeof(d->mmio) && off + size <= sizeof(d->mmio) &&
		 q->dir == IOREQ_WRITE)
		memcpy(d->mmio + off, &data, size);
	else if (off < sizeof(d->mmio) && off + size <= sizeof(d->mmio))
		memcpy(&data, d->mmio + off, size);
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

void dm_forget(domid_t domid)
{
	for (int i = 0; i < DM_DOMAINS; i++)
		if (dm_domains[i].used && dm_domains[i].domid == domid) {
			dom0_unmap(dm_pages[i]);
			dm_nic_detach(dm_domains[i].nic);
			dm_domains[i].used = false;
		}
}
