/*
 * multiboot.c - loads Multiboot v1 kernels (Multiboot Specification
 * 0.6.96, sections 3.1 "OS image format" and 3.3 "Boot information
 * format") the way QEMU's -kernel does: the a.out kludge or ELF, then the
 * boot information structure, memory map, command line and the ramdisk
 * as module 0 (lab 3).
 */
#include <inc/elf.h>
#include <inc/error.h>
#include <inc/memlayout.h>
#include <inc/multiboot.h>
#include <inc/stdio.h>
#include <inc/string.h>
#include <kernel/load/e820.h>
#include <kernel/load/image_load.h>

#define MB_FLAGS_SUPPORTED (MB_FLAG_PAGE_ALIGN | MB_FLAG_MEMORY_INFO)

/* Offsets inside the info page at IMAGE_MB_INFO. */
#define MBI_OFF_MMAP	0x080
#define MBI_OFF_MODS	0x140
#define MBI_OFF_LOADER	0x150
#define MBI_OFF_MODSTR	0x160
#define MBI_OFF_CMDLINE 0x200

_Static_assert(MBI_OFF_MMAP + E820_MAX * sizeof(struct mb_mmap_entry) <=
		       MBI_OFF_MODS,
	       "Multiboot info: room for the memory map");
_Static_assert(MBI_OFF_MODSTR + CONFIG_PATH_MAX <= MBI_OFF_CMDLINE,
	       "Multiboot info: room for the module's path");

int multiboot_find(struct loader *ld, const struct mb_header **hdr, size_t *off)
{
	size_t end = MIN(ld->size, (size_t)MB_SEARCH);

	for (size_t i = 0; i + 12 <= end; i += 4) {
		const struct mb_header *h = (const void *)(ld->img + i);

		if (h->magic != MB_HEADER_MAGIC)
			continue;
		if ((uint32_t)(h->magic + h->flags + h->checksum) != 0)
			return image_error(ld, -E_INVAL,
					   "Multiboot header at offset 0x%zx: "
					   "bad checksum 0x%08x",
					   i, h->checksum);
		if ((h->flags & 0xffff) & ~MB_FLAGS_SUPPORTED)
			return image_error(ld, -E_NOT_SUPP,
					   "Multiboot header: flags 0x%08x ask "
					   "for unsupported features 0x%x",
					   h->flags,
					   (h->flags & 0xffff) &
						   ~MB_FLAGS_SUPPORTED);
		*hdr = h;
		*off = i;
		return 1;
	}
	return 0;
}

/* The a.out kludge: load_addr.. from the file, bss zeroed, entry_addr. */
static int mb_load_kludge(struct loader *ld, const struct mb_header *h,
			  size_t off)
{
	uint64_t load_end, bss_end, start;
	int r;

	if (off + sizeof(*h) > ld->size)
		return image_error(ld, -E_INVAL,
				   "Multiboot header: address fields cut off "
				   "by the end of the file");
	if (h->load_addr > h->header_addr ||
	    h->header_addr - h->load_addr > off)
		return image_error(
			ld, -E_INVAL,
			"Multiboot header: load_addr 0x%x / header_addr 0x%x "
			"put the load before the file's start",
			h->load_addr, h->header_addr);
	start = off - (h->header_addr - h->load_addr);
	load_end = h->load_end_addr ? h->load_end_addr :
				      h->load_addr + (ld->size - start);
	bss_end = h->bss_end_addr ? h->bss_end_addr : load_end;
	if (load_end < h->load_addr ||
	    load_end - h->load_addr > ld->size - start || bss_end < load_end)
		return image_error(ld, -E_INVAL,
				   "Multiboot header: bad load_end_addr 0x%x / "
				   "bss_end_addr 0x%x",
				   h->load_end_addr, h->bss_end_addr);
	if (h->entry_addr < h->load_addr || h->entry_addr >= load_end)
		return image_error(ld, -E_INVAL,
				   "Multiboot header: entry_addr 0x%x outside "
				   "the loaded code [0x%x, 0x%llx)",
				   h->entry_addr, h->load_addr,
				   (unsigned long long)load_end);
	if ((r = image_check_range(ld, h->load_addr, bss_end - h->load_addr,
				   "Multiboot load")) < 0 ||
	    (r = image_copy(ld, h->load_addr, ld->img + start,
			    load_end - h->load_addr, bss_end - h->load_addr)) <
		    0)
		return r;
	image_note_load(ld, h->load_addr, bss_end);
	ld->boot->rip = h->entry_addr;
	return 0;
}

