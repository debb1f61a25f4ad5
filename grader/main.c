/*
 * main.c - the grader binary: runs the Criterion lab tests and writes the
 * reports.
 *
 *   grader [--lab N | --suite NAME] [--test GLOB] [--gradescope FILE]
 *          [--junit FILE] [--summary FILE] [--handout-check N]
 *          [--probe-kvm] [Criterion options...]
 *
 * --lab N runs suite labN and exits 1 below full marks (--suite NAME: any
 * suite, e.g. the self-tests' crashlab); every test of the suite or its
 * points table that crashed or never reported is a FAIL.  --test GLOB, or
 * Criterion's --filter SUITE/GLOB or --filter GLOB, narrows that to the
 * suite's tests whose name matches GLOB, and so does the score; --handout-check N
 * exits 1 unless labs < N pass and lab N's student tests fail.  Machine
 * choice comes from HV_ACCEL / HV_VENDOR (docs/grader.md).
 */
#define _GNU_SOURCE /* FNM_EXTMATCH: the globs Criterion's --filter takes */
#include <fnmatch.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <criterion/criterion.h>
#include <criterion/hooks.h>
#include <criterion/internal/ordered-set.h>
#include "internal.h"

static struct report grader_report;

/*
 * A result's message: a class for deaths Criterion reports without one
 * (docs/grader.md), then the failed assertions.
 */
static void message_of(struct criterion_test_stats *st, char *buf, size_t len)
{
	buf[0] = '\0';
	if (st->timed_out)
		snprintf(buf, len,
			 "[timeout] killed by the Criterion test timeout");
	else if (st->test_status == CR_STATUS_FAILED && st->exit_code != 0)
		snprintf(buf, len,
			 "[grader crash] the test process exited with "
			 "status %d before its end",
			 st->exit_code);
	if (st->message) {
		size_t used = strlen(buf);
		snprintf(buf + used, len - used, "%s%s",
			 used ? "\n       " : "", st->message);
	}
	for (struct criterion_assert_stats *a = st->asserts; a; a = a->next)
		if (!a->passed && a->message) {
			size_t used = strlen(buf);
			snprintf(buf + used, len - used, "%s%s",
				 used ? "\n       " : "", a->message);
		}
}

/* A test starts (report hooks run in Criterion's runner process). */
ReportHook(PRE_INIT)(struct criterion_test *test)
{
	progress_test(test->category, test->name);
}

/* Criterion prints a failed assertion after this hook. */
ReportHook(ASSERT)(struct criterion_assert_stats *a)
{
	if (!a->passed)
		progress_hide();
}

/* Runs in the runner process after each test body: record it. */
ReportHook(POST_TEST)(struct criterion_test_stats *st)
{
	char msg[sizeof(((struct test_result *)0)->message)];

	progress_hide();
	message_of(st, msg, sizeof(msg));
	report_add(&grader_report, st->test->category, st->test->name,
		   st->test_status, msg, st->elapsed_time);
}

/* The test's process is gone with a clean end: tidy a passed test's run dir. */
ReportHook(POST_FINI)(struct criterion_test_stats *st)
{
	struct test_result *t = report_find(&grader_report, st->test->category,
					    st->test->name);
	char dir[600];

	if (!t)
		return;
	t->finished = 1;
	if (t->status == CR_STATUS_PASSED && !getenv("HV_KEEP")) {
		snprintf(dir, sizeof(dir), "%s/obj/grader/runs/%s.%s",
			 grader_root(), st->test->category, st->test->name);
		rm_rf(dir);
	}
}

/* The test's process died of a signal in its body; no POST_TEST follows. */
ReportHook(TEST_CRASH)(struct criterion_test_stats *st)
{
	char asserts[3900], msg[sizeof(((struct test_result *)0)->message)];

	progress_hide();
	message_of(st, asserts, sizeof(asserts));
	snprintf(msg, sizeof(msg),
		 "[grader crash] the test process died of "
		 "signal %d (%s)%s%s",
		 st->signal, strsignal(st->signal),
		 asserts[0] ? "\n       " : "", asserts);
	report_add(&grader_report, st->test->category, st->test->name,
		   CR_STATUS_FAILED, msg, st->elapsed_time)
		->finished = 1;
}

