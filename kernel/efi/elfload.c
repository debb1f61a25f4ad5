/*
 * elfload.c - reading hv.elf and placing its PT_LOAD segments in memory.
 *
 * The kernel is linked at KERNBASE, so physical placement is free: one
 * block of pages covers the span from the lowest to the highest segment
 * address and each segment lands at its offset in that block; paging.c
 * later maps the block at the link addresses.  The whole file stays in
 * memory as well, for the kernel's symbolized backtraces.
 */
#include <inc/error.h>
#include <inc/string.h>
#include <kernel/efi/loader.h>

#define KERNEL_PATH	"hv.elf"
#define KERNEL_FILE_MAX (64 * 1024 * 1024)

static const struct elf_limits elfload_limits = {
	.va_start = KERNBASE,
	.va_end = KERNBASE + KERN_MAX_SIZE,
	.max_file_size = KERNEL_FILE_MAX,
	.max_mem_size = KERN_MAX_SIZE,
};

/* Copies each segment to block + (p_vaddr - lo) and zeroes its bss tail. */
static void elfload_copy(const void *img, char *block, uint64_t lo)
{
	for (unsigned i = 0; i < elf_phnum(img); i++) {
		struct elf_segment s = elf_segment(img, i);

		if (s.type != PT_LOAD || s.memsz == 0)
			continue;
		memcpy(block + (s.vaddr - lo), (const char *)img + s.offset,
		       s.filesz);
		memset(block + (s.vaddr - lo) + s.filesz, 0,
		       s.memsz - s.filesz);
	}
}

uint64_t elfload_kernel(struct boot_info *bi)
{
	void *img;
	uint64_t size, lo, hi, span;
	char why[160];
	char *block;

	if (file_read(KERNEL_PATH, &img, &size) == -E_NOT_FOUND)
		loader_fail("\\%s: file not found on the ESP", KERNEL_PATH);
	if (elf_check(img, size, &elfload_limits, why, sizeof(why)) < 0)
		loader_fail("\\%s: bad kernel image: %s", KERNEL_PATH, why);
	file_record(bi, KERNEL_PATH, img, size);

	elf_load_span(img, &lo, &hi);
	lo = ROUNDDOWN(lo, PAGE_SIZE);
	span = ROUNDUP(hi, PAGE_SIZE) - lo;
	block = alloc_pages(span / PAGE_SIZE, "kernel segments");
	elfload_copy(img, block, lo);
	bi->kernel_pa_start = (uint64_t)(uintptr_t)block;
	bi->kernel_pa_end = bi->kernel_pa_start + span;
	return ((const Elf64_Ehdr *)img)->e_entry;
}
