/*
 * evtchn.c - __HYPERVISOR_event_channel_op (lab 6): Xen's event channels
 * with the 2-level ABI (inc/public/event_channel.h; delivery as xen.h's
 * vcpu_info comment describes it) and the upcall that tells a vcpu about
 * them, Xen's HVM callback vector.
 *
 * labs/lab6.md describes delivery.  The bitmaps live in the guest's
 * shared_info, which Xen always has and hvlab only once the guest placed
 * it: a send before then sets nothing and still succeeds.  Closing one
 * end of an interdomain channel, or destroying its domain, makes the
 * other end unbound again, as in Xen, so no port leads to a dead domain.
 */
#include <inc/types.h>
#include <inc/public/xen.h>
#include <inc/public/event_channel.h>
#include <kernel/kernel.h>
#include <kernel/domain.h>
#include <pv/hypercall.h>
#include <pv/pv.h>

struct vcpu_info *pv_vcpu_info(struct vcpu *v)
{
	struct domain *d = v->domain;
	gpa_t gpa = d->pv.shared_info + v->id * sizeof(struct vcpu_info);

	if (v->pv.vcpu_info != PV_NO_GPA)
		gpa = v->pv.vcpu_info;
	else if (d->pv.shared_info == PV_NO_GPA ||
		 v->id >= XEN_LEGACY_MAX_VCPUS)
		return NULL;
	return pv_map(d, gpa, sizeof(struct vcpu_info));
}

struct shared_info *pv_shared_info(struct domain *d)
{
	if (d->pv.shared_info == PV_NO_GPA)
		return NULL;
	return pv_map(d, d->pv.shared_info, sizeof(struct shared_info));
}

static bool evtchn_valid(uint32_t port)
{
	return port > 0 && port < PV_EVTCHN_PORTS;
}

/* Opens a closed port of d as c; its number, or -XEN_ENOSPC. */
static long evtchn_open(struct domain *d, struct evtchn c)
{
	uint32_t port;

	for (port = 1; port < PV_EVTCHN_PORTS; port++)
		if (d->pv.evtchn[port].state == EVTCHNSTAT_closed) {
			d->pv.evtchn[port] = c;
			return port;
		}
	return -XEN_ENOSPC;
}

#if SOL >= 6
/*
 * Sets bit word of v's selector and, if it was clear, evtchn_upcall_pending;
 * true when the upcall is raised.
 */
static bool evtchn_upcall(struct vcpu *v, unsigned word)
{
	struct vcpu_info *vi = pv_vcpu_info(v);

	if (!vi || (vi->evtchn_pending_sel & (1ULL << word)))
		return false;
	vi->evtchn_pending_sel |= 1ULL << word;
	vi->evtchn_upcall_pending = 1;
	return true;
}

/* Wakes v from SCHEDOP_block or HLT for an upcall, from SCHEDOP_poll for
 * any of its ports. */
static void evtchn_kick(struct vcpu *v, bool upcall)
{
	if (v->state != VCPU_HALTED || v->pv.down || !(upcall || v->pv.polling))
		return;
	v->pv.blocked = v->pv.polling = false;
	v->pv.poll_until = 0;
	v->state = VCPU_RUNNABLE;
}

void evtchn_set_pending(struct domain *d, uint32_t port)
{
	struct shared_info *s = pv_shared_info(d);
	struct vcpu *v = &d->vcpus[d->pv.evtchn[port].vcpu];
	uint64_t bit = 1ULL << (port % 64);
	unsigned word = port / 64;

	if (!s)
		return;
	if (s->evtchn_pending[word] & bit) {
		evtchn_kick(v, false);
		return;
	}
	s->evtchn_pending[word] |= bit;
	evtchn_kick(v, !(s->evtchn_mask[word] & bit) && evtchn_upcall(v, word));
}

