/*
 * lab7_xs.c - lab 7's xenstore, xenbus and toolstack: dom0's daemon
 * (guests/dom0/xenstored*.c) serving domUs over their rings, the
 * toolstack's /local/domain/N entries, deaths cleaned up, and clients
 * that misbehave.  Points: lab7.points, the xenstore section.
 *
 * One boot per vendor: dom0's script creates two hostile clients
 * (guests/pv-hostile-xs: watches everywhere, a flood of unread
 * requests, then bad ring indices or an oversized header), then
 * pv-xenstore in each pv container, lists one's directory, uses the
 * xenstore-* commands, waits for all of them to end and lists the
 * domains' directories again.  Domain ids follow the
 * order of xl create: ha 1, hb 2, xh 3, xt 4.  (dom0's extra holds 255
 * bytes with the token: short file names.)
 *
 * Bugs these tests catch, bug: the tests that fail (each seen failing
 * with the bug put in):
 *   permissions not enforced: xs_unit, xs_permissions (and xs_hostile,
 *     whose well-behaved domains then fail)
 *   a watch not fired at registration: xs_unit, xs_watches
 *   transactions committed without the conflict check: xs_unit,
 *     xs_transactions
 *   the node quota not enforced: xs_unit, xs_quotas
 *   ring indices not checked: xs_hostile (the flooder is never cut off)
 *   the toolstack not removing /local/domain/N at a death: xs_toolstack
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include "../grader.h"

/* Config file file.cfg: domain name in container c running guests/g. */
#define PV(file, name, c, g, extra, more)                          \
	{                                                          \
		file, "name   = \"" name "\"\ntype   = \"pv\"\n"   \
		      "container = \"" c "\"\n"                    \
		      "kernel = \"guests/" g ".elf\"\n"            \
		      "extra  = \"" extra "\"\nmemory = 16\n" more \
	}
/* A read-only disk both pv-xenstore domains have: its directories. */
#define DISK "disk   = [ \"file:x.img,xvda,r\" ]\n"
static char img_x[64 << 10];

static const struct hv_cfg store = {
	.needs_virt = 1,
	.cmdline = "timeout=3000",
	.progress_timeout = 240,
	.timeout = 1200,
	.domains = {
		/* 255 bytes at most: dom0's own key t is /local/domain/0/t. */
		HV_DOM0("xl create a.cfg;xl create b.cfg;xl create h.cfg;"
		     "xl create t.cfg;xenstore-ls /local/domain/3;"
		     "xenstore-write t hi;xenstore-read t;xenstore-rm t;"
		     "xenstore-read t;wait xh xt;xenstore-ls /local/domain;"
		     "poweroff"),
		PV("a", "ha", "hvm", "pv-hostile-xs", "mode=badidx", ""),
		PV("b", "hb", "te", "pv-hostile-xs", "mode=oversize", ""),
		PV("h", "xh", "hvm", "pv-xenstore", "name=xh", DISK),
		PV("t", "xt", "te", "pv-xenstore", "name=xt", DISK),
	},
	.files = { { "x.img", img_x, sizeof(img_x) } },
};

/* The first line that is text, or -1. */
static long line_is(struct hv_run *r, const char *text)
{
	for (size_t i = 0; i < r->nlines; i++)
		if (strcmp(r->lines[i].text, text) == 0)
			return (long)i;
	return -1;
}

/* Both pv-xenstore domains printed "PASS: " and each of passes (the
 * others' failures are other tests'). */
static void expect_both(struct hv_run *r, const char *const passes[])
{
	static const char *const doms[] = { "xh: PASS: ", "xt: PASS: " };

	for (int d = 0; d < 2; d++)
		for (int i = 0; passes[i]; i++)
			cr_expect(hv_find_result_with(r, doms[d], passes[i]),
				  "[wrong result] no \"%s%s\"\n  %s", doms[d],
				  passes[i], hv_diagnose(r));
}

Test(lab7, xs_unit, .timeout = 300)
{
	expect_host_test("test_xenstore", NULL);
}

