/*
 * toolstack.c - what xl does with xenstore (lab 7), after Xen's libxl:
 * a new domain is introduced to xenstored with the ring page and event
 * channel the domain builder gave it (HVM_PARAM_STORE_PFN / _EVTCHN),
 * gets /local/domain/N with Xen's keys and permissions, and for each
 * disk and vif line the frontend directory device/TYPE/DEVID (the
 * domain's, readable by the backend) and the backend directory
 * /local/domain/B/backend/TYPE/N/DEVID (the backend's, readable by the
 * domain); then it runs.  When a domain ends (VIRQ_DOM_EXC) it is
 * released and its directories removed, and one whose config says
 * on_crash = "restart" is destroyed and created again.  Also the
 * xenstore-ls / -read / -write / -rm commands.
 */
#include "dom0.h"
#include "xenstored.h"
#include <guests/lib/xs.h>
#include <guests/lib/pv.h>
#include <stdarg.h>

#define TS_DOMAINS	   32
#define TS_RETRIES	   8 /* transactions run again on EAGAIN */
#define TS_RESTART_MAX	   3
#define TS_RESTART_FAST_NS 1000000000ULL

/* The domains xl created. */
static struct ts_domain {
	bool used, in_store;
	domid_t domid;
	uint32_t on_crash;
	unsigned restarts;   /* in a row, each soon after its start */
	uint64_t started_ns; /* when xl created it */
	char config[64];
} ts_domains[TS_DOMAINS];
static volatile int ts_dom_exc; /* VIRQ_DOM_EXC since the last poll */

static void ts_on_dom_exc(evtchn_port_t port, void *arg)
{
	ts_dom_exc = 1;
	dom0_kick(port, arg);
}

long toolstack_init(void)
{
	long r;

	xsd_init();
	r = xs_init();
	if (r == 0)
		r = evtchn_bind_virq(VIRQ_DOM_EXC, 0, ts_on_dom_exc, NULL);
	if (r < 0)
		return r;
	xs_write(0, "/local/domain/0/name", "Domain-0");
	xs_write(0, "/local/domain/0/domid", "0");
	return 0;
}

/* A decimal number's value, or -1. */
static long ts_num(const char *s)
{
	long v = 0;

	if (!*s)
		return -1;
	for (; *s >= '0' && *s <= '9' && v < 1000000; s++)
		v = v * 10 + (*s - '0');
	return *s ? -1 : v;
}

static struct ts_domain *ts_find(domid_t domid)
{
	for (int i = 0; i < TS_DOMAINS; i++)
		if (ts_domains[i].used && ts_domains[i].domid == domid)
			return &ts_domains[i];
	return NULL;
}

/* HVMOP_get_param of another domain (dom0's privilege). */
static long ts_get_param(domid_t domid, uint32_t index, uint64_t *value)
{
	struct xen_hvm_param p = { .domid = domid, .index = index };
	long r = HYPERVISOR_hvm_op(HVMOP_get_param, &p);

	*value = p.value;
	return r;
}

/* printf into a path buffer; the buffer. */
static const char *ts_path(char *buf, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, XSD_PATH_MAX, fmt, ap);
	va_end(ap);
	return buf;
}

/* Writes dir/key = value in t. */
static long ts_key(xs_txn_t t, const char *dir, const char *key,
		   const char *value)
{
	char path[XSD_PATH_MAX];

	return xs_write(t, ts_path(path, "%s/%s", dir, key), value);
}

/* Makes dir in t, owned by owner and readable by reader (none if it is
 * the owner). */
static long ts_dir(xs_txn_t t, const char *dir, domid_t owner, domid_t reader)
{
	char perms[24];
	int n = snprintf(perms, sizeof(perms), "n%u", owner) + 1;
	long r = xs_mkdir(t, dir);

	if (reader != owner)
		n += snprintf(perms + n, sizeof(perms) - (size_t)n, "r%u",
			      reader) +
		     1;
	perms[n] = '\0';
	return r < 0 ? r : xs_set_perms(t, dir, perms);
}

