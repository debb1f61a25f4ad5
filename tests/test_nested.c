/*
 * test_nested.c - kernel/mm/nested.c on the host: nested tables filled
 * by faults from a typed p2m (kernel/mm/p2m.c) through a fake entry
 * format that records each leaf's level and rights; 4 KiB, 2 MiB and
 * 1 GiB leaves, ROM, MMIO and absent frames, split, merge, invalidate,
 * dirty logging, out of host memory, the stats after every step, and no
 * table page left after nested_destroy.  Then the real NPT and EPT
 * encoders (svm/npt.c, vmx/ept.c) against the manuals' bits.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <inc/mmu.h>
#include <kernel/kernel.h>
#include <kernel/mm/page.h>
#include <kernel/domain.h>
#include <kernel/exit.h>
#include <kernel/dev/mmio.h>
#include <kernel/mm/nested.h>
#include "host_kernel.h"

#define MMIO_BASE 0xfee00000ULL
/* A host address beyond the simulated memory: leaves only encode it. */
#define FAR_HPA (64ULL << 30)

struct svm_caps svm_caps;
struct vmx_caps vmx_caps;

static struct boot_info *bi;
static struct domain dom;
static struct vcpu *v;
static int flushes, emulations, gpa_faults, crashes, max_level;
static char crash_reason[128];
static size_t free_before; /* page_free_count after the p2m's init */
static size_t populated_before;

/*
 * The fake format: a table is pa | bit 11; a leaf is pa | R (bit 0) |
 * W (bit 1) | X (bit 62) | PS (bit 7) above level 1 | its level in bits
 * 9-10, so that a test sees what nested.c asked for.
 */
#define FAKE_TABLE (1ULL << 11)
#define FAKE_X	   (1ULL << 62)

static uint64_t fake_table(hpa_t pa)
{
	return pa | FAKE_TABLE;
}

static uint64_t fake_leaf(hpa_t pa, unsigned perm, int level)
{
	cr_assert(perm, "a leaf with no rights");
	cr_assert_eq(pa % (PAGE_SIZE << (9 * (level - 1))), 0,
		     "leaf 0x%llx misaligned for level %d",
		     (unsigned long long)pa, level);
	return pa | (perm & P2M_R ? 1 : 0) | (perm & P2M_W ? 2 : 0) |
	       (perm & P2M_X ? FAKE_X : 0) | (level > 1 ? PTE_PS : 0) |
	       (uint64_t)level << 9;
}

static int fake_max_level(void)
{
	return max_level;
}

static const struct nested_format fake_format = { fake_table, fake_leaf,
						  fake_max_level };

void virt_flush_tlb(struct vcpu *vc)
{
	flushes++;
}

int mmio_emulate(struct vcpu *vc)
{
	emulations++;
	return 0;
}

void exit_gpa_fault(struct vcpu *vc)
{
	gpa_faults++;
}

static const struct io_range lapic = { .base = MMIO_BASE, .len = PAGE_SIZE };

const struct io_range *io_mmio_find(struct domain *d, gpa_t gpa)
{
	return gpa >= MMIO_BASE && gpa < MMIO_BASE + PAGE_SIZE ? &lapic : NULL;
}

void domain_crash(struct domain *d, struct vcpu *vc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(crash_reason, sizeof(crash_reason), fmt, ap);
	va_end(ap);
	crashes++;
	d->state = DOMAIN_CRASHED;
}

void domain_crash_no_mem(struct domain *d, struct vcpu *vc, gpa_t gpa)
{
	domain_crash(d, vc, "out of host memory at 0x%llx",
		     (unsigned long long)gpa);
}

/* A domain of size bytes of RAM, populated now when eager. */
static void init(uint64_t size, bool eager)
{
	cr_assert_eq(p2m_init(&dom.p2m, size, eager), 0);
	free_before = page_free_count();
	populated_before = dom.p2m.populated;
	cr_assert_eq(nested_init(&dom, &fake_format), 0);
}

static void setup(void)
{
	bi = host_page_init();
	memset(&dom, 0, sizeof(dom));
	flushes = emulations = gpa_faults = crashes = 0;
	max_level = 3;
	crash_reason[0] = '\0';
	strcpy(dom.name, "t");
	dom.state = DOMAIN_RUNNING;
	dom.nvcpus = 2;
	dom.vcpus[0].domain = dom.vcpus[1].domain = &dom;
	v = &dom.vcpus[0];
}

