/*
 * vm.c - walking and editing 4-level page tables (lab 1; SDM 3A 4.5,
 * AMD APM 2 5.3): 4 KiB and 2 MiB pages, splitting a large page on a
 * partial unmap, TLB invalidation when the table is the live one.  Tables
 * are reached through kva(), so host-side tests run this file over a
 * simulated physical memory.
 */
#include <inc/x86.h>
#include <kernel/kernel.h>
#include <kernel/mm/page.h>
#include <kernel/mm/vm.h>

/* Intermediate entries allow everything; the leaf decides. */
#define VM_TABLE_PERM (PTE_P | PTE_W | PTE_U)
/* Flags a caller may ask vm_map for. */
#define VM_PERM_MASK (PTE_W | PTE_U | PTE_PWT | PTE_PCD | PTE_G | PTE_NX)

hpa_t kern_pml4;

/* The PML4 in CR3, once vm_switch has loaded one; 0 on the host. */
static hpa_t vm_live_pml4;

static uint64_t vm_level_size(int level)
{
	return 1ULL << PT_SHIFT(level);
}

/* Drops a stale translation of va if pml4 is the one in CR3. */
static void vm_flush(hpa_t pml4, uint64_t va)
{
	if (pml4 == vm_live_pml4)
		invlpg(va);
}

pte_t *vm_walk(hpa_t pml4, uint64_t va, int level, bool create)
{
#if SOL >= 1
	pte_t *table = kva(pml4);

	if (level < 1 || level > 4)
		panic("vm_walk: bad level %d", level);
	for (int l = 4; l > level; l--) {
		pte_t *e = &table[PT_INDEX(va, l)];
		if (*e & PTE_P) {
			if (*e & PTE_PS)
				return NULL;
		} else {
			hpa_t pa;
			if (!create || !(pa = page_alloc()))
				return NULL;
			*e = pa | VM_TABLE_PERM;
		}
		table = kva(PTE_ADDR(*e));
	}
	return &table[PT_INDEX(va, level)];
#else
	/* LAB 1: your code here */
	panic("vm_walk: not implemented");
#endif
}

pte_t *vm_find(hpa_t pml4, uint64_t va, uint64_t present, int *level)
{
	pte_t *table = kva(pml4);

	for (int l = 4;; l--) {
		pte_t *e = &table[PT_INDEX(va, l)];
		if (l == 1 || !(*e & present) || (*e & PTE_PS)) {
			*level = l;
			return e;
		}
		table = kva(PTE_ADDR(*e));
	}
}

/* Bytes from va to the end of the level-sized block containing it. */
static uint64_t vm_span(uint64_t va, int level)
{
	return vm_level_size(level) - (va & (vm_level_size(level) - 1));
}

static int vm_check_args(uint64_t va, hpa_t pa, uint64_t size)
{
	if ((va | pa | size) & (PAGE_SIZE - 1) || size == 0)
		return -E_INVAL;
	if (va + size - 1 < va || pa + size - 1 < pa)
		return -E_INVAL;
	return 0;
}

#if SOL >= 1
/* 0 if nothing in [va, va+size) is mapped, else -E_EXISTS. */
static int vm_check_free(hpa_t pml4, uint64_t va, uint64_t size)
{
	int level;

	while (size > 0) {
		pte_t *e = vm_find(pml4, va, PTE_P, &level);
		uint64_t step = vm_span(va, level);
		if (*e & PTE_P)
			return -E_EXISTS;
		if (step >= size)
			break;
		va += step;
		size -= step;
	}
	return 0;
}

/* Maps one 2 MiB page; an empty page table in the way is freed. */
static int vm_map_large(hpa_t pml4, uint64_t va, hpa_t pa, uint64_t perm)
{
	pte_t *pde = vm_walk(pml4, va, 2, true);

	if (!pde)
		return -E_NO_MEM;
	if (*pde & PTE_P) {
		page_free(PTE_ADDR(*pde));
		vm_flush(pml4, va);
	}
	*pde = pa | perm | PTE_P | PTE_PS;
	return 0;
}
#else
/* LAB 1: your code here (helpers for vm_map, if you want any) */
#endif

int vm_map(hpa_t pml4, uint64_t va, hpa_t pa, uint64_t size, uint64_t perm)
{
#if SOL >= 1
	uint64_t done = 0;
	int r;

	if ((r = vm_check_args(va, pa, size)) < 0)
		return r;
	if (perm & ~VM_PERM_MASK)
		return -E_INVAL;
	if ((r = vm_check_free(pml4, va, size)) < 0)
		return r;
	while (done < size) {
		uint64_t v = va + done, p = pa + done, step = PAGE_SIZE;
		if (!((v | p) & (LARGE_PAGE_SIZE - 1)) &&
		    size - done >= LARGE_PAGE_SIZE) {
			step = LARGE_PAGE_SIZE;
			r = vm_map_large(pml4, v, p, perm);
		} else {
			pte_t *pte = vm_walk(pml4, v, 1, true);
			r = pte ? 0 : -E_NO_MEM;
			if (pte)
				*pte = p | perm | PTE_P;
		}
		if (r < 0) {
			if (done)
				vm_unmap(pml4, va, done);
			return r;
		}
		done += step;
	}
	return 0;
#else
	/* LAB 1: your code here */
	panic("vm_map: not implemented");
#endif
}

/*
 * Replaces the large page at *e (level 2 or 3) by a table of 512 entries
 * one level down that map the same memory with the same permissions.
 */
static int vm_split(hpa_t pml4, uint64_t va, pte_t *e, int level)
{
	uint64_t child = vm_level_size(level - 1);
	uint64_t flags = *e & PTE_FLAGS_MASK & ~PTE_PS;
	hpa_t base = PTE_ADDR(*e) & ~(vm_level_size(level) - 1);
	hpa_t table = page_alloc();
	pte_t *t;

	if (!table)
		return -E_NO_MEM;
	t = kva(table);
	for (int i = 0; i < PT_ENTRIES; i++)
		t[i] = (base + i * child) | flags |
		       (level - 1 > 1 ? PTE_PS : 0);
	*e = table | VM_TABLE_PERM;
	vm_flush(pml4, va);
	return 0;
}

int vm_unmap(hpa_t pml4, uint64_t va, uint64_t size)
{
	int level, r;

	if ((r = vm_check_args(va, 0, size)) < 0)
		return r;
	while (size > 0) {
		pte_t *e = vm_find(pml4, va, PTE_P, &level);
		uint64_t step = vm_span(va, level);
		bool partial = step < vm_level_size(level) || step > size;
		if ((*e & PTE_P) && partial) {
			/* Only part of a large page goes: split, then retry. */
			if ((r = vm_split(pml4, va, e, level)) < 0)
				return r;
			continue;
		}
		if (*e & PTE_P) {
			*e = 0;
			vm_flush(pml4, va);
		}
		if (step >= size)
			break;
		va += step;
		size -= step;
	}
	return 0;
}

int vm_lookup(hpa_t pml4, uint64_t va, hpa_t *pa, uint64_t *perm)
{
	int level;
	pte_t *e = vm_find(pml4, va, PTE_P, &level);
	uint64_t mask = vm_level_size(level) - 1;

	if (!(*e & PTE_P))
		return -E_NOT_FOUND;
	*pa = (PTE_ADDR(*e) & ~mask) | (va & mask);
	*perm = *e & PTE_FLAGS_MASK;
	return 0;
}

void vm_switch(hpa_t pml4)
{
	write_cr3(pml4);
	vm_live_pml4 = pml4;
}
