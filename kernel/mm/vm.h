/*
 * vm.h - kernel page tables (kernel/mm/vm.c, lab 1): map, unmap and walk
 * 4-level x86-64 page tables with 4 KiB and 2 MiB pages.
 */
#ifndef KERNEL_VM_H
#define KERNEL_VM_H

#include <inc/mmu.h>

struct boot_info;

/* The kernel's own PML4, physical address (what CR3 holds). */
extern hpa_t kern_pml4;

/*
 * Returns the entry that maps va at the given level (1 = PTE, 2 = PDE, 3 =
 * PDPTE), allocating missing intermediate tables when create is set; NULL if
 * a table is missing (and !create), allocation fails, or a large page is in
 * the way above that level.
 */
pte_t *vm_walk(hpa_t pml4, uint64_t va, int level, bool create);

/*
 * The entry that decides va's translation in the 4-level tables at pml4:
 * a leaf (*level 1, or 2-3 with PTE_PS), or the entry where the walk ended
 * because it has none of the bits in present (PTE_P; nested tables: ~0,
 * present when nonzero).
 */
pte_t *vm_find(hpa_t pml4, uint64_t va, uint64_t present, int *level);

/*
 * Maps [va, va+size) to [pa, pa+size) with perm (PTE_W, PTE_U, PTE_NX, PTE_PCD
 * ...; PTE_P implied).  Uses 2 MiB pages where va, pa and the remaining size
 * allow.  Returns 0, -E_EXISTS if any page is already mapped, -E_NO_MEM, or
 * -E_INVAL for misaligned arguments.
 */
int vm_map(hpa_t pml4, uint64_t va, hpa_t pa, uint64_t size, uint64_t perm);

/* Unmaps [va, va+size); splits a 2 MiB page when only part of it goes. */
int vm_unmap(hpa_t pml4, uint64_t va, uint64_t size);

/* Translates va; returns 0 and sets *pa and *perm, or -E_NOT_FOUND. */
int vm_lookup(hpa_t pml4, uint64_t va, hpa_t *pa, uint64_t *perm);

/* Loads pml4 into CR3; later edits to it invalidate the TLB (invlpg). */
void vm_switch(hpa_t pml4);

/* Builds kern_pml4 (kernel image, direct map, UEFI runtime) and loads it. */
void vm_init(const struct boot_info *bi);

/* Boot-time self-check; prints "check_vm() succeeded!". */
void check_vm(void);

#endif
