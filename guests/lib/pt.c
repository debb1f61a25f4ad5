/*
 * pt.c - the guest-side page-table library (lab 4; pt.h): one walker for
 * 32-bit paging, PAE and 4-level paging, which differ only in the levels,
 * the entry size and the index bits per level (SDM 3A 4.3-4.5, tables
 * 4-4 to 4-20).  PAE's top level is the 4-entry PDPT, whose entries have
 * no R/W or U/S bit (SDM 3A 4.4.1: reserved).
 */
#include <guests/lib/pt.h>

struct pt_format {
	const char *name;
	uint8_t levels, esize, bits; /* entry bytes, index bits per level */
	uint64_t addr_mask;
	uintptr_t large;
	unsigned self_slot; /* top-level index of the recursive window */
};

static const struct pt_format pt_formats[] = {
	[PT_32BIT] = { "32-bit", 2, 4, 10, 0xfffff000, 4 * MiB, 1023 },
	[PT_PAE] = { "pae", 3, 8, 9, PTE_ADDR_MASK, 2 * MiB, 3 },
	[PT_4LEVEL] = { "4-level", 4, 8, 9, PTE_ADDR_MASK, 2 * MiB, 255 },
};

static enum pt_mode pt_cur;
static const struct pt_format *fmt = &pt_formats[PT_4LEVEL];
static uintptr_t pool_next, pool_end;

void pt_init(enum pt_mode mode, void *pool, size_t size)
{
	pt_cur = mode;
	fmt = &pt_formats[mode];
	pool_next = (uintptr_t)pool;
	pool_end = pool_next + size;
}

enum pt_mode pt_mode(void)
{
	return pt_cur;
}

const char *pt_mode_name(void)
{
	return fmt->name;
}

uintptr_t pt_large_size(void)
{
	return fmt->large;
}

uintptr_t pt_alloc(void)
{
	uintptr_t pa = pool_next;

	if (pa + PT_PAGE > pool_end) {
		report(false, "pt_alloc: the page pool is exhausted");
		guest_exit(report_summary());
	}
	pool_next += PT_PAGE;
	memset((void *)pa, 0, PT_PAGE);
	return pa;
}

uint64_t pte_get(uintptr_t pte)
{
	if (fmt->esize == 4)
		return *(volatile uint32_t *)pte;
	return *(volatile uint64_t *)pte;
}

void pte_set(uintptr_t pte, uint64_t val)
{
	if (fmt->esize == 4)
		*(volatile uint32_t *)pte = (uint32_t)val;
	else
		*(volatile uint64_t *)pte = val;
}

uint64_t pte_addr(uint64_t val)
{
	return val & fmt->addr_mask;
}

static uintptr_t pt_entry(uintptr_t table, uintptr_t va, int level)
{
	unsigned shift = 12 + (unsigned)(level - 1) * fmt->bits;

	return table + ((va >> shift) & ((1u << fmt->bits) - 1)) * fmt->esize;
}

/* The top table of root: PAE's CR3 holds a 32-byte aligned PDPT. */
static uintptr_t pt_top(uintptr_t root)
{
	return root & ~(uintptr_t)(pt_cur == PT_PAE ? 0x1f : 0xfff);
}

/* The flags of an entry that points at a table of level - 1. */
static uint64_t pt_table_flags(int level)
{
	if (pt_cur == PT_PAE && level == 3)
		return PTE_P;
	return PTE_P | PTE_W | PTE_U;
}

uintptr_t pt_walk(uintptr_t root, uintptr_t va, int *level)
{
	uintptr_t table = pt_top(root), e;
	int l;

	for (l = fmt->levels;; l--) {
		e = pt_entry(table, va, l);
		if (l == *level || !(pte_get(e) & PTE_P) ||
		    (l == 2 && (pte_get(e) & PTE_PS)))
			break;
		table = pte_addr(pte_get(e));
	}
	*level = l;
	return e;
}

void pt_map(uintptr_t root, uintptr_t va, uint64_t pa, uint64_t flags)
{
	int leaf = (flags & PTE_PS) ? 2 : 1;
	uintptr_t table = pt_top(root), e;

	for (int l = fmt->levels; l > leaf; l--) {
		e = pt_entry(table, va, l);
		if (!(pte_get(e) & PTE_P))
			pte_set(e, pt_alloc() | pt_table_flags(l));
		table = pte_addr(pte_get(e));
	}
	pte_set(pt_entry(table, va, leaf), pa | flags | PTE_P);
	pt_invlpg(va);
}

void pt_unmap(uintptr_t root, uintptr_t va)
{
	int level = 1;

	pte_set(pt_walk(root, va, &level), 0);
	pt_invlpg(va);
}

uintptr_t pt_new_root(void)
{
	uintptr_t root = pt_alloc();

	if (pt_cur == PT_PAE)
		for (int i = 0; i < 4; i++)
			pte_set(root + 8 * i, pt_alloc() | PTE_P);
	for (uintptr_t va = 0; va < PT_IDENT_END; va += fmt->large)
		pt_map(root, va, va, PTE_W | PTE_U | PTE_PS);
	return root;
}

uintptr_t pt_self_map(uintptr_t root)
{
	uintptr_t top = pt_top(root), pd3;

	if (pt_cur != PT_PAE) {
		pte_set(top + fmt->self_slot * fmt->esize, top | PTE_P | PTE_W);
		return (uintptr_t)fmt->self_slot
		       << (12 + (fmt->levels - 1) * fmt->bits);
	}
	/* PDPT entries cannot point at the PDPT: PD3's last four entries
	 * point at the four directories, an 8 MiB window at 0xff800000. */
	pd3 = pte_addr(pte_get(top + 8 * 3));
	for (int i = 0; i < 4; i++)
		pte_set(pd3 + 8 * (508 + i),
			pte_addr(pte_get(top + 8 * i)) | PTE_P | PTE_W);
	return 0xff800000;
}

uintptr_t pt_window_pte(uintptr_t window, uintptr_t va)
{
	uint64_t mask = pt_cur == PT_4LEVEL ? (1ULL << 48) - 1 : 0xffffffff;

	return window + (uintptr_t)(((uint64_t)va & mask) >> 12) * fmt->esize;
}

void pt_load(uintptr_t root)
{
	pt_write_cr3(root);
}

void pt_paging_on(uintptr_t root, uintptr_t cr4_extra)
{
	uintptr_t cr4 = pt_read_cr4() & ~(uintptr_t)(CR4_PSE | CR4_PAE);

	cr4 |= (pt_cur == PT_PAE ? CR4_PAE : CR4_PSE) | cr4_extra;
	pt_write_cr4(cr4);
	pt_write_cr3(root);
	pt_write_cr0(pt_read_cr0() | CR0_PG | CR0_WP);
}

void pt_paging_off(void)
{
	pt_write_cr0(pt_read_cr0() & ~(uintptr_t)CR0_PG);
}
