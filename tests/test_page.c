/*
 * test_page.c - kernel/mm/page.c over simulated memory and fake UEFI memory
 * maps: only conventional and boot-services memory is ever handed out,
 * exhaustion, free and reuse, contiguous runs and their alignment, and
 * the panics for bad frees.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdlib.h>
#include <kernel/kernel.h>
#include <kernel/mm/page.h>
#include "host_kernel.h"

static struct boot_info *bi;

static void setup(void)
{
	host_mem_init();
	bi = host_bi_new();
}

static void teardown(void)
{
	free(bi);
}

TestSuite(page, .init = setup, .fini = teardown);

/* A map with a region of every type, unsorted, in the first 64 MiB. */
static void map_every_type(void)
{
	host_bi_add(bi, 0, 640 * KiB, BOOT_MEM_CONVENTIONAL);
	host_bi_add(bi, 8 * MiB, 8 * MiB, BOOT_MEM_CONVENTIONAL);
	host_bi_add(bi, 1 * MiB, 1 * MiB, BOOT_MEM_BOOT_CODE);
	host_bi_add(bi, 2 * MiB, 2 * MiB, BOOT_MEM_BOOT_DATA);
	host_bi_add(bi, 4 * MiB, 256 * KiB, BOOT_MEM_LOADER_CODE);
	host_bi_add(bi, 4 * MiB + 256 * KiB, 256 * KiB, BOOT_MEM_LOADER_DATA);
	host_bi_add(bi, 5 * MiB, 256 * KiB, BOOT_MEM_RUNTIME_CODE);
	host_bi_add(bi, 5 * MiB + 256 * KiB, 256 * KiB, BOOT_MEM_RUNTIME_DATA);
	host_bi_add(bi, 6 * MiB, 64 * KiB, BOOT_MEM_ACPI_RECLAIM);
	host_bi_add(bi, 6 * MiB + 64 * KiB, 64 * KiB, BOOT_MEM_ACPI_NVS);
	host_bi_add(bi, 6 * MiB + 128 * KiB, 64 * KiB, BOOT_MEM_UNUSABLE);
	host_bi_add(bi, 6 * MiB + 192 * KiB, 64 * KiB, BOOT_MEM_PAL_CODE);
	host_bi_add(bi, 6 * MiB + 256 * KiB, 64 * KiB, BOOT_MEM_PERSISTENT);
	host_bi_add(bi, 7 * MiB, 1 * MiB, BOOT_MEM_RESERVED);
	host_bi_add(bi, 0xfec00000, 4 * KiB, BOOT_MEM_MMIO);
	host_bi_add(bi, 0xffc00000, 4 * MiB, BOOT_MEM_MMIO);
	host_bi_add(bi, 0xfee00000, 4 * KiB, BOOT_MEM_MMIO_PORT);
	/* Overlaps the conventional region above: reserved must win. */
	host_bi_add(bi, 12 * MiB, 128 * KiB, BOOT_MEM_RESERVED);
	host_bi_add(bi, 15 * MiB, 8 * KiB, BOOT_MEM_ACPI_NVS);
}

/* The types the allocator may use, written out independently of page.c. */
static bool type_usable(uint32_t type)
{
	return type == BOOT_MEM_CONVENTIONAL || type == BOOT_MEM_BOOT_CODE ||
	       type == BOOT_MEM_BOOT_DATA;
}

/* True if [pa, pa+4K) may be handed out under the map in bi. */
static bool allowed(hpa_t pa)
{
	bool usable = false;

	if (pa < 1 * MiB)
		return false;
	for (uint32_t i = 0; i < bi->nregions; i++) {
		const struct boot_mem_region *r = &bi->regions[i];
		uint64_t end = r->base + r->npages * PAGE_SIZE;
		if (pa + PAGE_SIZE <= r->base || pa >= end)
			continue;
		if (!type_usable(r->type))
			return false;
		usable = true;
	}
	if (pa < bi->kernel_pa_end && pa + PAGE_SIZE > bi->kernel_pa_start)
		return false;
	for (uint32_t i = 0; i < bi->nfiles; i++)
		if (pa < bi->files[i].pa + bi->files[i].size &&
		    pa + PAGE_SIZE > bi->files[i].pa)
			return false;
	return usable;
}