static void teardown(void)
{
	free(bi);
}

TestSuite(nested, .init = setup, .fini = teardown);

static void fault(gpa_t gpa, bool write, bool fetch)
{
	v->exit.kind = EXIT_GPA_FAULT;
	v->exit.gpa = (struct exit_gpa_fault){ .gpa = gpa,
					       .write = write,
					       .fetch = fetch };
	nested_fault(v);
}

/* The leaf mapping gpa in the tables (0 if none), walked here. */
static uint64_t leaf_of(gpa_t gpa)
{
	uint64_t *t = kva(dom.nested.root), e;
	int level;

	for (level = 4; level >= 1; level--) {
		e = t[PT_INDEX(gpa, level)];
		if (!e || level == 1 || (e & PTE_PS))
			return e;
		cr_assert(e & FAKE_TABLE, "entry 0x%llx is no table",
			  (unsigned long long)e);
		t = kva(PTE_ADDR(e));
	}
	return 0;
}

static void expect_stats(size_t n4k, size_t n2m, size_t n1g, size_t tables)
{
	const struct nested_stats *s = &dom.nested.stats;

	cr_expect_eq(s->pages_4k, n4k, "4K leaves %zu, want %zu", s->pages_4k,
		     n4k);
	cr_expect_eq(s->pages_2m, n2m, "2M leaves %zu, want %zu", s->pages_2m,
		     n2m);
	cr_expect_eq(s->pages_1g, n1g, "1G leaves %zu, want %zu", s->pages_1g,
		     n1g);
	cr_expect_eq(s->tables, tables, "tables %zu, want %zu", s->tables,
		     tables);
	/* The tables are exactly the pages taken since init, less the
	 * frames populated since and the dirty bitmap. */
	cr_expect_eq(free_before - page_free_count(),
		     tables + dom.p2m.populated - populated_before +
			     dom.p2m.dirty_pages,
		     "%zu pages in use for %zu tables and %zu frames",
		     free_before - page_free_count(), tables,
		     dom.p2m.populated - populated_before);
}

/* The level and rights of the leaf mapping gpa, as nested_level sees. */
static void expect_leaf(gpa_t gpa, int level, bool writable)
{
	bool w;

	cr_expect_eq(nested_level(&dom, gpa, &w), level,
		     "0x%llx: level %d, want %d", (unsigned long long)gpa,
		     nested_level(&dom, gpa, &w), level);
	cr_expect_eq(w, writable, "0x%llx: writable %d, want %d",
		     (unsigned long long)gpa, w, writable);
	if (level)
		cr_expect_eq((leaf_of(gpa) >> 9) & 3, (uint64_t)level);
}

/* Fills gfns [gfn, gfn+n) with host pages from hpa, as if populated. */
static void back(uint64_t gfn, uint64_t n, hpa_t hpa)
{
	uint64_t i;

	for (i = 0; i < n; i++)
		dom.p2m.entries[gfn + i] = (hpa + (i << PAGE_SHIFT)) | P2M_RAM;
}

Test(nested, demand_4k)
{
	init(4 * MiB, false);
	expect_stats(0, 0, 0, 1);
	fault(0x5123, false, false);
	cr_expect_eq(dom.p2m.populated, 1);
	expect_leaf(0x5000, 1, true);
	cr_expect_eq(PTE_ADDR(leaf_of(0x5000)), p2m_lookup(&dom.p2m, 0x5000));
	cr_expect(leaf_of(0x5000) & FAKE_X);
	expect_leaf(0x6000, 0, false);
	expect_stats(1, 0, 0, 4);
	/* A neighbour populated on its own is not host-contiguous: 4 KiB. */
	fault(0x6000, true, false);
	expect_stats(2, 0, 0, 4);
	cr_expect_eq(crashes, 0);
}

