/*
 * ioreq.c - I/O request forwarding (lab 7; Xen's ioreq model,
 * inc/public/hvm/ioreq.h and dm_op.h): a device model in the privileged
 * domain claims ports, MMIO ranges and PCI functions of an hvm domain and
 * answers the accesses its guest makes there.
 *
 * A claimed range is an entry of the domain's io tables whose handler
 * forwards the access (ioreq_forward); once answered, the vcpu runs the
 * instruction again, which takes the answers kept so far in order, as
 * Xen's MMIO cache does.  REP INS/OUTS go as one request of count
 * elements in guest RAM (data_is_ptr, kernel/dev/mmio.c's io_rep).
 *
 * The shared page is a hypervisor page, never in the guest's p2m (the
 * guest cannot forge answers); the device model maps it with
 * XENMEM_acquire_resource, a mapping revoked when the guest goes.
 * Everything read from it is checked: a device model that answers
 * garbage, does not answer within IOREQ_TIMEOUT_S, or whose domain ended,
 * crashes only the domain it serves.
 */
#include <inc/types.h>
#include <inc/x86.h>
#include <inc/public/xen.h>
#include <inc/public/hvm/dm_op.h>
#include <inc/public/hvm/ioreq.h>
#include <inc/public/memory.h>
#include <kernel/kernel.h>
#include <kernel/clock.h>
#include <kernel/domain.h>
#include <kernel/sched.h>
#include <kernel/mm/page.h>
#include <pv/hypercall.h>
#include <pv/pv.h>

#define IOREQ_TIMEOUT_S	 4ULL
#define IOREQ_MMIO_PAGES 4096 /* the largest MMIO range a server claims */
#define IOREQ_NO_DOMAIN	 DOMID_FIRST_RESERVED /* a port nobody binds */

static struct ioreq *ioreq_slot(struct vcpu *v)
{
	return (struct ioreq *)kva(v->domain->pv.ioreq.page) + v->id;
}

/* d's device model's domain, or NULL once it ended. */
static struct domain *ioreq_owner(struct domain *d)
{
	struct domain *o = &domains[d->pv.ioreq.owner % DOMAIN_MAX];

	return o->state == DOMAIN_RUNNING && o->pv.privileged ? o : NULL;
}

/* Crashes v's domain over request q: "port 0x510 (3 x 2-byte read): why"
 * (the reason must fit struct domain's crash_reason). */
static void ioreq_crash(struct vcpu *v, const struct ioreq *q, const char *why)
{
	char count[16] = "";

	if (q->count > 1)
		snprintf(count, sizeof(count), "%u x ", q->count);
	domain_crash(v->domain, v, "%s 0x%llx (%s%u-byte %s): %s",
		     q->type == IOREQ_TYPE_PIO	? "port" :
		     q->type == IOREQ_TYPE_COPY ? "MMIO" :
						  "PCI config",
		     (unsigned long long)q->addr, count, q->size,
		     q->dir == IOREQ_READ ? "read" : "write", why);
}

/* Whether answer a is to request q: nothing but the data may change. */
static bool ioreq_same(const struct ioreq *q, const struct ioreq *a)
{
	return a->addr == q->addr && a->size == q->size &&
	       a->count == q->count && a->dir == q->dir && a->type == q->type &&
	       a->data_is_ptr == q->data_is_ptr && a->df == q->df &&
	       (!q->data_is_ptr || a->data == q->data);
}

