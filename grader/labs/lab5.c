/*
 * lab5.c - lab 5 (nested paging as the memory manager): the memory guest
 * (guests/memory) populating a 512 MiB domain on demand beside an eager
 * twin, writing to read-only RAM, and splitting and merging a 2 MiB
 * page; the MMIO guest (guests/mmio) and its attacks; live migration
 * beside an unmigrated twin, racing writes, and save/restore
 * (guests/migrate); a domain touching more memory than the host has
 * beside a bystander; and the host unit tests of the typed p2m and of the
 * nested tables (tests/test_p2m.c, tests/test_nested.c).  Points:
 * lab5.points.
 *
 * Guests check themselves through the test device (inc/testdev.h): a test
 * asserts on their PASS lines by prefix (the lines end in measured
 * values), on no FAIL line and on a clean exit, and on the hypervisor's
 * crash reasons and migration lines.  Boots are shared by groups
 * (hv_boot_group): four per vendor, and lab5_migrate.c's fifth.
 *
 * Bugs these tests catch (applied to the reference, then make grade
 * LAB=5), bug: the tests that fail:
 *   every domain populated eagerly (domain_memory): demand
 *   no large leaf (nested_leaf_level always 1): largepage
 *   a logged write not marked dirty (nested_fault): migrate_twin (the
 *     moved domain's pattern and checksum differ), migrate_race (the
 *     racer triple-faults on a stale page); a write-heavy twin would not
 *     see it, as its next step rewrites the page the log missed
 *   ROM mapped writable (p2m_type_perm): rom (the MOV is not dropped)
 *   out of host memory a panic, not a crash (nested_populate): hostile_hog
 *   MOVSX emulated as MOVZX: mmio_forms
 *   an execute from MMIO emulated instead of crashing: hostile_mmio
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "../grader.h"

#define MEMORY(name, test, mib, populate)                              \
	{                                                              \
		name, "name   = \"" name "\"\n"                        \
		      "kernel = \"guests/memory.elf\"\n"               \
		      "extra  = \"test=" test "\"\nmemory = " mib "\n" \
		      "populate = \"" populate "\"\ntestdev = 1\n"     \
	}
#define BYSTANDER                                                \
	{                                                        \
		"bystander", "name   = \"bystander\"\nkernel = " \
			     "\"guests/hello.elf\"\n"            \
			     "memory = 16\n"                     \
	}

/*
 * One boot for the memory manager's checks: two 512 MiB domains, one of
 * them backed whole, so the machine has 1 GiB.  Bochs zeroes the eager
 * domain at some 100 MiB a second and makes some 10000 exits a second:
 * long limits.
 */
static const struct hv_cfg memory = {
	.needs_virt = 1,
	.mem_mb = 1024,
	.cmdline = "timeout=3000",
	.progress_timeout = 240,
	.timeout = 900,
	.domains = {
		MEMORY("demand", "demand", "512", "demand"),
		MEMORY("eager", "eager", "512", "eager"),
		MEMORY("rom", "rom", "64", "demand"),
		MEMORY("largepage", "largepage", "64", "eager"),
	},
};

/* A domain of 1 GiB that touches all of it on a 256 MiB machine. */
static const struct hv_cfg hog = {
	.needs_virt = 1,
	.mem_mb = 256,
	.cmdline = "timeout=3000",
	.progress_timeout = 240,
	.timeout = 900,
	.domains = {
		MEMORY("hog", "hog", "1024", "demand"),
		BYSTANDER,
	},
};

#define MMIO(name, image, attack)                                           \
	{                                                                   \
		name, "name   = \"" name "\"\n"                             \
		      "kernel = \"guests/" image "\"\n"                     \
		      "extra  = \"" attack "\"\nmemory = 16\ntestdev = 1\n" \
	}

/*
 * The MMIO guest's addressing forms (guests/mmio, each run on RAM and on
 * the test device and compared) and its attacks, beside a bystander.
 */
