/*
 * test_grant.c - pv/grant.c on the host (lab 7): the grant state machine
 * over real p2ms (kernel/mm/p2m.c on host_kernel.c's simulated memory).
 * Map and unmap, read-only maps, the pins and the GTF_reading/GTF_writing
 * bits they keep, each misuse's GNTST code, revocation when either side
 * dies, GNTTABOP_copy's checks and bounds, dom0's foreign maps, the table
 * ops, and the hypercall's own limits.
 *
 * Three running pv domains A, B, C (ids 0, 1, 2) of 16 frames each;
 * guest-linear = guest-physical, so the hypercall's structs are written
 * into the caller's RAM at ARG and read back from there.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <inc/types.h>
#include <inc/public/xen.h>
#include <inc/public/grant_table.h>
#include <kernel/kernel.h>
#include <kernel/domain.h>
#include <kernel/mm/page.h>
#include <pv/hypercall.h>
#include <pv/pv.h>
#include "host_kernel.h"

#define FRAMES 16
#define TABLE  1 /* A's table frame 0 */
#define PAGE   5 /* A's granted page */
#define SLOT   3 /* the mappers' absent frame */
#define SLOT2  4
#define ARG    (15 * PAGE_SIZE)
#define REF    8

struct domain domains[DOMAIN_MAX];
static struct domain *A = &domains[0], *B = &domains[1], *C = &domains[2];
static struct boot_info *bi;
static int unmaps[DOMAIN_MAX];

/* --- what pv/grant.c needs from the rest of the hypervisor --- */

void *pv_map(struct domain *d, gpa_t gpa, size_t len)
{
	uint64_t gfn = gpa >> PAGE_SHIFT;
	hpa_t hpa;

	if (len > PAGE_SIZE - gpa % PAGE_SIZE ||
	    p2m_type_of(&d->p2m, gfn) != P2M_RAM ||
	    p2m_populate(&d->p2m, gfn, &hpa) < 0)
		return NULL;
	return (uint8_t *)kva(hpa) + gpa % PAGE_SIZE;
}

long pv_copy_in(struct vcpu *v, void *dst, gva_t la, size_t len)
{
	return p2m_read(&v->domain->p2m, la, dst, len) < 0 ? -XEN_EFAULT : 0;
}

long pv_copy_out(struct vcpu *v, gva_t la, const void *src, size_t len)
{
	return p2m_write(&v->domain->p2m, la, src, len) < 0 ? -XEN_EFAULT : 0;
}

void hvm_unmap(struct domain *d, uint64_t gfn, uint64_t n)
{
	unmaps[d->id]++;
}

/* --- three domains, A's table placed --- */

static void setup_domain(struct domain *d, int id)
{
	memset(d, 0, sizeof(*d));
	d->id = id;
	d->state = DOMAIN_RUNNING;
	d->pv.on = true;
	d->nvcpus = 1;
	d->vcpus[0].domain = d;
	cr_assert_eq(p2m_init(&d->p2m, FRAMES * PAGE_SIZE, false), 0);
	gnttab_domain_init(d);
	cr_assert_eq(p2m_balloon(&d->p2m, SLOT, false), 0);
	cr_assert_eq(p2m_balloon(&d->p2m, SLOT2, false), 0);
}

static void setup(void)
{
	bi = host_page_init();
	setup_domain(A, 0);
	setup_domain(B, 1);
	setup_domain(C, 2);
	memset(unmaps, 0, sizeof(unmaps));
	cr_assert_eq(gnttab_place(A, 0, TABLE), 0);
	memset(pv_map(A, PAGE * PAGE_SIZE, PAGE_SIZE), 0x47, PAGE_SIZE);
}

static void teardown(void)
{
	for (int i = 0; i < 3; i++)
		p2m_destroy(&domains[i].p2m);
	free(bi);
}

TestSuite(grant, .init = setup, .fini = teardown);

/* A's entry ref. */
static struct grant_entry_v1 *entry(grant_ref_t ref)
{
	return pv_map(A, TABLE * PAGE_SIZE + ref * 8, 8);
}

static void grant(grant_ref_t ref, domid_t to, uint32_t gfn, uint16_t flags)
{
	*entry(ref) = (struct grant_entry_v1){ flags, to, gfn };
}

