/*
 * linux.c - loads a Linux bzImage the way the x86 boot protocol's 64-bit
 * entry asks (Linux Documentation/arch/x86/boot.rst, "64-bit Boot
 * Protocol"): the protected-mode code at pref_address, the zero page with
 * the setup header, the command line (`extra`), the initrd (`ramdisk`),
 * the e820 map of kernel/load/e820.c and the ACPI RSDP of
 * kernel/load/acpi.c; entry at pref_address + 0x200 in long mode with the
 * identity map of image.c and RSI pointing at the zero page.
 */
#include <inc/error.h>
#include <inc/memlayout.h>
#include <inc/string.h>
#include <kernel/load/acpi.h>
#include <kernel/load/bootparam.h>
#include <kernel/load/image_load.h>

bool linux_detect(const uint8_t *img, size_t size)
{
	uint32_t magic;

	if (size < 0x206)
		return false;
	memcpy(&magic, img + 0x202, 4);
	return magic == BP_HDR_MAGIC;
}

/* Checks the setup header h of the file; *psize gets the kernel's size. */
static int linux_check(struct loader *ld, const struct setup_header *h,
		       uint64_t *psize)
{
	uint64_t off = ((uint64_t)(h->setup_sects ? h->setup_sects : 4) + 1) *
		       512;

	if (ld->size < sizeof(struct boot_params))
		return image_error(
			ld, -E_INVAL,
			"truncated: %zu bytes, no room for the setup header",
			ld->size);
	if (h->boot_flag != BP_BOOT_FLAG)
		return image_error(
			ld, -E_INVAL,
			"setup header: boot_flag 0x%04x is not 0xaa55",
			h->boot_flag);
	if (h->version < BP_VERSION_MIN)
		return image_error(
			ld, -E_NOT_SUPP,
			"setup header: version %u.%02u is older than 2.12",
			h->version >> 8, h->version & 0xff);
	if (!(h->loadflags & BP_LOADED_HIGH) ||
	    !(h->xloadflags & BP_XLF_KERNEL_64))
		return image_error(ld, -E_NOT_SUPP,
				   "setup header: loadflags 0x%x / xloadflags "
				   "0x%x: no 64-bit entry point",
				   h->loadflags, h->xloadflags);
	if (off >= ld->size || ld->size - off < (uint64_t)h->syssize * 16)
		return image_error(
			ld, -E_INVAL,
			"truncated: setup_sects %u and syssize %u need %llu "
			"bytes, the file has %zu",
			h->setup_sects, h->syssize,
			(unsigned long long)(off + (uint64_t)h->syssize * 16),
			ld->size);
	*psize = ld->size - off;
	return 0;
}

/* Places the initrd at the top of RAM the header allows, above the kernel. */
static int linux_initrd(struct loader *ld, struct boot_params *bp,
			const void *rd, size_t rsize)
{
	uint64_t top = MIN(ld->mem->size,
			   (uint64_t)bp->hdr.initrd_addr_max + 1);
	gpa_t start;
	int r;

	r = image_place_ramdisk(ld, top & ~(uint64_t)(PAGE_SIZE - 1), rd, rsize,
				&start);
	bp->hdr.ramdisk_image = start;
	bp->hdr.ramdisk_size = rsize;
	return r;
}

/* The zero page: the file's setup header, then what the loader decides. */
static int linux_params(struct loader *ld, struct boot_params *bp,
			const void *rd, size_t rsize)
{
	size_t hlen = MIN(sizeof(bp->hdr),
			  (size_t)0x202 + ld->img[0x201] - BP_HDR_OFFSET);
	size_t clen = strlen(ld->c->extra);
	int r;

	memset(bp, 0, sizeof(*bp));
	memcpy(&bp->hdr, ld->img + BP_HDR_OFFSET, hlen);
	if (clen > bp->hdr.cmdline_size)
		return image_error(ld, -E_RANGE,
				   "extra: %zu bytes, the kernel takes %u",
				   clen, bp->hdr.cmdline_size);
	bp->hdr.type_of_loader = BP_LOADER_UNKNOWN;
	bp->hdr.vid_mode = 0xffff;
	bp->hdr.cmd_line_ptr = IMAGE_LINUX_CMDLINE;
	bp->acpi_rsdp_addr = ACPI_TABLES_GPA;
	bp->e820_entries = e820_build(ld->mem->size, bp->e820_table);
	if (rd && (r = linux_initrd(ld, bp, rd, rsize)) < 0)
		return r;
	return image_copy(ld, IMAGE_LINUX_CMDLINE, ld->c->extra, clen + 1, 0);
}

int linux_load(struct loader *ld, const void *rd, size_t rsize)
{
	static struct boot_params bp;
	const struct setup_header *h = (const void *)(ld->img + BP_HDR_OFFSET);
	uint64_t psize = 0, load, end;
	int r;

	ld->boot->format = IMAGE_LINUX;
	if ((r = linux_check(ld, h, &psize)) < 0)
		return r;
	if (ld->boot->mode != BOOT_MODE_DEFAULT &&
	    ld->boot->mode != BOOT_MODE_LONG)
		return image_error(
			ld, -E_INVAL,
			"boot_mode \"%s\": Linux starts in long mode",
			config_boot_mode_name(ld->boot->mode));
	ld->boot->mode = BOOT_MODE_LONG;
	ld->reserved_start = IMAGE_PT_BASE;
	ld->reserved_end = IMAGE_LINUX_CMDLINE + PAGE_SIZE;
	load = h->pref_address;
	end = load + MAX(psize, (uint64_t)h->init_size);
	if ((r = image_check_range(ld, load, end - load, "kernel")) < 0 ||
	    (r = image_copy(ld, load, ld->img + (ld->size - psize), psize,
			    psize)) < 0)
		return r;
	image_note_load(ld, load, end);
	if ((r = linux_params(ld, &bp, rd, rsize)) < 0)
		return r;
	ld->boot->rip = load + BP_ENTRY64_OFFSET;
	ld->boot->rsi = IMAGE_LINUX_PARAMS;
	return image_copy(ld, IMAGE_LINUX_PARAMS, &bp, sizeof(bp), 0);
}
