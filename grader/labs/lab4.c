/*
 * lab4.c - lab 4 (shadow paging): the paging workload (guests/paging)
 * under nested paging, under shadow paging in each guest paging mode
 * (4-level, PAE, 32-bit) and in the trap-and-emulate VMM; the hostile
 * page-table guests (guests/hostile-pt) under shadow paging, nested
 * paging and te, each beside a bystander; and the shadow builder's host unit tests
 * (tests/test_shadow.c).  Points: lab4.points.
 *
 * The workload prints one PASS line per check, each starting with its
 * paging mode ("pae: fork: ..."); a test asserts that every check of its
 * mode passed (by those prefixes, since some lines carry values such as
 * MAXPHYADDR), that the guest printed no FAIL and exited 0.  Boots are
 * shared by groups (hv_boot_group): six Bochs boots for this file.
 *
 * Bugs these tests catch (each applied to the reference, then make grade
 * LAB=4), bug: the tests that fail:
 *   shadow_leaf writable before the guest's D is set: paging_shadow_*,
 *     paging_te (A/D)
 *   shadow_page_written keeps the leaves a guest PTE write changed:
 *     paging_shadow_*, paging_te (clearing CR4.PGE must flush them)
 *   32-bit PDE bit 21 not reserved in the walk: paging_shadow_32
 *   more shadow pages than shadow_pages: hostile_thrash
 *   a write during event delivery emulated as the instruction at RIP, or
 *     svm_requeue_event re-injecting an INT n: paging_shadow_*
 * Not caught, because write-protected guest tables already keep the
 * shadow coherent: an INVLPG that drops nothing.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "../grader.h"

/* Where a check of the workload runs (paging_checks[].modes). */
#define M_32	 1
#define M_PAE	 2
#define M_4LEVEL 4
#define M_TE	 8 /* 4-level, in the te VMM */
#define M_HVM	 (M_32 | M_PAE | M_4LEVEL)
#define M_ALL	 (M_HVM | M_TE)

static const struct {
	const char *prefix; /* after "MODE: " */
	int modes;
} paging_checks[] = {
	{ "fork: ", M_ALL },
	{ "map, remap, unmap with INVLPG: ", M_ALL },
	{ "copy-on-write: ", M_ALL },
	{ "A/D: ", M_ALL },
	{ "NX: ", M_PAE | M_4LEVEL | M_TE },
	{ "U/S: a user read of a user page", M_ALL },
	{ "U/S: user read of a supervisor page: #PF 0x5", M_ALL },
	{ "U/S: user write to a read-only page: #PF 0x7", M_ALL },
	{ "U/S: user read of an unmapped page: #PF 0x4", M_ALL },
	{ "CR0.WP=1: ", M_ALL },
	{ "CR0.WP=0: ", M_ALL },
	{ "4 MiB page: ", M_32 },
	{ "2 MiB page: ", M_PAE | M_4LEVEL | M_TE },
	{ "global: a G page in two spaces", M_ALL },
	{ "global: clearing CR4.PGE", M_ALL },
	{ "reserved bit ", M_ALL },
	{ "recursive entry: ", M_ALL },
	{ "an interrupt frame pushed into a page table", M_ALL },
	{ "a PTE rewritten by XCHG, then LOCK CMPXCHG (and CMPXCHG8B in PAE)",
	  M_ALL },
};
#define N_CHECKS (sizeof(paging_checks) / sizeof(paging_checks[0]))

#define PAGING(name, image, extra, paging)                                     \
	{                                                                      \
		name, "name   = \"" name "\"\nkernel = \"guests/" image "\"\n" \
		      "extra  = \"" extra "\"\nmemory = 16\n" paging           \
	}
#define NESTED "paging = \"nested\"\n"
#define SHADOW "paging = \"shadow\"\n"
#define TE     "type   = \"te\"\n"

static const struct hv_cfg nested = {
	.needs_virt = 1,
	.domains = {
		PAGING("paging64", "paging64.elf", "", NESTED),
		PAGING("paging32", "paging32.elf", "", NESTED),
	},
};

static const struct hv_cfg shadow = {
	.needs_virt = 1,
	.domains = {
		PAGING("shadow64", "paging64.elf", "", SHADOW),
		PAGING("shadow-pae", "paging32.elf", "mode=pae", SHADOW),
		PAGING("shadow-32", "paging32.elf", "mode=32", SHADOW),
	},
};

static const struct hv_cfg te = {
	.domains = { PAGING("te-paging", "te-paging.elf", "", TE) },
};

