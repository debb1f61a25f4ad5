/*
 * selftest.c - the grader's own tests: each boots a fake hypervisor from
 * grader/selftest/ through the real loader and checks the grader classifies
 * it correctly and quickly; batch_restores checks grader/batch without a
 * boot.  Run with make check-grader.
 */
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <criterion/criterion.h>
#include "../grader.h"
#include "../internal.h"

#define FAKE(name) "obj/grader/selftest/" name ".elf"

static struct hv_run *boot_fake(const char *elf, double progress)
{
	struct hv_cfg cfg = { .hv_elf = elf, .progress_timeout = progress };

	return hv_boot(&cfg);
}

static void expect_class(struct hv_run *r, const char *cls)
{
	const char *d = hv_diagnose(r);

	cr_expect(strstr(d, cls) != NULL, "want %s, got: %s", cls, d);
}

Test(grader, pass_counts, .timeout = 300)
{
	struct hv_run *r = boot_fake(FAKE("pass"), 0);

	expect_result(r, "check_page_alloc() succeeded!");
	expect_result(r, "check_vm() succeeded!");
	expect_exit(r, 0);
	cr_expect(r->ready_us == 1, "ready line not parsed: %g", r->ready_us);
}

Test(grader, no_token_scores_nothing, .timeout = 300)
{
	struct hv_run *r = boot_fake(FAKE("notoken"), 0);

	cr_expect(hv_find_output(r, "check_page_alloc() succeeded!") != NULL,
		  "the fake's output was not captured: %s", hv_diagnose(r));
	cr_expect(hv_find_result(r, "check_page_alloc() succeeded!") == NULL);
	cr_expect(hv_find_result(r, "check_vm() succeeded!") == NULL);
	cr_expect(hv_find_result(r, "hvlab: exit status 0") == NULL);
	expect_class(r, "[wrong result]");
}

Test(grader, hang_is_timeout, .timeout = 300)
{
	struct hv_run *r = boot_fake(FAKE("hang"), 5);

	cr_expect_eq(r->stop, HV_STOP_PROGRESS, "%s", hv_diagnose(r));
	expect_class(r, "[timeout]");
	expect_class(r, "hvlab: ready in 1 us");
}

/* A loaded machine stretches the limits; an idle or half-idle one not. */
Test(grader, load_stretches_limits)
{
	cr_expect_eq(run_load_scale(0.5, 2), 1);
	cr_expect_eq(run_load_scale(2, 2), 1);
	cr_expect_eq(run_load_scale(10, 2), 5);
	cr_expect_eq(run_load_scale(3, 0), 1);
}

Test(grader, triple_fault, .timeout = 300)
{
	struct hv_run *r = boot_fake(FAKE("triple"), 0);

	cr_expect_eq(r->stop, HV_STOP_TRIPLE_FAULT, "%s", hv_diagnose(r));
	expect_class(r, "[triple fault]");
}

/*
 * The hypervisor's reason (te: cannot deliver) is 40 lines above the end,
 * where the triple fault is: the diagnosis shows it first, then the tail;
 * guest lines are not reasons, whatever they say.
 */
Test(grader, reason_comes_first, .timeout = 300)
{
	struct hv_run *r = boot_fake(FAKE("reason"), 0);
	const char *d = hv_diagnose(r);
	const char *te = strstr(d, "\n    ! te: te-hello: cannot deliver "
				   "vector 13");
	const char *crash = strstr(d, "\n    ! domain te-hello: crashed "
				      "(triple fault)");
	const char *tail = strstr(d, "last lines:");

	expect_class(r, "[triple fault]");
	cr_expect(te && crash && tail && te < crash && crash < tail,
		  "want the te and crash lines before the tail in:\n%s", d);
	cr_expect(strstr(d, "other: PASS: step 39") != NULL, "no tail in:\n%s",
		  d);
	cr_expect(strstr(d, "! other:") == NULL &&
			  strstr(d, "! te: vcpu") == NULL,
		  "a line that is no reason shown as one:\n%s", d);
}

