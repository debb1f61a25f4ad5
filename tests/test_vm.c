/*
 * test_vm.c - kernel/mm/vm.c over simulated memory: 4 KiB and 2 MiB mappings,
 * lookups and permissions, -E_EXISTS and -E_INVAL, unmapping with large
 * page splits, running out of memory for page tables.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <kernel/kernel.h>
#include <kernel/mm/page.h>
#include <kernel/mm/vm.h>
#include "host_kernel.h"

#define VA 0xffffffff84000000ULL /* 2 MiB aligned */

static struct boot_info *bi;
static hpa_t pml4;

static void setup(void)
{
	bi = host_page_init();
	pml4 = page_alloc();
	cr_assert_neq(pml4, 0, "page_alloc gave no page for the PML4");
}

static void teardown(void)
{
	free(bi);
}

TestSuite(vm, .init = setup, .fini = teardown);

/* Fails unless vm_map(pml4, va, pa, size, perm) returns want. */
static void expect_vm_map(uint64_t va, hpa_t pa, uint64_t size, uint64_t perm,
			  int want)
{
	int r = vm_map(pml4, va, pa, size, perm);

	cr_assert_eq(r, want,
		     "vm_map(va 0x%lx, pa 0x%lx, size 0x%lx, perm 0x%lx) "
		     "returned %s, want %s",
		     va, pa, size, perm, error_name(r), error_name(want));
}

static void expect_vm_unmap(uint64_t va, uint64_t size, int want)
{
	int r = vm_unmap(pml4, va, size);

	cr_assert_eq(r, want,
		     "vm_unmap(va 0x%lx, size 0x%lx) returned %s, want %s", va,
		     size, error_name(r), error_name(want));
}

/* The entry vm_walk returns for va at level, which must exist. */
static pte_t *expect_walk(uint64_t va, int level, bool create)
{
	pte_t *e = vm_walk(pml4, va, level, create);

	cr_assert_not_null(e, "vm_walk(va 0x%lx, level %d, create %d) = NULL",
			   va, level, create);
	return e;
}

static void expect_walk_null(uint64_t va, int level, bool create,
			     const char *why)
{
	pte_t *e = vm_walk(pml4, va, level, create);

	cr_assert_null(e,
		       "vm_walk(va 0x%lx, level %d, create %d) = %p, want "
		       "NULL: %s",
		       va, level, create, (void *)e, why);
}

/* The intermediate entries on va's walk down to level allow everything. */
static void expect_table_perms(uint64_t va, int level)
{
	for (int l = 4; l > level; l--) {
		pte_t e = *expect_walk(va, l, false);
		uint64_t want = PTE_P | PTE_W | PTE_U;
		cr_assert_eq(e & (want | PTE_NX | PTE_PS), want,
			     "va 0x%lx: level-%d entry 0x%lx has flags 0x%lx, "
			     "want P|W|U (0x%lx): the leaf decides",
			     va, l, e, e & PTE_FLAGS_MASK, want);
		cr_assert_lt(PTE_ADDR(e), HOST_MEM_SIZE,
			     "va 0x%lx: level-%d entry 0x%lx does not hold a "
			     "physical address",
			     va, l, e);
	}
}

static void expect_map(uint64_t va, hpa_t pa, uint64_t perm)
{
	hpa_t got;
	uint64_t p;

	cr_assert_eq(vm_lookup(pml4, va, &got, &p), 0, "va 0x%lx unmapped", va);
	cr_assert_eq(got, pa, "va 0x%lx -> 0x%lx, want 0x%lx", va, got, pa);
	cr_assert_eq(p & (PTE_P | PTE_W | PTE_U | PTE_NX | PTE_PS | PTE_PCD),
		     perm | PTE_P, "va 0x%lx perm 0x%lx, want 0x%lx", va, p,
		     perm | PTE_P);
}

static void expect_unmapped(uint64_t va)
{
	hpa_t got;
	uint64_t p;

	cr_assert_eq(vm_lookup(pml4, va, &got, &p), -E_NOT_FOUND,
		     "va 0x%lx still mapped", va);
}

