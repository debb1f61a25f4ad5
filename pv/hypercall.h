/*
 * hypercall.h - hypercalls from guests (lab 5, extended in lab 6): Xen's
 * ABI (inc/public/xen.h), one handler per hypercall number.
 */
#ifndef PV_HYPERCALL_H
#define PV_HYPERCALL_H

#include <inc/types.h>

struct vcpu;
struct domain;

/* A hypercall's arguments in the order the ABI numbers them. */
#define HYPERCALL_ARGS 5

/*
 * Runs v's VMMCALL / VMCALL (EXIT_HYPERCALL): the number and arguments in
 * its registers, the result in RAX, the instruction skipped.  Unknown
 * numbers return -XEN_ENOSYS, calls from CPL > 0 -XEN_EPERM.
 */
void hypercall_dispatch(struct vcpu *v);

/*
 * The handlers: args as the ABI numbers them (args[0] the sub-op, then
 * guest-linear addresses of its structs); 0, a count, or -XEN_E*.
 *   hvm_op          pv/hvm_op.c    memory types (lab 5), parameters
 *   xen_version     pv/xen.c
 *   console_io      pv/xen.c
 *   memory_op       pv/memory.c
 */
long hvm_op(struct vcpu *v, const uint64_t *args);
long xen_version(struct vcpu *v, const uint64_t *args);
long console_io(struct vcpu *v, const uint64_t *args);
long memory_op(struct vcpu *v, const uint64_t *args);

/* Drops d's mappings of [gfn, gfn+n) after their p2m entries changed
 * (pv/hvm_op.c). */
void hvm_unmap(struct domain *d, uint64_t gfn, uint64_t n);

/* __HYPERVISOR_domctl and __HYPERVISOR_sysctl (pv/domctl.c): args[0] the
 * guest-linear address of struct xen_domctl / xen_sysctl, read and
 * written back.  -XEN_EPERM unless the caller is privileged. */
long domctl(struct vcpu *v, const uint64_t *args);
long sysctl(struct vcpu *v, const uint64_t *args);

/* __HYPERVISOR_set_timer_op (pv/vcpu.c): args[0] the deadline in system
 * time, 0 to stop.  0. */
long set_timer_op(struct vcpu *v, const uint64_t *args);

/* __HYPERVISOR_vcpu_op (pv/vcpu.c): args[0] the sub-op, args[1] the vcpu,
 * args[2] its struct's guest-linear address.  0, 1 (is_up) or -XEN_E*. */
long vcpu_op(struct vcpu *v, const uint64_t *args);

/* __HYPERVISOR_sched_op (pv/vcpu.c): args[0] the sub-op, args[1] its
 * struct's guest-linear address.  0 or -XEN_E*. */
long sched_op(struct vcpu *v, const uint64_t *args);

/* __HYPERVISOR_event_channel_op (pv/evtchn.c): args[0] the sub-op,
 * args[1] its struct's guest-linear address.  0 or -XEN_E*. */
long event_channel_op(struct vcpu *v, const uint64_t *args);

#endif