Test(grader, panic_dump, .timeout = 300)
{
	struct hv_run *r = boot_fake(FAKE("panic"), 0);

	expect_class(r, "[hypervisor panic]");
	expect_class(r, "page_alloc: free list corrupted");
	expect_class(r, "backtrace: page_alloc+0x24");
	expect_failure_exit(r);
}

Test(grader, flood_is_capped, .timeout = 300)
{
	struct hv_run *r = boot_fake(FAKE("flood"), 0);

	cr_expect_eq(r->stop, HV_STOP_FLOOD, "%s", hv_diagnose(r));
	expect_class(r, "[output flood]");
}

/* hv_boot_group: a second call in the same run gets the first boot. */
Test(grader, group_shares_boot, .timeout = 300)
{
	struct hv_cfg cfg = { .hv_elf = FAKE("pass") };
	struct hv_run *first = hv_boot_group("selftest", &cfg);
	struct hv_run *again = hv_boot_group("selftest", &cfg);

	expect_exit(first, 0);
	expect_exit(again, 0);
	expect_result(again, "check_vm() succeeded!");
	cr_expect(strcmp(first->token, again->token) == 0,
		  "the group booted twice: tokens %s and %s", first->token,
		  again->token);
	cr_expect(strcmp(first->log, again->log) == 0 &&
			  again->nlines == first->nlines,
		  "the shared result differs from the boot");
}

/*
 * An emulator that cannot start (here: no host has a petabyte of RAM) is a
 * [machine error] naming the emulator's own last words, not a silent
 * "wrong result" with no lines.  run_boot, because hv_boot fails the test
 * at once on a machine error.
 */
Test(grader, start_failure_is_machine_error, .timeout = 300)
{
	struct hv_cfg cfg = { .hv_elf = FAKE("pass"), .mem_mb = 1 << 30 };
	struct hv_run *r = run_boot(&cfg, NULL);
	const char *d = hv_diagnose(r);

	cr_expect_eq(r->stop, HV_STOP_ERROR, "%s", d);
	cr_expect(strncmp(d, "[machine error]", 15) == 0, "got: %s", d);
	cr_expect(strstr(d, "machine.out| ") != NULL,
		  "no emulator output in: %s", d);
}

/*
 * grader/batch grades only a submission's student files: a lab-1 handout
 * with edits outside them goes through batch -n (grader/selftest/batch-check).
 */
Test(grader, batch_restores, .timeout = 200)
{
	const char *log = "obj/grader/selftest/batch-check.log";
	char *argv[] = { "grader/selftest/batch-check",
			 "obj/grader/selftest/batch", NULL };
	char line[512], fails[2048] = "", skip[512] = "";
	int rc = run_command(argv, log, 180);
	FILE *f = fopen(log, "r");

	while (f && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "FAIL", 4) == 0 &&
		    strlen(fails) + strlen(line) < sizeof(fails))
			strcat(fails, line);
		if (strncmp(line, "batch-check: SKIP: ", 19) == 0)
			snprintf(skip, sizeof(skip), "%s", line + 19);
	}
	if (f)
		fclose(f);
	if (rc == 77)
		cr_skip_test("%s", skip);
	cr_expect(rc == 0, "batch-check failed (status %d), see %s\n%s", rc,
		  log, fails);
}

/* path's contents (NUL-terminated, at most 64 KiB), or "" if unreadable. */
static char *slurp(const char *path)
{
	static char buf[65536];
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;

	if (f)
		fclose(f);
	buf[n] = '\0';
	return buf;
}

/* A crashlab test's line in the summary and its row in the score table. */
static void expect_graded(const char *summary, const char *table,
			  const char *name, const char *status, int points,
			  int max, const char *cls)
{
	char want[300];

	snprintf(want, sizeof(want),
		 "\"name\": \"%s\", \"status\": \"%s\", "
		 "\"points\": %d, \"max_points\": %d, \"class\": \"%s\"",
		 name, status, points, max, cls);
	cr_expect(strstr(summary, want) != NULL, "want %s in:\n%s", want,
		  summary);
	snprintf(want, sizeof(want), "%-6s crashlab/%s ", status, name);
	cr_expect(strstr(table, want) != NULL, "want \"%s\" in:\n%s", want,
		  table);
}

