/*
 * xenstored.c - the requests of dom0's xenstore daemon (lab 7), as Xen's
 * docs/misc/xenstore.txt defines them: READ, WRITE, MKDIR, RM,
 * DIRECTORY, GET/SET_PERMS, WATCH/UNWATCH, TRANSACTION_START/END,
 * INTRODUCE, RELEASE, GET_DOMAIN_PATH, IS_DOMAIN_INTRODUCED and
 * RESET_WATCHES, each checked against the node's permissions and the
 * domain's quotas.  Transports (xenstored_ring.c, xs_local.c) hand whole
 * messages to xsd_request; it writes the reply and queues watch events
 * through xsd_send_event.
 *
 * Transactions are xenstored_txn.c's, the node tree xenstored_tree.c's.
 */
#include "xenstored_int.h"
#include <inc/string.h>
#include <inc/stdio.h>

struct xsd_watch {
	struct xsd_conn *conn;
	size_t strip; /* bytes events drop: a relative watch's prefix */
	char path[XSD_PATH_MAX];
	char token[XSD_TOKEN_MAX];
};

static struct xsd_conn xsd_conns[XSD_CONNS];
static struct xsd_watch xsd_watches[XSD_WATCHES];
static const struct xsd_errors xsd_errs[] = XSD_ERRORS_INIT;

const char *xsd_errname(long r)
{
	for (size_t i = 0; i < ARRAY_SIZE(xsd_errs); i++)
		if (xsd_errs[i].errnum == -r)
			return xsd_errs[i].errstring;
	return "EINVAL";
}

long xsd_errnum(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(xsd_errs); i++)
		if (strcmp(xsd_errs[i].errstring, name) == 0)
			return -xsd_errs[i].errnum;
	return -XEN_EINVAL;
}

void xsd_init(void)
{
	memset(xsd_conns, 0, sizeof(xsd_conns));
	memset(xsd_watches, 0, sizeof(xsd_watches));
	xsd_txn_init();
	xsd_tree_init();
	xsd_write(0, "/local/domain", "", 0, false);
	xsd_write(0, "/tool", "", 0, false);
}

struct xsd_conn *xsd_conn_open(domid_t dom)
{
	for (int i = 0; i < XSD_CONNS; i++)
		if (!xsd_conns[i].used) {
			xsd_conns[i] = (struct xsd_conn){ .used = true,
							  .dom = dom };
			return &xsd_conns[i];
		}
	return NULL;
}

struct xsd_conn *xsd_conn_find(domid_t dom)
{
	for (int i = 0; i < XSD_CONNS; i++)
		if (xsd_conns[i].used && xsd_conns[i].dom == dom)
			return &xsd_conns[i];
	return NULL;
}

/* Drops conn's watches. */
static void xsd_unwatch_all(struct xsd_conn *conn)
{
	for (int i = 0; i < XSD_WATCHES; i++)
		if (xsd_watches[i].conn == conn)
			xsd_watches[i].conn = NULL;
	conn->nwatches = 0;
}

void xsd_conn_reset(struct xsd_conn *conn)
{
	xsd_unwatch_all(conn);
	xsd_txn_drop_all(conn);
}

void xsd_conn_close(struct xsd_conn *conn)
{
	xsd_conn_reset(conn);
	conn->used = false;
}

/* Whether node path a is path b or above it. */
bool xsd_above(const char *a, const char *b)
{
	size_t n = strlen(a);

	if (strcmp(a, "/") == 0)
		return b[0] == '/';
	return strncmp(a, b, n) == 0 && (b[n] == '\0' || b[n] == '/');
}

/* Sends w's event for path, relative if w was registered so. */
static void xsd_notify(struct xsd_watch *w, const char *path)
{
	if (!xsd_send_event(w->conn, path + w->strip, w->token) &&
	    !w->conn->overflowed) {
		printf("xenstored: domain %u: watch events dropped (it does "
		       "not read them)\n",
		       w->conn->dom);
		w->conn->overflowed = true;
	}
}

/* Fires the watches on path or above it (and below it too, for a
 * removal), those of domains that may read the node. */
static void xsd_fire(const char *path, bool removed)
{
	int n = xsd_lookup(path);

	for (int i = 0; i < XSD_WATCHES; i++) {
		struct xsd_watch *w = &xsd_watches[i];

		if (!w->conn || w->path[0] == '@')
			continue;
		if (!xsd_above(w->path, path) &&
		    !(removed && xsd_above(path, w->path)))
			continue;
		if (n >= 0 && !(xsd_access(n, w->conn->dom) & XSD_READ))
			continue;
		xsd_notify(w, xsd_above(w->path, path) ? path : w->path);
	}
}

