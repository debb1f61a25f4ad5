/*
 * test_xenstore.c - dom0's xenstore daemon core (guests/dom0/xenstored.c,
 * xenstored_tree.c) on the host: requests as Xen's wire carries them,
 * replies and watch events checked against docs/misc/xenstore.txt.
 * The transport is faked: watch events land in a list per connection.
 * The client library (guests/lib/xs.c) is tested against the same
 * daemon, its transport a direct call as one domain.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <guests/dom0/xenstored.h>
#include <guests/lib/xs.h>

#define EVENTS_MAX 64
static struct {
	struct xsd_conn *conn;
	char path[XSD_PATH_MAX], token[XSD_TOKEN_MAX];
} events[EVENTS_MAX];
static int nevents;
static domid_t introduced[8];

static struct xsd_conn *client; /* the xs.h client's connection */

bool xsd_send_event(struct xsd_conn *conn, const char *path, const char *token)
{
	if (conn == client) {
		xs_queue_event(path, token);
		return true;
	}
	if (nevents == EVENTS_MAX)
		return false;
	events[nevents].conn = conn;
	strcpy(events[nevents].path, path);
	strcpy(events[nevents++].token, token);
	return true;
}

long xsd_introduce(domid_t dom, uint64_t gfn, uint32_t port)
{
	introduced[dom % 8] = dom;
	return xsd_conn_open(dom) ? 0 : -XEN_ENOSPC;
}

long xsd_release(domid_t dom)
{
	struct xsd_conn *c = xsd_conn_find(dom);

	if (!c)
		return -XEN_ENOENT;
	xsd_conn_close(c);
	return 0;
}

/* Events for conn (all if NULL) with token. */
static int count_events(struct xsd_conn *conn, const char *token)
{
	int n = 0;

	for (int i = 0; i < nevents; i++)
		n += (!conn || events[i].conn == conn) &&
		     strcmp(events[i].token, token) == 0;
	return n;
}

static struct xsd_conn *dom0, *dom1, *dom2;
static struct xsd_msg rep;

static void setup(void)
{
	xsd_init();
	nevents = 0;
	dom0 = xsd_conn_open(0);
	dom1 = xsd_conn_open(1);
	dom2 = xsd_conn_open(2);
}

/* Sends type with the body (len bytes) in transaction tx; the reply's
 * error as -XEN_E*, or its length. */
static long send(struct xsd_conn *c, uint32_t type, uint32_t tx,
		 const char *body, size_t len)
{
	static struct xsd_msg req;

	req.h = (struct xsd_sockmsg){
		.type = type, .req_id = 7, .tx_id = tx, .len = (uint32_t)len
	};
	memcpy(req.body, body, len);
	memset(&rep, 0xaa, sizeof(rep));
	xsd_request(c, &req, &rep);
	cr_assert_eq(rep.h.req_id, 7, "req_id echoed");
	if (rep.h.type == XS_ERROR) {
		cr_assert_eq(rep.body[rep.h.len - 1], '\0');
		return xsd_errnum(rep.body);
	}
	cr_assert_eq(rep.h.type, type);
	return rep.h.len;
}

/* One-string requests: "PATH\0". */
static long op1(struct xsd_conn *c, uint32_t type, uint32_t tx, const char *s)
{
	return send(c, type, tx, s, strlen(s) + 1);
}

static long wr(struct xsd_conn *c, uint32_t tx, const char *path,
	       const char *val)
{
	char buf[XENSTORE_PAYLOAD_MAX];
	size_t n = strlen(path) + 1;

	memcpy(buf, path, n);
	memcpy(buf + n, val, strlen(val));
	return send(c, XS_WRITE, tx, buf, n + strlen(val));
}

/* Reads path; the value, or the error's name. */
static const char *rd(struct xsd_conn *c, uint32_t tx, const char *path)
{
	static char out[XENSTORE_PAYLOAD_MAX + 1];
	long r = op1(c, XS_READ, tx, path);

	if (r < 0)
		return xsd_errname(r);
	memcpy(out, rep.body, (size_t)r);
	out[r] = '\0';
	return out;
}

static long two(struct xsd_conn *c, uint32_t type, const char *a, const char *b)
{
	char buf[512];
	int n = snprintf(buf, sizeof(buf), "%s%c%s", a, 0, b);

	return send(c, type, 0, buf, (size_t)n + 1);
}

