/*
 * test_p2m.c - kernel/mm/p2m.c over the simulated host memory of
 * host_kernel.c (31 MiB handed to the page allocator): typed entries,
 * populate on demand and its accounting, the host reserve, eager 2 MiB
 * runs, reads that never populate, writes that populate, mark dirty and
 * skip ROM, p2m_set_type's bounds, and the dirty log.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <kernel/kernel.h>
#include <kernel/mm/page.h>
#include <kernel/mm/p2m.h>
#include "host_kernel.h"

static struct boot_info *bi;
static struct p2m p;
static size_t free_before;

static void setup(void)
{
	bi = host_page_init();
	free_before = page_free_count();
	memset(&p, 0, sizeof(p));
}

static void teardown(void)
{
	p2m_destroy(&p);
	cr_expect_eq(page_free_count(), free_before, "pages leaked: %zu",
		     free_before - page_free_count());
	free(bi);
}

TestSuite(p2m, .init = setup, .fini = teardown);

Test(p2m, init_sizes)
{
	cr_expect_eq(p2m_init(&p, 0, false), -E_INVAL);
	cr_expect_eq(p2m_init(&p, PAGE_SIZE + 1, false), -E_INVAL);
	cr_expect_eq(p2m_init(&p, 8 * GiB, false), -E_INVAL);
	cr_expect_null(p.entries);
	cr_assert_eq(p2m_init(&p, 4 * PAGE_SIZE, false), 0);
	cr_expect_eq(p2m_size(&p), 4 * PAGE_SIZE);
	cr_expect_eq(p.nframes, 4);
}

Test(p2m, typed_entries)
{
	cr_assert_eq(p2m_init(&p, 16 * PAGE_SIZE, false), 0);
	cr_expect_eq(p2m_type_of(&p, 0), P2M_RAM);
	cr_expect_eq(p2m_type_of(&p, 15), P2M_RAM);
	cr_expect_eq(p2m_type_of(&p, 16), P2M_ABSENT);
	cr_expect_eq(p2m_type_of(&p, ~0ULL), P2M_ABSENT);
	cr_expect_eq(p2m_type_perm(P2M_RAM), P2M_R | P2M_W | P2M_X);
	cr_expect_eq(p2m_type_perm(P2M_ROM), P2M_R | P2M_X);
	cr_expect_eq(p2m_type_perm(P2M_ABSENT), 0);
	cr_expect_eq(p2m_type_perm(P2M_MMIO), 0);
	cr_assert_eq(p2m_set_type(&p, 4, 2, P2M_ROM), 0);
	cr_expect_eq(p2m_type_of(&p, 3), P2M_RAM);
	cr_expect_eq(p2m_type_of(&p, 4), P2M_ROM);
	cr_expect_eq(p2m_type_of(&p, 5), P2M_ROM);
	cr_expect_eq(p2m_type_of(&p, 6), P2M_RAM);
	cr_expect_eq(p.entries[4] & P2M_TYPE_MASK, P2M_ROM);
}

Test(p2m, demand_populate_and_accounting)
{
	hpa_t a, b;

	cr_assert_eq(p2m_init(&p, 64 * PAGE_SIZE, false), 0);
	cr_expect_eq(p.populated, 0);
	cr_expect_eq(p2m_lookup(&p, 5 * PAGE_SIZE), 0);
	cr_assert_eq(p2m_populate(&p, 5, &a), 0);
	cr_expect_neq(a, 0);
	cr_expect_eq(a % PAGE_SIZE, 0);
	cr_expect_eq(p2m_lookup(&p, 5 * PAGE_SIZE + 123), a);
	cr_expect_eq(p.entries[5], a | P2M_RAM);
	cr_assert_eq(p2m_populate(&p, 5, &b), 0);
	cr_expect_eq(b, a, "a second populate gives the same page");
	cr_expect_eq(p.populated, 1);
	cr_assert_eq(p2m_populate(&p, 6, &b), 0);
	cr_expect_neq(b, a);
	cr_expect_eq(p.populated, 2);
	cr_expect_eq(p.peak, 2);
	cr_expect_eq(p2m_populate(&p, 64, &b), -E_RANGE);
	cr_expect_eq(p.populated, 2);
	/* The table and the two pages. */
	cr_expect_eq(page_free_count(), free_before - p.table_pages - 2);
}