/* Runs op cmd on count structs at ARG of d's memory (in and out). */
static long op(struct domain *d, unsigned cmd, void *ops, size_t size,
	       unsigned count)
{
	uint64_t args[HYPERCALL_ARGS] = { cmd, ARG, count };
	long r;

	cr_assert_eq(p2m_write(&d->p2m, ARG, ops, size * count), 0);
	r = grant_table_op(&d->vcpus[0], args);
	cr_assert_eq(p2m_read(&d->p2m, ARG, ops, size * count), 0);
	return r;
}

/* d maps (dom, ref) at frame slot; the status, *h the handle. */
static int16_t map(struct domain *d, domid_t dom, grant_ref_t ref,
		   uint64_t host_addr, uint32_t flags, grant_handle_t *h)
{
	struct gnttab_map_grant_ref m = {
		.host_addr = host_addr, .flags = flags, .ref = ref, .dom = dom
	};

	cr_assert_eq(op(d, GNTTABOP_map_grant_ref, &m, sizeof(m), 1), 0);
	if (h)
		*h = m.handle;
	return m.status;
}

static int16_t unmap(struct domain *d, grant_handle_t h, uint64_t host_addr)
{
	struct gnttab_unmap_grant_ref u = { .host_addr = host_addr,
					    .handle = h };

	cr_assert_eq(op(d, GNTTABOP_unmap_grant_ref, &u, sizeof(u), 1), 0);
	return u.status;
}

static uint16_t pins(grant_ref_t ref)
{
	return entry(ref)->flags & (GTF_reading | GTF_writing);
}

#define RW	(GNTMAP_host_map)
#define RO	(GNTMAP_host_map | GNTMAP_readonly)
#define AT(gfn) ((uint64_t)(gfn) << PAGE_SHIFT)

Test(grant, map_rw_shares_the_page_and_unmap_ends_it)
{
	grant_handle_t h;
	uint32_t v = 0xfeedf00d, got = 0;

	grant(REF, 1, PAGE, GTF_permit_access);
	cr_assert_eq(map(B, 0, REF, AT(SLOT), RW, &h), GNTST_okay);
	cr_expect_eq(p2m_type_of(&B->p2m, SLOT), P2M_FOREIGN);
	cr_expect_eq(p2m_lookup(&B->p2m, AT(SLOT)),
		     p2m_lookup(&A->p2m, AT(PAGE)));
	cr_expect_eq(pins(REF), GTF_reading | GTF_writing);
	cr_assert_eq(p2m_write(&B->p2m, AT(SLOT) + 8, &v, 4), 0);
	cr_assert_eq(p2m_read(&A->p2m, AT(PAGE) + 8, &got, 4), 0);
	cr_expect_eq(got, v, "B's write seen by A");
	cr_expect(gnttab_frame_mapped(A, PAGE));
	cr_expect(gnttab_busy(A) && gnttab_busy(B) && !gnttab_busy(C));

	cr_expect_eq(unmap(B, h, AT(SLOT)), GNTST_okay);
	cr_expect_eq(p2m_type_of(&B->p2m, SLOT), P2M_ABSENT);
	cr_expect_eq(unmaps[1], 1, "B's nested/shadow entries dropped");
	cr_expect_eq(pins(REF), 0);
	cr_expect(!gnttab_frame_mapped(A, PAGE));
	cr_expect(!gnttab_busy(A) && !gnttab_busy(B));
	cr_expect_eq(unmap(B, h, AT(SLOT)), GNTST_bad_handle, "double unmap");
}

Test(grant, map_ro_drops_writes)
{
	grant_handle_t h;
	uint32_t v = 0x11111111, got = 0;

	grant(REF, 1, PAGE, GTF_permit_access | GTF_readonly);
	cr_expect_eq(map(B, 0, REF, AT(SLOT), RW, &h), GNTST_permission_denied,
		     "a writable map of a read-only grant");
	cr_expect_eq(pins(REF), 0);
	cr_assert_eq(map(B, 0, REF, AT(SLOT), RO, &h), GNTST_okay);
	cr_expect_eq(p2m_type_of(&B->p2m, SLOT), P2M_FOREIGN_RO);
	cr_expect_eq(p2m_type_perm(P2M_FOREIGN_RO), P2M_R);
	cr_expect_eq(pins(REF), GTF_reading);
	cr_assert_eq(p2m_write(&B->p2m, AT(SLOT), &v, 4), 0);
	cr_assert_eq(p2m_read(&A->p2m, AT(PAGE), &got, 4), 0);
	cr_expect_eq(got, 0x47474747, "the write is dropped");
	cr_expect_eq(unmap(B, h, 0), GNTST_okay);
	cr_expect_eq(pins(REF), 0);
}

