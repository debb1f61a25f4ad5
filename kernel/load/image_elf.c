/*
 * image_elf.c - loads ELF32 and ELF64 guest kernels (System V ABI ch. 5,
 * program loading), for plain ELF and for Multiboot kernels without the
 * a.out kludge (labs 2 and 3), and reads a PV kernel's "Xen" notes
 * (lab 6, xen/include/public/elfnote.h).  Every header field is checked
 * against the file and guest memory before it is used.
 */
#include <inc/elf.h>
#include <inc/public/elfnote.h>
#include <inc/error.h>
#include <inc/stdio.h>
#include <inc/string.h>
#include <kernel/load/image_load.h>

/*
 * Validates the headers of an ELF image and sets *class: lib/elf.c checks
 * the headers and file ranges of either class, an ELF64 one's vaddrs too.
 */
static int elf_validate(struct loader *ld, unsigned *class)
{
	struct elf_limits lim = { 0, UINT64_MAX, ld->size, ld->mem->size };
	char why[160];
	int r;

	if ((r = elf_check_headers(ld->img, ld->size, true, why,
				   sizeof(why))) == 0 &&
	    (*class = ld->img[EI_CLASS]) == ELFCLASS64)
		r = elf_check(ld->img, ld->size, &lim, why, sizeof(why));
	return r < 0 ? image_error(ld, r, "%s", why) : 0;
}

/* Checks that every PT_LOAD segment is in guest memory and that no two
 * overlap there (lib/elf.c checked their bytes in the file). */
static int elf_check_segments(struct loader *ld)
{
	unsigned n = elf_phnum(ld->img), nload = 0;
	char what[32];
	int r;

	for (unsigned i = 0; i < n; i++) {
		struct elf_segment a = elf_segment(ld->img, i);

		if (a.type != PT_LOAD || a.memsz == 0)
			continue;
		nload++;
		snprintf(what, sizeof(what), "segment %u", i);
		if ((r = image_check_range(ld, a.paddr, a.memsz, what)) < 0)
			return r;
		for (unsigned j = 0; j < i; j++) {
			struct elf_segment b = elf_segment(ld->img, j);

			if (b.type == PT_LOAD && b.memsz &&
			    a.paddr < b.paddr + b.memsz &&
			    b.paddr < a.paddr + a.memsz)
				return image_error(ld, -E_BAD_ELF,
						   "segments %u and %u overlap "
						   "at p_paddr 0x%llx",
						   j, i,
						   (unsigned long long)MAX(
							   a.paddr, b.paddr));
		}
	}
	if (nload == 0)
		return image_error(ld, -E_BAD_ELF,
				   "no non-empty PT_LOAD segment");
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

	for (unsigned i = 0; i < elf_phnum(ld->img); i++) {
		struct elf_segment s = elf_segment(ld->img, i);

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
	return image_error(
		ld, -E_BAD_ELF,
		"e_entry 0x%llx outside every executable PT_LOAD segment",
		(unsigned long long)e);
}

int image_load_elf(struct loader *ld, unsigned *class)
{
	int r;

	if ((r = elf_validate(ld, class)) < 0 ||
	    (r = elf_check_segments(ld)) < 0 ||
	    (r = elf_entry(ld, *class, &ld->boot->rip)) < 0)
		return r;
	for (unsigned i = 0; i < elf_phnum(ld->img); i++) {
		struct elf_segment s = elf_segment(ld->img, i);

		if (s.type != PT_LOAD || s.memsz == 0)
			continue;
		if ((r = image_copy(ld, s.paddr, ld->img + s.offset, s.filesz,
				    s.memsz)) < 0)
			return r;
		image_note_load(ld, s.paddr, s.paddr + s.memsz);
	}
	return 0;
}

/* An ELF note's header (System V ABI 5, "Note Section"), either class. */
struct elf_note {
	uint32_t namesz, descsz, type;
};

/*
 * A note's address (desc of 4 or 8 bytes) as guest-physical: a kernel
 * linked high names virtual addresses, which its segments translate.
 */
static uint64_t elf_note_addr(struct loader *ld, const uint8_t *desc,
			      uint32_t descsz)
{
	uint64_t a = 0;

	memcpy(&a, desc, descsz == 8 ? 8 : 4);
	for (unsigned i = 0; i < elf_phnum(ld->img); i++) {
		struct elf_segment s = elf_segment(ld->img, i);

		if (s.type == PT_LOAD && a >= s.vaddr && a - s.vaddr < s.memsz)
			return a - s.vaddr + s.paddr;
	}
	return a;
}

/* Records the "Xen" note at n (its name and desc inside [n, end)). */
static void elf_xen_note(struct loader *ld, const struct elf_note *n,
			 struct xen_notes *out)
{
	const uint8_t *desc = (const uint8_t *)(n + 1) +
			      ((n->namesz + 3) & ~3u);
	uint64_t a;

	if (n->descsz != 4 && n->descsz != 8)
		return;
	a = elf_note_addr(ld, desc, n->descsz);
	if (n->type == XEN_ELFNOTE_ENTRY)
		out->entry = a;
	else if (n->type == XEN_ELFNOTE_PHYS32_ENTRY)
		out->phys32_entry = (uint32_t)a;
	else if (n->type == XEN_ELFNOTE_HYPERCALL_PAGE)
		out->hypercall_page = a;
	else
		return;
	out->found |= 1u << n->type;
}

/* Walks the notes in file bytes [off, off+len). */
static int elf_walk_notes(struct loader *ld, uint64_t off, uint64_t len,
			  struct xen_notes *out)
{
	uint64_t end;

	if (off > ld->size || len > ld->size - off)
		return image_error(ld, -E_BAD_ELF,
				   "PT_NOTE outside the file (%zu bytes)",
				   ld->size);
	for (end = off + len; end - off >= sizeof(struct elf_note);) {
		struct elf_note n;
		uint64_t size;

		memcpy(&n, ld->img + off, sizeof(n));
		size = sizeof(n) + (((uint64_t)n.namesz + 3) & ~3ull) +
		       (((uint64_t)n.descsz + 3) & ~3ull);
		if (size > end - off)
			return image_error(ld, -E_BAD_ELF,
					   "note at file offset 0x%llx runs "
					   "past its PT_NOTE",
					   (unsigned long long)off);
		if (n.namesz == 4 &&
		    memcmp(ld->img + off + sizeof(n), "Xen", 4) == 0)
			elf_xen_note(ld,
				     (const struct elf_note *)(ld->img + off),
				     out);
		off += size;
	}
	return 0;
}

int image_elf_xen_notes(struct loader *ld, struct xen_notes *out)
{
	int r;

	memset(out, 0, sizeof(*out));
	for (unsigned i = 0; i < elf_phnum(ld->img); i++) {
		struct elf_segment s = elf_segment(ld->img, i);

		if (s.type == PT_NOTE &&
		    (r = elf_walk_notes(ld, s.offset, s.filesz, out)) < 0)
			return r;
	}
	return 0;
}
