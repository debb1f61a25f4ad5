/*
 * hvm_op.c - __HYPERVISOR_hvm_op (lab 5): a guest types its own memory,
 * Xen's HVMOP_set_mem_type and HVMOP_get_mem_type (inc/public/hvm/
 * hvm_op.h) over the typed p2m (kernel/mm/p2m.h); after a change the
 * frames' nested or shadow mappings are dropped, so a write to a frame
 * made HVMMEM_ram_ro faults and is discarded.  Lab 6 adds HVMOP_set_param
 * and HVMOP_get_param (inc/public/hvm/params.h) for domains with Xen's
 * ABI, and the unplug ports of a xen_platform hvm domain.
 */
#include <inc/types.h>
#include <inc/memlayout.h>
#include <inc/public/xen.h>
#include <inc/public/hvm/hvm_op.h>
#include <kernel/kernel.h>
#include <kernel/domain.h>
#include <kernel/mm/gmem.h>
#include <kernel/dev/io.h>
#include <kernel/dev/platform.h>
#include <pv/hypercall.h>
#include <pv/pv.h>

void hvm_unmap(struct domain *d, uint64_t gfn, uint64_t n)
{
	if (d->shadow.on)
		shadow_flush(d);
	else
		/* -E_NO_MEM left no mapping at all: as good. */
		nested_invalidate(d, gfn, n);
}

static long hvm_set_mem_type(struct vcpu *v, void *arg, uint64_t op)
{
	struct xen_hvm_set_mem_type *a = arg;
	struct domain *d = v->domain;
	enum p2m_type t;

	if (!pv_self(v, a->domid))
		return -XEN_ESRCH;
	if (a->hvmmem_type == HVMMEM_ram_rw)
		t = P2M_RAM;
	else if (a->hvmmem_type == HVMMEM_ram_ro)
		t = P2M_ROM;
	else
		return -XEN_EINVAL;
	if (p2m_set_type(&d->p2m, a->first_pfn, a->nr, t) < 0)
		return -XEN_EINVAL;
	hvm_unmap(d, a->first_pfn, a->nr);
	return 0;
}

static long hvm_get_mem_type(struct vcpu *v, void *arg, uint64_t op)
{
	struct xen_hvm_get_mem_type *a = arg;

	if (!pv_self(v, a->domid))
		return -XEN_ESRCH;
	switch (p2m_type_of(&v->domain->p2m, a->pfn)) {
	case P2M_RAM: a->mem_type = HVMMEM_ram_rw; break;
	case P2M_ROM: a->mem_type = HVMMEM_ram_ro; break;
	default: a->mem_type = HVMMEM_mmio_dm; break;
	}
	return 0;
}

/*
 * CALLBACK_IRQ: type 2 with a vector of 0x10 or above, or 0 for none;
 * Xen's other delivery types (GSI, PCI INTx) are not offered.
 */
static long hvm_set_callback(struct domain *d, uint64_t value)
{
	uint64_t type = value >> 56, vector = value & ((1ULL << 56) - 1);

	if (value != 0 && (type != HVM_PARAM_CALLBACK_TYPE_VECTOR ||
			   vector < 0x10 || vector > 0xff))
		return -XEN_EINVAL;
	d->pv.callback_vector = (uint8_t)vector;
	d->pv.params[HVM_PARAM_CALLBACK_IRQ] = value;
	return 0;
}

/* Parameters a guest may read: the ones the toolstack sets, and its own. */
static bool hvm_param_known(uint32_t index)
{
	return index == HVM_PARAM_CALLBACK_IRQ ||
	       index == HVM_PARAM_STORE_PFN ||
	       index == HVM_PARAM_STORE_EVTCHN ||
	       index == HVM_PARAM_CONSOLE_PFN ||
	       index == HVM_PARAM_CONSOLE_EVTCHN;
}

/*
 * set_param or get_param for the caller's own domain; the privileged
 * domain's toolstack reads other domains' too (their xenstore ring).
 */
static long hvm_param(struct vcpu *v, void *arg, uint64_t op)
{
	struct xen_hvm_param *a = arg;
	struct domain *d = v->domain;
	bool set = op == HVMOP_set_param;

	if (!pv_self(v, a->domid) && (set || !d->pv.privileged))
		return -XEN_EPERM;
	if (!pv_self(v, a->domid) &&
	    (a->domid >= DOMAIN_MAX || !(d = &domains[a->domid])->pv.on))
		return -XEN_ESRCH;
	if (a->index >= HVM_NR_PARAMS || !hvm_param_known(a->index))
		return -XEN_EINVAL;
	if (set && a->index != HVM_PARAM_CALLBACK_IRQ)
		return -XEN_EPERM; /* the toolstack's, not the guest's */
	if (set)
		return hvm_set_callback(d, a->value);
	a->value = d->pv.params[a->index];
	return 0;
}

/*
 * Xen's unplug ports (xen:docs/misc/hvm-emulated-unplug.pandoc): 0x10
 * reads the magic 0x49d2 and 0x12 protocol 1, whatever was written (the
 * driver's name, the emulated devices it unplugs: a device model in dom0
 * serves those, not this port).
 */
static int hvm_unplug_io(struct domain *d, void *opaque, uint64_t port,
			 unsigned size, bool write, uint64_t *val)
{
	if (!write)
		*val = (0x000149d2ULL >> 8 * (port - PLATFORM_XEN_UNPLUG)) &
		       (~0ULL >> (64 - 8 * size));
	return 0;
}

int hvm_platform_init(struct domain *d)
{
	return io_register_port(d, PLATFORM_XEN_UNPLUG, 4, hvm_unplug_io, NULL,
				"xen-unplug");
}

long pv_store_init(struct domain *d, gpa_t gpa)
{
	long port = evtchn_new_unbound(d, 0);

	if (port < 0)
		return port;
	d->pv.params[HVM_PARAM_STORE_PFN] = gpa >> PAGE_SHIFT;
	d->pv.params[HVM_PARAM_STORE_EVTCHN] = (uint64_t)port;
	return port;
}

static const struct pv_subop hvm_ops[] = {
	SUBOP(HVMOP_set_mem_type, hvm_set_mem_type, struct xen_hvm_set_mem_type,
	      false),
	SUBOP(HVMOP_get_mem_type, hvm_get_mem_type, struct xen_hvm_get_mem_type,
	      true),
	SUBOP(HVMOP_set_param, hvm_param, struct xen_hvm_param, false),
	SUBOP(HVMOP_get_param, hvm_param, struct xen_hvm_param, true),
};

/* Parameters are for domains with Xen's ABI only. */
long hvm_op(struct vcpu *v, const uint64_t *args)
{
	if (!v->domain->pv.on &&
	    (args[0] == HVMOP_set_param || args[0] == HVMOP_get_param))
		return -XEN_ENOSYS;
	return pv_subop_call(v, args, hvm_ops, ARRAY_SIZE(hvm_ops));
}
