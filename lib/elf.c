/*
 * elf.c - validation of ELF64 executables before anything is loaded from
 * them (System V ABI ch. 4-5, AMD64 psABI).  The loader checks hv.elf with
 * it and the kernel checks guest images; both then trust the headers.
 * Pure C with no firmware or kernel dependencies, so tests/test_elf.c runs
 * it on the host.
 */
#include <inc/elf.h>
#include <inc/error.h>
#include <inc/stdio.h>
#include <inc/string.h>

#define elf_reject(why, len, ...) \
	(snprintf((why), (len), __VA_ARGS__), -E_BAD_ELF)

/* Either class's program header ph, widened. */
#define ELF_SEGMENT(ph)                                                      \
	((struct elf_segment){ (ph)->p_type, (ph)->p_flags, (ph)->p_offset,  \
			       (ph)->p_vaddr, (ph)->p_paddr, (ph)->p_filesz, \
			       (ph)->p_memsz })

unsigned elf_phnum(const void *img)
{
	const Elf64_Ehdr *e64 = img;
	const Elf32_Ehdr *e32 = img;

	return e64->e_ident[EI_CLASS] == ELFCLASS32 ? e32->e_phnum :
						      e64->e_phnum;
}

struct elf_segment elf_segment(const void *img, unsigned i)
{
	const Elf64_Ehdr *e64 = img;
	const Elf32_Ehdr *e32 = img;
	const char *p = img;

	if (e64->e_ident[EI_CLASS] == ELFCLASS32)
		return ELF_SEGMENT((const Elf32_Phdr *)(p + e32->e_phoff) + i);
	return ELF_SEGMENT((const Elf64_Phdr *)(p + e64->e_phoff) + i);
}

/* True when [off, off+len) lies inside a file of size bytes. */
static bool elf_in_file(uint64_t off, uint64_t len, size_t size)
{
	return off <= size && len <= size - off;
}

/*
 * Checks the ELF header fields that say what kind of file this is: an
 * x86-64 ELF64 executable or, if elf32, an i386 ELF32 one.  e_type and
 * e_machine lie at the same offsets in both classes.
 */
static int elf_check_ident(const Elf64_Ehdr *eh, bool elf32, char *why,
			   size_t n)
{
	const unsigned char *id = eh->e_ident;
	bool is32 = elf32 && id[EI_CLASS] == ELFCLASS32;

	if (memcmp(id, ELFMAG, SELFMAG) != 0)
		return elf_reject(why, n,
				  "e_ident: bad magic %02x %02x %02x %02x, "
				  "not an ELF file",
				  id[0], id[1], id[2], id[3]);
	if (id[EI_CLASS] != ELFCLASS64 && !is32)
		return elf_reject(why, n,
				  "e_ident[EI_CLASS]: class %u, want %s",
				  id[EI_CLASS],
				  elf32 ? "1 (ELF32) or 2 (ELF64)" :
					  "ELFCLASS64 (2)");
	if (id[EI_DATA] != ELFDATA2LSB)
		return elf_reject(why, n,
				  "e_ident[EI_DATA]: encoding %u, want "
				  "ELFDATA2LSB (1)",
				  id[EI_DATA]);
	if (id[EI_VERSION] != EV_CURRENT)
		return elf_reject(why, n,
				  "e_ident[EI_VERSION]: version %u, want 1",
				  id[EI_VERSION]);
	if (eh->e_machine != (is32 ? EM_386 : EM_X86_64))
		return elf_reject(why, n, "e_machine: machine %u, want %s",
				  eh->e_machine,
				  is32 ? "EM_386 (3)" : "EM_X86_64 (62)");
	if (eh->e_type != ET_EXEC)
		return elf_reject(why, n, "e_type: type %u, want ET_EXEC (2)",
				  eh->e_type);
	return 0;
}

/* Checks that the program header table lies inside the file. */
static int elf_check_phdrs(const void *img, size_t size, char *why, size_t n)
{
	const Elf64_Ehdr *e64 = img;
	const Elf32_Ehdr *e32 = img;
	bool is32 = e64->e_ident[EI_CLASS] == ELFCLASS32;
	uint64_t off = is32 ? e32->e_phoff : e64->e_phoff;
	unsigned num = is32 ? e32->e_phnum : e64->e_phnum;
	unsigned entsize = is32 ? e32->e_phentsize : e64->e_phentsize;
	size_t want = is32 ? sizeof(Elf32_Phdr) : sizeof(Elf64_Phdr);
	uint64_t len = (uint64_t)num * want;

	if (num == 0)
		return elf_reject(why, n, "e_phnum: no program headers");
	if (entsize != want)
		return elf_reject(why, n, "e_phentsize: %u, want %zu", entsize,
				  want);
	if (!elf_in_file(off, len, size) || off % (is32 ? 4 : 8) != 0)
		return elf_reject(why, n,
				  "e_phoff: program headers [0x%llx, "
				  "0x%llx) outside the file (%zu bytes) or "
				  "misaligned",
				  (unsigned long long)off,
				  (unsigned long long)(off + len), size);
	return 0;
}

