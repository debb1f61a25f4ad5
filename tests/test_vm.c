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
	host_mem_init();
	bi = host_bi_new();
	host_bi_add(bi, 1 * MiB, 31 * MiB, BOOT_MEM_CONVENTIONAL);
	page_init(bi);
	pml4 = page_alloc();
	cr_assert_neq(pml4, 0);
}

static void teardown(void)
{
	free(bi);
}

TestSuite(vm, .init = setup, .fini = teardown);

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
	cr_assert_eq(vm_map(pml4, VA, pa, PAGE_SIZE, PTE_W | PTE_NX), 0);
	expect_map(VA, pa, PTE_W | PTE_NX);
	expect_map(VA + 0xabc, pa + 0xabc, PTE_W | PTE_NX);
	expect_unmapped(VA + PAGE_SIZE);
	expect_unmapped(VA - PAGE_SIZE);
	pte_t *pte = vm_walk(pml4, VA, 1, false);
	cr_assert_not_null(pte);
	cr_assert_eq(*pte, pa | PTE_P | PTE_W | PTE_NX);
	/* The intermediate tables were built in simulated memory. */
	pte_t *pml4e = vm_walk(pml4, VA, 4, false);
	cr_assert(*pml4e & PTE_P);
	cr_assert_lt(PTE_ADDR(*pml4e), HOST_MEM_SIZE);
}

Test(vm, permissions_kept)
{
	uint64_t perms[] = {
		0, PTE_W, PTE_U, PTE_NX, PTE_W | PTE_U | PTE_NX, PTE_PCD | PTE_W
	};

	for (size_t i = 0; i < ARRAY_SIZE(perms); i++) {
		uint64_t va = VA + i * PAGE_SIZE;
		cr_assert_eq(vm_map(pml4, va, 0x200000 + i * PAGE_SIZE,
				    PAGE_SIZE, perms[i]),
			     0);
		expect_map(va, 0x200000 + i * PAGE_SIZE, perms[i]);
	}
}

Test(vm, map_2m_uses_large_page)
{
	cr_assert_eq(vm_map(pml4, VA, 4 * MiB, LARGE_PAGE_SIZE, PTE_W), 0);
	expect_map(VA, 4 * MiB, PTE_W | PTE_PS);
	expect_map(VA + 0x12345, 4 * MiB + 0x12345, PTE_W | PTE_PS);
	expect_unmapped(VA + LARGE_PAGE_SIZE);
	cr_assert_null(vm_walk(pml4, VA, 1, false));
	cr_assert_null(vm_walk(pml4, VA, 1, true));
	pte_t *pde = vm_walk(pml4, VA, 2, false);
	cr_assert_not_null(pde);
	cr_assert_eq(*pde, 4 * MiB | PTE_P | PTE_W | PTE_PS);
}

Test(vm, misaligned_pa_uses_small_pages)
{
	cr_assert_eq(vm_map(pml4, VA, 4 * MiB + PAGE_SIZE, LARGE_PAGE_SIZE, 0),
		     0);
	expect_map(VA, 4 * MiB + PAGE_SIZE, 0);
	expect_map(VA + LARGE_PAGE_SIZE - PAGE_SIZE, 6 * MiB, 0);
}

Test(vm, mixed_range)
{
	uint64_t va = VA - 2 * PAGE_SIZE,
		 size = LARGE_PAGE_SIZE + 4 * PAGE_SIZE;
	hpa_t pa = 4 * MiB - 2 * PAGE_SIZE;

	cr_assert_eq(vm_map(pml4, va, pa, size, PTE_W), 0);
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
	cr_assert_eq(vm_map(pml4, VA, 4 * MiB, PAGE_SIZE, PTE_W), 0);
	cr_assert_eq(vm_map(pml4, VA, 8 * MiB, PAGE_SIZE, PTE_W), -E_EXISTS);
	/* Partial overlap: nothing of the new range gets mapped. */
	cr_assert_eq(vm_map(pml4, VA - 3 * PAGE_SIZE, 8 * MiB, 4 * PAGE_SIZE,
			    PTE_W),
		     -E_EXISTS);
	expect_unmapped(VA - 3 * PAGE_SIZE);
	expect_map(VA, 4 * MiB, PTE_W);
	/* A large page over an existing small one. */
	cr_assert_eq(vm_map(pml4, VA, 8 * MiB, LARGE_PAGE_SIZE, 0), -E_EXISTS);
	cr_assert_eq(vm_map(pml4, VA + LARGE_PAGE_SIZE, 8 * MiB,
			    LARGE_PAGE_SIZE, 0),
		     0);
	cr_assert_eq(vm_map(pml4, VA + LARGE_PAGE_SIZE + 5 * PAGE_SIZE,
			    0x100000, PAGE_SIZE, 0),
		     -E_EXISTS);
}

Test(vm, bad_arguments)
{
	cr_assert_eq(vm_map(pml4, VA + 1, 4 * MiB, PAGE_SIZE, 0), -E_INVAL);
	cr_assert_eq(vm_map(pml4, VA, 4 * MiB + 8, PAGE_SIZE, 0), -E_INVAL);
	cr_assert_eq(vm_map(pml4, VA, 4 * MiB, 100, 0), -E_INVAL);
	cr_assert_eq(vm_map(pml4, VA, 4 * MiB, 0, 0), -E_INVAL);
	cr_assert_eq(vm_map(pml4, VA, 4 * MiB, PAGE_SIZE, 0x5000), -E_INVAL);
	cr_assert_eq(vm_map(pml4, VA, 4 * MiB, PAGE_SIZE, PTE_PS), -E_INVAL);
	cr_assert_eq(vm_map(pml4, 0xfffffffffffff000ULL, 4 * MiB, 2 * PAGE_SIZE,
			    0),
		     -E_INVAL);
	cr_assert_eq(vm_unmap(pml4, VA + 8, PAGE_SIZE), -E_INVAL);
	expect_unmapped(VA);
}

