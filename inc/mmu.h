/*
 * mmu.h - 4-level paging structures (SDM 3A 4.5; AMD APM 2 5.3).
 */
#ifndef INC_MMU_H
#define INC_MMU_H

#include <inc/types.h>

typedef uint64_t pte_t;

#define PTE_P		(1ULL << 0)	/* present */
#define PTE_W		(1ULL << 1)	/* writable */
#define PTE_U		(1ULL << 2)	/* user */
#define PTE_PWT		(1ULL << 3)
#define PTE_PCD		(1ULL << 4)
#define PTE_A		(1ULL << 5)	/* accessed */
#define PTE_D		(1ULL << 6)	/* dirty */
#define PTE_PS		(1ULL << 7)	/* large page (in a PDE or PDPTE) */
#define PTE_G		(1ULL << 8)	/* global */
#define PTE_NX		(1ULL << 63)	/* no execute (needs EFER.NXE) */

#define PTE_ADDR_MASK	0x000ffffffffff000ULL
#define PTE_FLAGS_MASK	(~PTE_ADDR_MASK)
#define PTE_ADDR(pte)	((pte) & PTE_ADDR_MASK)

#define PT_ENTRIES	512
/* Level 4 is the PML4, level 1 the page table. */
#define PT_SHIFT(level)	(12 + 9 * ((level) - 1))
#define PT_INDEX(va, level) (((va) >> PT_SHIFT(level)) & 0x1ff)

/* Whether va is canonical for 48-bit linear addresses. */
static inline bool is_canonical(uint64_t va)
{
	return (uint64_t)((int64_t)(va << 16) >> 16) == va;
}

#endif
