/*
 * e820.c - the memory map of an hvm guest (kernel/load/e820.h).
 */
#include <kernel/load/e820.h>

#define EBDA_START 0x9fc00ULL /* the BIOS's extended data area, 1 KiB */
#define VGA_START  0xa0000ULL

static int e820_add(struct e820_entry *e, int n, uint64_t start, uint64_t end,
		    uint32_t type)
{
	if (end <= start || n == E820_MAX)
		return n;
	e[n] = (struct e820_entry){ start, end - start, type };
	return n + 1;
}

int e820_build(uint64_t ram_end, struct e820_entry *e)
{
	int n = 0;

	n = e820_add(e, n, 0, MIN(ram_end, EBDA_START), E820_RAM);
	n = e820_add(e, n, EBDA_START, VGA_START, E820_RESERVED);
	n = e820_add(e, n, PLATFORM_TABLES, PLATFORM_HOLE_END, E820_RESERVED);
	return e820_add(e, n, PLATFORM_HOLE_END, ram_end, E820_RAM);
}
