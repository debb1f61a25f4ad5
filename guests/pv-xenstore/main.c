/*
 * pv-xenstore - a domU's view of xenstore (lab 7), in either pv
 * container, over the ring dom0's toolstack introduced: its own
 * /local/domain/N (name, domid), writes, reads and removals in its data/
 * dir, EACCES where its permissions end (another domain's dir, its own
 * read-only keys, the backend's half of a device), a watch fired once at
 * registration and once per change (counted exactly), two transactions
 * racing on a counter with the loser retried (the final value is the
 * number of increments), and the quotas refusing with Xen's errors.
 *
 * extra: name=NAME (the config's, to compare), rounds=N (increments).
 */
#include <guests/lib/pv.h>
#include <guests/lib/xs.h>

#define MS 1000000ULL

static char buf[XENSTORE_PAYLOAD_MAX];
static char home[64];

static void test_home(void)
{
	char want[32];
	long domid = pv_domid(), v = -1, r;

	snprintf(want, sizeof(want), "/local/domain/%ld", domid);
	report(xs_get_domain_path((domid_t)domid, home, sizeof(home)) > 0 &&
		       strcmp(home, want) == 0,
	       "get_domain_path: %s", home);
	r = xs_read_int(0, "domid", &v);
	report(r == 0 && v == domid, "domid key %ld is the domain's own id %ld",
	       v, domid);
	cmdline_get("name", want, sizeof(want));
	report(xs_read(0, "name", buf, sizeof(buf)) > 0 &&
		       strcmp(buf, want) == 0,
	       "name key \"%s\", want \"%s\"", buf, want);
	report(xs_read(0, "/local/domain/0/name", buf, sizeof(buf)) ==
		       -XEN_EACCES,
	       "dom0's dir: EACCES");
	report(xs_write(0, "name", "evil") == -XEN_EACCES,
	       "its own name is read-only: EACCES");
	report(xs_write(0, "/tool/x", "evil") == -XEN_EACCES,
	       "dom0's /tool: EACCES");
}

static void test_rw(void)
{
	long r = xs_write(0, "data/a/b", "hello");
	long n;

	report(r == 0, "write data/a/b: %ld", r);
	report(xs_read(0, "data/a/b", buf, sizeof(buf)) == 5 &&
		       strcmp(buf, "hello") == 0,
	       "read it back");
	report(xs_printf(0, "data/a/c", "%d", 42) == 0, "printf data/a/c");
	n = xs_directory(0, "data/a", buf, sizeof(buf));
	report_eq(n, 2, "directory data/a");
	report(xs_rm(0, "data/a") == 0, "rm data/a");
	report_eq(xs_read(0, "data/a/b", buf, sizeof(buf)), -XEN_ENOENT,
		  "read after rm");
	report_eq(xs_read(0, "data/a//b", buf, sizeof(buf)), -XEN_EINVAL,
		  "a bad path");
}

/* Reads dir/key into buf; whether it is want. */
static bool key_is(const char *dir, const char *key, const char *want)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/%s", dir, key);
	return xs_read(0, path, buf, sizeof(buf)) >= 0 &&
	       strcmp(buf, want) == 0;
}

/* The toolstack's keys for the first disk, as Xen's xl writes them, and
 * the backend's half: readable, not writable. */
static void test_backend(void)
{
	char fe[64], be[128], path[160], id[16];
	long n = xs_directory(0, "device/vbd", buf, sizeof(buf));

	if (n <= 0) {
		report_skip("no disk line: backend permissions");
		return;
	}
	strlcpy(id, buf, sizeof(id));
	snprintf(fe, sizeof(fe), "device/vbd/%s", id);
	report(strcmp(id, "51712") == 0 &&
		       key_is(fe, "virtual-device", "51712") &&
		       key_is(fe, "device-type", "disk") &&
		       key_is(fe, "backend-id", "0"),
	       "frontend keys of xvda (virtual-device 51712)");
	snprintf(path, sizeof(path), "%s/backend", fe);
	report(xs_read(0, path, be, sizeof(be)) > 0, "backend: %s", be);
	report(key_is(be, "frontend-id", home + strlen("/local/domain/")) &&
		       key_is(be, "mode", "r") && key_is(be, "dev", "xvda"),
	       "backend dir readable by the frontend");
	snprintf(path, sizeof(path), "%s/frontend-id", be);
	report_eq(xs_write(0, path, "0"), -XEN_EACCES,
		  "backend dir write: EACCES");
	snprintf(path, sizeof(path), "%s/evil", be);
	report_eq(xs_write(0, path, "0"), -XEN_EACCES,
		  "backend dir create: EACCES");
}

