/*
 * inc/public/grant_table.h - __HYPERVISOR_grant_table_op(cmd, ops, count):
 * Xen's grant tables, version 1 (xen/include/public/grant_table.h).  Needs
 * inc/public/xen.h first.
 *
 * A domain shares one of its pages with another by filling an entry of
 * its grant table: which domain may use the page (domid), which frame
 * (frame, a guest-physical frame number for auto-translated guests, as
 * every hvlab guest is), and how (flags).  The entry's index, the grant
 * reference, is the capability the other domain presents to map the page
 * (GNTTABOP_map_grant_ref) or to copy to or from it (GNTTABOP_copy).
 *
 * The table lives in frames of the granter's own RAM, placed with
 * XENMEM_add_to_physmap(XENMAPSPACE_grant_table, idx, gpfn): frame idx
 * holds refs [idx * 512, idx * 512 + 512).  Filling an entry, as Xen's
 * header prescribes: write domid and frame, then a write barrier, then
 * flags with GTF_permit_access; the hypervisor never acts on an entry
 * whose flags it has not seen valid.  While another domain maps the page,
 * the hypervisor keeps GTF_reading (and GTF_writing for a writable map)
 * set in flags; ending access is a compare-and-swap of flags to 0 that
 * fails while either is set.
 *
 *	ent->domid = backend; ent->frame = gfn;
 *	__atomic_thread_fence(__ATOMIC_RELEASE);
 *	ent->flags = GTF_permit_access | GTF_readonly;
 *	... the peer maps ref, uses the page, unmaps it ...
 *	flags = ent->flags;		(must show neither GTF_reading nor
 *	cmpxchg(&ent->flags, flags, 0)	 GTF_writing, then swap to 0)
 *
 * Each op takes an array of count structs and reports per struct in its
 * status field (GNTST_*); the hypercall itself returns 0 or -XEN_E* for
 * an unknown op or unreadable array.
 */
#ifndef INC_PUBLIC_GRANT_TABLE_H
#define INC_PUBLIC_GRANT_TABLE_H

typedef uint32_t grant_ref_t;
typedef uint32_t grant_handle_t;

/* One v1 entry: 8 bytes, 512 to a 4 KiB frame. */
struct grant_entry_v1 {
	uint16_t flags; /* GTF_*: the guest's type and rights, Xen's status */
	domid_t domid;	/* the domain granted access */
	uint32_t frame; /* the granted guest frame */
};

/* Refs below 8 are for the toolstack; ref 1 names the xenstore page. */
#define GNTTAB_NR_RESERVED_ENTRIES 8
#define GNTTAB_RESERVED_XENSTORE   1

/* flags: the entry's type (bits 1:0; hvlab offers no other type). */
#define GTF_permit_access (1U << 0)
#define GTF_type_mask	  (3U << 0)

/* flags of a GTF_permit_access entry: readonly is the guest's, reading
 * and writing the hypervisor's (set while mapped that way). */
#define GTF_readonly (1U << 2)
#define GTF_reading  (1U << 3)
#define GTF_writing  (1U << 4)
#define GTF_sub_page (1U << 8) /* not offered by hvlab */

/* Ops (cmd). */
#define GNTTABOP_map_grant_ref	 0
#define GNTTABOP_unmap_grant_ref 1
#define GNTTABOP_setup_table	 2
#define GNTTABOP_copy		 5
#define GNTTABOP_query_size	 6
#define GNTTABOP_set_version	 8
#define GNTTABOP_get_version	 10

/*
 * Maps (dom, ref) at host_addr, with GNTMAP_host_map: for an
 * auto-translated caller, the guest-physical address of one of its own
 * frames that is absent (given back with decrease_reservation), page
 * aligned.  The frame then shows the granted page, read-only with
 * GNTMAP_readonly, until the unmap with the handle returned.
 */
struct gnttab_map_grant_ref {
	uint64_aligned_t host_addr; /* IN */
	uint32_t flags;		    /* IN: GNTMAP_* */
	grant_ref_t ref;	    /* IN */
	domid_t dom;		    /* IN: the granter */
	int16_t status;		    /* OUT: GNTST_* */
	grant_handle_t handle;	    /* OUT */
	uint64_t dev_bus_addr;	    /* OUT: 0 (no device mappings) */
};

