/*
 * machine.c - the machine runners: QEMU with TCG (SVM track), QEMU with
 * KVM (only after a real probe boot, and nested virtualization only when the
 * host module says so), Bochs with an Intel (VT-x) or AMD (SVM) CPU model.
 * Selected by HV_ACCEL=tcg|kvm|bochs|auto and HV_VENDOR=svm|vmx|auto.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "internal.h"

#define OVMF_CODE      "/usr/share/OVMF/OVMF_CODE_4M.fd"
#define OVMF_VARS      "/usr/share/OVMF/OVMF_VARS_4M.fd"
#define OVMF_BOCHS     "/usr/share/ovmf/OVMF.fd"
#define VGABIOS	       "/usr/share/bochs/VGABIOS-lgpl-latest"
#define KVM_PROBE_FILE "obj/grader/kvm.probe"

static const char *env_or(const char *name, const char *dflt)
{
	const char *v = getenv(name);

	return v && *v ? v : dflt;
}

static int on_path(const char *prog)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", prog);
	return system(cmd) == 0;
}

/* 0 if every program and firmware file accel needs is here; else why not. */
int machine_tool_missing(enum accel accel, char *why, size_t len)
{
	const char *need[4] = { 0 };

	if (accel == ACCEL_BOCHS) {
		if (!on_path("bochs-bin")) {
			snprintf(why, len,
				 "bochs-bin not installed (apt-get install "
				 "bochs bochsbios)");
			return 1;
		}
		need[0] = OVMF_BOCHS;
		need[1] = VGABIOS;
	} else {
		if (!on_path("qemu-system-x86_64")) {
			snprintf(why, len,
				 "qemu-system-x86_64 not installed (apt-get "
				 "install qemu-system-x86)");
			return 1;
		}
		need[0] = OVMF_CODE;
		need[1] = OVMF_VARS;
	}
	for (int i = 0; need[i]; i++)
		if (access(need[i], R_OK) != 0) {
			snprintf(why, len,
				 "%s missing (apt-get install ovmf vgabios)",
				 need[i]);
			return 1;
		}
	return 0;
}

/* 1 if /sys says the loaded KVM module runs nested guests of vendor v. */
static int kvm_nested(enum vendor v)
{
	const char *path = v == VENDOR_VMX ?
				   "/sys/module/kvm_intel/parameters/nested" :
				   "/sys/module/kvm_amd/parameters/nested";
	char buf[8] = "";
	FILE *f = fopen(path, "r");

	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return buf[0] == 'Y' || buf[0] == '1';
}

/*
 * 1 if KVM really boots this tree's loader and kernel: /dev/kvm must open
 * and the cached probe boot (grader --probe-kvm) must have succeeded.
 */
int machine_kvm_usable(char *why, size_t len)
{
	char path[600], line[256] = "";
	int fd = open("/dev/kvm", O_RDWR);
	FILE *f;

	if (fd < 0) {
		snprintf(why, len, "/dev/kvm cannot be opened");
		return 0;
	}
	close(fd);
	if (getenv("HV_KVM_PROBING"))
		return 1;
	snprintf(path, sizeof(path), "%s/%s", grader_root(), KVM_PROBE_FILE);
	f = fopen(path, "r");
	if (!f) {
		snprintf(why, len, "KVM not probed yet (run make doctor)");
		return 0;
	}
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	fclose(f);
	line[strcspn(line, "\n")] = '\0';
	if (strncmp(line, "ok", 2) == 0)
		return 1;
	snprintf(why, len, "KVM probe boot failed: %s", line);
	return 0;
}

static int parse_accel(const char *s, int *accel)
{
	static const char *names[] = { "tcg", "kvm", "bochs" };

	for (int i = 0; i < 3; i++)
		if (strcmp(s, names[i]) == 0) {
			*accel = i;
			return 0;
		}
	return strcmp(s, "auto") == 0 ? (*accel = -1, 0) : -1;
}