/* Fails naming the first byte of the page at pa that is not zero. */
static void expect_zeroed(hpa_t pa, const char *who)
{
	const uint8_t *p = kva(pa);

	for (int i = 0; i < PAGE_SIZE; i++)
		cr_assert_eq(p[i], 0,
			     "%s: page 0x%lx is not zeroed: byte 0x%x is "
			     "0x%02x",
			     who, pa, i, p[i]);
}

/*
 * Allocates until page_alloc returns 0, checking every page; returns how
 * many it got and frees them all again.
 */
static size_t exhaust_and_free(void)
{
	static uint8_t seen[HOST_MEM_SIZE / PAGE_SIZE];
	static hpa_t pages[HOST_MEM_SIZE / PAGE_SIZE];
	size_t n = 0, before = page_free_count();
	hpa_t pa;

	memset(seen, 0, sizeof(seen));
	while ((pa = page_alloc()) != 0) {
		cr_assert_eq(pa % PAGE_SIZE, 0,
			     "page_alloc returned 0x%lx, not page aligned", pa);
		cr_assert_lt(pa, HOST_MEM_SIZE,
			     "page_alloc returned 0x%lx, beyond all RAM", pa);
		cr_assert(allowed(pa),
			  "page_alloc returned 0x%lx, which the memory map "
			  "puts off limits",
			  pa);
		cr_assert_not(seen[pa / PAGE_SIZE],
			      "page_alloc returned 0x%lx twice without a free",
			      pa);
		seen[pa / PAGE_SIZE] = 1;
		expect_zeroed(pa, "page_alloc");
		memset(kva(pa), 0x5a, PAGE_SIZE);
		pages[n++] = pa;
		cr_assert_eq(page_free_count(), before - n,
			     "page_free_count() is %zu after %zu page_alloc "
			     "calls from %zu free: page_nfree not kept",
			     page_free_count(), n, before);
	}
	cr_assert_eq(page_free_count(), 0,
		     "page_alloc returned 0 with page_free_count() = %zu",
		     page_free_count());
	cr_assert_eq(page_alloc(), 0,
		     "page_alloc after exhaustion did not return 0");
	cr_assert_eq(page_alloc_contig(1, 1), 0,
		     "page_alloc_contig(1, 1) after exhaustion did not return "
		     "0: a page was never marked used");
	for (size_t i = 0; i < n; i++) {
		page_free(pages[i]);
		cr_assert_eq(page_free_count(), i + 1,
			     "page_free_count() is %zu after freeing %zu "
			     "pages: page_free does not count",
			     page_free_count(), i + 1);
	}
	cr_assert_eq(page_free_count(), before,
		     "page_free_count() is %zu after freeing all, was %zu",
		     page_free_count(), before);
	return n;
}

static size_t count_allowed(void)
{
	size_t n = 0;

	for (hpa_t pa = 0; pa < HOST_MEM_SIZE; pa += PAGE_SIZE)
		n += allowed(pa);
	return n;
}

Test(page, every_type_only_usable_pages)
{
	map_every_type();
	page_init(bi);
	/* Everything allowed except the pages holding the state array. */
	size_t array_pages = ROUNDUP(16 * MiB / PAGE_SIZE, PAGE_SIZE) /
			     PAGE_SIZE;
	size_t want = count_allowed() - array_pages, got;

	cr_assert_eq(page_total_count(), want,
		     "page_init counted %zu usable pages, want %zu",
		     page_total_count(), want);
	got = exhaust_and_free();
	cr_assert_eq(got, want, "page_alloc handed out %zu pages, want %zu",
		     got, want);
	/* A second round gets the same pages again. */
	got = exhaust_and_free();
	cr_assert_eq(got, want,
		     "after freeing all, page_alloc handed out %zu pages, "
		     "want %zu",
		     got, want);
}

