/*
 * lab7_blk.c - lab 7's block split driver: blkfront (guests/lib) and
 * blkback (guests/dom0) over Xen's blkif ring, with dom0's toolstack
 * writing the xenstore directories from the configs' disk lines.  Points:
 * lab7.points, block section.
 *
 * One boot scores the guest tests: dom0 creates pv-blk in both
 * containers (hvm, te: each on its own writable image and a shared
 * read-only one) beside a hostile frontend (bad) on a third image and an
 * hvm domain with PV drivers (pvhvm, with a vif too); then a
 * persistence writer (pw), a domain asking for pw's image, attached
 * writable (rf), and once pw is gone the persistence reader (pr) on pw's
 * image; `xl console` or `wait` waits for each to end.  Disk images are made here,
 * zeroed.
 *
 * Bugs these tests catch, bug: the tests that fail:
 *   blkback's loop consuming nothing, or validating nothing: blk_unit,
 *     blk_hvm, blk_te, blk_hostile
 *   the producer never publishing req_prod: ring_unit, blk_hvm, blk_te
 *   the producer notifying on every push: ring_unit, blk_suppression
 *   info without VDISK_READONLY, writes to an 'r' disk served:
 *     blk_readonly
 *   images reloaded per attachment: blk_persist
 *   a second writable attachment allowed: blk_refused
 *   a bad ring index served or crashing dom0: blk_hostile
 *   the callback vector not injected into an hvm domain, its grant
 *     frames not placed: blk_pvhvm
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include "../grader.h"

/* pv-blk as name in container c with extra and disk lines disks. */
#define BLK(name, c, extra, disks)                               \
	{                                                        \
		name, "name   = \"" name "\"\ntype   = \"pv\"\n" \
		      "container = \"" c "\"\n"                  \
		      "kernel = \"guests/pv-blk.elf\"\n"         \
		      "extra  = \"" extra "\"\nmemory = 16\n"    \
		      "disk   = [ " disks " ]\n"                 \
	}

static char img_a[2 << 20], img_b[1 << 20], img_c[1 << 20], img_d[1 << 20],
	img_h[1 << 20], img_ro[64 << 10];

static const struct hv_cfg blk = {
	.needs_virt = 1,
	.progress_timeout = 240,
	.timeout = 1200,
	.domains = {
		HV_DOM0("xl create hvm.cfg;xl create te.cfg;xl create bad.cfg;"
		     "xl create pvhvm.cfg;"
		     "xl console bad;xl create pw.cfg;xl create rf.cfg;"
		     "xl console pw;xl destroy pw;sleep 500;xl create pr.cfg;"
		     "xl console pr;xl console te;wait hvm pvhvm;poweroff"),
		BLK("hvm", "hvm", "mib=2",
		    "\"file:a.img,xvda,w\", \"file:ro.img,xvdb,r\""),
		BLK("te", "te", "mib=1",
		    "\"file:b.img,xvda,w\", \"file:ro.img,xvdb,r\""),
		BLK("bad", "hvm", "hostile=1", "\"file:c.img,xvda,w\""),
		BLK("pw", "hvm", "persist=1 seed=77", "\"file:d.img,xvda,w\""),
		BLK("pr", "te", "persist=2 seed=77", "\"file:d.img,xvda,w\""),
		BLK("rf", "hvm", "refused=1", "\"file:d.img,xvda,w\""),
		{ "pvhvm", "name   = \"pvhvm\"\ntype   = \"hvm\"\n"
			   "xen_platform = 1\n"
			   "kernel = \"guests/pvhvm.elf\"\n"
			   "extra  = \"ip=10.0.0.30\"\nmemory = 16\n"
			   "disk   = [ \"file:h.img,xvda,w\" ]\n"
			   "vif    = [ \"mac=00:16:3e:00:07:30,bridge=xenbr0\" ]\n" },
	},
	.files = {
		{ "a.img", img_a, sizeof(img_a) },
		{ "b.img", img_b, sizeof(img_b) },
		{ "c.img", img_c, sizeof(img_c) },
		{ "d.img", img_d, sizeof(img_d) },
		{ "h.img", img_h, sizeof(img_h) },
		{ "ro.img", img_ro, sizeof(img_ro) },
	},
};

/* blkback's ring on the host: validation of every request field, a
 * backwards or far producer, a frontend that never stops (test_blkback). */
Test(lab7, blk_unit, .timeout = 300)
{
	expect_host_test("test_blkback", "blkback");
}

/* The frontend's producer: publishes and notifies only when asked. */
Test(lab7, ring_unit, .timeout = 300)
{
	expect_host_test("test_blkback", "ring");
}

static const char *const io_passes[] = {
	"xvda connected",
	"wrote ",
	"read back ",
	"one write of 85 sectors in 11 segments",
	"read back in 11 segments",
	"the ring holds 32 requests",
	"all 32 concurrent requests completed",
	"feature-flush-cache and a flush",
	"discarded sectors read as zeroes",
	"a read past the disk's end fails",
	NULL,
};

/* Bulk write and read-back with checksums, 11-segment requests, a full
 * ring, flush, discard, errors; the hvm container. */
Test(lab7, blk_hvm, .timeout = 1800)
{
	expect_guest_passed(hv_boot_group("blk", &blk), "hvm", io_passes);
}

/* The same guest in the te container (classic PV). */
Test(lab7, blk_te, .timeout = 1800)
{
	expect_guest_passed(hv_boot_group("blk", &blk), "te", io_passes);
}

/* 32 requests pushed one by one while the backend sleeps: fewer events
 * than pushes, in both containers. */
