/*
 * demand.c - populate on demand (lab 5).  In a domain with populate =
 * "demand" (the configs give 512 MiB), host pages back only the frames
 * the guest touched: the test writes one page in every SPARSE_STRIDE of
 * [TEST_BASE, WHOLE_BASE) and WHOLE_REGIONS whole 2 MiB regions above,
 * about a tenth of the domain, and checks that TESTDEV_HOST_PAGES grew by
 * exactly that many pages, give or take SLACK_PAGES; that untouched
 * memory reads as zeros; and, with populate = "eager", that the whole
 * domain is backed from the start.
 */
#include <guests/memory/memory.h>

#define SPARSE_STRIDE 10
#define WHOLE_BASE    MIB(448)
#define WHOLE_REGIONS 4
#define DEMAND_MIN    (WHOLE_BASE + WHOLE_REGIONS * LARGE_PAGE)
#define READ_PAGES    256
/* Host pages the measured loops may populate besides the ones they
 * touch: their own stack frame and variables, the first time they run. */
#define SLACK_PAGES 4
/* Host pages before the test: the image (some 20 pages with its bss and
 * stack), the loader's Multiboot data and command line. */
#define START_MAX 64
#define TAG(gpa)  ((gpa) ^ 0x5a5a0000d00dULL)

/* Page k of stride i (one page of every SPARSE_STRIDE; k == 0 is touched). */
static uint64_t sparse_page(uint64_t i, uint64_t k)
{
	return TEST_BASE + (i * SPARSE_STRIDE + k) * PAGE;
}

#define SPARSE_N ((WHOLE_BASE - TEST_BASE) / PAGE / SPARSE_STRIDE)
#define WHOLE_N	 (WHOLE_REGIONS * LARGE_PAGE / PAGE)

/* Writes each touched page's tag; returns how many pages it touched. */
static uint64_t touch_pattern(void)
{
	uint64_t i;

	for (i = 0; i < SPARSE_N; i++)
		poke64(sparse_page(i, 0), TAG(sparse_page(i, 0)));
	for (i = 0; i < WHOLE_N; i++)
		poke64(WHOLE_BASE + i * PAGE, TAG(WHOLE_BASE + i * PAGE));
	return SPARSE_N + WHOLE_N;
}

/* Touched pages that do not read back their tag. */
static uint64_t check_pattern(void)
{
	uint64_t i, bad = 0;

	for (i = 0; i < SPARSE_N; i++)
		bad += peek64(sparse_page(i, 0)) != TAG(sparse_page(i, 0));
	for (i = 0; i < WHOLE_N; i++)
		bad += peek64(WHOLE_BASE + i * PAGE) !=
		       TAG(WHOLE_BASE + i * PAGE);
	return bad;
}

/* Untouched pages (the middle one of READ_PAGES strides) with a nonzero
 * word among eight spread over the page. */
static uint64_t read_untouched(void)
{
	uint64_t bad = 0;

	for (uint64_t i = 0; i < READ_PAGES; i++)
		for (uint64_t w = 0; w < PAGE; w += PAGE / 8)
			bad += peek64(sparse_page(i * 37 % SPARSE_N,
						  SPARSE_STRIDE / 2) +
				      w) != 0;
	return bad;
}

void test_demand(void)
{
	uint64_t mem = guest_memory(), h0, h1, h2, n, bad;

	if (!report(mem >= DEMAND_MIN, "demand: %lu MiB of RAM (at least %lu)",
		    mem / MIB(1), DEMAND_MIN / MIB(1)))
		return;
	h0 = testdev_get(TESTDEV_HOST_PAGES);
	report(h0 <= START_MAX,
	       "demand: host pages at the start: %lu (at most %d)", h0,
	       START_MAX);
	n = touch_pattern();
	h1 = testdev_get(TESTDEV_HOST_PAGES);
	report(h1 >= h0 + n && h1 <= h0 + n + SLACK_PAGES,
	       "demand: touching %lu pages (%lu scattered, %d whole 2 MiB "
	       "regions) added %lu host pages (want %lu to %lu)",
	       n, SPARSE_N, WHOLE_REGIONS, h1 - h0, n, n + SLACK_PAGES);
	bad = check_pattern();
	report(bad == 0, "demand: every touched page reads back (%lu wrong)",
	       bad);
	bad = read_untouched();
	h2 = testdev_get(TESTDEV_HOST_PAGES);
	report(bad == 0 && h2 <= h1 + READ_PAGES + SLACK_PAGES,
	       "demand: %d untouched pages read as zeros (%lu nonzero words), "
	       "adding at most one host page each (%lu)",
	       READ_PAGES, bad, h2 - h1);
	printf("demand: host pages %lu of %lu (%lu%%)\n", h2, mem / PAGE,
	       h2 * 100 / (mem / PAGE));
}

void test_eager(void)
{
	uint64_t mem = guest_memory(), h = testdev_get(TESTDEV_HOST_PAGES);

	report(mem != 0 && h == mem / PAGE,
	       "eager: host pages %lu for a domain of %lu pages", h,
	       mem / PAGE);
}

/*
 * Touches every page above TEST_BASE, reporting each 64 MiB: a domain
 * bigger than the host's free memory must be crashed on the way, so the
 * result line comes only if the host had room for it all.
 */
void test_hog(void)
{
	uint64_t mem = guest_memory();

	for (uint64_t gpa = TEST_BASE; gpa < mem; gpa += PAGE) {
		poke64(gpa, gpa);
		if ((gpa + PAGE) % MIB(64) == 0)
			printf("hog: %lu MiB touched\n", (gpa + PAGE) / MIB(1));
	}
	printf("hog: all %lu MiB touched: the host had room\n", mem / MIB(1));
}
