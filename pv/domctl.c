/*
 * domctl.c - the privileged domain's management hypercalls (lab 6;
 * labs/lab6.md's toolstack): __HYPERVISOR_domctl and __HYPERVISOR_sysctl
 * in the frame of Xen's domctl.h and sysctl.h, with hvlab's payloads
 * (inc/public/domctl.h), and the read side of console_io.  Domain ids are
 * slots of the domain table; a domain that ended keeps its slot, shown as
 * shut down, until dom0 destroys it, as in Xen.
 */
#include <inc/types.h>
#include <inc/public/xen.h>
#include <inc/public/sched.h>
#include <inc/public/domctl.h>
#include <kernel/kernel.h>
#include <kernel/clock.h>
#include <kernel/console.h>
#include <kernel/domain.h>
#include <kernel/migrate.h>
#include <kernel/mm/page.h>
#include <pv/hypercall.h>
#include <pv/pv.h>

#define CREATEDOMAIN_CONFIG_MAX \
	sizeof(((struct xen_domctl_createdomain *)0)->config)

/* Console output moves through the hypervisor in chunks of this size. */
#define DOMCTL_CHUNK 256

/* The domain with id domid (ended ones too), or NULL. */
static struct domain *domctl_domain(domid_t domid)
{
	if (domid >= DOMAIN_MAX || !domains[domid].name[0])
		return NULL;
	return &domains[domid];
}

/* A config slot no domain uses, for createdomain. */
static struct domain_config *domctl_config_slot(void)
{
	static struct domain_config configs[DOMAIN_MAX];
	int i, j;

	for (i = 0; i < DOMAIN_MAX; i++) {
		for (j = 0; j < DOMAIN_MAX; j++)
			if (domains[j].name[0] &&
			    domains[j].config == &configs[i])
				break;
		if (j == DOMAIN_MAX)
			return &configs[i];
	}
	return NULL;
}

/* Whether a domain called name exists (running or not destroyed yet). */
static bool domctl_name_used(const char *name)
{
	for (int i = 0; i < DOMAIN_MAX; i++)
		if (domains[i].name[0] && strcmp(domains[i].name, name) == 0)
			return true;
	return false;
}

/*
 * Parses the config file (relative to the boot domains directory) into c;
 * 0 or -XEN_E*, a parse error printed on the hypervisor console.
 */
static long domctl_parse(struct domain *self, const char *file,
			 struct domain_config *c)
{
	char path[BOOT_NAME_MAX], err[160];
	const struct boot_file *f;

	if (strnlen(file, CREATEDOMAIN_CONFIG_MAX) == CREATEDOMAIN_CONFIG_MAX ||
	    config_resolve_path("domains/", file, path, sizeof(path)) < 0)
		return -XEN_EINVAL;
	f = boot_file_find(self->bi, path);
	if (!f)
		return -XEN_ENOENT;
	if (config_parse(f->name, kva(f->pa), f->size, c, err, sizeof(err))) {
		cprintf("%s\n", err);
		return -XEN_EINVAL;
	}
	if (c->privileged) {
		cprintf("%s:%d: privileged: %s is dom0 already\n", c->file,
			c->privileged_line, self->name);
		return -XEN_EINVAL;
	}
	return domctl_name_used(c->name) ? -XEN_EEXIST : 0;
}

_Static_assert(XEN_ONCRASH_destroy == ON_CRASH_DESTROY &&
		       XEN_ONCRASH_restart == ON_CRASH_RESTART &&
		       XEN_ONCRASH_preserve == ON_CRASH_PRESERVE,
	       "on_crash");

/*
 * XEN_DOMCTL_createdomain: the new domain, paused until the toolstack
 * unpauses it, its id in op->domain and its on_crash, which the toolstack
 * applies (domain_reap leaves such a domain crashed).
 */
static long domctl_create(struct domain *self, struct xen_domctl *op)
{
	struct domain_config *c = domctl_config_slot();
	struct domain *d;
	long r;

	if (!c)
		return -XEN_ENOSPC;
	/* c stays free until a domain points at it. */
	r = domctl_parse(self, op->u.createdomain.config, c);
	if (r < 0)
		return r;
	d = domain_create(c, self->bi);
	if (!d) {
		/* The reason is printed; drop the failed slot's result. */
		for (int i = 0; i < DOMAIN_MAX; i++)
			if (domains[i].config == c)
				domain_release(&domains[i]);
		return -XEN_EINVAL;
	}
	migrate_arm(d);
	d->pv.paused = true;
	d->pv.toolstack = true;
	op->domain = (domid_t)d->id;
	op->u.createdomain.on_crash = c->on_crash;
	return 0;
}

