/*
 * lab8_io.c - lab 8's split-driver options (labs/lab8.md): request
 * batching in blkfront (blkfront_iov) and event coalescing in blkback
 * (blkback_push).  Points: lab8.points, I/O section.
 *
 * One boot: dom0 creates pv-blk with lab8=1 in the hvm container, on
 * three disks (guests/pv-blk/lab8.c).  The guest does the same scattered
 * 4 KiB I/O one request at a time and batched on xvda, and batched on
 * xvdb (coalescing backend) and xvdc (request-notify-each: an event per
 * response), reads every piece back and prints its counts; dom0 prints
 * each vbd's requests and events when it disconnects.  The tests score
 * ratios of counts, which the scheduler cannot change: pushes and events
 * per request, one way against the other in the same run.
 *
 * Bugs these tests catch, bug: the tests that fail:
 *   the handout's one-by-one fallback in blkfront_iov: batch_events
 *   a batch that loses a request at ring-full (the piece that met
 *     -XEN_EAGAIN skipped): batch_data, coalesce_data
 *   a batch pushed with no notification (RING_PUSH_REQUESTS alone):
 *     batch_data (the I/O times out in 5 s), batch_events
 *   the handout's event per response in blkback_push: coalesce_events,
 *     coalesce_unit
 *   responses pushed at the end of a batch without the final check
 *     (req_event never moved: a lost wakeup): coalesce_unit, and the
 *     guest's I/O times out: batch_data, coalesce_data
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include "../grader.h"

/* pv-blk lab8=1 on three writable 1 MiB disks. */
static char img_a[1 << 20], img_b[1 << 20], img_c[1 << 20];

static const struct hv_cfg io = {
	.needs_virt = 1,
	.progress_timeout = 240,
	.timeout = 1200,
	.domains = {
		HV_DOM0("xl create io.cfg;xl console io;sleep 500;poweroff"),
		{ "io", "name   = \"io\"\ntype   = \"pv\"\n"
			"container = \"hvm\"\n"
			"kernel = \"guests/pv-blk.elf\"\n"
			"extra  = \"lab8=1\"\nmemory = 16\n"
			"disk   = [ \"file:a8.img,xvda,w\", "
			"\"file:b8.img,xvdb,w\", \"file:c8.img,xvdc,w\" ]\n" },
	},
	.files = {
		{ "a8.img", img_a, sizeof(img_a) },
		{ "b8.img", img_b, sizeof(img_b) },
		{ "c8.img", img_c, sizeof(img_c) },
	},
};

/* A cost line of the guest: "pv-blk: lab8 DISK MODE: ...". */
struct cost {
	unsigned requests, pushes, events;
	unsigned long long us;
};

/* The guest's counts for disk and mode; fails the test without them. */
static struct cost guest_cost(struct hv_run *r, const char *disk,
			      const char *mode)
{
	char want[64];
	const struct hv_line *l;
	const char *p;
	struct cost c = { 0 };

	snprintf(want, sizeof(want), "pv-blk: lab8 %s %s: ", disk, mode);
	l = hv_find_output(r, want);
	cr_assert(l && (p = strstr(l->text, want)) &&
			  sscanf(p + strlen(want),
				 "%u requests, %u pushes, %u events, %llu us",
				 &c.requests, &c.pushes, &c.events,
				 &c.us) == 4 &&
			  c.requests > 0,
		  "[wrong result] no \"%s\" line with the counts: %s\n"
		  "    log: %s",
		  want, hv_diagnose(r), r->log);
	return c;
}

/* dom0's line for vbd devid: its requests and events. */
static void backend_cost(struct hv_run *r, unsigned devid,
			 unsigned long *requests, unsigned long *events)
{
	char want[48];
	const struct hv_line *l;
	const char *p;

	snprintf(want, sizeof(want), " vbd %u: ", devid);
	for (size_t i = 0; i < r->nlines; i++) {
		l = &r->lines[i];
		if (strstr(l->text, "blkback: dom ") &&
		    (p = strstr(l->text, want)) &&
		    sscanf(p + strlen(want), "%lu requests, %lu events",
			   requests, events) == 2 &&
		    *requests > 0)
			return;
	}
	cr_assert_fail("[wrong result] dom0 printed no \"blkback: dom N vbd "
		       "%u: R requests, E events\" line: %s\n    log: %s",
		       devid, hv_diagnose(r), r->log);
}

