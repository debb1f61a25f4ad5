/*
 * image.c - loads a guest kernel into guest-physical memory (labs 2 and 3): picks
 * the format, loads flat binaries, and sets the entry state (control
 * registers, the long-mode page tables).  ELF32/ELF64 executables are
 * loaded by image_elf.c, Multiboot v1 kernels by multiboot.c, Linux
 * bzImages by linux.c.  Formats
 * and entry states: kernel/load/image.h.
 *
 * Nothing here touches host memory except through struct guest_mem, and
 * every header field is checked before it is used, so a hostile image can
 * at worst be refused.  tests/test_image.c runs it on the host.
 */
#include <inc/elf.h>
#include <inc/error.h>
#include <inc/memlayout.h>
#include <inc/mmu.h>
#include <inc/stdio.h>
#include <inc/string.h>
#include <inc/x86.h>
#include <kernel/dev/platform.h>
#include <kernel/load/acpi.h>
#include <kernel/load/e820.h>
#include <kernel/load/image_load.h>

/* Whether [gpa, gpa+len) overlaps area [start, end), with the reason. */
static bool image_overlap(struct loader *ld, gpa_t gpa, uint64_t len,
			  const char *what, gpa_t start, gpa_t end,
			  const char *area)
{
	if (!len || gpa >= end || start >= gpa + len)
		return false;
	image_error(ld, -E_RANGE,
		    "%s [0x%llx, 0x%llx) overlaps %s [0x%llx, 0x%llx)", what,
		    (unsigned long long)gpa, (unsigned long long)(gpa + len),
		    area, (unsigned long long)start, (unsigned long long)end);
	return true;
}

int image_check_range(struct loader *ld, gpa_t gpa, uint64_t len,
		      const char *what)
{
	if (gpa > ld->mem->size || len > ld->mem->size - gpa)
		return image_error(
			ld, -E_RANGE,
			"%s [0x%llx, 0x%llx) outside guest memory (%llu MiB)",
			what, (unsigned long long)gpa,
			(unsigned long long)(gpa + len),
			(unsigned long long)(ld->mem->size / MiB));
	if ((ld->c->type == DOMAIN_HVM &&
	     image_overlap(ld, gpa, len, what, PLATFORM_TABLES,
			   PLATFORM_HOLE_END, "the firmware tables")) ||
	    image_overlap(ld, gpa, len, what, ld->reserved_start,
			  ld->reserved_end, "the loader's area"))
		return -E_RANGE;
	return 0;
}

int image_copy(struct loader *ld, gpa_t gpa, const void *src, uint64_t len,
	       uint64_t memsz)
{
	static const uint8_t zeros[512];
	int r;

	if (len && (r = ld->mem->write(ld->mem->ctx, gpa, src, len)) < 0)
		return image_error(ld, r, "writing guest memory at 0x%llx: %s",
				   (unsigned long long)gpa, error_name(r));
	for (uint64_t off = len; off < memsz; off += sizeof(zeros)) {
		size_t n = MIN(sizeof(zeros), memsz - off);

		if ((r = ld->mem->write(ld->mem->ctx, gpa + off, zeros, n)) < 0)
			return image_error(ld, r,
					   "zeroing guest memory at 0x%llx: %s",
					   (unsigned long long)(gpa + off),
					   error_name(r));
	}
	return 0;
}

void image_note_load(struct loader *ld, gpa_t start, gpa_t end)
{
	if (ld->boot->load_end == 0 || start < ld->boot->load_start)
		ld->boot->load_start = start;
	ld->boot->load_end = MAX(ld->boot->load_end, end);
}

int image_place_ramdisk(struct loader *ld, gpa_t top, const void *rd,
			size_t rsize, gpa_t *at)
{
	gpa_t kend = ld->boot->load_end;

	*at = (top - rsize) & ~(gpa_t)(PAGE_SIZE - 1);
	if (rsize > top || *at < kend)
		return image_error(ld, -E_RANGE,
				   "ramdisk \"%s\" (%zu bytes) does not fit "
				   "between the kernel's end 0x%llx and 0x%llx",
				   ld->c->ramdisk.path, rsize,
				   (unsigned long long)kend,
				   (unsigned long long)top);
	return image_copy(ld, *at, rd, rsize, rsize);
}

