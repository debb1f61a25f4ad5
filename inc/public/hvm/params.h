/*
 * inc/public/hvm/params.h - HVMOP_set_param / HVMOP_get_param
 * (xen/include/public/hvm/params.h, hvm_op.h).  Needs inc/public/xen.h.
 */
#ifndef INC_PUBLIC_HVM_PARAMS_H
#define INC_PUBLIC_HVM_PARAMS_H

#define HVMOP_set_param 0
#define HVMOP_get_param 1

struct xen_hvm_param {
	domid_t domid; /* DOMID_SELF */
	uint16_t pad;
	uint32_t index; /* HVM_PARAM_* */
	uint64_t value;
};

/*
 * How events reach the guest: bits 63:56 the type, the rest its value.
 * hvlab delivers type 2, a vector injected directly (no local APIC EOI),
 * in both containers; 0 turns upcalls off.
 */
#define HVM_PARAM_CALLBACK_IRQ	       0
#define HVM_PARAM_CALLBACK_TYPE_VECTOR 2
#define HVM_PARAM_STORE_PFN	       1 /* lab 7 */
#define HVM_PARAM_STORE_EVTCHN	       2
#define HVM_PARAM_CONSOLE_PFN	       17
#define HVM_PARAM_CONSOLE_EVTCHN       18
#define HVM_NR_PARAMS		       39

_Static_assert(sizeof(struct xen_hvm_param) == 16, "xen_hvm_param");

#endif
