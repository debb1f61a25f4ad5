/*
 * largepage.c - large nested pages (lab 5).  In an eager domain, guest
 * frames are host-contiguous in 2 MiB runs, so a 2 MiB-aligned region is
 * mapped by one 2 MiB leaf.  Making one 4 KiB frame in it read-only
 * (HVMMEM_ram_ro) splits that leaf: 4 KiB leaves around the frame, the
 * contents intact, the other frames still writable.  Making it RAM again
 * and touching it merges the region back into a 2 MiB leaf.
 */
#include <guests/memory/memory.h>

#define LP_BASE	    (TEST_BASE + MIB(16))
#define LP_PAGES    (LARGE_PAGE / PAGE)
#define LP_RO	    (LP_BASE + 5 * PAGE)   /* the frame made read-only */
#define LP_OTHER    (LP_BASE + 300 * PAGE) /* another frame of the region */
#define LP_TAG(gpa) ((gpa) ^ 0x1a26e0000ULL)

#define MAPPED_2M_W (2 | TESTDEV_MAPPED_W)
#define MAPPED_4K_W (1 | TESTDEV_MAPPED_W)
#define MAPPED_4K_R 1

/* Pages of the region whose first word is not their tag. */
static unsigned lp_check(void)
{
	unsigned bad = 0;

	for (uint64_t i = 0; i < LP_PAGES; i++)
		bad += peek64(LP_BASE + i * PAGE) != LP_TAG(LP_BASE + i * PAGE);
	return bad;
}

static void lp_split(void)
{
	uint64_t ro, other;

	if (!report(hvm_set_mem_type(LP_RO / PAGE, 1, HVMMEM_ram_ro) == 0,
		    "largepage: set_mem_type ram_ro of one frame"))
		return;
	poke64(LP_OTHER, LP_TAG(LP_OTHER));
	/* The write is dropped; the read has the frame mapped, read-only. */
	poke64(LP_RO, 0);
	(void)peek64(LP_RO);
	ro = testdev_map_level(LP_RO);
	other = testdev_map_level(LP_OTHER);
	report(ro == MAPPED_4K_R && other == MAPPED_4K_W,
	       "largepage: a read-only frame splits the 2 MiB page (the frame "
	       "0x%lx, another 0x%lx; want 0x%x and 0x%x)",
	       ro, other, MAPPED_4K_R, MAPPED_4K_W);
	report(lp_check() == 0,
	       "largepage: the split region keeps its contents, the "
	       "read-only frame dropped its write");
	poke64(LP_OTHER + 8, 0x600d);
	report(peek64(LP_OTHER + 8) == 0x600d,
	       "largepage: the other frames stay writable");
}

void test_largepage(void)
{
	uint64_t level;

	for (uint64_t i = 0; i < LP_PAGES; i++)
		poke64(LP_BASE + i * PAGE, LP_TAG(LP_BASE + i * PAGE));
	level = testdev_map_level(LP_RO);
	if (!report(level == MAPPED_2M_W,
		    "largepage: a 2 MiB-aligned region of an eager domain is "
		    "one 2 MiB leaf (0x%lx, want 0x%x)",
		    level, MAPPED_2M_W))
		return;
	lp_split();
	report(hvm_set_mem_type(LP_RO / PAGE, 1, HVMMEM_ram_rw) == 0,
	       "largepage: set_mem_type ram_rw of the frame");
	poke64(LP_RO + 8, 0x600d);
	level = testdev_map_level(LP_RO);
	report(level == MAPPED_2M_W && peek64(LP_RO + 8) == 0x600d,
	       "largepage: RAM again and touched, the region is one 2 MiB "
	       "leaf again (0x%lx, want 0x%x)",
	       level, MAPPED_2M_W);
	report(lp_check() == 0, "largepage: the merged region kept its "
				"contents");
}
