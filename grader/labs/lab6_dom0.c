/*
 * lab6_dom0.c - lab 6's dom0 and toolstack: a privileged pv domain
 * (guests/dom0) alone starts at boot and manages the others with xl
 * through domctl and sysctl (pv/domctl.c).  Points: lab6.points.
 *
 * Most tests score two boots whose dom0 runs a script from its command
 * line (create, list, console, dmesg; pause, unpause, destroy, its own
 * destroy; poweroff); its output is read in order: each command is
 * echoed as "dom0# COMMAND", so a test looks between two of them.  One
 * boot types the commands into the serial port instead (QEMU only), and
 * one has a dom0 that crashes beside a second privileged config.
 *
 * Bugs these tests catch, bug: the tests that fail:
 *   every config started at boot, dom0 or not: dom0_boot
 *   getdomaininfo's Mem from max_pages, or flags without paused:
 *     dom0_create_list, dom0_pause
 *   a paused domain still scheduled: dom0_pause
 *   destroy leaving the domain in the table: dom0_destroy
 *   the per-domain console ring not fed by the UART: dom0_console
 *   the hypervisor's ring not kept: dom0_dmesg
 *   domctl without the privilege check: dom0_eperm
 *   serial input not polled / not raised as VIRQ_CONSOLE, console input
 *     not reaching a domU's CONSOLEIO_read: dom0_interactive
 *   dom0's end not ending the machine: dom0_interactive, dom0_crash
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include "../grader.h"

#define TICK                                                     \
	{                                                        \
		"tick", "name   = \"tick\"\ntype   = \"pv\"\n"   \
			"kernel = \"guests/pv-tick.elf\"\n"      \
			"extra  = \"period=100\"\nmemory = 16\n" \
			"populate = \"eager\"\n"                 \
	}
#define HELLO                                                           \
	{                                                               \
		"hello", "name   = \"hello\"\n"                         \
			 "kernel = \"guests/hello.elf\"\nmemory = 16\n" \
	}

static const char bad_cfg[] = "name = \"bad\"\nkernel = \"guests/hello.elf\"\n"
			      "memory = 0\n";

/* Commands separated by ';' (a config's extra holds 255 bytes). */
static const struct hv_cfg script = {
	.needs_virt = 1,
	.progress_timeout = 240,
	.timeout = 900,
	.domains = {
		HV_DOM0("xl list;xl create tick.cfg;xl create hello.cfg;"
		     "sleep 500;xl list;xl console hello;xl create tick.cfg;"
		     "xl create no.cfg;xl create bad.cfg;xl dmesg;poweroff"),
		TICK,
		HELLO,
	},
	.files = { { "bad.cfg", bad_cfg, sizeof(bad_cfg) - 1 } },
};

static const struct hv_cfg manage = {
	.needs_virt = 1,
	.progress_timeout = 240,
	.timeout = 900,
	.domains = {
		HV_DOM0("xl create tick.cfg;xl pause tick;sleep 50;xl list;"
		     "sleep 500;xl unpause tick;sleep 500;xl destroy tick;"
		     "xl list;xl destroy dom0;poweroff"),
		TICK,
	},
};

/* Typed at the prompt, with a backspace; a line for tick through xl
 * console, Ctrl-] back; poweroff ends it all. */
static const struct hv_cfg interactive = {
	.needs_virt = 1,
	.progress_timeout = 240,
	.timeout = 900,
	.serial_after = "dom0: hvlab's toolstack",
	.serial_input = "xl lisx\x7ft\rxl create tick.cfg\rsleep 300\r"
			"xl console tick\rhi there\r\x1dsleep 300\rpoweroff\r",
	.domains = { HV_DOM0(""), TICK },
};

/* A privileged pv-tick fails its EPERM checks and crashes; a second
 * privileged config is refused; hello waits for a create that never
 * comes. */
#define CRASHER(name)                                            \
	{                                                        \
		name, "name   = \"" name "\"\ntype   = \"pv\"\n" \
		      "kernel = \"guests/pv-tick.elf\"\n"        \
		      "privileged = 1\n"                         \
		      "extra  = \"ticks=1\"\nmemory = 16\n"      \
	}