/* name's FAIL row in table has its points entry's hint below it. */
static void expect_hint(const char *table, const char *name)
{
	const char *want = "       look at: docs/grader.md \"Self-tests\", ";
	char row[200];
	const char *line;

	snprintf(row, sizeof(row), "\nFAIL   crashlab/%s ", name);
	line = strstr(table, row);
	cr_assert(line != NULL, "no FAIL row for %s in:\n%s", name, table);
	/* The row's own lines are indented; the next row is not. */
	for (line = strchr(line + 1, '\n');
	     line && strncmp(line, "\n  ", 3) == 0;
	     line = strchr(line + 1, '\n'))
		if (strncmp(line + 1, want, strlen(want)) == 0)
			return;
	cr_expect(0, "no \"look at:\" line under crashlab/%s in:\n%s", name,
		  table);
}

/*
 * Grades the fake lab crashlab.c in a second grader process with the
 * options opt1 and opt2 (NULL: none), in run directory grader.NAME with
 * its summary.json in sum; returns its exit status and sets *table to
 * its output (malloc'd).
 */
static int grade_crashlab(const char *name, const char *opt1, const char *opt2,
			  char *sum, size_t sumlen, char **table)
{
	char runs[600], dir[700], out[800], tables[620], grader[620];

	snprintf(runs, sizeof(runs), "%s/obj/grader/runs", grader_root());
	snprintf(dir, sizeof(dir), "%s/grader.%s", runs, name);
	snprintf(out, sizeof(out), "%s/grader.out", dir);
	snprintf(sum, sumlen, "%s/summary.json", dir);
	snprintf(tables, sizeof(tables), "%s/grader/selftest", grader_root());
	snprintf(grader, sizeof(grader), "%s/obj/grader/grader", grader_root());
	rm_rf(dir);
	mkdir(runs, 0755);
	cr_assert(mkdir(dir, 0755) == 0, "mkdir %s", dir);
	/* Not this worker's BoxFort map: the second grader is a runner. */
	unsetenv("BXFI_MAP");
	setenv("HV_CRASHLAB", "1", 1);
	setenv("GRADER_EXTRA", tables, 1);

	char *argv[] = { grader, "--suite",    "crashlab",   "--summary",
			 sum,	 (char *)opt1, (char *)opt2, NULL };
	int rc = run_command(argv, out, 100);

	*table = strdup(slurp(out));
	return rc;
}

/*
 * A test whose process crashes, is killed by Criterion's timeout, skips
 * without a reason or never reports is a FAIL that keeps its points in
 * the maximum, and the grader exits 1; a SKIP with a reason is left out.
 */
