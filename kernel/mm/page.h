/*
 * page.h - the physical page allocator (kernel/mm/page.c, lab 1) and
 * conversions between physical and kernel-virtual addresses.
 */
#ifndef KERNEL_PAGE_H
#define KERNEL_PAGE_H

#include <inc/types.h>
#include <inc/memlayout.h>

struct boot_info;

/*
 * kva_offset is DIRECTMAP_BASE in the kernel; host-side tests point it at a
 * buffer that simulates physical memory.
 */
extern uint64_t kva_offset;

/* Kernel-virtual address of physical address pa, through the direct map. */
static inline void *kva(hpa_t pa)
{
	return (void *)(uintptr_t)(pa + kva_offset);
}

/* Physical address of a direct-map or kernel-image address. */
hpa_t kpa(const void *va);

/*
 * Builds the free list from the boot memory map.  Only conventional and
 * boot-services memory is ever handed out; firmware, runtime, ACPI, MMIO and
 * loader-owned memory (hv.elf, boot_info, loaded files) never is, nor page 0.
 */
void page_init(const struct boot_info *bi);

/* A zeroed 4 KiB page, or 0 when memory is exhausted. */
hpa_t page_alloc(void);

/*
 * npages physically contiguous zeroed pages whose address is a multiple of
 * align_pages pages, or 0 when no such run is free.
 */
hpa_t page_alloc_contig(size_t npages, size_t align_pages);

/* Returns a page to the allocator; panics on a double free or bad address. */
void page_free(hpa_t pa);
void page_free_contig(hpa_t pa, size_t npages);

/* Pages currently free, and usable RAM in all (for the memory summary). */
size_t page_free_count(void);
size_t page_total_count(void);

/* True for the memory types the allocator may hand out. */
bool page_type_allocatable(uint32_t type);

/* The boot_info page_init was given (its memory map), or NULL before. */
const struct boot_info *page_boot_map(void);

/* Prints RAM by memory type and the free and usable totals. */
void page_print_summary(const struct boot_info *bi);

/* Boot-time self-check; prints "check_page_alloc() succeeded!". */
void check_page_alloc(void);

#endif
