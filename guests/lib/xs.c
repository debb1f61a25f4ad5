/*
 * xs.c - the xenstore client's requests (lab 7): each call builds one
 * xs_wire.h message, the transport carries it and waits for the reply,
 * and an XS_ERROR reply becomes -XEN_E*.  Watch events arriving among
 * replies wait in a queue for xs_watch_pop.
 */
#include <guests/lib/xs.h>
#include <guests/lib/pv.h>
#include <inc/string.h>
#include <inc/stdio.h>
#include <stdarg.h>

#define XS_EVENTS 32

static struct {
	char path[128], token[64];
} xs_events[XS_EVENTS];
static unsigned xs_ev_head, xs_ev_tail; /* free-running */
static struct xs_msg xs_req, xs_rep;
static uint32_t xs_req_id;

void xs_queue_event(const char *path, const char *token)
{
	static bool told;

	if (xs_ev_tail - xs_ev_head == XS_EVENTS) {
		if (!told)
			printf("xs: watch events dropped (queue full)\n");
		told = true;
		return;
	}
	strlcpy(xs_events[xs_ev_tail % XS_EVENTS].path, path, 128);
	strlcpy(xs_events[xs_ev_tail % XS_EVENTS].token, token, 64);
	xs_ev_tail++;
}

unsigned xs_events_count(void)
{
	return xs_ev_tail;
}

bool xs_watch_pop(char *path, size_t plen, char *token, size_t tlen)
{
	if (xs_ev_head == xs_ev_tail)
		return false;
	strlcpy(path, xs_events[xs_ev_head % XS_EVENTS].path, plen);
	strlcpy(token, xs_events[xs_ev_head % XS_EVENTS].token, tlen);
	xs_ev_head++;
	return true;
}

bool xs_watch_take(const char *token, char *path, size_t plen)
{
	for (unsigned i = xs_ev_head; i != xs_ev_tail; i++) {
		if (strcmp(xs_events[i % XS_EVENTS].token, token) != 0)
			continue;
		strlcpy(path, xs_events[i % XS_EVENTS].path, plen);
		/* Closes the gap: the events before it move up one. */
		for (; i != xs_ev_head; i--)
			xs_events[i % XS_EVENTS] =
				xs_events[(i - 1) % XS_EVENTS];
		xs_ev_head++;
		return true;
	}
	return false;
}

/* A request's result without its length: 0 or -XEN_E*. */
static long xs_ok(long r)
{
	return r < 0 ? r : 0;
}

long xs_init(void)
{
	return xs_transport_init();
}

/* -XEN_E* for a reply's error name. */
static long xs_errnum(const char *name)
{
	static const struct xsd_errors errs[] = XSD_ERRORS_INIT;

	for (size_t i = 0; i < ARRAY_SIZE(errs); i++)
		if (strcmp(errs[i].errstring, name) == 0)
			return -errs[i].errnum;
	return -XEN_EINVAL;
}

long xs_request(uint32_t type, xs_txn_t t, const void *body, size_t len,
		char *out, size_t outlen)
{
	long r;

	if (len > XENSTORE_PAYLOAD_MAX)
		return -XEN_E2BIG;
	xs_req.h = (struct xsd_sockmsg){ .type = type,
					 .req_id = ++xs_req_id,
					 .tx_id = t,
					 .len = (uint32_t)len };
	memcpy(xs_req.body, body, len);
	r = xs_transport(&xs_req, &xs_rep);
	if (r < 0)
		return r;
	if (xs_rep.h.type == XS_ERROR) {
		xs_rep.body[MIN(xs_rep.h.len, XENSTORE_PAYLOAD_MAX - 1)] = '\0';
		return xs_errnum(xs_rep.body);
	}
	if (xs_rep.h.len > outlen)
		return -XEN_E2BIG;
	memcpy(out, xs_rep.body, xs_rep.h.len);
	return xs_rep.h.len;
}

/* A request of up to two strings, each sent with its NUL. */
static long xs_req2(uint32_t type, xs_txn_t t, const char *a, const char *b,
		    char *out, size_t outlen)
{
	static char body[XENSTORE_PAYLOAD_MAX];
	size_t la = strlen(a) + 1, lb = b ? strlen(b) + 1 : 0;
	char ok[8];

	if (la + lb > sizeof(body))
		return -XEN_E2BIG;
	memcpy(body, a, la);
	if (b)
		memcpy(body + la, b, lb);
	return xs_request(type, t, body, la + lb, out ? out : ok,
			  out ? outlen : sizeof(ok));
}

long xs_read(xs_txn_t t, const char *path, char *buf, size_t len)
{
	long r = len ? xs_req2(XS_READ, t, path, NULL, buf, len - 1) :
		       -XEN_E2BIG;

	if (r >= 0)
		buf[r] = '\0';
	return r;
}

