/*
 * pv.h - the paravirtual interface's state and its hooks into the core
 * (lab 6): Xen's ABI (inc/public/) for domains of type pv, in the hvm or
 * the te container, and for hvm domains with xen_platform = 1.
 *
 *   pv/hypercall.c  the dispatcher, argument copy-in and copy-out
 *   pv/xen.c        discovery (CPUID leaves, the hypercall page MSR),
 *                   xen_version, console_io
 *   pv/memory.c     memory_op: memory map, add_to_physmap, ballooning
 *   pv/hvm_op.c     hvm_op: memory types (lab 5), parameters
 *   pv/evtchn.c     event channels and the upcall
 *   pv/vcpu.c       vcpu_op, sched_op, set_timer_op, pvclock, timers
 *   pv/domctl.c     domctl and sysctl for the privileged domain
 *   pv/grant.c      grant tables (lab 7) and foreign mappings
 *   pv/ioreq.c      ioreq servers: device models in dom0 (lab 7)
 */
#ifndef PV_PV_H
#define PV_PV_H

#include <inc/types.h>
#include <kernel/dev/io.h>
#include <inc/public/xen.h>
#include <inc/public/event_channel.h>
#include <inc/public/vcpu.h>
#include <inc/public/hvm/params.h>
#include <inc/public/grant_table.h>
#include <inc/public/hvm/ioreq.h>

struct vcpu;
struct domain;

/* Ports a domain may open (the 2-level ABI allows 4096). */
#define PV_EVTCHN_PORTS 1024
#define PV_NO_GPA	(~0ULL)
#define IOREQ_PER_INSN	4 /* device model accesses one instruction makes */

/* One port, EVTCHNSTAT_* in state. */
struct evtchn {
	uint8_t state;
	uint8_t virq;	      /* EVTCHNSTAT_virq */
	uint16_t remote_dom;  /* unbound, interdomain */
	uint32_t remote_port; /* interdomain */
	uint32_t vcpu;	      /* the vcpu it notifies */
};

/* Grant tables (lab 7): at most 4 frames of 512 v1 entries. */
#define GNTTAB_MAX_FRAMES 4
#define GNTTAB_PER_FRAME  (4096 / sizeof(struct grant_entry_v1))
#define GNTTAB_MAX_REFS	  (GNTTAB_MAX_FRAMES * GNTTAB_PER_FRAME)
#define GNTTAB_MAPTRACK	  256	/* mappings a domain may hold at once */
#define GNTTAB_NO_REF	  (~0u) /* a maptrack entry of a foreign map */

/* A granted page's pins, Xen's "active entry": how many mappings of it
 * there are (all, writable), and the frame they show. */
struct gnttab_active {
	uint16_t readers, writers;
	uint32_t gfn;
};

/* One mapping a domain holds of another's page (its maptrack). */
struct gnttab_map {
	bool used;
	bool ro;
	bool revoked;	   /* the owner died: it shows gnttab_dead_page */
	domid_t dom;	   /* the page's owner */
	grant_ref_t ref;   /* its grant, or GNTTAB_NO_REF */
	uint64_t gfn;	   /* the owner's frame */
	uint64_t host_gfn; /* the mapper's frame that shows it */
};

struct gnttab {
	gpa_t frames[GNTTAB_MAX_FRAMES]; /* PV_NO_GPA until placed */
	struct gnttab_active active[GNTTAB_MAX_REFS];
	struct gnttab_map maptrack[GNTTAB_MAPTRACK];
};

#define IOREQ_PCI_MAX 8

/* An ioreq server (pv/ioreq.c): the device model of domain owner serves
 * the ranges it claimed in this domain's io tables, and the PCI
 * functions it claimed. */
struct ioreq_server {
	bool created, enabled;
	domid_t owner;
	hpa_t page; /* shared_iopage_t, one slot per vcpu */
	uint16_t pci_bdf[IOREQ_PCI_MAX]; /* bus 15:8, device 7:3, fn 2:0 */
	uint8_t npci;
};

struct pv_domain {
	bool on;	     /* the domain has Xen's ABI */
	bool privileged;     /* dom0: domctl and sysctl */
	bool paused;	     /* XEN_DOMCTL_pausedomain */
	bool driver;	     /* driver_domain: XEN_SYSCTL_bootfile, backend= */
	bool toolstack;	     /* created by dom0, whose toolstack applies
				on_crash (lab 7) */
	uint32_t cpuid_base; /* 0x40000000 (pv) or 0x40000100 */
	gpa_t shared_info;   /* PV_NO_GPA until placed */
	gpa_t ram_end;	     /* type pv: the builder's pages above; else 0 */
	uint64_t ballooned;  /* frames given back (pv/memory.c) */
	uint64_t params[HVM_NR_PARAMS];
	uint8_t callback_vector;      /* from HVM_PARAM_CALLBACK_IRQ; 0: none */
	uint32_t shutdown_reason;     /* SCHEDOP_shutdown's */
	uint16_t virq_port[NR_VIRQS]; /* global VIRQs, 0: unbound */
	struct evtchn evtchn[PV_EVTCHN_PORTS];
	struct gnttab gnttab; /* lab 7 */
	struct ioreq_server ioreq;
	uint64_t nhypercalls[XEN_HYPERCALL_MAX];
};