/* /local/domain/N and its keys, as libxl writes them: the dir is dom0's
 * and readable by N; data, drivers, feature, attr, error,
 * control/shutdown and the control/feature-* keys where Linux says what
 * it handles are N's. */
static long ts_domain_keys(xs_txn_t t, domid_t domid, const char *name)
{
	static const char *const rw[] = {
		"data",
		"drivers",
		"feature",
		"attr",
		"error",
		"control/shutdown",
		"control/feature-poweroff",
		"control/feature-reboot",
	};
	char dir[32], path[XSD_PATH_MAX], num[8];
	long r;

	ts_path(dir, "/local/domain/%u", domid);
	snprintf(num, sizeof(num), "%u", domid);
	r = ts_dir(t, dir, 0, domid);
	if (r == 0)
		r = ts_key(t, dir, "name", name);
	if (r == 0)
		r = ts_key(t, dir, "domid", num);
	if (r == 0)
		r = ts_key(t, dir, "vm", ts_path(path, "/vm/%u", domid));
	if (r == 0)
		r = ts_key(t, path, "name", name);
	for (size_t i = 0; i < ARRAY_SIZE(rw) && r == 0; i++)
		r = ts_dir(t, ts_path(path, "%s/%s", dir, rw[i]), domid, domid);
	return r;
}

/* Runs fn(t, arg) in a transaction, again while it conflicts; 0 or
 * -XEN_E*. */
static long ts_txn(long (*fn)(xs_txn_t, const void *), const void *arg)
{
	xs_txn_t t;
	long r = -XEN_EAGAIN;

	for (int i = 0; i < TS_RETRIES && r == -XEN_EAGAIN; i++) {
		r = xs_transaction_start(&t);
		if (r < 0)
			return r;
		r = fn(t, arg);
		if (r < 0) {
			xs_transaction_end(t, true);
			return r;
		}
		r = xs_transaction_end(t, false);
	}
	return r;
}

/* One device of a domain being set up. */
struct ts_dev {
	domid_t domid;
	unsigned devid;
	const struct xen_domctl_getdevice *d;
};

/* The virtual-device number of a disk's vdev: xvdX and sdX as Xen
 * numbers them (202 << 8 | disk << 4, 8 << 8 | disk << 4); -1 if bad. */
static long ts_vdev(const char *vdev)
{
	int major = strncmp(vdev, "xvd", 3) == 0 ? 202 :
		    strncmp(vdev, "sd", 2) == 0	 ? 8 :
						   -1;
	const char *p = vdev + (major == 202 ? 3 : 2);

	if (major < 0 || p[0] < 'a' || p[0] > 'p' || p[1])
		return -1;
	return major << 8 | (p[0] - 'a') << 4;
}

/* The frontend and backend directories of a device, in t. */
static long ts_dev_dirs(xs_txn_t t, const struct ts_dev *v, const char *type,
			char *fe, char *be)
{
	char num[16];
	domid_t b = v->d->backend;
	long r;

	ts_path(fe, "/local/domain/%u/device/%s/%u", v->domid, type, v->devid);
	ts_path(be, "/local/domain/%u/backend/%s/%u/%u", b, type, v->domid,
		v->devid);
	r = ts_dir(t, fe, v->domid, b);
	if (r == 0)
		r = ts_dir(t, be, b, v->domid);
	if (r == 0)
		r = ts_key(t, fe, "backend", be);
	snprintf(num, sizeof(num), "%u", b);
	if (r == 0)
		r = ts_key(t, fe, "backend-id", num);
	if (r == 0)
		r = ts_key(t, be, "frontend", fe);
	snprintf(num, sizeof(num), "%u", v->domid);
	if (r == 0)
		r = ts_key(t, be, "frontend-id", num);
	for (const char *const *k =
		     (const char *const[]){ "online", "1", "state", "1", NULL };
	     *k && r == 0; k += 2)
		r = ts_key(t, be, k[0], k[1]);
	if (r == 0)
		r = ts_key(t, fe, "state", "1");
	return r;
}

