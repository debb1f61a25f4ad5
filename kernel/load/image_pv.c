/*
 * image_pv.c - the domain builder for type "pv" (lab 6): loads a PV
 * kernel's ELF image and its ramdisk, then starts it as Xen starts its
 * containers (xen/include/public/elfnote.h, arch-x86/hvm/start_info.h,
 * xen.h's start_info).
 *
 *   hvm  PVH: 32-bit protected mode, paging off, flat segments, at
 *        XEN_ELFNOTE_PHYS32_ENTRY, EBX = the hvm_start_info (version 1:
 *        command line, the ramdisk as module 0, the memory map).
 *   te   classic PV: 64-bit, paging off (te's usual start, inc/public/te.h)
 *        at XEN_ELFNOTE_ENTRY, RSI = the start_info, with shared_info
 *        placed by the builder.
 *
 * The builder's pages are the top of guest RAM: outside the memory map's
 * RAM (reserved there) and outside start_info.nr_pages; the last is the
 * xenstore ring (lab 7), zeroed.  The ramdisk sits right below them, page
 * aligned.
 */
#include <inc/elf.h>
#include <inc/error.h>
#include <inc/memlayout.h>
#include <inc/stdio.h>
#include <inc/string.h>
#include <inc/public/xen.h>
#include <inc/public/elfnote.h>
#include <inc/public/hvm/start_info.h>
#include <kernel/load/e820.h>
#include <kernel/load/image_load.h>

/* Inside the hvm_start_info page. */
#define PVH_OFF_MODLIST 0x040
#define PVH_OFF_MEMMAP	0x080
#define PVH_OFF_CMDLINE 0x100

_Static_assert(PVH_OFF_CMDLINE + CONFIG_EXTRA_MAX <= PAGE_SIZE, "pvh page");
_Static_assert(sizeof(struct start_info) <= PAGE_SIZE, "start_info page");

/* Refuses a kernel without the entry note its container needs. */
static int pv_entry(struct loader *ld, bool te, const struct xen_notes *n)
{
	unsigned note = te ? XEN_ELFNOTE_ENTRY : XEN_ELFNOTE_PHYS32_ENTRY;

	if (!(n->found & (1u << note))) {
		snprintf(ld->err, ld->errlen, "%s:%d: kernel %s has no %s note",
			 ld->c->file, ld->c->kernel.line, ld->c->kernel.path,
			 te ? "XEN_ELFNOTE_ENTRY" : "XEN_ELFNOTE_PHYS32_ENTRY");
		return -E_INVAL;
	}
	ld->boot->rip = te ? n->entry : n->phys32_entry;
	if (ld->boot->rip < ld->boot->load_start ||
	    ld->boot->rip >= ld->boot->load_end)
		return image_error(
			ld, -E_BAD_ELF,
			"Xen entry note 0x%llx outside the loaded image",
			(unsigned long long)ld->boot->rip);
	return 0;
}

/* hvm container: the hvm_start_info page at pv_ram_end; EBX names it. */
static int pv_build_pvh(struct loader *ld, gpa_t rd, size_t rsize)
{
	static uint8_t page[PAGE_SIZE];
	struct guest_boot *b = ld->boot;
	gpa_t base = b->pv_ram_end;
	struct hvm_start_info si = {
		.magic = XEN_HVM_START_MAGIC_VALUE,
		.version = 1,
		.flags = ld->c->privileged ? SIF_PRIVILEGED | SIF_INITDOMAIN :
					     0,
		.nr_modules = rd ? 1 : 0,
		.modlist_paddr = base + PVH_OFF_MODLIST,
		.cmdline_paddr = base + PVH_OFF_CMDLINE,
		.memmap_paddr = base + PVH_OFF_MEMMAP,
		.memmap_entries = 2,
	};
	struct hvm_modlist_entry mod = { rd, rsize, 0, 0 };
	struct hvm_memmap_table_entry map[2] = {
		{ 0, base, E820_RAM, 0 },
		{ base, ld->mem->size - base, E820_RESERVED, 0 },
	};

	memset(page, 0, sizeof(page));
	memcpy(page, &si, sizeof(si));
	memcpy(page + PVH_OFF_MODLIST, &mod, sizeof(mod));
	memcpy(page + PVH_OFF_MEMMAP, map, sizeof(map));
	strlcpy((char *)page + PVH_OFF_CMDLINE, ld->c->extra, CONFIG_EXTRA_MAX);
	b->rbx = base;
	return image_copy(ld, base, page, sizeof(page), sizeof(page));
}