static const struct hv_cfg crash = {
	.needs_virt = 1,
	.progress_timeout = 240,
	.timeout = 900,
	.domains = { CRASHER("dom0"), CRASHER("dom0b"), HELLO },
};

/* One `xl list` row of the listing that starts after line from. */
struct xl_row {
	char name[32], state[8];
	int id, mem, vcpus;
};

/* Rows run to the next prompt; other domains' lines may come between. */
static bool list_row(struct hv_run *r, long from, const char *name,
		     struct xl_row *row)
{
	long head = hv_line_from(r, from, "Name ");

	for (long i = head + 1; head >= 0 && i < (long)r->nlines; i++) {
		if (strncmp(r->lines[i].text, "dom0# ", 6) == 0)
			break;
		if (sscanf(r->lines[i].text, "%31s %d %d %d %7s", row->name,
			   &row->id, &row->mem, &row->vcpus, row->state) == 5 &&
		    strcmp(row->name, name) == 0)
			return true;
	}
	return false;
}

/* name's row shows mem MiB, vcpus and one of the states (blank-separated). */
static void expect_row(struct hv_run *r, long from, const char *name, int mem,
		       int vcpus, const char *states)
{
	struct xl_row row;

	cr_assert(list_row(r, from, name, &row),
		  "[wrong result] xl list after line %ld: no row for %s\n"
		  "    log: %s",
		  from + 1, name, r->log);
	cr_expect(row.mem == mem && row.vcpus == vcpus,
		  "[wrong result] xl list: %s has %d MiB, %d vcpus; want %d, "
		  "%d\n    log: %s",
		  name, row.mem, row.vcpus, mem, vcpus, r->log);
	cr_expect(strstr(states, row.state),
		  "[wrong result] xl list: %s is \"%s\", want one of %s\n"
		  "    log: %s",
		  name, row.state, states, r->log);
}

Test(lab6, dom0_boot, .timeout = 1800)
{
	struct hv_run *r = hv_boot_group("dom0-script", &script);
	long create = hv_dom0_cmd(r, "xl create tick.cfg", 1);

	expect_output(r, "domain dom0: started");
	cr_expect(hv_line_with(r, 0, create, "domain tick: started") < 0 &&
			  hv_line_with(r, create, (long)r->nlines,
				       "domain tick: started") > 0,
		  "[wrong result] tick must start at xl create, not at boot\n"
		  "    log: %s",
		  r->log);
	expect_row(r, hv_dom0_cmd(r, "xl list", 1), "dom0", 32, 1,
		   "r----- -b----");
}

Test(lab6, dom0_create_list, .timeout = 1800)
{
	struct hv_run *r = hv_boot_group("dom0-script", &script);
	long list = hv_dom0_cmd(r, "xl list", 2);

	expect_row(r, list, "tick", 16, 1, "r----- -b----");
	expect_row(r, list, "hello", 0, 0, "---s--");
	cr_expect(hv_line_with(r, hv_dom0_cmd(r, "xl create tick.cfg", 2),
			       r->nlines, "EEXIST") > 0 &&
			  hv_line_with(r, hv_dom0_cmd(r, "xl create no.cfg", 1),
				       r->nlines, "ENOENT") > 0 &&
			  hv_line_with(r,
				       hv_dom0_cmd(r, "xl create bad.cfg", 1),
				       r->nlines, "EINVAL") > 0,
		  "[wrong result] xl create of a running name, a missing file "
		  "and a bad config must fail with EEXIST, ENOENT, EINVAL\n"
		  "    log: %s",
		  r->log);
	expect_output(r, "bad.cfg:3:");
}

Test(lab6, dom0_pause, .timeout = 1800)
{
	struct hv_run *r = hv_boot_group("dom0-manage", &manage);
	long list = hv_dom0_cmd(r, "xl list", 1);
	long unpause = hv_dom0_cmd(r, "xl unpause tick", 1);
	long destroy = hv_dom0_cmd(r, "xl destroy tick", 1);

	expect_row(r, list, "tick", 16, 1, "--p---");
	cr_expect(hv_line_with(r, list, unpause, "tick: tick ") < 0,
		  "[wrong result] tick ran while paused\n    log: %s", r->log);
	cr_expect(hv_line_with(r, unpause, destroy, "tick: tick ") > 0,
		  "[wrong result] tick did not run after xl unpause\n"
		  "    log: %s",
		  r->log);
}