Test(page, loader_files_kernel_and_boot_info_kept)
{
	host_bi_add(bi, 1 * MiB, 31 * MiB, BOOT_MEM_CONVENTIONAL);
	bi->kernel_pa_start = 3 * MiB;
	bi->kernel_pa_end = 3 * MiB + 40 * KiB;
	bi->nfiles = 2;
	bi->files[0].pa = 5 * MiB;
	bi->files[0].size = 12345;
	bi->files[1].pa = 20 * MiB;
	bi->files[1].size = 1;
	page_init(bi);
	size_t n = exhaust_and_free();
	/* 31 MiB minus kernel (10), files (4 + 1) and two array pages. */
	cr_assert_eq(n, 31 * 256 - 10 - 4 - 1 - 2,
		     "page_alloc handed out %zu pages, want %d", n,
		     31 * 256 - 10 - 4 - 1 - 2);
}

Test(page, boot_info_in_usable_memory_kept)
{
	struct boot_info *in_ram = kva(6 * MiB);

	host_bi_add(bi, 1 * MiB, 15 * MiB, BOOT_MEM_CONVENTIONAL);
	memcpy(in_ram, bi, sizeof(*bi));
	page_init(in_ram);
	size_t bi_pages = ROUNDUP(sizeof(*bi), PAGE_SIZE) / PAGE_SIZE;
	cr_assert_eq(page_total_count(), 15 * 256 - bi_pages - 1,
		     "page_init counted %zu usable pages, want %zu",
		     page_total_count(), 15 * 256 - bi_pages - 1);
	for (size_t n = page_free_count(); n > 0; n--) {
		hpa_t pa = page_alloc();
		cr_assert_neq(pa, 0, "page_alloc returned 0 with %zu free", n);
		cr_assert(pa < 6 * MiB || pa >= 6 * MiB + bi_pages * PAGE_SIZE,
			  "boot_info page 0x%lx handed out", pa);
	}
}

Test(page, no_usable_memory)
{
	host_bi_add(bi, 0, 640 * KiB, BOOT_MEM_RESERVED);
	host_bi_add(bi, 1 * MiB, 16 * MiB, BOOT_MEM_ACPI_NVS);
	host_bi_add(bi, 0xfec00000, 4 * KiB, BOOT_MEM_MMIO);
	page_init(bi);
	cr_assert_eq(page_total_count(), 0, "page_total_count() is %zu, want 0",
		     page_total_count());
	cr_assert_eq(page_free_count(), 0, "page_free_count() is %zu, want 0",
		     page_free_count());
	cr_assert_eq(page_alloc(), 0,
		     "page_alloc returned a page from a map without RAM");
	cr_assert_eq(page_alloc_contig(2, 1), 0,
		     "page_alloc_contig returned pages from a map without RAM");
}

Test(page, empty_map)
{
	page_init(bi);
	cr_assert_eq(page_alloc(), 0,
		     "page_alloc returned a page from an empty map");
	cr_assert_eq(page_total_count(), 0, "page_total_count() is %zu, want 0",
		     page_total_count());
}

Test(page, region_wrapping_the_address_space)
{
	host_bi_add(bi, 1 * MiB, 8 * MiB, BOOT_MEM_CONVENTIONAL);
	host_bi_add(bi, 0xfffffffffff00000ULL, 1ULL << 40, BOOT_MEM_RESERVED);
	host_bi_add(bi, 4 * MiB, 0xfffffffffff00000ULL, BOOT_MEM_MMIO);
	page_init(bi);
	/* Everything from 4 MiB up is MMIO: 3 MiB remain, less the array. */
	cr_assert_eq(page_total_count(), 3 * 256 - 1,
		     "page_init counted %zu usable pages, want %d",
		     page_total_count(), 3 * 256 - 1);
	exhaust_and_free();
}

