/*
 * test_image.c - kernel/load/image.c: flat, ELF32, ELF64 and Multiboot v1 guest
 * images built in memory, loaded into a buffer standing in for guest RAM,
 * Linux bzImages (kernel/load/linux.c), and every rejection the loader
 * promises.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <inc/elf.h>
#include <inc/error.h>
#include <inc/x86.h>
#include "bzimage.h"
#include <kernel/load/acpi.h>
#include <kernel/load/bootparam.h>
#include <kernel/load/image.h>

#define GUEST_MIB 16

static uint8_t *ram;
static struct domain_config cfg;
static struct guest_boot boot;
static char err[256];
static uint8_t img[64 * 1024];
static int fail_writes;
static struct guest_mem mem; /* below: its writes go to ram_write */

static int ram_write(void *ctx, gpa_t gpa, const void *src, size_t len)
{
	cr_assert(gpa + len <= mem.size, "write outside guest RAM");
	if (fail_writes)
		return -E_NO_MEM;
	memcpy(ram + gpa, src, len);
	return 0;
}

/* A xen_platform domain's p2m has its platform device's BAR1 above. */
#define RAM_SIZE (GUEST_MIB * MiB + PLATFORM_XEN_MMIO_SIZE)

static struct guest_mem mem = { NULL, GUEST_MIB *MiB, ram_write };

static void setup(void)
{
	ram = malloc(RAM_SIZE);
	memset(ram, 0xaa, RAM_SIZE);
	mem.size = GUEST_MIB * MiB;
	memset(img, 0, sizeof(img));
	memset(&cfg, 0, sizeof(cfg));
	strcpy(cfg.file, "domains/t.cfg");
	strcpy(cfg.name, "t");
	strcpy(cfg.kernel.path, "k.elf");
	cfg.kernel.line = 3;
	cfg.memory_mib = GUEST_MIB;
	fail_writes = 0;
}

static void teardown(void)
{
	free(ram);
}

static int load(size_t size)
{
	return image_load(&cfg, img, size, NULL, 0, &mem, &boot, err,
			  sizeof(err));
}

static uint32_t rd32(gpa_t gpa)
{
	uint32_t v;

	memcpy(&v, ram + gpa, 4);
	return v;
}

static uint64_t rd64(gpa_t gpa)
{
	uint64_t v;

	memcpy(&v, ram + gpa, 8);
	return v;
}

#define expect_reject(size, code, want)                        \
	do {                                                   \
		cr_expect_eq(load(size), code, "got %s", err); \
		cr_expect_str_eq(err, want);                   \
	} while (0)

#define PFX "domains/t.cfg:3: kernel \"k.elf\": "

/* ---- ELF images ---- */

struct seg_spec {
	uint64_t vaddr, paddr, memsz;
	uint32_t flags;
	const void *data;
	size_t filesz;
};

/* Writes an ELF image into img with segment i's data at 0x1000 * (i+1). */
static size_t build_elf(unsigned class, uint64_t entry,
			const struct seg_spec *s, unsigned n)
{
	Elf64_Ehdr *e = (Elf64_Ehdr *)img;

	memcpy(e->e_ident, ELFMAG, SELFMAG);
	e->e_ident[EI_CLASS] = class;
	e->e_ident[EI_DATA] = ELFDATA2LSB;
	e->e_ident[EI_VERSION] = EV_CURRENT;
	e->e_type = ET_EXEC;
	e->e_machine = class == ELFCLASS64 ? EM_X86_64 : EM_386;
	e->e_version = 1;
	for (unsigned i = 0; i < n; i++)
		memcpy(img + 0x1000 * (i + 1), s[i].data, s[i].filesz);
	if (class == ELFCLASS64) {
		Elf64_Phdr *ph = (Elf64_Phdr *)(img + 64);

		e->e_entry = entry;
		e->e_phoff = 64;
		e->e_phentsize = sizeof(Elf64_Phdr);
		e->e_phnum = n;
		for (unsigned i = 0; i < n; i++)
			ph[i] = (Elf64_Phdr){ PT_LOAD,		s[i].flags,
					      0x1000 * (i + 1), s[i].vaddr,
					      s[i].paddr,	s[i].filesz,
					      s[i].memsz,	0x1000 };
	} else {
		uint32_t *w = (uint32_t *)(img + 16);
		uint32_t *ph = (uint32_t *)(img + 52);

		w[2] = entry;		      /* e_entry */
		w[3] = 52;		      /* e_phoff */
		*(uint16_t *)(img + 42) = 32; /* e_phentsize */
		*(uint16_t *)(img + 44) = n;  /* e_phnum */
		for (unsigned i = 0; i < n; i++, ph += 8) {
			ph[0] = PT_LOAD;
			ph[1] = 0x1000 * (i + 1);
			ph[2] = s[i].vaddr;
			ph[3] = s[i].paddr;
			ph[4] = s[i].filesz;
			ph[5] = s[i].memsz;
			ph[6] = s[i].flags;
			ph[7] = 0x1000;
		}
	}
	return 0x1000 * (n + 1);
}

static const uint8_t text[16] = { 0xf4, 0xeb, 0xfd, 1, 2, 3, 4, 5 };
static const uint8_t data[8] = { 9, 8, 7, 6, 5, 4, 3, 2 };