struct pv_vcpu {
	gpa_t vcpu_info;     /* PV_NO_GPA: shared_info's slot */
	gva_t runstate_area; /* 0: none registered */
	struct vcpu_runstate_info runstate;
	uint16_t virq_port[NR_VIRQS]; /* per-vcpu VIRQs, 0: unbound */
	uint64_t timer_ns;  /* singleshot deadline, system time; 0: off */
	uint64_t period_ns; /* periodic timer; 0: off */
	uint64_t period_next;
	bool blocked;	     /* SCHEDOP_block or SCHEDOP_poll */
	bool polling;	     /* SCHEDOP_poll: any event of the vcpu wakes it */
	uint64_t poll_until; /* SCHEDOP_poll's timeout; 0: none */
	bool down;	     /* VCPUOP_down */
	/* VCPU_IOREQ: the request it waits for and until when.  The answers
	 * to the accesses of the instruction it runs again, in order, which
	 * that run takes instead of asking again (a read-modify-write makes
	 * two); ioreq_next counts the accesses of the run (pv/ioreq.c). */
	struct ioreq ioreq;
	struct ioreq ioreq_done[IOREQ_PER_INSN];
	uint8_t ioreq_ndone, ioreq_next;
	uint32_t ioreq_port; /* its device model's port */
	uint64_t ioreq_deadline;
};

/* pv/evtchn.c */

/* Sets up d's ABI state (domain_create); 0 or -E_*. */
int pv_domain_init(struct domain *d);

/* Closes d's ports, telling their remote ends (domain_destroy). */
void pv_domain_destroy(struct domain *d);

/* A new port of d, unbound, that domain remote may bind; its number or
 * -XEN_ENOSPC. */
long evtchn_new_unbound(struct domain *d, domid_t remote);

/* Closes d's port; an interdomain peer waits for d again, unbound. */
void evtchn_close_port(struct domain *d, uint32_t port);

/* Marks port of d pending and upcalls its vcpu as the ABI says. */
void evtchn_set_pending(struct domain *d, uint32_t port);

/* v's vcpu_info (registered, or shared_info's slot), or NULL. */
struct vcpu_info *pv_vcpu_info(struct vcpu *v);

/* d's shared_info, or NULL until the guest placed it. */
struct shared_info *pv_shared_info(struct domain *d);

/* Raises virq of v (per-vcpu VIRQs) or of d (global: v NULL), if bound. */
void evtchn_send_virq(struct domain *d, struct vcpu *v, unsigned virq);

/*
 * The vector to deliver to v now (its domain's callback vector, while
 * evtchn_upcall_pending is set and evtchn_upcall_mask clear), or -1.  The
 * backends ask after the local APIC; the caller checks RFLAGS.IF.
 */
int pv_upcall_vector(struct vcpu *v);

/* pv/vcpu.c */

/* Whether v, blocked or halted, has an event or a due timer to wake it
 * (fires due timers first). */
bool pv_can_wake(struct vcpu *v);

/* The scheduler switches v in (fires due timers, runstate running,
 * pvclock) or out (runstate runnable, blocked or offline). */
void pv_vcpu_switch(struct vcpu *v, bool in);

/* Updates v's pvclock (vcpu_info.time) before it runs. */
void pv_time_update(struct vcpu *v);

/* The system time in ns: what vcpu_time_info describes. */
uint64_t pv_system_time(void);

/* Fills shared_info's wall clock (at system time 0), once the guest placed
 * it (pv/memory.c's add_to_physmap; the te builder's page at start). */
void pv_wallclock_update(struct domain *d);

/* pv/hvm_op.c */

/*
 * The xenstore ring the domain builder zeroed at gpa (lab 7): recorded in
 * HVM_PARAM_STORE_PFN, with a new port unbound for domain 0 in
 * HVM_PARAM_STORE_EVTCHN.  The port, or -XEN_ENOSPC.
 */
long pv_store_init(struct domain *d, gpa_t gpa);

/* A xen_platform hvm domain's unplug ports (kernel/dev/platform.c); 0 or
 * -E_*. */
int hvm_platform_init(struct domain *d);

/* pv/xen.c */

/* Fills d's hypercall page at guest-physical gpa (page aligned, RAM) with
 * the stubs of d's container and vendor; 0 or -E_INVAL. */
