/*
 * expect.c - assertions for lab tests.  A failure message starts with its
 * class in brackets ([wrong result], [hypervisor panic], [triple fault],
 * [unexpected reset], [VM-entry failure], [timeout], [output flood],
 * [machine error]), shows the hypervisor's reason lines, then the dump or
 * the last lines, and ends with the path of the saved serial log.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <criterion/criterion.h>
#include "internal.h"

#define DUMP_LINES   10
#define TAIL_LINES   6
#define REASON_LINES 6

const struct hv_line *hv_find_result(const struct hv_run *r, const char *text)
{
	for (size_t i = 0; i < r->nlines; i++)
		if (r->lines[i].tokened && strcmp(r->lines[i].text, text) == 0)
			return &r->lines[i];
	return NULL;
}

const struct hv_line *hv_find_output(const struct hv_run *r, const char *text)
{
	for (size_t i = 0; i < r->nlines; i++)
		if (strstr(r->lines[i].text, text))
			return &r->lines[i];
	return NULL;
}

long hv_line_from(const struct hv_run *r, long from, const char *prefix)
{
	for (long i = from; i >= 0 && i < (long)r->nlines; i++)
		if (strncmp(r->lines[i].text, prefix, strlen(prefix)) == 0)
			return i;
	return -1;
}

long hv_line_with(const struct hv_run *r, long from, long to, const char *text)
{
	for (long i = from; i >= 0 && i < to && i < (long)r->nlines; i++)
		if (strstr(r->lines[i].text, text))
			return i;
	return -1;
}

long hv_dom0_cmd(const struct hv_run *r, const char *command, int nth)
{
	char echo[128];
	long i = -1;

	snprintf(echo, sizeof(echo), "dom0# %s", command);
	while (nth-- > 0)
		if ((i = hv_line_from(r, i + 1, echo)) < 0)
			cr_assert_fail("[wrong result] dom0 never ran \"%s\"\n"
				       "  %s",
				       command, hv_diagnose(r));
	return i;
}

const struct hv_line *hv_find_result_with(const struct hv_run *r,
					  const char *prefix, const char *text)
{
	for (size_t i = 0; i < r->nlines; i++)
		if (r->lines[i].tokened &&
		    strncmp(r->lines[i].text, prefix, strlen(prefix)) == 0 &&
		    strstr(r->lines[i].text, text))
			return &r->lines[i];
	return NULL;
}

static size_t find_prefix(const struct hv_run *r, const char *prefix)
{
	size_t plen = strlen(prefix);

	for (size_t i = 0; i < r->nlines; i++)
		if (strncmp(r->lines[i].text, prefix, plen) == 0)
			return i;
	return r->nlines;
}

static void append_lines(char *buf, size_t len, const struct hv_run *r,
			 size_t from, size_t n)
{
	for (size_t i = from; i < r->nlines && i < from + n; i++) {
		size_t used = strlen(buf);
		snprintf(buf + used, len - used, "\n    | %.160s",
			 r->lines[i].text);
	}
}

/* Appends the last n non-blank lines of DIR/name, each marked "name|". */
static void append_file_tail(char *buf, size_t len, const char *dir,
			     const char *name, size_t n)
{
	char path[700], l[200], line[TAIL_LINES][200];
	size_t seen = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(l, sizeof(l), f)) {
		l[strcspn(l, "\r\n")] = '\0';
		if (l[strspn(l, " =")] != '\0')
			memcpy(line[seen++ % n], l, sizeof(l));
	}
	fclose(f);
	for (size_t i = seen > n ? seen - n : 0; i < seen; i++) {
		size_t used = strlen(buf);
		snprintf(buf + used, len - used, "\n    %s| %s", name,
			 line[i % n]);
	}
}

/*
 * A line where the hypervisor says why something stopped, as kernel/, te/,
 * vmx/ and svm/ print it (docs/grader.md): a panic or host exception, a
 * domain that crashed or whose config was rejected, te's "te: DOMAIN: ..."
 * delivery failures, a failed VM entry, VMX instruction or enabling, and
 * any "hvlab..." line that says "cannot".  Guest output ("DOMAIN: ...")
 * never matches.
 */
