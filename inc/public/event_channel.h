/*
 * inc/public/event_channel.h - __HYPERVISOR_event_channel_op(cmd, arg):
 * Xen's event channels, the 2-level ABI (xen/include/public/
 * event_channel.h).  Needs inc/public/xen.h first.
 *
 * A port is a domain's end of a channel: unbound (waiting for a given
 * remote domain to bind it), interdomain (connected to a remote port),
 * VIRQ (a virtual interrupt of one vcpu) or IPI (to one vcpu of the same
 * domain).  EVTCHNOP_send on one end marks the other pending (xen.h's
 * vcpu_info describes delivery).  Ports are 1..EVTCHN_2L_NR_CHANNELS-1;
 * port 0 is never allocated.
 *
 *	struct evtchn_bind_virq b = { .virq = VIRQ_TIMER, .vcpu = 0 };
 *	if (hypercall(__HYPERVISOR_event_channel_op, EVTCHNOP_bind_virq, &b) == 0)
 *		timer_port = b.port;
 */
#ifndef INC_PUBLIC_EVENT_CHANNEL_H
#define INC_PUBLIC_EVENT_CHANNEL_H

typedef uint32_t evtchn_port_t;

#define EVTCHNOP_bind_interdomain 0
#define EVTCHNOP_bind_virq	  1
#define EVTCHNOP_close		  3
#define EVTCHNOP_send		  4
#define EVTCHNOP_status		  5
#define EVTCHNOP_alloc_unbound	  6
#define EVTCHNOP_bind_ipi	  7
#define EVTCHNOP_bind_vcpu	  8
#define EVTCHNOP_unmask		  9
#define EVTCHNOP_init_control	  11 /* FIFO ABI: -ENOSYS selects 2-level */

/* A port of dom that remote_dom may bind (dom: DOMID_SELF, or any
 * domain for a privileged caller). */
struct evtchn_alloc_unbound {
	domid_t dom, remote_dom;
	evtchn_port_t port; /* OUT */
};

/* Connects a new local port to remote_dom's unbound remote_port. */
struct evtchn_bind_interdomain {
	domid_t remote_dom;
	evtchn_port_t remote_port;
	evtchn_port_t local_port; /* OUT */
};

/* Binds VIRQ virq of vcpu (global VIRQs: vcpu 0) to a new port;
 * -EEXIST if it is bound already. */
struct evtchn_bind_virq {
	uint32_t virq;
	uint32_t vcpu;
	evtchn_port_t port; /* OUT */
};

struct evtchn_bind_ipi {
	uint32_t vcpu;
	evtchn_port_t port; /* OUT */
};

struct evtchn_close {
	evtchn_port_t port;
};

struct evtchn_send {
	evtchn_port_t port;
};

#define EVTCHNSTAT_closed      0
#define EVTCHNSTAT_unbound     1
#define EVTCHNSTAT_interdomain 2
#define EVTCHNSTAT_pirq	       3
#define EVTCHNSTAT_virq	       4
#define EVTCHNSTAT_ipi	       5

struct evtchn_status {
	domid_t dom;
	evtchn_port_t port;
	uint32_t status; /* OUT: EVTCHNSTAT_* */
	uint32_t vcpu;	 /* OUT: the vcpu it notifies */
	union {
		struct {
			domid_t dom;
		} unbound;
		struct {
			domid_t dom;
			evtchn_port_t port;
		} interdomain;
		uint32_t virq;
	} u; /* OUT */
};

/* Notifies vcpu instead (not for VIRQs bound per vcpu). */
struct evtchn_bind_vcpu {
	evtchn_port_t port;
	uint32_t vcpu;
};

/* Clears the port's mask bit and, if it is pending, delivers it again. */
struct evtchn_unmask {
	evtchn_port_t port;
};

_Static_assert(sizeof(struct evtchn_alloc_unbound) == 8, "alloc_unbound");
_Static_assert(__builtin_offsetof(struct evtchn_bind_interdomain,
				  remote_port) == 4,
	       "bind_interdomain.remote_port");
_Static_assert(sizeof(struct evtchn_bind_interdomain) == 12,
	       "bind_interdomain");
_Static_assert(sizeof(struct evtchn_bind_virq) == 12, "bind_virq");
_Static_assert(__builtin_offsetof(struct evtchn_status, u) == 16,
	       "evtchn_status.u");
_Static_assert(sizeof(struct evtchn_status) == 24, "evtchn_status");

#endif
