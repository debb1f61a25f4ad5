/*
 * page.c - the physical page allocator (lab 1).
 *
 * One byte of state per 4 KiB page, from physical address 0 up to the end
 * of the highest allocatable region, in an array that page_init places in
 * free memory it finds from the UEFI memory map (UEFI spec 2.10, 7.2
 * GetMemoryMap).  Only conventional and boot-services memory is ever
 * handed out.  All memory is reached through kva(), so host-side tests can
 * run this file over a simulated physical memory.
 */
#include <inc/boot_info.h>
#include <kernel/kernel.h>
#include <kernel/mm/page.h>

enum page_state {
	PAGE_RESERVED = 0, /* never handed out */
	PAGE_FREE,
	PAGE_USED,
};

/* Memory below 1 MiB stays with the firmware and legacy devices. */
#define PAGE_LOW_LIMIT (1 * MiB)

struct page_range {
	hpa_t start, end;
};

uint64_t kva_offset = DIRECTMAP_BASE;

static uint8_t *page_state;
static size_t page_npages; /* pages the state array covers */
static size_t page_nfree;
static size_t page_ntotal;
static size_t page_next; /* where page_alloc starts looking */
static const struct boot_info *page_bi;

/* Ranges that must never be handed out, whatever the map says elsewhere. */
static struct page_range page_holes[BOOT_MAX_REGIONS + BOOT_MAX_FILES + 3];
static int page_nholes;

bool page_type_allocatable(uint32_t type)
{
	return type == BOOT_MEM_CONVENTIONAL || type == BOOT_MEM_BOOT_CODE ||
	       type == BOOT_MEM_BOOT_DATA;
}

/* a + b, or the last page boundary of the address space if that wraps. */
static hpa_t page_add_sat(hpa_t a, uint64_t b)
{
	return a + b < a ? ROUNDDOWN(UINT64_MAX, PAGE_SIZE) : a + b;
}

static hpa_t page_region_end(const struct boot_mem_region *r)
{
	if (r->npages > UINT64_MAX >> PAGE_SHIFT)
		return ROUNDDOWN(UINT64_MAX, PAGE_SIZE);
	return page_add_sat(r->base, r->npages << PAGE_SHIFT);
}

static void page_add_hole(hpa_t start, hpa_t end)
{
	if (end <= start)
		return;
	page_holes[page_nholes].start = ROUNDDOWN(start, PAGE_SIZE);
	page_holes[page_nholes].end = page_add_sat(end, PAGE_SIZE - 1) &
				      ~(hpa_t)(PAGE_SIZE - 1);
	page_nholes++;
}

/*
 * Records every range that is off limits: regions of the other types (they
 * win where regions overlap), low memory, and what the loader left for the
 * kernel (hv.elf, the loaded files, boot_info itself).
 */
static void page_find_holes(const struct boot_info *bi)
{
	hpa_t bi_pa = (uintptr_t)bi - kva_offset;

	page_nholes = 0;
	page_add_hole(0, PAGE_LOW_LIMIT);
	for (uint32_t i = 0; i < bi->nregions; i++) {
		const struct boot_mem_region *r = &bi->regions[i];
		if (!page_type_allocatable(r->type))
			page_add_hole(r->base, page_region_end(r));
	}
	page_add_hole(bi->kernel_pa_start, bi->kernel_pa_end);
	for (uint32_t i = 0; i < bi->nfiles; i++)
		page_add_hole(bi->files[i].pa,
			      page_add_sat(bi->files[i].pa, bi->files[i].size));
	page_add_hole(bi_pa, page_add_sat(bi_pa, sizeof(*bi)));
}

/* True if [start, end) meets a hole; *hole_end is then where that hole ends. */
static bool page_hits_hole(hpa_t start, hpa_t end, hpa_t *hole_end)
{
	for (int i = 0; i < page_nholes; i++) {
		if (page_holes[i].start < end && start < page_holes[i].end) {
			*hole_end = page_holes[i].end;
			return true;
		}
	}
	return false;
}

/*
 * First page-aligned run of size bytes inside an allocatable region and
 * clear of every hole, or 0 if there is none.
 */
static hpa_t page_find_room(const struct boot_info *bi, uint64_t size)
{
	for (uint32_t i = 0; i < bi->nregions; i++) {
		const struct boot_mem_region *r = &bi->regions[i];
		hpa_t end = page_region_end(r), hole_end;
		hpa_t at = ROUNDUP(MAX(r->base, PAGE_LOW_LIMIT), PAGE_SIZE);
		if (!page_type_allocatable(r->type))
			continue;
		while (at + size <= end && at + size > at) {
			if (!page_hits_hole(at, at + size, &hole_end))
				return at;
			at = ROUNDUP(hole_end, PAGE_SIZE);
		}
	}
	return 0;
}

static void page_mark(hpa_t start, hpa_t end, enum page_state state)
{
	size_t first = ROUNDUP(start, PAGE_SIZE) >> PAGE_SHIFT;
	size_t last = MIN(end >> PAGE_SHIFT, page_npages);

	for (size_t i = first; i < last; i++)
		page_state[i] = (uint8_t)state;
}

/* Pages the state array must cover: up to the highest allocatable page. */
static size_t page_count_needed(const struct boot_info *bi)
{
	hpa_t top = 0;

	for (uint32_t i = 0; i < bi->nregions; i++) {
		const struct boot_mem_region *r = &bi->regions[i];
		if (page_type_allocatable(r->type))
			top = MAX(top, MIN(page_region_end(r), DIRECTMAP_MAX));
	}
	return top >> PAGE_SHIFT;
}