Test(p2m, rom_populates_with_its_type)
{
	hpa_t hpa;

	cr_assert_eq(p2m_init(&p, 4 * PAGE_SIZE, false), 0);
	cr_assert_eq(p2m_set_type(&p, 1, 1, P2M_ROM), 0);
	cr_assert_eq(p2m_populate(&p, 1, &hpa), 0);
	cr_expect_eq(p2m_type_of(&p, 1), P2M_ROM);
	cr_expect_eq(p2m_lookup(&p, PAGE_SIZE), hpa);
}

Test(p2m, reserve_exhaustion)
{
	size_t nframes = 32 * MiB / PAGE_SIZE, gfn;
	hpa_t hpa;
	int r = 0;

	cr_assert_eq(p2m_init(&p, 32 * MiB, false), 0);
	for (gfn = 0; gfn < nframes && (r = p2m_populate(&p, gfn, &hpa)) == 0;
	     gfn++)
		;
	cr_expect_eq(r, -E_NO_MEM, "31 MiB of host cannot back 32 MiB");
	cr_expect_eq(page_free_count(), P2M_HOST_RESERVE_PAGES,
		     "the reserve stays free");
	cr_expect_eq(p.populated, gfn);
	cr_expect_eq(p.peak, gfn);
	cr_expect_eq(p2m_lookup(&p, gfn * PAGE_SIZE), 0,
		     "nothing half-populated");
	cr_expect_eq(p2m_write(&p, gfn * PAGE_SIZE, "x", 1), -E_NO_MEM);
	cr_expect_eq(page_free_count(), P2M_HOST_RESERVE_PAGES);
	/* teardown checks that p2m_destroy gives every page back */
}

Test(p2m, eager_refused_when_host_too_small)
{
	cr_expect_eq(p2m_init(&p, 32 * MiB, true), -E_NO_MEM);
	cr_expect_null(p.entries);
	cr_expect_eq(page_free_count(), free_before);
}

Test(p2m, eager_large_runs_aligned)
{
	size_t nframes = 2 * 512 + 3, gfn, run;

	cr_assert_eq(p2m_init(&p, nframes * PAGE_SIZE, true), 0);
	cr_expect_eq(p.populated, nframes);
	cr_expect_eq(p.peak, nframes);
	for (run = 0; run < 2 * 512; run += 512) {
		hpa_t base = p2m_lookup(&p, run * PAGE_SIZE);

		cr_expect_eq(base % LARGE_PAGE_SIZE, 0,
			     "run at gfn %zu: 0x%llx not 2 MiB-aligned", run,
			     (unsigned long long)base);
		for (gfn = run; gfn < run + 512; gfn++)
			cr_assert_eq(p2m_lookup(&p, gfn * PAGE_SIZE),
				     base + (gfn - run) * PAGE_SIZE,
				     "gfn %zu not contiguous", gfn);
	}
	for (gfn = 2 * 512; gfn < nframes; gfn++)
		cr_expect_neq(p2m_lookup(&p, gfn * PAGE_SIZE), 0);
	cr_expect_eq(page_free_count(), free_before - p.table_pages - nframes);
}

Test(p2m, read_unpopulated_gives_zeros)
{
	uint8_t buf[2 * PAGE_SIZE];
	hpa_t hpa;

	cr_assert_eq(p2m_init(&p, 4 * PAGE_SIZE, false), 0);
	cr_assert_eq(p2m_populate(&p, 1, &hpa), 0);
	memset(kva(hpa), 0x5a, PAGE_SIZE);
	memset(buf, 0xff, sizeof(buf));
	cr_assert_eq(p2m_read(&p, PAGE_SIZE / 2, buf, sizeof(buf)), 0);
	cr_expect_eq(buf[0], 0);
	cr_expect_eq(buf[PAGE_SIZE / 2 - 1], 0);
	cr_expect_eq(buf[PAGE_SIZE / 2], 0x5a);
	cr_expect_eq(buf[PAGE_SIZE * 3 / 2 - 1], 0x5a);
	cr_expect_eq(buf[PAGE_SIZE * 3 / 2], 0);
	cr_expect_eq(p.populated, 1, "a read populates nothing");
	cr_expect_eq(p2m_lookup(&p, 0), 0);
	cr_expect_eq(p2m_lookup(&p, 2 * PAGE_SIZE), 0);
}

Test(p2m, out_of_range)
{
	uint32_t v = 0;

	cr_assert_eq(p2m_init(&p, 4 * PAGE_SIZE, false), 0);
	cr_expect_eq(p2m_read(&p, 4 * PAGE_SIZE - 2, &v, 4), -E_RANGE);
	cr_expect_eq(p2m_write(&p, 4 * PAGE_SIZE - 2, &v, 4), -E_RANGE);
	cr_expect_eq(p2m_read(&p, ~0ULL - 1, &v, 4), -E_RANGE);
	cr_expect_eq(p.populated, 0, "a refused write copies nothing");
	cr_expect_eq(p2m_lookup(&p, 4 * PAGE_SIZE), 0);
}

