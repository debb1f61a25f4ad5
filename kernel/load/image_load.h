/*
 * image_load.h - what the guest kernel loader's files share: image.c
 * (format choice, flat binaries, entry state), image_elf.c (ELF32/ELF64)
 * and multiboot.c (Multiboot v1).  Private to them: the public interface
 * is kernel/load/image.h.
 */
#ifndef KERNEL_IMAGE_LOAD_H
#define KERNEL_IMAGE_LOAD_H

#include <kernel/load/image.h>

/* What one image_load call is working on. */
struct loader {
	const struct domain_config *c;
	const struct guest_mem *mem;
	const uint8_t *img;
	size_t size;
	struct guest_boot *boot;
	char *err;
	size_t errlen;
	gpa_t reserved_start, reserved_end; /* the loader's own area */
};

struct mb_header;

/* What a PV kernel's "Xen" notes say (lab 6), guest-physical. */
struct xen_notes {
	uint32_t found;		 /* bit XEN_ELFNOTE_* set for each note seen */
	uint64_t entry;		 /* XEN_ELFNOTE_ENTRY: te, 64-bit */
	uint32_t phys32_entry;	 /* XEN_ELFNOTE_PHYS32_ENTRY: hvm, 32-bit */
	uint64_t hypercall_page; /* XEN_ELFNOTE_HYPERCALL_PAGE */
};

/* Formats `FILE:LINE: kernel "path": reason` and returns code. */
#define image_error(ld, code, fmt, ...)                               \
	config_error_at((ld)->err, (ld)->errlen, code, (ld)->c->file, \
			(ld)->c->kernel.line, "kernel \"%s\": " fmt,  \
			(ld)->c->kernel.path, ##__VA_ARGS__)

/* Checks that [gpa, gpa+len) is guest RAM outside the loader's own area. */
int image_check_range(struct loader *ld, gpa_t gpa, uint64_t len,
		      const char *what);

/* Writes len bytes of src, then zeros up to memsz, at gpa. */
int image_copy(struct loader *ld, gpa_t gpa, const void *src, uint64_t len,
	       uint64_t memsz);

/*
 * Copies the ramdisk rd[0..rsize) to *at, the highest page-aligned
 * address where it ends by top, above the loaded kernel; -E_RANGE when it
 * does not fit there.
 */
int image_place_ramdisk(struct loader *ld, gpa_t top, const void *rd,
			size_t rsize, gpa_t *at);

/* Records the extent of the loaded kernel. */
void image_note_load(struct loader *ld, gpa_t start, gpa_t end);

/*
 * ELF (image_elf.c): validates, then copies each PT_LOAD segment to its
 * p_paddr and sets boot->rip; *class gets ELFCLASS32 or ELFCLASS64.
 */
int image_load_elf(struct loader *ld, unsigned *class);

/*
 * The "Xen" notes of the PT_NOTE segments of an image image_load_elf
 * accepted; notes of other owners and types are skipped.  0, or
 * -E_BAD_ELF for a note that runs past its segment or the file.
 */
int image_elf_xen_notes(struct loader *ld, struct xen_notes *out);

/* In long mode, reserves the page-table area so the kernel cannot overlap it. */
void image_reserve_page_tables(struct loader *ld);

/* Sets the control registers (and page tables) for boot->mode. */
int image_set_mode(struct loader *ld);

/*
 * The Multiboot header in the first 8192 bytes, 4-byte aligned; *off gets
 * its offset.  Returns 1 if found, 0 if absent, <0 on a bad header.
 */
int multiboot_find(struct loader *ld, const struct mb_header **hdr,
		   size_t *off);

/*
 * Loads the Multiboot kernel whose header h is at offset off (the a.out
 * kludge or ELF), then writes the boot information with the ramdisk
 * rd[0..rsize) as module 0 (rd may be NULL).
 */
int multiboot_load(struct loader *ld, const struct mb_header *h, size_t off,
		   const void *rd, size_t rsize);

/* Linux (linux.c): whether img is a bzImage, by its setup header's magic. */
bool linux_detect(const uint8_t *img, size_t size);

/*
 * Loads the bzImage: checks its setup header, copies the kernel to
 * pref_address, writes the zero page (with the initrd rd[0..rsize) when
 * rd is not NULL) and sets the 64-bit entry.
 */
int linux_load(struct loader *ld, const void *rd, size_t rsize);

#endif
