/*
 * lab5_migrate.c - lab 5's migrations asked for by the command line, and
 * those that cannot happen (lab5.c boots the twin, the race and save and
 * restore).  Points: lab5.points.
 *
 * Boot "migrate_edge": cmd, the migration guest live-migrated by
 * "migrate=cmd:1" on the command line (every round reported, the frames
 * adding up, mid-run, its sequence whole); big, whose destination cannot
 * get its eager 160 MiB, nor its image the memory for 160 MiB (both
 * fail, big runs on); shadowed, a
 * shadow-paging domain "save=shadowed:1" names (refused, it runs on).
 *
 * Bug this tests catch (applied to the reference, then make grade LAB=5),
 * bug: the tests that fail:
 *   stop-and-copy without the last dirty frames: migrate_cmdline (the
 *     guest finds a step's writes lost)
 *   a failed destination not released (the source stopped instead):
 *     migrate_refused
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "../grader.h"

static const struct hv_cfg edge = {
	.needs_virt = 1,
	.mem_mb = 256, /* big's 160 MiB twice do not fit */
	.cmdline = "migrate=cmd:1 save=shadowed:1 timeout=1000",
	.progress_timeout = 240,
	.timeout = 1200,
	.domains = {
		{ "cmd", "name   = \"cmd\"\nkernel = \"guests/migrate.elf\"\n"
			 "memory = 16\nextra  = \"mode=write mib=1 loops=60\"\n" },
		{ "big", "name   = \"big\"\nkernel = \"guests/migrate.elf\"\n"
			 "memory = 160\npopulate = \"eager\"\n"
			 "extra  = \"mode=read mib=1 loops=150\"\n"
			 "migrate_after = 1\nsave_after = 2\n" },
		{ "shadowed", "name   = \"shadowed\"\n"
			      "kernel = \"guests/hello.elf\"\nmemory = 16\n"
			      "paging = \"shadow\"\n" },
	},
};

/*
 * Domain name printed "migrate: seq 1" .. "migrate: seq loops" in order,
 * once each, then a checksum line, which goes to *csum.  Returns the
 * index of its last seq line in *last.
 */
static void expect_sequence(struct hv_run *r, const char *name, int loops,
			    char *csum, size_t csum_len, long *last)
{
	char prefix[64], want[96] = "";
	long l = -1;
	int seq;

	snprintf(prefix, sizeof(prefix), "%s: migrate: ", name);
	*last = -1;
	for (seq = 1; seq <= loops; seq++) {
		snprintf(want, sizeof(want), "%sseq %d", prefix, seq);
		l = hv_line_from(r, *last + 1, prefix);
		if (l < 0 || strcmp(r->lines[l].text, want) != 0)
			break;
		*last = l;
	}
	cr_expect(seq > loops,
		  "[wrong result] want \"%s\", got \"%s\"\n    log: %s", want,
		  l < 0 ? "nothing" : r->lines[l].text, r->log);
	l = hv_line_from(r, *last + 1, prefix);
	cr_expect(l >= 0 && strncmp(r->lines[l].text + strlen(prefix),
				    "checksum 0x", 11) == 0,
		  "[wrong result] no line \"%schecksum 0x...\" after the "
		  "sequence\n    log: %s",
		  prefix, r->log);
	snprintf(csum, csum_len, "%s",
		 l >= 0 ? r->lines[l].text + strlen(prefix) : "");
}

/*
 * The line starting with prefix came while domain name ran: after it
 * started, before its last step (line last).  (On Bochs, whose TSC runs
 * fast, a second can pass before the first step ends.)
 */
static void expect_midrun(struct hv_run *r, const char *prefix,
			  const char *name, long last)
{
	char started[64];
	long first, l = hv_line_from(r, 0, prefix);

	snprintf(started, sizeof(started), "domain %s: started (", name);
	first = hv_line_from(r, 0, started);
	cr_expect(first >= 0 && l > first && l < last,
		  "[wrong result] want \"%s...\" while %s ran (between lines "
		  "%ld and %ld), got line %ld\n    log: %s",
		  prefix, name, first, last, l, r->log);
}

/*
 * "migrate NAME: round K: F frames" for K = 0, 1, ..., the last one
 * "..., source stopped", then "migrate NAME: done: R rounds, T frames,
 * downtime U us" with R and T their count and sum.
 */
static void expect_rounds(struct hv_run *r, const char *name)
{
	char prefix[64];
	unsigned k, frames, rounds = 0, total = 0, done_rounds, done_total;
	unsigned long long us;
	long l = 0, done;
	const char *t = "";

	snprintf(prefix, sizeof(prefix), "migrate %s: ", name);
	while ((l = hv_line_from(r, l, prefix)) >= 0 &&
	       sscanf(r->lines[l].text + strlen(prefix), "round %u: %u frames",
		      &k, &frames) == 2) {
		cr_expect(k == rounds, "[wrong result] round %u after %u: %s",
			  k, rounds, r->lines[l].text);
		t = r->lines[l++].text;
		rounds++;
		total += frames;
	}
	cr_expect(rounds >= 2 && strstr(t, ", source stopped"),
		  "[wrong result] want round lines ending in \"source "
		  "stopped\", got %u rounds\n    log: %s",
		  rounds, r->log);
	done = l;
	cr_assert(done >= 0 &&
			  sscanf(r->lines[done].text + strlen(prefix),
				 "done: %u rounds, %u frames, downtime %llu us",
				 &done_rounds, &done_total, &us) == 3,
		  "[wrong result] no line \"%sdone: R rounds, T frames, "
		  "downtime U us\"\n    log: %s",
		  prefix, r->log);
	cr_expect(done_rounds == rounds && done_total == total,
		  "[wrong result] %s: %u rounds of %u frames in all printed",
		  r->lines[done].text, rounds, total);
}

Test(lab5, migrate_cmdline, .timeout = 1500)
{
	struct hv_run *r = hv_boot_group("migrate_edge", &edge);
	char csum[64];
	long last;

	expect_sequence(r, "cmd", 60, csum, sizeof(csum), &last);
	expect_rounds(r, "cmd");
	expect_midrun(r, "migrate cmd: done: ", "cmd", last);
	expect_guest_passed(r, "cmd", NULL);
}

Test(lab5, migrate_refused, .timeout = 1500)
{
	struct hv_run *r = hv_boot_group("migrate_edge", &edge);
	char csum[64];
	long last;

	expect_output(r, "migrate big: failed: destination: ");
	expect_output(r, "save big: failed: image: ");
	expect_output(r, "save shadowed: refused: ");
	expect_sequence(r, "big", 150, csum, sizeof(csum), &last);
	expect_guest_passed(r, "big", NULL);
	expect_domain_exit(r, "shadowed", 0);
	expect_exit(r, 0);
}