long xs_read_int(xs_txn_t t, const char *path, long *val)
{
	char buf[24], *p = buf;
	long r = xs_read(t, path, buf, sizeof(buf)), v = 0;
	bool neg = *p == '-';

	if (r < 0)
		return r;
	p += neg;
	if (!*p)
		return -XEN_EINVAL;
	for (; *p >= '0' && *p <= '9'; p++)
		v = v * 10 + (*p - '0');
	if (*p)
		return -XEN_EINVAL;
	*val = neg ? -v : v;
	return 0;
}

long xs_write(xs_txn_t t, const char *path, const char *value)
{
	static char body[XENSTORE_PAYLOAD_MAX];
	size_t lp = strlen(path) + 1, lv = strlen(value);
	char ok[8];

	if (lp + lv > sizeof(body))
		return -XEN_E2BIG;
	memcpy(body, path, lp);
	memcpy(body + lp, value, lv);
	return xs_ok(xs_request(XS_WRITE, t, body, lp + lv, ok, sizeof(ok)));
}

long xs_printf(xs_txn_t t, const char *path, const char *fmt, ...)
{
	char value[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(value, sizeof(value), fmt, ap);
	va_end(ap);
	return xs_write(t, path, value);
}

long xs_mkdir(xs_txn_t t, const char *path)
{
	return xs_ok(xs_req2(XS_MKDIR, t, path, NULL, NULL, 0));
}

long xs_rm(xs_txn_t t, const char *path)
{
	return xs_ok(xs_req2(XS_RM, t, path, NULL, NULL, 0));
}

long xs_directory(xs_txn_t t, const char *path, char *buf, size_t len)
{
	long r = xs_req2(XS_DIRECTORY, t, path, NULL, buf, len), n = 0;

	for (long i = 0; i < r; i++)
		n += buf[i] == '\0';
	return r < 0 ? r : n;
}

long xs_watch(const char *path, const char *token)
{
	return xs_ok(xs_req2(XS_WATCH, 0, path, token, NULL, 0));
}

long xs_unwatch(const char *path, const char *token)
{
	return xs_ok(xs_req2(XS_UNWATCH, 0, path, token, NULL, 0));
}

long xs_transaction_start(xs_txn_t *t)
{
	char id[16];
	long r = xs_req2(XS_TRANSACTION_START, 0, "", NULL, id, sizeof(id) - 1);
	uint32_t v = 0;

	if (r < 0)
		return r;
	id[r] = '\0';
	for (const char *p = id; *p >= '0' && *p <= '9'; p++)
		v = v * 10 + (uint32_t)(*p - '0');
	*t = v;
	return v ? 0 : -XEN_EINVAL;
}

long xs_transaction_end(xs_txn_t t, bool abort)
{
	return xs_ok(xs_req2(XS_TRANSACTION_END, t, abort ? "F" : "T", NULL,
			     NULL, 0));
}

long xs_set_perms(xs_txn_t t, const char *path, const char *perms)
{
	static char body[XENSTORE_PAYLOAD_MAX];
	size_t len = strlen(path) + 1;
	char ok[8];

	memcpy(body, path, len);
	for (const char *p = perms; *p; p += strlen(p) + 1) {
		if (len + strlen(p) + 1 > sizeof(body))
			return -XEN_E2BIG;
		memcpy(body + len, p, strlen(p) + 1);
		len += strlen(p) + 1;
	}
	return xs_ok(xs_request(XS_SET_PERMS, t, body, len, ok, sizeof(ok)));
}

long xs_get_domain_path(domid_t dom, char *buf, size_t len)
{
	char id[8];
	long r;

	snprintf(id, sizeof(id), "%u", dom);
	/* The reply carries its NUL; one is added in case it did not. */
	r = len ? xs_req2(XS_GET_DOMAIN_PATH, 0, id, NULL, buf, len) :
		  -XEN_E2BIG;
	if (r >= 0)
		buf[MIN((size_t)r, len - 1)] = '\0';
	return r < 0 ? r : (long)strlen(buf);
}

long xenbus_switch_state(const char *dir, enum xenbus_state s)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/state", dir);
	return xs_printf(0, path, "%d", (int)s);
}

long xenbus_read_state(const char *dir)
{
	char path[128];
	long v, r;

	snprintf(path, sizeof(path), "%s/state", dir);
	r = xs_read_int(0, path, &v);
	return r < 0 ? r : v;
}

long xenbus_wait_state(const char *dir, enum xenbus_state want,
		       uint64_t timeout_ns)
{
	uint64_t deadline = pv_time_ns() + timeout_ns;
	char path[128], ev[128];
	long r, s;

	snprintf(path, sizeof(path), "%s/state", dir);
	r = xs_watch(path, "xenbus_wait");
	if (r < 0)
		return r;
	for (;;) {
		while (xs_watch_take("xenbus_wait", ev, sizeof(ev)))
			;
		s = xenbus_read_state(dir);
		if (s == (long)want || pv_time_ns() >= deadline)
			break;
		xs_wait_event(deadline);
	}
	xs_unwatch(path, "xenbus_wait");
	return s == (long)want ? s : -XEN_ETIME;
}