/*
 * Criterion's last word: a test whose process died before its body (in its
 * setup) has no other report, only its crashed statistics.
 */
ReportHook(POST_ALL)(struct criterion_global_stats *gs)
{
	progress_stop();
	for (struct criterion_suite_stats *ss = gs->suites; ss; ss = ss->next)
		for (struct criterion_test_stats *st = ss->tests; st;
		     st = st->next) {
			const char *suite = st->test->category,
				   *name = st->test->name;

			if (st->crashed &&
			    !report_find(&grader_report, suite, name))
				report_add(&grader_report, suite, name,
					   CR_STATUS_FAILED,
					   "[grader crash] the "
					   "test process died before its body, "
					   "in its setup",
					   0)
					->finished = 1;
		}
}

/* Boots the self-test kernel under KVM; main records the outcome. */
Test(probe, kvm, .timeout = 120)
{
	if (!getenv("HV_KVM_PROBING"))
		cr_skip_test("runs only with grader --probe-kvm");
	struct hv_cfg cfg = { .hv_elf = "obj/grader/selftest/pass.elf",
			      .timeout = 90 };
	struct hv_run *r = hv_boot(&cfg);
	expect_exit(r, 0);
}

/* Loads every DIR/SUITE.points; exits the grader on a malformed table. */
static void load_points_dir(const char *dir)
{
	char pattern[700];
	glob_t g;

	snprintf(pattern, sizeof(pattern), "%s/*.points", dir);
	if (glob(pattern, 0, NULL, &g) != 0)
		return;
	for (size_t i = 0; i < g.gl_pathc; i++)
		if (report_load_points(&grader_report, g.gl_pathv[i]) < 0)
			exit(2);
	globfree(&g);
}

/* The tree's tables, then GRADER_EXTRA's (a later entry wins). */
static void load_points(void)
{
	const char *extra = getenv("GRADER_EXTRA");
	char path[600];

	snprintf(path, sizeof(path), "%s/grader/labs", grader_root());
	load_points_dir(path);
	if (extra && *extra)
		load_points_dir(extra);
}

/*
 * Expects a result from each of a suite's tests the run selected; returns
 * how many.
 */
static int expect_tests(struct criterion_ordered_set *tests, const char *suite,
			const char *test)
{
	int count = 0; /* not n: FOREACH_SET's node */

	FOREACH_SET(struct criterion_test * t, tests)
	{
		if (suite[0] ?
			    strcmp(t->category, suite) == 0 &&
				    fnmatch(test, t->name, FNM_EXTMATCH) == 0 :
			    !t->data->disabled) {
			report_expect(&grader_report, t->category, t->name);
			count++;
		}
	}
	return count;
}

/* Whether the run will start t (see count_selected). */
static int will_run(struct criterion_test *t, const char *suite,
		    const char *test, const char *filter)
{
	char full[300];

	snprintf(full, sizeof(full), "%s/%s", t->category, t->name);
	if (t->data->disabled)
		return 0;
	if (suite[0])
		return strcmp(t->category, suite) == 0 &&
		       fnmatch(test, t->name, FNM_EXTMATCH) == 0;
	return !filter || fnmatch(filter, full, FNM_EXTMATCH) == 0;
}

/*
 * How many tests the run will start: the graded suite's tests whose name
 * matches test, or those Criterion's filter (a SUITE/TEST glob) selects.
 */
static int count_selected(struct criterion_test_set *set, const char *suite,
			  const char *test, const char *filter)
{
	int count = 0; /* not n: FOREACH_SET's node */

	FOREACH_SET(struct criterion_suite_set * ss, set->suites)
	{
		if (!ss->tests)
			continue;
		FOREACH_SET(struct criterion_test * t, ss->tests)
		{
			count += will_run(t, suite, test, filter);
		}
	}
	return count;
}