void xsd_fire_special(const char *path)
{
	for (int i = 0; i < XSD_WATCHES; i++)
		if (xsd_watches[i].conn &&
		    strcmp(xsd_watches[i].path, path) == 0)
			xsd_notify(&xsd_watches[i], path);
}

/* Replies with len bytes of s. */
long xsd_reply(struct xsd_ctx *x, const char *s, size_t len)
{
	memcpy(x->rep->body, s, len);
	x->rep->h.len = (uint32_t)len;
	return 0;
}

long xsd_ok(struct xsd_ctx *x)
{
	return xsd_reply(x, "OK", 3);
}

/* Splits the body into NUL-terminated arguments; the count, or -1 when
 * the last is not terminated. */
static int xsd_split(struct xsd_ctx *x)
{
	const char *p = x->req->body, *end = p + x->req->h.len;

	x->nargs = 0;
	while (p < end && x->nargs < ARRAY_SIZE(x->arg)) {
		const char *nul = p + strnlen(p, (size_t)(end - p));

		if (nul == end)
			return -1;
		x->arg[x->nargs++] = p;
		p = nul + 1;
	}
	return p == end ? (int)x->nargs : -1;
}

/* The absolute path argument i names, in out; 0 or -XEN_E*. */
static long xsd_path_arg(struct xsd_ctx *x, unsigned i, char out[XSD_PATH_MAX])
{
	if (i >= x->nargs)
		return -XEN_EINVAL;
	return xsd_canon(x->conn->dom, x->arg[i], out);
}

/* Whether path exists for the request, its value in *val, *len. */
static bool xsd_get(struct xsd_ctx *x, const char *path, const char **val,
		    size_t *len)
{
	int n;

	if (x->txn)
		return xsd_txn_view(x->txn, path, val, len);
	n = xsd_lookup(path);
	if (n >= 0)
		*val = xsd_value(n, len);
	return n >= 0;
}

/* Checks that the request may do want to path: an existing node's own
 * permissions, else its nearest ancestor's. */
static long xsd_may(struct xsd_ctx *x, const char *path, unsigned want)
{
	return (xsd_access_path(path, x->conn->dom) & want) == want ?
		       0 :
		       -XEN_EACCES;
}

/* Starts a read of path in the request's transaction. */
static long xsd_saw(struct xsd_ctx *x, const char *path)
{
	return x->txn ? xsd_txn_saw(x->txn, path) : 0;
}

/* The path argument of a READ or DIRECTORY, which must be readable, into
 * path; its value in *val, *len.  0 or -XEN_E*. */
static long xsd_readable(struct xsd_ctx *x, char *path, const char **val,
			 size_t *len)
{
	long r = xsd_path_arg(x, 0, path);

	if (r < 0 || (r = xsd_saw(x, path)) < 0)
		return r;
	if (!xsd_get(x, path, val, len))
		return -XEN_ENOENT;
	return xsd_may(x, path, XSD_READ);
}

static long xsd_do_read(struct xsd_ctx *x)
{
	char path[XSD_PATH_MAX];
	const char *val;
	size_t len;
	long r = xsd_readable(x, path, &val, &len);

	return r < 0 ? r : xsd_reply(x, val, len);
}

static long xsd_do_directory(struct xsd_ctx *x)
{
	char path[XSD_PATH_MAX];
	const char *val;
	size_t len;
	long r = xsd_readable(x, path, &val, &len);

	if (r >= 0 && (r = xsd_list(x, path, x->rep->body)) >= 0)
		x->rep->h.len = (uint32_t)r;
	return r < 0 ? r : 0;
}

/* WRITE "PATH\0VALUE" (the value runs to the end, unterminated). */
static long xsd_do_write(struct xsd_ctx *x)
{
	const char *body = x->req->body;
	size_t plen = strnlen(body, x->req->h.len);
	char path[XSD_PATH_MAX];
	long r;

	if (plen == x->req->h.len)
		return -XEN_EINVAL;
	if ((r = xsd_canon(x->conn->dom, body, path)) < 0)
		return r;
	if ((r = xsd_may(x, path, XSD_WRITE)) < 0)
		return r;
	if (x->req->h.len - plen - 1 > XSD_VALUE_MAX)
		return -XEN_E2BIG;
	if (x->txn)
		r = xsd_txn_log(x->txn, XS_WRITE, path, body + plen + 1,
				x->req->h.len - plen - 1);
	else
		r = xsd_apply(x->conn->dom, XS_WRITE, path, body + plen + 1,
			      x->req->h.len - plen - 1);
	return r < 0 ? r : xsd_ok(x);
}