/* Gives dom its /local/domain/DOM as the toolstack does: owned by dom. */
static void give_home(domid_t dom)
{
	char path[64], perm[16];

	snprintf(path, sizeof(path), "/local/domain/%u", dom);
	snprintf(perm, sizeof(perm), "n%u", dom);
	cr_assert_eq(wr(dom0, 0, path, ""), 3);
	cr_assert_eq(two(dom0, XS_SET_PERMS, path, perm), 3);
}

static uint32_t txn_start(struct xsd_conn *c)
{
	long r = send(c, XS_TRANSACTION_START, 0, "", 1);

	cr_assert_gt(r, 0, "TRANSACTION_START: %s", xsd_errname(r));
	return (uint32_t)strtoul(rep.body, NULL, 10);
}

static long txn_end(struct xsd_conn *c, uint32_t tx, bool commit)
{
	return send(c, XS_TRANSACTION_END, tx, commit ? "T" : "F", 2);
}

TestSuite(xenstore, .init = setup);

Test(xenstore, write_read_directory_rm)
{
	cr_expect_eq(wr(dom0, 0, "/a/b/c", "hello"), 3,
		     "write creates parents");
	cr_expect_str_eq(rd(dom0, 0, "/a/b/c"), "hello");
	cr_expect_str_eq(rd(dom0, 0, "/a/b"), "");
	cr_expect_eq(wr(dom0, 0, "/a/d", "x"), 3);
	cr_expect_eq(op1(dom0, XS_DIRECTORY, 0, "/a"), 4, "\"d\\0b\\0\"");
	cr_expect(memcmp(rep.body, "d\0b\0", 4) == 0 ||
		  memcmp(rep.body, "b\0d\0", 4) == 0);
	cr_expect_eq(op1(dom0, XS_RM, 0, "/a/b"), 3);
	cr_expect_str_eq(rd(dom0, 0, "/a/b/c"), "ENOENT");
	cr_expect_eq(op1(dom0, XS_RM, 0, "/a/b"), 3,
		     "rm of a missing node whose parent exists");
	cr_expect_eq(op1(dom0, XS_RM, 0, "/q/r"), -XEN_ENOENT);
	cr_expect_eq(op1(dom0, XS_RM, 0, "/"), -XEN_EINVAL);
	cr_expect_eq(op1(dom0, XS_MKDIR, 0, "/a/d"), 3, "mkdir keeps a value");
	cr_expect_str_eq(rd(dom0, 0, "/a/d"), "x");
	cr_expect_eq(wr(dom0, 0, "/a/e", ""), 3, "empty value");
	cr_expect_str_eq(rd(dom0, 0, "/a/e"), "");
}

Test(xenstore, relative_paths_and_domain_path)
{
	give_home(1);
	cr_expect_eq(wr(dom1, 0, "name", "one"), 3);
	cr_expect_str_eq(rd(dom0, 0, "/local/domain/1/name"), "one");
	cr_expect_gt(op1(dom1, XS_GET_DOMAIN_PATH, 0, "1"), 0);
	cr_expect_str_eq(rep.body, "/local/domain/1");
}

Test(xenstore, bad_paths_and_messages)
{
	cr_expect_eq(wr(dom0, 0, "/a//b", "x"), -XEN_EINVAL);
	cr_expect_eq(wr(dom0, 0, "/a/b/", "x"), -XEN_EINVAL);
	cr_expect_eq(wr(dom0, 0, "/a b", "x"), -XEN_EINVAL);
	cr_expect_eq(send(dom0, XS_READ, 0, "/a", 2), -XEN_EINVAL,
		     "unterminated");
	cr_expect_eq(send(dom0, XS_WRITE, 0, "/a", 2), -XEN_EINVAL, "no value");
	cr_expect_eq(send(dom0, 99, 0, "", 0), -XEN_EINVAL, "unknown type");
	cr_expect_eq(send(dom0, XS_ERROR, 0, "", 0), -XEN_EINVAL);
	cr_expect_eq(send(dom0, XS_READ, 55, "/a", 3), -XEN_ENOENT,
		     "unknown transaction");
	{
		char big[XSD_PATH_MAX + 8];

		memset(big, 'a', sizeof(big));
		big[0] = '/';
		big[sizeof(big) - 1] = '\0';
		cr_expect_eq(op1(dom0, XS_READ, 0, big), -XEN_E2BIG);
	}
}

