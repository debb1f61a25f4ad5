/*
 * memory.c - __HYPERVISOR_memory_op (lab 6; xen/include/public/memory.h):
 * the domain's memory map, placing shared_info, and ballooning.  Lab 7
 * adds grant table frames and dom0's foreign mappings (pv/grant.c).
 *
 * Guest frames are named by guest-physical frame number, as for Xen's
 * auto-translated guests.  decrease_reservation gives a RAM frame's host
 * page back: the frame becomes absent in the p2m (an access to it then
 * crashes the domain, as one beyond its RAM does) until
 * increase_reservation makes it RAM again, zeroed and populated at its
 * next touch.  The domain never holds more RAM frames than its config's
 * memory; current_reservation counts the frames it holds.
 */
#include <inc/types.h>
#include <inc/memlayout.h>
#include <inc/public/xen.h>
#include <inc/public/memory.h>
#include <kernel/kernel.h>
#include <kernel/domain.h>
#include <kernel/load/e820.h>
#include <pv/hypercall.h>
#include <pv/pv.h>

#define EXTENT_CHUNK 64 /* frame numbers read per pv_copy_in */

/*
 * An hvm domain's map is the one its firmware reports (kernel/load/e820.c);
 * a pv domain's is RAM, then the domain builder's pages (reserved) when it
 * has some.
 */
static long memory_map(struct vcpu *v, void *arg, uint64_t op)
{
	struct xen_memory_map *m = arg;
	struct domain *d = v->domain;
	uint64_t size = p2m_size(&d->p2m), ram = d->pv.ram_end;
	struct e820_entry map[E820_MAX] = { { 0, ram ? ram : size, E820_RAM },
					    { ram, size - ram,
					      E820_RESERVED } };
	unsigned n = ram ? 2 : 1;

	if (d->type == DOMAIN_HVM)
		n = e820_build(ram ? ram : size, map);
	m->nr_entries = MIN(m->nr_entries, n);
	return pv_copy_out(v, m->buffer, map, m->nr_entries * sizeof(*map));
}

/* XENMAPSPACE_shared_info idx 0 at RAM frame gpfn: zeroed, then the
 * wallclock; XENMAPSPACE_grant_table idx (lab 7, pv/grant.c). */
static long memory_add_to_physmap(struct vcpu *v, void *arg, uint64_t op)
{
	struct xen_add_to_physmap *a = arg;
	struct domain *d = v->domain;
	void *page;

	if (!pv_self(v, a->domid))
		return -XEN_ESRCH;
	if (a->space == XENMAPSPACE_grant_table)
		return gnttab_place(d, a->idx, a->gpfn);
	if (a->space != XENMAPSPACE_shared_info)
		return -XEN_ENOSYS;
	if (a->idx != 0 || a->gpfn >= (1ULL << (64 - PAGE_SHIFT)) ||
	    !(page = pv_map(d, a->gpfn << PAGE_SHIFT, PAGE_SIZE)))
		return -XEN_EINVAL;
	memset(page, 0, PAGE_SIZE);
	d->pv.shared_info = a->gpfn << PAGE_SHIFT;
	pv_wallclock_update(d);
	return 0;
}

/* Gives back (in: takes again) frame gfn; false when it cannot.  Only a
 * frame given back is absent, so a domain never exceeds its memory. */
static bool memory_extent(struct domain *d, uint64_t gfn, bool in)
{
	/* Another domain's mapping holds the host page (lab 7). */
	if (!in && gnttab_frame_mapped(d, gfn))
		return false;
	if (p2m_balloon(&d->p2m, gfn, in) < 0)
		return false;
	if (in)
		d->pv.ballooned--;
	else {
		d->pv.ballooned++;
		hvm_unmap(d, gfn, 1);
	}
	return true;
}

/*
 * increase_reservation (in) or decrease_reservation: the extents' frame
 * numbers are read in chunks; returns how many extents were done, which
 * is fewer than asked at the first frame that cannot be.
 */
static long memory_reservation(struct vcpu *v, void *arg, uint64_t op)
{
	struct xen_memory_reservation *a = arg;
	uint64_t gfns[EXTENT_CHUNK], done = 0;
	bool in = op == XENMEM_increase_reservation;

	if (!pv_self(v, a->domid))
		return -XEN_ESRCH;
	if (a->extent_order != 0)
		return -XEN_EINVAL;
	while (done < a->nr_extents) {
		uint64_t n = MIN(a->nr_extents - done, EXTENT_CHUNK);

		if (pv_copy_in(v, gfns, a->extent_start + done * sizeof(*gfns),
			       n * sizeof(*gfns)) < 0)
			return done ? (long)done : -XEN_EFAULT;
		for (uint64_t i = 0; i < n; i++, done++)
			if (!memory_extent(v->domain, gfns[i], in))
				return (long)done;
	}
	return (long)done;
}

