/*
 * pv-grant - grant tables (lab 7), the same ELF in either container, run
 * as a pair of domains:
 *
 *   role=granter peer=ID end=granter|mapper
 *   role=mapper  peer=ID end=granter|mapper
 *
 * Both first check the table ops within the domain (version, query_size,
 * setup_table, a grant to itself mapped and ended).  The granter then
 * grants domain ID a page read/write (ref 8), one read-only (ref 9) and
 * one to a domain that does not exist (ref 10), and offers it an unbound
 * port; the grants are made before the port, so once the mapper has bound
 * the port, refs 8..10 are there.  The two then take turns, one event
 * each way per step:
 *
 *   1 mapper:  maps 8 RW and 9 RO, reads both, writes through 8 (and
 *              tries through 9), copies from 8 and into 8, and tries
 *              every misuse: refs not granted to it or out of range, a
 *              writable map of 9, bad domains and host addresses, bad
 *              handles, copies of what it was not granted, a copy out of
 *              its page.
 *   2 granter: sees the mapper's bytes, GTF_reading/GTF_writing set,
 *              cannot end 8 nor balloon its page out; writes again.
 *   3 mapper:  sees that write through its mapping; unmaps 9 (twice).
 *   4 granter: 9 is unpinned and ends; 8 stays pinned.
 *   end=granter: the granter exits with 8 mapped; the mapper sees its
 *              mapping revoked (zeros, read-only, until unmapped).
 *   end=mapper: the mapper exits with 8 mapped; the granter sees the pin
 *              released, ends 8 and balloons the page out.
 */
#include <guests/lib/pv.h>
#include <guests/lib/gnttab.h>

#define MS	  1000000ULL
#define WAIT_NS	  (20000 * MS) /* a slow peer under Bochs */
#define NO_DOMAIN 0x7fef       /* below DOMID_FIRST_RESERVED, never a domain */
#define REF_RW	  8
#define REF_RO	  9
#define REF_OTHER 10

static uint8_t page_rw[4096] __attribute__((aligned(4096)));
static uint8_t page_ro[4096] __attribute__((aligned(4096)));
static uint8_t page_own[4096] __attribute__((aligned(4096)));
static uint8_t buf[4096] __attribute__((aligned(4096)));
static volatile int events;
static evtchn_port_t port;

static void on_event(evtchn_port_t p, void *arg)
{
	events++;
}

/* Waits for the peer's n-th event; whether it came. */
static bool wait_step(int n, const char *what)
{
	uint64_t deadline = pv_time_ns() + WAIT_NS;

	while (events < n && pv_time_ns() < deadline)
		pv_block_until(&events, deadline);
	return report(events >= n, "step %d: %s", n, what);
}

static long reservation(unsigned cmd, void *page)
{
	uint64_t gfn = virt_to_gfn(page);
	struct xen_memory_reservation r = { .extent_start = (uintptr_t)&gfn,
					    .nr_extents = 1,
					    .domid = DOMID_SELF };

	return HYPERVISOR_memory_op(cmd, &r);
}

static bool all_bytes(const volatile uint8_t *p, size_t n, uint8_t v)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

static long gnttab_op(unsigned cmd, void *op)
{
	return HYPERVISOR_grant_table_op(cmd, op, 1);
}

