/*
 * lab7_hvctl.c - what lab 7's toolstack and backends ask of the
 * hypervisor (pv/domctl.c, pv/hvm_op.c, kernel/load/image_pv.c): domains
 * created paused, the devices of a config (XEN_DOMCTL_getdevice), disk
 * images for dom0 and driver domains (XEN_SYSCTL_bootfile), each Xen-ABI
 * domain's xenstore ring and port, and on_crash left to the toolstack.
 * Points: lab7.points, section "toolstack support".
 *
 * Two boots per vendor: guests/pv-store in both containers beside a
 * domain whose disk names one of them as backend= (no dom0), and a dom0
 * script that creates domains and lists their devices.  The disk images
 * are written by the grader (disk_byte's pattern), never committed.
 *
 * Bugs these tests catch, bug: the tests that fail:
 *   no store ring or port, ring inside RAM, port not unbound for domain
 *     0, start_info without them: toolstack_store
 *   get_param of another domain allowed to a domU: toolstack_store
 *   bootfile copying the wrong bytes or past the file, allowed to a
 *     domU or for a disk the driver domain does not serve, readconsole
 *     allowed to a driver domain: toolstack_bootfile
 *   createdomain leaving the domain running: toolstack_create_paused
 *   getdevice ignoring backend=, bridge= or mac=, a missing backend not
 *     ESRCH, a backend that is no driver domain not EPERM, bootfile's
 *     size wrong for dom0: toolstack_devices
 *   a dom0-created domain restarted by the hypervisor: toolstack_on_crash
 *   the config keys' parsing (host unit test): toolstack_config_unit
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "../grader.h"

#define DISK_D_SIZE 66560 /* 130 sectors: 16 pages and a part */
#define DISK_E_SIZE 3072

static uint8_t disk_d[DISK_D_SIZE], disk_e[DISK_E_SIZE];

/* The byte at offset i of the images (guests/pv-store's disk_byte). */
static uint8_t disk_byte(uint64_t i)
{
	return (uint8_t)(((uint32_t)i * 2654435761u) >> 24);
}

/* Fills the images before the group's boot reads them. */
static void disks_fill(void)
{
	for (size_t i = 0; i < sizeof(disk_d); i++)
		disk_d[i] = disk_byte(i);
	memset(disk_e, 0x5e, sizeof(disk_e));
}

#define PV(name, c, g, extra, more)                                \
	{                                                          \
		name, "name   = \"" name "\"\ntype   = \"pv\"\n"   \
		      "container = \"" c "\"\n"                    \
		      "kernel = \"guests/" g ".elf\"\n"            \
		      "extra  = \"" extra "\"\nmemory = 16\n" more \
	}
#define DISKS                                           \
	{                                               \
		{ "d.img", disk_d, sizeof(disk_d) },    \
		{                                       \
			"e.img", disk_e, sizeof(disk_e) \
		}                                       \
	}
#define SIZE_D "66560"

/* dd serves d.img to user, not e.img; plain is no driver domain. */
static const struct hv_cfg guests = {
	.needs_virt = 1,
	.progress_timeout = 240,
	.timeout = 900,
	.domains = {
		PV("dd", "te", "pv-store",
		   "driver=1 disk=domains/d.img size=" SIZE_D
		   " other=domains/e.img",
		   "driver_domain = 1\n"),
		PV("plain", "hvm", "pv-store", "disk=domains/d.img", ""),
		PV("user", "hvm", "pv-hello", "",
		   "disk = [ \"backend=dd,d.img,xvda,w\", \"e.img,xvdb,r\" ]\n"),
	},
	.files = DISKS,
};

/*
 * tk starts paused (-p); bk is a running driver domain, nd a running
 * domain that is not one; u's devices name bk; g's vif names a backend
 * that does not run, n's one that is no driver domain, so the toolstack
 * refuses them; c crashes itself with on_crash "restart".  Short names:
 * dom0's script and its token fit one config string.
 */