/* EVTCHNOP_unmask: clears the mask bit, delivering a pending port again. */
static long evtchn_unmask(struct vcpu *v, void *arg, uint64_t op)
{
	struct evtchn_unmask *a = arg;
	struct domain *d = v->domain;
	struct shared_info *s;
	uint64_t bit = 1ULL << (a->port % 64);
	unsigned word = a->port / 64;

	if (!evtchn_valid(a->port))
		return -XEN_EINVAL;
	s = pv_shared_info(d);
	if (!s || !(s->evtchn_mask[word] & bit))
		return 0;
	s->evtchn_mask[word] &= ~bit;
	if (s->evtchn_pending[word] & bit) {
		struct vcpu *t = &d->vcpus[d->pv.evtchn[a->port].vcpu];

		evtchn_kick(t, evtchn_upcall(t, word));
	}
	return 0;
}

int pv_upcall_vector(struct vcpu *v)
{
	struct vcpu_info *vi;

	if (!v->domain->pv.on || !v->domain->pv.callback_vector)
		return -1;
	vi = pv_vcpu_info(v);
	if (!vi || !vi->evtchn_upcall_pending || vi->evtchn_upcall_mask)
		return -1;
	return v->domain->pv.callback_vector;
}
#else
void evtchn_set_pending(struct domain *d, uint32_t port)
{
	/* LAB 6: your code here */
}

static long evtchn_unmask(struct vcpu *v, void *arg, uint64_t op)
{
	/* LAB 6: your code here */
	return -XEN_ENOSYS;
}

int pv_upcall_vector(struct vcpu *v)
{
	/* LAB 6: your code here */
	return -1;
}
#endif

void evtchn_send_virq(struct domain *d, struct vcpu *v, unsigned virq)
{
	uint16_t port;

	if (virq >= NR_VIRQS || !d->pv.on || d->state != DOMAIN_RUNNING)
		return;
	port = v ? v->pv.virq_port[virq] : d->pv.virq_port[virq];
	if (port)
		evtchn_set_pending(d, port);
}

/* VIRQs of the whole domain, bound on vcpu 0 (the rest are per vcpu). */
static bool evtchn_virq_global(uint32_t virq)
{
	return virq == VIRQ_CONSOLE || virq == VIRQ_DOM_EXC;
}

void evtchn_close_port(struct domain *d, uint32_t port)
{
	struct evtchn *c = &d->pv.evtchn[port];
	struct evtchn *peer =
		&domains[c->remote_dom % DOMAIN_MAX].pv.evtchn[c->remote_port];

	if (c->state == EVTCHNSTAT_interdomain &&
	    peer->state == EVTCHNSTAT_interdomain &&
	    peer->remote_dom == d->id && peer->remote_port == port) {
		peer->state = EVTCHNSTAT_unbound;
		peer->remote_port = 0;
	} else if (c->state == EVTCHNSTAT_virq && evtchn_virq_global(c->virq)) {
		d->pv.virq_port[c->virq] = 0;
	} else if (c->state == EVTCHNSTAT_virq) {
		d->vcpus[c->vcpu].pv.virq_port[c->virq] = 0;
	}
	memset(c, 0, sizeof(*c));
}

long evtchn_new_unbound(struct domain *d, domid_t remote)
{
	return evtchn_open(d, (struct evtchn){ .state = EVTCHNSTAT_unbound,
					       .remote_dom = remote });
}

static long evtchn_alloc_unbound(struct vcpu *v, void *arg, uint64_t op)
{
	struct evtchn_alloc_unbound *a = arg;
	struct domain *d = v->domain;
	long port;

	if (!pv_self(v, a->dom) && !d->pv.privileged)
		return -XEN_EPERM;
	if (!(d = pv_domain(d, a->dom)))
		return -XEN_ESRCH;
	port = evtchn_new_unbound(d, a->remote_dom == DOMID_SELF ?
					     (domid_t)v->domain->id :
					     a->remote_dom);
	if (port < 0)
		return port;
	a->port = (evtchn_port_t)port;
	return 0;
}