Test(p2m, write_populates_and_marks_dirty)
{
	uint64_t out[1] = { 0 }, v = 0x1122334455667788, r = 0;

	cr_assert_eq(p2m_init(&p, 4 * PAGE_SIZE, false), 0);
	cr_assert_eq(p2m_write(&p, 0x10, &v, 8), 0, "not logging yet");
	cr_assert_eq(p2m_dirty_start(&p), 0);
	cr_assert_eq(p2m_write(&p, 2 * PAGE_SIZE - 4, &v, 8), 0);
	cr_expect_eq(p.populated, 3);
	cr_expect_neq(p2m_lookup(&p, PAGE_SIZE), 0);
	cr_expect_neq(p2m_lookup(&p, 2 * PAGE_SIZE), 0);
	cr_assert_eq(p2m_read(&p, 2 * PAGE_SIZE - 4, &r, 8), 0);
	cr_expect_eq(r, v);
	cr_expect_eq(p2m_dirty_collect(&p, out), 2);
	cr_expect_eq(out[0], 0x6, "frames 1 and 2, not 0 (written before)");
}

Test(p2m, write_skips_rom)
{
	uint64_t out[1] = { 0 }, v = ~0ULL, r = 0;
	hpa_t hpa;

	cr_assert_eq(p2m_init(&p, 4 * PAGE_SIZE, false), 0);
	cr_assert_eq(p2m_populate(&p, 2, &hpa), 0);
	memset(kva(hpa), 0x33, PAGE_SIZE);
	cr_assert_eq(p2m_set_type(&p, 2, 2, P2M_ROM), 0);
	cr_assert_eq(p2m_dirty_start(&p), 0);
	cr_assert_eq(p2m_write(&p, 2 * PAGE_SIZE - 4, &v, 8), 0);
	cr_assert_eq(p2m_read(&p, 2 * PAGE_SIZE - 4, &r, 8), 0);
	cr_expect_eq(r, 0x33333333ffffffffULL);
	cr_expect_eq(p2m_write(&p, 3 * PAGE_SIZE, &v, 8), 0);
	cr_expect_eq(p2m_lookup(&p, 3 * PAGE_SIZE), 0,
		     "a ROM write populates nothing");
	cr_expect_eq(p2m_dirty_collect(&p, out), 1);
	cr_expect_eq(out[0], 0x2, "ROM frames are never dirty");
	/* Writable again, with the contents kept. */
	cr_assert_eq(p2m_set_type(&p, 2, 1, P2M_RAM), 0);
	cr_assert_eq(p2m_write(&p, 2 * PAGE_SIZE, &v, 1), 0);
	cr_expect_eq(*(uint8_t *)kva(hpa), 0xff);
	cr_expect_eq(*((uint8_t *)kva(hpa) + 1), 0x33);
}

Test(p2m, set_type_bounds)
{
	cr_assert_eq(p2m_init(&p, 8 * PAGE_SIZE, false), 0);
	cr_expect_eq(p2m_set_type(&p, 0, 8, P2M_ROM), 0);
	cr_expect_eq(p2m_set_type(&p, 0, 0, P2M_RAM), 0);
	cr_expect_eq(p2m_set_type(&p, 8, 0, P2M_RAM), 0);
	cr_expect_eq(p2m_set_type(&p, 7, 2, P2M_RAM), -E_INVAL);
	cr_expect_eq(p2m_set_type(&p, 9, 0, P2M_RAM), -E_INVAL);
	cr_expect_eq(p2m_set_type(&p, 1, ~0ULL, P2M_RAM), -E_INVAL);
	cr_expect_eq(p2m_set_type(&p, ~0ULL, 2, P2M_RAM), -E_INVAL);
	cr_expect_eq(p2m_set_type(&p, 0, 1, P2M_ABSENT), -E_INVAL);
	cr_expect_eq(p2m_set_type(&p, 0, 1, P2M_MMIO), -E_INVAL);
	cr_expect_eq(p2m_type_of(&p, 7), P2M_ROM,
		     "a refused call changes nothing");
	cr_expect_eq(p2m_type_of(&p, 0), P2M_ROM);
}