Test(grant, each_misuse_has_its_status)
{
	grant_handle_t h;

	grant(REF, 1, PAGE, GTF_permit_access);
	grant(REF + 1, 2, PAGE, GTF_permit_access); /* to C */
	grant(REF + 3, 1, FRAMES + 100, GTF_permit_access);
	cr_expect_eq(map(B, 0, GNTTAB_MAX_REFS, AT(SLOT), RW, &h),
		     GNTST_bad_gntref, "ref beyond the table");
	cr_expect_eq(map(B, 0, 600, AT(SLOT), RW, &h), GNTST_bad_gntref,
		     "ref in a frame not placed");
	cr_expect_eq(map(B, 0, REF + 2, AT(SLOT), RW, &h), GNTST_bad_gntref,
		     "entry without GTF_permit_access");
	cr_expect_eq(map(B, 0, REF + 1, AT(SLOT), RW, &h),
		     GNTST_permission_denied, "granted to another domain");
	cr_expect_eq(map(B, 7, REF, AT(SLOT), RW, &h), GNTST_bad_domain,
		     "no such domain");
	cr_expect_eq(map(B, 0, REF, AT(6), RW, &h), GNTST_bad_virt_addr,
		     "host_addr over RAM");
	cr_expect_eq(map(B, 0, REF, AT(SLOT) + 8, RW, &h), GNTST_bad_virt_addr,
		     "host_addr not page aligned");
	cr_expect_eq(map(B, 0, REF, AT(FRAMES), RW, &h), GNTST_bad_virt_addr,
		     "host_addr beyond the domain");
	cr_expect_eq(map(B, 0, REF, AT(SLOT), GNTMAP_readonly, &h),
		     GNTST_general_error, "no GNTMAP_host_map");
	cr_expect_eq(map(B, 0, REF, AT(SLOT), RW | GNTMAP_device_map, &h),
		     GNTST_general_error, "device maps are not offered");
	cr_expect_eq(map(B, 0, REF + 3, AT(SLOT), RW, &h), GNTST_bad_page,
		     "granted frame not RAM");
	cr_expect_eq(pins(REF + 3), 0, "a failed map leaves no pin");
	cr_expect_eq(p2m_type_of(&B->p2m, SLOT), P2M_ABSENT,
		     "nothing mapped by the failures");
	cr_expect_eq(unmap(B, 5, 0), GNTST_bad_handle, "handle never given");
	cr_expect_eq(unmap(B, 100000, 0), GNTST_bad_handle,
		     "handle beyond the maptrack");
	cr_assert_eq(map(B, 0, REF, AT(SLOT), RW, &h), GNTST_okay);
	cr_expect_eq(map(B, 0, REF, AT(SLOT), RW, NULL), GNTST_bad_virt_addr,
		     "host_addr already mapped");
	cr_expect_eq(unmap(B, h, AT(SLOT2)), GNTST_bad_virt_addr,
		     "unmap at another frame");
	cr_expect_eq(unmap(C, h, 0), GNTST_bad_handle, "another's handle");
	cr_expect_eq(p2m_type_of(&B->p2m, SLOT), P2M_FOREIGN, "still mapped");
}

Test(grant, pins_count_and_fix_the_frame)
{
	grant_handle_t hro, hrw;

	grant(REF, 1, PAGE, GTF_permit_access);
	cr_assert_eq(map(B, 0, REF, AT(SLOT), RO, &hro), GNTST_okay);
	/* The granter moving the entry's frame while pinned changes nothing. */
	entry(REF)->frame = PAGE + 1;
	cr_assert_eq(map(B, 0, REF, AT(SLOT2), RW, &hrw), GNTST_okay);
	cr_expect_eq(p2m_lookup(&B->p2m, AT(SLOT2)),
		     p2m_lookup(&A->p2m, AT(PAGE)), "the pinned frame");
	cr_expect_eq(A->pv.gnttab.active[REF].readers, 2);
	cr_expect_eq(A->pv.gnttab.active[REF].writers, 1);
	cr_expect_eq(pins(REF), GTF_reading | GTF_writing);
	cr_expect_eq(unmap(B, hrw, AT(SLOT2)), GNTST_okay);
	cr_expect_eq(pins(REF), GTF_reading, "writing ends with the RW map");
	cr_expect_eq(unmap(B, hro, AT(SLOT)), GNTST_okay);
	cr_expect_eq(pins(REF), 0);
	/* Unpinned: the next map reads the entry's frame again. */
	cr_assert_eq(map(B, 0, REF, AT(SLOT), RO, &hro), GNTST_okay);
	cr_expect_eq(p2m_lookup(&B->p2m, AT(SLOT)),
		     p2m_lookup(&A->p2m, AT(PAGE + 1)));
}