static int reason_line(const char *l)
{
	static const struct {
		const char *prefix, *says; /* says: NULL for any */
	} reasons[] = {
		{ "hvlab: panic at ", NULL },
		{ "hvlab: recursive panic at ", NULL },
		{ "hvlab: exception ", NULL },
		{ "domain ", ": crashed (" },
		{ "config ", ": rejected" },
		{ "vmx: ", " failed" },
		{ "svm: ", " failed" },
		{ "virt: ", " failed" },
		{ "hvlab", "cannot " },
	};
	const char *w;

	for (size_t k = 0; k < sizeof(reasons) / sizeof(reasons[0]); k++)
		if (strncmp(l, reasons[k].prefix, strlen(reasons[k].prefix)) ==
			    0 &&
		    (!reasons[k].says || strstr(l, reasons[k].says)))
			return 1;
	/* te's own lines about a domain: "te: DOMAIN: what went wrong". */
	if (strncmp(l, "te: ", 4) != 0)
		return 0;
	w = l + 4 + strcspn(l + 4, " :");
	return w[0] == ':' && w[1] == ' ';
}

/*
 * A failed start and a rejected config print their cause on the line
 * before (kernel/domain.c): that line is a reason too.
 */
static int reason_at(const struct hv_run *r, size_t i)
{
	const char *next = i + 1 < r->nlines ? r->lines[i + 1].text : "";

	return reason_line(r->lines[i].text) ||
	       (strncmp(next, "domain ", 7) == 0 &&
		strstr(next, ": crashed (failed to start)")) ||
	       (strncmp(next, "config ", 7) == 0 && strstr(next, ": rejected"));
}

/*
 * Appends the first REASON_LINES reason lines outside [skip, skip + nskip)
 * under a heading, then next_heading if there were any; returns how many.
 */
static size_t append_reasons(char *buf, size_t len, const struct hv_run *r,
			     size_t skip, size_t nskip,
			     const char *next_heading)
{
	size_t shown = 0, used;

	for (size_t i = 0; i < r->nlines && shown < REASON_LINES; i++) {
		used = strlen(buf);
		if ((i >= skip && i < skip + nskip) || !reason_at(r, i))
			continue;
		snprintf(buf + used, len - used, "%s\n    ! %.160s",
			 shown ? "" : "\n  the hypervisor said:",
			 r->lines[i].text);
		shown++;
	}
	used = strlen(buf);
	if (shown)
		snprintf(buf + used, len - used, "\n  %s", next_heading);
	return shown;
}

static size_t dump_start(const struct hv_run *r, const char **cls)
{
	static const struct {
		const char *prefix, *cls;
	} marks[] = {
		{ "hvlab: panic at ", "hypervisor panic" },
		{ "hvlab: exception", "hypervisor exception" },
		{ "vmx: VM-entry failed", "VM-entry failure" },
		{ "vmx: VM entry failed", "VM-entry failure" },
		{ "svm: VMRUN failed", "VM-entry failure" },
	};

	for (size_t k = 0; k < sizeof(marks) / sizeof(marks[0]); k++) {
		size_t i = find_prefix(r, marks[k].prefix);
		if (i < r->nlines) {
			*cls = marks[k].cls;
			return i;
		}
	}
	return r->nlines;
}

static const char *stop_class(const struct hv_run *r)
{
	switch (r->stop) {
	case HV_STOP_TRIPLE_FAULT: return "triple fault";
	case HV_STOP_RESET: return "unexpected reset";
	case HV_STOP_PROGRESS:
	case HV_STOP_TIMEOUT: return "timeout";
	case HV_STOP_FLOOD: return "output flood";
	case HV_STOP_ERROR: return "machine error";
	default: return "wrong result";
	}
}

static const char *stop_detail(const struct hv_run *r)
{
	static char buf[600];

	switch (r->stop) {
	case HV_STOP_TRIPLE_FAULT: return "the CPU shut down (triple fault)";
	case HV_STOP_RESET:
		return "the machine reset or powered off without an exit "
		       "status";
	case HV_STOP_PROGRESS: return "no new output; the machine was killed";
	case HV_STOP_TIMEOUT:
		return "still running at the overall time limit; killed";
	case HV_STOP_FLOOD: return "more than 2 MiB of output; killed";
	case HV_STOP_ERROR:
		snprintf(buf, sizeof(buf), "%s", r->error);
		return buf;
	default:
		snprintf(buf, sizeof(buf), "machine stopped with status %d",
			 r->machine_status);
		return buf;
	}
}