Test(xenstore, permissions)
{
	give_home(1);
	give_home(2);
	cr_expect_str_eq(rd(dom2, 0, "/local/domain/1"), "EACCES",
			 "another domain's dir");
	cr_expect_eq(wr(dom2, 0, "/local/domain/1/x", "y"), -XEN_EACCES);
	cr_expect_eq(wr(dom1, 0, "/local/domain/1/x", "y"), 3, "its own");
	cr_expect_eq(wr(dom1, 0, "/tool/x", "y"), -XEN_EACCES, "dom0's");
	/* A backend dir: owned by 0, readable by 1. */
	cr_expect_eq(wr(dom0, 0, "/local/domain/0/backend/vbd/1/51712/state",
			"1"),
		     3);
	cr_expect_eq(two(dom0, XS_SET_PERMS,
			 "/local/domain/0/backend/vbd/1/51712/state",
			 "n0\0r1" + 0),
		     3);
	cr_expect_eq(send(dom0, XS_SET_PERMS, 0,
			  "/local/domain/0/backend/vbd/1/51712/state\0n0\0r1",
			  48),
		     3);
	cr_expect_str_eq(rd(dom1, 0,
			    "/local/domain/0/backend/vbd/1/51712/state"),
			 "1");
	cr_expect_str_eq(rd(dom2, 0,
			    "/local/domain/0/backend/vbd/1/51712/state"),
			 "EACCES");
	cr_expect_eq(wr(dom1, 0, "/local/domain/0/backend/vbd/1/51712/state",
			"4"),
		     -XEN_EACCES, "read-only for the frontend");
	cr_expect_eq(op1(dom1, XS_GET_PERMS, 0,
			 "/local/domain/0/backend/vbd/1/51712/state"),
		     6);
	cr_expect(memcmp(rep.body, "n0\0r1\0", 6) == 0);
	/* A new node is the creator's, with its parent's other entries. */
	cr_expect_eq(wr(dom1, 0, "/local/domain/1/dev/x", "1"), 3);
	cr_expect_eq(op1(dom0, XS_GET_PERMS, 0, "/local/domain/1/dev/x"), 3);
	cr_expect_str_eq(rep.body, "n1");
	cr_expect_eq(two(dom1, XS_SET_PERMS, "/local/domain/1/dev/x", "n2"),
		     -XEN_EPERM, "only dom0 gives a node away");
	cr_expect_eq(send(dom1, XS_SET_PERMS, 0,
			  "/local/domain/1/dev/x\0n1\0r2", 28),
		     3);
	cr_expect_str_eq(rd(dom2, 0, "/local/domain/1/dev/x"), "1");
	cr_expect_eq(two(dom2, XS_SET_PERMS, "/local/domain/1/dev/x", "b2"),
		     -XEN_EACCES);
	cr_expect_eq(op1(dom1, XS_RM, 0, "/local/domain/0/backend"),
		     -XEN_EACCES);
	cr_expect_eq(two(dom1, XS_INTRODUCE, "3", "4"), -XEN_EACCES);
}

Test(xenstore, watch_fires_once_then_per_change)
{
	give_home(1);
	cr_expect_eq(two(dom1, XS_WATCH, "data", "tok"), 3);
	cr_expect_eq(count_events(dom1, "tok"), 1, "once at registration");
	cr_expect_str_eq(events[0].path, "data", "relative as registered");
	wr(dom1, 0, "data", "1");
	wr(dom1, 0, "data/sub", "2");
	wr(dom1, 0, "other", "3");
	cr_expect_eq(count_events(dom1, "tok"), 3,
		     "one per change at or below");
	cr_expect_str_eq(events[2].path, "data/sub");
	cr_expect_eq(two(dom1, XS_WATCH, "data", "tok"), -XEN_EEXIST);
	cr_expect_eq(two(dom1, XS_UNWATCH, "data", "tok"), 3);
	wr(dom1, 0, "data", "4");
	cr_expect_eq(count_events(dom1, "tok"), 3, "none after UNWATCH");
	cr_expect_eq(two(dom1, XS_UNWATCH, "data", "tok"), -XEN_ENOENT);
}

