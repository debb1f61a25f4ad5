/*
 * blkback.h - the block backend (lab 7): serves the disks of other
 * domains' blkfronts from images held in this domain's memory, over
 * Xen's blkif ring (guests/lib/io/blkif.h).  It runs in dom0 or in a
 * driver domain, the same files in both.
 *
 *   blkback.c       devices: xenstore watches, the xenbus handshake,
 *                   images, connect and disconnect
 *   blkback_ring.c  the ring: validate each request, move its data with
 *                   GNTTABOP_copy, respond
 */
#ifndef GUESTS_DOM0_BLKBACK_H
#define GUESTS_DOM0_BLKBACK_H

#include <inc/types.h>
#include <inc/public/xen.h>
#include <inc/public/event_channel.h>
#include <inc/public/grant_table.h>
#include <guests/lib/io/ring.h>
#include <guests/lib/io/blkif.h>
#include "xenbus_back.h"

/* A disk image, loaded once and kept: writes persist across attaches. */
struct blkback_disk {
	char path[48];	  /* as the disk line names it */
	uint8_t *data;	  /* page aligned, sectors * 512 bytes */
	uint64_t sectors; /* of 512 bytes */
	int writer;	  /* the domain attached writable, or -1 */
};

/* The disk of image path, loaded at its first attachment (blkback's or
 * the device model's IDE disk, dm_ide.c); NULL (logged) if it cannot be. */
struct blkback_disk *blkback_disk_get(const char *path);

/* One vbd: a frontend's device and its connection. */
struct blkback_dev {
	struct xb_dev xb; /* first: the xenbus side */
	struct blkback_disk *disk;
	bool writable;
	bool broken; /* the frontend broke the ring protocol */
	struct blkif_back_ring ring;
	void *ring_slot; /* where the frontend's ring page is mapped */
	grant_handle_t ring_handle;
	/* The frontend's request-notify-each: an event for every response,
	 * the backend without coalescing that lab 8 measures against. */
	bool notify_each;
	unsigned long requests, errors, events; /* events: notifications */
};

/* Requests blkback_ring_serve takes from one ring per call: a frontend
 * that keeps producing cannot keep dom0 from its other work. */
#define BLKBACK_BUDGET 64

/*
 * Serves the requests on d's ring (d connected): consumes up to
 * BLKBACK_BUDGET, answers each, notifies the frontend as it asks.  True
 * if it consumed any.  Sets d->broken, with a log line, for a producer
 * index no well-behaved frontend writes; the caller disconnects.
 */
bool blkback_ring_serve(struct blkback_dev *d);

/* The BLKIF_RSP_* status of request req of d's frontend, carried out. */
int16_t blkback_dispatch(struct blkback_dev *d,
			 const struct blkif_request *req);

/* What blkback_ring.c needs from the guest library (guest.h, pv.h,
 * gnttab.h); the host tests give their own. */
int printf(const char *fmt, ...);
long gnttab_copy(struct gnttab_copy *ops, unsigned n);
long evtchn_send(evtchn_port_t port);

/* Ends dom0's wait for work (dom0.h; the driver domain has its own):
 * the handler of every backend port. */
void dom0_kick(evtchn_port_t port, void *arg);

/* blkback.c: dom0's service (main.c's dom0_services); true if it did
 * work.  Starts watching its backend/vbd directory at the first call. */
bool blkback_poll(void);

/* The disk of image path, loaded at its first attachment (or by dom0's
 * bench8); NULL if it cannot be. */
struct blkback_disk *blkback_disk_get(const char *path);

#endif