static const struct hv_cfg script = {
	.needs_virt = 1,
	.progress_timeout = 240,
	.timeout = 900,
	.domains = {
		HV_DOM0("xl create -p tk.cfg;sleep 300;xl list;xl unpause tk;"
		     "sleep 300;xl create bk.cfg;xl create nd.cfg;"
		     "xl create u.cfg;xl block-list u;xl network-list u;"
		     "xl create c.cfg;sleep 500;xl create g.cfg;"
		     "xl create n.cfg;poweroff"),
		PV("tk", "hvm", "pv-tick", "period=100", ""),
		PV("bk", "te", "pv-tick", "period=1000", "driver_domain = 1\n"),
		PV("nd", "hvm", "pv-tick", "period=1000", ""),
		PV("u", "hvm", "pv-hello", "",
		   "disk = [ \"backend=bk,d.img,xvda,w\", \"e.img,xvdb,r\" ]\n"
		   "vif = [ \"mac=00:16:3e:0a:0b:0c,bridge=br7\", "
		   "\"backend=bk\" ]\n"),
		PV("g", "hvm", "pv-hello", "", "vif = [ \"backend=gone\" ]\n"),
		PV("n", "hvm", "pv-hello", "", "vif = [ \"backend=nd\" ]\n"),
		PV("c", "hvm", "pv-hello", "exit=crash",
		   "on_crash = \"restart\"\n"),
	},
	.files = DISKS,
};

/* The end of command's output: the next prompt. */
static long cmd_end(struct hv_run *r, long cmd)
{
	long next = hv_line_from(r, cmd + 1, "dom0# ");

	return next < 0 ? (long)r->nlines : next;
}

/* Some line of command's output holds every one of the words. */
static void expect_row(struct hv_run *r, const char *command,
		       const char *const words[])
{
	long cmd = hv_dom0_cmd(r, command, 1), end = cmd_end(r, cmd), i;
	size_t w = 0;

	for (i = cmd + 1; i < end; i++) {
		for (w = 0; words[w] && strstr(r->lines[i].text, words[w]); w++)
			;
		if (!words[w])
			return;
	}
	cr_expect_fail("[wrong result] %s: no line with \"%s\"%s...\n"
		       "    log: %s",
		       command, words[0], words[1] ? " and the rest" : "",
		       r->log);
}

/* The id dom0 printed for the domain "xl create NAME.cfg" created. */
static int created_id(struct hv_run *r, const char *cfg)
{
	char command[64];
	long cmd, i;
	int id = -1;

	snprintf(command, sizeof(command), "xl create %s", cfg);
	cmd = hv_dom0_cmd(r, command, 1);
	i = hv_line_with(r, cmd, cmd_end(r, cmd), "created domain ");
	cr_assert(i > 0 && sscanf(strstr(r->lines[i].text, "created domain "),
				  "created domain %d", &id) == 1,
		  "[wrong result] %s created no domain\n    log: %s", command,
		  r->log);
	return id;
}

static const char *const store[] = {
	"HVM_PARAM_STORE_PFN", "HVM_PARAM_STORE_EVTCHN", "store frame beyond",
	"store port",	       "get_param of domain",	 NULL,
};

Test(lab7, toolstack_store, .timeout = 1800)
{
	struct hv_run *r;

	disks_fill();
	r = hv_boot_group("hvctl-guests", &guests);
	expect_guest_passed(r, "dd", store);
	expect_guest_passed(r, "plain", store);
	expect_output(r, "dd: PASS: start_info: store_mfn");
}

