/*
 * inc/public/hvm/start_info.h - what a PVH kernel (hvm container) finds
 * at EBX when it starts at its XEN_ELFNOTE_PHYS32_ENTRY: 32-bit protected
 * mode, paging off, flat CS and DS (xen/include/public/arch-x86/
 * hvm/start_info.h).  All addresses are guest-physical.
 */
#ifndef INC_PUBLIC_HVM_START_INFO_H
#define INC_PUBLIC_HVM_START_INFO_H

#define XEN_HVM_START_MAGIC_VALUE 0x336ec578

struct hvm_start_info {
	uint32_t magic;
	uint32_t version; /* 1: has the memory map */
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr; /* struct hvm_modlist_entry[nr_modules] */
	uint64_t cmdline_paddr; /* NUL-terminated */
	uint64_t rsdp_paddr;
	uint64_t memmap_paddr; /* struct hvm_memmap_table_entry[] */
	uint32_t memmap_entries;
	uint32_t reserved;
};

struct hvm_modlist_entry {
	uint64_t paddr;
	uint64_t size;
	uint64_t cmdline_paddr;
	uint64_t reserved;
};

struct hvm_memmap_table_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type; /* e820: 1 RAM, 2 reserved */
	uint32_t reserved;
};

_Static_assert(sizeof(struct hvm_start_info) == 56, "hvm_start_info");
_Static_assert(sizeof(struct hvm_modlist_entry) == 32, "hvm_modlist_entry");
_Static_assert(sizeof(struct hvm_memmap_table_entry) == 24,
	       "hvm_memmap_table_entry");

#endif