/* version, query_size, setup_table. */
static void test_table_ops(void)
{
	struct gnttab_set_version sv = { .version = 1 };
	struct gnttab_get_version gv = { .dom = DOMID_SELF };
	struct gnttab_query_size qs = { .dom = DOMID_SELF };
	uint64_t frames[GNTTAB_FRAMES + 1];
	struct gnttab_setup_table st = { .dom = DOMID_SELF,
					 .nr_frames = GNTTAB_FRAMES,
					 .frame_list = (uintptr_t)frames };
	uint64_t first = virt_to_gfn((const void *)gnttab_entry(0));
	bool same = true;

	report(gnttab_op(GNTTABOP_set_version, &sv) == 0 && sv.version == 1,
	       "set_version(1)");
	sv.version = 2;
	report_eq(gnttab_op(GNTTABOP_set_version, &sv), -XEN_EINVAL,
		  "set_version(2): only version 1");
	report(gnttab_op(GNTTABOP_get_version, &gv) == 0 && gv.version == 1,
	       "get_version: 1");
	report(gnttab_op(GNTTABOP_query_size, &qs) == 0 &&
		       qs.status == GNTST_okay &&
		       qs.nr_frames == GNTTAB_FRAMES &&
		       qs.max_nr_frames == GNTTAB_FRAMES,
	       "query_size: %u of %u frames placed", qs.nr_frames,
	       qs.max_nr_frames);
	report(gnttab_op(GNTTABOP_setup_table, &st) == 0 &&
		       st.status == GNTST_okay,
	       "setup_table: %u frames", st.nr_frames);
	for (unsigned i = 0; i < GNTTAB_FRAMES; i++)
		same &= frames[i] == first + i;
	report(same, "setup_table: the frames placed, from gfn 0x%llx",
	       (unsigned long long)first);
	st.nr_frames = GNTTAB_FRAMES + 1;
	report(gnttab_op(GNTTABOP_setup_table, &st) == 0 &&
		       st.status == GNTST_general_error,
	       "setup_table: more than the maximum");
	qs.dom = NO_DOMAIN;
	gnttab_op(GNTTABOP_query_size, &qs);
	report_eq(qs.status, GNTST_bad_domain, "query_size of no domain");
}

/* A grant to the domain itself, mapped, unmapped and ended. */
static void test_self(void)
{
	domid_t self = (domid_t)pv_domid();
	long ref = gnttab_grant(self, virt_to_gfn(page_own), false);
	uint8_t *slot = gnttab_slot_alloc();
	grant_handle_t h;

	memset(page_own, 0x5a, sizeof(page_own));
	report(ref >= GNTTAB_NR_RESERVED_ENTRIES, "grant to self: ref %ld",
	       ref);
	if (!report(slot != NULL, "a slot"))
		return;
	report_eq(gnttab_map(DOMID_SELF, ref, slot, false, &h), GNTST_okay,
		  "map own grant");
	report(all_bytes(slot, 4096, 0x5a), "own page through the slot");
	slot[1] = 0x77;
	report_eq(page_own[1], 0x77, "a write through the slot");
	report_eq(gnttab_end(ref), -XEN_EBUSY, "end while mapped");
	report_eq(gnttab_unmap(h, slot), GNTST_okay, "unmap own grant");
	report_eq(gnttab_end(ref), 0, "end after unmap");
	report_eq(gnttab_end(ref), -XEN_EINVAL, "end twice");
	gnttab_slot_free(slot);
}

/* --- the granter --- */

static void granter_grant(domid_t peer)
{
	memset(page_rw, 0x47, sizeof(page_rw));
	memset(page_ro, 0x52, sizeof(page_ro));
	memset(page_own, 0x4f, sizeof(page_own));
	report_eq(gnttab_grant(peer, virt_to_gfn(page_rw), false), REF_RW,
		  "grant RW to domain %u", peer);
	report_eq(gnttab_grant(peer, virt_to_gfn(page_ro), true), REF_RO,
		  "grant RO to domain %u", peer);
	report_eq(gnttab_grant(NO_DOMAIN, virt_to_gfn(page_own), false),
		  REF_OTHER, "grant to another domain");
}

static uint16_t flags_of(grant_ref_t ref)
{
	return gnttab_entry(ref)->flags & (GTF_reading | GTF_writing);
}

/* Step 2: the mapper's writes, the pins, what they forbid. */
static void granter_mapped(void)
{
	report_eq(flags_of(REF_RW), GTF_reading | GTF_writing,
		  "ref 8: reading and writing while mapped RW");
	report_eq(flags_of(REF_RO), GTF_reading,
		  "ref 9: reading only while mapped RO");
	report_eq(flags_of(REF_OTHER), 0, "ref 10: never mapped");
	report_eq(((volatile uint8_t *)page_rw)[100], 'M',
		  "the mapper's write through its mapping");
	report(all_bytes(page_rw + 200, 64, 'C'),
	       "the mapper's copy into ref 8");
	report(all_bytes(page_ro, 4096, 0x52),
	       "the read-only page unchanged by the mapper");
	report(all_bytes(page_own, 4096, 0x4f),
	       "the page granted elsewhere unchanged");
	report_eq(gnttab_end(REF_RW), -XEN_EBUSY, "end ref 8 while mapped");
	report_eq(reservation(XENMEM_decrease_reservation, page_rw), 0,
		  "balloon out the mapped page: refused");
	((volatile uint8_t *)page_rw)[300] = 'H';
}

