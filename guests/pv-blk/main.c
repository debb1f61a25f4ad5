/*
 * pv-blk - a domain's virtual disk through blkfront (lab 7), in either pv
 * container.  Its disk xvda (a writable image of at least mib MiB) is
 * written with a pattern and read back in several request shapes; xvdb,
 * when the config has it, must be read-only.  Command line:
 *   mib=N      MiB of xvda to write and verify (default 2)
 *   persist=1  only write the pattern of seed=S to xvda's first MiB
 *   persist=2  only check that pattern (a later domain on the same disk)
 *   refused=1  only check that xvda does not connect (attached writable
 *              by another domain)
 *   hostile=1  abuse the ring instead (hostile.c)
 *   bench=1    measure instead (bench.c, make bench-split)
 *   lab8=1     batched and coalesced I/O against one by one on xvda,
 *              xvdb and xvdc (lab8.c, labs/lab8.md)
 *   gone=1     only read until the backend goes away (its driver domain
 *              destroyed): the I/O must fail;
 *   gone=2     and then reconnect to its successor and use the disk
 */
#include <guests/lib/pv.h>
#include <guests/lib/blkfront.h>
#include <guests/lib/gnttab.h>
#include <guests/lib/xs.h>
#include "pv-blk.h"

#define XVDA	 51712
#define XVDB	 51728
#define BUF_SECT (sizeof(blk_buf) / 512)

uint8_t blk_buf[256 * 1024] __attribute__((aligned(4096)));
static uint32_t blk_seed = 1;

/* The pattern's word i of sector s. */
static uint32_t pattern(uint64_t s, unsigned i)
{
	return (uint32_t)(s * 2654435761u) ^ (i * 40503u) ^ blk_seed;
}

void blk_fill(void *buf, uint64_t sector, uint64_t nsect)
{
	uint32_t *w = buf;

	for (uint64_t s = 0; s < nsect; s++)
		for (unsigned i = 0; i < 128; i++)
			*w++ = pattern(sector + s, i);
}

/* Whether buf holds the pattern of nsect sectors from sector. */
bool blk_check(const void *buf, uint64_t sector, uint64_t nsect)
{
	const uint32_t *w = buf;

	for (uint64_t s = 0; s < nsect; s++)
		for (unsigned i = 0; i < 128; i++)
			if (*w++ != pattern(sector + s, i))
				return false;
	return true;
}

/* A Fletcher-style checksum of n bytes. */
static uint64_t checksum(const void *buf, size_t n)
{
	const uint32_t *w = buf;
	uint64_t a = 1, b = 0;

	for (size_t i = 0; i < n / 4; i++) {
		a = (a + w[i]) % 0xffffffffu;
		b = (b + a) % 0xffffffffu;
	}
	return b << 32 | a;
}

/* Writes then reads back mib MiB in buffer-sized I/Os; compares each
 * piece's checksum with the checksum of what was written. */
static void test_bulk(struct blkfront *bf, uint64_t mib)
{
	uint64_t total = mib * 2048, s, bad = 0, t0 = pv_time_ns();
	long r = 0;

	for (s = 0; s < total && !r; s += BUF_SECT) {
		blk_fill(blk_buf, s, BUF_SECT);
		r = blkfront_io(bf, BLKIF_OP_WRITE, s, blk_buf, BUF_SECT);
	}
	report(r == 0, "wrote %llu MiB (%ld)", (unsigned long long)mib, r);
	for (s = 0; s < total && !r; s += BUF_SECT) {
		uint64_t want;
		blk_fill(blk_buf, s, BUF_SECT);
		want = checksum(blk_buf, sizeof(blk_buf));
		memset(blk_buf, 0, sizeof(blk_buf));
		r = blkfront_io(bf, BLKIF_OP_READ, s, blk_buf, BUF_SECT);
		bad += checksum(blk_buf, sizeof(blk_buf)) != want;
	}
	report(r == 0 && bad == 0,
	       "read back %llu MiB: %llu pieces of %u KiB "
	       "with a wrong checksum (%ld)",
	       (unsigned long long)mib, (unsigned long long)bad,
	       (unsigned)(sizeof(blk_buf) / 1024), r);
	printf("pv-blk: %llu MiB written and read in %llu ms\n",
	       (unsigned long long)mib,
	       (unsigned long long)((pv_time_ns() - t0) / 1000000));
}

