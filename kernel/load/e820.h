/*
 * e820.h - an hvm guest's memory map, as a PC BIOS reports it with INT 15h
 * E820h (ACPI 6.5 section 15 "System Address Map Interfaces"): the one map
 * behind Linux's boot_params, fw_cfg's "etc/e820" and the Multiboot mmap.
 */
#ifndef KERNEL_LOAD_E820_H
#define KERNEL_LOAD_E820_H

#include <inc/types.h>
#include <kernel/dev/platform.h>

#define E820_RAM      1
#define E820_RESERVED 2

#define E820_MAX 8

/* One range, laid out as the BIOS call and Linux's boot_params store it. */
struct e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
} __attribute__((packed));

_Static_assert(sizeof(struct e820_entry) == 20, "e820 entry is 20 bytes");

/*
 * Fills e (room for E820_MAX) with the map of an hvm guest whose RAM is
 * [0, ram_end): RAM below the EBDA, the EBDA and the BIOS area (where the
 * ACPI and MP tables live) reserved, RAM from 1 MiB to ram_end.  Pages
 * above ram_end that the guest must not use as RAM (the xenstore ring)
 * are simply left out.  Returns the number of entries.
 */
int e820_build(uint64_t ram_end, struct e820_entry *e);

/* The RAM end of an hvm domain of size bytes: one with xen_platform ends
 * in its xenstore ring (lab 7), then its platform device's BAR1. */
static inline uint64_t e820_ram_end(uint64_t size, bool xen_platform)
{
	return size - (xen_platform ? PLATFORM_XEN_MMIO_SIZE + 4096 : 0);
}

#endif
