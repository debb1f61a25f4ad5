/*
 * test_elf.c - lib/elf.c: elf_check() accepts a well-formed kernel-like
 * image and rejects each kind of malformed one with a reason that names
 * the offending field.
 */
#include <criterion/criterion.h>
#include <inc/elf.h>
#include <inc/error.h>
#include <inc/memlayout.h>

#define IMG_SIZE 0x3000
#define TEXT_VA	 (KERNBASE + 0x100000)
#define DATA_VA	 (TEXT_VA + 0x1000)

static union {
	Elf64_Ehdr eh;
	unsigned char bytes[IMG_SIZE];
} img;
static Elf64_Phdr *ph;
static char why[200];

static const struct elf_limits kern_limits = {
	.va_start = KERNBASE,
	.va_end = KERNBASE + KERN_MAX_SIZE,
	.max_file_size = 16 * 1024 * 1024,
	.max_mem_size = KERN_MAX_SIZE,
};

/* A valid image: text at TEXT_VA (file 0x1000), data+bss at DATA_VA. */
static void make_image(void)
{
	memset(&img, 0, sizeof(img));
	memcpy(img.eh.e_ident, ELFMAG, SELFMAG);
	img.eh.e_ident[EI_CLASS] = ELFCLASS64;
	img.eh.e_ident[EI_DATA] = ELFDATA2LSB;
	img.eh.e_ident[EI_VERSION] = EV_CURRENT;
	img.eh.e_type = ET_EXEC;
	img.eh.e_machine = EM_X86_64;
	img.eh.e_version = EV_CURRENT;
	img.eh.e_entry = TEXT_VA + 0x10;
	img.eh.e_phoff = sizeof(Elf64_Ehdr);
	img.eh.e_ehsize = sizeof(Elf64_Ehdr);
	img.eh.e_phentsize = sizeof(Elf64_Phdr);
	img.eh.e_phnum = 3;
	ph = (Elf64_Phdr *)(img.bytes + sizeof(Elf64_Ehdr));
	ph[0] = (Elf64_Phdr){ .p_type = PT_LOAD,
			      .p_flags = PF_R | PF_X,
			      .p_offset = 0x1000,
			      .p_vaddr = TEXT_VA,
			      .p_paddr = 0x100000,
			      .p_filesz = 0x800,
			      .p_memsz = 0x800,
			      .p_align = 0x1000 };
	ph[1] = (Elf64_Phdr){ .p_type = PT_NOTE,
			      .p_offset = 0x2800,
			      .p_filesz = 0x10,
			      .p_memsz = 0x10 };
	ph[2] = (Elf64_Phdr){ .p_type = PT_LOAD,
			      .p_flags = PF_R | PF_W,
			      .p_offset = 0x2000,
			      .p_vaddr = DATA_VA,
			      .p_paddr = 0x101000,
			      .p_filesz = 0x100,
			      .p_memsz = 0x5000,
			      .p_align = 0x1000 };
}

static int check(size_t size)
{
	return elf_check(img.bytes, size, &kern_limits, why, sizeof(why));
}

/* Expects a rejection whose reason contains each of the given words. */
#define expect_reject(size, ...)                                              \
	do {                                                                  \
		const char *words[] = { __VA_ARGS__ };                        \
		cr_assert_eq(check(size), -E_BAD_ELF, "accepted: %s", why);   \
		for (size_t w = 0; w < sizeof(words) / sizeof(words[0]); w++) \
			cr_expect(strstr(why, words[w]) != NULL,              \
				  "reason \"%s\" lacks \"%s\"", why,          \
				  words[w]);                                  \
	} while (0)

TestSuite(elf, .init = make_image);

Test(elf, accepts_valid_image)
{
	uint64_t lo, hi;

	cr_assert_eq(check(IMG_SIZE), 0, "rejected: %s", why);
	elf_load_span(img.bytes, &lo, &hi);
	cr_expect_eq(lo, TEXT_VA);
	cr_expect_eq(hi, DATA_VA + 0x5000);
	cr_expect_eq(elf_segment(img.bytes, 2).memsz, 0x5000);
}

Test(elf, accepts_segment_ending_at_limit)
{
	ph[2].p_vaddr = KERNBASE + KERN_MAX_SIZE - 0x5000;
	img.eh.e_entry = TEXT_VA;
	cr_assert_eq(check(IMG_SIZE), 0, "rejected: %s", why);
}

Test(elf, rejects_short_file)
{
	expect_reject(40, "file", "40 bytes", "too small");
}

Test(elf, rejects_bad_magic)
{
	img.eh.e_ident[1] = 'X';
	expect_reject(IMG_SIZE, "e_ident", "magic");
}

Test(elf, rejects_elf32)
{
	img.eh.e_ident[EI_CLASS] = ELFCLASS32;
	expect_reject(IMG_SIZE, "EI_CLASS", "class 1", "ELFCLASS64");
}

