/*
 * internal.h - the grader's pieces behind grader.h: the serial line
 * splitter, the machine runners, points and reports.
 */
#ifndef GRADER_INTERNAL_H
#define GRADER_INTERNAL_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>
#include "grader.h"

#define SERIAL_LINE_MAX	   4096
#define SERIAL_FLOOD_BYTES (2 << 20)

/* serial.c: splits raw serial bytes into lines without ANSI escapes. */
struct serial {
	char line[SERIAL_LINE_MAX];
	size_t len;
	int esc; /* 0, 1 after ESC, 2 inside CSI */
};
typedef void (*serial_emit_fn)(void *arg, const char *line);
void serial_feed(struct serial *s, const char *buf, size_t n,
		 serial_emit_fn emit, void *arg);
void serial_flush(struct serial *s, serial_emit_fn emit, void *arg);
int serial_strip_token(char *line, const char *token);
int serial_parse_int(const char *line, const char *prefix, long *out);

/* machine.c: which machine runs the tests, and how to start it. */
enum accel {
	ACCEL_TCG,
	ACCEL_KVM,
	ACCEL_BOCHS
};
enum vendor {
	VENDOR_SVM,
	VENDOR_VMX
};

struct machine {
	enum accel accel;
	enum vendor vendor;
	int has_virt; /* the guest CPU offers vendor's extension */
	char name[64];
	char unavailable[256]; /* non-empty: why this host cannot run it */
};

int machine_select(struct machine *m);
int machine_kvm_usable(char *why, size_t len);
int machine_tool_missing(enum accel accel, char *why, size_t len);

struct boot_job {
	const struct machine *m;
	const char *dir; /* run directory */
	const char *esp; /* ESP image */
	int mem_mb;
	const char *qemu_cpu; /* NULL: max */
	int serial_pipe; /* COM1 also on the FIFOs DIR/serial.in and .out */
};

/* Starts the machine in its own process group; fills *serial_fd. */
pid_t machine_start(const struct boot_job *job, int *serial_fd,
		    int *serial_is_file, char *err, size_t errlen);
/* Classifies a machine that exited on its own; HV_STOP_ERROR fills err. */
enum hv_stop machine_stopped(const struct boot_job *job, int wstatus,
			     int *status, char *err, size_t errlen);
void machine_kill(pid_t pid);
/* The start failed in a way one more boot cures (named in machine.c). */
int machine_start_raced(const struct hv_run *r);

/*
 * run.c: hv_boot with the run directory named SUITE.NAME (NULL: the
 * current test's name).
 */
struct hv_run *run_boot(const struct hv_cfg *cfg, const char *name);
/* Fails the current test with the diagnosis if the machine did not run. */
void run_require_machine(const struct hv_run *r);
/* How much a machine with load average load on ncpu CPUs stretches the
 * default time limits: load per CPU, at least 1. */
double run_load_scale(double load, long ncpu);

/* util.c */
double now_seconds(void);
int run_command(char *const argv[], const char *log, double timeout);
int write_file(const char *path, const char *text);
int copy_file(const char *from, const char *to);
int rm_rf(const char *path);
const char *grader_root(void);
void random_token(char *out, size_t hexlen);

/* progress.c: the live progress line on a terminal. */
void progress_start(int total, double start);
void progress_test(const char *suite, const char *name);
void progress_hide(void);
void progress_stop(void);

/* report.c: points and the reports that main writes after the run. */
struct test_result {
	char suite[64];
	char name[128];
	int status; /* CR_STATUS_* */
	char message[4096];
	double seconds;
	double points;
	double max_points;
	int student;	  /* exercises student code (handout check) */
	int finished;	  /* Criterion saw the test to its end */
	const char *hint; /* where to look on a FAIL (its points entry) */
};

struct points {
	char suite[64];
	char name[128];
	double points;
	int student;
	char hint[400];	  /* DOC "SECTION", what to read there; or "" */
	char origin[400]; /* FILE:LINE of the entry */
};

struct report {
	struct test_result *tests;
	size_t ntests;
	struct points *table;
	size_t ntable;
	const char *machine;
	double seconds;
};

struct test_result *report_add(struct report *rp, const char *suite,
			       const char *name, int status,
			       const char *message, double seconds);
struct test_result *report_find(struct report *rp, const char *suite,
				const char *name);
void report_expect(struct report *rp, const char *suite, const char *name);
int report_expect_table(struct report *rp, const char *suite, const char *test);
void report_settle(struct report *rp);
int report_load_points(struct report *rp, const char *path);
int report_hint_section(const char *hint, char *doc, size_t doclen,
			char *section, size_t seclen);
void report_apply_points(struct report *rp);
void report_print(const struct report *rp, FILE *out, double *score,
		  double *max);
int report_gradescope(const struct report *rp, const char *path);
int report_summary_json(const struct report *rp, const char *path);
int report_handout_check(const struct report *rp, int lab);

#endif