Test(nested, eager_2m)
{
	init(4 * MiB, true);
	hpa_t hpa = p2m_lookup(&dom.p2m, 2 * MiB);

	cr_assert(hpa % (2 * MiB) == 0, "the allocator gave no 2 MiB run");
	fault(2 * MiB + 0x3000, false, true);
	expect_leaf(2 * MiB, 2, true);
	expect_leaf(4 * MiB - 1, 2, true);
	expect_leaf(0, 0, false);
	cr_expect_eq(PTE_ADDR(leaf_of(2 * MiB)), hpa);
	expect_stats(0, 1, 0, 3);
	/* Without large pages in the format, 4 KiB. */
	max_level = 1;
	fault(0x1000, false, false);
	expect_leaf(0x1000, 1, true);
	expect_stats(1, 1, 0, 4);
}

Test(nested, leaf_1g_when_aligned_and_contiguous)
{
	init(2 * GiB, false);
	back(0, 1 << 18, FAR_HPA);
	back(1 << 18, 1 << 18, FAR_HPA + GiB + 2 * MiB); /* not 1G-aligned */
	fault(0x12345000, true, false);
	expect_leaf(0, 3, true);
	cr_expect_eq(PTE_ADDR(leaf_of(0)), FAR_HPA);
	fault(GiB + 0x1000, false, false);
	expect_leaf(GiB, 2, true);
	cr_expect_eq(PTE_ADDR(leaf_of(GiB)), FAR_HPA + GiB + 2 * MiB);
	expect_stats(0, 1, 1, 3);
	/* A CPU without 1 GiB pages maps 2 MiB. */
	nested_invalidate(&dom, 0, 1 << 18);
	max_level = 2;
	fault(0x12345000, true, false);
	expect_leaf(0x12345000, 2, true);
	expect_stats(0, 2, 0, 4);
}

Test(nested, no_large_leaf_over_a_hole_or_another_type)
{
	init(4 * MiB, false);
	back(0, 512, FAR_HPA);
	dom.p2m.entries[7] = 0 | P2M_RAM; /* not yet populated */
	fault(0x3000, false, false);
	expect_leaf(0x3000, 1, true);
	cr_expect_eq(PTE_ADDR(leaf_of(0x3000)), FAR_HPA + 0x3000);
	back(7, 1, FAR_HPA + 0x7000);
	back(512, 512, FAR_HPA + 2 * MiB);
	dom.p2m.entries[600] = (FAR_HPA + 2 * MiB + 88 * PAGE_SIZE) | P2M_ROM;
	fault(2 * MiB, false, false);
	expect_leaf(2 * MiB, 1, true);
	expect_stats(2, 0, 0, 5);
}

Test(nested, rom_read_only_and_writes_dropped)
{
	init(4 * MiB, true);
	cr_assert_eq(p2m_set_type(&dom.p2m, 3, 1, P2M_ROM), 0);
	fault(0x3000, true, false);
	cr_expect_eq(emulations, 1);
	cr_expect_eq(dom.nested.rom_writes, 1);
	expect_leaf(0x3000, 1, false);
	cr_expect_eq(nested_invalidate(&dom, 3, 1), 0);
	fault(0x3000, false, true);
	expect_leaf(0x3000, 1, false);
	cr_expect(leaf_of(0x3000) & FAKE_X);
	fault(0x3000, true, false);
	cr_expect_eq(dom.nested.rom_writes, 2);
	cr_expect_eq(emulations, 2);
	expect_leaf(0x3000, 1, false);
	/* The rest of the ROM frame's 2 MiB region maps 4 KiB at a time. */
	fault(0x4000, false, false);
	expect_leaf(0x4000, 1, true);
	expect_stats(2, 0, 0, 4);
	cr_expect_eq(crashes, 0);
}

Test(nested, mmio_absent_misconfig)
{
	init(4 * MiB, false);
	fault(MMIO_BASE + 0x300, true, false);
	cr_expect_eq(gpa_faults, 1);
	fault(4 * MiB, false, false);
	cr_expect_eq(gpa_faults, 2);
	expect_stats(0, 0, 0, 1);
	cr_expect_eq(crashes, 0);
	fault(MMIO_BASE, false, true);
	cr_expect_eq(crashes, 1);
	cr_expect_str_eq(crash_reason, "execute from MMIO at 0xfee00000");
	cr_expect_eq(gpa_faults, 2);
	dom.state = DOMAIN_RUNNING;
	fault(0x1000, false, false);
	v->exit.gpa = (struct exit_gpa_fault){ .gpa = 0x1000,
					       .misconfig = true };
	nested_fault(v);
	cr_expect_eq(crashes, 2);
	cr_expect(strstr(crash_reason, "misconfiguration at 0x1000: level-1 "
				       "entry 0x"),
		  "%s", crash_reason);
}