static void granter_end(bool mapper_dies)
{
	uint64_t deadline = pv_time_ns() + WAIT_NS;

	report_eq(flags_of(REF_RO), 0, "ref 9: unpinned after its unmap");
	report_eq(gnttab_end(REF_RO), 0, "end ref 9");
	report_eq(flags_of(REF_RW), GTF_reading | GTF_writing,
		  "ref 8 still pinned");
	if (!mapper_dies)
		return;
	evtchn_send(port);
	while (flags_of(REF_RW) && pv_time_ns() < deadline)
		HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
	report_eq(flags_of(REF_RW), 0, "ref 8 unpinned by the mapper's death");
	report_eq(gnttab_end(REF_RW), 0, "end ref 8");
	report_eq(reservation(XENMEM_decrease_reservation, page_rw), 1,
		  "balloon out the page once unmapped");
}

static void granter(domid_t peer, bool mapper_dies)
{
	long p;

	granter_grant(peer);
	p = evtchn_alloc_unbound(peer);
	if (!report(p > 0, "port %ld offered to domain %u", p, peer))
		return;
	port = (evtchn_port_t)p;
	evtchn_bind(port, on_event, NULL);
	if (!wait_step(1, "the mapper mapped"))
		return;
	granter_mapped();
	evtchn_send(port);
	if (!wait_step(2, "the mapper unmapped ref 9"))
		return;
	granter_end(mapper_dies);
}

/* --- the mapper --- */

/* Binds to the granter's port (retrying while it has not offered it). */
static bool mapper_bind(domid_t peer)
{
	uint64_t deadline = pv_time_ns() + WAIT_NS;

	while (pv_time_ns() < deadline) {
		for (evtchn_port_t p = 1; p < 8; p++) {
			long r = evtchn_bind_interdomain(peer, p, on_event,
							 NULL);

			if (r > 0) {
				port = (evtchn_port_t)r;
				/* Binding marks the new port pending: let that
				 * event come, then count only the peer's. */
				pv_block_until(&events, pv_time_ns() + 10 * MS);
				events = 0;
				return report(true, "bound to domain %u", peer);
			}
		}
		HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
	}
	return report(false, "bound to domain %u", peer);
}

static void misuse_map(domid_t peer, uint8_t *slot)
{
	struct gnttab_map_grant_ref op = { .host_addr = (uintptr_t)slot,
					   .flags = GNTMAP_readonly,
					   .ref = REF_RW,
					   .dom = peer };
	grant_handle_t h;

	report_eq(gnttab_map(peer, REF_RO, slot, false, &h),
		  GNTST_permission_denied, "map RW of a read-only grant");
	report_eq(gnttab_map(peer, REF_OTHER, slot, true, &h),
		  GNTST_permission_denied, "map a grant to another domain");
	report_eq(gnttab_map(peer, 11, slot, true, &h), GNTST_bad_gntref,
		  "map a ref never granted");
	report_eq(gnttab_map(peer, 4000, slot, true, &h), GNTST_bad_gntref,
		  "map a ref beyond the table");
	report_eq(gnttab_map(peer, 3, slot, true, &h), GNTST_bad_gntref,
		  "map a reserved ref never granted");
	report_eq(gnttab_map(NO_DOMAIN, REF_RW, slot, true, &h),
		  GNTST_bad_domain, "map from no domain");
	report_eq(gnttab_map(peer, REF_RW, buf, true, &h), GNTST_bad_virt_addr,
		  "map over a RAM frame");
	report_eq(gnttab_map(peer, REF_RW, slot + 8, true, &h),
		  GNTST_bad_virt_addr, "map at an unaligned address");
	report_eq(gnttab_map(peer, REF_RW, (void *)(1ULL << 40), true, &h),
		  GNTST_bad_virt_addr, "map beyond the domain's memory");
	report(gnttab_op(GNTTABOP_map_grant_ref, &op) == 0 &&
		       op.status == GNTST_general_error,
	       "map without GNTMAP_host_map");
	report_eq(gnttab_unmap(9999, NULL), GNTST_bad_handle,
		  "unmap a handle never given");
}

