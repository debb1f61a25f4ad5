/*
 * shell.c - dom0's shell (lab 6): a "dom0# " prompt on the hypervisor
 * console with backspace editing, and the commands it runs: xl ...,
 * help, sleep, poweroff; lab 7 adds wait and xenstore-*.  Input arrives
 * through CONSOLEIO_read, which the hypervisor fills from the machine's
 * serial port.
 */
#include "dom0.h"
#include <guests/lib/pv.h>
#include <guests/bench8/bench8.h>

#define SHELL_LINE_MAX 128
#define SHELL_PROMPT   "dom0# "

/* Splits line at blanks into argv; returns argc (extra words dropped). */
static int shell_split(char *line, char **argv)
{
	int argc = 0;

	for (char *p = line; *p && argc < DOM0_ARGS_MAX;) {
		while (*p == ' ' || *p == '\t')
			*p++ = '\0';
		if (!*p)
			break;
		argv[argc++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
	}
	return argc;
}

/* `sleep MS`: waits (serving), for scripts that watch a domain run. */
static void shell_sleep(int argc, char **argv)
{
	uint64_t ms = 0;
	const char *p = argc == 2 ? argv[1] : "";

	for (; *p >= '0' && *p <= '9'; p++)
		ms = ms * 10 + (uint64_t)(*p - '0');
	if (argc != 2 || *p) {
		printf("usage: sleep MS\n");
		return;
	}
	dom0_wait_until(NULL, pv_time_ns() + ms * 1000000);
}

#define SHELL_WAIT_MS 120000

static char **shell_wait_names; /* wait's arguments, NULL-ended */

static bool shell_all_ended(void)
{
	for (char **n = shell_wait_names; *n; n++)
		if (!xl_ended(*n))
			return false;
	return true;
}

/* `wait NAME|ID...`: serves until each domain has ended (a script's way
 * to let its domains finish), two minutes at most. */
static void shell_wait(int argc, char **argv)
{
	argv[argc] = NULL;
	shell_wait_names = argv + 1;
	if (!dom0_wait_until(shell_all_ended,
			     pv_time_ns() + SHELL_WAIT_MS * 1000000ULL))
		printf("wait: still running after %u s\n",
		       SHELL_WAIT_MS / 1000);
}

/* make lab8's dom0 row: guests/bench8 on dom0's own disk store and
 * bridge port, its options (primes=, disk=, peer=, ...) on dom0's
 * command line; ends with the summary of its reports. */
static void shell_bench8(void)
{
	bench8_main();
	report_summary();
}

static void shell_help(void)
{
	printf("commands:\n");
	xl_main(1, (char *[]){ "xl" });
	printf("  xenstore-ls [PATH]           the store's tree below PATH\n"
	       "  xenstore-read PATH           a node's value\n"
	       "  xenstore-write PATH VALUE    set it (creating it)\n"
	       "  xenstore-rm PATH             remove it and what is below\n");
	printf("  help               this list\n"
	       "  sleep MS           wait MS milliseconds\n"
	       "  wait NAME|ID...    wait until the domains have ended\n"
	       "  dm NAME [hang|garbage]  serve NAME's test device (ioreq)\n"
	       "  dm NAME ide [IMAGE]     its IDE disk: IMAGE, or its first "
	       "disk line\n"
	       "  dm NAME nic [MAC]       an RTL8139 on xenbr0 for NAME\n"
	       "  bench8             make lab8's workloads in dom0\n"
	       "  poweroff           end dom0 and the machine\n");
}

bool shell_run(char *line)
{
	char *argv[DOM0_ARGS_MAX + 1];
	int argc = shell_split(line, argv);

	if (argc == 0)
		return true;
	if (strcmp(argv[0], "poweroff") == 0)
		return false;
	if (strcmp(argv[0], "help") == 0)
		shell_help();
	else if (strcmp(argv[0], "sleep") == 0)
		shell_sleep(argc, argv);
	else if (strcmp(argv[0], "wait") == 0)
		shell_wait(argc, argv);
	else if (strcmp(argv[0], "xl") == 0)
		xl_main(argc, argv);
	else if (strcmp(argv[0], "dm") == 0)
		dm_main(argc, argv);
	else if (strcmp(argv[0], "bench8") == 0)
		shell_bench8();
	else if (toolstack_xenstore_cmd(argc, argv) >= 0)
		;
	else
		printf("%s: unknown command (help lists them)\n", argv[0]);
	return true;
}

/* Reads one byte of input, waiting for it. */
static char shell_getc(void)
{
	char ch;

	while (dom0_read(&ch, 1) == 0)
		dom0_wait(1000);
	return ch;
}

/*
 * Reads a line into buf with echo: backspace (DEL or ^H) erases, ^U
 * erases the line, ^C abandons it; Enter ends it.
 */
static void shell_readline(char *buf, size_t size)
{
	size_t len = 0;
	char ch;

	for (;;) {
		ch = shell_getc();
		if (ch == '\r' || ch == '\n') {
			printf("\n");
			break;
		}
		if ((ch == 0x7f || ch == CTRL('H')) && len) {
			len--;
			printf("\b \b");
		} else if (ch == CTRL('U')) {
			for (; len; len--)
				printf("\b \b");
		} else if (ch == CTRL('C')) {
			printf("^C\n");
			len = 0;
			break;
		} else if (ch >= ' ' && ch <= '~' && len + 1 < size) {
			buf[len++] = ch;
			printf("%c", ch);
		}
	}
	buf[len] = '\0';
}

void shell_loop(void)
{
	char line[SHELL_LINE_MAX];

	do {
		printf(SHELL_PROMPT);
		shell_readline(line, sizeof(line));
	} while (shell_run(line));
}
