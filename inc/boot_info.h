/*
 * boot_info.h - what the UEFI loader hands the kernel.
 *
 * The loader fills one struct boot_info in EfiLoaderData memory, exits boot
 * services and jumps to the kernel entry with %rdi = the struct's address in
 * the direct map (DIRECTMAP_BASE + pa).  Every address inside is physical.
 */
#ifndef INC_BOOT_INFO_H
#define INC_BOOT_INFO_H

#include <inc/types.h>

#define BOOT_INFO_MAGIC	 0x31544f4f42564820ULL /* " HVBOOT1" */
#define BOOT_MAX_REGIONS 512
#define BOOT_MAX_FILES	 64
#define BOOT_NAME_MAX	 128
#define BOOT_CMDLINE_MAX 512

/* UEFI memory types (UEFI spec 2.10, 7.2 EFI_MEMORY_TYPE), kept verbatim. */
enum boot_mem_type {
	BOOT_MEM_RESERVED = 0,
	BOOT_MEM_LOADER_CODE = 1,
	BOOT_MEM_LOADER_DATA = 2,
	BOOT_MEM_BOOT_CODE = 3,
	BOOT_MEM_BOOT_DATA = 4,
	BOOT_MEM_RUNTIME_CODE = 5,
	BOOT_MEM_RUNTIME_DATA = 6,
	BOOT_MEM_CONVENTIONAL = 7,
	BOOT_MEM_UNUSABLE = 8,
	BOOT_MEM_ACPI_RECLAIM = 9,
	BOOT_MEM_ACPI_NVS = 10,
	BOOT_MEM_MMIO = 11,
	BOOT_MEM_MMIO_PORT = 12,
	BOOT_MEM_PAL_CODE = 13,
	BOOT_MEM_PERSISTENT = 14,
	BOOT_MEM_NTYPES
};

/* Whether memory of type t is RAM: what the direct map covers. */
static inline bool boot_mem_is_ram(uint32_t t)
{
	return t != BOOT_MEM_RESERVED && t != BOOT_MEM_UNUSABLE &&
	       t != BOOT_MEM_MMIO && t != BOOT_MEM_MMIO_PORT &&
	       t != BOOT_MEM_PAL_CODE && t < BOOT_MEM_NTYPES;
}

struct boot_mem_region {
	uint64_t base;	 /* physical, page aligned */
	uint64_t npages; /* 4 KiB pages */
	uint32_t type;	 /* enum boot_mem_type */
	uint32_t pad;
	uint64_t attr; /* EFI_MEMORY_* attribute bits */
};

/*
 * A file the loader read from the ESP: hv.elf itself ("hv.elf"), each domain
 * config ("domains/NAME.cfg") and each file a config names, with its path
 * relative to the ESP root and '/' as separator.
 */
struct boot_file {
	char name[BOOT_NAME_MAX];
	uint64_t pa;   /* page aligned, in EfiLoaderData memory */
	uint64_t size; /* bytes */
};

struct boot_info {
	uint64_t magic; /* BOOT_INFO_MAGIC */
	uint64_t size;	/* sizeof(struct boot_info), a version check */

	uint32_t nregions;
	uint32_t nfiles;
	struct boot_mem_region regions[BOOT_MAX_REGIONS];
	struct boot_file files[BOOT_MAX_FILES];

	uint64_t efi_runtime_pa;  /* EFI_RUNTIME_SERVICES, identity mapped */
	uint64_t kernel_pa_start; /* physical extent of hv.elf's segments */
	uint64_t kernel_pa_end;
	uint64_t boot_pml4_pa; /* the loader's page tables */

	char cmdline[BOOT_CMDLINE_MAX]; /* \hvlab.cmd's text, may be empty */
};

#endif