/* Writes the guest's memory map: kernel/load/e820.c's, in Multiboot's form. */
static int mb_write_mmap(struct loader *ld, struct mb_info *mi)
{
	struct e820_entry e[E820_MAX];
	struct mb_mmap_entry m[E820_MAX];
	int n = e820_build(ld->mem->size, e);

	for (int i = 0; i < n; i++)
		m[i] = (struct mb_mmap_entry){ 20, e[i].addr, e[i].size,
					       e[i].type };
	mi->flags |= MBI_MEM | MBI_MMAP;
	mi->mem_lower = e[0].size / KiB;
	mi->mem_upper = (ld->mem->size - PLATFORM_HOLE_END) / KiB;
	mi->mmap_addr = IMAGE_MB_INFO + MBI_OFF_MMAP;
	mi->mmap_length = n * sizeof(m[0]);
	return image_copy(ld, mi->mmap_addr, m, mi->mmap_length, 0);
}

/* Writes the command line: the kernel's path, then `extra` (as GRUB does). */
static int mb_write_cmdline(struct loader *ld, struct mb_info *mi)
{
	char line[CONFIG_PATH_MAX + CONFIG_EXTRA_MAX + 1];
	int n = snprintf(line, sizeof(line), "%s%s%s", ld->c->kernel.path,
			 ld->c->extra[0] ? " " : "", ld->c->extra);
	static const char name[] = "hvlab";
	int r;

	mi->flags |= MBI_CMDLINE | MBI_LOADER_NAME;
	mi->cmdline = IMAGE_MB_INFO + MBI_OFF_CMDLINE;
	mi->boot_loader_name = IMAGE_MB_INFO + MBI_OFF_LOADER;
	if ((r = image_copy(ld, mi->boot_loader_name, name, sizeof(name), 0)) <
	    0)
		return r;
	return image_copy(ld, mi->cmdline, line, n + 1, 0);
}

/* Places the ramdisk as module 0 on the first page after the kernel. */
static int mb_write_module(struct loader *ld, struct mb_info *mi,
			   const void *rd, size_t rsize)
{
	struct mb_module m = { 0 };
	const char *path = ld->c->ramdisk.path;
	int r;

	m.mod_start = ROUNDUP(MAX(ld->boot->load_end, PLATFORM_HOLE_END),
			      PAGE_SIZE);
	m.mod_end = m.mod_start + rsize;
	m.string = IMAGE_MB_INFO + MBI_OFF_MODSTR;
	if ((r = image_check_range(ld, m.mod_start, rsize, "ramdisk")) < 0 ||
	    (r = image_copy(ld, m.mod_start, rd, rsize, rsize)) < 0 ||
	    (r = image_copy(ld, m.string, path, strlen(path) + 1, 0)) < 0)
		return r;
	mi->flags |= MBI_MODS;
	mi->mods_count = 1;
	mi->mods_addr = IMAGE_MB_INFO + MBI_OFF_MODS;
	return image_copy(ld, mi->mods_addr, &m, sizeof(m), 0);
}

/* Builds the Multiboot information structure at IMAGE_MB_INFO. */
static int mb_write_info(struct loader *ld, const void *rd, size_t rsize)
{
	struct mb_info mi;
	int r;

	memset(&mi, 0, sizeof(mi));
	if ((r = mb_write_mmap(ld, &mi)) < 0 ||
	    (r = mb_write_cmdline(ld, &mi)) < 0 ||
	    (rd && (r = mb_write_module(ld, &mi, rd, rsize)) < 0))
		return r;
	ld->boot->rax = MB_BOOT_MAGIC;
	ld->boot->rbx = IMAGE_MB_INFO;
	return image_copy(ld, IMAGE_MB_INFO, &mi, sizeof(mi), 0);
}

int multiboot_load(struct loader *ld, const struct mb_header *h, size_t off,
		   const void *rd, size_t rsize)
{
	unsigned class;
	int r;

	ld->boot->format = IMAGE_MULTIBOOT;
	if (ld->c->boot_mode != BOOT_MODE_DEFAULT &&
	    ld->c->boot_mode != BOOT_MODE_PROTECTED)
		return image_error(ld, -E_INVAL,
				   "boot_mode \"%s\": Multiboot kernels start "
				   "in protected mode",
				   config_boot_mode_name(ld->c->boot_mode));
	ld->reserved_start = IMAGE_MB_INFO;
	ld->reserved_end = IMAGE_MB_INFO + IMAGE_MB_INFO_SIZE;
	if (h->flags & MB_FLAG_AOUT_KLUDGE)
		r = mb_load_kludge(ld, h, off);
	else if (ld->size >= SELFMAG && memcmp(ld->img, ELFMAG, SELFMAG) == 0)
		r = image_load_elf(ld, &class);
	else
		r = image_error(ld, -E_INVAL,
				"Multiboot header without the address fields "
				"(flag 16) in a file that is not ELF");
	if (r < 0)
		return r;
	ld->boot->mode = BOOT_MODE_PROTECTED;
	return mb_write_info(ld, rd, rsize);
}