Test(vm, unmap_4k)
{
	cr_assert_eq(vm_map(pml4, VA, 4 * MiB, 3 * PAGE_SIZE, PTE_W), 0);
	cr_assert_eq(vm_unmap(pml4, VA + PAGE_SIZE, PAGE_SIZE), 0);
	expect_map(VA, 4 * MiB, PTE_W);
	expect_unmapped(VA + PAGE_SIZE);
	expect_map(VA + 2 * PAGE_SIZE, 4 * MiB + 2 * PAGE_SIZE, PTE_W);
	/* Unmapping what is not mapped is fine; so is mapping it again. */
	cr_assert_eq(vm_unmap(pml4, VA - 16 * MiB, 32 * MiB), 0);
	expect_unmapped(VA);
	cr_assert_eq(vm_map(pml4, VA, 4 * MiB, 3 * PAGE_SIZE, PTE_W), 0);
}

Test(vm, unmap_splits_large_page)
{
	size_t nfree;

	cr_assert_eq(vm_map(pml4, VA, 4 * MiB, LARGE_PAGE_SIZE, PTE_W | PTE_NX),
		     0);
	nfree = page_free_count();
	cr_assert_eq(vm_unmap(pml4, VA + 5 * PAGE_SIZE, 2 * PAGE_SIZE), 0);
	cr_assert_eq(page_free_count(), nfree - 1, "one new page table");
	for (int i = 0; i < 512; i++) {
		uint64_t va = VA + i * PAGE_SIZE;
		if (i == 5 || i == 6)
			expect_unmapped(va);
		else
			expect_map(va, 4 * MiB + i * PAGE_SIZE, PTE_W | PTE_NX);
	}
	cr_assert_not_null(vm_walk(pml4, VA, 1, false));
	/* The whole block goes; a large page fits there again. */
	cr_assert_eq(vm_unmap(pml4, VA, LARGE_PAGE_SIZE), 0);
	expect_unmapped(VA + 100 * PAGE_SIZE);
	cr_assert_eq(vm_map(pml4, VA, 6 * MiB, LARGE_PAGE_SIZE, 0), 0);
	expect_map(VA + PAGE_SIZE, 6 * MiB + PAGE_SIZE, PTE_PS);
}

Test(vm, unmap_tail_of_large_page)
{
	cr_assert_eq(vm_map(pml4, VA, 4 * MiB, 2 * LARGE_PAGE_SIZE, PTE_W), 0);
	cr_assert_eq(vm_unmap(pml4, VA + LARGE_PAGE_SIZE - PAGE_SIZE,
			      2 * PAGE_SIZE),
		     0);
	expect_map(VA, 4 * MiB, PTE_W);
	expect_unmapped(VA + LARGE_PAGE_SIZE - PAGE_SIZE);
	expect_unmapped(VA + LARGE_PAGE_SIZE);
	expect_map(VA + LARGE_PAGE_SIZE + PAGE_SIZE, 6 * MiB + PAGE_SIZE,
		   PTE_W);
}

Test(vm, walk_without_create)
{
	cr_assert_null(vm_walk(pml4, VA, 1, false));
	cr_assert_null(vm_walk(pml4, VA, 3, false));
	cr_assert_not_null(vm_walk(pml4, VA, 4, false));
	pte_t *pte = vm_walk(pml4, VA, 1, true);
	cr_assert_not_null(pte);
	cr_assert_eq(*pte, 0);
	cr_assert_eq(vm_walk(pml4, VA, 1, false), pte);
}

Test(vm, out_of_memory)
{
	size_t n = page_free_count();

	while (n--)
		cr_assert_neq(page_alloc(), 0);
	cr_assert_null(vm_walk(pml4, VA, 1, true));
	cr_assert_eq(vm_map(pml4, VA, 4 * MiB, PAGE_SIZE, 0), -E_NO_MEM);
	expect_unmapped(VA);
}

Test(vm, out_of_memory_midway_rolls_back)
{
	/* Leave two pages: enough for the PDPT and PD, not for a PT. */
	while (page_free_count() > 2)
		cr_assert_neq(page_alloc(), 0);
	cr_assert_eq(vm_map(pml4, VA, 4 * MiB, LARGE_PAGE_SIZE + PAGE_SIZE, 0),
		     -E_NO_MEM);
	expect_unmapped(VA);
	expect_unmapped(VA + LARGE_PAGE_SIZE);
}

Test(vm, split_out_of_memory)
{
	cr_assert_eq(vm_map(pml4, VA, 4 * MiB, LARGE_PAGE_SIZE, 0), 0);
	while (page_free_count() > 0)
		cr_assert_neq(page_alloc(), 0);
	cr_assert_eq(vm_unmap(pml4, VA + PAGE_SIZE, PAGE_SIZE), -E_NO_MEM);
	expect_map(VA + PAGE_SIZE, 4 * MiB + PAGE_SIZE, PTE_PS);
}
