/*
 * report.c - points tables and result reports: the score table on the
 * terminal, Gradescope's results.json, a JSON summary for batch grading,
 * and the handout check (labs < N pass, lab N's student tests fail).
 *
 * A points table is grader/labs/SUITE.points (plus GRADER_EXTRA/SUITE.points
 * for hidden tests), one test a line:  NAME POINTS [student] [HINT]
 * HINT, where to look when the test fails, is DOC "SECTION" and what to
 * read there, to the end of the line (a # starts a comment), e.g.
 * labs/lab1.md "What you write", page_free() in kernel/mm/page.c; the
 * score table prints it under the test's FAIL.
 */
#define _GNU_SOURCE /* FNM_EXTMATCH: the globs Criterion's --filter takes */
#include <ctype.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include "internal.h"

/* The result of suite/name, or NULL if it has none yet. */
struct test_result *report_find(struct report *rp, const char *suite,
				const char *name)
{
	for (size_t i = 0; i < rp->ntests; i++)
		if (strcmp(rp->tests[i].suite, suite) == 0 &&
		    strcmp(rp->tests[i].name, name) == 0)
			return &rp->tests[i];
	return NULL;
}

/*
 * Sets suite/name's result, appending it if the test has none yet (one row
 * a test); exits the grader when out of memory.  The row is not finished.
 */
struct test_result *report_add(struct report *rp, const char *suite,
			       const char *name, int status,
			       const char *message, double seconds)
{
	struct test_result *t = report_find(rp, suite, name);

	if (!t) {
		rp->tests = realloc(rp->tests,
				    (rp->ntests + 1) * sizeof(*rp->tests));
		if (!rp->tests) {
			fprintf(stderr, "grader: out of memory\n");
			exit(2);
		}
		t = &rp->tests[rp->ntests++];
		memset(t, 0, sizeof(*t));
		snprintf(t->suite, sizeof(t->suite), "%s", suite);
		snprintf(t->name, sizeof(t->name), "%s", name);
	}
	snprintf(t->message, sizeof(t->message), "%s", message ? message : "");
	t->status = status;
	t->seconds = seconds;
	t->finished = 0;
	return t;
}

/*
 * The run selected suite/name: without a result from Criterion it is a
 * failure, so a test that never reported still costs its points.
 */
void report_expect(struct report *rp, const char *suite, const char *name)
{
	if (!report_find(rp, suite, name))
		report_add(rp, suite, name, CR_STATUS_FAILED,
			   "[not run] the "
			   "test never reported a result",
			   0)
			->finished = 1;
}

/*
 * Expects every test of suite listed in the points tables whose name
 * matches the glob test (fnmatch, extended); returns how many.
 */
int report_expect_table(struct report *rp, const char *suite, const char *test)
{
	int n = 0;

	for (size_t k = 0; k < rp->ntable; k++)
		if (strcmp(rp->table[k].suite, suite) == 0 &&
		    fnmatch(test, rp->table[k].name, FNM_EXTMATCH) == 0) {
			report_expect(rp, suite, rp->table[k].name);
			n++;
		}
	return n;
}

/*
 * After the run: a test Criterion did not see to its end (its process died
 * in its teardown) fails, and so does a SKIP without a reason; only a SKIP
 * that says why (a missing capability) stays out of the score.
 */
void report_settle(struct report *rp)
{
	for (size_t i = 0; i < rp->ntests; i++) {
		struct test_result *t = &rp->tests[i];
		char msg[sizeof(t->message)];

		if (!t->finished) {
			snprintf(
				msg, sizeof(msg),
				"[grader crash] the test process "
				"died after its body, in its teardown%s%.3900s",
				t->message[0] ? "\n       " : "", t->message);
			report_add(rp, t->suite, t->name, CR_STATUS_FAILED, msg,
				   t->seconds);
		} else if (t->status == CR_STATUS_SKIPPED && !t->message[0]) {
			report_add(rp, t->suite, t->name, CR_STATUS_FAILED,
				   "[not run] skipped without a reason",
				   t->seconds);
		}
		t->finished = 1;
	}
}

/*
 * Splits a hint, DOC "SECTION"..., into doc and section; 0, or -1 if it
 * does not start that way.
 */
int report_hint_section(const char *hint, char *doc, size_t doclen,
			char *section, size_t seclen)
{
	const char *open = strstr(hint, " \""),
		   *close = open ? strchr(open + 2, '"') : NULL;

	if (!open || !close || close == open + 2 || strchr(hint, ' ') < open)
		return -1;
	snprintf(doc, doclen, "%.*s", (int)(open - hint), hint);
	snprintf(section, seclen, "%.*s", (int)(close - open - 2), open + 2);
	return 0;
}