Test(elf, rejects_big_endian)
{
	img.eh.e_ident[EI_DATA] = 2;
	expect_reject(IMG_SIZE, "EI_DATA", "encoding 2");
}

Test(elf, rejects_wrong_machine)
{
	img.eh.e_machine = EM_386;
	expect_reject(IMG_SIZE, "e_machine", "machine 3", "EM_X86_64");
}

Test(elf, rejects_wrong_type)
{
	img.eh.e_type = ET_DYN;
	expect_reject(IMG_SIZE, "e_type", "type 3", "ET_EXEC");
}

Test(elf, rejects_phdrs_outside_file)
{
	img.eh.e_phoff = IMG_SIZE - 8;
	expect_reject(IMG_SIZE, "e_phoff", "outside the file");
}

Test(elf, rejects_phdr_count_overflowing_file)
{
	img.eh.e_phnum = 0xffff;
	expect_reject(IMG_SIZE, "e_phoff", "outside the file");
}

Test(elf, rejects_bad_phentsize)
{
	img.eh.e_phentsize = 32;
	expect_reject(IMG_SIZE, "e_phentsize", "32");
}

Test(elf, rejects_filesz_above_memsz)
{
	ph[0].p_filesz = 0x900;
	expect_reject(IMG_SIZE, "segment 0", "p_filesz 0x900", "p_memsz 0x800");
}

Test(elf, rejects_file_range_outside_file)
{
	ph[2].p_filesz = 0x1001;
	expect_reject(IMG_SIZE, "segment 2", "p_offset 0x2000",
		      "outside the file");
}

Test(elf, rejects_file_offset_wrapping)
{
	ph[2].p_offset = UINT64_MAX - 0x10;
	expect_reject(IMG_SIZE, "segment 2", "outside the file");
}

Test(elf, rejects_vaddr_below_window)
{
	ph[0].p_vaddr = 0x100000;
	expect_reject(IMG_SIZE, "segment 0", "vaddr [0x100000, 0x100800)",
		      "outside [0xffffffff80000000, 0xffffffff84000000)");
}

Test(elf, rejects_vaddr_beyond_window)
{
	ph[2].p_vaddr = KERNBASE + KERN_MAX_SIZE - 0x1000;
	expect_reject(IMG_SIZE, "segment 2", "vaddr", "outside");
}

Test(elf, rejects_memsz_wrapping)
{
	ph[2].p_memsz = UINT64_MAX - 0x100;
	expect_reject(IMG_SIZE, "segment 2", "vaddr", "outside");
}

Test(elf, rejects_overlapping_segments)
{
	ph[2].p_vaddr = TEXT_VA + 0x700;
	expect_reject(IMG_SIZE, "segments 0 and 2", "overlap",
		      "0xffffffff80100700");
}

Test(elf, rejects_entry_in_data)
{
	img.eh.e_entry = DATA_VA;
	expect_reject(IMG_SIZE, "e_entry", "0xffffffff80101000", "executable");
}

Test(elf, rejects_entry_outside_segments)
{
	img.eh.e_entry = TEXT_VA + 0x800;
	expect_reject(IMG_SIZE, "e_entry", "not inside");
}

Test(elf, rejects_no_load_segment)
{
	ph[0].p_type = PT_NOTE;
	ph[2].p_type = PT_NULL;
	expect_reject(IMG_SIZE, "no non-empty PT_LOAD");
}

Test(elf, rejects_no_program_headers)
{
	img.eh.e_phnum = 0;
	expect_reject(IMG_SIZE, "e_phnum", "no program headers");
}

Test(elf, rejects_file_too_large)
{
	struct elf_limits small = kern_limits;

	small.max_file_size = 0x2000;
	cr_assert_eq(elf_check(img.bytes, IMG_SIZE, &small, why, sizeof(why)),
		     -E_BAD_ELF);
	cr_expect(strstr(why, "too large") && strstr(why, "12288 bytes"),
		  "reason: %s", why);
}

Test(elf, rejects_span_too_large)
{
	struct elf_limits small = kern_limits;

	small.max_mem_size = 0x5000;
	cr_assert_eq(elf_check(img.bytes, IMG_SIZE, &small, why, sizeof(why)),
		     -E_BAD_ELF);
	cr_expect(strstr(why, "span 0x6000") && strstr(why, "too large"),
		  "reason: %s", why);
}

Test(elf, truncates_long_reason)
{
	char small[8];

	img.eh.e_machine = EM_386;
	cr_assert_eq(elf_check(img.bytes, IMG_SIZE, &kern_limits, small,
			       sizeof(small)),
		     -E_BAD_ELF);
	cr_expect_str_eq(small, "e_machi");
}