static long ts_vbd(xs_txn_t t, const void *arg)
{
	const struct ts_dev *v = arg;
	char fe[XSD_PATH_MAX], be[XSD_PATH_MAX], num[16];
	long r = ts_dev_dirs(t, v, "vbd", fe, be);

	snprintf(num, sizeof(num), "%u", v->devid);
	for (const char *const *k =
		     (const char *const[]){ "virtual-device", num,
					    "device-type", "disk", NULL };
	     *k && r == 0; k += 2)
		r = ts_key(t, fe, k[0], k[1]);
	for (const char *const *k =
		     (const char *const[]){ "params", v->d->target, "mode",
					    v->d->writable ? "w" : "r", "dev",
					    v->d->vdev, "type", "file",
					    "device-type", "disk", "removable",
					    "0", "bootable", "1", NULL };
	     *k && r == 0; k += 2)
		r = ts_key(t, be, k[0], k[1]);
	return r;
}

static long ts_vif(xs_txn_t t, const void *arg)
{
	const struct ts_dev *v = arg;
	const uint8_t *m = v->d->mac;
	char fe[XSD_PATH_MAX], be[XSD_PATH_MAX], num[16], mac[20];
	long r = ts_dev_dirs(t, v, "vif", fe, be);

	snprintf(num, sizeof(num), "%u", v->devid);
	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1],
		 m[2], m[3], m[4], m[5]);
	for (const char *const *k =
		     (const char *const[]){ "handle", num, "mac", mac, NULL };
	     *k && r == 0; k += 2)
		r = ts_key(t, fe, k[0], k[1]);
	for (const char *const *k =
		     (const char *const[]){ "handle", num, "mac", mac, "bridge",
					    v->d->bridge, "type", "vif", NULL };
	     *k && r == 0; k += 2)
		r = ts_key(t, be, k[0], k[1]);
	return r;
}

/*
 * The domain already using disk image target from backend b, or -1: a
 * disk is shared only read-only (Xen's xl refuses a writable disk that
 * another domain has, and any disk another has writable).
 */
static long ts_disk_user(domid_t b, const char *target, bool writable)
{
	static char doms[512], devs[512];
	char path[XSD_PATH_MAX], val[64];
	long nd = xs_directory(0,
			       ts_path(path, "/local/domain/%u/backend/vbd", b),
			       doms, sizeof(doms));

	for (const char *d = doms; nd > 0; nd--, d += strlen(d) + 1) {
		long nv = xs_directory(
			0,
			ts_path(path, "/local/domain/%u/backend/vbd/%s", b, d),
			devs, sizeof(devs));

		for (const char *v = devs; nv > 0; nv--, v += strlen(v) + 1) {
			ts_path(path,
				"/local/domain/%u/backend/vbd/%s/%s/params", b,
				d, v);
			if (xs_read(0, path, val, sizeof(val)) < 0 ||
			    strcmp(val, target) != 0)
				continue;
			ts_path(path, "/local/domain/%u/backend/vbd/%s/%s/mode",
				b, d, v);
			if (writable ||
			    (xs_read(0, path, val, sizeof(val)) >= 0 &&
			     strcmp(val, "w") == 0))
				return ts_num(d);
		}
	}
	return -1;
}

/* Writes the directories of domid's disk and vif lines; 0 or 1 (the
 * error printed). */
