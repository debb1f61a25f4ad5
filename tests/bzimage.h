/*
 * bzimage.h - an honest bzImage setup header (Documentation/arch/x86/
 * boot.rst: protocol 2.15, relocatable, 64-bit entry, preferred at 2 MiB)
 * for the tests of kernel/load/linux.c: tests/test_image.c and the
 * grader's pc/bzimage_lies, which then make one field lie.
 */
#ifndef TESTS_BZIMAGE_H
#define TESTS_BZIMAGE_H

#include <kernel/load/bootparam.h>

/* Fills the header at img + BP_HDR_OFFSET for setup_sects + 1 sectors of
 * setup followed by size bytes of kernel; returns it. */
static inline struct setup_header *
bzimage_header(uint8_t *img, unsigned setup_sects, uint32_t size)
{
	struct setup_header *h = (void *)(img + BP_HDR_OFFSET);

	h->setup_sects = (uint8_t)setup_sects;
	h->syssize = size / 16;
	h->boot_flag = BP_BOOT_FLAG;
	h->jump = 0x66eb; /* the header ends at 0x202 + 0x66 */
	h->header = BP_HDR_MAGIC;
	h->version = 0x020f;
	h->loadflags = BP_LOADED_HIGH;
	h->initrd_addr_max = 0x7fffffff;
	h->kernel_alignment = 0x200000;
	h->relocatable_kernel = 1;
	h->xloadflags = BP_XLF_KERNEL_64;
	h->cmdline_size = 0x7ff;
	h->pref_address = 0x200000;
	h->init_size = 0x100000;
	return h;
}

#endif