/*
 * "[class] detail" plus evidence: the hypervisor's reason lines first (they
 * may be far above the end), then the dump of a panic, exception or failed
 * VM entry, else the last lines seen.  Static storage.
 */
const char *hv_diagnose(const struct hv_run *r)
{
	static char buf[4096];
	const char *cls = NULL;
	size_t d = dump_start(r, &cls);

	if (cls && r->stop != HV_STOP_FLOOD) {
		snprintf(buf, sizeof(buf), "[%s] after %.1f s on %s:", cls,
			 r->seconds, r->machine);
		append_reasons(buf, sizeof(buf), r, d, DUMP_LINES, "the dump:");
		append_lines(buf, sizeof(buf), r, d, DUMP_LINES);
	} else if (r->stop == HV_STOP_ERROR) {
		snprintf(buf, sizeof(buf),
			 "[%s] %s after %.1f s on %s; its "
			 "last lines:",
			 stop_class(r), stop_detail(r), r->seconds, r->machine);
		append_file_tail(buf, sizeof(buf), r->dir, "machine.out",
				 TAIL_LINES);
		if (strncmp(r->machine, "bochs", 5) == 0)
			append_file_tail(buf, sizeof(buf), r->dir, "bochs.log",
					 3);
	} else {
		snprintf(buf, sizeof(buf), "[%s] %s after %.1f s on %s;",
			 stop_class(r), stop_detail(r), r->seconds, r->machine);
		if (!append_reasons(buf, sizeof(buf), r, 0, 0, "last lines:"))
			strcat(buf, " last lines:");
		append_lines(buf, sizeof(buf), r,
			     r->nlines > TAIL_LINES ? r->nlines - TAIL_LINES :
						      0,
			     TAIL_LINES);
	}
	size_t used = strlen(buf);
	snprintf(buf + used, sizeof(buf) - used, "\n    log: %s", r->log);
	return buf;
}

void expect_result(struct hv_run *r, const char *text)
{
	if (!hv_find_result(r, text))
		cr_assert_fail("expected result line \"%s\"\n  %s", text,
			       hv_diagnose(r));
}

void expect_output(struct hv_run *r, const char *text)
{
	if (!hv_find_output(r, text))
		cr_assert_fail("expected output containing \"%s\"\n  %s", text,
			       hv_diagnose(r));
}

static int exit_line(const struct hv_run *r, long *status)
{
	for (size_t i = 0; i < r->nlines; i++)
		if (r->lines[i].tokened &&
		    serial_parse_int(r->lines[i].text, "hvlab: exit status ",
				     status) == 0)
			return 1;
	return 0;
}

void expect_exit(struct hv_run *r, int status)
{
	long said;

	if (!exit_line(r, &said) || said != status)
		cr_assert_fail(
			"expected result line \"hvlab: exit status %d\"\n  %s",
			status, hv_diagnose(r));
	else if (r->stop != HV_STOP_EXIT)
		cr_assert_fail("expected the machine to power off with status "
			       "%d\n  %s",
			       status, hv_diagnose(r));
	else if (r->machine_status >= 0 && r->machine_status != status)
		cr_assert_fail(
			"[wrong result] printed exit status %d but the machine "
			"stopped with %d\n    log: %s",
			status, r->machine_status, r->log);
}

void expect_failure_exit(struct hv_run *r)
{
	long said;

	if (exit_line(r, &said) && said == 0)
		cr_assert_fail(
			"[wrong result] expected a failure, got \"hvlab: exit "
			"status 0\"\n    log: %s",
			r->log);
	else if (r->stop != HV_STOP_EXIT || r->machine_status == 0)
		cr_assert_fail(
			"expected a power-off with a failure status\n  %s",
			hv_diagnose(r));
}

void expect_domain_exit(struct hv_run *r, const char *name, int status)
{
	char want[256];

	snprintf(want, sizeof(want), "domain %s: exit %d", name, status);
	expect_result(r, want);
}