Test(lab7, xs_permissions, .timeout = 1800)
{
	static const char *const passes[] = {
		"get_domain_path: /local/domain/",
		"domid key ",
		"name key ",
		"dom0's dir: EACCES",
		"its own name is read-only: EACCES",
		"frontend keys of xvda (virtual-device 51712)",
		"backend dir readable by the frontend",
		"backend dir write: EACCES",
		"backend dir create: EACCES",
		"write data/a/b",
		"read after rm",
		NULL,
	};

	expect_both(hv_boot_group("xs-store", &store), passes);
}

Test(lab7, xs_watches, .timeout = 1800)
{
	static const char *const passes[] = {
		"fires once at registration",
		"then once per change at or below",
		"none after unwatch",
		NULL,
	};

	expect_both(hv_boot_group("xs-store", &store), passes);
}

Test(lab7, xs_transactions, .timeout = 1800)
{
	static const char *const passes[] = {
		"10 rounds of two racing transactions",
		"the loser retried once a round (EAGAIN)",
		"counter 20 = the 20 increments",
		NULL,
	};

	expect_both(hv_boot_group("xs-store", &store), passes);
}

Test(lab7, xs_quotas, .timeout = 1800)
{
	static const char *const passes[] = {
		"node quota: ENOSPC", "nodes freed by rm count again",
		"watch quota: E2BIG", "transaction quota: ENOSPC",
		"a 4000-byte value",  NULL,
	};

	expect_both(hv_boot_group("xs-store", &store), passes);
}

/* The hostile clients were cut off with the reason logged, and dom0 and
 * the well-behaved domains worked on. */
Test(lab7, xs_hostile, .timeout = 1800)
{
	struct hv_run *r = hv_boot_group("xs-store", &store);
	static const char *const bad_idx[] = {
		"req_prod 3 rings ahead: the connection is closed", NULL
	};
	static const char *const oversize[] = {
		"a 5000-byte header: the connection is closed", NULL
	};

	expect_guest_passed(r, "ha", bad_idx);
	expect_guest_passed(r, "hb", oversize);
	expect_output(r, "xenstored: domain 1: ring indices out of range");
	expect_output(r, "xenstored: domain 2: request longer than 4096 bytes");
	expect_guest_passed(r, "xh", NULL);
	expect_guest_passed(r, "xt", NULL);
	expect_domain_exit(r, "dom0", 0);
}

/* /local/domain/3 as the toolstack wrote it, the shell's commands, and
 * the domains' directories gone once they ended. */
Test(lab7, xs_toolstack, .timeout = 1800)
{
	struct hv_run *r = hv_boot_group("xs-store", &store);
	long ls = hv_dom0_cmd(r, "xenstore-ls /local/domain/3", 1);
	long rd = hv_dom0_cmd(r, "xenstore-read t", 1);
	long rm = hv_dom0_cmd(r, "xenstore-rm t", 1);
	long end = line_is(r, "dom0# xenstore-ls /local/domain");
	long name = hv_line_with(r, ls, (long)r->nlines, "name = \"xh\"");
	long domid = hv_line_with(r, ls, (long)r->nlines, "domid = \"3\"");

	cr_expect(name > ls && name < rd && domid > ls && domid < rd,
		  "[wrong result] xenstore-ls /local/domain/3 shows no "
		  "name = \"xh\" and domid = \"3\"\n    log: %s",
		  r->log);
	cr_expect(rd + 1 < (long)r->nlines &&
			  strlen(r->lines[rd + 1].text) >= 2 &&
			  strcmp(r->lines[rd + 1].text +
					 strlen(r->lines[rd + 1].text) - 2,
				 "hi") == 0,
		  "[wrong result] xenstore-read t after writing hi: "
		  "\"%s\"\n    log: %s",
		  r->lines[rd + 1].text, r->log);
	cr_expect(hv_line_with(r, rm, (long)r->nlines,
			       "xenstore-read t: ENOENT") > rm,
		  "[wrong result] t still there after xenstore-rm\n"
		  "    log: %s",
		  r->log);
	cr_expect(end > 0 &&
			  hv_line_with(r, end, (long)r->nlines, "0 = \"\"") ==
				  end + 1 &&
			  hv_line_with(r, end, (long)r->nlines, "name = \"x") <
				  0 &&
			  hv_line_with(r, end, (long)r->nlines, "name = \"h") <
				  0,
		  "[wrong result] the ended domains' directories are still "
		  "in /local/domain\n    log: %s",
		  r->log);
}