/* A higher-half kernel: text at 3 GiB + 1 MiB virtual, 1 MiB physical. */
static size_t build_two_segments(unsigned class)
{
	struct seg_spec s[2] = {
		{ 0xc0100000, 0x100000, 0x1000, PF_R | PF_X, text,
		  sizeof(text) },
		{ 0xc0101000, 0x101000, 0x2000, PF_R | PF_W, data,
		  sizeof(data) },
	};

	return build_elf(class, 0xc0100000, s, 2);
}

TestSuite(image, .init = setup, .fini = teardown);

Test(image, elf32_protected_mode)
{
	cr_assert_eq(load(build_two_segments(ELFCLASS32)), 0, "%s", err);
	cr_expect_eq(boot.format, IMAGE_ELF32);
	cr_expect_eq(boot.mode, BOOT_MODE_PROTECTED);
	cr_expect_eq(boot.rip, 0x100000);
	cr_expect_eq(boot.cr0, CR0_PE | CR0_ET);
	cr_expect_eq(boot.cr3, 0);
	cr_expect_eq(boot.load_start, 0x100000);
	cr_expect_eq(boot.load_end, 0x103000);
	cr_expect_eq(boot.rbx, 0);
	cr_expect_arr_eq(ram + 0x100000, text, sizeof(text));
	cr_expect_eq(ram[0x100000 + sizeof(text)], 0, "bss not zeroed");
	cr_expect_arr_eq(ram + 0x101000, data, sizeof(data));
	cr_expect_eq(ram[0x102fff], 0, "bss not zeroed");
	cr_expect_eq(ram[0x103000], 0xaa, "wrote past the segment");
}

Test(image, elf64_long_mode_page_tables)
{
	cr_assert_eq(load(build_two_segments(ELFCLASS64)), 0, "%s", err);
	cr_expect_eq(boot.format, IMAGE_ELF64);
	cr_expect_eq(boot.mode, BOOT_MODE_LONG);
	cr_expect_eq(boot.rip, 0x100000);
	cr_expect_eq(boot.cr0, CR0_PE | CR0_ET | CR0_PG);
	cr_expect_eq(boot.cr4, CR4_PAE);
	cr_expect_eq(boot.efer, EFER_LME | EFER_LMA);
	cr_expect_eq(boot.cr3, IMAGE_PT_BASE);
	cr_expect_eq(rd64(0x1000), 0x2003);
	cr_expect_eq(rd64(0x1008), 0);
	cr_expect_eq(rd64(0x2000 + 3 * 8), 0x6003);
	cr_expect_eq(rd64(0x3000 + 1 * 8), 0x200083);
	cr_expect_eq(rd64(0x6000 + 511 * 8), 0xffe00083,
		     "last 2 MiB below 4 GiB");
	cr_expect_arr_eq(ram + 0x101000, data, sizeof(data));
}

Test(image, elf64_protected_when_asked)
{
	cfg.boot_mode = BOOT_MODE_PROTECTED;
	cr_assert_eq(load(build_two_segments(ELFCLASS64)), 0, "%s", err);
	cr_expect_eq(boot.mode, BOOT_MODE_PROTECTED);
	cr_expect_eq(boot.cr3, 0);
	cr_expect_eq(rd64(0x1000), 0xaaaaaaaaaaaaaaaa, "page tables written");
}

Test(image, elf_physical_entry)
{
	size_t n = build_two_segments(ELFCLASS32);

	*(uint32_t *)(img + 24) = 0x100002;
	cr_assert_eq(load(n), 0, "%s", err);
	cr_expect_eq(boot.rip, 0x100002);
}

Test(image, elf_bad_headers)
{
	size_t n = build_two_segments(ELFCLASS32);

	img[EI_CLASS] = 3;
	expect_reject(n, -E_BAD_ELF,
		      PFX "e_ident[EI_CLASS]: class 3, want 1 "
			  "(ELF32) or 2 (ELF64)");
	img[EI_CLASS] = ELFCLASS32;
	img[18] = EM_X86_64;
	expect_reject(n, -E_BAD_ELF,
		      PFX "e_machine: machine 62, want EM_386 (3)");
	img[18] = EM_386;
	img[16] = ET_DYN;
	expect_reject(n, -E_BAD_ELF, PFX "e_type: type 3, want ET_EXEC (2)");
	img[16] = ET_EXEC;
	*(uint16_t *)(img + 44) = 400;
	expect_reject(n, -E_BAD_ELF,
		      PFX "e_phoff: program headers [0x34, 0x3234) outside "
			  "the file (12288 bytes) or misaligned");
	*(uint16_t *)(img + 44) = 0;
	expect_reject(n, -E_BAD_ELF, PFX "e_phnum: no program headers");
	img[0] = 0;
	expect_reject(n, -E_INVAL,
		      PFX "neither ELF nor Multiboot; for a flat "
			  "binary set kernel_addr");
	expect_reject(40, -E_INVAL,
		      PFX "neither ELF nor Multiboot; for a flat "
			  "binary set kernel_addr");
}

Test(image, elf64_header_checked_by_elf_check)
{
	size_t n = build_two_segments(ELFCLASS64);

	((Elf64_Ehdr *)img)->e_phentsize = 40;
	expect_reject(n, -E_BAD_ELF, PFX "e_phentsize: 40, want 56");
}

