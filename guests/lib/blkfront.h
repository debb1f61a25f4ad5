/*
 * blkfront.h - the block frontend of the PV guest library (lab 7): a
 * domain's virtual disk served by a blkback in dom0 or a driver domain,
 * over Xen's blkif ring (guests/lib/io/blkif.h).  blkfront_init does the
 * xenbus handshake from /local/domain/N/device/vbd/DEVID; then
 *
 *	static uint8_t buf[64 * 1024] __attribute__((aligned(4096)));
 *	long r = blkfront_io(&disk, BLKIF_OP_WRITE, sector, buf, 128);
 *
 * moves 128 sectors in as many requests as it takes, all on the ring at
 * once.  The asynchronous calls (submit, push, complete) fill the ring
 * with requests of the caller's choosing.  Errors are -XEN_E*: EIO
 * (BLKIF_RSP_ERROR), EOPNOTSUPP, EROFS (a write to a read-only disk),
 * ENODEV (the backend closed or went away), ETIMEDOUT (no response in
 * BLKFRONT_TIMEOUT_NS).  After ENODEV, blkfront_reconnect waits for the
 * backend to come back.  notify_each set before blkfront_init asks the
 * backend for an event on every response, coalescing off (lab 8's
 * measurement).  Buffers are sector aligned in the guest's RAM
 * (identity mapped, as pv guests are here).
 */
#ifndef GUESTS_LIB_BLKFRONT_H
#define GUESTS_LIB_BLKFRONT_H

#include <inc/types.h>
#include <inc/public/xen.h>
#include <inc/public/event_channel.h>
#include <inc/public/grant_table.h>
#include <guests/lib/io/ring.h>
#include <guests/lib/io/blkif.h>

#define XEN_ENODEV     19
#define XEN_EOPNOTSUPP 95
#define XEN_ETIMEDOUT  110

#define BLKFRONT_TIMEOUT_NS 5000000000ull /* a request's response */
#define BLKFRONT_RING_SIZE  __CONST_RING_SIZE(blkif, 4096)

/* The sectors one request carries at most (11 whole pages). */
#define BLKFRONT_MAX_SECTORS \
	(BLKIF_MAX_SEGMENTS_PER_REQUEST * BLKIF_SECTORS_PAGE)

/* A request on the ring, by its id (the slot it was submitted in). */
struct blkfront_req {
	bool busy, done;
	uint8_t op;
	int16_t status; /* BLKIF_RSP_* once done */
	uint8_t nseg;
	grant_ref_t gref[BLKIF_MAX_SEGMENTS_PER_REQUEST];
};

struct blkfront {
	char dir[48];	  /* /local/domain/N/device/vbd/DEVID */
	char backend[64]; /* its backend key */
	domid_t backend_id;
	uint64_t sectors;     /* of 512 bytes */
	unsigned sector_size; /* the backend's */
	unsigned info;	      /* VDISK_* */
	bool flush, discard;  /* feature-flush-cache, feature-discard */
	bool suppress;	      /* notify only as the backend asks (default) */
	bool dead;	      /* the backend went away: I/O fails */
	struct blkif_front_ring ring;
	struct blkif_sring *sring;
	grant_ref_t ring_ref;
	evtchn_port_t port;
	volatile int event;
	bool notify_each; /* set before blkfront_init: request-notify-each */
	unsigned notifies, pushes; /* events sent, pushes made */
	struct blkfront_req req[BLKFRONT_RING_SIZE];
};

/* Connects disk devid (51712 for xvda): 0 or -XEN_E*, logged. */
long blkfront_init(struct blkfront *bf, unsigned devid);

/* Closes the connection (state Closed); the grants are ended. */
void blkfront_close(struct blkfront *bf);

/* After -XEN_ENODEV: waits up to timeout_ns for the backend to offer the
 * disk again and connects; 0 or -XEN_E*. */
long blkfront_reconnect(struct blkfront *bf, uint64_t timeout_ns);

/*
 * Puts a request on the ring without publishing it: op on nsect sectors
 * from sector, data at buf (up to BLKFRONT_MAX_SECTORS, within 11 pages),
 * or a discard of nsect sectors (buf unused), or a flush (nsect 0).  Its
 * id (>= 0), -XEN_EAGAIN when the ring is full, or -XEN_E*.
 */
long blkfront_submit(struct blkfront *bf, uint8_t op, uint64_t sector,
		     void *buf, unsigned nsect);

/* Publishes the submitted requests; notifies the backend when it asked
 * (always, without suppression). */
void blkfront_push(struct blkfront *bf);

/* Waits for request id's response (others are collected meanwhile) and
 * frees it: 0 or -XEN_E*. */
long blkfront_complete(struct blkfront *bf, long id);

/* Synchronous op over nsect sectors, as many requests as it takes, the
 * ring kept full: 0 or the first -XEN_E*. */
long blkfront_io(struct blkfront *bf, uint8_t op, uint64_t sector, void *buf,
		 uint64_t nsect);

/* One piece of a vectored I/O: nsect sectors from sector at buf, within
 * one request (BLKFRONT_MAX_SECTORS, 11 pages). */
struct blkfront_vec {
	uint64_t sector;
	void *buf;
	unsigned nsect;
};

/*
 * The same op on n scattered pieces (lab 8).  batch false: one
 * blkfront_io each, a push and a wait per piece; batch true: every piece
 * the ring holds queued at once with one push, the next batch pushed
 * once the ring is free again.  0 or the first -XEN_E*; every piece
 * was carried out or failed, none is left on the ring.
 */
long blkfront_iov(struct blkfront *bf, uint8_t op, const struct blkfront_vec *v,
		  unsigned n, bool batch);

#endif