/* XEN_DOMCTL_destroydomain: ends d if it runs, then frees its slot. */
static long domctl_destroy(struct domain *self, struct domain *d)
{
	if (d == self)
		return -XEN_EINVAL;
	domain_kill(d, "destroyed by dom0");
	domain_release(d);
	evtchn_send_virq(self, NULL, VIRQ_DOM_EXC); /* xenstored's cue */
	return 0;
}

/* Whether every vcpu of d waits (HLT, SCHEDOP_block or _poll). */
static bool domctl_blocked(const struct domain *d)
{
	for (int i = 0; i < d->nvcpus; i++)
		if (d->vcpus[i].state == VCPU_RUNNABLE &&
		    !d->vcpus[i].pv.blocked)
			return false;
	return true;
}

static uint32_t domctl_flags(const struct domain *d)
{
	uint32_t f = d->type == DOMAIN_HVM ? XEN_DOMINF_hvm_guest : 0;
	uint32_t why = d->pv.on ? d->pv.shutdown_reason : SHUTDOWN_poweroff;

	if (d->state == DOMAIN_CRASHED)
		why = SHUTDOWN_crash;
	if (d->state != DOMAIN_RUNNING)
		return f | XEN_DOMINF_shutdown |
		       why << XEN_DOMINF_shutdownshift;
	if (d->pv.paused)
		return f | XEN_DOMINF_paused;
	return f |
	       (domctl_blocked(d) ? XEN_DOMINF_blocked : XEN_DOMINF_running);
}

/* XEN_DOMCTL_getdomaininfo: the first domain with id >= op->domain. */
static long domctl_info(struct xen_domctl *op)
{
	struct xen_domctl_getdomaininfo *info = &op->u.getdomaininfo;
	const struct domain *d = NULL;
	uint64_t tsc = 0;
	int id, i;

	for (id = op->domain; id < DOMAIN_MAX && !d; id++)
		d = domctl_domain((domid_t)id);
	if (!d)
		return -XEN_ESRCH;
	for (i = 0; i < d->nvcpus; i++)
		tsc += d->vcpus[i].run_tsc;
	memset(info, 0, sizeof(*info));
	info->domain = (domid_t)d->id;
	info->flags = domctl_flags(d);
	info->tot_pages = d->p2m.entries ? d->p2m.populated : 0;
	info->max_pages = d->config->memory_mib * MiB / PAGE_SIZE;
	info->cpu_time = clock_tsc_to_us(tsc) * 1000;
	info->nr_online_vcpus = (uint32_t)d->nvcpus;
	info->max_vcpu_id = d->config->vcpus - 1;
	strlcpy(info->name, d->name, sizeof(info->name));
	op->domain = info->domain;
	return 0;
}

/* Copies up to count bytes of ring r from *index out to guest buf; the
 * count, or -XEN_EFAULT (*index then stays). */
static long domctl_ring_out(struct vcpu *v, const struct console_ring *r,
			    uint32_t *index, gva_t buf, uint32_t count)
{
	char chunk[DOMCTL_CHUNK];
	uint32_t i = *index, done = 0;
	size_t n;

	while (done < count &&
	       (n = console_ring_read(r, &i, chunk,
				      MIN(count - done, sizeof(chunk))))) {
		if (pv_copy_out(v, buf + done, chunk, n) < 0)
			return -XEN_EFAULT;
		done += (uint32_t)n;
	}
	*index = i;
	return done;
}

/*
 * XEN_DOMCTL_console: reads d's output, or writes d's input: at most what
 * the input ring holds, and for pv domains only (an hvm domain's input
 * is its UART's receiver, which only the machine's serial port feeds).
 */
static long domctl_console(struct vcpu *v, struct domain *d,
			   struct xen_domctl_console *con)
{
	char in[CONSOLE_INPUT_RING];
	long r;