Test(image, elf_segment_outside_memory)
{
	struct seg_spec s = { 0xff0000, 0xff0000, 0x20000, PF_X, text, 16 };

	expect_reject(build_elf(ELFCLASS32, 0xff0000, &s, 1), -E_RANGE,
		      PFX "segment 0 [0xff0000, 0x1010000) outside guest "
			  "memory (16 MiB)");
	s.paddr = 0xfffff000;
	s.memsz = 0x2000;
	expect_reject(build_elf(ELFCLASS32, 0xff0000, &s, 1), -E_RANGE,
		      PFX "segment 0 [0xfffff000, 0x100001000) outside guest "
			  "memory (16 MiB)");
}

Test(image, elf_segment_errors)
{
	struct seg_spec s[2] = {
		{ 0x100000, 0x100000, 0x2000, PF_X, text, 16 },
		{ 0x200000, 0x101000, 0x1000, PF_W, data, 8 },
	};

	expect_reject(build_elf(ELFCLASS32, 0x100000, s, 2), -E_BAD_ELF,
		      PFX "segments 0 and 1 overlap at p_paddr 0x101000");
	s[1].paddr = 0x200000;
	s[1].memsz = 4;
	expect_reject(build_elf(ELFCLASS32, 0x100000, s, 2), -E_BAD_ELF,
		      PFX "segment 1: p_filesz 0x8 > p_memsz 0x4");
	s[1].memsz = 0x1000;
	expect_reject(build_elf(ELFCLASS32, 0x200000, s, 2), -E_BAD_ELF,
		      PFX "e_entry 0x200000 outside every executable PT_LOAD "
			  "segment");
	build_elf(ELFCLASS32, 0x100000, s, 2);
	expect_reject(0x2004, -E_BAD_ELF,
		      PFX "segment 1: file range p_offset 0x2000 + p_filesz "
			  "0x8 outside the file (8196 bytes)");
}

Test(image, elf64_overlapping_page_tables)
{
	struct seg_spec s = { 0x4000, 0x4000, 0x1000, PF_X, text, 16 };

	expect_reject(build_elf(ELFCLASS64, 0x4000, &s, 1), -E_RANGE,
		      PFX "segment 0 [0x4000, 0x5000) overlaps the loader's "
			  "area [0x1000, 0x7000)");
}

Test(image, write_failure_propagates)
{
	fail_writes = 1;
	expect_reject(build_two_segments(ELFCLASS32), -E_NO_MEM,
		      PFX "writing guest memory at 0x100000: out of memory");
}

/* ---- flat binaries ---- */

Test(image, flat_real_mode)
{
	cfg.has_kernel_addr = true;
	cfg.kernel_addr = cfg.entry = 0x7c00;
	memcpy(img, text, sizeof(text));
	cr_assert_eq(load(512), 0, "%s", err);
	cr_expect_eq(boot.format, IMAGE_FLAT);
	cr_expect_eq(boot.mode, BOOT_MODE_REAL);
	cr_expect_eq(boot.cs_sel, 0);
	cr_expect_eq(boot.rip, 0x7c00);
	cr_expect_eq(boot.cr0, CR0_RESET);
	cr_expect_arr_eq(ram + 0x7c00, text, sizeof(text));
	cr_expect_eq(ram[0x7c00 + 511], 0);
	cr_expect_eq(ram[0x7c00 + 512], 0xaa);
	cr_expect_eq(boot.load_end, 0x7e00);
}

Test(image, flat_real_mode_segment)
{
	cfg.has_kernel_addr = true;
	cfg.kernel_addr = 0x12340;
	cfg.entry = 0x12345;
	cr_assert_eq(load(16), 0, "%s", err);
	cr_expect_eq(boot.cs_sel, 0x1000);
	cr_expect_eq(boot.rip, 0x2345);
}

Test(image, flat_protected_and_long)
{
	cfg.has_kernel_addr = true;
	cfg.kernel_addr = cfg.entry = 0x100000;
	cfg.boot_mode = BOOT_MODE_PROTECTED;
	cr_assert_eq(load(64), 0, "%s", err);
	cr_expect_eq(boot.mode, BOOT_MODE_PROTECTED);
	cr_expect_eq(boot.rip, 0x100000);
	cr_expect_eq(boot.cr0, CR0_PE | CR0_ET);
	cfg.boot_mode = BOOT_MODE_LONG;
	cr_assert_eq(load(64), 0, "%s", err);
	cr_expect_eq(boot.mode, BOOT_MODE_LONG);
	cr_expect_eq(boot.cr3, IMAGE_PT_BASE);
	cr_expect_eq(rd64(0x1000), 0x2003);
}

Test(image, flat_errors)
{
	cfg.has_kernel_addr = true;
	cfg.kernel_addr = cfg.entry = 0xfff000;
	expect_reject(0x2000, -E_RANGE,
		      PFX "flat image [0xfff000, 0x1001000) "
			  "outside guest memory (16 MiB)");
	cfg.kernel_addr = 0x7c00;
	cfg.entry = 0x7e00;
	expect_reject(512, -E_RANGE,
		      PFX "entry 0x7e00 outside the image "
			  "[0x7c00, 0x7e00)");
	cfg.kernel_addr = cfg.entry = 0x100000;
	expect_reject(512, -E_RANGE,
		      PFX "real-mode entry 0x100000 above 1 MiB");
	cfg.kernel_addr = cfg.entry = 0x2000;
	cfg.boot_mode = BOOT_MODE_LONG;
	expect_reject(512, -E_RANGE,
		      PFX "flat image [0x2000, 0x2200) overlaps "
			  "the loader's area [0x1000, 0x7000)");
	expect_reject(0, -E_INVAL, PFX "empty file");
}

