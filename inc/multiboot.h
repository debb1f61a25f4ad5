/*
 * multiboot.h - Multiboot v1 (Multiboot Specification 0.6.96): the header
 * a kernel carries (3.1.1, 3.1.2), the magic a loader leaves in EAX (3.2)
 * and the boot information structure (3.3).  Shared by the loader
 * (kernel/load/multiboot.c), hvlab's te loader, the guests' start code and
 * the tests; a .S file gets the constants only.
 */
#ifndef INC_MULTIBOOT_H
#define INC_MULTIBOOT_H

#define MB_HEADER_MAGIC 0x1BADB002
#define MB_BOOT_MAGIC	0x2BADB002 /* in EAX at entry */
#define MB_SEARCH	8192	   /* the header is in the first 8 KiB */

/* Header flags (3.1.2). */
#define MB_FLAG_PAGE_ALIGN  (1 << 0)
#define MB_FLAG_MEMORY_INFO (1 << 1)
#define MB_FLAG_AOUT_KLUDGE (1 << 16) /* the address fields are valid */

/* Boot information flags (3.3): which fields are valid. */
#define MBI_MEM		(1 << 0)
#define MBI_CMDLINE	(1 << 2)
#define MBI_MODS	(1 << 3)
#define MBI_MMAP	(1 << 6)
#define MBI_LOADER_NAME (1 << 9)

#ifndef __ASSEMBLER__
#include <inc/types.h>

struct mb_header {
	uint32_t magic, flags, checksum;
	uint32_t header_addr, load_addr, load_end_addr, bss_end_addr,
		entry_addr;
};

struct mb_info {
	uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
	uint32_t mods_count, mods_addr, syms[4], mmap_length, mmap_addr;
	uint32_t drives_length, drives_addr, config_table, boot_loader_name;
	uint32_t apm_table, vbe_control_info, vbe_mode_info;
	uint16_t vbe_mode, vbe_interface_seg, vbe_interface_off,
		vbe_interface_len;
};

struct mb_module {
	uint32_t mod_start, mod_end, string, reserved;
};

struct __attribute__((packed)) mb_mmap_entry {
	uint32_t size;
	uint64_t base_addr, length;
	uint32_t type;
};

_Static_assert(sizeof(struct mb_header) == 32, "mb_header layout");
_Static_assert(sizeof(struct mb_info) == 88, "mb_info layout");
_Static_assert(offsetof(struct mb_info, cmdline) == 16, "mb_info.cmdline");
_Static_assert(sizeof(struct mb_mmap_entry) == 24, "mb_mmap_entry layout");
#endif

#endif
