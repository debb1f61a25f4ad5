/*
 * xs.h - the xenstore client (lab 7), one API for every domain: domUs
 * talk to dom0's daemon over their ring page (xs_ring.c), dom0 calls into
 * its own daemon as domain 0 (guests/dom0/xs_local.c), so backends run
 * unchanged in dom0 or in a driver domain.  Messages are Xen's
 * (guests/lib/io/xs_wire.h); errors are -XEN_E* from the reply's name.
 *
 *	xs_init();
 *	xs_read(0, "name", buf, sizeof(buf));          relative: own dir
 *	xs_watch("device/vbd/51712/state", "vbd");
 *	while (!xs_watch_pop(path, sizeof(path), tok, sizeof(tok)))
 *		xs_wait_event(deadline);
 */
#ifndef GUESTS_LIB_XS_H
#define GUESTS_LIB_XS_H

#include <inc/types.h>
#include <inc/public/xen.h>
#include <guests/lib/io/xs_wire.h>
#include <guests/lib/io/xenbus.h>

typedef uint32_t xs_txn_t; /* 0: no transaction (XBT_NIL) */

/* Connects to the store; 0 or -XEN_E*. */
long xs_init(void);

/* path's value, NUL-terminated, in buf: its length, or -XEN_E*
 * (-XEN_E2BIG when buf cannot hold it). */
long xs_read(xs_txn_t t, const char *path, char *buf, size_t len);

/* path's value as a decimal number; 0 or -XEN_E* (-XEN_EINVAL: not one). */
long xs_read_int(xs_txn_t t, const char *path, long *val);

long xs_write(xs_txn_t t, const char *path, const char *value);
long xs_printf(xs_txn_t t, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
long xs_mkdir(xs_txn_t t, const char *path);
long xs_rm(xs_txn_t t, const char *path);

/* path's children, names NUL-separated in buf: the count or -XEN_E*. */
long xs_directory(xs_txn_t t, const char *path, char *buf, size_t len);

/* A watch fires once when set, then once per change at or below path. */
long xs_watch(const char *path, const char *token);
long xs_unwatch(const char *path, const char *token);

/* Takes the oldest fired watch, without waiting; false if none. */
bool xs_watch_pop(char *path, size_t plen, char *token, size_t tlen);

/* Takes the oldest fired watch with token, leaving the others (dom0's
 * backends and toolstack share one queue); false if none. */
bool xs_watch_take(const char *token, char *path, size_t plen);

/* Waits until a new watch event arrives or deadline_ns (system time)
 * passes; dom0 serves its daemons meanwhile.  Events already queued do
 * not end the wait: take them first, then re-read what they announce. */
void xs_wait_event(uint64_t deadline_ns);

long xs_transaction_start(xs_txn_t *t);
/* 0, or -XEN_EAGAIN when another change conflicted: run it again. */
long xs_transaction_end(xs_txn_t t, bool abort);

/* perms as on the wire, each NUL-terminated: "n0\0r1\0". */
long xs_set_perms(xs_txn_t t, const char *path, const char *perms);

/* "/local/domain/DOM" in buf; its length or -XEN_E*. */
long xs_get_domain_path(domid_t dom, char *buf, size_t len);

/* Any request: body of len bytes; the reply's payload in out (room
 * outlen), its length, or -XEN_E*. */
long xs_request(uint32_t type, xs_txn_t t, const void *body, size_t len,
		char *out, size_t outlen);

/* xenbus: the state key of a split device's directory (io/xenbus.h). */
long xenbus_switch_state(const char *dir, enum xenbus_state s);
long xenbus_read_state(const char *dir);

/* Waits until dir/state is want, on a watch; the state, or -XEN_ETIME
 * when timeout_ns passes first (the last state read is lost). */
long xenbus_wait_state(const char *dir, enum xenbus_state want,
		       uint64_t timeout_ns);

/* The transport's side (xs_ring.c or dom0's xs_local.c) */

/* A message: header and payload. */
struct xs_msg {
	struct xsd_sockmsg h;
	char body[XENSTORE_PAYLOAD_MAX];
};

/* Sends req and waits for its reply in *rep; 0 or -XEN_E*. */
long xs_transport(const struct xs_msg *req, struct xs_msg *rep);

/* Connects the transport; 0 or -XEN_E*. */
long xs_transport_init(void);

/* Queues a watch event a transport received (dropped when full). */
void xs_queue_event(const char *path, const char *token);

/* Watch events queued since start-up: xs_wait_event waits for this to
 * move, not for the queue to empty (others' events may stay in it). */
unsigned xs_events_count(void);

#endif