	if (!con->write) {
		r = domctl_ring_out(v, &d->console.out, &con->index,
				    con->buffer, con->count);
		con->count = r < 0 ? 0 : (uint32_t)r;
		return r < 0 ? r : 0;
	}
	if (!d->pv.on || d->state != DOMAIN_RUNNING)
		return -XEN_ENOSYS;
	if (con->count > sizeof(in))
		return -XEN_EINVAL;
	if (pv_copy_in(v, in, con->buffer, con->count) < 0)
		return -XEN_EFAULT;
	console_ring_put(&d->console.in, in, con->count);
	evtchn_send_virq(d, NULL, VIRQ_CONSOLE);
	return 0;
}

/*
 * The id of the domain a device's backend=NAME names ("": dom0, self):
 * -XEN_ESRCH when no domain of that name runs, -XEN_EPERM when it is not
 * a driver domain, -XEN_EINVAL when it is the device's own domain d.
 */
static long domctl_backend(struct domain *self, const struct domain *d,
			   const char *name)
{
	const struct domain *b;

	if (!name[0])
		return self->id;
	for (b = domains; b < domains + DOMAIN_MAX; b++) {
		if (b->state != DOMAIN_RUNNING || strcmp(b->name, name) != 0)
			continue;
		if (b == d)
			return -XEN_EINVAL;
		return b->pv.driver || b->pv.privileged ? b->id : -XEN_EPERM;
	}
	return -XEN_ESRCH;
}

/* getdevice of a disk line k of config c. */
static long domctl_disk(const struct domain_config *c,
			const struct config_disk *k,
			struct xen_domctl_getdevice *g)
{
	if (config_resolve_path(c->file, k->file.path, g->target,
				sizeof(g->target)) < 0) {
		cprintf("%s:%d: disk \"%s\": path longer than getdevice's "
			"%zu bytes\n",
			c->file, k->file.line, k->file.path,
			sizeof(g->target) - 1);
		return -XEN_EINVAL;
	}
	g->type = XEN_DEVICE_disk;
	strlcpy(g->vdev, k->vdev, sizeof(g->vdev));
	g->writable = k->writable;
	return 0;
}

static void domctl_vif(const struct config_vif *vif,
		       struct xen_domctl_getdevice *g)
{
	g->type = XEN_DEVICE_vif;
	g->has_mac = vif->has_mac;
	memcpy(g->mac, vif->mac, sizeof(g->mac));
	strlcpy(g->bridge, vif->bridge[0] ? vif->bridge : "xenbr0",
		sizeof(g->bridge));
}

/*
 * XEN_DOMCTL_getdevice: device g->index of d's config, its disks first,
 * then its vifs; -XEN_ENOENT past the last.
 */
static long domctl_device(struct domain *self, struct domain *d,
			  struct xen_domctl_getdevice *g)
{
	const struct domain_config *c = d->config;
	uint32_t i = g->index;
	const char *backend;
	long r = 0;

	memset(g, 0, sizeof(*g));
	g->index = i;
	if (i < c->ndisks) {
		backend = c->disks[i].backend;
		r = domctl_disk(c, &c->disks[i], g);
	} else if (i - c->ndisks < c->nvifs) {
		backend = c->vifs[i - c->ndisks].backend;
		domctl_vif(&c->vifs[i - c->ndisks], g);
	} else {
		return -XEN_ENOENT;
	}
	if (r == 0)
		r = domctl_backend(self, d, backend);
	if (r < 0)
		return r;
	g->backend = (domid_t)r;
	return 0;
}

/* The domctl at arg: createdomain, getdomaininfo, or an operation on
 * another domain. */
static long domctl_run(struct vcpu *v, void *arg, uint64_t unused)
{
	struct xen_domctl *op = arg;
	struct domain *self = v->domain, *d = domctl_domain(op->domain);

	if (op->interface_version != XEN_DOMCTL_INTERFACE_VERSION)
		return -XEN_EACCES;
	if (op->cmd == XEN_DOMCTL_createdomain)
		return domctl_create(self, op);
	if (op->cmd == XEN_DOMCTL_getdomaininfo)
		return domctl_info(op);
	if (!d)
		return -XEN_ESRCH;
	switch (op->cmd) {
	case XEN_DOMCTL_destroydomain: return domctl_destroy(self, d);
	case XEN_DOMCTL_pausedomain:
	case XEN_DOMCTL_unpausedomain:
		if (d == self)
			return -XEN_EINVAL;
		d->pv.paused = op->cmd == XEN_DOMCTL_pausedomain;
		return 0;
	case XEN_DOMCTL_console: return domctl_console(v, d, &op->u.console);
	case XEN_DOMCTL_getdevice:
		return domctl_device(self, d, &op->u.getdevice);
	default: return -XEN_ENOSYS;
	}
}