static int ts_devices(domid_t domid)
{
	struct xen_domctl op = { .cmd = XEN_DOMCTL_getdevice, .domain = domid };
	struct xen_domctl_getdevice *d = &op.u.getdevice;
	unsigned nvif = 0;
	long r, user;

	for (uint32_t i = 0;; i++) {
		struct ts_dev v = { .domid = domid, .d = d };

		op.u.getdevice = (struct xen_domctl_getdevice){ .index = i };
		r = dom0_domctl(&op);
		/* ENOSYS: a hypervisor without device lists has none. */
		if (r == -XEN_ENOENT || r == -XEN_ENOSYS)
			return 0;
		if (r == 0 && d->type == XEN_DEVICE_disk) {
			d->target[sizeof(d->target) - 1] = '\0';
			d->vdev[sizeof(d->vdev) - 1] = '\0';
			r = ts_vdev(d->vdev);
			user = ts_disk_user(d->backend, d->target, d->writable);
			if (r < 0) {
				printf("xl create: disk %s: vdev \"%s\" is not "
				       "xvdX or sdX\n",
				       d->target, d->vdev);
				return 1;
			}
			if (user >= 0) {
				printf("xl create: disk %s is in use by domain "
				       "%ld, and one of them would write it\n",
				       d->target, user);
				return 1;
			}
			v.devid = (unsigned)r;
			r = ts_txn(ts_vbd, &v);
		} else if (r == 0) {
			d->bridge[sizeof(d->bridge) - 1] = '\0';
			if (!d->has_mac)
				memcpy(d->mac,
				       (uint8_t[]){ 0x00, 0x16, 0x3e, 0,
						    (uint8_t)domid,
						    (uint8_t)nvif },
				       6);
			v.devid = nvif++;
			r = ts_txn(ts_vif, &v);
		}
		if (r < 0) {
			printf("xl create: device %u: %s\n", i, xl_strerror(r));
			return 1;
		}
	}
}

/*
 * Writes again the directories of domid's disks whose backend is domain
 * b: a driver domain that was destroyed took their backend directories
 * with it, and the new one serves them once they are back.
 */
static void ts_reattach(domid_t domid, domid_t b)
{
	struct xen_domctl op = { .cmd = XEN_DOMCTL_getdevice, .domain = domid };
	struct xen_domctl_getdevice *d = &op.u.getdevice;

	for (uint32_t i = 0;; i++) {
		struct ts_dev v = { .domid = domid, .d = d };
		long id;

		op.u.getdevice = (struct xen_domctl_getdevice){ .index = i };
		if (dom0_domctl(&op) < 0)
			return;
		if (d->type != XEN_DEVICE_disk || d->backend != b || b == 0)
			continue;
		d->target[sizeof(d->target) - 1] = '\0';
		d->vdev[sizeof(d->vdev) - 1] = '\0';
		if ((id = ts_vdev(d->vdev)) < 0)
			continue;
		v.devid = (unsigned)id;
		if (ts_txn(ts_vbd, &v) == 0)
			printf("xl: domain %u's %s served by domain %u again\n",
			       domid, d->vdev, b);
	}
}

static long ts_domain_txn(xs_txn_t t, const void *arg)
{
	const struct xen_domctl_getdomaininfo *info = arg;

	return ts_domain_keys(t, info->domain, info->name);
}

/* Introduces domid to xenstored and writes its entries; 0, 1 (the error
 * printed), or -1 when the domain has no store ring (not Xen's ABI). */
static int ts_store(domid_t domid)
{
	struct xen_domctl op = { .cmd = XEN_DOMCTL_getdomaininfo,
				 .domain = domid };
	uint64_t gfn = 0, port = 0;
	char body[48];
	int n;
	long r;

	if (ts_get_param(domid, HVM_PARAM_STORE_PFN, &gfn) < 0 || !gfn ||
	    ts_get_param(domid, HVM_PARAM_STORE_EVTCHN, &port) < 0)
		return -1;
	n = snprintf(body, sizeof(body), "%u%c%llu%c%llu", domid, 0,
		     (unsigned long long)gfn, 0, (unsigned long long)port);
	r = xs_request(XS_INTRODUCE, 0, body, (size_t)n + 1, body,
		       sizeof(body));
	if (r >= 0)
		r = dom0_domctl(&op);
	if (r >= 0)
		r = ts_txn(ts_domain_txn, &op.u.getdomaininfo);
	if (r < 0) {
		printf("xl create: xenstore for domain %u: %s\n", domid,
		       xsd_errname(r));
		return 1;
	}
	return ts_devices(domid);
}