/* One request of 11 segments, its buffer starting mid-page: the first
 * and last segments are partial pages. */
static void test_segments(struct blkfront *bf)
{
	uint8_t *p = blk_buf + 3 * 512;
	unsigned n = BLKFRONT_MAX_SECTORS - 3;
	long id;

	blk_fill(p, 1000, n);
	id = blkfront_submit(bf, BLKIF_OP_WRITE, 1000, p, n);
	report(id >= 0 && RING_GET_REQUEST(&bf->ring, bf->ring.req_prod_pvt - 1)
					  ->nr_segments == 11,
	       "one write of %u sectors in 11 segments", n);
	blkfront_push(bf);
	report(blkfront_complete(bf, id) == 0, "its response OKAY");
	memset(blk_buf, 0, sizeof(blk_buf));
	id = blkfront_submit(bf, BLKIF_OP_READ, 1000, p, n);
	blkfront_push(bf);
	report(id >= 0 && blkfront_complete(bf, id) == 0 &&
		       blk_check(p, 1000, n),
	       "read back in 11 segments");
}

/* Fills the ring, one push per request; the backend sleeps through the
 * batch, so the producer notifies fewer times than it pushes. */
static void test_ring_full(struct blkfront *bf)
{
	long ids[BLKFRONT_RING_SIZE + 1];
	unsigned n = 0, sent = bf->notifies, ok = 0;

	memset(blk_buf, 0, sizeof(blk_buf));
	while (n <= BLKFRONT_RING_SIZE &&
	       (ids[n] = blkfront_submit(bf, BLKIF_OP_READ, 8 * n,
					 blk_buf + 4096 * (n % 64), 8)) >= 0) {
		blkfront_push(bf);
		n++;
	}
	report_eq(n, BLKFRONT_RING_SIZE, "the ring holds %u requests", n);
	report_eq(ids[n < ARRAY_SIZE(ids) ? n : 0], -XEN_EAGAIN, "then EAGAIN");
	sent = bf->notifies - sent;
	report(sent < n, "notification suppression: %u events for %u pushes",
	       sent, n);
	for (unsigned i = 0; i < n; i++)
		ok += blkfront_complete(bf, ids[i]) == 0;
	report_eq(ok, n, "all %u concurrent requests completed", n);
	report(blk_check(blk_buf + 4096 * 31, 8 * 31, 8),
	       "the last one's data");
}

static void test_flush_discard(struct blkfront *bf)
{
	static const uint8_t zero[4096];

	report(bf->flush && blkfront_io(bf, BLKIF_OP_FLUSH_DISKCACHE, 0, NULL,
					0) == 0,
	       "feature-flush-cache and a flush");
	report(bf->discard &&
		       blkfront_io(bf, BLKIF_OP_DISCARD, 64, NULL, 8) == 0,
	       "feature-discard and a discard of 8 sectors");
	blkfront_io(bf, BLKIF_OP_READ, 56, blk_buf, 24);
	report(blk_check(blk_buf, 56, 8) &&
		       !memcmp(blk_buf + 4096, zero, 4096) &&
		       blk_check(blk_buf + 8192, 72, 8),
	       "discarded sectors read as zeroes, their neighbours kept");
	blk_fill(blk_buf, 64, 8);
	blkfront_io(bf, BLKIF_OP_WRITE, 64, blk_buf, 8);
}

static void test_errors(struct blkfront *bf)
{
	report_eq(blkfront_io(bf, BLKIF_OP_READ, bf->sectors - 4, blk_buf, 8),
		  -XEN_EIO, "a read past the disk's end fails");
	report_eq(blkfront_io(bf, BLKIF_OP_READ, bf->sectors - 8, blk_buf, 8),
		  0, "the last 8 sectors read");
	report_eq(blkfront_io(bf, BLKIF_OP_INDIRECT, 0, NULL, 0),
		  -XEN_EOPNOTSUPP, "BLKIF_OP_INDIRECT: EOPNOTSUPP");
}