/* Ends the mapping of handle; host_addr, when not 0, must be its. */
struct gnttab_unmap_grant_ref {
	uint64_aligned_t host_addr; /* IN */
	uint64_t dev_bus_addr;	    /* IN: ignored */
	grant_handle_t handle;	    /* IN */
	int16_t status;		    /* OUT */
};

/* The table's frames: nr_frames gfns to frame_list (0 for a frame not
 * placed yet); asking for more than the maximum is GNTST_general_error. */
struct gnttab_setup_table {
	domid_t dom;		     /* IN: DOMID_SELF */
	uint32_t nr_frames;	     /* IN */
	int16_t status;		     /* OUT */
	uint64_aligned_t frame_list; /* IN: guest address of uint64_t[] */
};

/* Frames placed so far, and the most a table may have. */
struct gnttab_query_size {
	domid_t dom;		/* IN */
	uint32_t nr_frames;	/* OUT */
	uint32_t max_nr_frames; /* OUT */
	int16_t status;		/* OUT */
};

/* One side of a copy: a grant of domid (GNTCOPY_*_gref), or a frame of
 * the caller's own (domid DOMID_SELF). */
struct gnttab_copy_ptr {
	union {
		grant_ref_t ref;
		uint64_aligned_t gmfn;
	} u;
	domid_t domid;
	uint16_t offset;
};

/* Copies len bytes; neither side may cross its page's end. */
struct gnttab_copy {
	struct gnttab_copy_ptr source, dest;
	uint16_t len;
	uint16_t flags; /* GNTCOPY_* */
	int16_t status; /* OUT */
};

#define GNTCOPY_source_gref (1U << 0)
#define GNTCOPY_dest_gref   (1U << 1)

/* version: 1 (hvlab has no version 2; asking for it fails). */
struct gnttab_set_version {
	uint32_t version; /* IN, OUT: the version in force */
};

struct gnttab_get_version {
	domid_t dom; /* IN */
	uint16_t pad;
	uint32_t version; /* OUT */
};

/* gnttab_map_grant_ref.flags */
#define GNTMAP_device_map      (1U << 0) /* refused */
#define GNTMAP_host_map	       (1U << 1)
#define GNTMAP_readonly	       (1U << 2)
#define GNTMAP_application_map (1U << 3)
#define GNTMAP_contains_pte    (1U << 4) /* refused */

/* status values: 0 or negative. */
#define GNTST_okay		0
#define GNTST_general_error	(-1)  /* anything else */
#define GNTST_bad_domain	(-2)  /* no such domain */
#define GNTST_bad_gntref	(-3)  /* ref out of range, or not granted */
#define GNTST_bad_handle	(-4)  /* no such mapping */
#define GNTST_bad_virt_addr	(-5)  /* host_addr unusable */
#define GNTST_no_device_space	(-7)  /* no free handle */
#define GNTST_permission_denied (-8)  /* e.g. write to a read-only grant */
#define GNTST_bad_page		(-9)  /* the granted frame is not RAM */
#define GNTST_bad_copy_arg	(-10) /* a copy crosses a page end */
#define GNTST_eagain		(-12)

_Static_assert(sizeof(struct grant_entry_v1) == 8, "grant_entry_v1");
_Static_assert(sizeof(struct gnttab_map_grant_ref) == 32, "map_grant_ref");
_Static_assert(__builtin_offsetof(struct gnttab_map_grant_ref, handle) == 20,
	       "map_grant_ref.handle");
_Static_assert(sizeof(struct gnttab_unmap_grant_ref) == 24, "unmap_grant_ref");
_Static_assert(sizeof(struct gnttab_setup_table) == 24, "setup_table");
_Static_assert(sizeof(struct gnttab_query_size) == 16, "query_size");
_Static_assert(sizeof(struct gnttab_copy) == 40, "gnttab_copy");
_Static_assert(__builtin_offsetof(struct gnttab_copy, len) == 32,
	       "gnttab_copy.len");
_Static_assert(sizeof(struct gnttab_get_version) == 8, "get_version");

#endif
