/*
 * vm_boot.c - the kernel's own page tables (lab 1): vm_init replaces the
 * loader's tables with kern_pml4, which maps the kernel image with per-part
 * permissions, all RAM in the direct map, and the UEFI runtime regions at
 * their physical addresses; check_vm tests vm.c on the live tables.
 */
#include <inc/boot_info.h>
#include <inc/x86.h>
#include <kernel/kernel.h>
#include <kernel/mm/page.h>
#include <kernel/mm/vm.h>

extern char __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern char __data_start[], _end[];

/* Where check_vm maps its test pages: just past the kernel image's slot. */
#define CHECK_VM_VA (KERNBASE + KERN_MAX_SIZE)
/* A lower-half address no table covers: only the runtime map is below 4 GiB. */
#define CHECK_VM_EMPTY_VA 0x00007f0000000000ULL

hpa_t kpa(const void *va)
{
	uint64_t v = (uintptr_t)va, perm;
	hpa_t pa;

	if (v >= DIRECTMAP_BASE && v < DIRECTMAP_BASE + DIRECTMAP_MAX)
		return v - DIRECTMAP_BASE;
	/* Before vm_init, the loader's tables map the image. */
	if (v >= KERNBASE &&
	    vm_lookup(kern_pml4 ? kern_pml4 : read_cr3() & PTE_ADDR_MASK, v,
		      &pa, &perm) == 0)
		return pa;
	panic("kpa: %p is not a mapped kernel address", va);
}

static uint64_t vm_image_perm(uint64_t va)
{
	if (va < (uint64_t)__text_end)
		return 0;
	if (va < (uint64_t)__rodata_end)
		return PTE_NX;
	return PTE_W | PTE_NX;
}

/* Maps hv.elf page by page where the loader put it, by its own tables. */
static void vm_map_image(hpa_t loader_pml4)
{
	uint64_t perm;
	hpa_t pa;

	for (uint64_t va = (uint64_t)__text_start; va < (uint64_t)_end;
	     va += PAGE_SIZE) {
		if (vm_lookup(loader_pml4, va, &pa, &perm) < 0)
			panic("vm_map_image: kernel page %p not mapped by the "
			      "loader",
			      (void *)va);
		int r = vm_map(kern_pml4, va, pa, PAGE_SIZE, vm_image_perm(va));
		if (r < 0)
			panic("vm_map_image: mapping kernel page %p: %s",
			      (void *)va, error_name(r));
	}
}

/*
 * Maps every 2 MiB block that holds RAM with one large page, as the loader
 * does; the firmware's MTRRs keep any device memory in a block uncached.
 */
static void vm_map_direct(const struct boot_info *bi)
{
	uint64_t perm;
	hpa_t pa;

	for (uint32_t i = 0; i < bi->nregions; i++) {
		const struct boot_mem_region *r = &bi->regions[i];
		hpa_t end = MIN(r->base + (r->npages << PAGE_SHIFT),
				(hpa_t)DIRECTMAP_MAX);
		if (!boot_mem_is_ram(r->type))
			continue;
		for (hpa_t b = ROUNDDOWN(r->base, LARGE_PAGE_SIZE); b < end;
		     b += LARGE_PAGE_SIZE) {
			uint64_t va = DIRECTMAP_BASE + b;
			if (vm_lookup(kern_pml4, va, &pa, &perm) == 0)
				continue;
			int r2 = vm_map(kern_pml4, va, b, LARGE_PAGE_SIZE,
					PTE_W | PTE_NX);
			if (r2 < 0)
				panic("vm_map_direct: direct map of 0x%llx: %s",
				      (unsigned long long)b, error_name(r2));
		}
	}
}

/* UEFI runtime code runs at its physical address (no virtual map set). */
static void vm_map_runtime(const struct boot_info *bi)
{
	for (uint32_t i = 0; i < bi->nregions; i++) {
		const struct boot_mem_region *r = &bi->regions[i];
		if (r->type != BOOT_MEM_RUNTIME_CODE &&
		    r->type != BOOT_MEM_RUNTIME_DATA)
			continue;
		int err = vm_map(kern_pml4, r->base, r->base,
				 r->npages << PAGE_SHIFT, PTE_W);
		if (err < 0)
			cprintf("hvlab: vm_init: cannot identity-map runtime "
				"region 0x%llx (%s); ResetSystem may fail\n",
				(unsigned long long)r->base, error_name(err));
	}
}