/* MKDIR and RM: "PATH\0". */
static long xsd_do_change(struct xsd_ctx *x)
{
	char path[XSD_PATH_MAX];
	long r = xsd_path_arg(x, 0, path);

	if (r < 0 || (r = xsd_may(x, path, XSD_WRITE)) < 0)
		return r;
	if (x->txn)
		r = xsd_txn_log(x->txn, x->req->h.type, path, "", 0);
	else
		r = xsd_apply(x->conn->dom, x->req->h.type, path, "", 0);
	return r < 0 ? r : xsd_ok(x);
}

/* Parses perms strings ("n0", "r1") into *ps; 0 or -XEN_EINVAL. */
static long xsd_parse_perms(const char *const *arg, unsigned n,
			    struct xsd_perms *ps)
{
	if (n == 0 || n > XSD_PERMS_MAX)
		return -XEN_EINVAL;
	ps->n = (uint8_t)n;
	for (unsigned i = 0; i < n; i++) {
		const char *p = arg[i] + 1;
		unsigned long dom = 0;

		if (!strchr("rwbn", arg[i][0]) || !arg[i][0] || !*p)
			return -XEN_EINVAL;
		for (; *p >= '0' && *p <= '9' && dom < DOMID_FIRST_RESERVED;
		     p++)
			dom = dom * 10 + (unsigned long)(*p - '0');
		if (*p || dom >= DOMID_FIRST_RESERVED)
			return -XEN_EINVAL;
		ps->p[i].perm = arg[i][0];
		ps->p[i].dom = (domid_t)dom;
	}
	return 0;
}

static long xsd_do_get_perms(struct xsd_ctx *x)
{
	char path[XSD_PATH_MAX];
	const struct xsd_perms *ps;
	size_t len = 0;
	long r = xsd_path_arg(x, 0, path);
	int n;

	if (r < 0 || (r = xsd_saw(x, path)) < 0)
		return r;
	n = xsd_lookup(path);
	if (n < 0)
		return -XEN_ENOENT;
	if ((r = xsd_may(x, path, XSD_READ)) < 0)
		return r;
	ps = xsd_get_perms(n);
	for (unsigned i = 0; i < ps->n; i++)
		len += (size_t)snprintf(x->rep->body + len, 16, "%c%u",
					ps->p[i].perm, ps->p[i].dom) +
		       1;
	x->rep->h.len = (uint32_t)len;
	return 0;
}

/* SET_PERMS "PATH\0PERM\0PERM\0...": needs write access; only domain 0
 * may give a node away. */
static long xsd_do_set_perms(struct xsd_ctx *x)
{
	char path[XSD_PATH_MAX];
	struct xsd_perms ps;
	long r = xsd_path_arg(x, 0, path);
	const char *perms = x->nargs > 1 ? x->arg[1] : "";
	int n;

	if (r < 0 || (r = xsd_parse_perms(x->arg + 1, x->nargs - 1, &ps)) < 0)
		return r;
	n = xsd_lookup(path);
	if (n < 0 && !x->txn)
		return -XEN_ENOENT;
	if ((r = xsd_may(x, path, XSD_WRITE)) < 0)
		return r;
	if (x->conn->dom != 0 && ps.p[0].dom != x->conn->dom)
		return -XEN_EPERM;
	if (x->txn)
		r = xsd_txn_log(x->txn, XS_SET_PERMS, path, perms,
				(size_t)(x->req->body + x->req->h.len - perms));
	else
		xsd_set_perms_node(n, &ps);
	if (!x->txn)
		xsd_fire(path, false);
	return r < 0 ? r : xsd_ok(x);
}

/* A logged SET_PERMS's strings back into perms; 0 or -XEN_EINVAL. */
static long xsd_unpack_perms(const char *val, size_t len, struct xsd_perms *ps)
{
	const char *arg[XSD_PERMS_MAX];
	unsigned n = 0;

	for (size_t at = 0; at < len && n < XSD_PERMS_MAX;
	     at += strlen(val + at) + 1)
		arg[n++] = val + at;
	return xsd_parse_perms(arg, n, ps);
}

