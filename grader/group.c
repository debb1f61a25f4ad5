/*
 * group.c - hv_boot_group: one boot shared by several tests, so that a
 * boot with many domains (slow under Bochs) is scored domain by domain.
 *
 * Criterion runs each test in its own process, so the result is shared
 * through the group's run directory: the first test takes the group's
 * lock, boots and saves the result in RUNDIR/result; the others wait for
 * the lock and load it.  A saved result counts only for the grader run
 * that wrote it (the grader's pid and start time).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <criterion/criterion.h>
#include "internal.h"

/* "PID:STARTTIME" of the grader process; "" outside the grader. */
static void group_session(char *buf, size_t len)
{
	const char *pid = getenv("HV_GRADER_PID");
	char path[64], stat[1024];
	unsigned long long start = 0;
	FILE *f;
	size_t n;

	buf[0] = '\0';
	if (!pid || !*pid)
		return;
	snprintf(path, sizeof(path), "/proc/%s/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return;
	n = fread(stat, 1, sizeof(stat) - 1, f);
	fclose(f);
	stat[n] = '\0';
	/* After the ")" that ends comm: fields 3.. ; starttime is field 22. */
	char *p = strrchr(stat, ')');
	if (!p || sscanf(p + 1,
			 " %*c"
			 " %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u"
			 " %*u %*u %*d %*d %*d %*d %*d %*d %llu",
			 &start) != 1)
		return;
	snprintf(buf, len, "%s:%llu", pid, start);
}

static void group_save(const char *path, const char *session,
		       const struct hv_run *r)
{
	char tmp[700];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return;
	fprintf(f,
		"session %s\nstop %d\nstatus %d\nseconds %f\nready %f\n"
		"token %s\nmachine %s\nerror %.*s\nlines %zu\n",
		session, r->stop, r->machine_status, r->seconds, r->ready_us,
		r->token, r->machine, (int)strcspn(r->error, "\n"), r->error,
		r->nlines);
	for (size_t i = 0; i < r->nlines; i++)
		fprintf(f, "%c%s\n", r->lines[i].tokened ? 'T' : '-',
			r->lines[i].text);
	if (fclose(f) == 0)
		rename(tmp, path);
}

/* Reads "KEY rest-of-line" into val (newline removed); 0 on success. */
static int group_field(FILE *f, const char *key, char *val, size_t len)
{
	char line[SERIAL_LINE_MAX + 16];
	size_t klen = strlen(key);

	if (!fgets(line, sizeof(line), f) || strncmp(line, key, klen) != 0 ||
	    line[klen] != ' ')
		return -1;
	line[strcspn(line, "\n")] = '\0';
	snprintf(val, len, "%s", line + klen + 1);
	return 0;
}

static struct hv_run *group_load(const char *path, const char *session,
				 const char *dir)
{
	char v[SERIAL_LINE_MAX + 16], saved[64];
	struct hv_run *r;
	int stop;
	size_t n;
	FILE *f = fopen(path, "r");

	if (!f)
		return NULL;
	r = calloc(1, sizeof(*r));
	if (!r)
		cr_assert_fail("grader: out of memory");
	if (fscanf(f,
		   "session %63s stop %d status %d seconds %lf ready %lf "
		   "token %32s machine %63s",
		   saved, &stop, &r->machine_status, &r->seconds, &r->ready_us,
		   r->token, r->machine) != 7 ||
	    strcmp(saved, session) != 0 || fgetc(f) != '\n' ||
	    group_field(f, "error", r->error, sizeof(r->error)) ||
	    group_field(f, "lines", v, sizeof(v)))
		goto stale;
	r->stop = (enum hv_stop)stop;
	n = strtoul(v, NULL, 10);
	r->lines = calloc(n ? n : 1, sizeof(*r->lines));
	if (!r->lines)
		cr_assert_fail("grader: out of memory");
	for (r->nlines = 0; r->nlines < n; r->nlines++) {
		if (!fgets(v, sizeof(v), f) || (v[0] != 'T' && v[0] != '-'))
			goto stale;
		v[strcspn(v, "\n")] = '\0';
		r->lines[r->nlines].tokened = v[0] == 'T';
		r->lines[r->nlines].text = strdup(v + 1);
		if (!r->lines[r->nlines].text)
			cr_assert_fail("grader: out of memory");
	}
	fclose(f);
	snprintf(r->dir, sizeof(r->dir), "%s", dir);
	snprintf(r->log, sizeof(r->log), "%s/serial.log", dir);
	return r;
stale:
	fclose(f);
	for (size_t i = 0; i < r->nlines; i++)
		free(r->lines[i].text);
	free(r->lines);
	free(r);
	return NULL;
}

struct hv_run *hv_boot_group(const char *group, const struct hv_cfg *cfg)
{
	const char *suite = criterion_current_suite ?
				    criterion_current_suite->name :
				    "adhoc";
	char name[128], runs[320], dir[512], lock[600], result[600],
		session[64];
	struct hv_run *r;
	int fd;

	snprintf(name, sizeof(name), "group-%.100s", group);
	snprintf(runs, sizeof(runs), "%.300s/obj/grader/runs", grader_root());
	snprintf(dir, sizeof(dir), "%s/%.60s.%s", runs, suite, name);
	snprintf(lock, sizeof(lock), "%s.lock", dir);
	snprintf(result, sizeof(result), "%s/result", dir);
	group_session(session, sizeof(session));
	if (mkdir(runs, 0755) < 0 && errno != EEXIST)
		cr_assert_fail("[machine error] cannot create %s", runs);
	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0 || flock(fd, LOCK_EX) < 0)
		cr_assert_fail("[machine error] %s: %s", lock, strerror(errno));
	r = session[0] ? group_load(result, session, dir) : NULL;
	if (!r) {
		r = run_boot(cfg, name);
		if (session[0])
			group_save(result, session, r);
	}
	close(fd);
	run_require_machine(r);
	return r;
}