/* An hvm domain's firmware tables fill the BIOS area: nothing loads there. */
Test(image, firmware_tables)
{
	struct guest_mem small = { NULL, 512 * KiB, ram_write };

	cfg.has_kernel_addr = true;
	cfg.kernel_addr = cfg.entry = 0x7c00;
	cfg.vcpus = 2;
	cr_assert_eq(load(512), 0, "%s", err);
	cr_expect_eq(memcmp(ram + 0xf0000, "RSD PTR ", 8), 0, "the RSDP");
	cfg.type = DOMAIN_TE;
	memset(ram + 0xf0000, 0xaa, 8);
	cr_assert_eq(load(512), 0, "%s", err);
	cr_expect_eq(ram[0xf0000], 0xaa, "no tables for type te");
	cfg.type = DOMAIN_HVM;
	cfg.kernel_addr = cfg.entry = 0xdff00;
	expect_reject(512, -E_RANGE,
		      PFX "flat image [0xdff00, 0xe0100) overlaps "
			  "the firmware tables [0xe0000, 0x100000)");
	cfg.kernel_addr = cfg.entry = 0x7c00;
	cr_expect_eq(image_load(&cfg, img, 512, NULL, 0, &small, &boot, err,
				sizeof(err)),
		     -E_RANGE);
	cr_expect_str_eq(err, PFX "512 KiB of memory: no room for the "
				  "firmware tables below 0x100000");
}

/* ---- Multiboot ---- */

static void mb_header(uint8_t *at, uint32_t flags, const uint32_t *kludge)
{
	uint32_t h[8] = { MB_HEADER_MAGIC, flags, -(MB_HEADER_MAGIC + flags) };

	if (kludge)
		memcpy(h + 3, kludge, 5 * 4);
	memcpy(at, h, sizeof(h));
}

/* An ELF32 Multiboot kernel: the header at the start of its text. */
static size_t build_mb_elf(void)
{
	uint8_t t[64] = { 0 };
	struct seg_spec s = { 0x100000, 0x100000, 0x3000, PF_X, t, sizeof(t) };

	mb_header(t, MB_FLAG_MEMORY_INFO, NULL);
	return build_elf(ELFCLASS32, 0x100020, &s, 1);
}

Test(image, multiboot_elf_info)
{
	static const char rd[] = "ramdisk contents";

	strcpy(cfg.extra, "token=abc x=1");
	strcpy(cfg.ramdisk.path, "initrd.gz");
	cr_assert_eq(image_load(&cfg, img, build_mb_elf(), rd, sizeof(rd), &mem,
				&boot, err, sizeof(err)),
		     0, "%s", err);
	cr_expect_eq(boot.format, IMAGE_MULTIBOOT);
	cr_expect_eq(boot.mode, BOOT_MODE_PROTECTED);
	cr_expect_eq(boot.rip, 0x100020);
	cr_expect_eq(boot.rax, MB_BOOT_MAGIC);
	cr_expect_eq(boot.rbx, IMAGE_MB_INFO);
	cr_expect_eq(boot.cr0, CR0_PE | CR0_ET);

	gpa_t mi = IMAGE_MB_INFO;
	cr_expect_eq(rd32(mi),
		     (1 << 0) | (1 << 2) | (1 << 3) | (1 << 6) | (1 << 9));
	cr_expect_eq(rd32(mi + 4), 639, "mem_lower");
	cr_expect_eq(rd32(mi + 8), (GUEST_MIB - 1) * 1024, "mem_upper");
	cr_expect_str_eq((char *)ram + rd32(mi + 16), "k.elf token=abc x=1");
	cr_expect_str_eq((char *)ram + rd32(mi + 64), "hvlab");
	cr_expect_eq(rd32(mi + 20), 1, "mods_count");

	gpa_t mod = rd32(mi + 24);
	cr_expect_eq(rd32(mod), 0x103000,
		     "module on the page after the kernel");
	cr_expect_eq(rd32(mod + 4), 0x103000 + sizeof(rd));
	cr_expect_str_eq((char *)ram + 0x103000, rd);
	cr_expect_str_eq((char *)ram + rd32(mod + 8), "initrd.gz");

	gpa_t mm = rd32(mi + 48);
	cr_expect_eq(rd32(mi + 44), 4 * 24, "mmap_length");
	cr_expect_eq(rd32(mm), 20);
	cr_expect_eq(rd64(mm + 4), 0);
	cr_expect_eq(rd64(mm + 12), 0x9fc00);
	cr_expect_eq(rd32(mm + 20), 1, "RAM");
	cr_expect_eq(rd64(mm + 24 + 4), 0x9fc00);
	cr_expect_eq(rd32(mm + 24 + 20), 2, "EBDA reserved");
	cr_expect_eq(rd64(mm + 48 + 4), 0xe0000);
	cr_expect_eq(rd32(mm + 48 + 20), 2, "BIOS area (tables) reserved");
	cr_expect_eq(rd64(mm + 72 + 4), 0x100000);
	cr_expect_eq(rd64(mm + 72 + 12), (GUEST_MIB - 1) * MiB);
	cr_expect_eq(rd32(mm + 72 + 20), 1, "RAM above 1 MiB");
}