long xsd_apply(domid_t dom, uint32_t type, const char *path, const char *val,
	       size_t len)
{
	struct xsd_perms ps;
	char parent[XSD_PATH_MAX];
	int n = xsd_lookup(path);
	long r;

	if (!(xsd_access_path(path, dom) & XSD_WRITE))
		return -XEN_EACCES;
	if (type == XS_WRITE || type == XS_MKDIR)
		r = xsd_write(dom, path, val, len, type == XS_MKDIR);
	else if (type == XS_SET_PERMS && n >= 0)
		r = xsd_unpack_perms(val, len, &ps);
	else if (type == XS_RM && n >= 0) {
		/* Fired first, so watchers' read access is the node's. */
		xsd_fire(path, true);
		return xsd_remove(path);
	} else if (type == XS_RM) {
		/* Xen: removing what is not there succeeds if its parent is. */
		strlcpy(parent, path, sizeof(parent));
		*strrchr(parent, '/') = '\0';
		return xsd_lookup(*parent ? parent : "/") >= 0 ? 0 :
								 -XEN_ENOENT;
	} else
		r = -XEN_ENOENT;
	if (r == 0 && type == XS_SET_PERMS)
		xsd_set_perms_node(n, &ps);
	if (r == 0)
		xsd_fire(path, false);
	return r;
}

/* WATCH "PATH\0TOKEN\0": fires once at once, then on each change. */
static long xsd_do_watch(struct xsd_ctx *x)
{
	struct xsd_watch *w = NULL;
	char path[XSD_PATH_MAX];
	long r = x->nargs == 2 ? 0 : -XEN_EINVAL;

	if (r == 0 && x->arg[0][0] == '@')
		r = strlen(x->arg[0]) < XSD_PATH_MAX ? 0 : -XEN_E2BIG;
	else if (r == 0)
		r = xsd_path_arg(x, 0, path);
	if (r < 0)
		return r;
	if (x->arg[0][0] == '@')
		strlcpy(path, x->arg[0], sizeof(path));
	if (strlen(x->arg[1]) >= XSD_TOKEN_MAX)
		return -XEN_E2BIG;
	if (x->conn->dom != 0 && x->conn->nwatches >= XSD_QUOTA_WATCHES)
		return -XEN_E2BIG;
	for (int i = 0; i < XSD_WATCHES; i++) {
		struct xsd_watch *o = &xsd_watches[i];

		if (o->conn == x->conn && strcmp(o->path, path) == 0 &&
		    strcmp(o->token, x->arg[1]) == 0)
			return -XEN_EEXIST;
		if (!o->conn && !w)
			w = o;
	}
	if (!w)
		return -XEN_ENOSPC;
	w->conn = x->conn;
	w->strip = path[0] == '/' && x->arg[0][0] != '/' ?
			   strlen(path) - strlen(x->arg[0]) :
			   0;
	strlcpy(w->path, path, sizeof(w->path));
	strlcpy(w->token, x->arg[1], sizeof(w->token));
	x->conn->nwatches++;
	xsd_notify(w, path);
	return xsd_ok(x);
}

static long xsd_do_unwatch(struct xsd_ctx *x)
{
	char path[XSD_PATH_MAX];
	long r = x->nargs == 2 ? 0 : -XEN_EINVAL;

	if (r == 0 && x->arg[0][0] == '@')
		strlcpy(path, x->arg[0], sizeof(path));
	else if (r == 0)
		r = xsd_path_arg(x, 0, path);
	if (r < 0)
		return r;
	for (int i = 0; i < XSD_WATCHES; i++) {
		struct xsd_watch *w = &xsd_watches[i];

		if (w->conn == x->conn && strcmp(w->path, path) == 0 &&
		    strcmp(w->token, x->arg[1]) == 0) {
			w->conn = NULL;
			x->conn->nwatches--;
			return xsd_ok(x);
		}
	}
	return -XEN_ENOENT;
}

static long xsd_do_reset_watches(struct xsd_ctx *x)
{
	xsd_unwatch_all(x->conn);
	return xsd_ok(x);
}

/* Argument i as a decimal number below max; false if it is not one. */
static bool xsd_num_arg(struct xsd_ctx *x, unsigned i, uint64_t max,
			uint64_t *v)
{
	const char *p = i < x->nargs ? x->arg[i] : "";

	*v = 0;
	for (; *p >= '0' && *p <= '9' && *v < max; p++)
		*v = *v * 10 + (uint64_t)(*p - '0');
	return i < x->nargs && x->arg[i][0] && !*p && *v < max;
}