static void test_readonly(void)
{
	static struct blkfront ro;

	if (blkfront_init(&ro, XVDB) < 0) {
		report_skip("no xvdb");
		return;
	}
	report(ro.info & VDISK_READONLY, "xvdb: info has VDISK_READONLY");
	report_eq(blkfront_io(&ro, BLKIF_OP_READ, 0, blk_buf, 8), 0,
		  "xvdb: read");
	report_eq(blkfront_io(&ro, BLKIF_OP_WRITE, 0, blk_buf, 8), -XEN_EROFS,
		  "xvdb: a write is refused");
	report_eq(blkfront_io(&ro, BLKIF_OP_DISCARD, 0, NULL, 8), -XEN_EROFS,
		  "xvdb: a discard is refused");
}

static struct blkfront disk;

/* Reads until an I/O fails (for at most a minute): the backend must go
 * away with an error, never a hang. */
static void test_gone(struct blkfront *bf)
{
	uint64_t end = pv_time_ns() + 60000000000ull, n = 0;
	long r = 0;

	while (r == 0 && pv_time_ns() < end) {
		r = blkfront_io(bf, BLKIF_OP_READ, (n++ * 8) % 2048, blk_buf,
				8);
	}
	report(r == -XEN_ENODEV || r == -XEN_ETIMEDOUT,
	       "the backend went away after %llu reads: I/O failed with %ld",
	       (unsigned long long)n, r);
	report_eq(blkfront_io(bf, BLKIF_OP_READ, 0, blk_buf, 8), -XEN_ENODEV,
		  "and fails at once afterwards");
	if (cmdline_u64("gone", 0) < 2)
		return;
	report_eq(blkfront_reconnect(bf, 120000000000ull), 0,
		  "reconnected to the backend's successor");
	blk_fill(blk_buf, 100, 64);
	r = blkfront_io(bf, BLKIF_OP_WRITE, 100, blk_buf, 64);
	memset(blk_buf, 0, 64 * 512);
	if (r == 0)
		r = blkfront_io(bf, BLKIF_OP_READ, 100, blk_buf, 64);
	report(r == 0 && blk_check(blk_buf, 100, 64),
	       "a write read back through it (%ld)", r);
}

void main(void)
{
	uint64_t mib = cmdline_u64("mib", 2),
		 persist = cmdline_u64("persist", 0);
	long r;

	blk_seed = (uint32_t)cmdline_u64("seed", 1);
	r = xs_init();
	report(r == 0, "xenstore connected (%ld)", r);
	r = gnttab_init();
	report(r == 0, "grant table set up (%ld)", r);
	r = blkfront_init(&disk, XVDA);
	if (cmdline_u64("refused", 0)) {
		report(r < 0,
		       "xvda, attached writable elsewhere, does not connect "
		       "(%ld)",
		       r);
		return;
	}
	if (!report(r == 0, "xvda connected: %llu sectors (%ld)",
		    (unsigned long long)disk.sectors, r))
		return;
	if (cmdline_u64("hostile", 0))
		blk_hostile(&disk);
	else if (cmdline_u64("bench", 0))
		blk_bench(&disk);
	else if (cmdline_u64("lab8", 0))
		blk_lab8(&disk);
	else if (cmdline_u64("gone", 0))
		test_gone(&disk);
	else if (persist == 1) {
		blk_fill(blk_buf, 0, BUF_SECT);
		report_eq(blkfront_io(&disk, BLKIF_OP_WRITE, 0, blk_buf,
				      BUF_SECT),
			  0, "persist: wrote seed %u", blk_seed);
	} else if (persist == 2) {
		r = blkfront_io(&disk, BLKIF_OP_READ, 0, blk_buf, BUF_SECT);
		report(r == 0 && blk_check(blk_buf, 0, BUF_SECT),
		       "persist: an earlier domain's seed %u read back",
		       blk_seed);
	} else {
		report(disk.sectors >= mib * 2048 && disk.sector_size == 512,
		       "the disk holds %llu MiB", (unsigned long long)mib);
		test_bulk(&disk, mib);
		test_segments(&disk);
		test_ring_full(&disk);
		test_flush_discard(&disk);
		test_errors(&disk);
		test_readonly();
	}
	blkfront_close(&disk);
}