Test(nested, out_of_host_memory_crashes)
{
	init(4 * MiB, false);
	while (page_free_count() > P2M_HOST_RESERVE_PAGES)
		cr_assert(page_alloc());
	fault(0x2000, false, false);
	cr_expect_eq(crashes, 1);
	cr_expect(strstr(crash_reason, "out of host memory at 0x2000"), "%s",
		  crash_reason);
	expect_leaf(0x2000, 0, false);
}

Test(nested, split_and_merge)
{
	init(4 * MiB, true);
	fault(2 * MiB, false, false);
	expect_stats(0, 1, 0, 3);
	cr_assert_eq(p2m_set_type(&dom.p2m, 512 + 5, 1, P2M_ROM), 0);
	cr_expect_eq(nested_invalidate(&dom, 512 + 5, 1), 0);
	cr_expect_eq(flushes, 2, "each vcpu flushed");
	cr_expect_eq(dom.nested.stats.splits, 1);
	expect_stats(511, 0, 0, 4);
	expect_leaf(2 * MiB + 0x5000, 0, false);
	expect_leaf(2 * MiB + 0x6000, 1, true);
	cr_expect_eq(PTE_ADDR(leaf_of(2 * MiB + 0x6000)),
		     p2m_lookup(&dom.p2m, 2 * MiB + 0x6000));
	fault(2 * MiB + 0x5000, false, false);
	expect_leaf(2 * MiB + 0x5000, 1, false);
	expect_stats(512, 0, 0, 4);
	/* ROM back to RAM: the next fault there merges the table. */
	cr_assert_eq(p2m_set_type(&dom.p2m, 512 + 5, 1, P2M_RAM), 0);
	cr_expect_eq(nested_invalidate(&dom, 512 + 5, 1), 0);
	expect_stats(511, 0, 0, 4);
	fault(2 * MiB + 0x5000, true, false);
	expect_leaf(2 * MiB + 0x5000, 2, true);
	cr_expect_eq(dom.nested.stats.merges, 1);
	expect_stats(0, 1, 0, 3);
}

Test(nested, invalidate_a_range_across_leaves)
{
	init(2 * GiB, false);
	back(0, 1 << 19, FAR_HPA);
	fault(0, false, false);
	expect_stats(0, 0, 1, 2);
	/* 2 MiB and 4 KiB pieces of the 1 GiB leaf go. */
	cr_expect_eq(nested_invalidate(&dom, 510, 515), 0);
	cr_expect_eq(dom.nested.stats.splits, 3);
	expect_leaf(509 << 12, 1, true);
	expect_leaf(510 << 12, 0, false);
	expect_leaf(2 * MiB, 0, false);
	expect_leaf(4 * MiB, 0, false);
	expect_leaf(4 * MiB + PAGE_SIZE, 1, true);
	expect_leaf(6 * MiB, 2, true);
	expect_stats(510 + 511, 509, 0, 5);
	cr_expect_eq(nested_invalidate(&dom, 0, 1 << 18), 0);
	expect_stats(0, 0, 0, 2);
}

