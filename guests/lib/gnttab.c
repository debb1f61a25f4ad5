/*
 * gnttab.c - grant tables for PV guests (lab 7; guests/lib/gnttab.h):
 * the table in the library's own frames (an hvm guest's: in its platform
 * device's BAR1), refs handed out from a bitmap, and a pool of
 * ballooned-out frames to map other domains' grants into.
 */
#include <guests/lib/gnttab.h>

#define GNTTAB_REFS (GNTTAB_FRAMES * 512)

static struct grant_entry_v1 own_table[GNTTAB_REFS]
	__attribute__((aligned(4096)));
static struct grant_entry_v1 *table = own_table;
static uint8_t slots[GNTTAB_SLOTS][4096] __attribute__((aligned(4096)));
static uint64_t ref_used[GNTTAB_REFS / 64];
static uint64_t slot_used;
static bool ready;

/* Frame i of the table at its own address. */
static long gnttab_place(unsigned i)
{
	struct xen_add_to_physmap a = { .domid = DOMID_SELF,
					.space = XENMAPSPACE_grant_table,
					.idx = i,
					.gpfn = virt_to_gfn(&table[i * 512]) };

	return HYPERVISOR_memory_op(XENMEM_add_to_physmap, &a);
}

void gnttab_frames_at(void *frames)
{
	if (!ready)
		table = frames;
}

long gnttab_init(void)
{
	uint64_t gfns[GNTTAB_SLOTS];
	struct xen_memory_reservation r = { .extent_start = (uintptr_t)gfns,
					    .nr_extents = GNTTAB_SLOTS,
					    .domid = DOMID_SELF };
	long e;

	if (ready)
		return 0;
	for (unsigned i = 0; i < GNTTAB_FRAMES; i++)
		if ((e = gnttab_place(i)) < 0)
			return e;
	for (unsigned i = 0; i < GNTTAB_SLOTS; i++)
		gfns[i] = virt_to_gfn(slots[i]);
	e = HYPERVISOR_memory_op(XENMEM_decrease_reservation, &r);
	if (e != GNTTAB_SLOTS)
		return e < 0 ? e : -XEN_ENOMEM;
	ref_used[0] = (1ULL << GNTTAB_NR_RESERVED_ENTRIES) - 1;
	ready = true;
	return 0;
}

long gnttab_grant(domid_t dom, uint64_t gfn, bool readonly)
{
	for (grant_ref_t ref = 0; ref < GNTTAB_REFS; ref++) {
		if (ref_used[ref / 64] & (1ULL << (ref % 64)))
			continue;
		ref_used[ref / 64] |= 1ULL << (ref % 64);
		table[ref].domid = dom;
		table[ref].frame = (uint32_t)gfn;
		/* Xen's order: domid and frame visible before the flags. */
		__atomic_store_n(&table[ref].flags,
				 GTF_permit_access |
					 (readonly ? GTF_readonly : 0),
				 __ATOMIC_RELEASE);
		return ref;
	}
	return -XEN_ENOSPC;
}

long gnttab_end(grant_ref_t ref)
{
	uint16_t flags;

	if (ref < GNTTAB_NR_RESERVED_ENTRIES || ref >= GNTTAB_REFS ||
	    !(ref_used[ref / 64] & (1ULL << (ref % 64))))
		return -XEN_EINVAL;
	flags = __atomic_load_n(&table[ref].flags, __ATOMIC_ACQUIRE);
	do {
		if (flags & (GTF_reading | GTF_writing))
			return -XEN_EBUSY;
	} while (!__atomic_compare_exchange_n(&table[ref].flags, &flags, 0,
					      false, __ATOMIC_ACQ_REL,
					      __ATOMIC_ACQUIRE));
	ref_used[ref / 64] &= ~(1ULL << (ref % 64));
	return 0;
}

const volatile struct grant_entry_v1 *gnttab_entry(grant_ref_t ref)
{
	return ref < GNTTAB_REFS ? &table[ref] : NULL;
}

void *gnttab_slot_alloc(void)
{
	for (unsigned i = 0; ready && i < GNTTAB_SLOTS; i++)
		if (!(slot_used & (1ULL << i))) {
			slot_used |= 1ULL << i;
			return slots[i];
		}
	return NULL;
}

void gnttab_slot_free(void *slot)
{
	uintptr_t i = ((uintptr_t)slot - (uintptr_t)slots) / 4096;

	if (slot && i < GNTTAB_SLOTS)
		slot_used &= ~(1ULL << i);
}

long gnttab_map(domid_t dom, grant_ref_t ref, void *slot, bool readonly,
		grant_handle_t *handle)
{
	struct gnttab_map_grant_ref op = {
		.host_addr = (uintptr_t)slot,
		.flags = GNTMAP_host_map | (readonly ? GNTMAP_readonly : 0),
		.ref = ref,
		.dom = dom,
	};
	long r = HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, &op, 1);

	if (r < 0)
		return r;
	if (op.status == GNTST_okay)
		*handle = op.handle;
	return op.status;
}

long gnttab_unmap(grant_handle_t handle, void *slot)
{
	struct gnttab_unmap_grant_ref op = { .host_addr = (uintptr_t)slot,
					     .handle = handle };
	long r = HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, &op, 1);

	return r < 0 ? r : op.status;
}

long gnttab_copy(struct gnttab_copy *ops, unsigned n)
{
	return HYPERVISOR_grant_table_op(GNTTABOP_copy, ops, n);
}