/* The builder's last page, the xenstore ring, is zeroed (RAM starts 0xaa). */
static void expect_store_page(gpa_t store)
{
	cr_expect_eq(boot.pv_store, store);
	for (int i = 0; i < 4096; i += 8)
		cr_assert_eq(rd64(store + i), 0, "xenstore ring zeroed");
}

/* xen_platform: the p2m's top 16 MiB are the platform device's BAR1, the
 * page below them the xenstore ring, not in the map. */
Test(image, multiboot_xen_platform_store)
{
	const uint64_t end = GUEST_MIB * MiB - 4096;

	mem.size = RAM_SIZE;
	cfg.xen_platform = true;
	cr_assert_eq(load(build_mb_elf()), 0, "%s", err);
	expect_store_page(end);

	gpa_t mi = IMAGE_MB_INFO, mm = rd32(mi + 48);
	cr_expect_eq(rd32(mi + 8), (end - MiB) / 1024, "mem_upper");
	cr_expect_eq(rd64(mm + 72 + 12), end - MiB);
	mem.size = GUEST_MIB * MiB;
	cfg.xen_platform = false;
	cr_assert_eq(load(build_mb_elf()), 0, "%s", err);
	cr_expect_eq(boot.pv_store, 0);
}

Test(image, multiboot_without_ramdisk_or_extra)
{
	cr_assert_eq(load(build_mb_elf()), 0, "%s", err);
	cr_expect_eq(rd32(IMAGE_MB_INFO) & MBI_MODS, 0, "no modules flag");
	cr_expect_str_eq((char *)ram + rd32(IMAGE_MB_INFO + 16), "k.elf");
}

/* A raw Multiboot image with the a.out kludge, header at file offset 0. */
static size_t build_mb_kludge(uint32_t load, uint32_t load_end,
			      uint32_t bss_end, uint32_t entry)
{
	uint32_t k[5] = { load, load, load_end, bss_end, entry };

	mb_header(img, MB_FLAG_AOUT_KLUDGE | MB_FLAG_PAGE_ALIGN, k);
	memcpy(img + 0x20, text, sizeof(text));
	return 0x800;
}

Test(image, multiboot_kludge)
{
	cr_assert_eq(load(build_mb_kludge(0x100000, 0x100400, 0x102000,
					  0x100020)),
		     0, "%s", err);
	cr_expect_eq(boot.rip, 0x100020);
	cr_expect_arr_eq(ram + 0x100020, text, sizeof(text));
	cr_expect_eq(ram[0x100400], 0,
		     "bss zeroed (file data past load_end "
		     "not loaded)");
	cr_expect_eq(ram[0x101fff], 0, "bss zeroed");
	cr_expect_eq(ram[0x102000], 0xaa);
	cr_expect_eq(boot.load_end, 0x102000);
	cr_assert_eq(load(build_mb_kludge(0x100000, 0, 0, 0x100020)), 0, "%s",
		     err);
	cr_expect_eq(boot.load_end, 0x100800, "load_end 0: to the end of file");
}

Test(image, multiboot_header_search_limit)
{
	uint32_t k[5] = { 0x100000, 0x100000, 0, 0, 0x100000 };

	mb_header(img + 8184, MB_FLAG_AOUT_KLUDGE, k);
	expect_reject(0x4000, -E_INVAL,
		      PFX "neither ELF nor Multiboot; for a "
			  "flat binary set kernel_addr");
	mb_header(img + 8180, MB_FLAG_AOUT_KLUDGE, k);
	cr_expect_eq(load(0x4000), 0, "%s", err);
}

Test(image, multiboot_rejections)
{
	size_t n = build_mb_kludge(0x100000, 0, 0, 0x100020);

	img[8] ^= 1;
	expect_reject(n, -E_INVAL,
		      PFX "Multiboot header at offset 0x0: bad "
			  "checksum 0xe4514ffc");
	mb_header(img, 1 << 2, NULL);
	expect_reject(n, -E_NOT_SUPP,
		      PFX "Multiboot header: flags 0x00000004 "
			  "ask for unsupported features 0x4");
	mb_header(img, 0, NULL);
	expect_reject(n, -E_INVAL,
		      PFX "Multiboot header without the address "
			  "fields (flag 16) in a file that is not ELF");
	n = build_mb_kludge(0x100000, 0, 0, 0x200000);
	expect_reject(n, -E_INVAL,
		      PFX "Multiboot header: entry_addr 0x200000 "
			  "outside the loaded code [0x100000, 0x100800)");
	n = build_mb_kludge(0x100000, 0x100000 + 0x900, 0, 0x100020);
	expect_reject(n, -E_INVAL,
		      PFX "Multiboot header: bad load_end_addr "
			  "0x100900 / bss_end_addr 0x0");
	n = build_mb_kludge(0x100000, 0x100400, 0x100200, 0x100020);
	expect_reject(n, -E_INVAL,
		      PFX "Multiboot header: bad load_end_addr "
			  "0x100400 / bss_end_addr 0x100200");
	n = build_mb_kludge(0x8000, 0, 0x9800, 0x8020);
	expect_reject(n, -E_RANGE,
		      PFX "Multiboot load [0x8000, 0x9800) overlaps "
			  "the loader's area [0x9000, 0xa000)");
	n = build_mb_kludge(0xfff000, 0, 0x1001000, 0xfff020);
	expect_reject(n, -E_RANGE,
		      PFX "Multiboot load [0xfff000, 0x1001000) "
			  "outside guest memory (16 MiB)");
	((uint32_t *)img)[3] = 0x100010;
	expect_reject(
		n, -E_INVAL,
		PFX
		"Multiboot header: load_addr 0xfff000 / "
		"header_addr 0x100010 put the load before the file's start");
}

