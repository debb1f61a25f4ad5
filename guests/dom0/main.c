/*
 * main.c - dom0 (lab 6): the privileged pv domain, which the hypervisor
 * alone starts when a config says privileged = 1.  It runs the commands
 * of its command line, then the shell until poweroff; its end is the
 * machine's.
 *
 * The command line is "[KEY=VALUE ...] COMMAND; COMMAND; ...": leading
 * KEY=VALUE words (the grader's token=) are options, the rest commands
 * run as if typed, so a config can script dom0:
 *
 *	extra = "xl create hello.cfg; xl list; poweroff"
 */
#include "dom0.h"
#include "blkback.h"
#include "netback.h"
#include <guests/lib/pv.h>

#define DOM0_CMDLINE_MAX  512
#define DOM0_SERVE_ROUNDS 16 /* then the shell's input gets a look */

/* What dom0 serves while it waits; each returns true when it did work. */
/* toolstack_poll first: a dead domain's rings go before anyone reads
 * them (the hypervisor revokes dom0's mappings of its pages). */
static bool (*const dom0_services[])(void) = { toolstack_poll, xenstored_poll,
					       blkback_poll, netback_poll,
					       dm_poll };

bool dom0_serve(void)
{
	bool work = true;

	for (int round = 0; work && round < DOM0_SERVE_ROUNDS; round++) {
		work = false;
		for (size_t i = 0; i < ARRAY_SIZE(dom0_services); i++)
			work |= dom0_services[i]();
	}
	return work;
}

/* The command line past its leading KEY=VALUE words. */
static const char *dom0_script(const char *p)
{
	const char *w;

	for (;;) {
		while (*p == ' ')
			p++;
		for (w = p; *w && *w != ' ' && *w != '=' && *w != ';'; w++)
			;
		if (*w != '=')
			return p;
		while (*w && *w != ' ')
			w++;
		p = w;
	}
}

/* Runs the script's commands, each echoed after the prompt; false once
 * one was poweroff. */
static bool dom0_run_script(const char *script)
{
	static char buf[DOM0_CMDLINE_MAX];
	char *cmd = buf, *end;

	strlcpy(buf, script, sizeof(buf));
	for (; *cmd; cmd = end) {
		end = strchr(cmd, ';');
		if (end)
			*end++ = '\0';
		else
			end = cmd + strlen(cmd);
		while (*cmd == ' ')
			cmd++;
		if (!*cmd)
			continue;
		printf("dom0# %s\n", cmd);
		if (!shell_run(cmd))
			return false;
	}
	return true;
}

void main(void)
{
	long r;

	dom0_hv_init();
	r = toolstack_init();
	if (r < 0)
		printf("dom0: xenstored: %s\n", xl_strerror(r));
	printf("dom0: hvlab's toolstack; type help\n");
	if (dom0_run_script(dom0_script(cmdline())))
		shell_loop();
	dom0_poweroff(0);
}
