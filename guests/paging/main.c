/*
 * paging - the lab-4 paging workload: one source built as a 32-bit hvm
 * guest (32-bit paging with 4 MiB pages, then PAE with 2 MiB pages;
 * mode=32 or mode=pae for one), a 64-bit hvm guest and a te guest
 * (4-level paging).  The guest manages its own page tables (guests/lib/
 * pt.h) and checks what the CPU does with them, so the same PASS lines
 * must come out under nested paging, shadow paging and te.  bench=N
 * runs make bench-paging's rounds instead of the tests (bench.c).
 */
#include <guests/paging/paging.h>

#define POOL_PAGES 256

uintptr_t as0;
static uint8_t pool[POOL_PAGES * PT_PAGE] __attribute__((aligned(PT_PAGE)));

/* Turns paging on in mode with a new as0: CR4.PGE, CR0.WP, EFER.NXE. */
static void paging_start(enum pt_mode mode)
{
	pt_init(mode, pool, sizeof(pool));
	as0 = pt_new_root();
	if (mode != PT_32BIT)
		wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
#ifdef __x86_64__
	/* hvm: paging is on already; te: CR4.PAE and EFER.LME are set. */
	pt_write_cr4(pt_read_cr4() | CR4_PGE);
	pt_load(as0);
	pt_write_cr0(pt_read_cr0() | CR0_PG | CR0_WP);
#else
	pt_paging_on(as0, CR4_PGE);
#endif
	printf("paging: %s paging, tables at 0x%lx\n", pt_mode_name(),
	       (unsigned long)as0);
}

static void paging_tests(void)
{
	test_fork();
	test_invlpg();
	test_cow();
	test_accessed_dirty();
	test_nx();
	test_user();
	test_wp();
	test_large();
	test_global();
	test_rsvd();
	test_recursive();
	test_stack_on_table();
	test_atomic_pte();
}

/* The tests in mode, or with bench=N on the command line the benchmark. */
static void paging_run(enum pt_mode mode)
{
	char buf[24];

	paging_start(mode);
	if (cmdline_get("bench", buf, sizeof(buf)))
		paging_bench(cmdline_u64("bench", 0), cmdline_u64("loop", 0));
	else
		paging_tests();
#ifndef __x86_64__
	pt_paging_off();
#endif
}

void main(void)
{
	char mode[8];

	trap_init();
#ifdef __x86_64__
	(void)mode;
	paging_run(PT_4LEVEL);
#else
	if (!cmdline_get("mode", mode, sizeof(mode)))
		mode[0] = '\0';
	if (strcmp(mode, "pae") != 0)
		paging_run(PT_32BIT);
	if (strcmp(mode, "32") != 0)
		paging_run(PT_PAE);
#endif
}