static long evtchn_bind_interdomain(struct vcpu *v, void *arg, uint64_t op)
{
	struct evtchn_bind_interdomain *a = arg;
	struct domain *d = v->domain, *rd = pv_domain(d, a->remote_dom);
	struct evtchn *rc;
	long port;

	if (!rd)
		return -XEN_ESRCH;
	if (!evtchn_valid(a->remote_port))
		return -XEN_EINVAL;
	rc = &rd->pv.evtchn[a->remote_port];
	if (rc->state != EVTCHNSTAT_unbound || rc->remote_dom != d->id)
		return -XEN_EINVAL;
	port = evtchn_open(d, (struct evtchn){ .state = EVTCHNSTAT_interdomain,
					       .remote_dom = (uint16_t)rd->id,
					       .remote_port = a->remote_port });
	if (port < 0)
		return port;
	rc->state = EVTCHNSTAT_interdomain;
	rc->remote_port = (uint32_t)port;
	a->local_port = (evtchn_port_t)port;
	/* As Xen: a send the remote end made before the bind is not lost. */
	evtchn_set_pending(d, (uint32_t)port);
	return 0;
}

static long evtchn_bind_virq(struct vcpu *v, void *arg, uint64_t op)
{
	struct evtchn_bind_virq *a = arg;
	struct domain *d = v->domain;
	uint16_t *slot;
	long port;

	if (a->virq >= NR_VIRQS || a->vcpu >= (uint32_t)d->nvcpus ||
	    (evtchn_virq_global(a->virq) && a->vcpu != 0))
		return -XEN_EINVAL;
	slot = evtchn_virq_global(a->virq) ?
		       &d->pv.virq_port[a->virq] :
		       &d->vcpus[a->vcpu].pv.virq_port[a->virq];
	if (*slot)
		return -XEN_EEXIST;
	port = evtchn_open(d, (struct evtchn){ .state = EVTCHNSTAT_virq,
					       .virq = (uint8_t)a->virq,
					       .vcpu = a->vcpu });
	if (port < 0)
		return port;
	*slot = (uint16_t)port;
	a->port = (evtchn_port_t)port;
	return 0;
}

static long evtchn_bind_ipi(struct vcpu *v, void *arg, uint64_t op)
{
	struct evtchn_bind_ipi *a = arg;
	struct domain *d = v->domain;
	long port;

	if (a->vcpu >= (uint32_t)d->nvcpus)
		return -XEN_ENOENT;
	port = evtchn_open(d, (struct evtchn){ .state = EVTCHNSTAT_ipi,
					       .vcpu = a->vcpu });
	if (port < 0)
		return port;
	a->port = (evtchn_port_t)port;
	return 0;
}

/* Only unbound, interdomain and global-VIRQ ports may move (Xen's rule). */
static long evtchn_bind_vcpu(struct vcpu *v, void *arg, uint64_t op)
{
	struct evtchn_bind_vcpu *a = arg;
	struct domain *d = v->domain;
	struct evtchn *c;

	if (a->vcpu >= (uint32_t)d->nvcpus)
		return -XEN_ENOENT;
	if (!evtchn_valid(a->port))
		return -XEN_EINVAL;
	c = &d->pv.evtchn[a->port];
	if (c->state != EVTCHNSTAT_unbound &&
	    c->state != EVTCHNSTAT_interdomain &&
	    !(c->state == EVTCHNSTAT_virq && evtchn_virq_global(c->virq)))
		return -XEN_EINVAL;
	c->vcpu = a->vcpu;
	return 0;
}

/* Interdomain: the remote end; IPI: this end; unbound: dropped. */
static long evtchn_send(struct vcpu *v, void *arg, uint64_t op)
{
	struct evtchn_send *a = arg;
	struct domain *d = v->domain, *rd;
	struct evtchn *c;

	if (!evtchn_valid(a->port))
		return -XEN_EINVAL;
	d->counts[BENCH_EVTCHN_SEND]++;
	c = &d->pv.evtchn[a->port];
	switch (c->state) {
	case EVTCHNSTAT_interdomain:
		rd = pv_domain(d, c->remote_dom);
		if (rd)
			evtchn_set_pending(rd, c->remote_port);
		return 0;
	case EVTCHNSTAT_ipi: evtchn_set_pending(d, a->port); return 0;
	case EVTCHNSTAT_unbound: return 0;
	}
	return -XEN_EINVAL;
}