/* The backend's coalescing on the host: one event per batch, and the
 * final check that asks for the next request. */
Test(lab8, coalesce_unit, .timeout = 300)
{
	expect_host_test("test_blkback", "coalesce");
}

/* Batched writes and reads on xvda read back right, one piece at a time
 * and batched, across ring-fulls. */
Test(lab8, batch_data, .timeout = 1800)
{
	static const char *const passes[] = {
		"xvda: 256 batched writes of 4 KiB",
		"xvda: every piece written batched holds its data",
		"xvda: 256 batched reads of 4 KiB",
		"xvda: every piece read batched holds its data",
		NULL,
	};

	expect_guest_passed(hv_boot_group("io", &io), "io", passes);
}

/*
 * Batching in the frontend: one push, and so at most one event, per
 * ring-full instead of one per request.  The one-by-one way waits for
 * each response, so nearly every request of it wakes the backend.
 */
Test(lab8, batch_events, .timeout = 1800)
{
	struct hv_run *r = hv_boot_group("io", &io);
	struct cost each = guest_cost(r, "xvda", "one-by-one");
	struct cost batch = guest_cost(r, "xvda", "batched");
	double e1 = (double)each.events / each.requests;
	double eb = (double)batch.events / batch.requests;
	double pb = (double)batch.pushes / batch.requests;

	cr_expect(e1 >= 0.5,
		  "[wrong result] one by one: %u events for %u requests; each "
		  "request alone on the ring should wake the backend\n"
		  "    log: %s",
		  each.events, each.requests, r->log);
	cr_expect(pb <= 1.0 / 8,
		  "[wrong result] batched: %u pushes for %u requests, want at "
		  "most one per 8: blkfront_iov pushes once per ring-full\n"
		  "    log: %s",
		  batch.pushes, batch.requests, r->log);
	cr_expect(batch.events * 2 >= batch.pushes,
		  "[wrong result] batched: %u events for %u pushes; the "
		  "backend sleeps between batches and asks for an event "
		  "(req_event): a batch pushed without one waits for dom0's "
		  "next look at the ring\n    log: %s",
		  batch.events, batch.pushes, r->log);
	cr_expect(eb * 8 <= e1 && batch.events <= batch.pushes,
		  "[wrong result] batched: %.3f events per request against "
		  "%.3f one by one, want at most 1/8 of it (%u events, %u "
		  "pushes)\n    log: %s",
		  eb, e1, batch.events, batch.pushes, r->log);
	/* Loose: batching was 9 times faster under QEMU TCG. */
	cr_expect(batch.us * 2 <= each.us,
		  "[wrong result] batched: %llu us against %llu us one by "
		  "one, want at most half of it\n    log: %s",
		  batch.us, each.us, r->log);
}

/* Batched I/O on the coalescing backend (xvdb) and on the one that
 * notifies every response (xvdc) reads back right. */
Test(lab8, coalesce_data, .timeout = 1800)
{
	static const char *const passes[] = {
		"xvdb: every piece written batched holds its data",
		"xvdb: every piece read batched holds its data",
		"xvdc: every piece written batched holds its data",
		"xvdc: every piece read batched holds its data",
		NULL,
	};

	expect_guest_passed(hv_boot_group("io", &io), "io", passes);
}

/*
 * Coalescing in the backend: the same batched I/O gets an event per
 * batch from xvdb's backend, one per response from xvdc's (asked with
 * request-notify-each): dom0's own counts.
 */
Test(lab8, coalesce_events, .timeout = 1800)
{
	struct hv_run *r = hv_boot_group("io", &io);
	unsigned long cq, ce, nq, ne;
	double c, n;

	backend_cost(r, 51728, &cq, &ce);
	backend_cost(r, 51744, &nq, &ne);
	c = (double)ce / cq;
	n = (double)ne / nq;
	cr_expect(ne >= nq,
		  "[wrong result] xvdc (request-notify-each): %lu events for "
		  "%lu requests, want one per response at least\n"
		  "    log: %s",
		  ne, nq, r->log);
	cr_expect(c * 8 <= n,
		  "[wrong result] xvdb: %lu events for %lu requests (%.3f "
		  "each) against %.3f with an event per response, want at "
		  "most 1/8 of it: blkback_push notifies once per batch, as "
		  "rsp_event asks\n    log: %s",
		  ce, cq, c, n, r->log);
}