Test(grader, crash_is_failure, .timeout = 120)
{
	char sum[800], gs[700], *table;
	int rc;

	snprintf(gs, sizeof(gs), "%s/obj/grader/runs/crash_is_failure.gs.json",
		 grader_root());
	rc = grade_crashlab("crash_is_failure", "--gradescope", gs, sum,
			    sizeof(sum), &table);

	cr_expect_eq(rc, 1, "grader exited %d:\n%s", rc, table);
	cr_expect(strstr(table, "Score: 1/19 ") != NULL, "%s", table);
	cr_expect(strstr(table, "died of signal 6 (Aborted)") != NULL, "%s",
		  table);
	const char *summary = slurp(sum);
	static const struct {
		const char *name, *status;
		int points, max;
		const char *cls;
	} want[] = {
		{ "passes", "PASS", 1, 1, "" },
		{ "aborts", "FAIL", 0, 2, "grader crash" },
		{ "segfaults", "FAIL", 0, 2, "grader crash" },
		{ "exits", "FAIL", 0, 2, "grader crash" },
		{ "times_out", "FAIL", 0, 2, "timeout" },
		{ "crashes_in_setup", "FAIL", 0, 2, "grader crash" },
		{ "crashes_in_teardown", "FAIL", 0, 2, "grader crash" },
		{ "skips_with_reason", "SKIP", 0, 4, "" },
		{ "skips_silently", "FAIL", 0, 2, "not run" },
		{ "disabled", "FAIL", 0, 2, "not run" },
		{ "not_compiled", "FAIL", 0, 2, "not run" },
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		expect_graded(summary, table, want[i].name, want[i].status,
			      want[i].points, want[i].max, want[i].cls);
	expect_hint(table, "aborts");
	cr_expect(strstr(slurp(gs), "\\nlook at: docs/grader.md ") != NULL,
		  "no hint in the Gradescope output of a FAIL:\n%s", slurp(gs));
	cr_expect(strstr(slurp(gs), "\"tags\": [\"grader crash\"]") != NULL,
		  "no failure class in the Gradescope tags of a FAIL:\n%s",
		  slurp(gs));
	cr_expect(strpbrk(table, "\r\033") == NULL,
		  "control characters in output that is not a terminal:\n%s",
		  table);
	free(table);
}

/*
 * --test GLOB and --filter SUITE/GLOB narrow a graded suite to the tests
 * that match, and the score to theirs (make grade LAB=N TEST=GLOB).
 */
Test(grader, test_narrows_suite, .timeout = 120)
{
	char sum[800], *table;
	int rc = grade_crashlab("test_narrows_suite", "--test", "pass*", sum,
				sizeof(sum), &table);

	cr_expect_eq(rc, 0, "grader exited %d:\n%s", rc, table);
	cr_expect(strstr(table, "PASS   crashlab/passes ") != NULL &&
			  strstr(table, "Score: 1/1 ") != NULL,
		  "want only crashlab/passes, 1/1 in:\n%s", table);
	cr_expect(strstr(table, "crashlab/aborts") == NULL, "%s", table);
	free(table);

	rc = grade_crashlab("test_narrows_suite", "--filter=crashlab/seg*",
			    NULL, sum, sizeof(sum), &table);
	cr_expect_eq(rc, 1, "grader exited %d:\n%s", rc, table);
	cr_expect(strstr(table, "FAIL   crashlab/segfaults ") != NULL &&
			  strstr(table, "Score: 0/2 ") != NULL,
		  "want only crashlab/segfaults, 0/2 in:\n%s", table);
	cr_expect(strstr(table, "crashlab/passes") == NULL, "%s", table);
	free(table);
}

/* Whether doc (a path in the tree) has a heading "#... section". */
static int doc_has_section(const char *doc, const char *section)
{
	char path[700], line[512];
	int found = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", grader_root(), doc);
	f = fopen(path, "r");
	while (f && !found && fgets(line, sizeof(line), f)) {
		size_t hashes = strspn(line, "#");

		line[strcspn(line, "\n")] = '\0';
		found = hashes > 0 && line[hashes] == ' ' &&
			strcmp(line + hashes + 1, section) == 0;
	}
	if (f)
		fclose(f);
	return found;
}

/* Every entry of path has a hint whose section is a heading of its doc. */
static void expect_hints(const char *path)
{
	struct report rp = { 0 };
	char doc[400] = "", section[400] = "";

	cr_assert(report_load_points(&rp, path) == 0, "%s does not load", path);
	for (size_t k = 0; k < rp.ntable; k++) {
		const struct points *p = &rp.table[k];

		if (!p->hint[0])
			cr_expect(0, "%s: %s has no hint", p->origin, p->name);
		else if (report_hint_section(p->hint, doc, sizeof(doc), section,
					     sizeof(section)) < 0 ||
			 !doc_has_section(doc, section))
			cr_expect(0, "%s: no section \"%s\" in %s", p->origin,
				  section, doc);
	}
	free(rp.table);
}

/*
 * Every test of every points table names where to look when it fails
 * (a heading that exists), so that no FAIL leaves a student without one.
 */
Test(grader, every_test_has_hint)
{
	char pattern[600];
	glob_t g;

	snprintf(pattern, sizeof(pattern), "%s/grader/labs/*.points",
		 grader_root());
	cr_assert(glob(pattern, 0, NULL, &g) == 0, "no %s", pattern);
	for (size_t i = 0; i < g.gl_pathc; i++)
		expect_hints(g.gl_pathv[i]);
	globfree(&g);
	snprintf(pattern, sizeof(pattern), "%s/grader/selftest/crashlab.points",
		 grader_root());
	expect_hints(pattern);
}