Test(image, multiboot_mode_and_ramdisk_rules)
{
	size_t n = build_mb_kludge(0x100000, 0, 0, 0x100020);

	cfg.boot_mode = BOOT_MODE_LONG;
	expect_reject(n, -E_INVAL,
		      PFX "boot_mode \"long\": Multiboot kernels "
			  "start in protected mode");
	cfg.boot_mode = BOOT_MODE_DEFAULT;
	strcpy(cfg.ramdisk.path, "rd");
	expect_reject(n, -E_INVAL,
		      PFX "ramdisk \"rd\" not given to the loader");
	cr_expect_eq(image_load(&cfg, img, build_two_segments(ELFCLASS32), "x",
				1, &mem, &boot, err, sizeof(err)),
		     -E_INVAL);
	cr_expect_str_eq(err,
			 PFX "a ramdisk needs a Multiboot or Linux kernel");
	n = build_mb_kludge(0x100000, 0, 0, 0x100020);
	cr_expect_eq(image_load(&cfg, img, n, img, 16 * MiB, &mem, &boot, err,
				sizeof(err)),
		     -E_RANGE);
	cr_expect_str_eq(err, PFX "ramdisk [0x101000, 0x1101000) outside guest "
				  "memory (16 MiB)");
}

/* ---- Linux bzImages: the x86 boot protocol ---- */

#define BZ_SIZE 0x2000 /* setup 2 sectors, then the kernel */

/* A bzImage header over img: protocol 2.15, 64-bit entry, at 2 MiB. */
static struct setup_header *build_bzimage(void)
{
	for (size_t i = 0x400; i < BZ_SIZE; i++)
		img[i] = (uint8_t)i;
	strcpy(cfg.kernel.path, "k.elf");
	return bzimage_header(img, 1, BZ_SIZE - 0x400);
}

static int load_linux(size_t rsize)
{
	static uint8_t rd[64 * 1024];

	return image_load(&cfg, img, BZ_SIZE, rsize ? rd : NULL, rsize, &mem,
			  &boot, err, sizeof(err));
}

Test(image, linux_good_header)
{
	struct boot_params *bp = (void *)(ram + IMAGE_LINUX_PARAMS);

	build_bzimage();
	strcpy(cfg.ramdisk.path, "initrd.gz");
	strcpy(cfg.extra, "console=ttyS0 panic=-1");
	cr_assert_eq(load_linux(0x2800), 0, "%s", err);
	cr_expect_eq(boot.format, IMAGE_LINUX);
	cr_expect_eq(boot.mode, BOOT_MODE_LONG);
	cr_expect_eq(boot.rip, 0x200200);
	cr_expect_eq(boot.rsi, IMAGE_LINUX_PARAMS);
	cr_expect_eq(boot.cr3, IMAGE_PT_BASE);
	cr_expect(memcmp(ram + 0x200000, img + 0x400, BZ_SIZE - 0x400) == 0);
	cr_expect_eq(bp->hdr.header, BP_HDR_MAGIC);
	cr_expect_eq(bp->hdr.type_of_loader, BP_LOADER_UNKNOWN);
	cr_expect_eq(bp->hdr.cmd_line_ptr, IMAGE_LINUX_CMDLINE);
	cr_expect_str_eq((char *)ram + IMAGE_LINUX_CMDLINE,
			 "console=ttyS0 panic=-1");
	cr_expect_eq(bp->hdr.ramdisk_image, GUEST_MIB * MiB - 0x3000);
	cr_expect_eq(bp->hdr.ramdisk_size, 0x2800);
	cr_expect_eq(bp->acpi_rsdp_addr, ACPI_TABLES_GPA);
	cr_expect_eq(bp->e820_entries, 4);
	cr_expect_eq(bp->e820_table[3].addr, 0x100000);
	cr_expect_eq(bp->e820_table[3].size, GUEST_MIB * MiB - 0x100000);
	cr_expect_eq(bp->e820_table[3].type, E820_RAM);
}

Test(image, linux_bad_magic)
{
	build_bzimage()->boot_flag = 0x1234;
	cr_expect_eq(load_linux(0), -E_INVAL);
	cr_expect_str_eq(err, PFX "setup header: boot_flag 0x1234 is not "
				  "0xaa55");
}

Test(image, linux_old_protocol)
{
	build_bzimage()->version = 0x020b;
	cr_expect_eq(load_linux(0), -E_NOT_SUPP);
	cr_expect_str_eq(err, PFX "setup header: version 2.11 is older than "
				  "2.12");
	build_bzimage()->xloadflags = 0;
	cr_expect_eq(load_linux(0), -E_NOT_SUPP);
	cr_expect_str_eq(err, PFX "setup header: loadflags 0x1 / xloadflags "
				  "0x0: no 64-bit entry point");
}

