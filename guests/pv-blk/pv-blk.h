/* pv-blk.h - what pv-blk's files share (lab 7). */
#ifndef GUESTS_PV_BLK_H
#define GUESTS_PV_BLK_H

#include <guests/lib/blkfront.h>

extern uint8_t blk_buf[256 * 1024];

/* Fills buf with the test pattern of nsect sectors from sector. */
void blk_fill(void *buf, uint64_t sector, uint64_t nsect);

/* Whether buf holds that pattern. */
bool blk_check(const void *buf, uint64_t sector, uint64_t nsect);

/* bench.c: throughput and latency, with and without suppression. */
void blk_bench(struct blkfront *bf);

/* lab8.c: the lab-8 measurement, batched against one by one (lab8=1). */
void blk_lab8(struct blkfront *xvda);

/* hostile.c: breaks bf's ring every way a frontend can. */
void blk_hostile(struct blkfront *bf);

#endif
