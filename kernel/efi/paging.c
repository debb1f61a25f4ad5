/*
 * paging.c - the page tables the kernel starts on (SDM 3A 4.5, 4-level
 * paging):
 *   - identity map of RAM (2 MiB pages), so the loader code that loads CR3
 *     keeps running, plus UEFI runtime MMIO for the ResetSystem fallback;
 *   - the direct map: all RAM at DIRECTMAP_BASE + pa (2 MiB pages, NX);
 *   - hv.elf's PT_LOAD segments at their link addresses (4 KiB pages, W
 *     and NX from the segment flags).
 * The table pages come from a pool reserved before ExitBootServices,
 * sized from the memory map.
 */
#include <inc/mmu.h>
#include <inc/string.h>
#include <inc/x86.h>
#include <kernel/efi/loader.h>
#include <kernel/load/config.h>

#define PAGING_SLACK 16

static pte_t *paging_pool;
static uint64_t paging_pool_pages;
static uint64_t paging_pool_used;
/* RAM's end, rounded up: allocations after memmap_reserve change types only. */
static uint64_t paging_ram_end;

void paging_reserve(uint64_t ram_end, uint64_t mmio_gib, uint64_t kern_span)
{
	uint64_t gib = ROUNDUP(ram_end, GiB) / GiB;
	uint64_t n = 1;

	if (ram_end > DIRECTMAP_MAX)
		loader_fail(
			"RAM ends at 0x%llx, beyond the direct map's %llu GiB",
			(unsigned long long)ram_end,
			(unsigned long long)(DIRECTMAP_MAX / GiB));
	n += 2 * (gib / 512 + 1) + 2 * gib;
	n += 2 * mmio_gib;
	n += kern_span / LARGE_PAGE_SIZE + 2 + 2;
	paging_pool_pages = n + PAGING_SLACK;
	paging_ram_end = ROUNDUP(ram_end, LARGE_PAGE_SIZE);
	paging_pool = alloc_pages(paging_pool_pages, "page tables");
}

/* A zeroed page-table page from the pool (already zeroed by alloc_pages). */
static pte_t *paging_alloc(void)
{
	if (paging_pool_used >= paging_pool_pages)
		loader_fail("paging: page-table pool of %llu pages exhausted",
			    (unsigned long long)paging_pool_pages);
	return paging_pool + PT_ENTRIES * paging_pool_used++;
}

/* The entry for va at leaf_level (1: 4 KiB, 2: 2 MiB), creating the
 * tables above it. */
static pte_t *paging_walk(pte_t *pml4, uint64_t va, int leaf_level)
{
	pte_t *table = pml4;

	for (int level = 4; level > leaf_level; level--) {
		pte_t *e = &table[PT_INDEX(va, level)];

		if (!(*e & PTE_P))
			*e = (uint64_t)(uintptr_t)paging_alloc() | PTE_P |
			     PTE_W;
		else if (*e & PTE_PS)
			loader_fail("paging: large page in the way at 0x%llx",
				    (unsigned long long)va);
		table = (pte_t *)(uintptr_t)PTE_ADDR(*e);
	}
	return &table[PT_INDEX(va, leaf_level)];
}

/* Maps [pa, pa+size) at va with 2 MiB pages; keeps existing mappings. */
static void paging_map_large(pte_t *pml4, uint64_t va, uint64_t pa,
			     uint64_t size, uint64_t flags)
{
	for (uint64_t off = 0; off < size; off += LARGE_PAGE_SIZE) {
		pte_t *e = paging_walk(pml4, va + off, 2);

		if (!(*e & PTE_P))
			*e = (pa + off) | flags | PTE_P | PTE_PS;
	}
}

/* Maps one PT_LOAD segment in 4 KiB pages; a page two segments share
 * gets the union of their permissions. */
static void paging_map_segment(pte_t *pml4, const struct elf_segment *s,
			       uint64_t va_lo, uint64_t pa_lo)
{
	uint64_t va = ROUNDDOWN(s->vaddr, PAGE_SIZE);
	uint64_t end = ROUNDUP(s->vaddr + s->memsz, PAGE_SIZE);

	for (; va < end; va += PAGE_SIZE) {
		pte_t *e = paging_walk(pml4, va, 1);
		pte_t old = *e;

		*e = (pa_lo + (va - va_lo)) | PTE_P | PTE_G;
		if ((s->flags & PF_W) || (old & PTE_W))
			*e |= PTE_W;
		if (!(s->flags & PF_X) && (!(old & PTE_P) || (old & PTE_NX)))
			*e |= PTE_NX;
	}
}

static void paging_map_kernel(pte_t *pml4, const struct boot_info *bi)
{
	const struct boot_file *f = boot_file_find(bi, "hv.elf");
	const void *img = (const void *)(uintptr_t)f->pa;
	uint64_t lo, hi;

	elf_load_span(img, &lo, &hi);
	lo = ROUNDDOWN(lo, PAGE_SIZE);
	for (unsigned i = 0; i < elf_phnum(img); i++) {
		struct elf_segment s = elf_segment(img, i);

		if (s.type == PT_LOAD && s.memsz != 0)
			paging_map_segment(pml4, &s, lo, bi->kernel_pa_start);
	}
}

uint64_t paging_build(const struct boot_info *bi)
{
	pte_t *pml4 = paging_alloc();

	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	paging_map_large(pml4, 0, 0, paging_ram_end, PTE_W);
	paging_map_large(pml4, DIRECTMAP_BASE, 0, paging_ram_end,
			 PTE_W | PTE_NX);
	for (uint32_t i = 0; i < bi->nregions; i++) {
		const struct boot_mem_region *r = &bi->regions[i];
		uint64_t base = ROUNDDOWN(r->base, LARGE_PAGE_SIZE);
		uint64_t end = ROUNDUP(r->base + r->npages * PAGE_SIZE,
				       LARGE_PAGE_SIZE);

		if (!boot_mem_is_ram(r->type) && (r->attr & EFI_MEMORY_RUNTIME))
			paging_map_large(pml4, base, base, end - base,
					 PTE_W | PTE_PCD | PTE_PWT | PTE_NX);
	}
	paging_map_kernel(pml4, bi);
	return (uint64_t)(uintptr_t)pml4;
}