Test(image, linux_truncated)
{
	build_bzimage()->syssize = BZ_SIZE / 16;
	cr_expect_eq(load_linux(0), -E_INVAL);
	cr_expect_str_eq(err, PFX "truncated: setup_sects 1 and syssize 512 "
				  "need 9216 bytes, the file has 8192");
	cr_expect_eq(image_load(&cfg, img, 0x300, NULL, 0, &mem, &boot, err,
				sizeof(err)),
		     -E_INVAL);
	cr_expect_str_eq(err, PFX "truncated: 768 bytes, no room for the "
				  "setup header");
}

Test(image, linux_initrd_too_big)
{
	build_bzimage()->initrd_addr_max = 0x30ffff;
	strcpy(cfg.ramdisk.path, "initrd.gz");
	cr_expect_eq(load_linux(0x10001), -E_RANGE);
	cr_expect_str_eq(err, PFX "ramdisk \"initrd.gz\" (65537 bytes) does "
				  "not fit between the kernel's end 0x300000 "
				  "and 0x310000");
}

/* ---- PV kernels (lab 6): Xen's notes and the start info pages ---- */

#include <inc/public/xen.h>
#include <inc/public/elfnote.h>
#include <inc/public/hvm/start_info.h>

/* Appends a note (owner, type, desc of 4 or 8 bytes) at img + *at. */
static void put_note(size_t *at, const char *owner, uint32_t type,
		     uint64_t desc, uint32_t descsz)
{
	uint32_t hdr[3] = { strlen(owner) + 1, descsz, type };

	memcpy(img + *at, hdr, sizeof(hdr));
	memcpy(img + *at + 12, owner, hdr[0]);
	*at += 12 + ((hdr[0] + 3) & ~3u);
	memcpy(img + *at, &desc, descsz);
	*at += (descsz + 3) & ~3u;
}

/* Notes to put in a PT_NOTE; type 0 ends the list. */
struct note_spec {
	const char *owner;
	uint32_t type;
	uint64_t desc;
	uint32_t descsz;
};

/*
 * A 64-bit PV kernel: text at vaddr 1 MiB + off (physical 1 MiB), one
 * PT_NOTE after the segment's data holding notes; returns the size.
 */
static size_t build_pv(uint64_t vbase, const struct note_spec *notes)
{
	struct seg_spec s = { vbase,	   0x100000, 0x1000,
			      PF_R | PF_X, text,     sizeof(text) };
	size_t size = build_elf(ELFCLASS64, vbase, &s, 1), at = size;
	Elf64_Phdr *ph = (Elf64_Phdr *)(img + 64);

	for (; notes->type; notes++)
		put_note(&at, notes->owner, notes->type, notes->desc,
			 notes->descsz);
	ph[1] = (Elf64_Phdr){ PT_NOTE, PF_R, size, 0, 0, at - size, 0, 4 };
	((Elf64_Ehdr *)img)->e_phnum = 2;
	return at;
}

static const struct note_spec both_entries[] = {
	{ "Xen", XEN_ELFNOTE_PHYS32_ENTRY, 0x100004, 4 },
	{ "GNU", XEN_ELFNOTE_ENTRY, 0x100008, 8 }, /* not Xen's: skipped */
	{ "Xen", XEN_ELFNOTE_ENTRY, 0x100002, 8 },
	{ "Xen", XEN_ELFNOTE_HYPERCALL_PAGE, 0x100800, 8 },
	{ 0 },
};

static const char rd[6] = "RDRD!";

static int load_pv(size_t size, bool te)
{
	return image_load_pv(&cfg, te, img, size, rd, sizeof(rd), &mem, &boot,
			     err, sizeof(err));
}

static void setup_pv(void)
{
	setup();
	cfg.type = DOMAIN_PV;
	strcpy(cfg.extra, "console=hvc0 loglevel=9");
	strcpy(cfg.ramdisk.path, "rd.img");
}

Test(image, pv_hvm_container_start_info, .init = setup_pv)
{
	const gpa_t top = GUEST_MIB * MiB - 2 * 4096;
	struct hvm_start_info si;
	struct hvm_modlist_entry mod;
	struct hvm_memmap_table_entry map[2];

	cr_assert_eq(load_pv(build_pv(0x100000, both_entries), false), 0, "%s",
		     err);
	cr_expect_eq(boot.mode, BOOT_MODE_PROTECTED);
	cr_expect_eq(boot.rip, 0x100004);
	cr_expect_eq(boot.rbx, top);
	cr_expect_eq(boot.pv_ram_end, top);
	cr_expect_eq(boot.pv_shared_info, 0);
	cr_expect_eq(boot.pv_hypercall_page, 0x100800);
	memcpy(&si, ram + top, sizeof(si));
	cr_expect_eq(si.magic, XEN_HVM_START_MAGIC_VALUE);
	cr_expect_eq(si.version, 1);
	cr_expect_eq(si.flags, 0, "not privileged");
	cr_expect_eq(si.nr_modules, 1);
	cr_expect_str_eq((char *)ram + si.cmdline_paddr,
			 "console=hvc0 loglevel=9");
	memcpy(&mod, ram + si.modlist_paddr, sizeof(mod));
	cr_expect_eq(mod.paddr, top - 4096, "ramdisk right below, aligned");
	cr_expect_eq(mod.size, sizeof(rd));
	cr_expect_str_eq((char *)ram + mod.paddr, "RDRD!");
	cr_assert_eq(si.memmap_entries, 2);
	memcpy(map, ram + si.memmap_paddr, sizeof(map));
	cr_expect(map[0].addr == 0 && map[0].size == top && map[0].type == 1);
	cr_expect(map[1].addr == top && map[1].size == 2 * 4096 &&
		  map[1].type == 2);
	expect_store_page(top + 4096);
}