Test(xenstore, watch_on_removal_and_permissions)
{
	give_home(1);
	give_home(2);
	wr(dom1, 0, "a/b/c", "1");
	cr_expect_eq(two(dom1, XS_WATCH, "/local/domain/1/a/b/c", "deep"), 3);
	cr_expect_eq(two(dom2, XS_WATCH, "/local/domain/1", "spy"), 3);
	op1(dom1, XS_RM, 0, "/local/domain/1/a");
	cr_expect_eq(count_events(dom1, "deep"), 2,
		     "a watch below a removed node fires");
	wr(dom1, 0, "secret", "x");
	cr_expect_eq(count_events(dom2, "spy"), 1,
		     "only the registration event "
		     "for a domain that may not read");
}

Test(xenstore, special_watches_and_introduce)
{
	cr_expect_eq(two(dom0, XS_WATCH, "@introduceDomain", "i"), 3);
	cr_expect_eq(two(dom0, XS_WATCH, "@releaseDomain", "r"), 3);
	send(dom0, XS_INTRODUCE, 0,
	     "5\0"
	     "123\0"
	     "7",
	     8);
	cr_expect_eq(rep.h.type, XS_INTRODUCE, "%.*s", rep.h.len, rep.body);
	cr_expect_eq(count_events(dom0, "i"), 2);
	cr_expect_eq(send(dom0, XS_INTRODUCE, 0,
			  "5\0"
			  "123\0"
			  "7",
			  8),
		     -XEN_EEXIST);
	cr_expect_eq(op1(dom0, XS_IS_DOMAIN_INTRODUCED, 0, "5"), 2);
	cr_expect_str_eq(rep.body, "T");
	wr(dom0, 0, "/local/domain/5/x", "1");
	cr_expect_eq(count_events(dom0, "r"), 1, "not on node changes");
	cr_expect_eq(op1(dom0, XS_RELEASE, 0, "5"), 3);
	cr_expect_eq(count_events(dom0, "r"), 2);
	cr_expect_eq(op1(dom0, XS_RELEASE, 0, "5"), -XEN_ENOENT);
	cr_expect_eq(send(dom0, XS_INTRODUCE, 0,
			  "x\0"
			  "1\0"
			  "2",
			  6),
		     -XEN_EINVAL);
}

Test(xenstore, transaction_isolation_and_commit)
{
	uint32_t t;

	wr(dom0, 0, "/c", "0");
	cr_expect_eq(two(dom0, XS_WATCH, "/c", "w"), 3);
	t = txn_start(dom0);
	cr_expect_eq(wr(dom0, t, "/c", "1"), 3);
	cr_expect_eq(wr(dom0, t, "/c/new/leaf", "z"), 3);
	cr_expect_str_eq(rd(dom0, t, "/c"), "1", "sees its own write");
	cr_expect_str_eq(rd(dom0, t, "/c/new"), "", "and the nodes it implies");
	cr_expect_str_eq(rd(dom0, 0, "/c"), "0", "others do not");
	cr_expect_str_eq(rd(dom0, 0, "/c/new"), "ENOENT");
	cr_expect_eq(op1(dom0, XS_DIRECTORY, t, "/c"), 4);
	cr_expect(memcmp(rep.body, "new\0", 4) == 0);
	cr_expect_eq(count_events(dom0, "w"), 1, "no events before the commit");
	cr_expect_eq(txn_end(dom0, t, true), 3);
	cr_expect_str_eq(rd(dom0, 0, "/c"), "1");
	cr_expect_str_eq(rd(dom0, 0, "/c/new/leaf"), "z");
	cr_expect_eq(count_events(dom0, "w"), 3,
		     "one per change at the commit");
	cr_expect_eq(txn_end(dom0, t, true), -XEN_ENOENT, "ended");
	t = txn_start(dom0);
	op1(dom0, XS_RM, t, "/c/new");
	cr_expect_str_eq(rd(dom0, t, "/c/new/leaf"), "ENOENT");
	cr_expect_eq(op1(dom0, XS_DIRECTORY, t, "/c"), 0);
	cr_expect_eq(txn_end(dom0, t, false), 3, "abort");
	cr_expect_str_eq(rd(dom0, 0, "/c/new/leaf"), "z");
}