/*
 * The tests whose points count: with --lab/--suite every test of the suite
 * whose name matches test, compiled in or listed in its points table,
 * disabled or not; otherwise every test Criterion's filter selected.  Call
 * after the run (Criterion marks the tests its filter leaves out as
 * disabled); returns how many.
 */
static int expect_selected(struct criterion_test_set *set, const char *suite,
			   const char *test)
{
	int count = 0; /* not n: FOREACH_SET's node */

	FOREACH_SET(struct criterion_suite_set * ss, set->suites)
	{
		if (ss->tests)
			count += expect_tests(ss->tests, suite, test);
	}
	if (suite[0])
		count += report_expect_table(&grader_report, suite, test);
	return count;
}

struct options {
	int handout, probe;
	char suite[64]; /* --lab N or --suite NAME: graded suite */
	const char *test, *user_filter; /* --test GLOB, --filter PATTERN */
	const char *gradescope, *junit, *summary;
	char filter[600], xml[700], jobs[32];
	char *cr_argv[64];
	int cr_argc;
};

static const char *opt_value(int argc, char **argv, int *i)
{
	if (*i + 1 >= argc) {
		fprintf(stderr, "grader: %s needs a value\n", argv[*i]);
		exit(2);
	}
	return argv[++*i];
}

/*
 * With a graded suite, the user's --filter narrows within it: SUITE/GLOB
 * (SUITE must match the graded suite) or a bare GLOB gives o->test.
 */
static void suite_filter(struct options *o)
{
	const char *f = o->user_filter, *slash = f ? strchr(f, '/') : NULL;
	char want[64];

	if (!f)
		return;
	if (o->test) {
		fprintf(stderr, "grader: give --test or --filter, not both\n");
		exit(2);
	}
	if (!slash) {
		o->test = f;
		return;
	}
	snprintf(want, sizeof(want), "%.*s", (int)(slash - f), f);
	if (fnmatch(want, o->suite, FNM_EXTMATCH) != 0) {
		fprintf(stderr, "grader: --filter %s selects no test of %s\n",
			f, o->suite);
		exit(2);
	}
	o->test = slash + 1;
}

static void parse_options(int argc, char **argv, struct options *o)
{
	o->cr_argv[o->cr_argc++] = argv[0];
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--lab") == 0)
			snprintf(o->suite, sizeof(o->suite), "lab%d",
				 atoi(opt_value(argc, argv, &i)));
		else if (strcmp(argv[i], "--suite") == 0)
			snprintf(o->suite, sizeof(o->suite), "%s",
				 opt_value(argc, argv, &i));
		else if (strcmp(argv[i], "--handout-check") == 0)
			o->handout = atoi(opt_value(argc, argv, &i));
		else if (strcmp(argv[i], "--gradescope") == 0)
			o->gradescope = opt_value(argc, argv, &i);
		else if (strcmp(argv[i], "--junit") == 0)
			o->junit = opt_value(argc, argv, &i);
		else if (strcmp(argv[i], "--summary") == 0)
			o->summary = opt_value(argc, argv, &i);
		else if (strcmp(argv[i], "--probe-kvm") == 0)
			o->probe = 1;
		else if (strcmp(argv[i], "--test") == 0)
			o->test = opt_value(argc, argv, &i);
		else if (strcmp(argv[i], "--filter") == 0)
			o->user_filter = opt_value(argc, argv, &i);
		else if (strncmp(argv[i], "--filter=", 9) == 0)
			o->user_filter = argv[i] + 9;
		else if (o->cr_argc < 56)
			o->cr_argv[o->cr_argc++] = argv[i];
	}
	if (o->probe) {
		setenv("HV_KVM_PROBING", "1", 1);
		setenv("HV_ACCEL", "kvm", 1);
		snprintf(o->filter, sizeof(o->filter), "--filter=probe/kvm");
	} else if (o->suite[0]) {
		suite_filter(o);
		snprintf(o->filter, sizeof(o->filter), "--filter=%s/%s",
			 o->suite, o->test ? o->test : "*");
	} else if (o->test) {
		fprintf(stderr, "grader: --test needs --lab or --suite\n");
		exit(2);
	} else if (o->user_filter) {
		snprintf(o->filter, sizeof(o->filter), "--filter=%s",
			 o->user_filter);
	}
	if (o->filter[0])
		o->cr_argv[o->cr_argc++] = o->filter;
	if (o->junit) {
		snprintf(o->xml, sizeof(o->xml), "--xml=%s", o->junit);
		o->cr_argv[o->cr_argc++] = o->xml;
	}
	snprintf(o->jobs, sizeof(o->jobs), "--jobs=%s",
		 getenv("HV_JOBS") ? getenv("HV_JOBS") : "2");
	o->cr_argv[o->cr_argc++] = o->jobs;
	o->cr_argv[o->cr_argc] = NULL;
}