/* Picks the accelerator for ACCEL=auto: KVM with nesting, else emulation. */
static enum accel auto_accel(enum vendor v)
{
	char why[256];

	if (kvm_nested(v) && machine_kvm_usable(why, sizeof(why)))
		return ACCEL_KVM;
	return v == VENDOR_VMX ? ACCEL_BOCHS : ACCEL_TCG;
}

static void machine_caps(struct machine *m)
{
	static const char *an[] = { "qemu-tcg", "qemu-kvm", "bochs" };
	char why[256] = "";

	snprintf(m->name, sizeof(m->name), "%s/%s", an[m->accel],
		 m->vendor == VENDOR_VMX ? "vmx" : "svm");
	if (m->accel == ACCEL_TCG)
		m->has_virt = m->vendor == VENDOR_SVM;
	else if (m->accel == ACCEL_BOCHS)
		m->has_virt = 1;
	else
		m->has_virt = kvm_nested(m->vendor);
	if (machine_tool_missing(m->accel, why, sizeof(why)) ||
	    (m->accel == ACCEL_KVM && !machine_kvm_usable(why, sizeof(why))))
		snprintf(m->unavailable, sizeof(m->unavailable), "%s: %.180s",
			 m->name, why);
}

/*
 * Fills m from HV_ACCEL and HV_VENDOR.  Returns -1 (message on stderr) for
 * values it does not know; an unusable machine is not an error but sets
 * m->unavailable, so its tests SKIP with that reason.
 */
int machine_select(struct machine *m)
{
	const char *a = env_or("HV_ACCEL", "auto");
	const char *v = env_or("HV_VENDOR", "auto");
	int accel;

	memset(m, 0, sizeof(*m));
	if (parse_accel(a, &accel) < 0) {
		fprintf(stderr,
			"grader: ACCEL=%s: want tcg, kvm, bochs or auto\n", a);
		return -1;
	}
	if (strcmp(v, "vmx") == 0)
		m->vendor = VENDOR_VMX;
	else if (strcmp(v, "svm") == 0)
		m->vendor = VENDOR_SVM;
	else if (strcmp(v, "auto") == 0)
		m->vendor = accel == ACCEL_BOCHS ? VENDOR_VMX : VENDOR_SVM;
	else {
		fprintf(stderr,
			"grader: VENDOR=%s: want svm, vmx or auto "
			"(make grade runs VENDOR=all as one pass per vendor)\n",
			v);
		return -1;
	}
	m->accel = accel < 0 ? auto_accel(m->vendor) : (enum accel)accel;
	machine_caps(m);
	return 0;
}

/* Appends one formatted argument to argv (n) in buf (p, len). */
#define ARG(...)                                                  \
	do {                                                      \
		argv[n++] = p;                                    \
		p += snprintf(p, buf + len - p, __VA_ARGS__) + 1; \
	} while (0)