/* Checks that each PT_LOAD segment's file bytes lie inside the file. */
static int elf_check_file_ranges(const void *img, size_t size, char *why,
				 size_t n)
{
	for (unsigned i = 0; i < elf_phnum(img); i++) {
		struct elf_segment s = elf_segment(img, i);

		if (s.type != PT_LOAD)
			continue;
		if (s.filesz > s.memsz)
			return elf_reject(why, n,
					  "segment %u: p_filesz 0x%llx > "
					  "p_memsz 0x%llx",
					  i, (unsigned long long)s.filesz,
					  (unsigned long long)s.memsz);
		if (!elf_in_file(s.offset, s.filesz, size))
			return elf_reject(
				why, n,
				"segment %u: file range p_offset 0x%llx + "
				"p_filesz 0x%llx outside the file (%zu bytes)",
				i, (unsigned long long)s.offset,
				(unsigned long long)s.filesz, size);
	}
	return 0;
}

int elf_check_headers(const void *img, size_t size, bool elf32, char *why,
		      size_t whylen)
{
	int r;

	if (size < sizeof(Elf64_Ehdr))
		return elf_reject(why, whylen,
				  "file: %zu bytes, too small for "
				  "an ELF header",
				  size);
	if ((r = elf_check_ident(img, elf32, why, whylen)) < 0 ||
	    (r = elf_check_phdrs(img, size, why, whylen)) < 0)
		return r;
	return elf_check_file_ranges(img, size, why, whylen);
}

void elf_load_span(const void *img, uint64_t *lo, uint64_t *hi)
{
	*lo = UINT64_MAX;
	*hi = 0;
	for (unsigned i = 0; i < elf_phnum(img); i++) {
		struct elf_segment s = elf_segment(img, i);

		if (s.type != PT_LOAD || s.memsz == 0)
			continue;
		*lo = MIN(*lo, s.vaddr);
		*hi = MAX(*hi, s.vaddr + s.memsz);
	}
}

/* True when va lies inside an executable PT_LOAD segment. */
static bool elf_entry_ok(const void *img, uint64_t va)
{
	for (unsigned i = 0; i < elf_phnum(img); i++) {
		struct elf_segment s = elf_segment(img, i);

		if (s.type == PT_LOAD && (s.flags & PF_X) && va >= s.vaddr &&
		    va - s.vaddr < s.memsz)
			return true;
	}
	return false;
}

/* Each segment's addresses, then the checks across segments. */
static int elf_check_segments(const void *img, const struct elf_limits *lim,
			      char *why, size_t n)
{
	const Elf64_Ehdr *eh = img;
	unsigned nload = 0;
	uint64_t lo, hi;

	for (unsigned i = 0; i < elf_phnum(img); i++) {
		struct elf_segment a = elf_segment(img, i);

		if (a.type != PT_LOAD)
			continue;
		if (a.vaddr < lim->va_start || a.vaddr > lim->va_end ||
		    a.memsz > lim->va_end - a.vaddr)
			return elf_reject(why, n,
					  "segment %u: vaddr [0x%llx, 0x%llx) "
					  "outside [0x%llx, 0x%llx)",
					  i, (unsigned long long)a.vaddr,
					  (unsigned long long)(a.vaddr +
							       a.memsz),
					  (unsigned long long)lim->va_start,
					  (unsigned long long)lim->va_end);
		nload += a.memsz != 0;
		/* No two segments may share a byte of virtual memory. */
		for (unsigned j = 0; j < i && a.memsz; j++) {
			struct elf_segment b = elf_segment(img, j);

			if (b.type == PT_LOAD && b.memsz &&
			    a.vaddr < b.vaddr + b.memsz &&
			    b.vaddr < a.vaddr + a.memsz)
				return elf_reject(
					why, n,
					"segments %u and %u overlap at vaddr "
					"0x%llx",
					j, i,
					(unsigned long long)MAX(a.vaddr,
								b.vaddr));
		}
	}
	if (nload == 0)
		return elf_reject(why, n,
				  "e_phnum: no non-empty PT_LOAD segment");
	elf_load_span(img, &lo, &hi);
	if (hi - lo > lim->max_mem_size)
		return elf_reject(why, n,
				  "segments: span 0x%llx bytes too large "
				  "(limit 0x%llx)",
				  (unsigned long long)(hi - lo),
				  (unsigned long long)lim->max_mem_size);
	if (!elf_entry_ok(img, eh->e_entry))
		return elf_reject(why, n,
				  "e_entry: 0x%llx not inside an "
				  "executable PT_LOAD segment",
				  (unsigned long long)eh->e_entry);
	return 0;
}

int elf_check(const void *img, size_t size, const struct elf_limits *lim,
	      char *why, size_t whylen)
{
	int r;

	if ((r = elf_check_headers(img, size, false, why, whylen)) < 0)
		return r;
	if (size > lim->max_file_size)
		return elf_reject(why, whylen,
				  "file: %zu bytes, too large "
				  "(limit %llu)",
				  size, (unsigned long long)lim->max_file_size);
	if ((r = elf_check_segments(img, lim, why, whylen)) < 0)
		return r;
	snprintf(why, whylen, "ok");
	return 0;
}
