/*
 * memmap.c - page allocation, the UEFI memory map and ExitBootServices
 * (UEFI spec 2.10, 7.2 Memory Allocation Services and 7.4
 * EFI_BOOT_SERVICES.ExitBootServices()).
 *
 * ExitBootServices needs the key of the latest memory map, and any
 * allocation changes the map, so everything the loader needs afterwards
 * (boot_info, page-table pages, the map buffer itself) is allocated first.
 */
#include <inc/string.h>
#include <kernel/efi/loader.h>

#define MEMMAP_SLACK_DESCS 64
#define MEMMAP_EBS_TRIES   8

static EFI_MEMORY_DESCRIPTOR *memmap_buf;
static UINTN memmap_bufsize;

void *alloc_pages(uint64_t npages, const char *what)
{
	EFI_PHYSICAL_ADDRESS pa = 0;
	EFI_STATUS st;

	st = loader_bs->AllocatePages(AllocateAnyPages, EfiLoaderData, npages,
				      &pa);
	if (EFI_ERROR(st))
		loader_fail("%s: cannot allocate %llu pages: %s", what,
			    (unsigned long long)npages, loader_efi_status(st));
	memset((void *)(uintptr_t)pa, 0, npages * PAGE_SIZE);
	return (void *)(uintptr_t)pa;
}

#define memmap_for_each(d, buf, size, descsize)  \
	for (EFI_MEMORY_DESCRIPTOR *d = (buf);   \
	     (char *)d < (char *)(buf) + (size); \
	     d = (EFI_MEMORY_DESCRIPTOR *)((char *)d + (descsize)))

void memmap_reserve(uint64_t *ram_end, uint64_t *mmio_gib)
{
	UINTN size = 0, key, descsize;
	UINT32 ver;
	EFI_MEMORY_DESCRIPTOR *map;
	EFI_STATUS st;

	loader_bs->GetMemoryMap(&size, NULL, &key, &descsize, &ver);
	size += MEMMAP_SLACK_DESCS * descsize;
	memmap_bufsize = ROUNDUP(size, PAGE_SIZE);
	memmap_buf = alloc_pages(memmap_bufsize / PAGE_SIZE, "memory map");
	map = memmap_buf;
	size = memmap_bufsize;
	st = loader_bs->GetMemoryMap(&size, map, &key, &descsize, &ver);
	if (EFI_ERROR(st))
		loader_fail("GetMemoryMap: %s", loader_efi_status(st));
	*ram_end = 0;
	*mmio_gib = 0;
	memmap_for_each(d, map, size, descsize)
	{
		uint64_t end = d->PhysicalStart + d->NumberOfPages * PAGE_SIZE;

		if (boot_mem_is_ram(d->Type))
			*ram_end = MAX(*ram_end, end);
		else if (d->Attribute & EFI_MEMORY_RUNTIME)
			*mmio_gib += (end - 1) / GiB - d->PhysicalStart / GiB +
				     1;
	}
}

/* Converts the final map into bi->regions, merging neighbours that have
 * the same type and attributes. */
static void memmap_convert(struct boot_info *bi, UINTN size, UINTN descsize)
{
	struct boot_mem_region *r = NULL;

	bi->nregions = 0;
	memmap_for_each(d, memmap_buf, size, descsize)
	{
		if (r && r->type == d->Type && r->attr == d->Attribute &&
		    r->base + r->npages * PAGE_SIZE == d->PhysicalStart) {
			r->npages += d->NumberOfPages;
			continue;
		}
		if (bi->nregions >= BOOT_MAX_REGIONS)
			loader_fail("memory map has more than %d regions",
				    BOOT_MAX_REGIONS);
		r = &bi->regions[bi->nregions++];
		r->base = d->PhysicalStart;
		r->npages = d->NumberOfPages;
		r->type = d->Type;
		r->attr = d->Attribute;
	}
}

void memmap_exit_boot_services(struct boot_info *bi)
{
	UINTN size, key, descsize;
	UINT32 ver;
	EFI_STATUS st;

	for (int i = 0; i < MEMMAP_EBS_TRIES; i++) {
		size = memmap_bufsize;
		st = loader_bs->GetMemoryMap(&size, memmap_buf, &key, &descsize,
					     &ver);
		if (EFI_ERROR(st))
			loader_fail("GetMemoryMap: %s", loader_efi_status(st));
		st = loader_bs->ExitBootServices(loader_image, key);
		if (st == EFI_SUCCESS) {
			loader_console_exit_boot_services();
			memmap_convert(bi, size, descsize);
			return;
		}
		if (st != EFI_INVALID_PARAMETER)
			break;
	}
	loader_fail("ExitBootServices: %s", loader_efi_status(st));
}