void page_init(const struct boot_info *bi)
{
	size_t npages = page_count_needed(bi);
	hpa_t array;

	page_bi = bi;
	page_find_holes(bi);
	page_state = NULL;
	page_npages = page_nfree = page_ntotal = page_next = 0;
	if (npages == 0)
		return;
	array = page_find_room(bi, ROUNDUP(npages, PAGE_SIZE));
	if (!array)
		panic("page_init: no free run of %zu KiB for the page array",
		      ROUNDUP(npages, PAGE_SIZE) / 1024);
	page_state = kva(array);
	page_npages = npages;
	memset(page_state, PAGE_RESERVED, npages);
	for (uint32_t i = 0; i < bi->nregions; i++) {
		const struct boot_mem_region *r = &bi->regions[i];
		if (page_type_allocatable(r->type))
			page_mark(r->base, page_region_end(r), PAGE_FREE);
	}
	for (int i = 0; i < page_nholes; i++)
		page_mark(page_holes[i].start, page_holes[i].end,
			  PAGE_RESERVED);
	page_mark(array, array + ROUNDUP(npages, PAGE_SIZE), PAGE_RESERVED);
	for (size_t i = 0; i < npages; i++)
		page_nfree += page_state[i] == PAGE_FREE;
	page_ntotal = page_nfree;
}

/*
 * Fills the page at pa with zeros.  A plain store loop: emulators such as
 * QEMU's TCG run it several times faster than rep stosq, which they step
 * one iteration at a time; volatile keeps it from becoming a memset call.
 */
static void page_zero(hpa_t pa)
{
	volatile uint64_t *p = kva(pa);

	for (int i = 0; i < PAGE_SIZE / 8; i += 4) {
		p[i] = 0;
		p[i + 1] = 0;
		p[i + 2] = 0;
		p[i + 3] = 0;
	}
}

hpa_t page_alloc(void)
{
#if SOL >= 1
	for (size_t n = 0; n < page_npages; n++) {
		size_t i = (page_next + n) % page_npages;
		if (page_state[i] != PAGE_FREE)
			continue;
		page_state[i] = PAGE_USED;
		page_nfree--;
		page_next = i + 1;
		page_zero((hpa_t)i << PAGE_SHIFT);
		return (hpa_t)i << PAGE_SHIFT;
	}
	return 0;
#else
	/* LAB 1: your code here */
	panic("page_alloc: not implemented");
#endif
}

/*
 * True if npages pages from index i on are all free; else *next is the
 * index just past the first one that is not.
 */
static bool page_run_free(size_t i, size_t npages, size_t *next)
{
	for (size_t j = i; j < i + npages; j++) {
		if (page_state[j] != PAGE_FREE) {
			*next = j + 1;
			return false;
		}
	}
	return true;
}

hpa_t page_alloc_contig(size_t npages, size_t align_pages)
{
	size_t i, next;

	if (npages == 0)
		return 0;
	align_pages = MAX(align_pages, 1);
	for (i = 0; i + npages <= page_npages && i + npages > i;
	     i = ROUNDUP(next, align_pages)) {
		if (!page_run_free(i, npages, &next))
			continue;
		for (size_t j = i; j < i + npages; j++) {
			page_state[j] = PAGE_USED;
			page_zero((hpa_t)j << PAGE_SHIFT);
		}
		page_nfree -= npages;
		return (hpa_t)i << PAGE_SHIFT;
	}
	return 0;
}

void page_free(hpa_t pa)
{
#if SOL >= 1
	size_t i = pa >> PAGE_SHIFT;

	if (pa % PAGE_SIZE)
		panic("page_free: 0x%llx is not page aligned",
		      (unsigned long long)pa);
	if (i >= page_npages || page_state[i] == PAGE_RESERVED)
		panic("page_free: 0x%llx is not allocatable memory",
		      (unsigned long long)pa);
	if (page_state[i] == PAGE_FREE)
		panic("page_free: double free of 0x%llx",
		      (unsigned long long)pa);
	page_state[i] = PAGE_FREE;
	page_nfree++;
#else
	/* LAB 1: your code here */
	panic("page_free: not implemented");
#endif
}

void page_free_contig(hpa_t pa, size_t npages)
{
	for (size_t i = 0; i < npages; i++)
		page_free(pa + i * PAGE_SIZE);
}

size_t page_free_count(void)
{
	return page_nfree;
}

const struct boot_info *page_boot_map(void)
{
	return page_bi;
}

size_t page_total_count(void)
{
	return page_ntotal;
}

static const char *const page_type_names[BOOT_MEM_NTYPES] = {
	"reserved",  "loader code",  "loader data",  "boot code",
	"boot data", "runtime code", "runtime data", "conventional",
	"unusable",  "ACPI reclaim", "ACPI NVS",     "MMIO",
	"MMIO port", "PAL code",     "persistent",
};

void page_print_summary(const struct boot_info *bi)
{
	uint64_t bytes[BOOT_MEM_NTYPES + 1] = { 0 };

	for (uint32_t i = 0; i < bi->nregions; i++) {
		const struct boot_mem_region *r = &bi->regions[i];
		bytes[MIN(r->type, (uint32_t)BOOT_MEM_NTYPES)] += r->npages
								  << PAGE_SHIFT;
	}
	cprintf("hvlab: memory map: %u regions\n", bi->nregions);
	for (int t = 0; t <= BOOT_MEM_NTYPES; t++)
		if (bytes[t])
			cprintf("  %-14s %8llu KiB\n",
				t < BOOT_MEM_NTYPES ? page_type_names[t] :
						      "other",
				(unsigned long long)(bytes[t] / 1024));
	cprintf("hvlab: %zu MiB free of %zu MiB usable (%zu pages)\n",
		page_nfree >> (20 - PAGE_SHIFT),
		page_ntotal >> (20 - PAGE_SHIFT), page_nfree);
}