/* INTRODUCE "DOMID\0GFN\0PORT\0": domain 0 only. */
static long xsd_do_introduce(struct xsd_ctx *x)
{
	uint64_t dom, gfn, port;
	long r;

	if (x->conn->dom != 0)
		return -XEN_EACCES;
	if (!xsd_num_arg(x, 0, DOMID_FIRST_RESERVED, &dom) || dom == 0 ||
	    !xsd_num_arg(x, 1, 1ULL << 52, &gfn) ||
	    !xsd_num_arg(x, 2, 1ULL << 32, &port))
		return -XEN_EINVAL;
	if (xsd_conn_find((domid_t)dom))
		return -XEN_EEXIST;
	r = xsd_introduce((domid_t)dom, gfn, (uint32_t)port);
	if (r < 0)
		return r;
	xsd_fire_special("@introduceDomain");
	return xsd_ok(x);
}

/* RELEASE "DOMID\0": domain 0 only; the domain's nodes stay for the
 * toolstack to remove. */
static long xsd_do_release(struct xsd_ctx *x)
{
	uint64_t dom;
	long r;

	if (x->conn->dom != 0)
		return -XEN_EACCES;
	if (!xsd_num_arg(x, 0, DOMID_FIRST_RESERVED, &dom) || dom == 0)
		return -XEN_EINVAL;
	r = xsd_release((domid_t)dom);
	if (r < 0)
		return r;
	xsd_fire_special("@releaseDomain");
	return xsd_ok(x);
}

static long xsd_do_get_domain_path(struct xsd_ctx *x)
{
	uint64_t dom;
	char path[32];

	if (!xsd_num_arg(x, 0, DOMID_FIRST_RESERVED, &dom))
		return -XEN_EINVAL;
	return xsd_reply(x, path,
			 (size_t)snprintf(path, sizeof(path),
					  "/local/domain/%u", (unsigned)dom) +
				 1);
}

static long xsd_do_is_introduced(struct xsd_ctx *x)
{
	uint64_t dom;

	if (!xsd_num_arg(x, 0, DOMID_FIRST_RESERVED, &dom))
		return -XEN_EINVAL;
	return xsd_reply(x, dom == 0 || xsd_conn_find((domid_t)dom) ? "T" : "F",
			 2);
}

static long (*const xsd_handlers[XS_TYPE_COUNT])(struct xsd_ctx *) = {
	[XS_DIRECTORY] = xsd_do_directory,
	[XS_READ] = xsd_do_read,
	[XS_GET_PERMS] = xsd_do_get_perms,
	[XS_WATCH] = xsd_do_watch,
	[XS_UNWATCH] = xsd_do_unwatch,
	[XS_TRANSACTION_START] = xsd_do_txn_start,
	[XS_TRANSACTION_END] = xsd_do_txn_end,
	[XS_INTRODUCE] = xsd_do_introduce,
	[XS_RELEASE] = xsd_do_release,
	[XS_GET_DOMAIN_PATH] = xsd_do_get_domain_path,
	[XS_WRITE] = xsd_do_write,
	[XS_MKDIR] = xsd_do_change,
	[XS_RM] = xsd_do_change,
	[XS_SET_PERMS] = xsd_do_set_perms,
	[XS_IS_DOMAIN_INTRODUCED] = xsd_do_is_introduced,
	[XS_RESET_WATCHES] = xsd_do_reset_watches,
};

/* Serves the request in x; 0 or -XEN_E*. */
static long xsd_serve(struct xsd_ctx *x)
{
	uint32_t type = x->req->h.type;

	if (type >= XS_TYPE_COUNT || !xsd_handlers[type] ||
	    x->req->h.len > XENSTORE_PAYLOAD_MAX)
		return -XEN_EINVAL;
	if (type != XS_WRITE && xsd_split(x) < 0)
		return -XEN_EINVAL;
	if (x->req->h.tx_id) {
		x->txn = xsd_txn_find(x->conn, x->req->h.tx_id);
		if (!x->txn)
			return -XEN_ENOENT;
	}
	return xsd_handlers[type](x);
}

void xsd_request(struct xsd_conn *conn, const struct xsd_msg *req,
		 struct xsd_msg *rep)
{
	struct xsd_ctx x = { .conn = conn, .req = req, .rep = rep };
	long r;

	rep->h = req->h;
	rep->h.len = 0;
	r = xsd_serve(&x);
	if (r < 0) {
		rep->h.type = XS_ERROR;
		xsd_reply(&x, xsd_errname(r), strlen(xsd_errname(r)) + 1);
	}
}