void vm_init(const struct boot_info *bi)
{
	hpa_t loader_pml4 = read_cr3() & PTE_ADDR_MASK;

	kern_pml4 = page_alloc();
	if (!kern_pml4)
		panic("vm_init: no memory for the PML4");
	vm_map_image(loader_pml4);
	vm_map_direct(bi);
	vm_map_runtime(bi);
	/*
	 * NX bits are reserved (a #PF) unless EFER.NXE is on; WP makes
	 * read-only pages read-only for the kernel too.
	 */
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	write_cr0(read_cr0() | CR0_WP);
	vm_switch(kern_pml4);
}

/*
 * Panics unless every intermediate entry above va's leaf at level is
 * P|W|U with NX and PS clear: the leaf alone decides the permissions.
 */
static void check_vm_table_perms(uint64_t va, int level)
{
	const uint64_t want = PTE_P | PTE_W | PTE_U;

	for (int l = 4; l > level; l--) {
		pte_t *e = vm_walk(kern_pml4, va, l, false);
		if (!e || (*e & (want | PTE_NX | PTE_PS)) != want)
			panic("check_vm: vm_walk: level-%d entry above va %p "
			      "is 0x%llx, want flags P|W|U",
			      l, (void *)va, e ? (unsigned long long)*e : 0);
	}
}

/* vm_walk without create on a va no table covers: NULL, no allocation. */
static void check_vm_walk_empty(void)
{
	size_t nfree = page_free_count();

	for (int l = 1; l <= 3; l++)
		if (vm_walk(kern_pml4, CHECK_VM_EMPTY_VA, l, false) != NULL)
			panic("check_vm: vm_walk(level %d, create false) of "
			      "unmapped va %p did not return NULL",
			      l, (void *)CHECK_VM_EMPTY_VA);
	if (page_free_count() != nfree)
		panic("check_vm: vm_walk with create false allocated pages");
}

static void check_vm_4k(uint64_t va)
{
	volatile uint64_t *p = (volatile uint64_t *)va;
	hpa_t pa = page_alloc(), pa2 = page_alloc(), got;
	uint64_t perm;

	assert(pa && pa2);
	assert(vm_lookup(kern_pml4, va, &got, &perm) == -E_NOT_FOUND);
	assert(vm_map(kern_pml4, va + 8, pa, PAGE_SIZE, PTE_W) == -E_INVAL);
	assert(vm_map(kern_pml4, va, pa + 8, PAGE_SIZE, PTE_W) == -E_INVAL);
	assert(vm_map(kern_pml4, va, pa, 100, PTE_W) == -E_INVAL);
	assert(vm_map(kern_pml4, va, pa, 0, PTE_W) == -E_INVAL);
	/* va + size wraps past the top of the address space. */
	assert(vm_map(kern_pml4, -(uint64_t)PAGE_SIZE, pa, 2 * PAGE_SIZE,
		      PTE_W) == -E_INVAL);
	assert(vm_lookup(kern_pml4, 0, &got, &perm) == -E_NOT_FOUND);
	assert(vm_map(kern_pml4, va, pa, PAGE_SIZE, PTE_W | PTE_NX) == 0);
	assert(vm_lookup(kern_pml4, va + 0x123, &got, &perm) == 0);
	assert(got == pa + 0x123 && (perm & PTE_W) && (perm & PTE_NX));
	assert(!(perm & PTE_PS) && !(perm & PTE_U));
	check_vm_table_perms(va, 1);
	assert(vm_map(kern_pml4, va, pa2, PAGE_SIZE, PTE_W) == -E_EXISTS);
	/* A range that only partly overlaps is refused as a whole. */
	assert(vm_map(kern_pml4, va - PAGE_SIZE, pa2, 2 * PAGE_SIZE, PTE_W) ==
	       -E_EXISTS);
	assert(vm_lookup(kern_pml4, va - PAGE_SIZE, &got, &perm) ==
	       -E_NOT_FOUND);
	p[1] = 0x5eed1234abcdULL;
	assert(((uint64_t *)kva(pa))[1] == 0x5eed1234abcdULL);
	((uint64_t *)kva(pa))[2] = 42;
	assert(p[2] == 42);
	assert(vm_unmap(kern_pml4, va, PAGE_SIZE) == 0);
	assert(vm_lookup(kern_pml4, va, &got, &perm) == -E_NOT_FOUND);
	assert(vm_map(kern_pml4, va, pa, PAGE_SIZE, PTE_NX) == 0);
	assert(vm_lookup(kern_pml4, va, &got, &perm) == 0 && !(perm & PTE_W));
	assert(p[1] == 0x5eed1234abcdULL);
	assert(vm_unmap(kern_pml4, va, PAGE_SIZE) == 0);
	page_free(pa);
	page_free(pa2);
}

