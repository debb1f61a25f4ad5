/*
 * gnttab.h - grant tables for PV guests (guests/lib, lab 7): Xen's v1
 * grant table (inc/public/grant_table.h) from the granting side and the
 * mapping side, as frontends and backends use it.
 *
 * gnttab_init places the table's frames (guest RAM of the library) with
 * XENMEM_add_to_physmap and gives a pool of slots back to the hypervisor
 * (decrease_reservation): a slot is an absent guest frame that a mapped
 * grant fills.  Guest RAM is identity-mapped, so a slot's address is its
 * guest-physical address too.
 *
 *	long ref = gnttab_grant(backend, virt_to_gfn(page), false);
 *	... the backend:
 *	void *slot = gnttab_slot_alloc();
 *	grant_handle_t h;
 *	if (gnttab_map(frontend, ref, slot, false, &h) == GNTST_okay) {
 *		... slot shows the frontend's page ...
 *		gnttab_unmap(h, slot);
 *	}
 *	gnttab_slot_free(slot);
 *	... the frontend, once the backend is done:
 *	gnttab_end(ref);
 */
#ifndef GUESTS_LIB_GNTTAB_H
#define GUESTS_LIB_GNTTAB_H

#include <guests/lib/pv.h>
#include <inc/public/grant_table.h>

#define GNTTAB_FRAMES 4	 /* the table: 2048 refs */
#define GNTTAB_SLOTS  32 /* frames to map grants into */

/* The guest frame of a RAM address (identity-mapped). */
static inline uint64_t virt_to_gfn(const void *p)
{
	return (uintptr_t)p >> 12;
}

/*
 * Before gnttab_init: the table goes to the GNTTAB_FRAMES page-aligned
 * frames at frames instead of the library's own, as Linux's PVHVM start
 * puts it in the Xen platform device's BAR1 (pvhvm.c).  Later: no effect.
 */
void gnttab_frames_at(void *frames);

/* Places the table and balloons the slots out; 0 or -XEN_E*.  Again: 0. */
long gnttab_init(void);

/* Grants dom access to frame gfn (read-only when asked); the ref (from
 * GNTTAB_NR_RESERVED_ENTRIES up), or -XEN_ENOSPC when the table is full. */
long gnttab_grant(domid_t dom, uint64_t gfn, bool readonly);

/* Ends access through ref and frees it: 0, -XEN_EBUSY while mapped (the
 * ref stays granted), -XEN_EINVAL for a ref not granted. */
long gnttab_end(grant_ref_t ref);

/* Entry ref of the table (for checks of GTF_reading/GTF_writing). */
const volatile struct grant_entry_v1 *gnttab_entry(grant_ref_t ref);

/* A free slot's address, or NULL. */
void *gnttab_slot_alloc(void);
void gnttab_slot_free(void *slot);

/* Maps (dom, ref) at slot (GNTMAP_host_map, and GNTMAP_readonly when
 * asked): GNTST_okay with *handle, a GNTST_* error, or -XEN_E* when the
 * call itself failed. */
long gnttab_map(domid_t dom, grant_ref_t ref, void *slot, bool readonly,
		grant_handle_t *handle);

/* Ends mapping handle at slot (may be NULL): GNTST_* or -XEN_E*. */
long gnttab_unmap(grant_handle_t handle, void *slot);

/* GNTTABOP_copy of n ops: 0 with each op's status set, or -XEN_E*. */
long gnttab_copy(struct gnttab_copy *ops, unsigned n);

#endif
