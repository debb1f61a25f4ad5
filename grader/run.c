/*
 * run.c - hv_boot: one test's ESP image, token and machine; streams the
 * serial log into lines with progress and overall timeouts and an output
 * cap; the machine never outlives the test (own process group, death
 * signal, signal handlers, parent watch).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <criterion/criterion.h>
#include "internal.h"

static volatile pid_t run_live_pid;

static void run_on_signal(int sig)
{
	if (run_live_pid > 0)
		kill(-run_live_pid, SIGKILL);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void run_guard(int on)
{
	static const int sigs[] = { SIGINT,  SIGTERM, SIGHUP, SIGQUIT,
				    SIGSEGV, SIGABRT, SIGBUS };

	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		signal(sigs[i], on ? run_on_signal : SIG_DFL);
}

struct run_state {
	struct hv_run *r;
	FILE *log;
	size_t cap;
	int started; /* the loader or hypervisor has spoken */
	int in, out; /* the serial FIFOs (machine.c); -1 until opened */
	int typed;   /* cfg->serial_input is in serial.in */
};

static void run_emit(void *arg, const char *text)
{
	struct run_state *st = arg;
	struct hv_run *r = st->r;
	struct hv_line *l;
	long us;

	fprintf(st->log, "%s\n", text);
	if (strstr(text, "hvlab"))
		st->started = 1;
	if (r->nlines == st->cap) {
		st->cap = st->cap ? 2 * st->cap : 256;
		r->lines = realloc(r->lines, st->cap * sizeof(*r->lines));
		if (!r->lines)
			cr_assert_fail("grader: out of memory");
	}
	l = &r->lines[r->nlines++];
	l->text = strdup(text);
	if (!l->text)
		cr_assert_fail("grader: out of memory");
	l->tokened = serial_strip_token(l->text, r->token);
	if (sscanf(l->text, "hvlab: ready in %ld us", &us) == 1)
		r->ready_us = us;
}

static double env_seconds(const char *name, double dflt)
{
	const char *v = getenv(name);

	return v && *v ? atof(v) : dflt;
}

double run_load_scale(double load, long ncpu)
{
	return ncpu > 0 && load > ncpu ? load / ncpu : 1;
}

/* Time limits: TCG/KVM boots take ~10 s, Bochs boots 20-40 s, on a
 * machine no busier than its CPUs; a class graded in parallel on a small
 * machine is slower, and is not a hang. */
static void run_limits(const struct hv_cfg *cfg, const struct machine *m,
		       double *firmware, double *progress, double *total)
{
	double scale = m->accel == ACCEL_BOCHS ? 4 : 1, load;

	if (getloadavg(&load, 1) == 1)
		scale *= run_load_scale(load, sysconf(_SC_NPROCESSORS_ONLN));

	*firmware = env_seconds("HV_FIRMWARE_TIMEOUT", 45 * scale);
	*progress = cfg->progress_timeout > 0 ?
			    cfg->progress_timeout :
			    env_seconds("HV_PROGRESS_TIMEOUT", 15 * scale);
	*total = cfg->timeout > 0 ? cfg->timeout :
				    env_seconds("HV_TIMEOUT", 90 * scale);
}

static int run_exit_line(const struct hv_run *r, long *status)
{
	for (size_t i = r->nlines; i-- > 0;)
		if (r->lines[i].tokened &&
		    serial_parse_int(r->lines[i].text, "hvlab: exit status ",
				     status) == 0)
			return 1;
	return 0;
}

/* Reads what the machine wrote so far; returns bytes read. */
static size_t run_drain(int fd, struct serial *s, struct run_state *st)
{
	char buf[16384];
	size_t total = 0;
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		serial_feed(s, buf, n, run_emit, st);
		total += n;
		if (total > SERIAL_FLOOD_BYTES)
			break;
	}
	return total;
}

/* Opens FIFO DIR/serial.NAME into *fd once the machine has made it. */
static void run_fifo(const struct boot_job *job, const char *name, int *fd)
{
	char path[600];

	if (*fd >= 0)
		return;
	snprintf(path, sizeof(path), "%s/serial.%s", job->dir, name);
	/* Read and write: opening a FIFO so never waits for the far end. */
	*fd = open(path, O_RDWR | O_NONBLOCK);
}