static int points_line(struct report *rp, const char *suite, char *line,
		       const char *path, int lineno)
{
	char name[128], doc[400], section[400];
	double pts;
	struct points *p;
	int n, at = 0, end, student;

	line[strcspn(line, "#\n")] = '\0';
	n = sscanf(line, "%127s %lf %n", name, &pts, &at);
	if (n <= 0)
		return 0;
	student = strncmp(line + at, "student", 7) == 0 &&
		  strchr(" \t", line[at + 7]);
	if (student)
		at += 7 + strspn(line + at + 7, " \t");
	for (end = strlen(line);
	     end > at && isspace((unsigned char)line[end - 1]);)
		line[--end] = '\0';
	if (n < 2 || pts < 0 ||
	    (line[at] && report_hint_section(line + at, doc, sizeof(doc),
					     section, sizeof(section)) < 0)) {
		fprintf(stderr,
			"%s:%d: want TEST POINTS [student] "
			"[DOC \"SECTION\"...], got \"%s\"\n",
			path, lineno, line);
		return -1;
	}
	rp->table = realloc(rp->table, (rp->ntable + 1) * sizeof(*rp->table));
	if (!rp->table)
		return -1;
	p = &rp->table[rp->ntable++];
	snprintf(p->suite, sizeof(p->suite), "%s", suite);
	snprintf(p->name, sizeof(p->name), "%s", name);
	snprintf(p->hint, sizeof(p->hint), "%s", line + at);
	snprintf(p->origin, sizeof(p->origin), "%s:%d", path, lineno);
	p->points = pts;
	p->student = student;
	return 0;
}

/* Loads path (SUITE.points) if it exists; -1 on a malformed line. */
int report_load_points(struct report *rp, const char *path)
{
	char line[1024], suite[64];
	const char *base = strrchr(path, '/');
	int lineno = 0, rc = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return 0;
	snprintf(suite, sizeof(suite), "%s", base ? base + 1 : path);
	suite[strcspn(suite, ".")] = '\0';
	while (fgets(line, sizeof(line), f))
		if (points_line(rp, suite, line, path, ++lineno) < 0)
			rc = -1;
	fclose(f);
	return rc;
}

/*
 * Gives each result its points from the table: the last entry wins, and
 * the last hint.
 */
void report_apply_points(struct report *rp)
{
	for (size_t i = 0; i < rp->ntests; i++) {
		struct test_result *t = &rp->tests[i];
		for (size_t k = 0; k < rp->ntable; k++)
			if (strcmp(rp->table[k].suite, t->suite) == 0 &&
			    strcmp(rp->table[k].name, t->name) == 0) {
				t->max_points = rp->table[k].points;
				t->student = rp->table[k].student;
				if (rp->table[k].hint[0])
					t->hint = rp->table[k].hint;
			}
		t->points = t->status == CR_STATUS_PASSED ? t->max_points : 0;
	}
}

static const char *status_name(int status)
{
	return status == CR_STATUS_PASSED  ? "PASS" :
	       status == CR_STATUS_SKIPPED ? "SKIP" :
					     "FAIL";
}

/* Prints the score table; skipped tests count toward neither sum. */
void report_print(const struct report *rp, FILE *out, double *score,
		  double *max)
{
	*score = *max = 0;
	fprintf(out, "\n%-6s %-36s %9s %7s\n", "", "test", "points", "time");
	for (size_t i = 0; i < rp->ntests; i++) {
		const struct test_result *t = &rp->tests[i];
		char full[200];
		snprintf(full, sizeof(full), "%s/%s", t->suite, t->name);
		fprintf(out, "%-6s %-36s %4g/%-4g %6.1fs\n",
			status_name(t->status), full, t->points, t->max_points,
			t->seconds);
		if (t->status != CR_STATUS_PASSED && t->message[0])
			fprintf(out, "       %s\n", t->message);
		if (t->status == CR_STATUS_FAILED && t->hint && t->hint[0])
			fprintf(out, "       look at: %s\n", t->hint);
		if (t->status != CR_STATUS_SKIPPED) {
			*score += t->points;
			*max += t->max_points;
		}
	}
	fprintf(out, "\nScore: %g/%g on %s in %.1f s\n", *score, *max,
		rp->machine, rp->seconds);
}

static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* The failure class from a "[class] ..." message, or "". */
static void message_class(const char *msg, char *out, size_t len)
{
	const char *open = strchr(msg, '['),
		   *close = open ? strchr(open, ']') : NULL;

	if (!open || !close)
		snprintf(out, len, "%s", "");
	else
		snprintf(out, len, "%.*s", (int)(close - open - 1), open + 1);
}

/*
 * Writes path in Gradescope's results.json format, a failure's class as
 * its tag; 0, or -1 on I/O error.
 */
