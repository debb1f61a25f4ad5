/*
 * image.c - loads a guest kernel into guest-physical memory (lab 3): flat
 * binaries, ELF32/ELF64 executables (System V ABI ch. 5, program loading)
 * and Multiboot v1 kernels (Multiboot Specification 0.6.96, sections 3.1
 * "OS image format" and 3.3 "Boot information format"), the latter the way
 * QEMU's -kernel loads them.  Formats and entry states: kernel/image.h.
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
#include <kernel/image.h>

/* ELF32 (System V ABI, Intel386 supplement); inc/elf.h has ELF64 only. */
typedef struct {
	unsigned char e_ident[EI_NIDENT];
	uint16_t e_type, e_machine;
	uint32_t e_version, e_entry, e_phoff, e_shoff, e_flags;
	uint16_t e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
} Elf32_Ehdr;

typedef struct {
	uint32_t p_type, p_offset, p_vaddr, p_paddr, p_filesz, p_memsz;
	uint32_t p_flags, p_align;
} Elf32_Phdr;

_Static_assert(sizeof(Elf32_Ehdr) == 52, "Elf32_Ehdr layout");
_Static_assert(sizeof(Elf32_Phdr) == 32, "Elf32_Phdr layout");

/* The Multiboot header (3.1.1) and boot information (3.3). */
struct mb_header {
	uint32_t magic, flags, checksum;
	uint32_t header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr;
};

#define MB_FLAG_PAGE_ALIGN	(1u << 0)
#define MB_FLAG_MEMORY_INFO	(1u << 1)
#define MB_FLAG_AOUT_KLUDGE	(1u << 16)
#define MB_FLAGS_SUPPORTED	(MB_FLAG_PAGE_ALIGN | MB_FLAG_MEMORY_INFO)

struct mb_info {
	uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
	uint32_t mods_count, mods_addr, syms[4], mmap_length, mmap_addr;
	uint32_t drives_length, drives_addr, config_table, boot_loader_name;
	uint32_t apm_table, vbe_control_info, vbe_mode_info;
	uint16_t vbe_mode, vbe_interface_seg, vbe_interface_off, vbe_interface_len;
};

#define MBI_MEM		(1u << 0)
#define MBI_CMDLINE	(1u << 2)
#define MBI_MODS	(1u << 3)
#define MBI_MMAP	(1u << 6)
#define MBI_LOADER_NAME	(1u << 9)

struct mb_module {
	uint32_t mod_start, mod_end, string, reserved;
};

struct __attribute__((packed)) mb_mmap_entry {
	uint32_t size;
	uint64_t base_addr, length;
	uint32_t type;
};

_Static_assert(sizeof(struct mb_info) == 88, "mb_info layout");
_Static_assert(sizeof(struct mb_mmap_entry) == 24, "mb_mmap_entry layout");

/* Offsets inside the info page at IMAGE_MB_INFO. */
#define MBI_OFF_MMAP	0x080
#define MBI_OFF_MODS	0x100
#define MBI_OFF_LOADER	0x110
#define MBI_OFF_MODSTR	0x120
#define MBI_OFF_CMDLINE	0x200

/* The guest's memory map below 1 MiB (the EBDA, VGA and BIOS hole). */
#define LOW_RAM_END	0x9fc00
#define HOLE_END	0x100000

/* What one image_load call is working on. */
struct loader {
	const struct domain_config *c;
	const struct guest_mem *mem;
	const uint8_t *img;
	size_t size;
	struct guest_boot *boot;
	char *err;
	size_t errlen;
	gpa_t reserved_start, reserved_end;	/* the loader's own area */
};

/* One PT_LOAD segment, whatever the ELF class. */
struct segment {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz;
};

/* Formats `FILE:LINE: kernel "path": reason` and returns code. */
static int __attribute__((format(printf, 3, 4)))
image_error(struct loader *ld, int code, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(ld->err, ld->errlen, "%s:%d: kernel \"%s\": ",
			 ld->c->file, ld->c->kernel.line, ld->c->kernel.path);

	if (n >= 0 && (size_t)n < ld->errlen) {
		va_start(ap, fmt);
		vsnprintf(ld->err + n, ld->errlen - n, fmt, ap);
		va_end(ap);
	}
	return code;
}