/*
 * Types cfg->serial_input into the machine's serial port (QEMU's FIFO
 * serial.in) once a line containing cfg->serial_after was printed, and
 * drains serial.out, where QEMU also writes the port's output: the log
 * file has it all, and a full FIFO would hold the port back.
 */
static void run_type(const struct boot_job *job, struct run_state *st,
		     const struct hv_cfg *cfg)
{
	size_t len = cfg->serial_input ? strlen(cfg->serial_input) : 0;
	char buf[4096];

	if (!len)
		return;
	run_fifo(job, "in", &st->in);
	run_fifo(job, "out", &st->out);
	while (st->out >= 0 && read(st->out, buf, sizeof(buf)) > 0)
		;
	if (st->typed || st->in < 0 ||
	    !hv_find_output(st->r, cfg->serial_after))
		return;
	/* A failed try is made again at the next poll. */
	st->typed = write(st->in, cfg->serial_input, len) == (ssize_t)len;
}

/* The wait loop: returns how the machine stopped; it is reaped on return. */
static enum hv_stop run_wait(const struct boot_job *job, pid_t pid, int fd,
			     struct run_state *st, const struct hv_cfg *cfg)
{
	double firmware, progress, total, start = now_seconds();
	double last = start, exit_seen = 0;
	size_t bytes = 0;
	pid_t ppid = getppid(),
	      grader = (pid_t)atol(
		      getenv("HV_GRADER_PID") ? getenv("HV_GRADER_PID") : "0");
	struct serial s = { 0 };
	long status;
	int ws;

	run_limits(cfg, job->m, &firmware, &progress, &total);
	for (;;) {
		size_t n = run_drain(fd, &s, st);
		double t = now_seconds();

		run_type(job, st, cfg);
		if (n > 0)
			last = t;
		bytes += n;
		if (waitpid(pid, &ws, WNOHANG) == pid) {
			run_drain(fd, &s, st);
			serial_flush(&s, run_emit, st);
			return machine_stopped(job, ws, &st->r->machine_status,
					       st->r->error,
					       sizeof(st->r->error));
		}
		enum hv_stop why = HV_STOP_EXIT;
		if (bytes > SERIAL_FLOOD_BYTES)
			why = HV_STOP_FLOOD;
		else if (t - start > total)
			why = HV_STOP_TIMEOUT;
		else if (t - last > (st->started ? progress : firmware))
			why = HV_STOP_PROGRESS;
		else if (getppid() != ppid ||
			 (grader > 0 && kill(grader, 0) < 0 && errno == ESRCH))
			why = HV_STOP_ERROR;
		else if (!exit_seen && run_exit_line(st->r, &status))
			exit_seen = t;
		else if (exit_seen && t - exit_seen > 5)
			why = HV_STOP_RESET;
		if (why != HV_STOP_EXIT) {
			machine_kill(pid);
			serial_flush(&s, run_emit, st);
			if (why == HV_STOP_ERROR)
				_exit(1);
			return why;
		}
		usleep(50000);
	}
}

/* A domain config with the token put into its extra= line (or added). */
static int run_write_domain(const char *dir, const struct hv_domain *d,
			    const char *token)
{
	char path[700], line[1024];
	int had_extra = 0;
	const char *p = d->config;
	FILE *f;

	snprintf(path, sizeof(path), "%s/domains/%s.cfg", dir, d->name);
	f = fopen(path, "w");
	if (!f)
		return -1;
	while (*p) {
		size_t len = strcspn(p, "\n");
		snprintf(line, sizeof(line), "%.*s", (int)len, p);
		p += len + (p[len] == '\n');
		char *q = strchr(line, '"');
		if (strncmp(line, "extra", 5) == 0 && q) {
			fprintf(f, "%.*stoken=%s %s\n", (int)(q - line + 1),
				line, token, q + 1);
			had_extra = 1;
		} else {
			fprintf(f, "%s\n", line);
		}
	}
	if (!had_extra)
		fprintf(f, "extra = \"token=%s\"\n", token);
	return fclose(f);
}