Test(page, reuse_is_zeroed)
{
	host_bi_add(bi, 1 * MiB, 4 * MiB, BOOT_MEM_CONVENTIONAL);
	page_init(bi);
	hpa_t pa = page_alloc();
	cr_assert_neq(pa, 0, "page_alloc returned 0 from 4 MiB of RAM");
	memset(kva(pa), 0xff, PAGE_SIZE);
	page_free(pa);
	size_t n = page_free_count();
	for (size_t i = 0; i < n; i++) {
		hpa_t q = page_alloc();
		cr_assert_neq(q, 0,
			      "page_alloc returned 0 after %zu of %zu free "
			      "pages",
			      i, n);
		expect_zeroed(q, "page_alloc of a freed page");
	}
}

Test(page, contig_alignment)
{
	map_every_type();
	page_init(bi);
	size_t nfree = page_free_count();
	hpa_t a = page_alloc_contig(3, 1);
	hpa_t b = page_alloc_contig(2, 2);
	hpa_t c = page_alloc_contig(3, 4);
	hpa_t d = page_alloc_contig(512, 512);

	cr_assert(a && b && c && d,
		  "page_alloc_contig failed: (3,1) 0x%lx (2,2) 0x%lx (3,4) "
		  "0x%lx (512,512) 0x%lx",
		  a, b, c, d);
	cr_assert_eq(b % (2 * PAGE_SIZE), 0,
		     "page_alloc_contig(2, 2) = 0x%lx, not 8 KiB aligned", b);
	cr_assert_eq(c % (4 * PAGE_SIZE), 0,
		     "page_alloc_contig(3, 4) = 0x%lx, not 16 KiB aligned", c);
	cr_assert_eq(d % LARGE_PAGE_SIZE, 0,
		     "page_alloc_contig(512, 512) = 0x%lx, not 2 MiB aligned",
		     d);
	for (int i = 0; i < 512; i++) {
		cr_assert(allowed(d + i * PAGE_SIZE),
			  "page_alloc_contig(512, 512): page 0x%lx is off "
			  "limits",
			  d + i * PAGE_SIZE);
		cr_assert_eq(*(uint64_t *)kva(d + i * PAGE_SIZE), 0,
			     "page_alloc_contig(512, 512): page 0x%lx is not "
			     "zeroed",
			     d + i * PAGE_SIZE);
	}
	for (int i = 0; i < 3; i++)
		cr_assert(allowed(a + i * PAGE_SIZE) &&
				  allowed(c + i * PAGE_SIZE),
			  "page_alloc_contig: page %d of 0x%lx or 0x%lx is off "
			  "limits",
			  i, a, c);
	cr_assert_eq(page_free_count(), nfree - 3 - 2 - 3 - 512,
		     "page_free_count() is %zu after 520 pages of "
		     "page_alloc_contig from %zu",
		     page_free_count(), nfree);
	page_free_contig(a, 3);
	page_free_contig(b, 2);
	page_free_contig(c, 3);
	page_free_contig(d, 512);
	cr_assert_eq(
		page_free_count(), nfree,
		"page_free_count() is %zu after page_free_contig, want %zu",
		page_free_count(), nfree);
}

static void expect_contig(size_t npages, hpa_t want)
{
	hpa_t got = page_alloc_contig(npages, 1);

	cr_assert_eq(got, want, "page_alloc_contig(%zu, 1) = 0x%lx, want 0x%lx",
		     npages, got, want);
}

Test(page, contig_skips_holes)
{
	/* Two usable runs of 3 pages, and one of 8 past a reserved page. */
	host_bi_add(bi, 1 * MiB, 3 * PAGE_SIZE, BOOT_MEM_CONVENTIONAL);
	host_bi_add(bi, 2 * MiB, 3 * PAGE_SIZE, BOOT_MEM_CONVENTIONAL);
	host_bi_add(bi, 3 * MiB, 8 * PAGE_SIZE, BOOT_MEM_CONVENTIONAL);
	host_bi_add(bi, 3 * MiB + 4 * PAGE_SIZE, PAGE_SIZE, BOOT_MEM_RESERVED);
	page_init(bi);
	/* The state array took the first page of the first run. */
	expect_contig(3, 2 * MiB);
	expect_contig(3, 3 * MiB);
	expect_contig(3, 3 * MiB + 5 * PAGE_SIZE);
	expect_contig(2, 1 * MiB + PAGE_SIZE);
	expect_contig(1, 3 * MiB + 3 * PAGE_SIZE);
	expect_contig(1, 0);
	expect_contig(0, 0);
}