static int qemu_argv(const struct boot_job *job, char **argv, char *buf,
		     size_t len)
{
	int n = 0;
	char *p = buf;

	ARG("qemu-system-x86_64");
	ARG("-machine");
	ARG("q35");
	ARG("-accel");
	ARG(job->m->accel == ACCEL_KVM ? "kvm" : "tcg");
	ARG("-cpu");
	ARG("%s", job->m->accel == ACCEL_KVM ? "host" :
		  job->qemu_cpu		     ? job->qemu_cpu :
					       "max");
	ARG("-m");
	ARG("%d", job->mem_mb);
	ARG("-display");
	ARG("none");
	ARG("-monitor");
	ARG("none");
	if (job->serial_pipe) {
		/* Output still grows in serial.raw; run.c types into
		 * serial.in and drains serial.out (machine_prepare's FIFOs). */
		ARG("-chardev");
		ARG("pipe,id=com1,path=%s/serial,logfile=%s/serial.raw",
		    job->dir, job->dir);
		ARG("-serial");
		ARG("chardev:com1");
	} else {
		ARG("-serial");
		ARG("file:%s/serial.raw", job->dir);
	}
	ARG("-no-reboot");
	ARG("-net");
	ARG("none");
	ARG("-device");
	ARG("isa-debug-exit,iobase=0xf4,iosize=0x04");
	ARG("-drive");
	ARG("if=pflash,format=raw,unit=0,readonly=on,file=%s", OVMF_CODE);
	ARG("-drive");
	ARG("if=pflash,format=raw,unit=1,file=%s/vars.fd", job->dir);
	ARG("-drive");
	ARG("format=raw,file=%s", job->esp);
	/* QEMU logs "Triple fault" under the cpu_reset mask (x86 check_exception). */
	ARG("-d");
	ARG("cpu_reset");
	ARG("-D");
	ARG("%s/qemu-debug.log", job->dir);
	argv[n] = NULL;
	return p <= buf + len ? 0 : -1;
}

/*
 * Bochs' command line: tools/bochs-start writes DIR/bochsrc (the only place
 * that knows its lines) and replaces itself with Bochs in a pinned
 * environment, keeping the pid.
 */
static int bochs_argv(const struct boot_job *job, char **argv, char *buf,
		      size_t len)
{
	int n = 0;
	char *p = buf;

	ARG("%s/tools/bochs-start", grader_root());
	ARG("-m");
	ARG("%d", job->mem_mb);
	ARG("-c");
	ARG(job->m->vendor == VENDOR_VMX ? "corei7_skylake_x" : "ryzen");
	ARG("-s");
	ARG("serial.raw");
	ARG("%s", job->dir);
	ARG("%s", job->esp);
	argv[n] = NULL;
	return p <= buf + len ? 0 : -1;
}

/* In the child: own process group, dies with the grader, output to a file. */
static void machine_child(const struct boot_job *job, pid_t parent, char **argv)
{
	char out[600];
	int in, fd;

	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	if (chdir(job->dir) < 0)
		_exit(127);
	snprintf(out, sizeof(out), "%s/machine.out", job->dir);
	in = open("/dev/null", O_RDONLY);
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (in < 0 || fd < 0)
		_exit(127);
	dup2(in, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	execvp(argv[0], argv);
	_exit(127);
}

static int machine_prepare(const struct boot_job *job, char **argv, char *buf,
			   size_t len, char *err, size_t errlen)
{
	char path[600];

	snprintf(path, sizeof(path), "%s/serial.raw", job->dir);
	if (write_file(path, "") < 0) {
		snprintf(err, errlen, "%s: cannot create", path);
		return -1;
	}
	if (job->m->accel == ACCEL_BOCHS)
		return bochs_argv(job, argv, buf, len);
	for (int i = 0; job->serial_pipe && i < 2; i++) {
		snprintf(path, sizeof(path), "%s/serial.%s", job->dir,
			 i ? "out" : "in");
		if (mkfifo(path, 0600) < 0) {
			snprintf(err, errlen, "%s: cannot make a FIFO", path);
			return -1;
		}
	}
	snprintf(path, sizeof(path), "%s/vars.fd", job->dir);
	if (copy_file(OVMF_VARS, path) < 0) {
		snprintf(err, errlen, "%s: cannot copy to %s", OVMF_VARS, path);
		return -1;
	}
	return qemu_argv(job, argv, buf, len);
}

/*
 * Starts the machine for job; its serial output grows in DIR/serial.raw,
 * returned open in *serial_fd.  Returns the pid (also its process group),
 * or -1 with err filled.
 */
pid_t machine_start(const struct boot_job *job, int *serial_fd,
		    int *serial_is_file, char *err, size_t errlen)
{
	static char buf[8192];
	char *argv[64], path[600];
	pid_t parent = getpid(), pid;

	if (machine_prepare(job, argv, buf, sizeof(buf), err, errlen) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/serial.raw", job->dir);
	*serial_fd = open(path, O_RDONLY);
	*serial_is_file = 1;
	if (*serial_fd < 0) {
		snprintf(err, errlen, "%s: cannot open", path);
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "fork failed");
		return -1;
	}
	if (pid == 0)
		machine_child(job, parent, argv);
	setpgid(pid, pid);
	return pid;
}

static int file_contains(const char *dir, const char *name, const char *text)
{
	char path[600], line[1024];
	int found = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, text) != NULL;
	fclose(f);
	return found;
}