/* Events with token tok that arrive within ms. */
static int count_events(const char *tok, unsigned ms)
{
	uint64_t deadline = pv_time_ns() + ms * MS;
	char path[64];
	int n = 0;

	while (pv_time_ns() < deadline) {
		while (xs_watch_take(tok, path, sizeof(path)))
			n++;
		xs_wait_event(deadline);
	}
	while (xs_watch_take(tok, path, sizeof(path)))
		n++;
	return n;
}

static void test_watch(void)
{
	xs_write(0, "data/w", "0");
	report(xs_watch("data/w", "w") == 0, "watch data/w");
	report_eq(count_events("w", 100), 1, "fires once at registration");
	xs_write(0, "data/w", "1");
	xs_write(0, "data/w", "2");
	xs_write(0, "data/w/sub", "3");
	xs_write(0, "data/other", "4");
	xs_rm(0, "data/w/sub");
	report_eq(count_events("w", 200), 4,
		  "then once per change at or below");
	report(xs_unwatch("data/w", "w") == 0, "unwatch");
	xs_write(0, "data/w", "5");
	report_eq(count_events("w", 100), 0, "none after unwatch");
	report_eq(xs_unwatch("data/w", "w"), -XEN_ENOENT, "unwatch again");
}

/* Adds 1 to data/counter in t; 0 or -XEN_E*. */
static long increment(xs_txn_t t)
{
	long v;
	long r = xs_read_int(t, "data/counter", &v);

	return r < 0 ? r : xs_printf(t, "data/counter", "%ld", v + 1);
}

/* Two transactions interleaved on one counter, rounds times: the
 * second always conflicts and runs again. */
static void test_transactions(void)
{
	unsigned rounds = (unsigned)cmdline_u64("rounds", 10), retries = 0;
	long v = -1;
	bool ok = true;

	xs_write(0, "data/counter", "0");
	for (unsigned i = 0; i < rounds && ok; i++) {
		xs_txn_t a, b;
		long r;

		ok = xs_transaction_start(&a) == 0 &&
		     xs_transaction_start(&b) == 0 && increment(a) == 0 &&
		     increment(b) == 0 && xs_transaction_end(a, false) == 0;
		r = ok ? xs_transaction_end(b, false) : -1;
		while (ok && r == -XEN_EAGAIN) {
			retries++;
			ok = xs_transaction_start(&b) == 0 && increment(b) == 0;
			r = ok ? xs_transaction_end(b, false) : -1;
		}
		ok &= r == 0;
	}
	report(ok, "%u rounds of two racing transactions", rounds);
	report_eq(retries, rounds, "the loser retried once a round (EAGAIN)");
	ok = xs_read_int(0, "data/counter", &v) == 0;
	report(ok && v == 2 * rounds, "counter %ld = the %u increments", v,
	       2 * rounds);
}

static void test_quotas(void)
{
	char path[32];
	long r = 0;
	unsigned i;
	xs_txn_t t[16];

	for (i = 0; i < 1000 && r == 0; i++) {
		snprintf(path, sizeof(path), "data/q/%u", i);
		r = xs_write(0, path, "x");
	}
	/* The daemon's quota (labs/lab7.md): 200 nodes, some already the
	 * domain's; a full store would say ENOSPC too, but later. */
	report(r == -XEN_ENOSPC && i - 1 < 200,
	       "node quota: ENOSPC after %u nodes (%ld)", i - 1, r);
	report(xs_rm(0, "data/q") == 0 && xs_write(0, "data/q1", "x") == 0,
	       "nodes freed by rm count again");
	for (i = 0, r = 0; i < 1000 && r == 0; i++) {
		snprintf(path, sizeof(path), "t%u", i);
		r = xs_watch("data", path);
	}
	report(r == -XEN_E2BIG, "watch quota: E2BIG after %u watches (%ld)",
	       i - 1, r);
	for (i = 0, r = 0; i < 16 && r == 0; i++)
		r = xs_transaction_start(&t[i]);
	report(r == -XEN_ENOSPC, "transaction quota: ENOSPC after %u (%ld)",
	       i - 1, r);
	while (--i > 0)
		xs_transaction_end(t[i - 1], true);
	memset(buf, 'v', 4000);
	buf[4000] = '\0';
	report_eq(xs_write(0, "data/big", buf), -XEN_E2BIG,
		  "a 4000-byte value");
	count_events("t0", 50);
}

void main(void)
{
	long r = xs_init();

	printf("pv-xenstore: %s container\n", pv_in_te() ? "te" : "hvm");
	if (!report(r == 0, "xs_init: %ld", r))
		return;
	test_home();
	test_rw();
	test_backend();
	test_watch();
	test_transactions();
	test_quotas();
}
