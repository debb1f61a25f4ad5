/*
 * symbols.c - symbolized backtraces for panics and exception dumps (lab 1).
 * The names come from the ELF symbol table of hv.elf itself (ELF-64 Object
 * File Format 1.5, "Sections" and "Symbol Table"), read in place through the
 * direct map; frames are found by following saved %rbp values, which the
 * kernel keeps with -fno-omit-frame-pointer.
 */
#include <inc/boot_info.h>
#include <inc/elf.h>
#include <inc/memlayout.h>
#include <inc/x86.h>
#include <kernel/kernel.h>
#include <kernel/load/config.h>
#include <kernel/mm/page.h>
#include <kernel/symbols.h>
#include <kernel/mm/vm.h>

#define SYMBOLS_MAX_DEPTH 16

extern char __text_start[], __text_end[], _end[];

static const Elf64_Sym *symtab;
static size_t symtab_count;
static const char *strtab;
static size_t strtab_size;

static bool symbols_in_file(uint64_t off, uint64_t size, uint64_t file_size)
{
	return off <= file_size && size <= file_size - off;
}

/* Locates .symtab and its string table in the ELF image; 0 or -E_BAD_ELF. */
static int symbols_parse(const uint8_t *elf, uint64_t size)
{
	const Elf64_Ehdr *eh = (const void *)elf;
	const Elf64_Shdr *sh;

	if (size < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_shentsize != sizeof(Elf64_Shdr) ||
	    !symbols_in_file(eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(*sh),
			     size))
		return -E_BAD_ELF;
	sh = (const void *)(elf + eh->e_shoff);
	for (int i = 0; i < eh->e_shnum; i++) {
		if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_link >= eh->e_shnum)
			continue;
		const Elf64_Shdr *str = &sh[sh[i].sh_link];
		if (!symbols_in_file(sh[i].sh_offset, sh[i].sh_size, size) ||
		    !symbols_in_file(str->sh_offset, str->sh_size, size))
			return -E_BAD_ELF;
		symtab = (const void *)(elf + sh[i].sh_offset);
		symtab_count = sh[i].sh_size / sizeof(Elf64_Sym);
		strtab = (const char *)elf + str->sh_offset;
		strtab_size = str->sh_size;
		return 0;
	}
	return -E_NOT_FOUND;
}

void symbols_init(const struct boot_info *bi)
{
	const struct boot_file *f = boot_file_find(bi, "hv.elf");
	int r = f ? symbols_parse(kva(f->pa), f->size) : 0;

	if (!f)
		cprintf("hvlab: hv.elf is not among the boot files; "
			"backtraces will show addresses only\n");
	else if (r < 0)
		cprintf("hvlab: hv.elf: no usable symbol table (%s); "
			"backtraces will show addresses only\n",
			error_name(r));
}

/*
 * Name of the function containing addr, with *offset set to addr's distance
 * from its start; NULL if no function symbol covers addr.
 */
static const char *symbols_lookup(uint64_t addr, uint64_t *offset)
{
	const Elf64_Sym *best = NULL;

	for (size_t i = 0; i < symtab_count; i++) {
		const Elf64_Sym *s = &symtab[i];
		if (ELF64_ST_TYPE(s->st_info) != STT_FUNC ||
		    s->st_value > addr || s->st_name >= strtab_size)
			continue;
		if (s->st_size && addr - s->st_value >= s->st_size)
			continue;
		if (!best || s->st_value > best->st_value)
			best = s;
	}
	if (!best)
		return NULL;
	*offset = addr - best->st_value;
	return strtab + best->st_name;
}

static bool symbols_is_text(uint64_t addr)
{
	return addr >= (uint64_t)__text_start && addr < (uint64_t)__text_end;
}

/* True if the 16-byte frame record at rbp can be read without faulting. */
static bool symbols_frame_ok(uint64_t rbp)
{
	hpa_t pa;
	uint64_t perm;
	bool in_image = rbp >= KERNBASE && rbp < (uint64_t)_end;
	bool in_directmap = rbp >= DIRECTMAP_BASE &&
			    rbp < DIRECTMAP_BASE + DIRECTMAP_MAX;

	if ((rbp & 7) || !(in_image || in_directmap))
		return false;
	return vm_lookup(read_cr3() & PTE_ADDR_MASK, rbp, &pa, &perm) == 0 &&
	       vm_lookup(read_cr3() & PTE_ADDR_MASK, rbp + 15, &pa, &perm) == 0;
}

static void symbols_print_frame(int depth, uint64_t addr)
{
	uint64_t off = 0;
	/* A return address may lie just past its function's last call. */
	const char *name = symbols_lookup(depth ? addr - 1 : addr, &off);

	if (name)
		cprintf("  #%d 0x%016llx %s+0x%llx\n", depth,
			(unsigned long long)addr, name,
			(unsigned long long)(depth ? off + 1 : off));
	else
		cprintf("  #%d 0x%016llx\n", depth, (unsigned long long)addr);
}

void symbols_backtrace(uint64_t rip, uint64_t rbp)
{
	int depth = 0;

	cprintf("backtrace:\n");
	symbols_print_frame(depth++, rip);
	while (depth < SYMBOLS_MAX_DEPTH && symbols_frame_ok(rbp)) {
		const uint64_t *frame = (const uint64_t *)rbp;
		if (!symbols_is_text(frame[1]))
			break;
		symbols_print_frame(depth++, frame[1]);
		if (frame[0] <= rbp)
			break;
		rbp = frame[0];
	}
}