Test(lab7, blk_suppression, .timeout = 1800)
{
	struct hv_run *r = hv_boot_group("blk", &blk);
	static const char *const passes[] = { "notification suppression",
					      NULL };

	expect_guest_passed(r, "hvm", passes);
	expect_guest_passed(r, "te", passes);
}

/* PVHVM: an hvm domain with xen_platform = 1 runs blkfront and netfront
 * as Linux does there (guests/pvhvm): Xen found above hvlab's leaves,
 * the grant table in the platform device's BAR1, a pattern written to
 * its disk and read back, pings to dom0 answered, every event on the
 * callback vector. */
Test(lab7, blk_pvhvm, .timeout = 1800)
{
	static const char *const passes[] = {
		"PV drivers set up on the Xen platform",
		"Xen's CPUID leaves above hvlab's",
		"the grant table in the platform device's BAR1",
		"xvda connected",
		"wrote 256 sectors through blkfront",
		"read them back intact",
		"the disk's events came on vector 0xf3",
		"vif 0 connected",
		"ping dom0 10.0.0.1 through netfront",
		"the vif's events came on vector 0xf3",
		NULL,
	};

	expect_guest_passed(hv_boot_group("blk", &blk), "pvhvm", passes);
}

/* xvdb ('r'): VDISK_READONLY, reads served, writes and discards refused. */
Test(lab7, blk_readonly, .timeout = 1800)
{
	static const char *const passes[] = {
		"xvdb: info has VDISK_READONLY",
		"xvdb: read",
		"xvdb: a write is refused",
		"xvdb: a discard is refused",
		NULL,
	};

	expect_guest_passed(hv_boot_group("blk", &blk), "hvm", passes);
}

/* A later domain reads what an earlier one wrote to the same image. */
Test(lab7, blk_persist, .timeout = 1800)
{
	struct hv_run *r = hv_boot_group("blk", &blk);
	static const char *const w[] = { "persist: wrote seed 77", NULL };
	static const char *const rd[] = {
		"persist: an earlier domain's seed 77 read back", NULL
	};

	expect_guest_passed(r, "pw", w);
	expect_guest_passed(r, "pr", rd);
}

/* An image attached writable cannot be attached writable again: the
 * toolstack refuses the create (blkback would refuse the attach too). */
Test(lab7, blk_refused, .timeout = 1800)
{
	struct hv_run *r = hv_boot_group("blk", &blk);

	expect_output(r, "d.img is in use by domain");
	cr_expect(!hv_find_output(r, "domain rf: exit"),
		  "[wrong result] rf ran with d.img attached twice\n"
		  "    log: %s",
		  r->log);
}

/* Malformed requests, foreign grants, a backwards or far producer, a
 * full ring left unconsumed: errors or a closed ring for the hostile
 * frontend only; dom0 survives to power off. */
Test(lab7, blk_hostile, .timeout = 1800)
{
	struct hv_run *r = hv_boot_group("blk", &blk);
	static const char *const p[] = {
		"nr_segments 0",
		"nr_segments 12",
		"first_sect > last_sect",
		"last_sect 9",
		"a sector far beyond the disk",
		"a grant ref never given",
		"a grant given to another domain",
		"a full ring answered and left unconsumed",
		"req_prod run backwards: the backend closed the ring",
		"req_prod 1000 ahead: the backend closed the ring",
		"reconnected again",
		NULL,
	};

	expect_guest_passed(r, "bad", p);
	expect_output(r, "not a ring of 32 slots; disconnecting");
	expect_output(r, "dom0# poweroff");
}

/* The backend in a driver domain: dd runs guests/driver-domain; fe's
 * disk line names backend=dd, and fe runs the checks to the end; then fg
 * reads from dd while dom0 destroys dd and creates it again, and the
 * toolstack gives fg's disk to the new dd. */
static char img_e[1 << 20], img_f[1 << 20];
static const struct hv_cfg dd = {
	.needs_virt = 1,
	.progress_timeout = 240,
	.timeout = 1200,
	.domains = {
		HV_DOM0("xl create dd.cfg;sleep 1000;xl create fe.cfg;"
		     "xl console fe;xl create fg.cfg;sleep 5000;xl destroy dd;"
		     "sleep 2000;xl create dd.cfg;xl console fg;poweroff"),
		{ "dd", "name   = \"dd\"\ntype   = \"pv\"\n"
			"container = \"hvm\"\n"
			"kernel = \"guests/driver-domain.elf\"\n"
			"driver_domain = 1\nmemory = 32\n" },
		BLK("fe", "hvm", "mib=1", "\"file:e.img,xvda,w,backend=dd\""),
		BLK("fg", "hvm", "gone=2", "\"file:f.img,xvda,w,backend=dd\""),
	},
	.files = { { "e.img", img_e, sizeof(img_e) },
		   { "f.img", img_f, sizeof(img_f) } },
};

/* blkback unprivileged: fe's checks pass through dd. */
Test(lab7, blk_driver_domain, .timeout = 1800)
{
	expect_guest_passed(hv_boot_group("dd", &dd), "fe", io_passes);
}

/* dd destroyed: fe's I/O fails with an error instead of hanging. */
Test(lab7, blk_driver_gone, .timeout = 1800)
{
	static const char *const p[] = {
		"the backend went away",
		"and fails at once afterwards",
		NULL,
	};

	expect_guest_passed(hv_boot_group("dd", &dd), "fg", p);
}

/* dd created again: fe reconnects to it and uses the disk. */
Test(lab7, blk_driver_restart, .timeout = 1800)
{
	static const char *const p[] = {
		"reconnected to the backend's successor",
		"a write read back through it",
		NULL,
	};
	struct hv_run *r = hv_boot_group("dd", &dd);

	expect_guest_passed(r, "fg", p);
	expect_output(r, "served by domain");
}