Test(nested, log_dirty)
{
	uint64_t bitmap[16] = { 0 };

	init(4 * MiB, true);
	fault(2 * MiB, false, false);
	cr_assert_eq(nested_log_dirty(&dom, true), 0);
	cr_expect_eq(flushes, 2);
	expect_leaf(2 * MiB, 2, false);
	/* A write splits the 2 MiB leaf and maps that frame writable. */
	fault(2 * MiB + 0x3000, true, false);
	expect_leaf(2 * MiB + 0x3000, 1, true);
	expect_leaf(2 * MiB + 0x4000, 1, false);
	expect_stats(512, 0, 0, 4);
	/* While logging, reads map 4 KiB read-only, writes 4 KiB writable. */
	fault(0x1000, false, false);
	expect_leaf(0x1000, 1, false);
	fault(0x1000, true, false);
	expect_leaf(0x1000, 1, true);
	cr_expect_eq(p2m_dirty_collect(&dom.p2m, bitmap), 2);
	cr_expect_eq(bitmap[0], 1ULL << 1);
	cr_expect_eq(bitmap[8], 1ULL << 3);
	flushes = 0;
	nested_protect(&dom, bitmap);
	cr_expect_eq(flushes, 2);
	expect_leaf(0x1000, 1, false);
	expect_leaf(2 * MiB + 0x3000, 1, false);
	/* Off: every mapping goes, and large pages come back. */
	cr_assert_eq(nested_log_dirty(&dom, false), 0);
	cr_expect_null(dom.p2m.dirty);
	expect_stats(0, 0, 0, 1);
	fault(2 * MiB + 0x3000, true, false);
	expect_leaf(2 * MiB, 2, true);
	expect_stats(0, 1, 0, 3);
}

Test(nested, destroy_frees_every_table)
{
	init(2 * GiB, false);
	back(0, 1 << 19, FAR_HPA);
	fault(0, false, false);
	fault(GiB + 0x1000, false, false);
	fault(2 * GiB - 0x1000, false, false);
	cr_assert_eq(nested_invalidate(&dom, 7, 1), 0);
	cr_assert_eq(nested_log_dirty(&dom, true), 0);
	fault(0x9000, true, false);
	expect_leaf(0x9000, 1, true);
	expect_leaf(0xa000, 1, false);
	expect_leaf(GiB, 3, false);
	expect_stats(511, 511, 1, 4);
	nested_destroy(&dom);
	cr_expect_eq(dom.nested.root, 0);
	cr_expect_eq(page_free_count() + dom.p2m.dirty_pages, free_before,
		     "the root and every table back");
}

/* APM vol. 2 15.25.5 and 5.3: P, W, U at every level, NX, PS. */
Test(encoders, npt)
{
	const struct nested_format *f = &npt_format;

	cr_expect_eq(f->table(0x123000), 0x123000 | PTE_P | PTE_W | PTE_U);
	cr_expect_eq(f->leaf(0x5000, P2M_RWX, 1),
		     0x5000 | PTE_P | PTE_W | PTE_U);
	cr_expect_eq(f->leaf(0x5000, P2M_R | P2M_X, 1), 0x5000 | PTE_P | PTE_U);
	cr_expect_eq(f->leaf(0x5000, P2M_R | P2M_W, 1),
		     0x5000 | PTE_P | PTE_W | PTE_U | PTE_NX);
	cr_expect_eq(f->leaf(0x200000, P2M_RWX, 2),
		     0x200000 | PTE_P | PTE_W | PTE_U | PTE_PS);
	cr_expect_eq(f->leaf(0x40000000, P2M_R, 3),
		     0x40000000 | PTE_P | PTE_U | PTE_PS | PTE_NX);
	svm_caps.page1gb = false;
	cr_expect_eq(f->max_level(), 2);
	svm_caps.page1gb = true;
	cr_expect_eq(f->max_level(), 3);
}

/* SDM 3C 29.3.2 tables 29-1..29-6, 29.3.7: R/W/X, WB in 5:3, bit 7. */
Test(encoders, ept)
{
	const struct nested_format *f = &ept_format;

	cr_expect_eq(f->table(0x123000), 0x123000 | 7);
	cr_expect_eq(f->leaf(0x5000, P2M_RWX, 1), 0x5000 | 7 | 6 << 3);
	cr_expect_eq(f->leaf(0x5000, P2M_R | P2M_X, 1), 0x5000 | 5 | 6 << 3);
	cr_expect_eq(f->leaf(0x5000, P2M_R, 1), 0x5000 | 1 | 6 << 3);
	cr_expect_eq(f->leaf(0x200000, P2M_RWX, 2),
		     0x200000 | 7 | 6 << 3 | 1 << 7);
	cr_expect_eq(f->leaf(0x40000000, P2M_R | P2M_W, 3),
		     0x40000000 | 3 | 6 << 3 | 1 << 7);
	cr_expect_eq(ept_pointer(0x7000), 0x7000 | 3 << 3 | 6);
	vmx_caps.ept_max_level = 3;
	cr_expect_eq(f->max_level(), 3);
}
