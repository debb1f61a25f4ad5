/*
 * xenbus_back.h - the xenbus side of a backend (lab 7), shared by blkback
 * and netback in dom0 and in a driver domain.  A backend watches its
 * domain's backend/TYPE directory, where the toolstack puts a directory
 * FRONTEND/ID per device, and moves each device through Xen's handshake
 * (io/xenbus.h) as its frontend does:
 *
 *   new directory      open: read the toolstack's keys, write the
 *                      backend's own; InitWait, or Closed if it cannot
 *   front Initialised or Connected
 *                      connect: map the rings, bind the channel; Connected
 *   front Closing, Closed, gone, or the ring broken
 *                      disconnect; Closed
 *   front Initialising after that
 *                      InitWait again (a restarted frontend reconnects)
 *   directory removed  (its domain died) disconnect and forget the device
 *
 * Every watch event rescans everything: simple, and a lost event cannot
 * leave a device behind.
 */
#ifndef GUESTS_DOM0_XENBUS_BACK_H
#define GUESTS_DOM0_XENBUS_BACK_H

#include <inc/types.h>
#include <inc/public/xen.h>
#include <inc/public/event_channel.h>
#include <inc/public/grant_table.h>

#define XB_PATH_MAX 64

/* The first member of every backend's device. */
struct xb_dev {
	bool used;
	bool offered;	/* opened: InitWait again when the frontend restarts */
	bool connected; /* rings mapped, port bound */
	bool listed;	/* in backend/TYPE at the last scan */
	domid_t front_id;
	unsigned id;		 /* the vbd's devid, the vif's handle */
	evtchn_port_t port;	 /* ours, bound to the frontend's */
	char dir[XB_PATH_MAX];	 /* .../backend/TYPE/FRONT/ID */
	char front[XB_PATH_MAX]; /* the frontend's device directory */
};

/* A backend: its device table and what it does at each step. */
struct xb_backend {
	const char *name; /* "blkback": its log lines' prefix */
	const char *type; /* "vbd": the directory and the watch token */
	void *devs; /* n devices of size bytes, each a struct xb_dev first */
	size_t size;
	unsigned n;
	void (*start)(void);		  /* once, when the watch is set */
	bool (*open)(struct xb_dev *);	  /* offers it; false (logged): no */
	bool (*connect)(struct xb_dev *); /* false (logged): not connected */
	void (*disconnect)(struct xb_dev *);
	void (*release)(struct xb_dev *);      /* before it is forgotten */
	bool (*broken)(const struct xb_dev *); /* its ring is not to be read */
	bool (*serve)(struct xb_dev *);	       /* its ring; true if work done */
	/* the backend's state: zero at first */
	char base[XB_PATH_MAX]; /* .../backend/TYPE */
	int started;		/* 0: not yet, 1: running, -1: failed */
	bool rescan;
	uint64_t scanned_ns;
	bool told_full; /* the table's overflow was logged */
};

/*
 * The backend's service, called from its domain's loop: the first call
 * sets up the grant slots and watches backend/TYPE; each call rescans
 * when a watch fired (or a while has passed: the watch queue is shared
 * and may drop events), then serves every connected device.  True if a
 * device did work.
 */
bool xb_poll(struct xb_backend *b);

/* Reads d's key in dir (d->dir or d->front) into buf; false (logged)
 * when it is missing. */
bool xb_read(const struct xb_backend *b, const char *dir, const char *key,
	     char *buf, size_t len);

/* The number dir/key into *val; false (logged) when missing or bad. */
bool xb_read_int(const struct xb_backend *b, const char *dir, const char *key,
		 long *val);

/* Writes d->dir/key = value. */
long xb_write(const struct xb_dev *d, const char *key, const char *value);

/* Maps the frontend's grant dir/key read-write at a new slot *slot;
 * false (logged) when it cannot be. */
bool xb_map(const struct xb_backend *b, const struct xb_dev *d, const char *key,
	    void **slot, grant_handle_t *handle);

/* Unmaps what xb_map mapped at *slot, if anything. */
void xb_unmap(void **slot, grant_handle_t handle);

/* Binds the frontend's dir/event-channel to d->port; false (logged). */
bool xb_bind(const struct xb_backend *b, struct xb_dev *d);

/* Whether d's frontend is still there: its end of d->port bound.  A
 * dead granter's pages leave our mappings with it, so rings are read
 * only after this. */
bool xb_alive(const struct xb_dev *d);

#endif