Test(vm, map_4k)
{
	hpa_t pa = page_alloc();

	expect_unmapped(VA);
	expect_vm_map(VA, pa, PAGE_SIZE, PTE_W | PTE_NX, 0);
	expect_map(VA, pa, PTE_W | PTE_NX);
	expect_map(VA + 0xabc, pa + 0xabc, PTE_W | PTE_NX);
	expect_unmapped(VA + PAGE_SIZE);
	expect_unmapped(VA - PAGE_SIZE);
	pte_t *pte = expect_walk(VA, 1, false);
	cr_assert_eq(*pte, pa | PTE_P | PTE_W | PTE_NX,
		     "va 0x%lx: PTE 0x%lx, want 0x%lx", VA, *pte,
		     pa | PTE_P | PTE_W | PTE_NX);
	/* The intermediate tables were built in simulated memory. */
	expect_table_perms(VA, 1);
}

Test(vm, permissions_kept)
{
	uint64_t perms[] = {
		0, PTE_W, PTE_U, PTE_NX, PTE_W | PTE_U | PTE_NX, PTE_PCD | PTE_W
	};

	for (size_t i = 0; i < ARRAY_SIZE(perms); i++) {
		uint64_t va = VA + i * PAGE_SIZE;
		expect_vm_map(va, 0x200000 + i * PAGE_SIZE, PAGE_SIZE, perms[i],
			      0);
		expect_map(va, 0x200000 + i * PAGE_SIZE, perms[i]);
	}
}

Test(vm, map_2m_uses_large_page)
{
	expect_vm_map(VA, 4 * MiB, LARGE_PAGE_SIZE, PTE_W, 0);
	expect_map(VA, 4 * MiB, PTE_W | PTE_PS);
	expect_map(VA + 0x12345, 4 * MiB + 0x12345, PTE_W | PTE_PS);
	expect_unmapped(VA + LARGE_PAGE_SIZE);
	expect_walk_null(VA, 1, false, "a 2 MiB page is in the way");
	expect_walk_null(VA, 1, true, "a 2 MiB page is in the way");
	pte_t *pde = expect_walk(VA, 2, false);
	cr_assert_eq(*pde, 4 * MiB | PTE_P | PTE_W | PTE_PS,
		     "va 0x%lx: PDE 0x%lx, want 0x%lx", VA, *pde,
		     4 * MiB | PTE_P | PTE_W | PTE_PS);
	expect_table_perms(VA, 2);
}

Test(vm, misaligned_pa_uses_small_pages)
{
	expect_vm_map(VA, 4 * MiB + PAGE_SIZE, LARGE_PAGE_SIZE, 0, 0);
	expect_map(VA, 4 * MiB + PAGE_SIZE, 0);
	expect_map(VA + LARGE_PAGE_SIZE - PAGE_SIZE, 6 * MiB, 0);
}

Test(vm, mixed_range)
{
	uint64_t va = VA - 2 * PAGE_SIZE,
		 size = LARGE_PAGE_SIZE + 4 * PAGE_SIZE;
	hpa_t pa = 4 * MiB - 2 * PAGE_SIZE;

	expect_vm_map(va, pa, size, PTE_W, 0);
	expect_map(va, pa, PTE_W);
	expect_map(va + PAGE_SIZE, pa + PAGE_SIZE, PTE_W);
	expect_map(VA, 4 * MiB, PTE_W | PTE_PS);
	expect_map(VA + LARGE_PAGE_SIZE, 6 * MiB, PTE_W);
	expect_map(VA + LARGE_PAGE_SIZE + PAGE_SIZE, 6 * MiB + PAGE_SIZE,
		   PTE_W);
	expect_unmapped(va - PAGE_SIZE);
	expect_unmapped(va + size);
}