int pv_hypercall_page(struct domain *d, gpa_t gpa);

/* CPUID leaves at d's Xen base; false when leaf is not one of them. */
bool pv_cpuid(struct vcpu *v, uint32_t leaf, uint32_t subleaf,
	      uint32_t regs[4]);

/* WRMSR to XEN_HYPERCALL_MSR: fills the hypercall page for v's container
 * and vendor.  False for another MSR or a domain without Xen's ABI. */
bool pv_wrmsr(struct vcpu *v, uint32_t msr, uint64_t val, int *err);

/* pv/domctl.c */

/* CONSOLEIO_read: up to count bytes of v's console input to guest-linear
 * buf; how many, or -XEN_E*. */
long console_io_read(struct vcpu *v, uint64_t count, uint64_t buf);

/* pv/grant.c (lab 7) */

/* An empty grant table and maptrack (pv_domain_init). */
void gnttab_domain_init(struct domain *d);

/* d goes (domain_destroy, before its memory): every mapping another
 * domain holds of d's pages is removed, then d's own, releasing pins. */
void gnttab_domain_destroy(struct domain *d);

/* Whether another domain (or d itself) maps d's frame gfn (~0: any): d
 * may not give it back (decrease_reservation). */
bool gnttab_frame_mapped(struct domain *d, uint64_t gfn);

/* Whether d holds foreign mappings or has pages mapped elsewhere: it may
 * not be saved or migrated. */
bool gnttab_busy(struct domain *d);

/* XENMAPSPACE_grant_table: frame idx of d's table at RAM frame gfn (its
 * entries zeroed); 0 or -XEN_EINVAL. */
long gnttab_place(struct domain *d, uint64_t idx, uint64_t gfn);

/* Maps frame gfn of fd at d's absent frame host_gfn (privileged
 * caller, XENMAPSPACE_gmfn_foreign); 0 or -XEN_E*. */
long gnttab_map_foreign(struct domain *d, struct domain *fd, uint64_t gfn,
			uint64_t host_gfn);

/* Makes d's frame host_gfn, foreign or grant-mapped, absent again;
 * 0 or -XEN_EINVAL. */
long gnttab_remove(struct domain *d, uint64_t host_gfn);

/* Maps host page hpa, which belongs to domain owner, at d's absent frame
 * host_gfn as a foreign mapping (revoked when owner goes); 0 or -XEN_E*. */
long gnttab_map_page(struct domain *d, struct domain *owner, hpa_t hpa,
		     uint64_t host_gfn);

/* pv/ioreq.c */

/* Whether port or MMIO range r is claimed by a device model. */
bool ioreq_claims(const struct io_range *r);

/*
 * Forwards v's access (count elements of size at addr; type IOREQ_TYPE_*;
 * with is_ptr, *data is the guest-physical address of the elements) to
 * its domain's device model.  0 when it is answered (a read's value in
 * *data), or -E_AGAIN when v now waits (VCPU_IOREQ) and must run the
 * instruction again once woken (ioreq_poll).
 */
int ioreq_forward(struct vcpu *v, uint8_t type, uint64_t addr, unsigned size,
		  uint32_t count, bool write, bool is_ptr, bool df,
		  uint64_t *data);

/*
 * A configuration access (port 0xcfc-0xcff, CONFIG_ADDRESS cf8) of a
 * function kernel/dev/pci.c does not have: forwarded when d's device
 * model claimed it, else all ones as a master abort.  As ioreq_forward.
 */
int ioreq_pci(struct domain *d, uint32_t cf8, uint16_t port, unsigned size,
	      bool write, uint64_t *val);

/*
 * Brackets one run of an instruction of v that may reach a device model
 * (an I/O exit, an emulated instruction): the start counts its accesses
 * from the first again; the end, when the run reached a device model
 * and v does not wait, forgets the answers, the instruction being done.
 */
void ioreq_insn_start(struct vcpu *v);
void ioreq_insn_end(struct vcpu *v);

/* A VCPU_IOREQ vcpu: wakes it when answered, crashes its domain after a
 * timeout, a garbage answer or the device model's end. */
void ioreq_poll(struct vcpu *v);

/* d goes (domain_destroy, after gnttab_domain_destroy): its server's
 * page and ports. */
void ioreq_domain_destroy(struct domain *d);

/* XENMEM_acquire_resource: d's ioreq page at v's absent frame host_gfn,
 * for v's domain, d's device model; 0 or -XEN_E*. */
long ioreq_acquire(struct vcpu *v, struct domain *d, uint64_t frame,
		   uint64_t host_gfn);

/* pv/hypercall.c */

/* A host pointer to len bytes of d's RAM at gpa (populated, within one
 * page), or NULL. */
void *pv_map(struct domain *d, gpa_t gpa, size_t len);

#endif
