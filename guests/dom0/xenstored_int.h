/*
 * xenstored_int.h - what the daemon's request code (xenstored.c) and
 * its transactions (xenstored_txn.c) share (lab 7).
 */
#ifndef GUESTS_DOM0_XENSTORED_INT_H
#define GUESTS_DOM0_XENSTORED_INT_H

#include "xenstored.h"

struct xsd_txn;

/* One request being served. */
struct xsd_ctx {
	struct xsd_conn *conn;
	const struct xsd_msg *req;
	struct xsd_msg *rep;
	struct xsd_txn *txn; /* NULL outside a transaction */
	const char *arg[XSD_PERMS_MAX + 1];
	unsigned nargs;
};

/* xenstored.c */

/* Whether node path a is path b or above it. */
bool xsd_above(const char *a, const char *b);

/* Replies with len bytes of s / with "OK"; 0. */
long xsd_reply(struct xsd_ctx *x, const char *s, size_t len);
long xsd_ok(struct xsd_ctx *x);

/* A change (XS_WRITE, _MKDIR, _RM, _SET_PERMS) applied to the tree as
 * dom, with its watches fired; 0 or -XEN_E*. */
long xsd_apply(domid_t dom, uint32_t type, const char *path, const char *val,
	       size_t len);

/* xenstored_txn.c */

/* Forgets every transaction / conn's transactions. */
void xsd_txn_init(void);
void xsd_txn_drop_all(struct xsd_conn *conn);

/* The transaction id names for conn, or NULL. */
struct xsd_txn *xsd_txn_find(struct xsd_conn *conn, uint32_t id);

/* Notes that t looked at path; -XEN_ENOSPC when it holds too many. */
long xsd_txn_saw(struct xsd_txn *t, const char *path);

/* Buffers a change in t; 0 or -XEN_E*. */
long xsd_txn_log(struct xsd_txn *t, uint32_t type, const char *path,
		 const char *value, size_t len);

/* Whether path exists as t sees it; its value in *val, *len. */
bool xsd_txn_view(struct xsd_txn *t, const char *path, const char **val,
		  size_t *len);

/* dir's children as the request sees them, NUL-separated in buf; the
 * length or -XEN_E2BIG. */
long xsd_list(struct xsd_ctx *x, const char *dir, char *buf);

/* TRANSACTION_START and TRANSACTION_END. */
long xsd_do_txn_start(struct xsd_ctx *x);
long xsd_do_txn_end(struct xsd_ctx *x);

#endif