int ioreq_forward(struct vcpu *v, uint8_t type, uint64_t addr, unsigned size,
		  uint32_t count, bool write, bool is_ptr, bool df,
		  uint64_t *data)
{
	struct ioreq q = { .addr = addr,
			   .data = *data,
			   .count = count,
			   .size = size,
			   .vp_eport = v->pv.ioreq_port,
			   .data_is_ptr = is_ptr,
			   .dir = write ? IOREQ_WRITE : IOREQ_READ,
			   .df = df,
			   .type = type };
	struct domain *o = ioreq_owner(v->domain);
	struct pv_vcpu *p = &v->pv;
	unsigned i = p->ioreq_next++;
	struct ioreq *slot;

	if (i < p->ioreq_ndone && ioreq_same(&p->ioreq_done[i], &q)) {
		if (!write && !is_ptr)
			*data = p->ioreq_done[i].data &
				(~0ULL >> (64 - 8 * size));
		return 0;
	}
	/* The instruction went another way: later answers are stale. */
	p->ioreq_ndone = (uint8_t)MIN(i, p->ioreq_ndone);
	if (i >= IOREQ_PER_INSN) {
		ioreq_crash(v, &q,
			    "too many device accesses in one "
			    "instruction");
		return -E_IO;
	}
	v->pv.ioreq = q;
	v->pv.ioreq_deadline = rdtsc() + IOREQ_TIMEOUT_S * clock_tsc_hz();
	v->state = VCPU_IOREQ;
	if (!o)
		return -E_AGAIN; /* ioreq_poll crashes the domain */
	v->domain->counts[BENCH_IOREQ]++;
	slot = ioreq_slot(v);
	*slot = q;
	/* The request is whole before the device model may see READY. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	slot->state = STATE_IOREQ_READY;
	evtchn_set_pending(o, v->pv.ioreq_port);
	return -E_AGAIN;
}

void ioreq_poll(struct vcpu *v)
{
	struct ioreq a, *slot = ioreq_slot(v);
	char why[80];

	if (!ioreq_owner(v->domain)) {
		ioreq_crash(v, &v->pv.ioreq,
			    "the device model's domain has ended");
		return;
	}
	/* One copy: the device model may write the page meanwhile. */
	memcpy(&a, (const void *)slot, sizeof(a));
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (a.state == STATE_IOREQ_READY || a.state == STATE_IOREQ_INPROCESS) {
		if (rdtsc() <= v->pv.ioreq_deadline)
			return;
		snprintf(why, sizeof(why),
			 "device model did not answer in %llu s",
			 IOREQ_TIMEOUT_S);
		ioreq_crash(v, &v->pv.ioreq, why);
		return;
	}
	if (a.state != STATE_IORESP_READY || !ioreq_same(&v->pv.ioreq, &a)) {
		snprintf(why, sizeof(why),
			 "device model answered garbage (state %u, size %u)",
			 a.state, a.size);
		ioreq_crash(v, &v->pv.ioreq, why);
		return;
	}
	slot->state = STATE_IOREQ_NONE;
	v->pv.ioreq.data = a.data;
	v->pv.ioreq_done[v->pv.ioreq_ndone++] = v->pv.ioreq;
	v->state = VCPU_RUNNABLE;
}

void ioreq_insn_start(struct vcpu *v)
{
	v->pv.ioreq_next = 0;
}

/* A run that reached no device model (an interrupt handler's, taken
 * before the answered instruction runs again) keeps the answers. */
void ioreq_insn_end(struct vcpu *v)
{
	if (v->state != VCPU_IOREQ && v->pv.ioreq_next)
		v->pv.ioreq_ndone = 0;
}

/* The handlers of claimed ranges: the access of the running vcpu. */
static int ioreq_io(struct domain *d, uint8_t type, uint64_t addr,
		    unsigned size, bool write, uint64_t *val)
{
	struct vcpu *v = sched_current;

	if (!v || v->domain != d)
		return -E_INVAL;
	if (!d->pv.ioreq.enabled) {
		if (!write)
			*val = ~0ULL >> (64 - 8 * size);
		return 0;
	}
	return ioreq_forward(v, type, addr, size, 1, write, false, false, val);
}

static int ioreq_port_io(struct domain *d, void *opaque, uint64_t addr,
			 unsigned size, bool write, uint64_t *val)
{
	return ioreq_io(d, IOREQ_TYPE_PIO, addr, size, write, val);
}

static int ioreq_mmio_io(struct domain *d, void *opaque, uint64_t addr,
			 unsigned size, bool write, uint64_t *val)
{
	return ioreq_io(d, IOREQ_TYPE_COPY, addr, size, write, val);
}

bool ioreq_claims(const struct io_range *r)
{
	return r->fn == ioreq_port_io || r->fn == ioreq_mmio_io;
}