#define HOSTILE(prefix, image, attack, paging)                                \
	{                                                                     \
		prefix attack, "name   = \"" prefix attack "\"\n"             \
			       "kernel = \"guests/" image "\"\nmemory = 16\n" \
			       "extra  = \"attack=" attack "\"\n" paging      \
	}
/* Shadow pages the thrash domain may use: fewer than its roots need. */
#define THRASH_LIMIT "64"
#define THRASH_PAGES "shadow_pages = " THRASH_LIMIT "\n"
#define BYSTANDER                                                \
	{                                                        \
		"bystander", "name   = \"bystander\"\nkernel = " \
			     "\"guests/hello.elf\"\n"            \
			     "memory = 16\n"                     \
	}

/* Every attack of guests/hostile-pt; thrash adds to the thrash domain. */
#define HOSTILE_ATTACKS(prefix, image, paging, thrash)           \
	HOSTILE(prefix, image, "cr3-ram", paging),               \
		HOSTILE(prefix, image, "cr3-mmio", paging),      \
		HOSTILE(prefix, image, "loop", paging),          \
		HOSTILE(prefix, image, "thrash", paging thrash), \
		HOSTILE(prefix, image, "rewrite", paging),       \
		HOSTILE(prefix, image, "alias", paging)

/*
 * Bochs makes some 10000 exits a second and runs its clock fast: the
 * thrash and rewrite guests, tens of thousands of exits each, get a long
 * domain timeout and the grader a long progress limit.
 */
#define HOSTILE_TIMEOUTS \
	.cmdline = "timeout=3000", .progress_timeout = 240, .timeout = 900

static const struct hv_cfg hostile = {
	.needs_virt = 1,
	HOSTILE_TIMEOUTS,
	.domains = {
		HOSTILE_ATTACKS("hostile-", "hostile-pt.elf", SHADOW,
				THRASH_PAGES),
		BYSTANDER,
	},
};

static const struct hv_cfg hostile_nested = {
	.needs_virt = 1,
	HOSTILE_TIMEOUTS,
	.domains = {
		HOSTILE_ATTACKS("nested-", "hostile-pt.elf", NESTED, ""),
		BYSTANDER,
	},
};

static const struct hv_cfg hostile_te = {
	HOSTILE_TIMEOUTS,
	.domains = {
		HOSTILE_ATTACKS("te-", "te-hostile-pt.elf", TE, THRASH_PAGES),
		{ "bystander", "name   = \"bystander\"\ntype   = \"te\"\n"
			       "kernel = \"guests/te-hello.elf\"\nmemory = 16\n" },
	},
};

/* The hostile boots: group, config, domain prefix, a bystander PASS. */
static const struct {
	const char *group;
	const struct hv_cfg *cfg;
	const char *prefix, *bystander;
	bool shadow;
} hostile_runs[] = {
	{ "hostile", &hostile, "hostile-", "protected mode: CR0.PE set", 1 },
	{ "hostile_nested", &hostile_nested, "nested-",
	  "protected mode: CR0.PE set", 0 },
	{ "hostile_te", &hostile_te, "te-", "running at CPL 3", 1 },
};
#define N_HOSTILE_RUNS (sizeof(hostile_runs) / sizeof(hostile_runs[0]))

/* The workload in domain name passed every check of mode. */
static void expect_paging(struct hv_run *r, const char *name, const char *mode,
			  int where)
{
	char buf[N_CHECKS][128];
	const char *passes[N_CHECKS + 1];
	size_t k = 0;

	for (size_t i = 0; i < N_CHECKS; i++)
		if (paging_checks[i].modes & where) {
			snprintf(buf[k], sizeof(buf[k]), "%s: %s", mode,
				 paging_checks[i].prefix);
			passes[k] = buf[k];
			k++;
		}
	passes[k] = NULL;
	expect_guest_passed(r, name, passes);
}

Test(lab4, paging_nested, .timeout = 900)
{
	struct hv_run *r = hv_boot_group("nested", &nested);

	expect_paging(r, "paging64", "4-level", M_4LEVEL);
	expect_paging(r, "paging32", "32-bit", M_32);
	expect_paging(r, "paging32", "pae", M_PAE);
}

Test(lab4, paging_shadow_long, .timeout = 900)
{
	expect_paging(hv_boot_group("shadow", &shadow), "shadow64", "4-level",
		      M_4LEVEL);
}

Test(lab4, paging_shadow_pae, .timeout = 900)
{
	expect_paging(hv_boot_group("shadow", &shadow), "shadow-pae", "pae",
		      M_PAE);
}

