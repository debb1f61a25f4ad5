/*
 * pt.h - a guest's own page tables, written once for the three x86
 * formats (lab 4): 32-bit paging with 4 MiB pages (SDM 3A 4.3), PAE with
 * 2 MiB pages (4.4) and 4-level paging (4.5).  Tables come from a pool the
 * guest gives pt_init; guest RAM is identity-mapped, so a table's physical
 * address is also where the guest reads it.
 *
 *	pt_init(PT_PAE, pool, sizeof(pool));
 *	uintptr_t as = pt_new_root();		identity map of PT_IDENT_END
 *	pt_map(as, 0x40000000, pt_alloc(), PTE_W);
 *	pt_load(as);				CR3 (and the paging mode)
 *
 * Entries are uint64_t in every format; 32-bit paging keeps the low half.
 */
#ifndef GUESTS_LIB_PT_H
#define GUESTS_LIB_PT_H

#include <guests/lib/guest.h>
#include <inc/mmu.h>

#define PT_PAGE	     4096
#define PT_IDENT_END (32 * MiB) /* identity-mapped, user and writable */

enum pt_mode {
	PT_32BIT,
	PT_PAE,
	PT_4LEVEL
};

/* Control registers as wide as the guest's registers (inc/x86.h's are
 * 64-bit only). */
#define PT_CR_ACCESSORS(n)                                                 \
	static inline uintptr_t pt_read_cr##n(void)                        \
	{                                                                  \
		uintptr_t v;                                               \
		__asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));          \
		return v;                                                  \
	}                                                                  \
	static inline void pt_write_cr##n(uintptr_t v)                     \
	{                                                                  \
		__asm__ volatile("mov %0, %%cr" #n : : "r"(v) : "memory"); \
	}
PT_CR_ACCESSORS(0)
PT_CR_ACCESSORS(2)
PT_CR_ACCESSORS(3)
PT_CR_ACCESSORS(4)
#undef PT_CR_ACCESSORS

static inline void pt_invlpg(uintptr_t va)
{
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

/* Selects the format and the pool [pool, pool + size), page-aligned. */
void pt_init(enum pt_mode mode, void *pool, size_t size);
enum pt_mode pt_mode(void);
/* "32-bit", "pae" or "4-level". */
const char *pt_mode_name(void);
/* Bytes a large page (PTE_PS in a PDE) maps: 4 MiB or 2 MiB. */
uintptr_t pt_large_size(void);

/* A zeroed page from the pool; ends the guest when the pool is empty. */
uintptr_t pt_alloc(void);

/*
 * A new address space: its CR3 value, with [0, PT_IDENT_END) identity
 * mapped in large pages (PAE: all four page directories allocated, as
 * the CPU loads the PDPT entries with CR3).
 */
uintptr_t pt_new_root(void);

/*
 * Maps va to pa in root with flags (PTE_W, PTE_U, PTE_NX, PTE_G; PTE_PS
 * for a large page), allocating the tables on the way, then INVLPG va.
 */
void pt_map(uintptr_t root, uintptr_t va, uint64_t pa, uint64_t flags);

/* Clears the entry mapping va in root, then INVLPG va. */
void pt_unmap(uintptr_t root, uintptr_t va);

/*
 * Walks root for va down to level *level at most (1: the page table, 2:
 * the page directory, ...); returns the address of the last entry read
 * (the leaf, or the first one not present) and sets *level to its level.
 */
uintptr_t pt_walk(uintptr_t root, uintptr_t va, int *level);

/* An entry's value, of 4 or 8 bytes as the format says. */
uint64_t pte_get(uintptr_t pte);
void pte_set(uintptr_t pte, uint64_t val);
/* The physical address an entry holds (a table or a page). */
uint64_t pte_addr(uint64_t val);

/*
 * Makes root map its own tables (a recursive entry in the top table;
 * PAE: four entries of the last page directory, one per directory) and
 * returns the window's base: the entry for va then reads at
 * pt_window_pte(window, va).
 */
uintptr_t pt_self_map(uintptr_t root);
uintptr_t pt_window_pte(uintptr_t window, uintptr_t va);

/*
 * Loads root into CR3.  pt_paging_on, for 32-bit guests (the others run
 * paged from the start), sets CR4 for the format (PSE or PAE) and
 * cr4_extra, CR3, then CR0.PG and CR0.WP.
 */
void pt_load(uintptr_t root);
void pt_paging_on(uintptr_t root, uintptr_t cr4_extra);
/* Clears CR0.PG (32-bit guests), so the next pt_paging_on may change mode. */
void pt_paging_off(void);

#endif