/* One copy of len bytes; its status. */
static int16_t copy1(uint16_t flags, grant_ref_t sref, uint64_t sgmfn,
		     domid_t sdom, uint16_t soff, grant_ref_t dref,
		     uint64_t dgmfn, domid_t ddom, uint16_t doff, uint16_t len)
{
	struct gnttab_copy c = { .len = len, .flags = flags };

	c.source.domid = sdom;
	c.source.offset = soff;
	c.dest.domid = ddom;
	c.dest.offset = doff;
	if (flags & GNTCOPY_source_gref)
		c.source.u.ref = sref;
	else
		c.source.u.gmfn = sgmfn;
	if (flags & GNTCOPY_dest_gref)
		c.dest.u.ref = dref;
	else
		c.dest.u.gmfn = dgmfn;
	if (gnttab_copy(&c, 1) != 0)
		return -100;
	return c.status;
}

static void test_copy(domid_t peer, uint8_t *absent)
{
	uint64_t mine = virt_to_gfn(buf);
	struct gnttab_copy many = { 0 };

	memset(buf, 0, sizeof(buf));
	report_eq(copy1(GNTCOPY_source_gref, REF_RW, 0, peer, 16, 0, mine,
			DOMID_SELF, 0, 64),
		  GNTST_okay, "copy from ref 8");
	report(all_bytes(buf, 64, 0x47) && buf[64] == 0, "copied bytes");
	memset(buf, 'C', 64);
	report_eq(copy1(GNTCOPY_dest_gref, 0, mine, DOMID_SELF, 0, REF_RW, 0,
			peer, 200, 64),
		  GNTST_okay, "copy into ref 8");
	report_eq(copy1(GNTCOPY_dest_gref, 0, mine, DOMID_SELF, 0, REF_RO, 0,
			peer, 0, 64),
		  GNTST_permission_denied, "copy into a read-only grant");
	report_eq(copy1(GNTCOPY_source_gref, REF_OTHER, 0, peer, 0, 0, mine,
			DOMID_SELF, 0, 64),
		  GNTST_permission_denied,
		  "copy from a grant to another domain");
	report_eq(copy1(0, 0, virt_to_gfn(page_rw), peer, 0, 0, mine,
			DOMID_SELF, 0, 64),
		  GNTST_permission_denied,
		  "copy from the peer's frame, no grant");
	report_eq(copy1(GNTCOPY_source_gref, REF_RW, 0, peer, 4000, 0, mine,
			DOMID_SELF, 0, 200),
		  GNTST_bad_copy_arg, "copy across the source page's end");
	report_eq(copy1(GNTCOPY_source_gref, REF_RW, 0, peer, 0, 0, mine,
			DOMID_SELF, 4095, 2),
		  GNTST_bad_copy_arg, "copy across the destination page's end");
	report_eq(copy1(GNTCOPY_source_gref, REF_RW, 0, peer, 0, 0,
			virt_to_gfn(absent), DOMID_SELF, 0, 8),
		  GNTST_bad_page, "copy into an absent frame of its own");
	report_eq(copy1(GNTCOPY_source_gref, 11, 0, peer, 0, 0, mine,
			DOMID_SELF, 0, 8),
		  GNTST_bad_gntref, "copy from a ref never granted");
	report_eq(HYPERVISOR_grant_table_op(GNTTABOP_copy, &many, 100000),
		  -XEN_EINVAL, "a batch of 100000 copies");
	report_eq(HYPERVISOR_grant_table_op(GNTTABOP_copy,
					    (void *)0xffff800000000000UL, 1),
		  -XEN_EFAULT, "copy ops in the hypervisor's half");
}

/* Frames of another domain are dom0's to map; foreign frames are not
 * RAM to remove. */
static void misuse_physmap(domid_t peer, uint8_t *slot)
{
	uint64_t idx = virt_to_gfn(page_rw), gpfn = virt_to_gfn(slot);
	int err = 1;
	struct xen_add_to_physmap_batch b = {
		.domid = DOMID_SELF,
		.space = XENMAPSPACE_gmfn_foreign,
		.size = 1,
		.foreign_domid = peer,
		.idxs = (uintptr_t)&idx,
		.gpfns = (uintptr_t)&gpfn,
		.errs = (uintptr_t)&err,
	};
	struct xen_remove_from_physmap rm = { .domid = DOMID_SELF,
					      .gpfn = virt_to_gfn(buf) };

	report_eq(HYPERVISOR_memory_op(XENMEM_add_to_physmap_batch, &b),
		  -XEN_EPERM, "add_to_physmap_batch: not privileged");
	report_eq(HYPERVISOR_memory_op(XENMEM_remove_from_physmap, &rm),
		  -XEN_EINVAL, "remove_from_physmap of a RAM frame");
}

