/*
 * mmu.h - 4-level paging structures (SDM 3A 4.5; AMD APM 2 5.3).
 */
#ifndef INC_MMU_H
#define INC_MMU_H

#include <inc/const.h>

#ifndef __ASSEMBLER__
#include <inc/types.h>

typedef uint64_t pte_t;
#endif

#define PTE_P	(ULL(1) << 0) /* present */
#define PTE_W	(ULL(1) << 1) /* writable */
#define PTE_U	(ULL(1) << 2) /* user */
#define PTE_PWT (ULL(1) << 3)
#define PTE_PCD (ULL(1) << 4)
#define PTE_A	(ULL(1) << 5)  /* accessed */
#define PTE_D	(ULL(1) << 6)  /* dirty */
#define PTE_PS	(ULL(1) << 7)  /* large page (in a PDE or PDPTE) */
#define PTE_G	(ULL(1) << 8)  /* global */
#define PTE_NX	(ULL(1) << 63) /* no execute (needs EFER.NXE) */

#define PTE_ADDR_MASK  ULL(0x000ffffffffff000)
#define PTE_FLAGS_MASK (~PTE_ADDR_MASK)
#define PTE_ADDR(pte)  ((pte)&PTE_ADDR_MASK)

#define PT_ENTRIES 512
/* Level 4 is the PML4, level 1 the page table. */
#define PT_SHIFT(level)	    (12 + 9 * ((level)-1))
#define PT_INDEX(va, level) (((va) >> PT_SHIFT(level)) & 0x1ff)

/* Page-fault error code (SDM 3A 4.7, figure 4-12; APM 2 8.4.2). */
#define PFEC_P	  (1u << 0) /* protection violation, not not-present */
#define PFEC_W	  (1u << 1) /* write */
#define PFEC_U	  (1u << 2) /* CPL 3 */
#define PFEC_RSVD (1u << 3) /* reserved bit set in an entry */
#define PFEC_I	  (1u << 4) /* instruction fetch */

#ifndef __ASSEMBLER__
/* Whether va is canonical for 48-bit linear addresses. */
static inline bool is_canonical(uint64_t va)
{
	return (uint64_t)((int64_t)(va << 16) >> 16) == va;
}
#endif

#endif