Test(xenstore, transaction_conflict)
{
	uint32_t a, b;

	wr(dom0, 0, "/n", "5");
	a = txn_start(dom0);
	b = txn_start(dom0);
	cr_expect_str_eq(rd(dom0, a, "/n"), "5");
	cr_expect_str_eq(rd(dom0, b, "/n"), "5");
	wr(dom0, a, "/n", "6");
	wr(dom0, b, "/n", "6");
	cr_expect_eq(txn_end(dom0, a, true), 3);
	cr_expect_eq(txn_end(dom0, b, true), -XEN_EAGAIN,
		     "read a changed node");
	a = txn_start(dom0);
	cr_expect_str_eq(rd(dom0, a, "/absent"), "ENOENT");
	wr(dom0, 0, "/absent", "now");
	cr_expect_eq(txn_end(dom0, a, true), -XEN_EAGAIN,
		     "a node it missed appeared");
	a = txn_start(dom0);
	rd(dom0, a, "/n");
	wr(dom0, 0, "/elsewhere", "1");
	cr_expect_eq(txn_end(dom0, a, true), 3,
		     "unrelated changes do not conflict");
}

Test(xenstore, quotas)
{
	char path[64];
	long r = 0;
	int i;

	give_home(1);
	for (i = 0; i < XSD_QUOTA_NODES + 5 && r >= 0; i++) {
		snprintf(path, sizeof(path), "n%d", i);
		r = wr(dom1, 0, path, "x");
	}
	cr_expect_eq(r, -XEN_ENOSPC, "node quota");
	cr_expect_eq(i - 1, XSD_QUOTA_NODES - 1, "the home dir counts as one");
	for (i = 0, r = 0; i < XSD_QUOTA_WATCHES + 5 && r >= 0; i++) {
		snprintf(path, sizeof(path), "%d", i);
		r = two(dom1, XS_WATCH, "/local/domain/1", path);
	}
	cr_expect_eq(r, -XEN_E2BIG, "watch quota");
	cr_expect_eq(i - 1, XSD_QUOTA_WATCHES);
	for (i = 0, r = 1; i < XSD_QUOTA_TXNS + 5 && r >= 0; i++)
		r = send(dom1, XS_TRANSACTION_START, 0, "", 1);
	cr_expect_eq(r, -XEN_ENOSPC, "transaction quota");
	cr_expect_eq(i - 1, XSD_QUOTA_TXNS);
	{
		static char big[XSD_VALUE_MAX + 2];

		memset(big, 'v', sizeof(big) - 1);
		cr_expect_eq(wr(dom0, 0, "/big", big), -XEN_E2BIG,
			     "value size");
	}
	xsd_conn_close(dom1);
	dom1 = xsd_conn_open(1);
	cr_expect_eq(send(dom1, XS_TRANSACTION_START, 0, "", 1) > 0, 1,
		     "a new connection starts afresh");
}

/* The xs.h client's side: a direct call, a clock that moves 1 ms a look. */
long xs_transport_init(void)
{
	return client ? 0 : -XEN_ENOENT;
}

long xs_transport(const struct xs_msg *req, struct xs_msg *out)
{
	xsd_request(client, (const struct xsd_msg *)req, (struct xsd_msg *)out);
	return 0;
}

static uint64_t fake_ns;
uint64_t pv_time_ns(void); /* guests/lib/pv.h's */

uint64_t pv_time_ns(void)
{
	return fake_ns += 1000000;
}

void xs_wait_event(uint64_t deadline_ns)
{
}

static void client_setup(void)
{
	char path[64], tok[16];

	setup();
	give_home(1);
	client = dom1;
	cr_assert_eq(xs_init(), 0);
	while (xs_watch_pop(path, sizeof(path), tok, sizeof(tok)))
		;
}

TestSuite(xs_client, .init = client_setup);