int toolstack_setup(domid_t domid, const char *config, uint32_t on_crash,
		    bool unpause)
{
	struct xen_domctl op = { .cmd = XEN_DOMCTL_unpausedomain,
				 .domain = domid };
	struct ts_domain *d = ts_find(domid);
	int r;

	for (int i = 0; i < TS_DOMAINS && !d; i++)
		if (!ts_domains[i].used)
			d = &ts_domains[i];
	if (d) {
		*d = (struct ts_domain){ .used = true,
					 .domid = domid,
					 .on_crash = on_crash,
					 .started_ns = pv_time_ns() };
		strlcpy(d->config, config, sizeof(d->config));
	}
	r = ts_store(domid);
	if (d)
		d->in_store = r >= 0;
	for (int i = 0; r == 0 && i < TS_DOMAINS; i++)
		if (ts_domains[i].used && ts_domains[i].in_store &&
		    ts_domains[i].domid != domid)
			ts_reattach(ts_domains[i].domid, domid);
	if (r > 0) {
		toolstack_forget(domid);
		op.cmd = XEN_DOMCTL_destroydomain;
		dom0_domctl(&op);
		return 1;
	}
	return unpause && dom0_domctl(&op) < 0;
}

/* Removes dir if it is there. */
static void ts_rm(const char *dir)
{
	long r = xs_rm(0, dir);

	if (r < 0 && r != -XEN_ENOENT)
		printf("dom0: xenstore-rm %s: %s\n", dir, xsd_errname(r));
}

void toolstack_forget(domid_t domid)
{
	static char doms[512];
	struct ts_domain *d = ts_find(domid);
	char path[XSD_PATH_MAX], body[8];
	long n;

	dm_forget(domid);
	if (!d || !d->in_store)
		return;
	snprintf(body, sizeof(body), "%u", domid);
	xs_request(XS_RELEASE, 0, body, strlen(body) + 1, path, sizeof(path));
	ts_rm(ts_path(path, "/local/domain/%u", domid));
	ts_rm(ts_path(path, "/vm/%u", domid));
	n = xs_directory(0, "/local/domain", doms, sizeof(doms));
	for (const char *b = doms; n > 0; n--, b += strlen(b) + 1) {
		ts_rm(ts_path(path, "/local/domain/%s/backend/vbd/%u", b,
			      domid));
		ts_rm(ts_path(path, "/local/domain/%s/backend/vif/%u", b,
			      domid));
	}
	d->in_store = false;
}

/*
 * Destroys crashed domain d and creates it again from its config; one
 * that keeps crashing within TS_RESTART_FAST_NS of its start is left
 * crashed after TS_RESTART_MAX tries, so a crash loop does not spin.
 */
static void ts_restart(struct ts_domain *d)
{
	struct xen_domctl op = { .cmd = XEN_DOMCTL_destroydomain,
				 .domain = d->domid };
	bool fast = pv_time_ns() - d->started_ns < TS_RESTART_FAST_NS;
	unsigned restarts = fast ? d->restarts + 1 : 0;
	domid_t old = d->domid;
	struct ts_domain *n;
	long r;

	toolstack_forget(old);
	if (restarts > TS_RESTART_MAX) {
		printf("xl: domain %u crashed %u times within a second of its "
		       "start; left crashed\n",
		       old, TS_RESTART_MAX + 1);
		d->on_crash = XEN_ONCRASH_preserve;
		return;
	}
	dom0_domctl(&op);
	d->used = false;
	op = (struct xen_domctl){ .cmd = XEN_DOMCTL_createdomain };
	strlcpy(op.u.createdomain.config, d->config,
		sizeof(op.u.createdomain.config));
	r = dom0_domctl(&op);
	if (r < 0) {
		printf("xl: restarting %s: %s\n", d->config, xl_strerror(r));
		return;
	}
	printf("xl: domain %u crashed; restarted as domain %u\n", old,
	       op.domain);
	toolstack_setup(op.domain, op.u.createdomain.config,
			op.u.createdomain.on_crash, true);
	n = ts_find(op.domain);
	if (n)
		n->restarts = restarts;
}

