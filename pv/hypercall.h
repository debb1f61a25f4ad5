/*
 * hypercall.h - hypercalls from guests (lab 5, extended in lab 6): Xen's
 * ABI (inc/public/xen.h), one handler per hypercall number.
 */
#ifndef PV_HYPERCALL_H
#define PV_HYPERCALL_H

#include <inc/types.h>
#include <inc/public/xen.h>
#include <kernel/kernel.h>
#include <kernel/domain.h>

struct vcpu;
struct domain;

/* Copies len bytes at guest-linear la of v in or out, through v's own
 * paging; 0 or -XEN_EFAULT. */
long pv_copy_in(struct vcpu *v, void *dst, gva_t la, size_t len);
long pv_copy_out(struct vcpu *v, gva_t la, const void *src, size_t len);

/* A hypercall's arguments in the order the ABI numbers them. */
#define HYPERCALL_ARGS 5

/*
 * Runs v's VMMCALL / VMCALL (EXIT_HYPERCALL): the number and arguments in
 * its registers, the result in RAX, the instruction skipped.  Unknown
 * numbers return -XEN_ENOSYS, calls from CPL > 0 -XEN_EPERM.
 */
void hypercall_dispatch(struct vcpu *v);

/*
 * The handlers, one per hypercall number (pv/): args[] are the
 * arguments inc/public/ names, e.g. __HYPERVISOR_vcpu_op(cmd, vcpuid,
 * arg), their structs at guest-linear addresses; 0, a count, or -XEN_E*.
 * domctl and dm_op are the privileged domain's, sysctl also driver
 * domains' (-XEN_EPERM for others); set_timer_op(deadline) takes system
 * time, 0 to stop.
 */
long hvm_op(struct vcpu *v, const uint64_t *args);
long xen_version(struct vcpu *v, const uint64_t *args);
long console_io(struct vcpu *v, const uint64_t *args);
long memory_op(struct vcpu *v, const uint64_t *args);
long domctl(struct vcpu *v, const uint64_t *args);
long sysctl(struct vcpu *v, const uint64_t *args);
long set_timer_op(struct vcpu *v, const uint64_t *args);
long vcpu_op(struct vcpu *v, const uint64_t *args);
long sched_op(struct vcpu *v, const uint64_t *args);
long grant_table_op(struct vcpu *v, const uint64_t *args);
long event_channel_op(struct vcpu *v, const uint64_t *args);
long dm_op(struct vcpu *v, const uint64_t *args);

/* Drops d's mappings of [gfn, gfn+n) after their p2m entries changed
 * (pv/hvm_op.c). */
void hvm_unmap(struct domain *d, uint64_t gfn, uint64_t n);

/* Whether domid names v's domain (DOMID_SELF, or its own id). */
static inline bool pv_self(struct vcpu *v, domid_t domid)
{
	return domid == DOMID_SELF || domid == v->domain->id;
}

/* The domain id names for self (DOMID_SELF: self) if it runs with Xen's
 * ABI; else NULL. */
static inline struct domain *pv_domain(struct domain *self, domid_t id)
{
	struct domain *d = id == DOMID_SELF ? self : NULL;

	if (!d && id < DOMAIN_MAX)
		d = &domains[id];
	return d && d->state == DOMAIN_RUNNING && d->pv.on ? d : NULL;
}

/* The handler of a struct the guest passes, copied in at arg; op is the
 * sub-op's number (for handlers that serve two) or what its caller says. */
typedef long (*pv_struct_fn)(struct vcpu *v, void *arg, uint64_t op);

/* Copies size bytes at guest-linear la in, runs fn on them and, when out
 * and fn returned 0, copies them back; -XEN_EFAULT when a copy fails. */
static inline long pv_struct_call(struct vcpu *v, gva_t la, size_t size,
				  bool out, pv_struct_fn fn, uint64_t op)
{
	uint64_t buf[20]; /* struct xen_domctl's 144 bytes, the largest */
	long r;

	if (size > sizeof(buf))
		panic("pv_struct_call: struct of %zu bytes", size);
	if (size && pv_copy_in(v, buf, la, size) < 0)
		return -XEN_EFAULT;
	r = fn(v, buf, op);
	if (r == 0 && out && pv_copy_out(v, la, buf, size) < 0)
		return -XEN_EFAULT;
	return r;
}

/* One sub-op of a multiplexed hypercall: its handler, the size of its
 * struct (0: none), whether the struct is copied back on success. */
struct pv_subop {
	pv_struct_fn fn;
	uint8_t size;
	bool out;
};

/* SUBOP(EVTCHNOP_send, evtchn_send, struct evtchn_send, false) */
#define SUBOP(nr, fn, type, out) [nr] = { fn, sizeof(type), out }

/* Runs sub-op args[0] of ops[0..n) on its struct at guest-linear args[1];
 * -XEN_ENOSYS for a sub-op not in ops. */
static inline long pv_subop_call(struct vcpu *v, const uint64_t *args,
				 const struct pv_subop *ops, size_t n)
{
	const struct pv_subop *op = args[0] < n ? &ops[args[0]] : NULL;

	if (!op || !op->fn)
		return -XEN_ENOSYS;
	return pv_struct_call(v, args[1], op->size, op->out, op->fn, args[0]);
}

#endif