/* Checks that [gpa, gpa+len) is guest RAM outside the loader's own area. */
static int image_check_range(struct loader *ld, gpa_t gpa, uint64_t len,
			     const char *what)
{
	if (gpa > ld->mem->size || len > ld->mem->size - gpa)
		return image_error(ld, -E_RANGE, "%s [0x%llx, 0x%llx) outside "
				   "guest memory (%llu MiB)", what,
				   (unsigned long long)gpa,
				   (unsigned long long)(gpa + len),
				   (unsigned long long)(ld->mem->size / MiB));
	if (len && gpa < ld->reserved_end && ld->reserved_start < gpa + len)
		return image_error(ld, -E_RANGE, "%s [0x%llx, 0x%llx) overlaps "
				   "the loader's area [0x%llx, 0x%llx)", what,
				   (unsigned long long)gpa,
				   (unsigned long long)(gpa + len),
				   (unsigned long long)ld->reserved_start,
				   (unsigned long long)ld->reserved_end);
	return 0;
}

/* Writes len bytes of src, then zeros up to memsz, at gpa. */
static int image_copy(struct loader *ld, gpa_t gpa, const void *src,
		      uint64_t len, uint64_t memsz)
{
	static const uint8_t zeros[512];
	int r;

	if (len && (r = ld->mem->write(ld->mem->ctx, gpa, src, len)) < 0)
		return image_error(ld, r, "writing guest memory at 0x%llx: %s",
				   (unsigned long long)gpa, error_name(r));
	for (uint64_t off = len; off < memsz; off += sizeof(zeros)) {
		size_t n = MIN(sizeof(zeros), memsz - off);

		if ((r = ld->mem->write(ld->mem->ctx, gpa + off, zeros, n)) < 0)
			return image_error(ld, r, "zeroing guest memory at "
					   "0x%llx: %s", (unsigned long long)(gpa + off),
					   error_name(r));
	}
	return 0;
}

/* Records the extent of the loaded kernel. */
static void image_note_load(struct loader *ld, gpa_t start, gpa_t end)
{
	if (ld->boot->load_end == 0 || start < ld->boot->load_start)
		ld->boot->load_start = start;
	ld->boot->load_end = MAX(ld->boot->load_end, end);
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
		if ((r = image_copy(ld, pd + i * PAGE_SIZE, table, sizeof(table),
				    0)) < 0)
			return r;
	}
	ld->boot->cr3 = IMAGE_PT_BASE;
	return 0;
}

/* Sets the control registers (and page tables) for boot->mode. */
static int image_set_mode(struct loader *ld)
{
	struct guest_boot *b = ld->boot;

	b->cr0 = CR0_ET;
	if (b->mode == BOOT_MODE_REAL) {
		if (b->rip >= HOLE_END)
			return image_error(ld, -E_RANGE, "real-mode entry 0x%llx "
					   "above 1 MiB", (unsigned long long)b->rip);
		b->cs_sel = (b->rip >> 4) & 0xf000;
		b->rip -= (uint64_t)b->cs_sel << 4;
		return 0;
	}
	b->cr0 |= CR0_PE;
	if (b->mode == BOOT_MODE_PROTECTED) {
		if (b->rip > UINT32_MAX)
			return image_error(ld, -E_RANGE, "protected-mode entry "
					   "0x%llx above 4 GiB", (unsigned long long)b->rip);
		return 0;
	}
	b->cr0 |= CR0_PG;
	b->cr4 = CR4_PAE;
	b->efer = EFER_LME | EFER_LMA;
	return image_build_page_tables(ld);
}

/* Flat binary: the whole file at kernel_addr. */
static int image_load_flat(struct loader *ld)
{
	const struct domain_config *c = ld->c;
	int r;

	ld->boot->format = IMAGE_FLAT;
	if ((r = image_check_range(ld, c->kernel_addr, ld->size, "flat image")) < 0)
		return r;
	if (c->entry < c->kernel_addr || c->entry - c->kernel_addr >= ld->size)
		return image_error(ld, -E_RANGE, "entry 0x%llx outside the image "
				   "[0x%llx, 0x%llx)", (unsigned long long)c->entry,
				   (unsigned long long)c->kernel_addr,
				   (unsigned long long)(c->kernel_addr + ld->size));
	if ((r = image_copy(ld, c->kernel_addr, ld->img, ld->size, ld->size)) < 0)
		return r;
	image_note_load(ld, c->kernel_addr, c->kernel_addr + ld->size);
	ld->boot->rip = c->entry;
	return 0;
}