Test(lab7, toolstack_bootfile, .timeout = 1800)
{
	static const char *const dd[] = {
		"bootfile domains/d.img: " SIZE_D " of " SIZE_D " bytes",
		"bootfile: every byte as written",
		"bootfile: nothing written past the file",
		"bootfile: 5000 bytes from offset 4095",
		"bootfile: the last 10 bytes",
		"bootfile: past the end gives 0 bytes",
		"bootfile into the hypervisor",
		"bootfile of a disk it does not serve",
		"bootfile of a file no disk line names",
		"readconsole from a driver domain",
		NULL,
	};
	static const char *const plain[] = {
		"bootfile from a domU that is no driver domain", NULL
	};
	struct hv_run *r;

	disks_fill();
	r = hv_boot_group("hvctl-guests", &guests);
	expect_guest_passed(r, "dd", dd);
	expect_guest_passed(r, "plain", plain);
	expect_domain_exit(r, "user", 0);
	expect_exit(r, 0);
}

/* tk prints nothing between xl create -p and xl unpause. */
Test(lab7, toolstack_create_paused, .timeout = 1800)
{
	struct hv_run *r;
	long create, unpause, list;

	disks_fill();
	r = hv_boot_group("hvctl-dom0", &script);
	create = hv_dom0_cmd(r, "xl create -p tk.cfg", 1);
	list = hv_dom0_cmd(r, "xl list", 1);
	unpause = hv_dom0_cmd(r, "xl unpause tk", 1);
	cr_expect(hv_line_with(r, create, unpause, "tk: tick ") < 0,
		  "[wrong result] tk ran before xl unpause\n    log: %s",
		  r->log);
	cr_expect(hv_line_with(r, unpause, r->nlines, "tk: tick ") > 0,
		  "[wrong result] tk did not run after xl unpause\n"
		  "    log: %s",
		  r->log);
	cr_expect(hv_line_with(r, list, cmd_end(r, list), "--p---") > 0,
		  "[wrong result] xl list shows no paused domain after "
		  "xl create -p\n    log: %s",
		  r->log);
	expect_output(r, "tk: PASS: sysctl from a domU: EPERM");
}

/* Some line of command's output contains text. */
static void expect_in(struct hv_run *r, const char *command, const char *text)
{
	long cmd = hv_dom0_cmd(r, command, 1);

	cr_expect(hv_line_with(r, cmd, cmd_end(r, cmd), text) > 0,
		  "[wrong result] %s: no \"%s\"\n    log: %s", command, text,
		  r->log);
}

Test(lab7, toolstack_devices, .timeout = 1800)
{
	struct hv_run *r;
	char bk[8];

	disks_fill();
	r = hv_boot_group("hvctl-dom0", &script);
	snprintf(bk, sizeof(bk), " %d ", created_id(r, "bk.cfg"));
	expect_row(r, "xl block-list u",
		   (const char *[]){ "xvda", bk, " w ", " " SIZE_D " ",
				     "domains/d.img", NULL });
	expect_row(r, "xl block-list u",
		   (const char *[]){ "xvdb", "  0 ", " r ", " 3072 ",
				     "domains/e.img", NULL });
	expect_row(r, "xl network-list u",
		   (const char *[]){ "0 ", "  0 ", "00:16:3e:0a:0b:0c", " br7",
				     NULL });
	expect_row(r, "xl network-list u",
		   (const char *[]){ "1 ", bk, " xenbr0", NULL });
	expect_in(r, "xl create g.cfg", "ESRCH");
	expect_in(r, "xl create n.cfg", "EPERM");
}

/*
 * c crashes; with dom0 its on_crash "restart" is the toolstack's, which
 * destroys it and creates it anew: the hypervisor must not restart it.
 */
Test(lab7, toolstack_on_crash, .timeout = 1800)
{
	struct hv_run *r;

	disks_fill();
	r = hv_boot_group("hvctl-dom0", &script);
	created_id(r, "c.cfg");
	expect_result(r, "domain c: crashed (the guest crashed itself "
			 "(SCHEDOP_shutdown))");
	cr_expect(!hv_find_output(r, "domain c: restarting"),
		  "[wrong result] the hypervisor restarted a domain dom0 "
		  "created\n    log: %s",
		  r->log);
	expect_domain_exit(r, "dom0", 0);
}

Test(lab7, toolstack_config_unit)
{
	expect_host_test("test_config", NULL);
	expect_host_test("test_image", NULL);
}
