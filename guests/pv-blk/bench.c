/*
 * bench.c - pv-blk's benchmark mode (bench=1, make bench-split, lab 7):
 * sequential reads with the ring kept full, in I/Os of 4 KiB (one
 * request each) and 64 KiB (two requests: blkif carries at most 44 KiB
 * without indirect descriptors), and the latency of one 4 KiB read alone;
 * with the producer's notification suppression and without (an event on
 * every push).  Prints "pv-blk: bench KIND VALUE UNIT" lines.
 */
#include <guests/lib/pv.h>
#include "pv-blk.h"

#define BENCH_MIB   4
#define BENCH_LAT_N 51

/* Reads BENCH_MIB MiB in I/Os of io sectors, the ring full; ns taken,
 * or 0 on an error. */
static uint64_t bench_stream(struct blkfront *bf, unsigned io)
{
	long ids[BLKFRONT_RING_SIZE], id;
	unsigned head = 0, tail = 0, queued;
	uint64_t s = 0, total = BENCH_MIB * 2048, t0 = pv_time_ns();

	while (s < total || head != tail) {
		queued = tail - head;
		while (s < total) {
			unsigned in_io = (unsigned)(s % io);
			unsigned n = MIN(io - in_io, BLKFRONT_MAX_SECTORS);
			id = blkfront_submit(bf, BLKIF_OP_READ, s % bf->sectors,
					     blk_buf, n);
			if (id == -XEN_EAGAIN)
				break;
			if (id < 0)
				return 0;
			ids[tail++ % BLKFRONT_RING_SIZE] = id;
			s += n;
		}
		if (tail - head != queued)
			blkfront_push(bf);
		if (head != tail &&
		    blkfront_complete(bf, ids[head++ % BLKFRONT_RING_SIZE]))
			return 0;
	}
	return pv_time_ns() - t0;
}

/* The median ns of one 4 KiB read, nothing else on the ring. */
static uint64_t bench_latency(struct blkfront *bf)
{
	uint64_t t[BENCH_LAT_N];

	for (unsigned i = 0; i < BENCH_LAT_N; i++) {
		uint64_t t0 = pv_time_ns();
		if (blkfront_io(bf, BLKIF_OP_READ, 8 * i, blk_buf, 8))
			return 0;
		t[i] = pv_time_ns() - t0;
	}
	return median(t, BENCH_LAT_N);
}

static void bench_print(const char *kind, bool suppress, uint64_t ns)
{
	uint64_t kib_s = ns ? BENCH_MIB * 1024ull * 1000000000ull / ns : 0;

	report(ns != 0, "bench %s%s ran", kind,
	       suppress ? "" : " (always notify)");
	printf("pv-blk: bench %s-%s %llu.%02llu MiB/s\n", kind,
	       suppress ? "sup" : "nosup", (unsigned long long)kib_s / 1024,
	       (unsigned long long)(kib_s % 1024) * 100 / 1024);
}

void blk_bench(struct blkfront *bf)
{
	for (int sup = 1; sup >= 0; sup--) {
		unsigned n0 = bf->notifies, p0 = bf->pushes;
		uint64_t lat;

		bf->suppress = sup;
		bench_print("seq4k", sup, bench_stream(bf, 8));
		bench_print("seq64k", sup, bench_stream(bf, 128));
		lat = bench_latency(bf);
		printf("pv-blk: bench lat4k-%s %llu us\n",
		       sup ? "sup" : "nosup", (unsigned long long)lat / 1000);
		printf("pv-blk: bench events-%s %u per 100 pushes\n",
		       sup ? "sup" : "nosup",
		       (bf->notifies - n0) * 100 / MAX(1u, bf->pushes - p0));
	}
	bf->suppress = true;
}