Test(vm, remap_is_refused)
{
	expect_vm_map(VA, 4 * MiB, PAGE_SIZE, PTE_W, 0);
	expect_vm_map(VA, 8 * MiB, PAGE_SIZE, PTE_W, -E_EXISTS);
	/* Partial overlap: nothing of the new range gets mapped. */
	expect_vm_map(VA - 3 * PAGE_SIZE, 8 * MiB, 4 * PAGE_SIZE, PTE_W,
		      -E_EXISTS);
	expect_unmapped(VA - 3 * PAGE_SIZE);
	expect_unmapped(VA - 2 * PAGE_SIZE);
	expect_map(VA, 4 * MiB, PTE_W);
	/* A large page over an existing small one, and the reverse. */
	expect_vm_map(VA, 8 * MiB, LARGE_PAGE_SIZE, 0, -E_EXISTS);
	expect_map(VA, 4 * MiB, PTE_W);
	expect_vm_map(VA + LARGE_PAGE_SIZE, 8 * MiB, LARGE_PAGE_SIZE, 0, 0);
	expect_vm_map(VA + LARGE_PAGE_SIZE + 5 * PAGE_SIZE, 0x100000, PAGE_SIZE,
		      0, -E_EXISTS);
	expect_map(VA + LARGE_PAGE_SIZE + 5 * PAGE_SIZE,
		   8 * MiB + 5 * PAGE_SIZE, PTE_PS);
}

Test(vm, bad_arguments)
{
	size_t nfree = page_free_count();

	expect_vm_map(VA + 1, 4 * MiB, PAGE_SIZE, 0, -E_INVAL);
	expect_vm_map(VA, 4 * MiB + 8, PAGE_SIZE, 0, -E_INVAL);
	expect_vm_map(VA, 4 * MiB, 100, 0, -E_INVAL);
	expect_vm_map(VA, 4 * MiB, PAGE_SIZE + 100, 0, -E_INVAL);
	expect_vm_map(VA, 4 * MiB, 0, 0, -E_INVAL);
	expect_vm_map(VA, 4 * MiB, PAGE_SIZE, 0x5000, -E_INVAL);
	expect_vm_map(VA, 4 * MiB, PAGE_SIZE, PTE_PS, -E_INVAL);
	/* va + size and pa + size wrap around. */
	expect_vm_map(0xfffffffffffff000ULL, 4 * MiB, 2 * PAGE_SIZE, 0,
		      -E_INVAL);
	expect_vm_map(VA, 0xfffffffffffff000ULL, 2 * PAGE_SIZE, 0, -E_INVAL);
	expect_vm_unmap(VA + 8, PAGE_SIZE, -E_INVAL);
	expect_unmapped(VA);
	expect_unmapped(0xfffffffffffff000ULL);
	expect_unmapped(0);
	cr_assert_eq(page_free_count(), nfree,
		     "rejected vm_map calls allocated %zu page tables",
		     nfree - page_free_count());
}

Test(vm, unmap_4k)
{
	expect_vm_map(VA, 4 * MiB, 3 * PAGE_SIZE, PTE_W, 0);
	expect_vm_unmap(VA + PAGE_SIZE, PAGE_SIZE, 0);
	expect_map(VA, 4 * MiB, PTE_W);
	expect_unmapped(VA + PAGE_SIZE);
	expect_map(VA + 2 * PAGE_SIZE, 4 * MiB + 2 * PAGE_SIZE, PTE_W);
	/* Unmapping what is not mapped is fine; so is mapping it again. */
	expect_vm_unmap(VA - 16 * MiB, 32 * MiB, 0);
	expect_unmapped(VA);
	expect_vm_map(VA, 4 * MiB, 3 * PAGE_SIZE, PTE_W, 0);
}

Test(vm, unmap_splits_large_page)
{
	size_t nfree;

	expect_vm_map(VA, 4 * MiB, LARGE_PAGE_SIZE, PTE_W | PTE_NX, 0);
	nfree = page_free_count();
	expect_vm_unmap(VA + 5 * PAGE_SIZE, 2 * PAGE_SIZE, 0);
	cr_assert_eq(page_free_count(), nfree - 1,
		     "the split took %zd pages, want one new page table",
		     (ssize_t)(nfree - page_free_count()));
	for (int i = 0; i < 512; i++) {
		uint64_t va = VA + i * PAGE_SIZE;
		if (i == 5 || i == 6)
			expect_unmapped(va);
		else
			expect_map(va, 4 * MiB + i * PAGE_SIZE, PTE_W | PTE_NX);
	}
	expect_walk(VA, 1, false);
	/* The whole block goes; a large page fits there again. */
	expect_vm_unmap(VA, LARGE_PAGE_SIZE, 0);
	expect_unmapped(VA + 100 * PAGE_SIZE);
	expect_vm_map(VA, 6 * MiB, LARGE_PAGE_SIZE, 0, 0);
	expect_map(VA + PAGE_SIZE, 6 * MiB + PAGE_SIZE, PTE_PS);
}

