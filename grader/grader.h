/*
 * grader.h - the autograder's public API for lab tests (docs/grader.md).
 *
 * A lab test boots the hypervisor in a machine and asserts on what it and
 * its guests reported:
 *
 *	Test(lab1, exit_status) {
 *		struct hv_cfg cfg = { 0 };
 *		struct hv_run *r = hv_boot(&cfg);
 *		expect_result(r, "check_page_alloc() succeeded!");
 *		expect_exit(r, 0);
 *	}
 *
 * hv_boot builds the test's own ESP image, boots it with a fresh random
 * token on the command line and returns once the machine stopped (or was
 * killed by a timeout or an output flood).  Only result lines ending in the
 * run's token count.  Every expect_* failure names its class (wrong result,
 * panic, triple fault, VM-entry failure, timeout, build error) and the path
 * of the saved serial log.
 */
#ifndef GRADER_GRADER_H
#define GRADER_GRADER_H

#include <stddef.h>

#define HV_MAX_DOMAINS 8
#define HV_MAX_FILES   8

/* One domain config, written to \domains\NAME.cfg with the token added. */
struct hv_domain {
	const char *name;
	const char *config; /* xl.cfg text, e.g. "name = \"hello\"\n..." */
};

/* A file written next to the configs, \domains\NAME: e.g. a bad image. */
struct hv_file {
	const char *name; /* no '/' */
	const void *data;
	size_t size;
};

struct hv_cfg {
	const char *cmdline; /* extra key=value words for \hvlab.cmd */
	struct hv_domain domains[HV_MAX_DOMAINS];
	int mem_mb;		 /* guest RAM of the machine; 0: 512 */
	int needs_virt;		 /* SKIP unless the machine has VT-x/SVM */
	const char *hv_elf;	 /* kernel image; NULL: obj/kernel/hv.elf */
	double progress_timeout; /* s without output; 0: default */
	double timeout;		 /* s in all; 0: default */
	const char *qemu_cpu;	 /* QEMU -cpu under TCG; NULL: max */
	int needs_qemu_cpu;	 /* SKIP unless qemu_cpu applies (TCG) */
	struct hv_file files[HV_MAX_FILES];
	/* Typed into the serial port once a line containing serial_after
	 * was printed; NULL: no input.  QEMU only (SKIP on Bochs). */
	const char *serial_input;
	const char *serial_after;
};

/* How the machine stopped. */
enum hv_stop {
	HV_STOP_EXIT,	      /* port 0xf4 / 0x8900 with a status */
	HV_STOP_TRIPLE_FAULT, /* CPU shutdown: triple fault */
	HV_STOP_RESET,	      /* reset or power-off without a status */
	HV_STOP_PROGRESS,     /* no new output for progress_timeout s */
	HV_STOP_TIMEOUT,      /* still running after timeout s */
	HV_STOP_FLOOD,	      /* output beyond the cap */
	HV_STOP_ERROR,	      /* the machine could not be started */
};

struct hv_line {
	char *text;  /* one serial line, ANSI escapes stripped */
	int tokened; /* ended in the run's token (now removed) */
};

struct hv_run {
	enum hv_stop stop;
	int machine_status; /* status written to the exit port, or -1 */
	double seconds;	    /* wall time of the boot */
	double ready_us;    /* "hvlab: ready in N us", or -1 */
	struct hv_line *lines;
	size_t nlines;
	char token[33];
	char dir[512];	  /* run directory: serial.log, esp.img, ... */
	char log[600];	  /* the saved serial log */
	char machine[64]; /* e.g. "qemu-tcg/svm", "bochs/vmx" */
	char error[512];  /* HV_STOP_ERROR: why */
};

/*
 * Boots one machine for the current Criterion test.  SKIPs the test when
 * this host cannot run the requested machine (reason given); FAILs it with
 * "build error" when the kernel or loader is missing.  Never returns NULL.
 */
struct hv_run *hv_boot(const struct hv_cfg *cfg);
/*
 * hv_boot shared by the tests of one group: the first test of the group in
 * this grader run boots cfg (run directory SUITE.group-GROUP), the others
 * wait for it and get the same result, so several tests can score the
 * domains of one boot.  Every test of a group must pass the same cfg.
 */
struct hv_run *hv_boot_group(const char *group, const struct hv_cfg *cfg);

/* A result line "TEXT {TOKEN}" was printed.  Fails with the diagnosis. */
void expect_result(struct hv_run *r, const char *text);
/* The hypervisor's result "hvlab: exit status N" and the machine agree. */
void expect_exit(struct hv_run *r, int status);
/* The machine stopped with a non-zero status and no success claim. */
void expect_failure_exit(struct hv_run *r);
/* "domain NAME: exit STATUS {TOKEN}" was printed. */
void expect_domain_exit(struct hv_run *r, const char *name, int status);
/*
 * Guest domain name printed a PASS line starting with each of passes
 * (NULL-ended; passes may be NULL), no FAIL line, a SUMMARY with no
 * failure, and exited 0.
 */
void expect_guest_passed(struct hv_run *r, const char *name,
			 const char *const passes[]);
/* "domain NAME: crashed (... text ...)" was printed. */
void expect_crash_with(struct hv_run *r, const char *name, const char *text);
/* Some output line, tokened or not, contains text. */
void expect_output(struct hv_run *r, const char *text);
/* A panic or exception dump was printed; returns its first line. */
const char *expect_dump(struct hv_run *r);
/*
 * The host unit-test program obj/tests/NAME (built by make grade from the
 * tree's own sources) passes: all of it, or only its Criterion test
 * suite SUITE when that is not NULL.  Fails with its failed assertions.
 */
void expect_host_test(const char *name, const char *suite);

/*
 * Queries for tests that assert in their own way: the first result line
 * that is exactly text (with its token), or the first line containing
 * text; NULL if none.
 */
const struct hv_line *hv_find_result(const struct hv_run *r, const char *text);
const struct hv_line *hv_find_output(const struct hv_run *r, const char *text);
/* The first result line that starts with prefix and contains text. */
const struct hv_line *hv_find_result_with(const struct hv_run *r,
					  const char *prefix, const char *text);
/*
 * Line indexes, for tests that follow a log in order: the first line
 * from index from on that starts with prefix, or that contains text
 * before index to; -1 if none, or if from is -1 (so lookups chain).
 */
long hv_line_from(const struct hv_run *r, long from, const char *prefix);
long hv_line_with(const struct hv_run *r, long from, long to, const char *text);
/* The line where dom0's shell ran command for the nth time (from 1);
 * fails the test when it did not. */
long hv_dom0_cmd(const struct hv_run *r, const char *command, int nth);
/* One line naming the failure class and evidence; static storage. */
const char *hv_diagnose(const struct hv_run *r);

/* dom0 (guests/dom0) as a domain of struct hv_cfg, running the
 * commands extra, with 32 MiB. */
#define HV_DOM0(extra)                                          \
	{                                                       \
		"dom0", "name   = \"dom0\"\ntype   = \"pv\"\n"  \
			"privileged = 1\n"                      \
			"kernel = \"guests/dom0.elf\"\n"        \
			"extra  = \"" extra "\"\nmemory = 32\n" \
			"populate = \"eager\"\n"                \
	}

#endif