Test(lab4, paging_shadow_32, .timeout = 900)
{
	expect_paging(hv_boot_group("shadow", &shadow), "shadow-32", "32-bit",
		      M_32);
}

Test(lab4, paging_te, .timeout = 900)
{
	expect_paging(hv_boot_group("te", &te), "te-paging", "4-level", M_TE);
}

/* The bystander finished, and the hypervisor printed its final status. */
static void expect_bystander(struct hv_run *r, const char *pass)
{
	const char *const passes[] = { pass, NULL };

	expect_guest_passed(r, "bystander", passes);
	expect_exit(r, 1);
}

/* "domain NAME: crashed (...)" was printed. */
static void expect_crash(struct hv_run *r, const char *name)
{
	char prefix[128];

	snprintf(prefix, sizeof(prefix), "domain %s: crashed (", name);
	cr_expect(hv_find_result_with(r, prefix, "") != NULL,
		  "[wrong result] expected result line \"%s...)\"\n  %s",
		  prefix, hv_diagnose(r));
}

/* Attack name passed in every hostile boot, beside a bystander. */
static void expect_survivor(const char *attack, const char *const passes[])
{
	char name[64];

	for (size_t i = 0; i < N_HOSTILE_RUNS; i++) {
		struct hv_run *r = hv_boot_group(hostile_runs[i].group,
						 hostile_runs[i].cfg);

		snprintf(name, sizeof(name), "%s%s", hostile_runs[i].prefix,
			 attack);
		expect_guest_passed(r, name, passes);
		expect_bystander(r, hostile_runs[i].bystander);
	}
}

Test(lab4, hostile_cr3, .timeout = 1800)
{
	char name[64];

	for (size_t i = 0; i < N_HOSTILE_RUNS; i++) {
		struct hv_run *r = hv_boot_group(hostile_runs[i].group,
						 hostile_runs[i].cfg);

		snprintf(name, sizeof(name), "%scr3-ram",
			 hostile_runs[i].prefix);
		expect_crash(r, name);
		snprintf(name, sizeof(name), "%scr3-mmio",
			 hostile_runs[i].prefix);
		expect_crash(r, name);
		expect_bystander(r, hostile_runs[i].bystander);
	}
}

Test(lab4, hostile_loop, .timeout = 1800)
{
	static const char *const passes[] = {
		"loop: a PD pointing at itself 512 times reads as itself at 64 "
		"addresses (0 wrong)",
		"loop: a PML4 entry pointing at the PML4 maps it", NULL
	};

	expect_survivor("loop", passes);
}

/* The summary line of a shadowed thrash domain gives a peak in the limit. */
static void expect_thrash_peak(struct hv_run *r, const char *name)
{
	char want[96];
	const struct hv_line *l;
	const char *peak;
	unsigned pages = 0;

	snprintf(want, sizeof(want), "summary: %s exited ", name);
	l = hv_find_output(r, want);
	peak = l ? strstr(l->text, ", peak ") : NULL;
	cr_expect(peak && sscanf(peak, ", peak %u pages", &pages) == 1 &&
			  pages <= (unsigned)atoi(THRASH_LIMIT),
		  "[wrong result] %s: want shadow pages at most %s, got "
		  "\"%s\"\n    log: %s",
		  name, THRASH_LIMIT, l ? l->text : "no summary line", r->log);
}

Test(lab4, hostile_thrash, .timeout = 1800)
{
	static const char *const passes[] = {
		"thrash: 2048 address spaces, each loaded twice, see their own "
		"page (0 wrong)",
		NULL
	};
	char name[64];

	expect_survivor("thrash", passes);
	for (size_t i = 0; i < N_HOSTILE_RUNS; i++) {
		if (!hostile_runs[i].shadow)
			continue;
		snprintf(name, sizeof(name), "%sthrash",
			 hostile_runs[i].prefix);
		expect_thrash_peak(hv_boot_group(hostile_runs[i].group,
						 hostile_runs[i].cfg),
				   name);
	}
}

Test(lab4, hostile_rewrite, .timeout = 1800)
{
	static const char *const passes[] = {
		"rewrite: a PTE rewritten 20000 times (0 wrong reads)", NULL
	};

	expect_survivor("rewrite", passes);
}

Test(lab4, hostile_alias, .timeout = 1800)
{
	static const char *const passes[] = {
		"alias: 64 PTEs written through a second mapping of their page "
		"table (0 wrong reads)",
		NULL
	};

	expect_survivor("alias", passes);
}

Test(lab4, shadow_unit, .timeout = 300)
{
	expect_host_test("test_shadow", "shadow");
}
