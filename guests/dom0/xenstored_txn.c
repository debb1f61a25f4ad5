/*
 * xenstored_txn.c - xenstore's transactions (lab 7): a transaction
 * buffers its changes and remembers every path it looked at; its reads
 * see its own changes over the tree (xsd_txn_view, xsd_list), and its end
 * applies them only if none of those nodes changed, appeared or went
 * since it started; else the reply is EAGAIN and the client runs it
 * again (docs/misc/xenstore.txt, TRANSACTION_START / _END).
 */
#include "xenstored_int.h"
#include <inc/string.h>
#include <inc/stdio.h>

struct xsd_txn_op {
	uint32_t type; /* XS_WRITE, XS_MKDIR, XS_RM, XS_SET_PERMS */
	uint16_t len;
	char path[XSD_PATH_MAX];
	char value[XSD_VALUE_MAX]; /* SET_PERMS: the perms as on the wire */
};

struct xsd_txn {
	struct xsd_conn *conn; /* NULL: free */
	uint32_t id;
	uint64_t start; /* xsd_gen when it started */
	unsigned nops, nreads;
	struct xsd_txn_op ops[XSD_TXN_OPS];
	struct {
		bool existed;
		char path[XSD_PATH_MAX];
	} reads[XSD_TXN_READS];
};

static struct xsd_txn xsd_txns[XSD_TXNS];
static uint32_t xsd_next_txn = 1;

void xsd_txn_init(void)
{
	memset(xsd_txns, 0, sizeof(xsd_txns));
}

void xsd_txn_drop_all(struct xsd_conn *conn)
{
	for (int i = 0; i < XSD_TXNS; i++)
		if (xsd_txns[i].conn == conn)
			xsd_txns[i].conn = NULL;
	conn->ntxns = 0;
}

/* Notes that the transaction looked at path; -XEN_ENOSPC when full. */
long xsd_txn_saw(struct xsd_txn *t, const char *path)
{
	for (unsigned i = 0; i < t->nreads; i++)
		if (strcmp(t->reads[i].path, path) == 0)
			return 0;
	if (t->nreads == XSD_TXN_READS)
		return -XEN_ENOSPC;
	strlcpy(t->reads[t->nreads].path, path, XSD_PATH_MAX);
	t->reads[t->nreads++].existed = xsd_lookup(path) >= 0;
	return 0;
}

/* Buffers a change in the transaction; 0 or -XEN_E*. */
long xsd_txn_log(struct xsd_txn *t, uint32_t type, const char *path,
		 const char *value, size_t len)
{
	struct xsd_txn_op *op;
	long r = xsd_txn_saw(t, path);

	if (r < 0)
		return r;
	if (t->nops == XSD_TXN_OPS)
		return -XEN_ENOSPC;
	op = &t->ops[t->nops++];
	op->type = type;
	op->len = (uint16_t)len;
	strlcpy(op->path, path, XSD_PATH_MAX);
	memcpy(op->value, value, len);
	return 0;
}

/* Whether op i of t removes path or a node above it. */
static bool xsd_op_removes(const struct xsd_txn_op *op, const char *path)
{
	return op->type == XS_RM && xsd_above(op->path, path);
}

/* Whether op creates path (writes it or a node below it). */
static bool xsd_op_creates(const struct xsd_txn_op *op, const char *path)
{
	return (op->type == XS_WRITE || op->type == XS_MKDIR) &&
	       xsd_above(path, op->path);
}

/*
 * path as transaction t sees it: false if absent; else its value in
 * *val, *len (an empty value for a node only its own changes created).
 */
bool xsd_txn_view(struct xsd_txn *t, const char *path, const char **val,
		  size_t *len)
{
	bool made = false;
	int n;

	*val = "";
	*len = 0;
	for (unsigned i = t->nops; i-- > 0;) {
		const struct xsd_txn_op *op = &t->ops[i];

		if (op->type == XS_WRITE && strcmp(op->path, path) == 0) {
			*val = op->value;
			*len = op->len;
			return true;
		}
		if (xsd_op_removes(op, path))
			return made;
		made |= xsd_op_creates(op, path);
	}
	n = xsd_lookup(path);
	if (n >= 0)
		*val = xsd_value(n, len);
	return n >= 0 || made;
}

/* Appends name to the NUL-separated list buf[0..*len) unless there;
 * -XEN_E2BIG when the reply would not hold it. */
static long xsd_list_add(char *buf, size_t *len, const char *name, size_t nlen)
{
	for (size_t at = 0; at < *len; at += strlen(buf + at) + 1)
		if (strlen(buf + at) == nlen &&
		    memcmp(buf + at, name, nlen) == 0)
			return 0;
	if (*len + nlen + 1 > XENSTORE_PAYLOAD_MAX)
		return -XEN_E2BIG;
	memcpy(buf + *len, name, nlen);
	buf[*len + nlen] = '\0';
	*len += nlen + 1;
	return 0;
}