/* A test's own file, e.g. a malformed guest image, under domains/. */
static int run_write_file(const char *dir, const struct hv_file *f)
{
	char path[700];
	FILE *out;

	if (strchr(f->name, '/'))
		return -1;
	snprintf(path, sizeof(path), "%s/domains/%s", dir, f->name);
	out = fopen(path, "wb");
	if (!out)
		return -1;
	if (fwrite(f->data, 1, f->size, out) != f->size) {
		fclose(out);
		return -1;
	}
	return fclose(out);
}

static void run_fail_build(const char *what)
{
	cr_assert_fail("[build error] %s (run make; see obj/grader/build.log)",
		       what);
}

/* Checks the build, writes configs and builds the ESP with tools/mkesp. */
static void run_make_esp(struct hv_run *r, const struct hv_cfg *cfg,
			 const char *esp)
{
	char loader[600], kernel[600], domains[600], cmd[1024], mkesp[600];
	char log[700], failed[600], guests[600], link[700];
	const char *root = grader_root();

	snprintf(failed, sizeof(failed), "%s/obj/grader/build.failed", root);
	if (access(failed, F_OK) == 0)
		run_fail_build("the tree did not build");
	snprintf(loader, sizeof(loader), "%s/obj/kernel/efi/BOOTX64.EFI", root);
	snprintf(kernel, sizeof(kernel), "%s/%s", root,
		 cfg->hv_elf ? cfg->hv_elf : "obj/kernel/hv.elf");
	snprintf(mkesp, sizeof(mkesp), "%s/tools/mkesp", root);
	if (access(loader, R_OK) != 0)
		run_fail_build("obj/kernel/efi/BOOTX64.EFI missing");
	if (access(kernel, R_OK) != 0)
		run_fail_build(kernel);
	snprintf(domains, sizeof(domains), "%s/domains", r->dir);
	mkdir(domains, 0755);
	/* Configs name guests as "guests/NAME.elf": the built ones. */
	snprintf(guests, sizeof(guests), "%s/obj/guests", root);
	snprintf(link, sizeof(link), "%s/guests", domains);
	if (symlink(guests, link) < 0 && errno != EEXIST)
		cr_assert_fail("[machine error] %s: cannot link the guests",
			       link);
	for (int i = 0; i < HV_MAX_DOMAINS && cfg->domains[i].name; i++)
		if (run_write_domain(r->dir, &cfg->domains[i], r->token) < 0)
			cr_assert_fail(
				"[machine error] %s: cannot write config",
				domains);
	for (int i = 0; i < HV_MAX_FILES && cfg->files[i].name; i++)
		if (run_write_file(r->dir, &cfg->files[i]) < 0)
			cr_assert_fail(
				"[machine error] %s/%s: cannot write file",
				domains, cfg->files[i].name);
	snprintf(cmd, sizeof(cmd), "token=%s%s%s", r->token,
		 cfg->cmdline ? " " : "", cfg->cmdline ? cfg->cmdline : "");
	snprintf(log, sizeof(log), "%s/mkesp.log", r->dir);
	char *argv[] = {
		mkesp, (char *)esp, loader, kernel, domains, cmd, NULL
	};
	if (run_command(argv, log, 60) != 0)
		cr_assert_fail("[build error] tools/mkesp failed, see %s", log);
}

static void run_dir(struct hv_run *r, const struct machine *m, const char *name)
{
	const char *suite = criterion_current_suite ?
				    criterion_current_suite->name :
				    "adhoc";
	const char *test = name ? name :
			   criterion_current_test ?
				  criterion_current_test->name :
				  "run";
	char runs[320];

	snprintf(runs, sizeof(runs), "%s/obj/grader/runs", grader_root());
	snprintf(r->dir, sizeof(r->dir), "%.300s/%.60s.%.140s", runs, suite,
		 test);
	rm_rf(r->dir);
	if (mkdir(runs, 0755) < 0 && errno != EEXIST)
		cr_assert_fail("[machine error] cannot create %s", runs);
	if (mkdir(r->dir, 0755) < 0)
		cr_assert_fail("[machine error] cannot create %s", r->dir);
	snprintf(r->log, sizeof(r->log), "%s/serial.log", r->dir);
	snprintf(r->machine, sizeof(r->machine), "%s", m->name);
}

