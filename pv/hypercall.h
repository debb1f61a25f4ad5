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

#endif