static const struct hv_cfg mmio = {
	.needs_virt = 1,
	.cmdline = "timeout=3000",
	.progress_timeout = 240,
	.timeout = 900,
	.domains = {
		MMIO("mmio64", "mmio64.elf", ""),
		MMIO("mmio32", "mmio32.elf", ""),
		MMIO("mmio-sse", "mmio64.elf", "attack=sse"),
		MMIO("mmio-x87", "mmio64.elf", "attack=x87"),
		MMIO("mmio-exec", "mmio64.elf", "attack=exec"),
		MMIO("mmio-rep", "mmio64.elf", "attack=rep"),
		BYSTANDER,
	},
};

#define MIGRATE(name, extra, when)                                 \
	{                                                          \
		name, "name   = \"" name "\"\n"                    \
		      "kernel = \"guests/migrate.elf\"\n"          \
		      "extra  = \"" extra "\"\nmemory = 16\n" when \
	}
#define MIGRATE_LOOPS "150"

/*
 * The migration guest (guests/migrate) live-migrated one second into its
 * run beside its unmigrated twin, read-mostly: each step's one write must
 * reach the destination, where a write-heavy guest would rewrite a page
 * the dirty log missed; a second one rewriting 8 MiB at every step (a
 * dirty set that never shrinks) migrated at the same time; a read-mostly
 * one saved and restored; and a bystander.
 */
static const struct hv_cfg migrate = {
	.needs_virt = 1,
	.cmdline = "timeout=3000",
	.progress_timeout = 240,
	.timeout = 1800, /* Bochs: 5 to 11 minutes */
	.domains = {
		MIGRATE("moved", "mode=read loops=" MIGRATE_LOOPS,
			"migrate_after = 1\n"),
		MIGRATE("still", "mode=read loops=" MIGRATE_LOOPS, ""),
		MIGRATE("racer", "mode=write mib=8 loops=" MIGRATE_LOOPS,
			"migrate_after = 1\n"),
		MIGRATE("saved", "mode=read loops=" MIGRATE_LOOPS,
			"save_after = 1\n"),
		BYSTANDER,
	},
};

/* The lines domain name printed, without "NAME: ", in order; *n of them. */
static const char **domain_lines(const struct hv_run *r, const char *name,
				 size_t *n)
{
	const char **out = calloc(r->nlines + 1, sizeof(*out));
	size_t len = strlen(name);

	cr_assert(out != NULL, "out of memory");
	*n = 0;
	for (size_t i = 0; i < r->nlines; i++)
		if (strncmp(r->lines[i].text, name, len) == 0 &&
		    strncmp(r->lines[i].text + len, ": ", 2) == 0)
			out[(*n)++] = r->lines[i].text + len + 2;
	return out;
}

/*
 * Domains a and b printed the same lines in the same order, at least min
 * of them: a gap, a repetition or a different value in a's output shows
 * as the first line that differs.
 */
static void expect_same_output(const struct hv_run *r, const char *a,
			       const char *b, size_t min)
{
	size_t na, nb, i;
	const char **la = domain_lines(r, a, &na),
		   **lb = domain_lines(r, b, &nb);

	for (i = 0; i < na && i < nb; i++)
		if (strcmp(la[i], lb[i]) != 0)
			break;
	cr_expect(i == na && na == nb && na >= min,
		  "[wrong result] %s and %s differ at their line %zu of %zu "
		  "and %zu (want at least %zu):\n    %s: \"%s\"\n    %s: "
		  "\"%s\"\n    log: %s",
		  a, b, i + 1, na, nb, min, a, i < na ? la[i] : "(none)", b,
		  i < nb ? lb[i] : "(none)", r->log);
	free(la);
	free(lb);
}

Test(lab5, demand, .timeout = 900)
{
	static const char *const demand[] = {
		"demand: 512 MiB of RAM",
		"demand: host pages at the start: ",
		"demand: touching 12697 pages (10649 scattered, 4 whole 2 MiB "
		"regions) added ",
		"demand: every touched page reads back (0 wrong)",
		"demand: 256 untouched pages read as zeros (0 nonzero words)",
		NULL,
	};
	static const char *const eager[] = {
		"eager: host pages 131072 for a domain of 131072 pages",
		NULL,
	};
	struct hv_run *r = hv_boot_group("memory", &memory);

	expect_guest_passed(r, "demand", demand);
	expect_guest_passed(r, "eager", eager);
}