/* Checks e_ident, e_type and e_machine of an ELF file of either class. */
static int elf_check_header(struct loader *ld, unsigned *class)
{
	const Elf32_Ehdr *eh = (const Elf32_Ehdr *)ld->img;

	if (ld->size < sizeof(Elf64_Ehdr))
		return image_error(ld, -E_BAD_ELF, "%zu bytes, too small for an "
				   "ELF header", ld->size);
	*class = eh->e_ident[EI_CLASS];
	if (*class != ELFCLASS32 && *class != ELFCLASS64)
		return image_error(ld, -E_BAD_ELF, "e_ident[EI_CLASS]: class %u, "
				   "want 1 (ELF32) or 2 (ELF64)", *class);
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh->e_ident[EI_VERSION] != EV_CURRENT)
		return image_error(ld, -E_BAD_ELF, "e_ident: not a little-endian "
				   "version-1 ELF file");
	if (eh->e_machine != (*class == ELFCLASS32 ? EM_386 : EM_X86_64))
		return image_error(ld, -E_BAD_ELF, "e_machine: machine %u, want "
				   "%s", eh->e_machine, *class == ELFCLASS32 ?
				   "EM_386 (3)" : "EM_X86_64 (62)");
	if (eh->e_type != ET_EXEC)
		return image_error(ld, -E_BAD_ELF, "e_type: type %u, want ET_EXEC "
				   "(2)", eh->e_type);
	return 0;
}

/* Checks the ELF32 program header table lies inside the file. */
static int elf32_check_phdrs(struct loader *ld)
{
	const Elf32_Ehdr *eh = (const Elf32_Ehdr *)ld->img;
	uint64_t len = (uint64_t)eh->e_phnum * sizeof(Elf32_Phdr);

	if (eh->e_phnum == 0)
		return image_error(ld, -E_BAD_ELF, "e_phnum: no program headers");
	if (eh->e_phentsize != sizeof(Elf32_Phdr))
		return image_error(ld, -E_BAD_ELF, "e_phentsize: %u, want %zu",
				   eh->e_phentsize, sizeof(Elf32_Phdr));
	if (eh->e_phoff > ld->size || len > ld->size - eh->e_phoff)
		return image_error(ld, -E_BAD_ELF, "e_phoff: program headers "
				   "outside the file (%zu bytes)", ld->size);
	return 0;
}

/* Validates the headers of an ELF image; sets *class. */
static int elf_validate(struct loader *ld, unsigned *class)
{
	struct elf_limits lim = { 0, UINT64_MAX, ld->size, ld->mem->size };
	char why[160];
	int r;

	if ((r = elf_check_header(ld, class)) < 0)
		return r;
	if (*class == ELFCLASS32)
		return elf32_check_phdrs(ld);
	if (elf_check(ld->img, ld->size, &lim, why, sizeof(why)) < 0)
		return image_error(ld, -E_BAD_ELF, "%s", why);
	return 0;
}

static unsigned elf_phnum(struct loader *ld, unsigned class)
{
	if (class == ELFCLASS64)
		return ((const Elf64_Ehdr *)ld->img)->e_phnum;
	return ((const Elf32_Ehdr *)ld->img)->e_phnum;
}

/* Program header i of a validated image, in class-neutral form. */
static struct segment elf_segment(struct loader *ld, unsigned class, unsigned i)
{
	struct segment s;

	if (class == ELFCLASS64) {
		const Elf64_Phdr *p = elf_phdr(ld->img, i);

		s = (struct segment){ p->p_type, p->p_flags, p->p_offset,
			p->p_vaddr, p->p_paddr, p->p_filesz, p->p_memsz };
	} else {
		const Elf32_Ehdr *eh = (const Elf32_Ehdr *)ld->img;
		const Elf32_Phdr *p = (const Elf32_Phdr *)(ld->img + eh->e_phoff) + i;

		s = (struct segment){ p->p_type, p->p_flags, p->p_offset,
			p->p_vaddr, p->p_paddr, p->p_filesz, p->p_memsz };
	}
	return s;
}