Test(grant, granter_death_revokes_mappings)
{
	grant_handle_t h, hc;

	grant(REF, 1, PAGE, GTF_permit_access);
	grant(REF + 1, 2, PAGE, GTF_permit_access | GTF_readonly);
	cr_assert_eq(map(B, 0, REF, AT(SLOT), RW, &h), GNTST_okay);
	cr_assert_eq(map(C, 0, REF + 1, AT(SLOT), RO, &hc), GNTST_okay);
	hpa_t page = p2m_lookup(&A->p2m, AT(PAGE)), dead;

	gnttab_domain_destroy(A);
	A->state = DOMAIN_EXITED;
	/* Both frames show one read-only page of zeros, not A's page. */
	dead = p2m_lookup(&B->p2m, AT(SLOT));
	cr_expect(dead && dead != page, "B's frame no longer shows A's page");
	cr_expect_eq(p2m_lookup(&C->p2m, AT(SLOT)), dead);
	cr_expect_eq(p2m_type_of(&B->p2m, SLOT), P2M_FOREIGN_RO);
	cr_expect_eq(p2m_type_of(&C->p2m, SLOT), P2M_FOREIGN_RO);
	cr_expect(unmaps[1] == 1 && unmaps[2] == 1, "their mappings dropped");
	cr_expect_eq(gnttab_frame_mapped(A, PAGE), false);
	cr_expect_eq(unmap(B, h, AT(SLOT)), GNTST_okay, "B unmaps the revoked");
	cr_expect_eq(unmap(B, h, AT(SLOT)), GNTST_bad_handle);
	cr_expect_eq(p2m_type_of(&B->p2m, SLOT), P2M_ABSENT);
	cr_expect(!gnttab_busy(B) && gnttab_busy(C), "C has not unmapped");
	cr_expect_eq(unmap(C, hc, AT(SLOT)), GNTST_okay);
	cr_expect(!gnttab_busy(C));
	cr_expect_eq(map(B, 0, REF, AT(SLOT), RW, &h), GNTST_bad_domain,
		     "a dead granter");
}

Test(grant, mapper_death_releases_pins)
{
	grant_handle_t h;
	size_t free_before;

	grant(REF, 1, PAGE, GTF_permit_access);
	cr_assert_eq(map(B, 0, REF, AT(SLOT), RW, &h), GNTST_okay);
	cr_assert_eq(map(B, 0, REF, AT(SLOT2), RO, &h), GNTST_okay);
	gnttab_domain_destroy(B);
	cr_expect_eq(pins(REF), 0);
	cr_expect_eq(A->pv.gnttab.active[REF].readers, 0);
	cr_expect_eq(unmaps[1], 0, "a dying domain's tables are not touched");
	cr_expect(!gnttab_frame_mapped(A, PAGE) && !gnttab_busy(A));
	/* B's p2m gives back its own pages only. */
	free_before = page_free_count() + B->p2m.populated + B->p2m.table_pages;
	p2m_destroy(&B->p2m);
	cr_expect_eq(page_free_count(), free_before);
	cr_expect_neq(p2m_lookup(&A->p2m, AT(PAGE)), 0);
}

Test(grant, foreign_map_stays_out_of_the_owners_p2m)
{
	grant_handle_t h;
	size_t free_after;

	grant(REF, 1, PAGE, GTF_permit_access);
	cr_assert_eq(map(B, 0, REF, AT(SLOT), RW, &h), GNTST_okay);
	/* B's p2m frees only its own pages even with A's mapped. */
	free_after = page_free_count() + B->p2m.populated + B->p2m.table_pages;
	p2m_destroy(&B->p2m);
	cr_expect_eq(page_free_count(), free_after);
	cr_expect_neq(p2m_lookup(&A->p2m, AT(PAGE)), 0);
	memset(B->pv.gnttab.maptrack, 0, sizeof(B->pv.gnttab.maptrack));
	cr_assert_eq(p2m_init(&B->p2m, FRAMES * PAGE_SIZE, false), 0);
}

