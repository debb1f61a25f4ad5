/*
 * xenstored.h - dom0's xenstore daemon (lab 7), after Xen's C xenstored
 * and docs/misc/xenstore.txt.  The core (xenstored_tree.c, xenstored.c,
 * xenstored_txn.c) keeps the tree, permissions, watches, transactions
 * and quotas and compiles on the host (tests/test_xenstore.c); xenstored_ring.c carries
 * messages over each domain's ring page and event channel, and
 * xs_local.c lets dom0's own code call in as domain 0.
 *
 * Limits are this daemon's, smaller than Xen's: a path holds at most
 * XSD_PATH_MAX bytes, a component XSD_NAME_MAX, a value XSD_VALUE_MAX
 * (Xen's default quota-maxsize).
 */
#ifndef GUESTS_DOM0_XENSTORED_H
#define GUESTS_DOM0_XENSTORED_H

#ifdef HOST_TEST
#include <stdio.h> /* printf, for the daemon's log lines */
#else
#include <guests/lib/guest.h>
#endif
#include <inc/types.h>
#include <inc/public/xen.h>
#include <inc/public/domctl.h>
#include <guests/lib/io/xs_wire.h>

#define XSD_NODES     1024
#define XSD_NAME_MAX  64
#define XSD_PATH_MAX  256
#define XSD_VALUE_MAX 2048
#define XSD_PERMS_MAX 8
#define XSD_CONNS     32
#define XSD_WATCHES   512
#define XSD_TXNS      12
#define XSD_TXN_OPS   32 /* changes a transaction may hold */
#define XSD_TXN_READS 64 /* paths it may have looked at */
#define XSD_TOKEN_MAX 64

/* Per-domain quotas (domain 0 has none), with the error Xen returns. */
#define XSD_QUOTA_NODES	   200 /* nodes owned: ENOSPC */
#define XSD_QUOTA_WATCHES  32  /* E2BIG */
#define XSD_QUOTA_TXNS	   4   /* ENOSPC */
#define XSD_QUOTA_REQUESTS 32  /* requests served per connection and poll */

/* A node's permissions: p[0] names the owner (all rights) and what any
 * domain not listed after it may do; 'r', 'w', 'b' (both) or 'n'. */
struct xsd_perms {
	uint8_t n;
	struct {
		domid_t dom;
		char perm;
	} p[XSD_PERMS_MAX];
};

/* One client: a domain's ring, or dom0's in-process calls. */
struct xsd_conn {
	bool used;
	domid_t dom;
	unsigned nwatches, ntxns;
	bool overflowed; /* a watch event was dropped (logged once) */
	void *transport; /* xenstored_ring.c's state, or NULL */
};

/* A message: header and payload. */
struct xsd_msg {
	struct xsd_sockmsg h;
	char body[XENSTORE_PAYLOAD_MAX];
};

/* xenstored.c: requests */

/* Empties the store and creates /, /local, /local/domain, /tool. */
void xsd_init(void);

/* A connection for domain dom, or NULL when all slots are taken. */
struct xsd_conn *xsd_conn_open(domid_t dom);

/* Ends conn: its watches and transactions go. */
void xsd_conn_close(struct xsd_conn *conn);

/* Drops conn's watches and transactions, keeping the connection (a
 * broken ring waiting for RELEASE). */
void xsd_conn_reset(struct xsd_conn *conn);

/* The open connection of domain dom, or NULL. */
struct xsd_conn *xsd_conn_find(domid_t dom);

/* Handles one request of conn (req->len bytes of body) and writes the
 * reply, XS_ERROR with Xen's string on failure, into *rep. */
void xsd_request(struct xsd_conn *conn, const struct xsd_msg *req,
		 struct xsd_msg *rep);

/* Fires the watches on a special path ("@releaseDomain"). */
void xsd_fire_special(const char *path);

/* The wire name of error -r ("ENOENT"); "EINVAL" for one Xen lacks. */
const char *xsd_errname(long r);

/* -XEN_E* for a wire error name, -XEN_EINVAL when unknown. */
long xsd_errnum(const char *name);

/* What the transport provides (xenstored_ring.c; the unit tests fake it) */

/* Queues a watch event for conn; false when its queue is full. */
bool xsd_send_event(struct xsd_conn *conn, const char *path, const char *token);

/* INTRODUCE: maps domain dom's ring page gfn and binds its port; 0 or
 * -XEN_E*. */
long xsd_introduce(domid_t dom, uint64_t gfn, uint32_t port);

/* RELEASE: drops domain dom's connection; 0 or -XEN_ENOENT. */
long xsd_release(domid_t dom);

/* xenstored_tree.c: the node tree (the requests' building blocks) */

/* Validates and makes path absolute for dom (relative paths are under
 * /local/domain/DOM/) into out; 0 or -XEN_EINVAL / -XEN_E2BIG. */
long xsd_canon(domid_t dom, const char *path, char out[XSD_PATH_MAX]);

/* The node at absolute path, or -1. */
int xsd_lookup(const char *path);

/* What dom may do to node n: a mask of 'r' (1) and 'w' (2). */
#define XSD_READ  1
#define XSD_WRITE 2
unsigned xsd_access(int n, domid_t dom);

/* What dom may do to path, judged by the nearest node at or above it. */
unsigned xsd_access_path(const char *path, domid_t dom);

/* Writes value (len bytes) to path as dom, creating missing nodes with
 * their parent's permissions and dom as owner; 0 or -XEN_E*. */
long xsd_write(domid_t dom, const char *path, const char *value, size_t len,
	       bool create_only);

/* Removes path and everything below it; 0 or -XEN_E*. */
long xsd_remove(const char *path);

/* The value of node n, its length in *len. */
const char *xsd_value(int n, size_t *len);

/* Node n's permissions; sets them. */
const struct xsd_perms *xsd_get_perms(int n);
void xsd_set_perms_node(int n, const struct xsd_perms *perms);

/* Node n's first child and next sibling (-1 at the end), and name. */
int xsd_child(int n);
int xsd_sibling(int n);
const char *xsd_name(int n);

/* Node n's last change, on the store's change counter. */
uint64_t xsd_node_gen(int n);

/* The change counter: bumped by every change to the tree. */
extern uint64_t xsd_gen;

/* Nodes that domain dom owns. */
unsigned xsd_owned(domid_t dom);

/* Clears the tree to the root alone. */
void xsd_tree_init(void);

#endif