static void check_vm_2m(uint64_t va)
{
	volatile uint64_t *p = (volatile uint64_t *)va;
	hpa_t pa = page_alloc_contig(512, 512), got;
	uint64_t perm;

	assert(pa != 0);
	/* va's 2 MiB block still has check_vm_4k's (now empty) page table. */
	assert(vm_map(kern_pml4, va, pa, LARGE_PAGE_SIZE, PTE_W | PTE_NX) == 0);
	assert(vm_lookup(kern_pml4, va + 0x12345, &got, &perm) == 0);
	assert(got == pa + 0x12345 && (perm & PTE_PS) && (perm & PTE_W));
	assert(vm_walk(kern_pml4, va, 1, false) == NULL);
	/* Creating must not replace the large page by a table either. */
	assert(vm_walk(kern_pml4, va, 1, true) == NULL);
	assert(vm_walk(kern_pml4, va, 2, false) != NULL);
	check_vm_table_perms(va, 2);
	p[0x3000 / 8] = 0xfeedULL;
	assert(*(uint64_t *)kva(pa + 0x3000) == 0xfeedULL);
	assert(vm_unmap(kern_pml4, va + PAGE_SIZE, PAGE_SIZE) == 0);
	assert(vm_lookup(kern_pml4, va + PAGE_SIZE, &got, &perm) ==
	       -E_NOT_FOUND);
	assert(vm_lookup(kern_pml4, va, &got, &perm) == 0 && got == pa);
	assert(vm_lookup(kern_pml4, va + 0x3000, &got, &perm) == 0);
	assert(got == pa + 0x3000 && !(perm & PTE_PS));
	assert((perm & PTE_W) && (perm & PTE_NX));
	assert(p[0x3000 / 8] == 0xfeedULL);
	assert(vm_unmap(kern_pml4, va, LARGE_PAGE_SIZE) == 0);
	assert(vm_lookup(kern_pml4, va + 0x3000, &got, &perm) == -E_NOT_FOUND);
	page_free_contig(pa, 512);
}

/* The permissions vm_init gave the kernel's own mappings. */
static void check_vm_kernel(void)
{
	uint64_t perm;
	hpa_t pa, page = page_alloc();

	assert(vm_lookup(kern_pml4, (uint64_t)__text_start, &pa, &perm) == 0);
	assert(!(perm & PTE_W) && !(perm & PTE_NX));
	assert(vm_lookup(kern_pml4, (uint64_t)__rodata_start, &pa, &perm) == 0);
	assert(!(perm & PTE_W) && (perm & PTE_NX));
	assert(vm_lookup(kern_pml4, (uint64_t)&kern_pml4, &pa, &perm) == 0);
	assert((perm & PTE_W) && (perm & PTE_NX) && kpa(&kern_pml4) == pa);
	assert(page != 0 && kpa(kva(page)) == page);
	assert(vm_lookup(kern_pml4, (uint64_t)kva(page), &pa, &perm) == 0);
	assert(pa == page && (perm & PTE_W) && (perm & PTE_NX));
	page_free(page);
}

/* Prints the result line only after every check passed. */
void check_vm(void)
{
	size_t nfree = page_free_count();

	check_vm_kernel();
	check_vm_walk_empty();
	check_vm_4k(CHECK_VM_VA + LARGE_PAGE_SIZE - 2 * PAGE_SIZE);
	check_vm_2m(CHECK_VM_VA);
	/* Only the page tables created for the test pages stay allocated. */
	assert(page_free_count() + 4 >= nfree);
	result_printf("check_vm() succeeded!\n");
}