/* Empties r for a boot: no lines, a fresh token. */
static void run_reset(struct hv_run *r)
{
	for (size_t i = 0; i < r->nlines; i++)
		free(r->lines[i].text);
	free(r->lines);
	memset(r, 0, sizeof(*r));
	r->machine_status = -1;
	r->ready_us = -1;
	random_token(r->token, 16);
}

/* Builds the ESP, boots, waits, and fills r. */
static void run_machine(struct hv_run *r, const struct hv_cfg *cfg,
			const struct machine *m)
{
	char esp[600];
	struct boot_job job = { m,
				r->dir,
				esp,
				cfg->mem_mb ? cfg->mem_mb : 512,
				cfg->qemu_cpu,
				cfg->serial_input != NULL };
	struct run_state st = { r, NULL, 0, 0, -1, -1, 0 };
	int fd, is_file;

	snprintf(esp, sizeof(esp), "%s/esp.img", r->dir);
	run_make_esp(r, cfg, esp);
	st.log = fopen(r->log, "w");
	if (!st.log)
		cr_assert_fail("[machine error] cannot write %s", r->log);
	double start = now_seconds();
	run_guard(1);
	pid_t pid = machine_start(&job, &fd, &is_file, r->error,
				  sizeof(r->error));
	run_live_pid = pid;
	r->stop = pid < 0 ? HV_STOP_ERROR : run_wait(&job, pid, fd, &st, cfg);
	run_live_pid = 0;
	run_guard(0);
	if (pid >= 0)
		close(fd);
	if (st.in >= 0)
		close(st.in);
	if (st.out >= 0)
		close(st.out);
	if (r->stop == HV_STOP_ERROR && !r->error[0])
		snprintf(r->error, sizeof(r->error),
			 "the machine failed to start, see %.400s/machine.out",
			 r->dir);
	r->seconds = now_seconds() - start;
	fclose(st.log);
}

/* Keeps the run directory of a start that failed, for a look. */
static void run_keep_failed(const struct hv_run *r)
{
	char kept[600];

	snprintf(kept, sizeof(kept), "%.500s.failed-start", r->dir);
	rm_rf(kept);
	rename(r->dir, kept);
	fprintf(stderr,
		"grader: %s: Bochs' rfb display could not bind a TCP "
		"port (another Bochs started at the same moment); booting "
		"again, the failed start is in %s\n",
		r->dir, kept);
}

struct hv_run *run_boot(const struct hv_cfg *cfg, const char *name)
{
	struct hv_run *r = calloc(1, sizeof(*r));
	struct machine m;

	if (!r)
		cr_assert_fail("grader: out of memory");
	if (machine_select(&m) < 0)
		cr_assert_fail("[machine error] bad ACCEL or VENDOR");
	if (m.unavailable[0])
		cr_skip_test("%s", m.unavailable);
	if (cfg->needs_virt && !m.has_virt)
		cr_skip_test("%s: the guest CPU has no %s", m.name,
			     m.vendor == VENDOR_VMX ?
				     "VT-x (QEMU TCG emulates only SVM; use "
				     "ACCEL=bochs)" :
				     "SVM");
	if (cfg->serial_input && m.accel == ACCEL_BOCHS)
		cr_skip_test("%s: typing into the serial port needs QEMU",
			     m.name);
	if (cfg->needs_qemu_cpu && m.accel != ACCEL_TCG)
		cr_skip_test("%s: the test needs the CPU model \"%s\", which "
			     "only QEMU TCG can set",
			     m.name, cfg->qemu_cpu);
	for (int attempt = 0;; attempt++) {
		run_reset(r);
		run_dir(r, &m, name);
		run_machine(r, cfg, &m);
		if (attempt > 0 || !machine_start_raced(r))
			return r;
		run_keep_failed(r);
	}
}

/* A machine that did not run has nothing to judge: fail the test now. */
void run_require_machine(const struct hv_run *r)
{
	if (r->stop == HV_STOP_ERROR)
		cr_assert_fail("%s", hv_diagnose(r));
}

struct hv_run *hv_boot(const struct hv_cfg *cfg)
{
	struct hv_run *r = run_boot(cfg, NULL);

	run_require_machine(r);
	return r;
}