/* Checks one PT_LOAD segment against the file and guest memory. */
static int elf_check_segment(struct loader *ld, const struct segment *s,
			     unsigned i)
{
	char what[32];

	if (s->filesz > s->memsz)
		return image_error(ld, -E_BAD_ELF, "segment %u: p_filesz 0x%llx > "
				   "p_memsz 0x%llx", i, (unsigned long long)s->filesz,
				   (unsigned long long)s->memsz);
	if (s->offset > ld->size || s->filesz > ld->size - s->offset)
		return image_error(ld, -E_BAD_ELF, "segment %u: file range outside "
				   "the file (%zu bytes)", i, ld->size);
	snprintf(what, sizeof(what), "segment %u", i);
	return image_check_range(ld, s->paddr, s->memsz, what);
}

/* Checks every PT_LOAD segment and that no two overlap in guest memory. */
static int elf_check_segments(struct loader *ld, unsigned class)
{
	unsigned n = elf_phnum(ld, class), nload = 0;
	int r;

	for (unsigned i = 0; i < n; i++) {
		struct segment a = elf_segment(ld, class, i);

		if (a.type != PT_LOAD || a.memsz == 0)
			continue;
		nload++;
		if ((r = elf_check_segment(ld, &a, i)) < 0)
			return r;
		for (unsigned j = 0; j < i; j++) {
			struct segment b = elf_segment(ld, class, j);

			if (b.type == PT_LOAD && b.memsz && a.paddr < b.paddr +
			    b.memsz && b.paddr < a.paddr + a.memsz)
				return image_error(ld, -E_BAD_ELF, "segments %u "
						   "and %u overlap at p_paddr 0x%llx",
						   j, i, (unsigned long long)MAX(a.paddr, b.paddr));
		}
	}
	if (nload == 0)
		return image_error(ld, -E_BAD_ELF, "no non-empty PT_LOAD segment");
	return 0;
}

/*
 * The physical entry point: e_entry inside an executable segment, by its
 * virtual or (for kernels linked high but entered with paging off) its
 * physical address.
 */
static int elf_entry(struct loader *ld, unsigned class, uint64_t *entry)
{
	const Elf64_Ehdr *e64 = (const Elf64_Ehdr *)ld->img;
	const Elf32_Ehdr *e32 = (const Elf32_Ehdr *)ld->img;
	uint64_t e = class == ELFCLASS64 ? e64->e_entry : e32->e_entry;

	for (unsigned i = 0; i < elf_phnum(ld, class); i++) {
		struct segment s = elf_segment(ld, class, i);

		if (s.type != PT_LOAD || !(s.flags & PF_X))
			continue;
		if (e >= s.vaddr && e - s.vaddr < s.memsz) {
			*entry = e - s.vaddr + s.paddr;
			return 0;
		}
		if (e >= s.paddr && e - s.paddr < s.memsz) {
			*entry = e;
			return 0;
		}
	}
	return image_error(ld, -E_BAD_ELF, "e_entry 0x%llx outside every "
			   "executable PT_LOAD segment", (unsigned long long)e);
}

/* ELF: validate, then copy each PT_LOAD segment to its p_paddr. */
static int image_load_elf(struct loader *ld, unsigned *class)
{
	int r;

	if ((r = elf_validate(ld, class)) < 0 ||
	    (r = elf_check_segments(ld, *class)) < 0 ||
	    (r = elf_entry(ld, *class, &ld->boot->rip)) < 0)
		return r;
	for (unsigned i = 0; i < elf_phnum(ld, *class); i++) {
		struct segment s = elf_segment(ld, *class, i);

		if (s.type != PT_LOAD || s.memsz == 0)
			continue;
		if ((r = image_copy(ld, s.paddr, ld->img + s.offset, s.filesz,
				    s.memsz)) < 0)
			return r;
		image_note_load(ld, s.paddr, s.paddr + s.memsz);
	}
	return 0;
}

/*
 * The Multiboot header in the first 8192 bytes, 4-byte aligned; *off gets
 * its offset.  Returns 1 if found, 0 if absent, <0 on a bad header.
 */
