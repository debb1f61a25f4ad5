/*
 * inc/public/memory.h - __HYPERVISOR_memory_op(cmd, arg): the domain's
 * physical memory (xen/include/public/memory.h).  Needs inc/public/xen.h.
 *
 * increase_reservation / decrease_reservation are ballooning: the guest
 * gives frames back to the host, or asks for them again, and the call
 * returns how many extents it handled.
 */
#ifndef INC_PUBLIC_MEMORY_H
#define INC_PUBLIC_MEMORY_H

#define XENMEM_increase_reservation 0
#define XENMEM_decrease_reservation 1
#define XENMEM_current_reservation  3 /* arg: domid_t *; returns pages */
#define XENMEM_maximum_reservation  4
#define XENMEM_add_to_physmap	    7
#define XENMEM_memory_map	    9
#define XENMEM_remove_from_physmap  15 /* lab 7 */
#define XENMEM_add_to_physmap_batch 23 /* lab 7 */
#define XENMEM_acquire_resource	    28

struct xen_memory_reservation {
	uint64_aligned_t
		extent_start; /* guest address of xen_pfn_t[nr_extents] */
	uint64_t nr_extents;
	uint32_t extent_order; /* hvlab: 0 only */
	uint32_t mem_flags;
	domid_t domid; /* DOMID_SELF */
};

#define XENMAPSPACE_shared_info	 0
#define XENMAPSPACE_grant_table	 1 /* lab 7: idx is the table's frame */
#define XENMAPSPACE_gmfn_foreign 4 /* lab 7: batch only, privileged only */

/* Places the hypervisor's page (space, idx) at guest frame gpfn. */
struct xen_add_to_physmap {
	domid_t domid;
	uint16_t size;
	uint32_t space;
	uint64_t idx;
	uint64_t gpfn;
};

/*
 * Maps size frames of foreign_domid (idxs[i], its guest frames) at the
 * caller's absent frames gpfns[i]; errs[i] gets 0 or -XEN_E* for each.
 * Only XENMAPSPACE_gmfn_foreign, only for the privileged domain (dom0's
 * xenstored maps each domain's store page this way).
 */
struct xen_add_to_physmap_batch {
	domid_t domid; /* DOMID_SELF */
	uint16_t space;
	uint16_t size;
	domid_t foreign_domid;
	uint64_aligned_t idxs;	/* guest address of uint64_t[size] */
	uint64_aligned_t gpfns; /* guest address of uint64_t[size] */
	uint64_aligned_t errs;	/* guest address of int[size] */
};

/* Makes gpfn, a frame mapped from another domain, absent again. */
struct xen_remove_from_physmap {
	domid_t domid; /* DOMID_SELF */
	uint64_aligned_t gpfn;
};

/* The domain's memory map: nr_entries e820 entries (20 bytes each:
 * addr, size, type) into buffer; nr_entries IN is room, OUT is used. */
struct xen_memory_map {
	uint32_t nr_entries;
	uint32_t pad;
	uint64_t buffer;
};

/*
 * XENMEM_acquire_resource for the privileged domain: nr_frames frames of
 * domain domid's resource (type, id) from frame on, shown at the
 * caller's absent frames listed at frame_list (guest-linear, 8 bytes
 * each).  hvlab's one resource: an ioreq server's shared page, frame
 * XENMEM_resource_ioreq_server_frame_ioreq(0) (inc/public/hvm/dm_op.h).
 */
struct xen_mem_acquire_resource {
	domid_t domid;
	uint16_t type;
#define XENMEM_resource_ioreq_server		    0
#define XENMEM_resource_ioreq_server_frame_ioreq(n) (1 + (n))
	uint32_t id;
	uint32_t nr_frames;
	uint32_t flags;
	uint64_t frame;
	uint64_t frame_list;
};

_Static_assert(sizeof(struct xen_mem_acquire_resource) == 32, "acquire");
_Static_assert(sizeof(struct xen_memory_reservation) == 32, "reservation");
_Static_assert(__builtin_offsetof(struct xen_memory_reservation, domid) == 24,
	       "reservation.domid");
_Static_assert(sizeof(struct xen_add_to_physmap) == 24, "add_to_physmap");
_Static_assert(sizeof(struct xen_memory_map) == 16, "memory_map");
_Static_assert(sizeof(struct xen_add_to_physmap_batch) == 32, "physmap_batch");
_Static_assert(sizeof(struct xen_remove_from_physmap) == 16,
	       "remove_from_physmap");

#endif