bool toolstack_deaths_pending(void)
{
	return ts_dom_exc;
}

bool toolstack_poll(void)
{
	struct xen_domctl op = { .cmd = XEN_DOMCTL_getdomaininfo };
	const struct xen_domctl_getdomaininfo *info = &op.u.getdomaininfo;
	uint32_t why;

	if (!ts_dom_exc)
		return false;
	ts_dom_exc = 0;
	for (int i = 0; i < TS_DOMAINS; i++) {
		struct ts_domain *d = &ts_domains[i];

		if (!d->used)
			continue;
		op.domain = d->domid;
		if (dom0_domctl(&op) < 0 || info->domain != d->domid) {
			toolstack_forget(d->domid);
			d->used = false;
			continue;
		}
		if (!(info->flags & (XEN_DOMINF_shutdown | XEN_DOMINF_dying)))
			continue;
		why = (info->flags >> XEN_DOMINF_shutdownshift) & 0xff;
		if ((info->flags & XEN_DOMINF_shutdown) &&
		    why == SHUTDOWN_crash && d->on_crash == XEN_ONCRASH_restart)
			ts_restart(d);
		else
			toolstack_forget(d->domid);
	}
	return true;
}

/* Prints path's children, depth spaces in, as Xen's xenstore-ls does:
 * name = "value", then its own children one space further in. */
static void ts_ls(const char *path, int depth)
{
	char names[1024], child[XSD_PATH_MAX], val[72];
	long n = xs_directory(0, path, names, sizeof(names));

	if (n < 0 && depth == 0)
		printf("xenstore-ls %s: %s\n", path, xsd_errname(n));
	for (const char *c = names; n > 0; n--, c += strlen(c) + 1) {
		ts_path(child, "%s/%s", strcmp(path, "/") ? path : "", c);
		if (xs_read(0, child, val, sizeof(val)) == -XEN_E2BIG)
			strlcpy(val + sizeof(val) - 4, "...", 4);
		printf("%*s%s = \"%s\"\n", depth, "", c, val);
		ts_ls(child, depth + 1);
	}
}

int toolstack_xenstore_cmd(int argc, char **argv)
{
	char val[XSD_VALUE_MAX + 1];
	long r;

	if (strcmp(argv[0], "xenstore-ls") == 0 && argc <= 2) {
		ts_ls(argc == 2 ? argv[1] : "/", 0);
		return 0;
	}
	if (strcmp(argv[0], "xenstore-read") == 0 && argc == 2) {
		r = xs_read(0, argv[1], val, sizeof(val));
		if (r >= 0)
			printf("%s\n", val);
	} else if (strcmp(argv[0], "xenstore-write") == 0 && argc == 3)
		r = xs_write(0, argv[1], argv[2]);
	else if (strcmp(argv[0], "xenstore-rm") == 0 && argc == 2)
		r = xs_rm(0, argv[1]);
	else if (strncmp(argv[0], "xenstore-", 9) == 0) {
		printf("usage: xenstore-ls [PATH] | xenstore-read PATH | "
		       "xenstore-write PATH VALUE | xenstore-rm PATH\n");
		return 1;
	} else
		return -1;
	if (r < 0)
		printf("%s %s: %s\n", argv[0], argv[1], xsd_errname(r));
	return r < 0;
}
