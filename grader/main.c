/*
 * main.c - the grader binary: runs the Criterion lab tests and writes the
 * reports.
 *
 *   grader [--lab N] [--gradescope FILE] [--junit FILE] [--summary FILE]
 *          [--handout-check N] [--probe-kvm] [Criterion options...]
 *
 * --lab N runs suite labN and exits 1 below full marks; --handout-check N
 * exits 1 unless labs < N pass and lab N's student tests fail.  Machine
 * choice comes from HV_ACCEL / HV_VENDOR (docs/grader.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <criterion/criterion.h>
#include <criterion/hooks.h>
#include "internal.h"

static struct report grader_report;

static void message_of(struct criterion_test_stats *st, char *buf, size_t len)
{
	buf[0] = '\0';
	if (st->message)
		snprintf(buf, len, "%s", st->message);
	for (struct criterion_assert_stats *a = st->asserts; a; a = a->next)
		if (!a->passed && a->message) {
			size_t used = strlen(buf);
			snprintf(buf + used, len - used, "%s%s", used ? "\n       " : "",
				 a->message);
		}
	if (st->timed_out && !buf[0])
		snprintf(buf, len, "[timeout] killed by the Criterion test timeout");
	else if (st->crashed && !buf[0])
		snprintf(buf, len, "[machine error] the test process crashed "
			 "(signal %d)", st->signal);
}

/* Runs in the runner process after each test: record it, tidy its run dir. */
ReportHook(POST_TEST)(struct criterion_test_stats *st)
{
	char msg[1024], dir[600];

	message_of(st, msg, sizeof(msg));
	report_add(&grader_report, st->test->category, st->test->name,
		   st->test_status, msg, st->elapsed_time);
	if (st->test_status == CR_STATUS_PASSED && !getenv("HV_KEEP")) {
		snprintf(dir, sizeof(dir), "%s/obj/grader/runs/%s.%s",
			 grader_root(), st->test->category, st->test->name);
		rm_rf(dir);
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

static void load_points(void)
{
	const char *extra = getenv("GRADER_EXTRA");
	char path[700];

	for (int lab = 1; lab <= 8; lab++) {
		snprintf(path, sizeof(path), "%s/grader/labs/lab%d.points",
			 grader_root(), lab);
		if (report_load_points(&grader_report, path) < 0)
			exit(2);
		snprintf(path, sizeof(path), "%s/lab%d.points", extra ? extra : "", lab);
		if (extra && *extra && report_load_points(&grader_report, path) < 0)
			exit(2);
	}
}

struct options {
	int lab, handout, probe;
	const char *gradescope, *junit, *summary;
	char filter[64], xml[700], jobs[32];
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

static void parse_options(int argc, char **argv, struct options *o)
{
	o->cr_argv[o->cr_argc++] = argv[0];
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--lab") == 0)
			o->lab = atoi(opt_value(argc, argv, &i));
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
		else if (o->cr_argc < 56)
			o->cr_argv[o->cr_argc++] = argv[i];
	}
	if (o->probe) {
		setenv("HV_KVM_PROBING", "1", 1);
		setenv("HV_ACCEL", "kvm", 1);
		snprintf(o->filter, sizeof(o->filter), "--filter=probe/kvm");
	} else if (o->lab > 0) {
		snprintf(o->filter, sizeof(o->filter), "--filter=lab%d/*", o->lab);
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
		fprintf(f, "%.*s\n", (int)strcspn(t ? t->message : "no run", "\n"),
			t ? t->message : "no run");
	fclose(f);
	printf("KVM probe boot: %s\n", t && t->status == CR_STATUS_PASSED ?
	       "ok" : (t ? t->message : "no run"));
	return t && t->status == CR_STATUS_PASSED ? 0 : 1;
}

static int finish(struct options *o, double seconds)
{
	double score, max;
	int rc = 0;

	grader_report.seconds = seconds;
	report_apply_points(&grader_report);
	if (o->probe)
		return write_probe(&grader_report);
	report_print(&grader_report, stdout, &score, &max);
	for (size_t i = 0; i < grader_report.ntests; i++)
		if (grader_report.tests[i].status == CR_STATUS_FAILED)
			rc = 1;
	if (o->lab > 0 && score < max)
		rc = 1;
	if (o->gradescope && report_gradescope(&grader_report, o->gradescope) < 0)
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
	criterion_run_all_tests(tests);
	criterion_finalize(tests);
	return finish(&o, now_seconds() - start);
}