/* Builds the long-mode identity map of the low 4 GiB at IMAGE_PT_BASE. */
static int image_build_page_tables(struct loader *ld)
{
	uint64_t table[PT_ENTRIES];
	gpa_t pdpt = IMAGE_PT_BASE + PAGE_SIZE, pd = pdpt + PAGE_SIZE;
	int r;

	memset(table, 0, sizeof(table));
	table[0] = pdpt | PTE_P | PTE_W;
	if ((r = image_copy(ld, IMAGE_PT_BASE, table, sizeof(table), 0)) < 0)
		return r;
	for (int i = 0; i < 4; i++)
		table[i] = (pd + i * PAGE_SIZE) | PTE_P | PTE_W;
	if ((r = image_copy(ld, pdpt, table, sizeof(table), 0)) < 0)
		return r;
	for (int i = 0; i < 4; i++) {
		for (int j = 0; j < PT_ENTRIES; j++)
			table[j] = ((uint64_t)(i * PT_ENTRIES + j) << 21) |
				   PTE_P | PTE_W | PTE_PS;
		if ((r = image_copy(ld, pd + i * PAGE_SIZE, table,
				    sizeof(table), 0)) < 0)
			return r;
	}
	ld->boot->cr3 = IMAGE_PT_BASE;
	return 0;
}

int image_set_mode(struct loader *ld)
{
	struct guest_boot *b = ld->boot;

	b->cr0 = CR0_ET;
	if (b->mode == BOOT_MODE_REAL) {
		if (b->rip >= PLATFORM_HOLE_END)
			return image_error(ld, -E_RANGE,
					   "real-mode entry 0x%llx above 1 MiB",
					   (unsigned long long)b->rip);
		b->cs_sel = (b->rip >> 4) & 0xf000;
		b->rip -= (uint64_t)b->cs_sel << 4;
		b->cr0 = CR0_RESET;
		return 0;
	}
	b->cr0 |= CR0_PE;
	if (b->mode == BOOT_MODE_PROTECTED) {
		if (b->rip > UINT32_MAX)
			return image_error(
				ld, -E_RANGE,
				"protected-mode entry 0x%llx above 4 GiB",
				(unsigned long long)b->rip);
		return 0;
	}
	b->cr0 |= CR0_PG;
	b->cr4 = CR4_PAE;
	b->efer = EFER_LME | EFER_LMA;
	return image_build_page_tables(ld);
}

void image_reserve_page_tables(struct loader *ld)
{
	if (ld->boot->mode == BOOT_MODE_LONG) {
		ld->reserved_start = IMAGE_PT_BASE;
		ld->reserved_end = IMAGE_PT_BASE + IMAGE_PT_SIZE;
	}
}

/* Flat binary: the whole file at kernel_addr, real mode unless the config
 * says otherwise. */
static int image_load_flat(struct loader *ld)
{
	const struct domain_config *c = ld->c;
	int r;

	ld->boot->format = IMAGE_FLAT;
	if (ld->boot->mode == BOOT_MODE_DEFAULT)
		ld->boot->mode = BOOT_MODE_REAL;
	image_reserve_page_tables(ld);
	if ((r = image_check_range(ld, c->kernel_addr, ld->size,
				   "flat image")) < 0)
		return r;
	if (c->entry < c->kernel_addr || c->entry - c->kernel_addr >= ld->size)
		return image_error(
			ld, -E_RANGE,
			"entry 0x%llx outside the image [0x%llx, 0x%llx)",
			(unsigned long long)c->entry,
			(unsigned long long)c->kernel_addr,
			(unsigned long long)(c->kernel_addr + ld->size));
	if ((r = image_copy(ld, c->kernel_addr, ld->img, ld->size, ld->size)) <
	    0)
		return r;
	image_note_load(ld, c->kernel_addr, c->kernel_addr + ld->size);
	ld->boot->rip = c->entry;
	return 0;
}