Test(lab6, dom0_destroy, .timeout = 1800)
{
	struct hv_run *r = hv_boot_group("dom0-manage", &manage);
	long list = hv_dom0_cmd(r, "xl list", 2);
	struct xl_row row;

	expect_result(r, "domain tick: destroyed (destroyed by dom0)");
	cr_expect(!list_row(r, list, "tick", &row),
		  "[wrong result] xl list still shows tick after xl destroy\n"
		  "    log: %s",
		  r->log);
	cr_expect(hv_line_with(r, list, r->nlines, "tick: tick ") < 0,
		  "[wrong result] tick ran after xl destroy\n    log: %s",
		  r->log);
}

/* hello's output as dom0 printed it: not the hypervisor's "hello: " line. */
Test(lab6, dom0_console, .timeout = 1800)
{
	struct hv_run *r = hv_boot_group("dom0-script", &script);
	long con = hv_dom0_cmd(r, "xl console hello", 1);
	long next = hv_line_from(r, con + 1, "dom0# ");
	long i = hv_line_with(r, con, next,
			      "hello from a protected-mode guest");

	while (i >= 0 && strncmp(r->lines[i].text, "hello: ", 7) == 0)
		i = hv_line_with(r, i + 1, next,
				 "hello from a protected-mode guest");
	cr_expect(i > 0,
		  "[wrong result] xl console hello did not show hello's "
		  "output\n    log: %s",
		  r->log);
}

Test(lab6, dom0_dmesg, .timeout = 1800)
{
	struct hv_run *r = hv_boot_group("dom0-script", &script);
	long dmesg = hv_dom0_cmd(r, "xl dmesg", 1);

	cr_expect(hv_line_with(r, dmesg, r->nlines, "hvlab: running 1 domain") >
			  0,
		  "[wrong result] xl dmesg did not show the hypervisor's "
		  "boot lines\n    log: %s",
		  r->log);
}

Test(lab6, dom0_eperm, .timeout = 1800)
{
	struct hv_run *r = hv_boot_group("dom0-script", &script);

	expect_output(r, "tick: PASS: domctl from a domU: EPERM");
	expect_output(r, "tick: PASS: sysctl from a domU: EPERM");
}

/* dom0 may not destroy itself; its poweroff ends the machine with 0. */
Test(lab6, dom0_self_destroy, .timeout = 1800)
{
	struct hv_run *r = hv_boot_group("dom0-manage", &manage);

	cr_expect(hv_line_with(r, hv_dom0_cmd(r, "xl destroy dom0", 1),
			       r->nlines, "xl destroy dom0: EINVAL") > 0,
		  "[wrong result] xl destroy dom0 must fail with EINVAL\n"
		  "    log: %s",
		  r->log);
	expect_domain_exit(r, "dom0", 0);
	expect_exit(r, 0);
}

Test(lab6, dom0_interactive, .timeout = 1800)
{
	struct hv_run *r = hv_boot_group("dom0-interactive", &interactive);
	long head = hv_line_from(r, 0, "Name ");

	cr_expect(head > 0 && hv_line_with(r, 0, head, "xl lis") > 0,
		  "[wrong result] xl list typed with a backspace did not "
		  "run\n    log: %s",
		  r->log);
	expect_output(r, "domain tick: started");
	expect_output(r, "tick: echo: hi there");
	expect_result(r, "domain tick: destroyed (dom0 ended)");
	expect_exit(r, 0);
}

Test(lab6, dom0_crash, .timeout = 1800)
{
	struct hv_run *r = hv_boot_group("dom0-crash", &crash);

	expect_output(r, "is dom0 already");
	cr_expect(!hv_find_output(r, "domain hello: started"),
		  "[wrong result] hello started without dom0's xl create\n"
		  "    log: %s",
		  r->log);
	cr_expect(hv_find_output(r, "domain dom0: crash") ||
			  hv_find_output(r, "domain dom0b: crash"),
		  "[wrong result] the privileged pv-tick should crash "
		  "(its EPERM checks fail)\n    log: %s",
		  r->log);
	expect_failure_exit(r);
	cr_expect(r->stop == HV_STOP_EXIT,
		  "[wrong result] dom0's crash must end the machine\n  %s",
		  hv_diagnose(r));
}
