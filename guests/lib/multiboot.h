/*
 * multiboot.h - the Multiboot v1 header every guest carries (Multiboot
 * Specification 0.6.96, 3.1.1), for the entry files.  The address fields
 * (flag 16) let loaders that refuse ELF64 Multiboot kernels, QEMU's
 * -kernel among them, load the 64-bit guests; 32-bit guests carry them too
 * so both load the same way.  The symbols come from guests/lib/guest.ld.
 *
 * Assembler macros: clang-format stays out.
 */
/* clang-format off */
#include <inc/multiboot.h>

#define MB_FLAGS	(MB_FLAG_AOUT_KLUDGE | MB_FLAG_MEMORY_INFO | \
			 MB_FLAG_PAGE_ALIGN)

#define MULTIBOOT_HEADER			\
	.section .multiboot, "a";		\
	.balign 4;				\
mb_header:					\
	.long MB_HEADER_MAGIC;			\
	.long MB_FLAGS;				\
	.long -(MB_HEADER_MAGIC + MB_FLAGS);	\
	.long mb_header;			\
	.long __load_start;			\
	.long __load_end;			\
	.long __bss_end;			\
	.long _start;