/* One copy by d; its status. */
#define copy(d, s, t, n, f)              \
	copy1((d), (struct gnttab_copy){ \
			   .source = s, .dest = t, .len = (n), .flags = (f) })
static int16_t copy1(struct domain *d, struct gnttab_copy c)
{
	cr_assert_eq(op(d, GNTTABOP_copy, &c, sizeof(c), 1), 0);
	return c.status;
}

#define GREF(r, dom, off)                                     \
	{                                                     \
		.u.ref = (r), .domid = (dom), .offset = (off) \
	}
#define GMFN(f, off)                                                \
	{                                                           \
		.u.gmfn = (f), .domid = DOMID_SELF, .offset = (off) \
	}
#define FRAME_OF(f, dom)                      \
	{                                     \
		.u.gmfn = (f), .domid = (dom) \
	}

Test(grant, copy_checks_each_side)
{
	uint8_t got[8] = { 0 };

	grant(REF, 1, PAGE, GTF_permit_access);
	grant(REF + 1, 1, PAGE, GTF_permit_access | GTF_readonly);
	grant(REF + 2, 2, PAGE, GTF_permit_access);
	cr_expect_eq(copy(B, GREF(REF, 0, 16), GMFN(6, 0), 8,
			  GNTCOPY_source_gref),
		     GNTST_okay);
	cr_assert_eq(p2m_read(&B->p2m, AT(6), got, 8), 0);
	cr_expect_eq(got[0], 0x47);
	cr_expect_eq(got[7], 0x47);
	cr_expect_eq(copy(B, GMFN(7, 0), GREF(REF, 0, 0), 8, GNTCOPY_dest_gref),
		     GNTST_okay);
	cr_assert_eq(p2m_read(&A->p2m, AT(PAGE), got, 8), 0);
	cr_expect_eq(got[0], 0, "B's zeros in A's page");
	cr_expect_eq(copy(B, GMFN(7, 0), GREF(REF + 1, 0, 0), 8,
			  GNTCOPY_dest_gref),
		     GNTST_permission_denied, "into a read-only grant");
	cr_expect_eq(copy(B, GREF(REF + 2, 0, 0), GMFN(6, 0), 8,
			  GNTCOPY_source_gref),
		     GNTST_permission_denied, "a grant to C");
	cr_expect_eq(copy(B, FRAME_OF(PAGE, 0), GMFN(6, 0), 8, 0),
		     GNTST_permission_denied, "A's frame without a grant");
	cr_expect_eq(copy(B, GREF(REF, 0, 4090), GMFN(6, 0), 8,
			  GNTCOPY_source_gref),
		     GNTST_bad_copy_arg, "across the source's page end");
	cr_expect_eq(copy(B, GREF(REF, 0, 0), GMFN(6, 4095), 2,
			  GNTCOPY_source_gref),
		     GNTST_bad_copy_arg, "across the destination's page end");
	cr_expect_eq(copy(B, GREF(REF, 0, 0), GMFN(SLOT, 0), 8,
			  GNTCOPY_source_gref),
		     GNTST_bad_page, "into an absent frame");
	cr_expect_eq(copy(B, GREF(700, 0, 0), GMFN(6, 0), 8,
			  GNTCOPY_source_gref),
		     GNTST_bad_gntref, "a ref in no frame");
	cr_expect_eq(copy(B, GREF(REF, 9, 0), GMFN(6, 0), 8,
			  GNTCOPY_source_gref),
		     GNTST_bad_domain, "no such domain");
	cr_expect_eq(pins(REF), 0, "copies leave no pin");
}

Test(grant, foreign_maps_for_dom0)
{
	cr_expect_eq(gnttab_map_foreign(B, A, PAGE, 6), -XEN_EINVAL,
		     "over RAM");
	cr_expect_eq(gnttab_map_foreign(B, A, FRAMES + 1, SLOT), -XEN_EINVAL,
		     "a frame A lacks");
	cr_assert_eq(gnttab_map_foreign(B, A, PAGE, SLOT), 0);
	cr_expect_eq(p2m_lookup(&B->p2m, AT(SLOT)),
		     p2m_lookup(&A->p2m, AT(PAGE)));
	cr_expect(gnttab_frame_mapped(A, PAGE) && gnttab_busy(A));
	cr_expect_eq(gnttab_remove(B, SLOT), 0);
	cr_expect_eq(p2m_type_of(&B->p2m, SLOT), P2M_ABSENT);
	cr_expect_eq(gnttab_remove(B, SLOT), -XEN_EINVAL, "removed twice");
	cr_expect_eq(gnttab_remove(B, 6), -XEN_EINVAL, "a RAM frame");
	cr_expect(!gnttab_frame_mapped(A, PAGE));
}