/* Plain ELF: protected mode for ELF32, long mode for ELF64 by default. */
static int image_load_plain_elf(struct loader *ld)
{
	bool elf64 = ld->size > EI_CLASS && ld->img[EI_CLASS] == ELFCLASS64;
	unsigned class;
	int r;

	if (ld->boot->mode == BOOT_MODE_DEFAULT)
		ld->boot->mode = elf64 ? BOOT_MODE_LONG : BOOT_MODE_PROTECTED;
	image_reserve_page_tables(ld);
	if ((r = image_load_elf(ld, &class)) < 0)
		return r;
	ld->boot->format = class == ELFCLASS64 ? IMAGE_ELF64 : IMAGE_ELF32;
	return 0;
}

/* Picks the format and loads the kernel (not yet the mode state). */
static int image_load_kernel(struct loader *ld, const void *rd, size_t rsize)
{
	const struct mb_header *h = NULL;
	size_t off = 0;
	int r = 0;

	if (!ld->c->has_kernel_addr && linux_detect(ld->img, ld->size))
		return linux_load(ld, rd, rsize);
	if (!ld->c->has_kernel_addr && (r = multiboot_find(ld, &h, &off)) < 0)
		return r;
	if (r == 1)
		return multiboot_load(ld, h, off, rd, rsize);
	if (rd)
		return image_error(
			ld, -E_INVAL,
			"a ramdisk needs a Multiboot or Linux kernel");
	if (ld->c->has_kernel_addr)
		return image_load_flat(ld);
	if (ld->size >= SELFMAG && memcmp(ld->img, ELFMAG, SELFMAG) == 0)
		return image_load_plain_elf(ld);
	return image_error(
		ld, -E_INVAL,
		"neither ELF nor Multiboot; for a flat binary set kernel_addr");
}

/* An hvm domain's firmware tables (kernel/load/acpi.c), built for it. */
static int image_write_tables(struct loader *ld)
{
	static uint8_t buf[ACPI_TABLES_SIZE];

	memset(buf, 0, sizeof(buf));
	acpi_build(buf, ld->c->vcpus);
	return image_copy(ld, ACPI_TABLES_GPA, buf, sizeof(buf), 0);
}

int image_load(const struct domain_config *c, const void *kernel, size_t ksize,
	       const void *ramdisk, size_t rsize, const struct guest_mem *mem,
	       struct guest_boot *boot, char *err, size_t errlen)
{
	struct loader ld = { .c = c,
			     .mem = mem,
			     .img = kernel,
			     .size = ksize,
			     .boot = boot,
			     .err = err,
			     .errlen = errlen };
	struct guest_mem below = *mem; /* RAM the image may use */
	int r;

	memset(boot, 0, sizeof(*boot));
	boot->mode = c->boot_mode;
	if (!c->ramdisk.path[0])
		ramdisk = NULL;
	else if (!ramdisk)
		return image_error(&ld, -E_INVAL,
				   "ramdisk \"%s\" not given to the loader",
				   c->ramdisk.path);
	if (ksize == 0)
		return image_error(&ld, -E_INVAL, "empty file");
	if (c->type == DOMAIN_HVM && mem->size < PLATFORM_HOLE_END)
		return image_error(&ld, -E_RANGE,
				   "%llu KiB of memory: no room for the "
				   "firmware tables below 0x%llx",
				   (unsigned long long)(mem->size / KiB),
				   PLATFORM_HOLE_END);
	if (c->xen_platform && mem->size < PLATFORM_HOLE_END + 2 * PAGE_SIZE +
						   PLATFORM_XEN_MMIO_SIZE)
		return image_error(&ld, -E_RANGE,
				   "xen_platform: no room for the xenstore "
				   "ring above 1 MiB");
	below.size = e820_ram_end(mem->size, c->xen_platform);
	ld.mem = &below;
	if ((r = image_load_kernel(&ld, ramdisk, rsize)) < 0 ||
	    (r = image_set_mode(&ld)) < 0 ||
	    (c->type == DOMAIN_HVM && (r = image_write_tables(&ld)) < 0))
		return r;
	ld.mem = mem;
	if (c->xen_platform) {
		boot->pv_store = below.size;
		if ((r = image_copy(&ld, boot->pv_store, NULL, 0, PAGE_SIZE)) <
		    0)
			return r;
	}
	snprintf(err, errlen, "ok");
	return 0;
}