Test(xs_client, read_write_directory)
{
	char buf[16];
	long v = 0;

	cr_expect_eq(xs_write(0, "data/x", "hello"), 0);
	cr_expect_eq(xs_read(0, "data/x", buf, sizeof(buf)), 5);
	cr_expect_str_eq(buf, "hello");
	cr_expect_eq(xs_read(0, "data/x", buf, 5), -XEN_E2BIG,
		     "no room for the NUL");
	cr_expect_eq(xs_read(0, "/local/domain/2", buf, sizeof(buf)),
		     -XEN_ENOENT);
	cr_expect_eq(xs_printf(0, "data/n", "%d", -42), 0);
	cr_expect_eq(xs_read_int(0, "data/n", &v), 0);
	cr_expect_eq(v, -42);
	cr_expect_eq(xs_read_int(0, "data/x", &v), -XEN_EINVAL, "not a number");
	cr_expect_eq(xs_directory(0, "data", buf, sizeof(buf)), 2);
	cr_expect_eq(xs_mkdir(0, "data/d"), 0);
	cr_expect_eq(xs_rm(0, "data/d"), 0);
	cr_expect_eq(xs_get_domain_path(7, buf, sizeof(buf)), 15);
	cr_expect_str_eq(buf, "/local/domain/7");
	cr_expect_eq(xs_write(0, "/local/domain/0/x", "y"), -XEN_EACCES);
}

Test(xs_client, perms_and_transactions)
{
	char buf[16];
	xs_txn_t a, b;

	cr_expect_eq(xs_write(0, "data/p", "1"), 0);
	cr_expect_eq(xs_set_perms(0, "data/p", "n1\0r2\0"), 0);
	cr_expect_eq(op1(dom0, XS_GET_PERMS, 0, "/local/domain/1/data/p"), 6);
	cr_expect(memcmp(rep.body, "n1\0r2\0", 6) == 0);
	cr_expect_eq(xs_transaction_start(&a), 0);
	cr_expect_eq(xs_transaction_start(&b), 0);
	cr_expect_neq(a, b);
	cr_expect_eq(xs_read(a, "data/p", buf, sizeof(buf)), 1);
	cr_expect_eq(xs_read(b, "data/p", buf, sizeof(buf)), 1);
	cr_expect_eq(xs_write(a, "data/p", "2"), 0);
	cr_expect_eq(xs_write(b, "data/p", "3"), 0);
	cr_expect_eq(xs_transaction_end(a, false), 0);
	cr_expect_eq(xs_transaction_end(b, false), -XEN_EAGAIN);
	cr_expect_eq(xs_read(0, "data/p", buf, sizeof(buf)), 1);
	cr_expect_str_eq(buf, "2");
}

Test(xs_client, watch_take_leaves_other_tokens)
{
	char path[64], tok[16];

	cr_expect_eq(xs_watch("data/a", "A"), 0);
	cr_expect_eq(xs_watch("data/b", "B"), 0);
	xs_write(0, "data/a", "1");
	cr_expect(xs_watch_take("B", path, sizeof(path)), "B's registration");
	cr_expect_str_eq(path, "data/b");
	cr_expect(!xs_watch_take("B", path, sizeof(path)));
	cr_expect(xs_watch_pop(path, sizeof(path), tok, sizeof(tok)));
	cr_expect_str_eq(tok, "A");
	cr_expect(xs_watch_pop(path, sizeof(path), tok, sizeof(tok)));
	cr_expect_str_eq(tok, "A");
	cr_expect_str_eq(path, "data/a");
	cr_expect(!xs_watch_pop(path, sizeof(path), tok, sizeof(tok)));
}

Test(xs_client, xenbus_states)
{
	cr_expect_eq(xenbus_read_state("data/dev"), -XEN_ENOENT);
	cr_expect_eq(xenbus_switch_state("data/dev", XenbusStateInitWait), 0);
	cr_expect_eq(xenbus_read_state("data/dev"), XenbusStateInitWait);
	cr_expect_eq(xenbus_wait_state("data/dev", XenbusStateInitWait,
				       1000000),
		     XenbusStateInitWait);
	cr_expect_eq(xenbus_wait_state("data/dev", XenbusStateConnected,
				       50000000),
		     -XEN_ETIME, "nobody connects: the deadline passes");
	cr_expect_eq(count_events(dom1, "xenbus_wait"), 0,
		     "and the watch is gone");
	cr_expect_eq(op1(dom0, XS_DIRECTORY, 0, "/local/domain/1"), 5);
}