Test(grant, table_frames_and_ops)
{
	struct gnttab_query_size q = { .dom = DOMID_SELF };
	struct gnttab_set_version sv = { .version = 2 };
	struct gnttab_get_version gv = { .dom = DOMID_SELF };
	grant_handle_t h;

	cr_expect_eq(gnttab_place(A, GNTTAB_MAX_FRAMES, 2), -XEN_EINVAL);
	cr_expect_eq(gnttab_place(A, 1, SLOT), -XEN_EINVAL, "an absent frame");
	cr_assert_eq(op(A, GNTTABOP_query_size, &q, sizeof(q), 1), 0);
	cr_expect(q.status == GNTST_okay && q.nr_frames == 1 &&
		  q.max_nr_frames == GNTTAB_MAX_FRAMES);
	q.dom = 1;
	cr_assert_eq(op(A, GNTTABOP_query_size, &q, sizeof(q), 1), 0);
	cr_expect_eq(q.status, GNTST_permission_denied, "another domain's");
	cr_expect_eq(op(A, GNTTABOP_set_version, &sv, sizeof(sv), 1),
		     -XEN_EINVAL, "version 2");
	cr_assert_eq(op(A, GNTTABOP_get_version, &gv, sizeof(gv), 1), 0);
	cr_expect_eq(gv.version, 1);
	/* A frame under a pin cannot move; placing zeroes the entries. */
	grant(REF, 1, PAGE, GTF_permit_access);
	cr_assert_eq(map(B, 0, REF, AT(SLOT), RW, &h), GNTST_okay);
	cr_expect_eq(gnttab_place(A, 0, 2), -XEN_EBUSY);
	cr_expect_eq(unmap(B, h, 0), GNTST_okay);
	cr_expect_eq(gnttab_place(A, 0, TABLE), 0);
	cr_expect_eq(entry(REF)->flags, 0);
}

Test(grant, hypercall_limits)
{
	struct gnttab_copy c = { 0 };
	uint64_t args[HYPERCALL_ARGS] = { GNTTABOP_copy, ARG, 4097 };

	cr_expect_eq(grant_table_op(&B->vcpus[0], args), -XEN_EINVAL,
		     "too many ops");
	args[0] = 3; /* dump_table */
	args[2] = 1;
	cr_expect_eq(grant_table_op(&B->vcpus[0], args), -XEN_ENOSYS);
	args[0] = GNTTABOP_copy;
	args[1] = AT(SLOT);
	cr_expect_eq(grant_table_op(&B->vcpus[0], args), -XEN_EFAULT,
		     "ops in an absent frame");
	cr_expect_eq(op(B, GNTTABOP_copy, &c, sizeof(c), 0), 0, "no ops");
}

/* A full maptrack: GNTST_no_device_space, and nothing half done. */
Test(grant, maptrack_full)
{
	const uint64_t first = 16, n = GNTTAB_MAPTRACK + 1;
	grant_handle_t h;

	p2m_destroy(&C->p2m);
	cr_assert_eq(p2m_init(&C->p2m, (first + n) * PAGE_SIZE, false), 0);
	for (uint64_t i = 0; i < n; i++)
		cr_assert_eq(p2m_balloon(&C->p2m, first + i, false), 0);
	grant(REF, 2, PAGE, GTF_permit_access | GTF_readonly);
	for (uint64_t i = 0; i < GNTTAB_MAPTRACK; i++)
		cr_assert_eq(map(C, 0, REF, AT(first + i), RO, &h), GNTST_okay);
	cr_expect_eq(map(C, 0, REF, AT(first + n - 1), RO, &h),
		     GNTST_no_device_space);
	cr_expect_eq(p2m_type_of(&C->p2m, first + n - 1), P2M_ABSENT);
	cr_expect_eq(A->pv.gnttab.active[REF].readers, GNTTAB_MAPTRACK);
	gnttab_domain_destroy(C);
	cr_expect_eq(A->pv.gnttab.active[REF].readers, 0);
	cr_expect_eq(pins(REF), 0);
}