Test(lab5, rom, .timeout = 900)
{
	static const char *const passes[] = {
		"rom: get_mem_type of RAM: ram_rw",
		"rom: set_mem_type ram_ro",
		"rom: get_mem_type: ram_ro",
		"rom: reads and instruction fetches from read-only RAM work",
		"rom: a MOV to read-only RAM is dropped and counted (1 "
		"dropped)",
		"rom: REP STOSB from RAM into read-only RAM writes the RAM "
		"part "
		"only (0 wrong RAM bytes, ",
		"rom: set_mem_type back to ram_rw",
		"rom: RAM again takes writes",
		"rom: set_mem_type beyond the domain's memory: -EINVAL",
		"rom: set_mem_type of a range crossing the end: -EINVAL",
		"rom: set_mem_type to an unknown type: -EINVAL",
		NULL,
	};

	expect_guest_passed(hv_boot_group("memory", &memory), "rom", passes);
}

Test(lab5, largepage, .timeout = 900)
{
	static const char *const passes[] = {
		"largepage: a 2 MiB-aligned region of an eager domain is one "
		"2 MiB leaf",
		"largepage: set_mem_type ram_ro of one frame",
		"largepage: a read-only frame splits the 2 MiB page",
		"largepage: the split region keeps its contents",
		"largepage: the other frames stay writable",
		"largepage: set_mem_type ram_rw of the frame",
		"largepage: RAM again and touched, the region is one 2 MiB "
		"leaf again",
		"largepage: the merged region kept its contents",
		NULL,
	};

	expect_guest_passed(hv_boot_group("memory", &memory), "largepage",
			    passes);
}

Test(lab5, hostile_hog, .timeout = 900)
{
	static const char *const bystander[] = { "protected mode: CR0.PE set",
						 NULL };
	struct hv_run *r = hv_boot_group("hog", &hog);

	expect_crash_with(r, "hog", "memory");
	cr_expect(hv_find_output(r, "hog: all 1024 MiB touched") == NULL,
		  "[wrong result] the hog touched all of its memory on a "
		  "256 MiB machine\n    log: %s",
		  r->log);
	expect_guest_passed(r, "bystander", bystander);
	expect_exit(r, 1);
}

/* The MMIO guest in each mode, and how many checks it must report at
 * least (one per addressing form, 94 and 70 today). */
static const struct {
	const char *name;
	unsigned checks;
} mmio_guests[] = { { "mmio64", 94 }, { "mmio32", 70 } };

Test(lab5, mmio_forms, .timeout = 900)
{
	static const char *const passes[] = {
		"mmio: control registers: 4-byte read is 0, reads not counted",
		"mmio: control registers: RAM just written mapped writable",
		"mmio: control registers: the device is never mapped",
		"mmio: MOV m32 <- r32",
		"mmio: MOVZX r32 <- m16",
		"mmio: ADD m32 <- imm32 (81)",
		"mmio: TEST m8, r8",
		"mmio: XCHG m32, r32",
		"mmio: LOCK CMPXCHG m32 (equal)",
		"mmio: REP STOSW backward (DF)",
		"mmio: REP MOVSB device -> RAM",
		NULL,
	};
	struct hv_run *r = hv_boot_group("mmio", &mmio);
	char prefix[64];

	for (size_t i = 0; i < sizeof(mmio_guests) / sizeof(mmio_guests[0]);
	     i++) {
		const struct hv_line *l;
		unsigned n = 0;

		expect_guest_passed(r, mmio_guests[i].name, passes);
		snprintf(prefix, sizeof(prefix),
			 "%s: SUMMARY: ", mmio_guests[i].name);
		l = hv_find_result_with(r, prefix, "");
		cr_expect(l &&
				  sscanf(l->text + strlen(prefix), "%u tests",
					 &n) == 1 &&
				  n >= mmio_guests[i].checks,
			  "[wrong result] want at least %u MMIO checks, got "
			  "\"%s\"\n    log: %s",
			  mmio_guests[i].checks, l ? l->text : "no summary",
			  r->log);
	}
}