int ioreq_pci(struct domain *d, uint32_t cf8, uint16_t port, unsigned size,
	      bool write, uint64_t *val)
{
	struct ioreq_server *s = &d->pv.ioreq;
	uint16_t bdf = (uint16_t)(cf8 >> 8);
	uint64_t addr = (uint64_t)bdf << 32 | (cf8 & 0xfc) | (port & 3);

	for (unsigned i = 0; i < s->npci; i++)
		if (s->pci_bdf[i] == bdf)
			return ioreq_io(d, IOREQ_TYPE_PCI_CONFIG, addr, size,
					write, val);
	if (!write)
		*val = ~0ULL >> (64 - 8 * size);
	return 0;
}

/* The server: its page, and one port of the device model per vcpu. */
static long dm_create(struct vcpu *v, struct domain *d,
		      struct xen_dm_op_create_ioreq_server *a)
{
	struct ioreq_server *s = &d->pv.ioreq;
	long port;
	int i;

	if (s->created)
		return -XEN_EEXIST;
	if (a->handle_bufioreq)
		return -XEN_EINVAL;
	if (!(s->page = page_alloc()))
		return -XEN_ENOMEM;
	s->created = true;
	s->owner = (domid_t)v->domain->id;
	for (i = 0; i < d->nvcpus; i++) {
		if ((port = evtchn_new_unbound(v->domain, IOREQ_NO_DOMAIN)) < 0)
			return port; /* the ports so far go with d */
		d->vcpus[i].pv.ioreq_port = (uint32_t)port;
		ioreq_slot(&d->vcpus[i])->vp_eport = (uint32_t)port;
	}
	a->id = 0;
	return 0;
}

/* Whether [start, end] of d is free of RAM: MMIO there faults. */
static bool dm_mmio_ok(struct domain *d, uint64_t start, uint64_t end)
{
	uint64_t gfn;

	if (end / PAGE_SIZE - start / PAGE_SIZE >= IOREQ_MMIO_PAGES)
		return false;
	for (gfn = start / PAGE_SIZE; gfn <= end / PAGE_SIZE; gfn++)
		if (p2m_type_of(&d->p2m, gfn) != P2M_ABSENT)
			return false;
	return true;
}

/* Claims function a->start (segment 0) for the server. */
static long dm_map_pci(struct ioreq_server *s,
		       const struct xen_dm_op_ioreq_server_range *a)
{
	if (a->start != a->end || a->start > 0xffff)
		return -XEN_EINVAL;
	for (unsigned i = 0; i < s->npci; i++)
		if (s->pci_bdf[i] == a->start)
			return -XEN_EEXIST;
	if (s->npci == IOREQ_PCI_MAX)
		return -XEN_ENOSPC;
	s->pci_bdf[s->npci++] = (uint16_t)a->start;
	return 0;
}

static long dm_map_range(struct domain *d,
			 const struct xen_dm_op_ioreq_server_range *a)
{
	int r;

	if (a->id != 0 || a->end < a->start)
		return -XEN_EINVAL;
	if (a->type == XEN_DMOP_IO_RANGE_PCI)
		return dm_map_pci(&d->pv.ioreq, a);
	if (a->type == XEN_DMOP_IO_RANGE_PORT && a->end <= 0xffff)
		r = io_register_port(d, (uint16_t)a->start,
				     (uint32_t)(a->end - a->start + 1),
				     ioreq_port_io, NULL, "device model");
	else if (a->type == XEN_DMOP_IO_RANGE_MEMORY &&
		 dm_mmio_ok(d, a->start, a->end))
		r = io_register_mmio(d, a->start, a->end - a->start + 1,
				     ioreq_mmio_io, NULL, "device model");
	else
		return -XEN_EINVAL;
	if (r == -E_EXISTS)
		return -XEN_EEXIST;
	return r == -E_NO_MEM ? -XEN_ENOSPC : r < 0 ? -XEN_EINVAL : 0;
}