static int write_probe(const struct report *rp)
{
	char path[600];
	const struct test_result *t = rp->ntests ? &rp->tests[0] : NULL;
	FILE *f;

	snprintf(path, sizeof(path), "%s/obj/grader/kvm.probe", grader_root());
	f = fopen(path, "w");
	if (!f)
		return 2;
	if (t && t->status == CR_STATUS_PASSED)
		fprintf(f, "ok\n");
	else
		fprintf(f, "%.*s\n",
			(int)strcspn(t ? t->message : "no run", "\n"),
			t ? t->message : "no run");
	fclose(f);
	printf("KVM probe boot: %s\n", t && t->status == CR_STATUS_PASSED ?
					       "ok" :
					       (t ? t->message : "no run"));
	return t && t->status == CR_STATUS_PASSED ? 0 : 1;
}

static int finish(struct options *o, double seconds)
{
	double score, max;
	int rc = 0;

	grader_report.seconds = seconds;
	report_settle(&grader_report);
	report_apply_points(&grader_report);
	if (o->probe)
		return write_probe(&grader_report);
	report_print(&grader_report, stdout, &score, &max);
	for (size_t i = 0; i < grader_report.ntests; i++)
		if (grader_report.tests[i].status == CR_STATUS_FAILED)
			rc = 1;
	if (o->suite[0] && score < max)
		rc = 1;
	if (o->gradescope &&
	    report_gradescope(&grader_report, o->gradescope) < 0)
		rc = 2;
	if (o->summary && report_summary_json(&grader_report, o->summary) < 0)
		rc = 2;
	if (o->handout > 0)
		rc = report_handout_check(&grader_report, o->handout) < 0;
	return rc;
}

int main(int argc, char **argv)
{
	static struct options o;
	struct machine m;
	double start = now_seconds();

	char self[32];

	snprintf(self, sizeof(self), "%d", (int)getpid());
	setenv("HV_GRADER_PID", self, 1);
	parse_options(argc, argv, &o);
	if (machine_select(&m) < 0)
		return 2;
	grader_report.machine = m.name;
	load_points();
	struct criterion_test_set *tests = criterion_initialize();
	int ok = criterion_handle_args(o.cr_argc, o.cr_argv, true);
	if (ok <= 0) {
		criterion_finalize(tests);
		return ok < 0 ? 2 : 0;
	}
	if (!o.probe)
		progress_start(count_selected(tests, o.suite,
					      o.test ? o.test : "*",
					      o.user_filter),
			       start);
	criterion_run_all_tests(tests);
	if (!o.probe &&
	    !expect_selected(tests, o.suite, o.test ? o.test : "*") && o.test) {
		fprintf(stderr, "grader: no test of %s matches \"%s\"\n",
			o.suite, o.test);
		criterion_finalize(tests);
		return 2;
	}
	criterion_finalize(tests);
	return finish(&o, now_seconds() - start);
}