Test(vm, unmap_tail_of_large_page)
{
	expect_vm_map(VA, 4 * MiB, 2 * LARGE_PAGE_SIZE, PTE_W, 0);
	expect_vm_unmap(VA + LARGE_PAGE_SIZE - PAGE_SIZE, 2 * PAGE_SIZE, 0);
	expect_map(VA, 4 * MiB, PTE_W);
	expect_unmapped(VA + LARGE_PAGE_SIZE - PAGE_SIZE);
	expect_unmapped(VA + LARGE_PAGE_SIZE);
	expect_map(VA + LARGE_PAGE_SIZE + PAGE_SIZE, 6 * MiB + PAGE_SIZE,
		   PTE_W);
}

Test(vm, walk_without_create)
{
	size_t nfree = page_free_count();

	expect_walk_null(VA, 1, false, "no tables and create is false");
	expect_walk_null(VA, 3, false, "no PDPT and create is false");
	cr_assert_eq(page_free_count(), nfree,
		     "vm_walk with create false allocated %zu pages",
		     nfree - page_free_count());
	pte_t *pml4e = expect_walk(VA, 4, false);
	cr_assert_eq(pml4e, (pte_t *)kva(pml4) + PT_INDEX(VA, 4),
		     "vm_walk(va 0x%lx, level 4) is not the PML4's entry %lu",
		     VA, (unsigned long)PT_INDEX(VA, 4));
	pte_t *pte = expect_walk(VA, 1, true);
	cr_assert_eq(*pte, 0, "va 0x%lx: new PTE is 0x%lx, want 0", VA, *pte);
	cr_assert_eq(page_free_count(), nfree - 3,
		     "vm_walk to level 1 in an empty PML4 allocated %zu "
		     "pages, want 3 (PDPT, PD, PT)",
		     nfree - page_free_count());
	expect_table_perms(VA, 1);
	cr_assert_eq(vm_walk(pml4, VA, 1, false), pte,
		     "a second vm_walk of va 0x%lx found another PTE", VA);
	cr_assert_eq(expect_walk(VA + PAGE_SIZE, 1, false), pte + 1,
		     "va 0x%lx: the next page's PTE is not the next entry", VA);
}

Test(vm, out_of_memory)
{
	size_t n = page_free_count();

	while (n--)
		cr_assert_neq(page_alloc(), 0, "page_alloc ran out early");
	expect_walk_null(VA, 1, true, "no memory for a page table");
	expect_vm_map(VA, 4 * MiB, PAGE_SIZE, 0, -E_NO_MEM);
	expect_unmapped(VA);
}

Test(vm, out_of_memory_midway_rolls_back)
{
	/* Leave two pages: enough for the PDPT and PD, not for a PT. */
	while (page_free_count() > 2)
		cr_assert_neq(page_alloc(), 0, "page_alloc ran out early");
	expect_vm_map(VA, 4 * MiB, LARGE_PAGE_SIZE + PAGE_SIZE, 0, -E_NO_MEM);
	expect_unmapped(VA);
	expect_unmapped(VA + LARGE_PAGE_SIZE);
}

Test(vm, split_out_of_memory)
{
	expect_vm_map(VA, 4 * MiB, LARGE_PAGE_SIZE, 0, 0);
	while (page_free_count() > 0)
		cr_assert_neq(page_alloc(), 0, "page_alloc ran out early");
	expect_vm_unmap(VA + PAGE_SIZE, PAGE_SIZE, -E_NO_MEM);
	expect_map(VA + PAGE_SIZE, 4 * MiB + PAGE_SIZE, PTE_PS);
}