Test(image, pv_te_container_start_info, .init = setup_pv)
{
	const gpa_t si_gpa = GUEST_MIB * MiB - 3 * 4096;
	struct start_info si;

	cfg.privileged = true;
	cr_assert_eq(load_pv(build_pv(0x100000, both_entries), true), 0, "%s",
		     err);
	cr_expect_eq(boot.mode, BOOT_MODE_LONG);
	cr_expect_eq(boot.rip, 0x100002);
	cr_expect_eq(boot.rsi, si_gpa);
	cr_expect_eq(boot.pv_ram_end, si_gpa);
	cr_expect_eq(boot.pv_shared_info, si_gpa + 4096);
	memcpy(&si, ram + si_gpa, sizeof(si));
	cr_expect_str_eq(si.magic, XEN_START_INFO_MAGIC);
	cr_expect_eq(si.nr_pages, si_gpa / 4096, "builder pages excluded");
	cr_expect_eq(si.shared_info, si_gpa + 4096);
	cr_expect_eq(si.flags, SIF_PRIVILEGED | SIF_INITDOMAIN);
	cr_expect_str_eq(si.cmd_line, "console=hvc0 loglevel=9");
	cr_expect_eq(si.mod_start, si_gpa - 4096);
	cr_expect_eq(si.mod_len, sizeof(rd));
	for (int i = 0; i < 4096; i += 8)
		cr_assert_eq(rd64(si.shared_info + i), 0, "shared_info zeroed");
	cr_expect_eq(si.store_mfn, si_gpa / 4096 + 2);
	expect_store_page(si_gpa + 2 * 4096);
	cfg.privileged = false;
	cr_assert_eq(load_pv(build_pv(0x100000, both_entries), true), 0);
	cr_expect_eq(((struct start_info *)(ram + si_gpa))->flags, 0);
}

Test(image, pv_notes_name_virtual_addresses, .init = setup_pv)
{
	const struct note_spec high[] = {
		{ "Xen", XEN_ELFNOTE_ENTRY, 0xffffffff80100010ULL, 8 },
		{ 0 },
	};

	cr_assert_eq(load_pv(build_pv(0xffffffff80100000ULL, high), true), 0,
		     "%s", err);
	cr_expect_eq(boot.rip, 0x100010);
	cr_expect_eq(boot.pv_hypercall_page, IMAGE_PV_NONE);
}

Test(image, pv_missing_entry_notes, .init = setup_pv)
{
	const struct note_spec hvm_only[] = {
		{ "Xen", XEN_ELFNOTE_PHYS32_ENTRY, 0x100000, 4 },
		{ 0 },
	};
	const struct note_spec te_only[] = {
		{ "Xen", XEN_ELFNOTE_ENTRY, 0x100000, 8 },
		{ "Xen ", XEN_ELFNOTE_PHYS32_ENTRY, 0x100000, 4 },
		{ 0 },
	};

	cr_expect_eq(load_pv(build_pv(0x100000, hvm_only), true), -E_INVAL);
	cr_expect_str_eq(err, "domains/t.cfg:3: kernel k.elf has no "
			      "XEN_ELFNOTE_ENTRY note");
	cr_expect_eq(load_pv(build_pv(0x100000, te_only), false), -E_INVAL);
	cr_expect_str_eq(err, "domains/t.cfg:3: kernel k.elf has no "
			      "XEN_ELFNOTE_PHYS32_ENTRY note");
}

Test(image, pv_bad_notes_and_layouts, .init = setup_pv)
{
	const struct note_spec outside[] = {
		{ "Xen", XEN_ELFNOTE_ENTRY, 0x200000, 8 },
		{ 0 },
	};
	size_t size = build_pv(0x100000, both_entries);
	Elf64_Phdr *ph = (Elf64_Phdr *)(img + 64);

	ph[1].p_filesz -= 4; /* the last note runs past its PT_NOTE */
	cr_expect_eq(load_pv(size, true), -E_BAD_ELF);
	cr_expect(strstr(err, "runs past its PT_NOTE"), "%s", err);
	cr_expect_eq(load_pv(build_pv(0x100000, outside), true), -E_BAD_ELF);
	cr_expect(strstr(err, "outside the loaded image"), "%s", err);
	cfg.memory_mib = 1; /* kernel at 1 MiB: in the builder's pages */
	cr_expect_eq(image_load_pv(&cfg, true, img,
				   build_pv(0x100000, both_entries), NULL, 0,
				   &(struct guest_mem){ NULL, 0x101000,
							ram_write },
				   &boot, err, sizeof(err)),
		     -E_RANGE);
	cr_expect(strstr(err, "builder's pages"), "%s", err);
}
