/*
 * memlayout.h - the hypervisor's virtual address space.
 *
 *   0xffffffff80000000  KERNBASE: hv.elf is linked here (-mcmodel=kernel);
 *                       the loader maps its PT_LOAD segments here.
 *   0xffff800000000000  DIRECTMAP_BASE: all RAM, pa + DIRECTMAP_BASE.
 *   lower half          identity map, kept only for UEFI runtime regions
 *                       (ResetSystem fallback) once the kernel owns CR3.
 */
#ifndef INC_MEMLAYOUT_H
#define INC_MEMLAYOUT_H

#define KERNBASE       0xffffffff80000000
#define KERN_MAX_SIZE  (64 * 1024 * 1024) /* hv.elf segments must fit here */
#define DIRECTMAP_BASE 0xffff800000000000
#define DIRECTMAP_MAX  (512ULL << 30) /* one PML4 slot */

#define PAGE_SHIFT	12
#define PAGE_SIZE	4096
#define LARGE_PAGE_SIZE (2 * 1024 * 1024)

#define KSTACK_SIZE (64 * 1024)

#endif