int report_gradescope(const struct report *rp, const char *path)
{
	double score = 0;
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	for (size_t i = 0; i < rp->ntests; i++)
		score += rp->tests[i].points;
	fprintf(f,
		"{\n  \"score\": %g,\n  \"execution_time\": %.0f,\n"
		"  \"output\": ",
		score, rp->seconds);
	json_string(f, rp->machine);
	fprintf(f, ",\n  \"tests\": [");
	for (size_t i = 0; i < rp->ntests; i++) {
		const struct test_result *t = &rp->tests[i];
		char name[200];
		snprintf(name, sizeof(name), "%s/%s", t->suite, t->name);
		fprintf(f, "%s\n    {\"name\": ", i ? "," : "");
		json_string(f, name);
		fprintf(f,
			", \"score\": %g, \"max_score\": %g, \"status\": "
			"\"%s\", "
			"\"output\": ",
			t->points, t->max_points,
			t->status == CR_STATUS_PASSED ? "passed" : "failed");
		bool hint = t->status == CR_STATUS_FAILED && t->hint &&
			    t->hint[0];
		char msg[sizeof(t->message) + 400];
		snprintf(msg, sizeof(msg), "%s%s%s%s",
			 t->status == CR_STATUS_SKIPPED ? "skipped: " : "",
			 t->message, hint ? "\nlook at: " : "",
			 hint ? t->hint : "");
		json_string(f, msg);
		char cls[64];
		message_class(t->message, cls, sizeof(cls));
		fprintf(f, ", \"visibility\": \"visible\", \"tags\": [");
		if (t->status == CR_STATUS_FAILED && cls[0])
			json_string(f, cls);
		fputs("]}", f);
	}
	fprintf(f, "\n  ]\n}\n");
	return fclose(f);
}

/*
 * Writes path as one JSON object for batch grading, totals and per-test
 * status/class; 0, or -1 on I/O error.
 */
int report_summary_json(const struct report *rp, const char *path)
{
	double score = 0, max = 0;
	size_t counts[3] = { 0 };
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	for (size_t i = 0; i < rp->ntests; i++) {
		counts[rp->tests[i].status]++;
		score += rp->tests[i].points;
		if (rp->tests[i].status != CR_STATUS_SKIPPED)
			max += rp->tests[i].max_points;
	}
	fprintf(f,
		"{\"score\": %g, \"max_score\": %g, \"passed\": %zu, "
		"\"failed\": %zu, \"skipped\": %zu, \"seconds\": %.1f, "
		"\"machine\": ",
		score, max, counts[CR_STATUS_PASSED], counts[CR_STATUS_FAILED],
		counts[CR_STATUS_SKIPPED], rp->seconds);
	json_string(f, rp->machine);
	fprintf(f, ", \"tests\": [");
	for (size_t i = 0; i < rp->ntests; i++) {
		const struct test_result *t = &rp->tests[i];
		char cls[64];
		message_class(t->message, cls, sizeof(cls));
		fprintf(f,
			"%s\n  {\"suite\": \"%s\", \"name\": \"%s\", "
			"\"status\": "
			"\"%s\", \"points\": %g, \"max_points\": %g, "
			"\"class\": ",
			i ? "," : "", t->suite, t->name, status_name(t->status),
			t->points, t->max_points);
		json_string(f, cls);
		fputc('}', f);
	}
	fprintf(f, "\n]}\n");
	return fclose(f);
}

static int suite_lab(const char *suite)
{
	int n;

	return sscanf(suite, "lab%d", &n) == 1 ? n : -1;
}

/*
 * For the lab-N handout: every test of labs < N passes and every lab-N test
 * marked "student" fails.  Returns 0 if so, else prints what broke and -1.
 */
int report_handout_check(const struct report *rp, int lab)
{
	int bad = 0, student = 0;

	for (size_t i = 0; i < rp->ntests; i++) {
		const struct test_result *t = &rp->tests[i];
		int k = suite_lab(t->suite);
		if (k >= 0 && k < lab && t->status != CR_STATUS_PASSED) {
			printf("handout lab %d: %s/%s should pass: %s\n", lab,
			       t->suite, t->name, status_name(t->status));
			bad = 1;
		}
		if (k == lab && t->student) {
			student++;
			if (t->status != CR_STATUS_FAILED) {
				printf("handout lab %d: %s/%s exercises "
				       "student code "
				       "but did not fail (%s)\n",
				       lab, t->suite, t->name,
				       status_name(t->status));
				bad = 1;
			}
		}
	}
	if (student == 0) {
		printf("handout lab %d: no lab-%d test marked student ran\n",
		       lab, lab);
		bad = 1;
	}
	return bad ? -1 : 0;
}
