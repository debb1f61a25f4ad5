/*
 * bench.c - the paging workload's benchmark, for make bench-paging (lab
 * 4).  bench=N runs N rounds of page-table work, three operations each: a
 * CR3 load that moves round-robin among BENCH_SPACES address spaces, a map
 * and an unmap with INVLPG, the page touched in between.  loop=L then runs
 * a loop that touches no page table.  Each is timed by the TSC; under
 * shadow paging the first costs exits, the second should not.
 */
#include <guests/paging/paging.h>

#define BENCH_SPACES 4
#define BENCH_VA     TEST_VA(64)

/* Runs the rounds on page (identity-mapped too); returns their cycles. */
static uint64_t bench_pt(uint64_t rounds, uintptr_t page)
{
	uintptr_t as[BENCH_SPACES];
	uint64_t t0, i;

	for (i = 0; i < BENCH_SPACES; i++)
		as[i] = pt_new_root();
	t0 = rdtsc();
	for (i = 0; i < rounds; i++) {
		uintptr_t root = as[i % BENCH_SPACES];

		pt_load(root);
		pt_map(root, BENCH_VA, page, PTE_W);
		*(volatile uint32_t *)BENCH_VA += 1;
		pt_unmap(root, BENCH_VA);
	}
	t0 = rdtsc() - t0;
	pt_load(as0);
	return t0;
}

void paging_bench(uint64_t rounds, uint64_t loop)
{
	uintptr_t page = pt_alloc();
	uint64_t pt = bench_pt(rounds, page), sum;
	uint64_t cycles = guest_loop(loop, &sum);

	printf("paging-bench: pt %llu ops %llu cycles\n",
	       (unsigned long long)(3 * rounds), (unsigned long long)pt);
	printf("paging-bench: loop %llu iterations %llu cycles\n",
	       (unsigned long long)loop, (unsigned long long)cycles);
	report(*(volatile uint32_t *)page == (uint32_t)rounds,
	       "paging-bench: every round wrote its page through the new "
	       "mapping");
}