long domctl(struct vcpu *v, const uint64_t *args)
{
	if (!v->domain->pv.privileged)
		return -XEN_EPERM;
	return pv_struct_call(v, args[0], sizeof(struct xen_domctl), true,
			      domctl_run, 0);
}

/* XEN_SYSCTL_readconsole: clear forgets what was read so far. */
static long sysctl_readconsole(struct vcpu *v,
			       struct xen_sysctl_readconsole *rc)
{
	static uint32_t cleared;
	uint32_t index = rc->incremental ? rc->index : cleared;
	long r;

	r = domctl_ring_out(v, &console_hv_ring, &index, rc->buffer, rc->count);
	if (r < 0)
		return r;
	rc->count = (uint32_t)r;
	rc->index = index;
	if (rc->clear)
		cleared = index;
	return 0;
}

/*
 * Whether self may read boot file path: a disk image that the config of
 * a domain names, with self its backend, or any such for dom0.
 */
static bool sysctl_file_allowed(const struct domain *self, const char *path)
{
	char name[BOOT_NAME_MAX];
	const struct domain *d;
	const struct config_disk *k;

	for (d = domains; d < domains + DOMAIN_MAX; d++) {
		if (!d->name[0])
			continue;
		for (k = d->config->disks;
		     k < d->config->disks + d->config->ndisks; k++)
			if ((self->pv.privileged ||
			     strcmp(k->backend, self->name) == 0) &&
			    config_resolve_path(d->config->file, k->file.path,
						name, sizeof(name)) == 0 &&
			    strcmp(name, path) == 0)
				return true;
	}
	return false;
}

/* XEN_SYSCTL_bootfile: up to count bytes from offset; count 0 at the end. */
static long sysctl_bootfile(struct vcpu *v, struct xen_sysctl_bootfile *b)
{
	const struct boot_file *f;
	uint64_t n;

	if (strnlen(b->path, sizeof(b->path)) == sizeof(b->path) ||
	    !sysctl_file_allowed(v->domain, b->path) ||
	    !(f = boot_file_find(v->domain->bi, b->path)))
		return -XEN_ENOENT;
	n = b->offset < f->size ? MIN(b->count, f->size - b->offset) : 0;
	if (n &&
	    pv_copy_out(v, b->buffer, (char *)kva(f->pa) + b->offset, n) < 0)
		return -XEN_EFAULT;
	b->count = (uint32_t)n;
	b->size = f->size;
	return 0;
}

/* The sysctl at arg: driver domains may read their disk images, nothing
 * else. */
static long sysctl_run(struct vcpu *v, void *arg, uint64_t unused)
{
	struct xen_sysctl *op = arg;
	bool dom0 = v->domain->pv.privileged;

	if (op->interface_version != XEN_SYSCTL_INTERFACE_VERSION)
		return -XEN_EACCES;
	if (op->cmd == XEN_SYSCTL_bootfile)
		return sysctl_bootfile(v, &op->u.bootfile);
	if (op->cmd == XEN_SYSCTL_readconsole && dom0)
		return sysctl_readconsole(v, &op->u.readconsole);
	return dom0 ? -XEN_ENOSYS : -XEN_EPERM;
}

long sysctl(struct vcpu *v, const uint64_t *args)
{
	if (!v->domain->pv.privileged && !v->domain->pv.driver)
		return -XEN_EPERM;
	return pv_struct_call(v, args[0], sizeof(struct xen_sysctl), true,
			      sysctl_run, 0);
}

long console_io_read(struct vcpu *v, uint64_t count, uint64_t buf)
{
	struct domain_console *dc = &v->domain->console;

	return domctl_ring_out(v, &dc->in, &dc->in_read, buf,
			       (uint32_t)MIN(count, UINT32_MAX));
}