/* One frame of a gmfn_foreign batch: idxs[i] of fd at gpfns[i]; the
 * errno for errs[i], or -XEN_EFAULT to end the call. */
static long memory_batch_one(struct vcpu *v, struct domain *fd,
			     const struct xen_add_to_physmap_batch *a,
			     uint16_t i)
{
	uint64_t idx, gpfn;
	int err;

	if (pv_copy_in(v, &idx, a->idxs + i * 8ULL, 8) < 0 ||
	    pv_copy_in(v, &gpfn, a->gpfns + i * 8ULL, 8) < 0)
		return -XEN_EFAULT;
	err = (int)gnttab_map_foreign(v->domain, fd, idx, gpfn);
	return pv_copy_out(v, a->errs + i * 4ULL, &err, 4);
}

/*
 * XENMAPSPACE_gmfn_foreign for the privileged domain (lab 7): frames of
 * a running domain into the caller's absent frames, as dom0's xenstored
 * maps each store page; an error per frame in errs.
 */
static long memory_add_to_physmap_batch(struct vcpu *v, void *arg, uint64_t op)
{
	struct xen_add_to_physmap_batch *a = arg;
	struct domain *fd = a->foreign_domid < DOMAIN_MAX ?
				    &domains[a->foreign_domid] :
				    NULL;
	long r = 0;

	if (!pv_self(v, a->domid))
		return -XEN_ESRCH;
	if (a->space != XENMAPSPACE_gmfn_foreign)
		return -XEN_EINVAL;
	if (!v->domain->pv.privileged)
		return -XEN_EPERM;
	if (!fd || fd->state != DOMAIN_RUNNING)
		return -XEN_ESRCH;
	for (uint16_t i = 0; i < a->size && r == 0; i++)
		r = memory_batch_one(v, fd, a, i);
	return r;
}

/* XENMEM_acquire_resource: an ioreq server's page for its device model
 * (pv/ioreq.c), one frame at a time. */
static long memory_acquire_resource(struct vcpu *v, void *arg, uint64_t op)
{
	struct xen_mem_acquire_resource *a = arg;
	struct domain *d = a->domid < DOMAIN_MAX ? &domains[a->domid] : NULL;
	uint64_t gfn;

	if (!v->domain->pv.privileged)
		return -XEN_EPERM;
	if (!d || d->state != DOMAIN_RUNNING)
		return -XEN_ESRCH;
	if (a->type != XENMEM_resource_ioreq_server || a->id != 0 ||
	    a->nr_frames != 1 || a->flags)
		return -XEN_EINVAL;
	if (pv_copy_in(v, &gfn, a->frame_list, sizeof(gfn)) < 0)
		return -XEN_EFAULT;
	return ioreq_acquire(v, d, a->frame, gfn);
}

/* Makes a foreign or grant-mapped frame absent again (lab 7). */
static long memory_remove_from_physmap(struct vcpu *v, void *arg, uint64_t op)
{
	struct xen_remove_from_physmap *a = arg;

	if (!pv_self(v, a->domid))
		return -XEN_ESRCH;
	return gnttab_remove(v->domain, a->gpfn);
}

/* current_reservation counts the frames not given back. */
static long memory_frames(struct vcpu *v, void *arg, uint64_t op)
{
	struct domain *d = v->domain;

	if (!pv_self(v, *(domid_t *)arg))
		return -XEN_ESRCH;
	return (long)(d->p2m.nframes -
		      (op == XENMEM_current_reservation ? d->pv.ballooned : 0));
}

static const struct pv_subop memory_ops[] = {
	SUBOP(XENMEM_increase_reservation, memory_reservation,
	      struct xen_memory_reservation, false),
	SUBOP(XENMEM_decrease_reservation, memory_reservation,
	      struct xen_memory_reservation, false),
	SUBOP(XENMEM_current_reservation, memory_frames, domid_t, false),
	SUBOP(XENMEM_maximum_reservation, memory_frames, domid_t, false),
	SUBOP(XENMEM_add_to_physmap, memory_add_to_physmap,
	      struct xen_add_to_physmap, false),
	SUBOP(XENMEM_memory_map, memory_map, struct xen_memory_map, true),
	SUBOP(XENMEM_remove_from_physmap, memory_remove_from_physmap,
	      struct xen_remove_from_physmap, false),
	SUBOP(XENMEM_add_to_physmap_batch, memory_add_to_physmap_batch,
	      struct xen_add_to_physmap_batch, false),
	SUBOP(XENMEM_acquire_resource, memory_acquire_resource,
	      struct xen_mem_acquire_resource, false),
};

long memory_op(struct vcpu *v, const uint64_t *args)
{
	return pv_subop_call(v, args, memory_ops, ARRAY_SIZE(memory_ops));
}