void expect_guest_passed(struct hv_run *r, const char *name,
			 const char *const passes[])
{
	char want[256], missing[2048] = "";
	const struct hv_line *l;
	size_t len = 0;

	for (; passes && *passes; passes++) {
		snprintf(want, sizeof(want), "%s: PASS: %s", name, *passes);
		if (!hv_find_result_with(r, want, "") && len < sizeof(missing))
			len += (size_t)snprintf(missing + len,
						sizeof(missing) - len,
						"\n    \"%s...\"", want);
	}
	cr_expect(len == 0, "[wrong result] no line%s\n  %s", missing,
		  hv_diagnose(r));
	snprintf(want, sizeof(want), "%s: FAIL: ", name);
	l = hv_find_result_with(r, want, "");
	cr_expect(l == NULL, "[wrong result] %s\n    log: %s", l ? l->text : "",
		  r->log);
	snprintf(want, sizeof(want), "%s: SUMMARY: ", name);
	l = hv_find_result_with(r, want, "");
	cr_expect(l && strstr(l->text, " tests, 0 failed"),
		  "[wrong result] no line \"%sN tests, 0 failed\"\n  %s", want,
		  hv_diagnose(r));
	expect_domain_exit(r, name, 0);
}

void expect_crash_with(struct hv_run *r, const char *name, const char *text)
{
	char prefix[128];
	const struct hv_line *l;

	snprintf(prefix, sizeof(prefix), "domain %s: crashed (", name);
	l = hv_find_result_with(r, prefix, "");
	cr_expect(l && strstr(l->text, text),
		  "[wrong result] expected result line \"%s...%s...)\", got "
		  "\"%s\"\n  %s",
		  prefix, text, l ? l->text : "none", hv_diagnose(r));
}

const char *expect_dump(struct hv_run *r)
{
	const char *cls = NULL;
	size_t d = dump_start(r, &cls);

	if (!cls || strcmp(cls, "VM-entry failure") == 0) {
		cr_assert_fail("expected a panic or exception dump\n  %s",
			       hv_diagnose(r));
		return "";
	}
	return r->lines[d].text;
}

/* Appends the lines of log that say what failed to buf (len bytes). */
static void host_test_failures(const char *log, char *buf, size_t len)
{
	char line[512];
	FILE *f = fopen(log, "r");
	size_t n = 0;

	while (f && fgets(line, sizeof(line), f) && n + sizeof(line) < len) {
		if (strstr(line, "[FAIL]") ||
		    strstr(line, "Assertion Failed") ||
		    (strncmp(line, "[----]   ", 9) == 0 && line[9] > ' '))
			n += (size_t)snprintf(buf + n, len - n, "  %s", line);
	}
	if (f)
		fclose(f);
}

void expect_host_test(const char *name, const char *suite)
{
	char path[512], log[512], filter[128], failed[4096] = "";
	/* A fresh environment: Criterion's own would make it a worker. */
	char *argv[] = { "env", "-i", path, "--jobs", "1", filter, NULL };
	int rc;

	snprintf(path, sizeof(path), "%.300s/obj/grader/build.failed",
		 grader_root());
	if (access(path, F_OK) == 0)
		cr_assert_fail(
			"[build error] the tree did not build (run make; "
			"see obj/grader/build.log)");
	snprintf(path, sizeof(path), "%.300s/obj/tests/%s", grader_root(),
		 name);
	snprintf(filter, sizeof(filter), "--filter=%.100s/*",
		 suite ? suite : "*");
	snprintf(log, sizeof(log), "%.300s/obj/grader/%s%s%.100s.log",
		 grader_root(), name, suite ? "." : "", suite ? suite : "");
	if (access(path, X_OK) != 0)
		cr_assert_fail("[build error] obj/tests/%s missing (run make "
			       "grade)",
			       name);
	rc = run_command(argv, log, 120);
	if (rc == 0)
		return;
	host_test_failures(log, failed, sizeof(failed));
	cr_assert_fail("[wrong result] obj/tests/%s %s (log: %s)\n%s", name,
		       rc < 0 ? "crashed or timed out" : "has failing tests",
		       log + strlen(grader_root()) + 1, failed);
}