/* te container: start_info at pv_ram_end, a zeroed shared_info above. */
static int pv_build_start_info(struct loader *ld, gpa_t rd, size_t rsize)
{
	static struct start_info si;
	struct guest_boot *b = ld->boot;
	int r;

	memset(&si, 0, sizeof(si));
	strlcpy(si.magic, XEN_START_INFO_MAGIC, sizeof(si.magic));
	si.nr_pages = b->pv_ram_end / PAGE_SIZE;
	si.shared_info = b->pv_ram_end + PAGE_SIZE;
	si.flags = ld->c->privileged ? SIF_PRIVILEGED | SIF_INITDOMAIN : 0;
	si.mod_start = rd;
	si.mod_len = rsize;
	si.store_mfn = b->pv_store >> PAGE_SHIFT; /* the port: domain.c */
	strlcpy(si.cmd_line, ld->c->extra, sizeof(si.cmd_line));
	b->rsi = b->pv_ram_end;
	b->pv_shared_info = si.shared_info;
	if ((r = image_copy(ld, b->rsi, &si, sizeof(si), PAGE_SIZE)) < 0)
		return r;
	return image_copy(ld, si.shared_info, NULL, 0, PAGE_SIZE);
}

/* The builder's pages and the ramdisk, once the kernel is in. */
static int pv_build(struct loader *ld, bool te, const void *rd, size_t rsize)
{
	unsigned pages = te ? IMAGE_PV_PAGES_TE : IMAGE_PV_PAGES_HVM;
	gpa_t rd_gpa = 0;
	int r;

	ld->boot->pv_ram_end = ld->mem->size - (gpa_t)pages * PAGE_SIZE;
	ld->boot->pv_store = ld->mem->size - PAGE_SIZE;
	if (ld->boot->load_end > ld->boot->pv_ram_end)
		return image_error(ld, -E_RANGE,
				   "image ends at 0x%llx, in the domain "
				   "builder's pages from 0x%llx",
				   (unsigned long long)ld->boot->load_end,
				   (unsigned long long)ld->boot->pv_ram_end);
	/* The ramdisk goes right below the builder's pages. */
	if ((rd && (r = image_place_ramdisk(ld, ld->boot->pv_ram_end, rd, rsize,
					    &rd_gpa)) < 0) ||
	    (r = image_copy(ld, ld->boot->pv_store, NULL, 0, PAGE_SIZE)) < 0)
		return r;
	return te ? pv_build_start_info(ld, rd_gpa, rsize) :
		    pv_build_pvh(ld, rd_gpa, rsize);
}

int image_load_pv(const struct domain_config *c, bool te, const void *kernel,
		  size_t ksize, const void *ramdisk, size_t rsize,
		  const struct guest_mem *mem, struct guest_boot *boot,
		  char *err, size_t errlen)
{
	struct loader ld = { .c = c,
			     .mem = mem,
			     .img = kernel,
			     .size = ksize,
			     .boot = boot,
			     .err = err,
			     .errlen = errlen };
	struct xen_notes notes;
	unsigned class;
	int r;

	memset(boot, 0, sizeof(*boot));
	boot->mode = te ? BOOT_MODE_LONG : BOOT_MODE_PROTECTED;
	boot->pv_hypercall_page = IMAGE_PV_NONE;
	image_reserve_page_tables(&ld);
	if (ksize < SELFMAG || memcmp(kernel, ELFMAG, SELFMAG) != 0)
		return image_error(&ld, -E_INVAL, "a pv kernel must be ELF");
	if ((r = image_load_elf(&ld, &class)) < 0 ||
	    (r = image_elf_xen_notes(&ld, &notes)) < 0 ||
	    (r = pv_entry(&ld, te, &notes)) < 0 ||
	    (r = pv_build(&ld, te, c->ramdisk.path[0] ? ramdisk : NULL,
			  rsize)) < 0 ||
	    (r = image_set_mode(&ld)) < 0)
		return r;
	boot->format = class == ELFCLASS64 ? IMAGE_ELF64 : IMAGE_ELF32;
	if (notes.found & (1u << XEN_ELFNOTE_HYPERCALL_PAGE))
		boot->pv_hypercall_page = notes.hypercall_page;
	snprintf(err, errlen, "ok");
	return 0;
}
