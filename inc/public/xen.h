/*
 * inc/public/xen.h - the part of Xen's public ABI (xen/include/public/
 * xen.h and errno.h) that hvlab's guests may rely on: hypercall numbers,
 * domain ids and the error numbers hypercalls return.  Lab 5 has
 * __HYPERVISOR_hvm_op (inc/public/hvm/hvm_op.h); lab 6 adds the PV
 * interface.
 *
 * Needs uint16_t (inc/types.h or <stdint.h>) included first.
 *
 * A hypercall is VMMCALL on AMD and VMCALL on Intel.  From a 64-bit guest,
 * RAX holds the number and RDI, RSI, RDX, R10, R8 the arguments; from a
 * 32-bit one, EAX and EBX, ECX, EDX, ESI, EDI.  The result comes back in
 * RAX (EAX): 0 or a positive value on success, -XEN_E* on failure.  Only
 * CPL 0 may call; other registers are kept.
 *
 *	long r;
 *	asm volatile("vmmcall" : "=a"(r)
 *		     : "a"(__HYPERVISOR_hvm_op), "D"(op), "S"(arg) : "memory");
 */
#ifndef INC_PUBLIC_XEN_H
#define INC_PUBLIC_XEN_H

/* Hypercall numbers. */
#define __HYPERVISOR_hvm_op 34

typedef uint16_t domid_t;

/* The calling domain, wherever a domid_t is asked for. */
#define DOMID_SELF 0x7FF0U

/* Error numbers (Xen's errno.h): hypercalls return their negation. */
#define XEN_EPERM  1  /* not allowed, e.g. from CPL > 0 */
#define XEN_ESRCH  3  /* no such domain */
#define XEN_EFAULT 14 /* an argument's memory is not mapped */
#define XEN_EINVAL 22 /* an argument is out of range */
#define XEN_ENOSYS 38 /* no such hypercall or sub-operation */

#endif