static long file_size(const char *dir, const char *name)
{
	char path[600];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/*
 * 1 (err filled) if the emulator itself failed: it could not be run, died
 * of a signal nobody sent, or ended before the firmware wrote one byte to
 * the serial port (OVMF always does, whatever the code under test does).
 */
static int machine_failed(const struct boot_job *job, int ws, char *err,
			  size_t len)
{
	const char *emu = job->m->accel == ACCEL_BOCHS ? "Bochs" : "QEMU";

	if (WIFSIGNALED(ws))
		snprintf(err, len, "%s died of signal %d (%s) on its own", emu,
			 WTERMSIG(ws), strsignal(WTERMSIG(ws)));
	else if (WIFEXITED(ws) && WEXITSTATUS(ws) == 127)
		snprintf(err, len, "%s could not be run (exit status 127)",
			 emu);
	else if (file_size(job->dir, "serial.raw") == 0)
		snprintf(err, len,
			 "%s ended (exit status %d) before the "
			 "firmware printed anything",
			 emu, WEXITSTATUS(ws));
	else if (job->m->accel != ACCEL_BOCHS &&
		 file_contains(job->dir, "machine.out", "qemu-system-x86_64:"))
		snprintf(err, len, "QEMU reported an error");
	else
		return 0;
	return 1;
}

/*
 * 1 if r's machine failed to start for a reason a second boot cures and
 * that says nothing of the code under test: Bochs' rfb display found no
 * free TCP port, the race tools/bochs-start explains (it can still happen
 * where no network namespace of its own can be made).
 */
int machine_start_raced(const struct hv_run *r)
{
	return r->stop == HV_STOP_ERROR &&
	       strncmp(r->machine, "bochs", 5) == 0 &&
	       file_contains(r->dir, "bochs.log", "RFB could not bind");
}

/*
 * Classifies a machine that ended by itself.  QEMU: exit (N<<1)|1 is
 * status N from isa-debug-exit; 0 is a reset or power-off, a triple fault
 * when its debug log says so.  Bochs always exits 1: its log tells a
 * triple fault (3rd exception / shutdown state) from a shutdown-port exit.
 * HV_STOP_ERROR says why in err.
 */
enum hv_stop machine_stopped(const struct boot_job *job, int ws, int *status,
			     char *err, size_t len)
{
	int code = WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;

	*status = -1;
	if (machine_failed(job, ws, err, len))
		return HV_STOP_ERROR;
	if (job->m->accel == ACCEL_BOCHS) {
		if (file_contains(job->dir, "bochs.log", "3rd (") ||
		    file_contains(job->dir, "bochs.log", "shutdown state"))
			return HV_STOP_TRIPLE_FAULT;
		return HV_STOP_EXIT;
	}
	if (code == 0)
		return file_contains(job->dir, "qemu-debug.log",
				     "Triple fault") ?
			       HV_STOP_TRIPLE_FAULT :
			       HV_STOP_RESET;
	if (code > 0 && (code & 1)) {
		*status = code >> 1;
		return HV_STOP_EXIT;
	}
	snprintf(err, len, "QEMU exited with status %d", code);
	return HV_STOP_ERROR;
}

/* Kills the machine's whole process group and reaps it. */
void machine_kill(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}