/* Whether child name (nlen bytes) of dir exists for the request. */
static bool xsd_child_seen(struct xsd_ctx *x, const char *dir, const char *name,
			   size_t nlen)
{
	char path[XSD_PATH_MAX];
	const char *val;
	size_t len;

	snprintf(path, sizeof(path), "%s/%.*s", strcmp(dir, "/") ? dir : "",
		 (int)nlen, name);
	return !x->txn || xsd_txn_view(x->txn, path, &val, &len);
}

/* dir's children in buf as DIRECTORY lists them; the length or -XEN_E*. */
long xsd_list(struct xsd_ctx *x, const char *dir, char *buf)
{
	size_t len = 0, dlen = strcmp(dir, "/") ? strlen(dir) : 0;
	int n = xsd_lookup(dir);
	long r = 0;

	for (int c = n >= 0 ? xsd_child(n) : -1; c >= 0 && r == 0;
	     c = xsd_sibling(c))
		if (xsd_child_seen(x, dir, xsd_name(c), strlen(xsd_name(c))))
			r = xsd_list_add(buf, &len, xsd_name(c),
					 strlen(xsd_name(c)));
	for (unsigned i = 0; x->txn && i < x->txn->nops && r == 0; i++) {
		const char *p = x->txn->ops[i].path, *name = p + dlen + 1;
		size_t nlen = strchr(name, '/') ?
				      (size_t)(strchr(name, '/') - name) :
				      strlen(name);

		if (x->txn->ops[i].type == XS_RM || !xsd_above(dir, p) ||
		    strlen(p) <= dlen + 1 ||
		    !xsd_child_seen(x, dir, name, nlen))
			continue;
		r = xsd_list_add(buf, &len, name, nlen);
	}
	return r < 0 ? r : (long)len;
}

long xsd_do_txn_start(struct xsd_ctx *x)
{
	struct xsd_txn *t = NULL;
	char id[12];

	if (x->txn)
		return -XEN_EBUSY;
	if (x->conn->dom != 0 && x->conn->ntxns >= XSD_QUOTA_TXNS)
		return -XEN_ENOSPC;
	for (int i = 0; i < XSD_TXNS && !t; i++)
		if (!xsd_txns[i].conn)
			t = &xsd_txns[i];
	if (!t)
		return -XEN_ENOSPC;
	*t = (struct xsd_txn){ .conn = x->conn,
			       .id = xsd_next_txn++,
			       .start = xsd_gen };
	if (xsd_next_txn == 0)
		xsd_next_txn = 1;
	x->conn->ntxns++;
	return xsd_reply(x, id,
			 (size_t)snprintf(id, sizeof(id), "%u", t->id) + 1);
}

/* Whether a node t looked at changed, appeared or went since t began. */
static bool xsd_txn_conflicts(const struct xsd_txn *t)
{
	for (unsigned i = 0; i < t->nreads; i++) {
		int n = xsd_lookup(t->reads[i].path);

		if ((n >= 0) != t->reads[i].existed ||
		    (n >= 0 && xsd_node_gen(n) > t->start))
			return true;
	}
	return false;
}

/* TRANSACTION_END "T\0" commits, "F\0" aborts; EAGAIN on a conflict. */
long xsd_do_txn_end(struct xsd_ctx *x)
{
	struct xsd_txn *t = x->txn;
	bool commit = x->nargs == 1 && strcmp(x->arg[0], "T") == 0;
	long r = 0;

	if (!t)
		return -XEN_ENOENT;
	if (!commit && !(x->nargs == 1 && strcmp(x->arg[0], "F") == 0))
		return -XEN_EINVAL;
	t->conn = NULL;
	x->conn->ntxns--;
	x->txn = NULL;
	if (commit && xsd_txn_conflicts(t))
		return -XEN_EAGAIN;
	/* Checked at each request: a failure here is a quota reached since,
	 * and the changes before it stay, as a partial commit. */
	for (unsigned i = 0; commit && i < t->nops && r == 0; i++)
		r = xsd_apply(x->conn->dom, t->ops[i].type, t->ops[i].path,
			      t->ops[i].value, t->ops[i].len);
	return r < 0 ? r : xsd_ok(x);
}

/* The transaction id names for conn, or NULL. */
struct xsd_txn *xsd_txn_find(struct xsd_conn *conn, uint32_t id)
{
	for (int i = 0; i < XSD_TXNS; i++)
		if (xsd_txns[i].conn == conn && xsd_txns[i].id == id)
			return &xsd_txns[i];
	return NULL;
}