Test(p2m, dirty_collect)
{
	uint64_t out[2] = { 0x8000, 0 };
	size_t pages = 0;

	cr_assert_eq(p2m_init(&p, 100 * PAGE_SIZE, false), 0);
	p2m_dirty_mark(&p, 3); /* not logging: nothing to mark */
	cr_expect_eq(p2m_dirty_collect(&p, out), 0);
	cr_assert_eq(p2m_dirty_start(&p), 0);
	pages = free_before - page_free_count();
	p2m_dirty_mark(&p, 3);
	p2m_dirty_mark(&p, 3);
	p2m_dirty_mark(&p, 70);
	p2m_dirty_mark(&p, 100); /* beyond guest memory: ignored */
	cr_expect_eq(p2m_dirty_collect(&p, out), 2);
	cr_expect_eq(out[0], 0x8008, "ORed into what out held");
	cr_expect_eq(out[1], 1ULL << 6);
	memset(out, 0, sizeof(out));
	cr_expect_eq(p2m_dirty_collect(&p, out), 0,
		     "collected frames are clean");
	cr_expect_eq(out[0] | out[1], 0);
	p2m_dirty_mark(&p, 99);
	cr_assert_eq(p2m_dirty_start(&p), 0, "a restart cleans every frame");
	cr_expect_eq(free_before - page_free_count(), pages);
	cr_expect_eq(p2m_dirty_collect(&p, out), 0);
	p2m_dirty_stop(&p);
	cr_expect_null(p.dirty);
	cr_expect_eq(free_before - page_free_count(), p.table_pages);
}

/* Lab 7: a foreign frame shows another p2m's page, which it never
 * populates, counts, balloons or frees. */
Test(p2m, foreign_frames)
{
	struct p2m q;
	hpa_t page, hpa;
	uint32_t v = 0xabcd, got = 0;

	cr_assert_eq(p2m_init(&p, 4 * PAGE_SIZE, false), 0);
	cr_assert_eq(p2m_init(&q, 4 * PAGE_SIZE, false), 0);
	cr_assert_eq(p2m_populate(&q, 1, &page), 0);
	cr_expect_eq(p2m_foreign_set(&p, 2, page, false), -E_INVAL, "RAM");
	cr_assert_eq(p2m_balloon(&p, 2, false), 0);
	cr_expect_eq(p2m_foreign_set(&p, 4, page, false), -E_INVAL, "beyond");
	cr_assert_eq(p2m_foreign_set(&p, 2, page, false), 0);
	cr_expect_eq(p2m_type_of(&p, 2), P2M_FOREIGN);
	cr_expect_eq(p2m_type_perm(P2M_FOREIGN), P2M_R | P2M_W);
	cr_expect_eq(p2m_lookup(&p, 2 * PAGE_SIZE), page);
	cr_expect(p2m_populate(&p, 2, &hpa) == 0 && hpa == page);
	cr_expect_eq(p.populated, 0, "not counted as p's");
	cr_expect_eq(p2m_balloon(&p, 2, false), -E_INVAL);
	cr_expect_eq(p2m_balloon(&p, 2, true), -E_INVAL);
	cr_expect_eq(p2m_set_type(&p, 2, 1, P2M_RAM), -E_INVAL);
	cr_assert_eq(p2m_write(&p, 2 * PAGE_SIZE + 4, &v, 4), 0);
	cr_assert_eq(p2m_read(&q, PAGE_SIZE + 4, &got, 4), 0);
	cr_expect_eq(got, v, "written through to q's page");
	/* Read-only: writes skipped as for ROM. */
	cr_assert_eq(p2m_foreign_clear(&p, 2), 0);
	cr_expect_eq(p2m_foreign_clear(&p, 2), -E_INVAL);
	cr_assert_eq(p2m_foreign_set(&p, 2, page, true), 0);
	cr_expect_eq(p2m_type_perm(P2M_FOREIGN_RO), P2M_R);
	v = 0x1111;
	cr_assert_eq(p2m_write(&p, 2 * PAGE_SIZE + 4, &v, 4), 0);
	cr_assert_eq(p2m_read(&p, 2 * PAGE_SIZE + 4, &got, 4), 0);
	cr_expect_eq(got, 0xabcd, "the write dropped");
	/* p's end leaves q's page alone. */
	p2m_destroy(&p);
	cr_expect_eq(p2m_lookup(&q, PAGE_SIZE), page);
	cr_assert_eq(p2m_read(&q, PAGE_SIZE + 4, &got, 4), 0);
	cr_expect_eq(got, 0xabcd);
	p2m_destroy(&q);
}
