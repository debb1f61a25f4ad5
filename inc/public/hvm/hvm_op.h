/*
 * inc/public/hvm/hvm_op.h - __HYPERVISOR_hvm_op, Xen's operations on an
 * HVM domain (xen/include/public/hvm/hvm_op.h): hvlab has the two that
 * type guest memory (lab 5).
 *
 * Needs uint16_t, uint32_t, uint64_t and inc/public/xen.h included first.
 * The second argument is the guest-linear address of the operation's
 * struct, read and written through the caller's own paging.
 *
 * HVMOP_set_mem_type makes frames [first_pfn, first_pfn + nr) of guest RAM
 * read-only (HVMMEM_ram_ro: reads and fetches work, writes are discarded)
 * or writable again (HVMMEM_ram_rw); -XEN_EINVAL for another type or a
 * frame that is not RAM.  HVMOP_get_mem_type gives one frame's type;
 * anything that is not RAM reads as HVMMEM_mmio_dm.  domid is DOMID_SELF
 * (-XEN_ESRCH otherwise).
 *
 *	struct xen_hvm_set_mem_type a = { DOMID_SELF, HVMMEM_ram_ro, 1, pfn };
 *	long r = hypercall(__HYPERVISOR_hvm_op, HVMOP_set_mem_type, &a);
 */
#ifndef INC_PUBLIC_HVM_HVM_OP_H
#define INC_PUBLIC_HVM_HVM_OP_H

#define HVMOP_set_mem_type 8
#define HVMOP_get_mem_type 15

typedef enum {
	HVMMEM_ram_rw,	/* ordinary RAM */
	HVMMEM_ram_ro,	/* read-only: writes are discarded */
	HVMMEM_mmio_dm, /* an emulated device's, or nothing */
} hvmmem_type_t;

struct xen_hvm_set_mem_type {
	domid_t domid;
	uint16_t hvmmem_type; /* hvmmem_type_t */
	uint32_t nr;	      /* frames */
	uint64_t first_pfn;
};

struct xen_hvm_get_mem_type {
	domid_t domid;
	uint16_t mem_type; /* OUT: hvmmem_type_t */
	uint16_t pad[2];
	uint64_t pfn;
};

/* The same layout for 32- and 64-bit callers, as in Xen. */
_Static_assert(sizeof(struct xen_hvm_set_mem_type) == 16, "set_mem_type");
_Static_assert(__builtin_offsetof(struct xen_hvm_set_mem_type, nr) == 4,
	       "set_mem_type.nr");
_Static_assert(__builtin_offsetof(struct xen_hvm_set_mem_type, first_pfn) == 8,
	       "set_mem_type.first_pfn");
_Static_assert(sizeof(struct xen_hvm_get_mem_type) == 16, "get_mem_type");
_Static_assert(__builtin_offsetof(struct xen_hvm_get_mem_type, mem_type) == 2,
	       "get_mem_type.mem_type");
_Static_assert(__builtin_offsetof(struct xen_hvm_get_mem_type, pfn) == 8,
	       "get_mem_type.pfn");

#endif
