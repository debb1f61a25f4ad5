/*
 * image.h - loading a guest kernel image into guest-physical memory
 * (kernel/load/image.c, labs 2 and 3).
 *
 * Formats, tried in this order:
 *   flat       the config sets kernel_addr: the file is copied there and
 *              entered at `entry` (default kernel_addr) in boot_mode
 *              (default real mode).
 *   Multiboot  a v1 header in the first 8192 bytes (Multiboot 0.6.96), loaded
 *              as QEMU's -kernel does: the a.out-kludge address fields when
 *              flag bit 16 is set, else the ELF program headers; the ramdisk
 *              becomes module 0; an info structure goes to IMAGE_MB_INFO.
 *   ELF        ELF32 or ELF64 ET_EXEC, PT_LOAD segments copied to p_paddr;
 *              entered in protected (ELF32) or long (ELF64) mode.
 *   Linux      a bzImage ("HdrS" at 0x202, kernel/load/linux.c): the
 *              boot protocol's 64-bit entry, the ramdisk as its initrd
 *              and `extra` as its command line.
 * A xen_platform domain's last page of RAM is its xenstore ring (lab 7):
 * no format loads there, and Multiboot's memory map leaves it out.  An
 * hvm domain's firmware tables (kernel/load/acpi.h) fill the BIOS area
 * [PLATFORM_TABLES, PLATFORM_HOLE_END): no format loads there either.
 *
 * Entry state the core must establish from struct guest_boot:
 *   real       CS = cs_sel (base cs_sel << 4), DS = ES = SS = 0, IP = rip,
 *              CR0 = cr0 (its value after RESET), EFLAGS = 0x2.
 *   protected  flat 4 GiB 32-bit code and data segments, CR0 = cr0 (PE,
 *              paging off), EFLAGS = 0x2.
 *   long       flat 64-bit code, CR0/CR3/CR4/EFER as given: identity map of
 *              the low 4 GiB in 2 MiB pages at IMAGE_PT_BASE.
 * In every mode the GPRs are the ones in struct guest_boot, the rest 0.
 */
#ifndef KERNEL_IMAGE_H
#define KERNEL_IMAGE_H

#include <inc/multiboot.h>
#include <inc/types.h>
#include <kernel/load/config.h>

/* Guest-physical areas the loader itself uses; a kernel may not overlap. */
#define IMAGE_MB_INFO	    0x9000 /* Multiboot info, cmdline, mmap */
#define IMAGE_MB_INFO_SIZE  0x1000
#define IMAGE_PT_BASE	    0x1000 /* long-mode page tables, 6 pages */
#define IMAGE_PT_SIZE	    0x6000
#define IMAGE_LINUX_PARAMS  0x9000 /* Linux: the zero page, then cmdline */
#define IMAGE_LINUX_CMDLINE 0xa000

/*
 * The guest's physical memory as the loader sees it: RAM [0, size), written
 * through write(ctx, gpa, src, len), which returns 0 or a negative -E_*.
 * The core backs it by the domain's p2m, tests by a buffer.
 */
struct guest_mem {
	void *ctx;
	uint64_t size;
	int (*write)(void *ctx, gpa_t gpa, const void *src, size_t len);
};

enum image_format {
	IMAGE_FLAT,
	IMAGE_MULTIBOOT,
	IMAGE_ELF32,
	IMAGE_ELF64,
	IMAGE_LINUX,
};

/* How to start the guest's first vcpu; see the entry states above. */
struct guest_boot {
	enum image_format format;
	enum boot_mode mode; /* never BOOT_MODE_DEFAULT */
	uint64_t rip;	     /* real mode: offset from cs_sel << 4 */
	uint16_t cs_sel;     /* real mode only */
	uint64_t rax, rbx, rsi;
	uint64_t cr0, cr3, cr4, efer;
	gpa_t load_start, load_end; /* extent of the kernel, bss included */
	/* Type pv (image_load_pv): */
	gpa_t pv_ram_end;	 /* RAM below; the builder's pages above */
	gpa_t pv_shared_info;	 /* te: shared_info's page, else 0 */
	gpa_t pv_hypercall_page; /* XEN_ELFNOTE_HYPERCALL_PAGE, or NONE */
	/* Type pv and xen_platform hvm (lab 7): the zeroed xenstore ring,
	 * outside the memory map's RAM; 0 for other domains. */
	gpa_t pv_store;
};

#define IMAGE_PV_NONE	   (~0ULL)
#define IMAGE_PV_PAGES_HVM 2 /* hvm_start_info (modules, map, cmdline), store */
#define IMAGE_PV_PAGES_TE  3 /* start_info, shared_info, store */

/*
 * Loads the kernel image kernel[0..ksize) of config *c into *mem, with
 * the ramdisk ramdisk[0..rsize) when c names one (ignored otherwise), and
 * fills *boot.  Returns 0, or a negative -E_* with
 * `FILE:LINE: kernel "path": reason` in err[0..errlen): unknown format,
 * malformed ELF or Multiboot header, bad checksum, a segment outside guest
 * memory or overlapping the loader's areas or the firmware tables, entry
 * outside the loaded code, an hvm domain without the 1 MiB they need.
 */
int image_load(const struct domain_config *c, const void *kernel, size_t ksize,
	       const void *ramdisk, size_t rsize, const struct guest_mem *mem,
	       struct guest_boot *boot, char *err, size_t errlen);

/*
 * Loads the PV kernel (ELF with Xen's notes) of type-pv config *c for the
 * te container (te) or the hvm container, with its ramdisk, and fills
 * *boot as image_pv.c describes.  Returns 0, or -E_* with the reason in
 * err, as image_load does; a kernel without its container's entry note
 * gives "FILE:LINE: kernel PATH has no XEN_ELFNOTE_PHYS32_ENTRY note"
 * (or XEN_ELFNOTE_ENTRY).
 */
int image_load_pv(const struct domain_config *c, bool te, const void *kernel,
		  size_t ksize, const void *ramdisk, size_t rsize,
		  const struct guest_mem *mem, struct guest_boot *boot,
		  char *err, size_t errlen);

#endif