/* Gives back a claim: exactly a range or function claimed before. */
static long dm_unmap_range(struct domain *d,
			   const struct xen_dm_op_ioreq_server_range *a)
{
	struct ioreq_server *s = &d->pv.ioreq;
	const struct io_range *r = NULL;

	if (a->id != 0 || a->end < a->start)
		return -XEN_EINVAL;
	for (unsigned i = 0; i < s->npci; i++)
		if (a->type == XEN_DMOP_IO_RANGE_PCI &&
		    s->pci_bdf[i] == a->start && a->end == a->start) {
			s->pci_bdf[i] = s->pci_bdf[--s->npci];
			return 0;
		}
	if (a->type == XEN_DMOP_IO_RANGE_PORT && a->start <= 0xffff)
		r = io_port_find(d, (uint16_t)a->start);
	else if (a->type == XEN_DMOP_IO_RANGE_MEMORY)
		r = io_mmio_find(d, a->start);
	if (!r || !ioreq_claims(r) || r->base != a->start ||
	    r->len != a->end - a->start + 1)
		return -XEN_ENOENT;
	io_unregister(d, r);
	return 0;
}

/* The dm_op at arg on domain domid, which dm_op checked. */
static long dm_op_run(struct vcpu *v, void *arg, uint64_t domid)
{
	struct xen_dm_op *op = arg;
	struct domain *d = &domains[domid];
	struct ioreq_server *s = &d->pv.ioreq;

	if (op->op == XEN_DMOP_create_ioreq_server)
		return dm_create(v, d, &op->u.create_ioreq_server);
	if (!s->created || s->owner != v->domain->id)
		return -XEN_ENOENT;
	switch (op->op) {
	case XEN_DMOP_map_io_range_to_ioreq_server:
		return dm_map_range(d, &op->u.map_io_range_to_ioreq_server);
	case XEN_DMOP_unmap_io_range_from_ioreq_server:
		return dm_unmap_range(d,
				      &op->u.unmap_io_range_from_ioreq_server);
	case XEN_DMOP_set_ioreq_server_state:
		if (op->u.set_ioreq_server_state.id != 0)
			return -XEN_EINVAL;
		s->enabled = op->u.set_ioreq_server_state.enabled != 0;
		return 0;
	case XEN_DMOP_set_isa_irq_level:
		if (op->u.set_isa_irq_level.isa_irq >= 16)
			return -XEN_EINVAL;
		irq_set(d, op->u.set_isa_irq_level.isa_irq,
			op->u.set_isa_irq_level.level != 0);
		return 0;
	}
	return -XEN_ENOSYS;
}

long dm_op(struct vcpu *v, const uint64_t *args)
{
	struct xen_dm_op_buf buf;
	struct domain *d;

	if (!v->domain->pv.privileged)
		return -XEN_EPERM;
	if (args[0] >= DOMAIN_MAX || (d = &domains[args[0]]) == v->domain ||
	    d->state != DOMAIN_RUNNING || d->type != DOMAIN_HVM)
		return -XEN_ESRCH;
	if (args[1] < 1)
		return -XEN_EINVAL;
	if (pv_copy_in(v, &buf, args[2], sizeof(buf)) < 0)
		return -XEN_EFAULT;
	if (buf.size < sizeof(struct xen_dm_op))
		return -XEN_EINVAL;
	return pv_struct_call(v, buf.h, sizeof(struct xen_dm_op), true,
			      dm_op_run, args[0]);
}

long ioreq_acquire(struct vcpu *v, struct domain *d, uint64_t frame,
		   uint64_t host_gfn)
{
	if (!d->pv.ioreq.created || d->pv.ioreq.owner != v->domain->id)
		return -XEN_ENOENT;
	if (frame != XENMEM_resource_ioreq_server_frame_ioreq(0))
		return -XEN_EINVAL;
	return gnttab_map_page(v->domain, d, d->pv.ioreq.page, host_gfn);
}

void ioreq_domain_destroy(struct domain *d)
{
	struct ioreq_server *s = &d->pv.ioreq;
	struct domain *o = &domains[s->owner % DOMAIN_MAX];
	int i;

	if (!s->created)
		return;
	for (i = 0; i < d->nvcpus; i++) {
		struct evtchn *c = &o->pv.evtchn[d->vcpus[i].pv.ioreq_port];

		if (d->vcpus[i].pv.ioreq_port &&
		    c->state == EVTCHNSTAT_unbound &&
		    c->remote_dom == IOREQ_NO_DOMAIN)
			evtchn_close_port(o, d->vcpus[i].pv.ioreq_port);
	}
	if (s->page)
		page_free(s->page);
	memset(s, 0, sizeof(*s));
}