static int mb_find(struct loader *ld, const struct mb_header **hdr, size_t *off)
{
	size_t end = MIN(ld->size, (size_t)MB_SEARCH);

	for (size_t i = 0; i + 12 <= end; i += 4) {
		const struct mb_header *h = (const void *)(ld->img + i);

		if (h->magic != MB_HEADER_MAGIC)
			continue;
		if ((uint32_t)(h->magic + h->flags + h->checksum) != 0)
			return image_error(ld, -E_INVAL, "Multiboot header at "
					   "offset 0x%zx: bad checksum 0x%08x",
					   i, h->checksum);
		if ((h->flags & 0xffff) & ~MB_FLAGS_SUPPORTED)
			return image_error(ld, -E_NOT_SUPP, "Multiboot header: "
					   "flags 0x%08x ask for unsupported "
					   "features 0x%x", h->flags,
					   (h->flags & 0xffff) & ~MB_FLAGS_SUPPORTED);
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
		return image_error(ld, -E_INVAL, "Multiboot header: address "
				   "fields cut off by the end of the file");
	if (h->load_addr > h->header_addr || h->header_addr - h->load_addr > off)
		return image_error(ld, -E_INVAL, "Multiboot header: load_addr "
				   "0x%x / header_addr 0x%x put the load before "
				   "the file's start", h->load_addr, h->header_addr);
	start = off - (h->header_addr - h->load_addr);
	load_end = h->load_end_addr ? h->load_end_addr : h->load_addr + (ld->size - start);
	bss_end = h->bss_end_addr ? h->bss_end_addr : load_end;
	if (load_end < h->load_addr || load_end - h->load_addr > ld->size - start ||
	    bss_end < load_end)
		return image_error(ld, -E_INVAL, "Multiboot header: bad "
				   "load_end_addr 0x%x / bss_end_addr 0x%x",
				   h->load_end_addr, h->bss_end_addr);
	if (h->entry_addr < h->load_addr || h->entry_addr >= load_end)
		return image_error(ld, -E_INVAL, "Multiboot header: entry_addr "
				   "0x%x outside the loaded code [0x%x, 0x%llx)",
				   h->entry_addr, h->load_addr,
				   (unsigned long long)load_end);
	if ((r = image_check_range(ld, h->load_addr, bss_end - h->load_addr,
				   "Multiboot load")) < 0 ||
	    (r = image_copy(ld, h->load_addr, ld->img + start,
			    load_end - h->load_addr, bss_end - h->load_addr)) < 0)
		return r;
	image_note_load(ld, h->load_addr, bss_end);
	ld->boot->rip = h->entry_addr;
	return 0;
}

/* Writes the guest's memory map (RAM, and the hole below 1 MiB). */
static int mb_write_mmap(struct loader *ld, struct mb_info *mi)
{
	struct mb_mmap_entry e[4] = {
		{ 20, 0, LOW_RAM_END, 1 },
		{ 20, LOW_RAM_END, 0xa0000 - LOW_RAM_END, 2 },
		{ 20, 0xf0000, HOLE_END - 0xf0000, 2 },
		{ 20, HOLE_END, ld->mem->size - HOLE_END, 1 },
	};
	unsigned n = ld->mem->size > HOLE_END ? 4 : 3;

	mi->flags |= MBI_MEM | MBI_MMAP;
	mi->mem_lower = LOW_RAM_END / KiB;
	mi->mem_upper = (ld->mem->size - HOLE_END) / KiB;
	mi->mmap_addr = IMAGE_MB_INFO + MBI_OFF_MMAP;
	mi->mmap_length = n * sizeof(e[0]);
	return image_copy(ld, mi->mmap_addr, e, mi->mmap_length, 0);
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
	if ((r = image_copy(ld, mi->boot_loader_name, name, sizeof(name), 0)) < 0)
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

	m.mod_start = ROUNDUP(MAX(ld->boot->load_end, (gpa_t)HOLE_END), PAGE_SIZE);
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
	ld->boot->mb_info = IMAGE_MB_INFO;
	ld->boot->rax = MB_BOOT_MAGIC;
	ld->boot->rbx = IMAGE_MB_INFO;
	return image_copy(ld, IMAGE_MB_INFO, &mi, sizeof(mi), 0);
}

/* Multiboot: the kludge or the ELF headers, then the info structure. */
static int image_load_multiboot(struct loader *ld, const struct mb_header *h,
				size_t off, const void *rd, size_t rsize)
{
	unsigned class;
	int r;

	ld->boot->format = IMAGE_MULTIBOOT;
	if (ld->c->boot_mode != BOOT_MODE_DEFAULT &&
	    ld->c->boot_mode != BOOT_MODE_PROTECTED)
		return image_error(ld, -E_INVAL, "boot_mode \"%s\": Multiboot "
				   "kernels start in protected mode",
				   config_boot_mode_name(ld->c->boot_mode));
	ld->reserved_start = IMAGE_MB_INFO;
	ld->reserved_end = IMAGE_MB_INFO + IMAGE_MB_INFO_SIZE;
	if (h->flags & MB_FLAG_AOUT_KLUDGE)
		r = mb_load_kludge(ld, h, off);
	else if (ld->size >= SELFMAG && memcmp(ld->img, ELFMAG, SELFMAG) == 0)
		r = image_load_elf(ld, &class);
	else
		r = image_error(ld, -E_INVAL, "Multiboot header without the "
				"address fields (flag 16) in a file that is not "
				"ELF");
	if (r < 0)
		return r;
	ld->boot->mode = BOOT_MODE_PROTECTED;
	return mb_write_info(ld, rd, rsize);
}

/* Reserves the long-mode page-table area so the kernel cannot overlap it. */
static void image_reserve_page_tables(struct loader *ld)
{
	if (ld->boot->mode == BOOT_MODE_LONG) {
		ld->reserved_start = IMAGE_PT_BASE;
		ld->reserved_end = IMAGE_PT_BASE + IMAGE_PT_SIZE;
	}
}

/* Plain ELF: protected mode for ELF32, long mode for ELF64 by default. */
static int image_load_plain_elf(struct loader *ld)
{
	unsigned class;
	int r;

	if (ld->boot->mode == BOOT_MODE_DEFAULT)
		ld->boot->mode = ld->size > EI_CLASS &&
			ld->img[EI_CLASS] == ELFCLASS64 ? BOOT_MODE_LONG :
			BOOT_MODE_PROTECTED;
	image_reserve_page_tables(ld);
	if ((r = image_load_elf(ld, &class)) < 0)
		return r;
	ld->boot->format = class == ELFCLASS64 ? IMAGE_ELF64 : IMAGE_ELF32;
	return 0;
}

/* Flat binary: real mode unless the config says otherwise. */
static int image_load_flat_mode(struct loader *ld)
{
	if (ld->boot->mode == BOOT_MODE_DEFAULT)
		ld->boot->mode = BOOT_MODE_REAL;
	image_reserve_page_tables(ld);
	return image_load_flat(ld);
}

/* Picks the format and loads the kernel (not yet the mode state). */
static int image_load_kernel(struct loader *ld, const void *rd, size_t rsize)
{
	const struct mb_header *h = NULL;
	size_t off = 0;
	int r = 0;

	if (!ld->c->has_kernel_addr && (r = mb_find(ld, &h, &off)) < 0)
		return r;
	if (r == 1)
		return image_load_multiboot(ld, h, off, rd, rsize);
	if (rd)
		return image_error(ld, -E_INVAL, "a ramdisk needs a Multiboot "
				   "kernel");
	if (ld->c->has_kernel_addr)
		return image_load_flat_mode(ld);
	if (ld->size >= SELFMAG && memcmp(ld->img, ELFMAG, SELFMAG) == 0)
		return image_load_plain_elf(ld);
	return image_error(ld, -E_INVAL, "neither ELF nor Multiboot; for a flat "
			   "binary set kernel_addr");
}

int image_load(const struct domain_config *c, const void *kernel, size_t ksize,
	       const void *ramdisk, size_t rsize, const struct guest_mem *mem,
	       struct guest_boot *boot, char *err, size_t errlen)
{
	struct loader ld = { .c = c, .mem = mem, .img = kernel, .size = ksize,
			     .boot = boot, .err = err, .errlen = errlen };
	int r;

	memset(boot, 0, sizeof(*boot));
	boot->mode = c->boot_mode;
	if (!c->ramdisk.path[0])
		ramdisk = NULL;
	else if (!ramdisk)
		return image_error(&ld, -E_INVAL, "ramdisk \"%s\" not given to "
				   "the loader", c->ramdisk.path);
	if (ksize == 0)
		return image_error(&ld, -E_INVAL, "empty file");
	if ((r = image_load_kernel(&ld, ramdisk, rsize)) < 0 ||
	    (r = image_set_mode(&ld)) < 0)
		return r;
	snprintf(err, errlen, "ok");
	return 0;
}

const char *image_format_name(enum image_format f)
{
	static const char *const names[] = { [IMAGE_FLAT] = "flat binary",
		[IMAGE_MULTIBOOT] = "Multiboot", [IMAGE_ELF32] = "ELF32",
		[IMAGE_ELF64] = "ELF64" };

	return (unsigned)f < ARRAY_SIZE(names) ? names[f] : "?";
}
