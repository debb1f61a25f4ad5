/*
 * page_check.c - check_page_alloc, the boot-time self-check of the page
 * allocator (lab 1).  It allocates every free page, checks each against
 * the memory map independently of page.c's own bookkeeping, frees them all,
 * and exercises contiguous allocation.  Runs on the host tests too.
 */
#include <inc/boot_info.h>
#include <kernel/kernel.h>
#include <kernel/mm/page.h>

static const struct boot_info *check_bi;
static uint64_t *check_seen; /* one bit per page: handed out already */
static size_t check_seen_bits;

static bool check_overlaps(hpa_t pa, hpa_t start, uint64_t size)
{
	return pa + PAGE_SIZE > start && pa < start + size;
}

/* Panics unless the page at pa is allocatable by the map's rules. */
static void check_page_allowed(hpa_t pa)
{
	const struct boot_info *bi = check_bi;
	bool in_usable = false;

	assert(pa != 0 && pa % PAGE_SIZE == 0);
	for (uint32_t i = 0; i < bi->nregions; i++) {
		const struct boot_mem_region *r = &bi->regions[i];
		if (!check_overlaps(pa, r->base, r->npages << PAGE_SHIFT))
			continue;
		if (!page_type_allocatable(r->type))
			panic("check_page_alloc: page 0x%llx lies in a region "
			      "of type %u",
			      (unsigned long long)pa, r->type);
		in_usable = true;
	}
	if (!in_usable)
		panic("check_page_alloc: page 0x%llx is outside usable RAM",
		      (unsigned long long)pa);
	assert(!check_overlaps(pa, bi->kernel_pa_start,
			       bi->kernel_pa_end - bi->kernel_pa_start));
	for (uint32_t i = 0; i < bi->nfiles; i++)
		assert(!check_overlaps(pa, bi->files[i].pa, bi->files[i].size));
}

/* Panics unless every step-th word of the page, and its last word, is 0. */
static void check_zeroed(hpa_t pa, int step)
{
	const uint64_t *p = kva(pa);
	bool zero = p[PAGE_SIZE / 8 - 1] == 0;

	for (int w = 0; w < PAGE_SIZE / 8 && zero; w += step)
		zero = p[w] == 0;
	if (!zero)
		panic("check_page_alloc: page 0x%llx is not zeroed",
		      (unsigned long long)pa);
}

/*
 * Checks a freshly allocated page: allowed, zeroed, not handed out before.
 * Sampling every 64th word keeps the boot fast; the host tests read all.
 */
static void check_fresh_page(hpa_t pa)
{
	size_t i = pa >> PAGE_SHIFT;

	check_page_allowed(pa);
	check_zeroed(pa, 64);
	if (i >= check_seen_bits)
		panic("check_page_alloc: page 0x%llx is beyond usable RAM",
		      (unsigned long long)pa);
	if (check_seen[i / 64] & (1ULL << (i % 64)))
		panic("check_page_alloc: page 0x%llx handed out twice",
		      (unsigned long long)pa);
	check_seen[i / 64] |= 1ULL << (i % 64);
}

/* Allocates a bitmap with a bit for every page up to the top of the map. */
static hpa_t check_alloc_seen(size_t *npages)
{
	hpa_t top = 0, pa;

	for (uint32_t i = 0; i < check_bi->nregions; i++) {
		const struct boot_mem_region *r = &check_bi->regions[i];
		if (page_type_allocatable(r->type))
			top = MAX(top, r->base + (r->npages << PAGE_SHIFT));
	}
	check_seen_bits = top >> PAGE_SHIFT;
	*npages = ROUNDUP(ROUNDUP(check_seen_bits, 64) / 8, PAGE_SIZE) /
		  PAGE_SIZE;
	pa = page_alloc_contig(*npages, 1);
	assert(pa != 0);
	check_seen = kva(pa);
	return pa;
}

/* Allocates until exhaustion; returns the pages chained through word 0. */
static hpa_t check_exhaust(size_t *count)
{
	hpa_t head = 0, pa;

	*count = 0;
	while ((pa = page_alloc()) != 0) {
		check_fresh_page(pa);
		*(hpa_t *)kva(pa) = head;
		head = pa;
		(*count)++;
	}
	assert(page_free_count() == 0);
	assert(page_alloc_contig(1, 1) == 0);
	return head;
}

static void check_contig(size_t npages, size_t align)
{
	size_t nfree = page_free_count();
	hpa_t pa = page_alloc_contig(npages, align);

	if (!pa)
		panic("check_page_alloc: no %zu contiguous pages aligned to "
		      "%zu",
		      npages, align);
	assert(pa % (align * PAGE_SIZE) == 0);
	for (size_t i = 0; i < npages; i++) {
		check_page_allowed(pa + i * PAGE_SIZE);
		check_zeroed(pa + i * PAGE_SIZE, 1);
		*(uint64_t *)kva(pa + i * PAGE_SIZE) = 0xdeadbeef;
	}
	assert(page_free_count() == nfree - npages);
	page_free_contig(pa, npages);
	assert(page_free_count() == nfree);
}

/*
 * Panics on the first inconsistency; prints the result line only when every
 * check passed.  Needs at least 512 free 2 MiB-aligned contiguous pages.
 */
void check_page_alloc(void)
{
	const struct boot_info *bi = page_boot_map();
	size_t nfree = page_free_count(), seen_pages, count;
	hpa_t seen, head, pa;

	assert(bi != NULL);
	check_bi = bi;
	assert(nfree > 0 && nfree <= page_total_count());
	seen = check_alloc_seen(&seen_pages);
	head = check_exhaust(&count);
	assert(count == nfree - seen_pages);
	while (head) {
		pa = head;
		head = *(hpa_t *)kva(pa);
		page_free(pa);
	}
	assert(page_free_count() == nfree - seen_pages);
	/* Reuse: the page held a list link, it must come back zeroed. */
	pa = page_alloc();
	assert(pa != 0);
	check_zeroed(pa, 1);
	page_free(pa);
	page_free_contig(seen, seen_pages);
	assert(page_free_count() == nfree);
	check_contig(1, 1);
	check_contig(3, 1);
	check_contig(2, 2);
	check_contig(3, 4);
	check_contig(512, 512);
	result_printf("check_page_alloc() succeeded!\n");
}
