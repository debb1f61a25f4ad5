/*
 * util.c - small host helpers for the grader: clocks, files, tokens, and
 * running a helper command with a time limit in its own process group.
 */
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "internal.h"

double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Replaces stdio of a child with /dev/null in, log (or /dev/null) out. */
static void child_stdio(const char *log)
{
	int in = open("/dev/null", O_RDONLY);
	int out = open(log ? log : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC,
		       0644);

	if (in < 0 || out < 0)
		_exit(127);
	dup2(in, 0);
	dup2(out, 1);
	dup2(out, 2);
}

/*
 * Runs argv with output to log, killed (whole process group) after timeout
 * seconds.  Returns its exit status, or -1 if it died or timed out.
 */
int run_command(char *const argv[], const char *log, double timeout)
{
	pid_t parent = getpid(), pid = fork();
	int ws;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		child_stdio(log);
		execvp(argv[0], argv);
		_exit(127);
	}
	setpgid(pid, pid);
	double end = now_seconds() + timeout;
	while (waitpid(pid, &ws, WNOHANG) == 0) {
		if (now_seconds() > end) {
			machine_kill(pid);
			return -1;
		}
		usleep(20000);
	}
	return WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;
}

/* Creates or truncates path and writes text; 0, or -1 with errno set. */
int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f) == 0 ? 0 : -1;
}

/* Copies from to a created or truncated to; 0, or -1 with errno set. */
int copy_file(const char *from, const char *to)
{
	char buf[65536];
	ssize_t n;
	int in = open(from, O_RDONLY), out, rc = 0;

	if (in < 0)
		return -1;
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (out < 0) {
		close(in);
		return -1;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, n) != n) {
			rc = -1;
			break;
		}
	if (n < 0)
		rc = -1;
	close(in);
	if (close(out) < 0)
		rc = -1;
	return rc;
}

/* Removes path and everything under it; rm's exit status (0 on success). */
int rm_rf(const char *path)
{
	char *argv[] = { "rm", "-rf", (char *)path, NULL };

	return run_command(argv, NULL, 30);
}

/* The tree the grader runs in, absolute: $HV_ROOT, or the current directory. */
const char *grader_root(void)
{
	static char abs[PATH_MAX];
	const char *root = getenv("HV_ROOT");

	if (!abs[0] && !realpath(root && *root ? root : ".", abs)) {
		fprintf(stderr, "grader: %s: %s\n", root ? root : ".",
			strerror(errno));
		exit(2);
	}
	return abs;
}

/* Writes hexlen random hex digits and a NUL to out. */
void random_token(char *out, size_t hexlen)
{
	unsigned char raw[32];
	size_t nraw = (hexlen + 1) / 2;
	int fd = open("/dev/urandom", O_RDONLY);

	if (fd < 0 || nraw > sizeof(raw) ||
	    read(fd, raw, nraw) != (ssize_t)nraw) {
		fprintf(stderr, "grader: cannot read /dev/urandom\n");
		exit(2);
	}
	close(fd);
	for (size_t i = 0; i < hexlen; i++)
		out[i] = "0123456789abcdef"[(raw[i / 2] >> (4 * (i & 1))) & 15];
	out[hexlen] = '\0';
}
