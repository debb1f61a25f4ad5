/*
 * bootparam.h - the Linux x86 boot protocol's structures (Linux
 * Documentation/arch/x86/boot.rst "The real-mode kernel header" and
 * zero-page.rst): the setup header a bzImage carries at offset 0x1f1 and
 * the boot_params "zero page" a loader fills for it (kernel/load/linux.c).
 * Only the fields hvlab reads or writes are named; offsets are pinned.
 */
#ifndef KERNEL_LOAD_BOOTPARAM_H
#define KERNEL_LOAD_BOOTPARAM_H

#include <inc/types.h>
#include <kernel/load/e820.h>

#define BP_HDR_OFFSET	  0x1f1
#define BP_HDR_MAGIC	  0x53726448 /* "HdrS" at 0x202 */
#define BP_BOOT_FLAG	  0xaa55
#define BP_VERSION_MIN	  0x020c    /* 2.12: xloadflags */
#define BP_LOADED_HIGH	  (1u << 0) /* loadflags: protected-mode code at 1 MiB+ */
#define BP_XLF_KERNEL_64  (1u << 0) /* xloadflags: 64-bit entry at +0x200 */
#define BP_ENTRY64_OFFSET 0x200
#define BP_LOADER_UNKNOWN 0xff /* type_of_loader: no assigned ID */
#define BP_E820_MAX	  128

struct setup_header {
	uint8_t setup_sects;
	uint16_t root_flags;
	uint32_t syssize; /* protected-mode code, 16-byte units */
	uint16_t ram_size, vid_mode, root_dev, boot_flag, jump;
	uint32_t header;
	uint16_t version;
	uint32_t realmode_swtch;
	uint16_t start_sys_seg, kernel_version;
	uint8_t type_of_loader, loadflags;
	uint16_t setup_move_size;
	uint32_t code32_start, ramdisk_image, ramdisk_size, bootsect_kludge;
	uint16_t heap_end_ptr;
	uint8_t ext_loader_ver, ext_loader_type;
	uint32_t cmd_line_ptr, initrd_addr_max, kernel_alignment;
	uint8_t relocatable_kernel, min_alignment;
	uint16_t xloadflags;
	uint32_t cmdline_size, hardware_subarch;
	uint64_t hardware_subarch_data;
	uint32_t payload_offset, payload_length;
	uint64_t setup_data, pref_address;
	uint32_t init_size, handover_offset, kernel_info_offset;
} __attribute__((packed));

struct boot_params {
	uint8_t pad0[0x70];
	uint64_t acpi_rsdp_addr;
	uint8_t pad1[0x1e8 - 0x78];
	uint8_t e820_entries;
	uint8_t pad2[BP_HDR_OFFSET - 0x1e9];
	struct setup_header hdr;
	uint8_t pad3[0x2d0 - 0x26c];
	struct e820_entry e820_table[BP_E820_MAX];
	uint8_t pad4[0x1000 - 0xcd0];
} __attribute__((packed));

_Static_assert(__builtin_offsetof(struct boot_params, hdr.header) == 0x202,
	       "HdrS at 0x202");
_Static_assert(__builtin_offsetof(struct boot_params, hdr.init_size) == 0x260,
	       "init_size at 0x260");
_Static_assert(__builtin_offsetof(struct boot_params, e820_table) == 0x2d0,
	       "e820_table at 0x2d0");
_Static_assert(sizeof(struct boot_params) == 4096, "the zero page");

#endif