static long evtchn_close(struct vcpu *v, void *arg, uint64_t op)
{
	struct evtchn_close *a = arg;
	struct domain *d = v->domain;
	struct shared_info *s;

	if (!evtchn_valid(a->port) ||
	    d->pv.evtchn[a->port].state == EVTCHNSTAT_closed)
		return -XEN_EINVAL;
	evtchn_close_port(d, a->port);
	/* A later port by this number starts clean. */
	if ((s = pv_shared_info(d)))
		s->evtchn_pending[a->port / 64] &= ~(1ULL << (a->port % 64));
	return 0;
}

static long evtchn_status(struct vcpu *v, void *arg, uint64_t op)
{
	struct evtchn_status *a = arg;
	struct domain *d = v->domain;
	struct evtchn *c;

	if (!pv_self(v, a->dom) && !d->pv.privileged)
		return -XEN_EPERM;
	if (!(d = pv_domain(d, a->dom)))
		return -XEN_ESRCH;
	if (a->port >= PV_EVTCHN_PORTS)
		return -XEN_EINVAL;
	c = &d->pv.evtchn[a->port];
	memset(&a->u, 0, sizeof(a->u));
	a->status = c->state;
	a->vcpu = c->vcpu;
	if (c->state == EVTCHNSTAT_unbound)
		a->u.unbound.dom = c->remote_dom;
	if (c->state == EVTCHNSTAT_interdomain) {
		a->u.interdomain.dom = c->remote_dom;
		a->u.interdomain.port = c->remote_port;
	}
	if (c->state == EVTCHNSTAT_virq)
		a->u.virq = c->virq;
	return 0;
}

static const struct pv_subop evtchn_ops[] = {
	SUBOP(EVTCHNOP_bind_interdomain, evtchn_bind_interdomain,
	      struct evtchn_bind_interdomain, true),
	SUBOP(EVTCHNOP_bind_virq, evtchn_bind_virq, struct evtchn_bind_virq,
	      true),
	SUBOP(EVTCHNOP_close, evtchn_close, struct evtchn_close, false),
	SUBOP(EVTCHNOP_send, evtchn_send, struct evtchn_send, false),
	SUBOP(EVTCHNOP_status, evtchn_status, struct evtchn_status, true),
	SUBOP(EVTCHNOP_alloc_unbound, evtchn_alloc_unbound,
	      struct evtchn_alloc_unbound, true),
	SUBOP(EVTCHNOP_bind_ipi, evtchn_bind_ipi, struct evtchn_bind_ipi, true),
	SUBOP(EVTCHNOP_bind_vcpu, evtchn_bind_vcpu, struct evtchn_bind_vcpu,
	      false),
	SUBOP(EVTCHNOP_unmask, evtchn_unmask, struct evtchn_unmask, false),
};

/* EVTCHNOP_init_control (the FIFO ABI) is not offered: -ENOSYS tells the
 * guest to use the 2-level one. */
long event_channel_op(struct vcpu *v, const uint64_t *args)
{
	return pv_subop_call(v, args, evtchn_ops, ARRAY_SIZE(evtchn_ops));
}

int pv_domain_init(struct domain *d)
{
	int i;

	memset(d->pv.evtchn, 0, sizeof(d->pv.evtchn));
	memset(d->pv.virq_port, 0, sizeof(d->pv.virq_port));
	d->pv.shared_info = PV_NO_GPA;
	d->pv.shutdown_reason = 0;
	gnttab_domain_init(d);
	memset(&d->pv.ioreq, 0, sizeof(d->pv.ioreq));
	for (i = 0; i < d->nvcpus; i++) {
		struct vcpu *v = &d->vcpus[i];

		memset(&v->pv, 0, sizeof(v->pv));
		v->pv.vcpu_info = PV_NO_GPA;
		v->pv.runstate.state = RUNSTATE_runnable;
		v->pv.runstate.state_entry_time = pv_system_time();
	}
	return 0;
}

void pv_domain_destroy(struct domain *d)
{
	uint32_t port;

	for (port = 1; port < PV_EVTCHN_PORTS; port++)
		evtchn_close_port(d, port); /* a closed one stays closed */
	d->pv.shared_info = PV_NO_GPA;
}