Test(lab5, hostile_mmio, .timeout = 900)
{
	static const char *const rep[] = {
		"mmio: REP STOSB of 4194304 bytes into the device: 4194304 "
		"accesses",
		NULL,
	};
	static const char *const bystander[] = { "protected mode: CR0.PE set",
						 NULL };
	struct hv_run *r = hv_boot_group("mmio", &mmio);

	expect_crash_with(r, "mmio-sse", "cannot emulate");
	expect_crash_with(r, "mmio-x87", "cannot emulate");
	expect_crash_with(r, "mmio-exec", "execute from MMIO");
	expect_guest_passed(r, "mmio-rep", rep);
	expect_guest_passed(r, "bystander", bystander);
	expect_exit(r, 1);
}

/* Each check of the migration guest, in mode (write or read). */
static void expect_migrated_guest(struct hv_run *r, const char *name,
				  const char *mode)
{
	char pattern[64];
	const char *passes[] = {
		pattern,
		"APIC timer ticked in both halves of the run",
		"a tick left pending with interrupts off came after "
		"STI, " MIGRATE_LOOPS " of " MIGRATE_LOOPS " times",
		"the TSC never ran backwards",
		NULL,
	};

	snprintf(pattern, sizeof(pattern), "%s: ", mode);
	expect_guest_passed(r, name, passes);
}

/* The hypervisor's "migrate NAME: done: R rounds, F frames, downtime D
 * us" line; fails unless there was at least one pre-copy round. */
static void expect_migration_done(struct hv_run *r, const char *name)
{
	char want[96];
	const struct hv_line *l;
	unsigned rounds = 0;
	unsigned long frames = 0, us = 0;

	snprintf(want, sizeof(want), "migrate %s: done: ", name);
	l = hv_find_output(r, want);
	cr_expect(l &&
			  sscanf(strstr(l->text, want) + strlen(want),
				 "%u rounds, %lu frames, downtime %lu us",
				 &rounds, &frames, &us) == 3 &&
			  rounds >= 2,
		  "[wrong result] want \"%sR rounds, F frames, downtime D us\" "
		  "with R >= 2 (a pre-copy round, then stop-and-copy), got "
		  "\"%s\"\n    log: %s",
		  want, l ? l->text : "no such line", r->log);
}

Test(lab5, migrate_twin, .timeout = 1800)
{
	struct hv_run *r = hv_boot_group("migrate", &migrate);

	expect_migration_done(r, "moved");
	expect_migrated_guest(r, "moved", "read");
	expect_migrated_guest(r, "still", "read");
	/* seq 0..loops-1, a checksum, the PASS lines and the summary. */
	expect_same_output(r, "moved", "still", 150 + 6);
}

Test(lab5, migrate_race, .timeout = 1800)
{
	static const char *const bystander[] = { "protected mode: CR0.PE set",
						 NULL };
	struct hv_run *r = hv_boot_group("migrate", &migrate);

	expect_migration_done(r, "racer");
	expect_migrated_guest(r, "racer", "write");
	expect_guest_passed(r, "bystander", bystander);
}

Test(lab5, save_restore, .timeout = 1800)
{
	struct hv_run *r = hv_boot_group("migrate", &migrate);

	cr_expect(hv_find_output(r, "save saved: ") != NULL,
		  "[wrong result] no line \"save saved: N frames, image ...\"\n"
		  "    log: %s",
		  r->log);
	expect_migrated_guest(r, "saved", "read");
	expect_exit(r, 0);
}

Test(lab5, p2m_unit, .timeout = 300)
{
	expect_host_test("test_p2m", NULL);
	expect_host_test("test_shadow", "shadow_p2m");
}

Test(lab5, nested_unit, .timeout = 300)
{
	expect_host_test("test_nested", NULL);
}