Test(page, self_check_passes)
{
	map_every_type();
	host_bi_add(bi, 16 * MiB, 16 * MiB, BOOT_MEM_CONVENTIONAL);
	page_init(bi);
	int before = host_result_count();
	check_page_alloc();
	cr_assert_eq(host_result_count(), before + 1,
		     "check_page_alloc printed no result line");
	cr_assert_str_eq(host_result_last(), "check_page_alloc() succeeded!\n",
			 "check_page_alloc printed \"%s\"", host_result_last());
}

/*
 * The panic tests: each ends in a panic from page_free (SIGABRT); if
 * page_free returns instead, expect_no_return fails the test naming the
 * call.
 */
#define expect_no_return(what, pa)                                      \
	cr_assert_fail("page_free(0x%llx) returned: %s, it must panic", \
		       (unsigned long long)(pa), what)

Test(page, double_free_panics, .signal = SIGABRT)
{
	host_bi_add(bi, 1 * MiB, 4 * MiB, BOOT_MEM_CONVENTIONAL);
	page_init(bi);
	hpa_t pa = page_alloc();
	page_free(pa);
	host_expect_panic("page_free");
	page_free(pa);
	expect_no_return("a double free", pa);
}

Test(page, free_of_reserved_page_panics, .signal = SIGABRT)
{
	map_every_type();
	page_init(bi);
	host_expect_panic("page_free");
	page_free(5 * MiB); /* runtime code */
	expect_no_return("the page is UEFI runtime code, never allocatable",
			 5 * MiB);
}

Test(page, free_of_low_page_panics, .signal = SIGABRT)
{
	map_every_type();
	page_init(bi);
	host_expect_panic("page_free");
	page_free(0);
	expect_no_return("page 0 is never allocatable", 0);
}

Test(page, free_misaligned_panics, .signal = SIGABRT)
{
	host_bi_add(bi, 1 * MiB, 4 * MiB, BOOT_MEM_CONVENTIONAL);
	page_init(bi);
	hpa_t pa = page_alloc() + 8;
	host_expect_panic("page_free");
	page_free(pa);
	expect_no_return("the address is not page aligned", pa);
}

Test(page, free_beyond_ram_panics, .signal = SIGABRT)
{
	host_bi_add(bi, 1 * MiB, 4 * MiB, BOOT_MEM_CONVENTIONAL);
	page_init(bi);
	host_expect_panic("page_free");
	page_free(1ULL << 40);
	expect_no_return("the page is far beyond RAM", 1ULL << 40);
}

/*
 * RAM ends at 5 MiB, so the state array has entries for pages 0 to 1279;
 * page 1280 is the first one past it (i == page_npages), and the byte
 * there is not part of the array.
 */
Test(page, free_first_page_past_the_array_panics, .signal = SIGABRT)
{
	host_bi_add(bi, 1 * MiB, 4 * MiB, BOOT_MEM_CONVENTIONAL);
	page_init(bi);
	host_expect_panic("page_free");
	page_free(5 * MiB);
	expect_no_return("the page is the first past the allocator's array "
			 "(index page_npages): check i >= page_npages",
			 5 * MiB);
}

Test(page, no_room_for_the_array_panics, .signal = SIGABRT)
{
	host_bi_add(bi, 0, 640 * KiB, BOOT_MEM_CONVENTIONAL);
	host_bi_add(bi, 768 * KiB, 256 * KiB, BOOT_MEM_BOOT_DATA);
	host_expect_panic("page_init: no free run");
	page_init(bi);
	cr_assert_fail("page_init returned without room for its array");
}
