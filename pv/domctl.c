/*
 * domctl.c - the privileged domain's management hypercalls (lab 6):
 * __HYPERVISOR_domctl and __HYPERVISOR_sysctl in the frame of Xen's
 * domctl.h and sysctl.h, with hvlab's payloads (inc/public/domctl.h), and
 * the read side of console_io.
 *
 * dom0's toolstack (guests/dom0, `xl`) creates domains from the configs
 * the loader put on the boot disk, destroys, pauses and lists them, reads
 * their console output and writes their console input, and reads the
 * hypervisor's own console ring (`xl dmesg`).  Domain ids are slots of
 * the domain table; a domain that ended keeps its slot, shown as shut
 * down, until dom0 destroys it, as in Xen.
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

/* XEN_DOMCTL_createdomain: the new domain's id in op->domain. */
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
	op->domain = (domid_t)d->id;
	return 0;
}

/* XEN_DOMCTL_destroydomain: ends d if it runs, then frees its slot. */
static long domctl_destroy(struct domain *self, struct domain *d)
{
	if (d == self)
		return -XEN_EINVAL;
	domain_kill(d, "destroyed by dom0");
	domain_release(d);
	return 0;
}

static long domctl_pause(struct domain *self, struct domain *d, bool pause)
{
	if (d == self)
		return -XEN_EINVAL;
	d->pv.paused = pause;
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
 * would be its UART's receiver, which receives nothing).
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

/* The operations on another domain, by op->cmd. */
static long domctl_on(struct vcpu *v, struct xen_domctl *op)
{
	struct domain *self = v->domain;
	struct domain *d = domctl_domain(op->domain);

	if (!d)
		return -XEN_ESRCH;
	switch (op->cmd) {
	case XEN_DOMCTL_destroydomain: return domctl_destroy(self, d);
	case XEN_DOMCTL_pausedomain: return domctl_pause(self, d, true);
	case XEN_DOMCTL_unpausedomain: return domctl_pause(self, d, false);
	case XEN_DOMCTL_console: return domctl_console(v, d, &op->u.console);
	default: return -XEN_ENOSYS;
	}
}

long domctl(struct vcpu *v, const uint64_t *args)
{
	struct xen_domctl op;
	long r;

	if (!v->domain->pv.privileged)
		return -XEN_EPERM;
	if (pv_copy_in(v, &op, args[0], sizeof(op)) < 0)
		return -XEN_EFAULT;
	if (op.interface_version != XEN_DOMCTL_INTERFACE_VERSION)
		return -XEN_EACCES;
	if (op.cmd == XEN_DOMCTL_createdomain)
		r = domctl_create(v->domain, &op);
	else if (op.cmd == XEN_DOMCTL_getdomaininfo)
		r = domctl_info(&op);
	else
		r = domctl_on(v, &op);
	if (r == 0 && pv_copy_out(v, args[0], &op, sizeof(op)) < 0)
		return -XEN_EFAULT;
	return r;
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

long sysctl(struct vcpu *v, const uint64_t *args)
{
	struct xen_sysctl op;
	long r;

	if (!v->domain->pv.privileged)
		return -XEN_EPERM;
	if (pv_copy_in(v, &op, args[0], sizeof(op)) < 0)
		return -XEN_EFAULT;
	if (op.interface_version != XEN_SYSCTL_INTERFACE_VERSION)
		return -XEN_EACCES;
	if (op.cmd != XEN_SYSCTL_readconsole)
		return -XEN_ENOSYS;
	r = sysctl_readconsole(v, &op.u.readconsole);
	if (r == 0 && pv_copy_out(v, args[0], &op, sizeof(op)) < 0)
		return -XEN_EFAULT;
	return r;
}

long console_io_read(struct vcpu *v, uint64_t count, uint64_t buf)
{
	struct domain_console *dc = &v->domain->console;

	return domctl_ring_out(v, &dc->in, &dc->in_read, buf,
			       (uint32_t)MIN(count, UINT32_MAX));
}
