/*
 * nested.h - nested paging as the hypervisor's memory manager (lab 5): a
 * domain's NPT / EPT tables, filled on demand from its p2m by one
 * vendor-neutral handler of the fault the backend decodes into struct
 * exit_gpa_fault (kernel/virt.h), with large pages where the p2m allows
 * them and dirty logging by write protection.  Only the entry format
 * differs between vendors (svm/npt.c, vmx/ept.c).  The design:
 * labs/lab5.md.
 */
#ifndef KERNEL_NESTED_H
#define KERNEL_NESTED_H

#include <inc/types.h>

struct domain;
struct vcpu;

/*
 * A backend's nested-table entry format.  Entries are 64-bit, 512 to a
 * table, 4 levels, indexed like long-mode page tables; an entry is present
 * when nonzero, a leaf at level 2 or 3 when bit 7 (PS) is set, allows
 * writes when bit 1 is set, and holds its address in bits 51:12, in both
 * formats.  perm is P2M_R/W/X (kernel/mm/p2m.h); a leaf with perm 0 is
 * never built.
 */
struct nested_format {
	/* An entry pointing at the next level's table at pa. */
	uint64_t (*table)(hpa_t pa);
	/* A leaf mapping pa (aligned to the level's size) with perm at level
	 * 1 (4 KiB), 2 (2 MiB) or 3 (1 GiB). */
	uint64_t (*leaf)(hpa_t pa, unsigned perm, int level);
	/* The largest leaf the CPU maps in this format: 1 (4 KiB only),
	 * 2 (2 MiB) or 3 (1 GiB). */
	int (*max_level)(void);
};

/* How many leaves of each size a domain's nested tables hold. */
struct nested_stats {
	size_t pages_4k, pages_2m, pages_1g;
	size_t tables; /* table pages, the root included */
	size_t splits, merges;
};

struct nested_domain {
	hpa_t root; /* 0 when the domain does not use nested paging */
	const struct nested_format *fmt;
	struct nested_stats stats;
	bool log_dirty; /* map RAM read-only until a write marks it dirty */
	uint64_t rom_writes; /* writes dropped by P2M_ROM frames */
};

/* Allocates d's empty root for fmt; 0 or -E_NO_MEM. */
int nested_init(struct domain *d, const struct nested_format *fmt);

/* Frees every table of d's nested tables; the stats keep their last
 * counts (the domain's summary prints them). */
void nested_destroy(struct domain *d);

/*
 * Handles v's nested fault v->exit.gpa (lab 5): populates and maps RAM
 * (as large a page as the p2m allows), marks a write dirty when logging,
 * emulates MMIO and writes to ROM, and crashes the domain for anything
 * else (outside guest memory, execute from MMIO, out of host memory).
 */
void nested_fault(struct vcpu *v);

/*
 * Drops d's mappings of frames [gfn, gfn+n), splitting a large page that
 * covers only part of the range, and flushes d's vcpus' TLBs: the next
 * access refaults and maps what the p2m now says.  Returns 0, or -E_NO_MEM
 * when a split needs a table page (then all of d's mappings are dropped).
 */
int nested_invalidate(struct domain *d, uint64_t gfn, uint64_t n);

/*
 * Turns dirty logging on (write-protects every RAM leaf; p2m_dirty_start)
 * or off (drops every mapping, so that large pages come back).  0 or
 * -E_NO_MEM.
 */
int nested_log_dirty(struct domain *d, bool on);

/*
 * Write-protects again the frames in bitmap (p2m_dirty_collect's), so
 * that their next write is logged.
 */
void nested_protect(struct domain *d, const uint64_t *bitmap);

/*
 * The level of the leaf mapping gpa in d's nested tables: 1 (4 KiB),
 * 2 (2 MiB), 3 (1 GiB), 0 when not mapped; *writable tells whether it
 * allows writes.
 */
int nested_level(struct domain *d, gpa_t gpa, bool *writable);

/* Prints d's leaf counts and host memory ("nested: ..."). */
void nested_print(struct domain *d);

#endif