/* Step 1: maps, reads, writes, copies, every misuse. */
static bool mapper_map(domid_t peer, volatile uint8_t *a, volatile uint8_t *b,
		       uint8_t *spare, grant_handle_t *ha, grant_handle_t *hb)
{
	if (!report_eq(gnttab_map(peer, REF_RW, (void *)a, false, ha),
		       GNTST_okay, "map ref 8 RW") ||
	    !report_eq(gnttab_map(peer, REF_RO, (void *)b, true, hb),
		       GNTST_okay, "map ref 9 RO"))
		return false;
	report(all_bytes(a, 4096, 0x47), "the granter's RW page");
	report(all_bytes(b, 4096, 0x52), "the granter's RO page");
	a[100] = 'M';
	b[100] = 'X';
	report_eq(b[100], 0x52, "a write through the RO mapping is dropped");
	report_eq(reservation(XENMEM_decrease_reservation, (void *)a), 0,
		  "balloon out a mapped frame: refused");
	report_eq(reservation(XENMEM_increase_reservation, (void *)a), 0,
		  "populate a mapped frame: refused");
	misuse_map(peer, spare);
	test_copy(peer, spare);
	misuse_physmap(peer, spare);
	return true;
}

/* end=granter: the mapping of 8 went with the granter. */
static void mapper_revoked(uint8_t *a, grant_handle_t ha)
{
	struct evtchn_status st = { .dom = DOMID_SELF, .port = port };
	uint64_t deadline = pv_time_ns() + WAIT_NS;

	do {
		HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
		evtchn_status(port, &st);
	} while (st.status == EVTCHNSTAT_interdomain &&
		 pv_time_ns() < deadline);
	if (!report(st.status != EVTCHNSTAT_interdomain, "the granter ended"))
		return;
	report(all_bytes(a, 4096, 0),
	       "after the granter ended the mapping reads zeros, not its page");
	((volatile uint8_t *)a)[300] = 'X';
	report_eq(((volatile uint8_t *)a)[300], 0,
		  "and writes to it are dropped");
	report_eq(gnttab_unmap(ha, a), GNTST_okay,
		  "unmap after the granter ended: revoked");
	report_eq(reservation(XENMEM_increase_reservation, a), 1,
		  "the frame is absent again: populated anew");
	report(all_bytes(a, 4096, 0),
	       "and reads zeros, not the granter's page");
}

static void mapper(domid_t peer, bool granter_dies)
{
	uint8_t *a = gnttab_slot_alloc(), *b = gnttab_slot_alloc(),
		*spare = gnttab_slot_alloc();
	grant_handle_t ha, hb;

	if (!report(a && b && spare, "three slots") || !mapper_bind(peer))
		return;
	if (!mapper_map(peer, a, b, spare, &ha, &hb))
		return;
	evtchn_send(port);
	if (!wait_step(1, "the granter checked"))
		return;
	report_eq(((volatile uint8_t *)a)[300], 'H',
		  "the granter's later write, through the mapping");
	report_eq(gnttab_unmap(hb, b), GNTST_okay, "unmap ref 9");
	report_eq(gnttab_unmap(hb, b), GNTST_bad_handle, "unmap ref 9 again");
	report_eq(gnttab_map(peer, REF_RW, a, false, &hb), GNTST_bad_virt_addr,
		  "map over a frame already mapped");
	evtchn_send(port);
	if (granter_dies)
		mapper_revoked(a, ha);
	else
		wait_step(2, "the granter ends ref 9 (the mapper then exits)");
}

void main(void)
{
	domid_t peer = (domid_t)cmdline_u64("peer", 1);
	char role[16], end[16];

	if (!cmdline_get("role", role, sizeof(role)))
		strlcpy(role, "granter", sizeof(role));
	if (!cmdline_get("end", end, sizeof(end)))
		strlcpy(end, "granter", sizeof(end));
	if (!report_eq(gnttab_init(), 0, "gnttab_init"))
		return;
	test_table_ops();
	test_self();
	if (strcmp(role, "mapper") == 0)
		mapper(peer, strcmp(end, "granter") == 0);
	else
		granter(peer, strcmp(end, "mapper") == 0);
}
