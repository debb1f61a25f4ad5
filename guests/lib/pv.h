/*
 * pv.h - the PV guest library (guests/lib, lab 6): a guest kernel of
 * Xen's ABI (inc/public/) that runs unchanged in hvlab's two containers
 * for type "pv" domains, the hvm container (PVH-style, entered at
 * XEN_ELFNOTE_PHYS32_ENTRY) and the te container (classic PV, entered at
 * XEN_ELFNOTE_ENTRY).  guest.h's reports, command line and printf work
 * as in HVM guests; the console is console_io and the end a shutdown.
 *
 * Before main() the start code (entrypv.S, pv.c) has found Xen's CPUID
 * leaves, installed the hypercall page, placed shared_info, routed events
 * to an upcall handler on PV_UPCALL_VECTOR (HVM_PARAM_CALLBACK_IRQ, type
 * vector) with every port masked, bound VIRQ_TIMER (pv_timer_port) and
 * enabled interrupts:
 *
 *	static volatile int pinged;
 *	static void on_ping(evtchn_port_t port, void *arg) { pinged = 1; }
 *
 *	void main(void)
 *	{
 *		long port = evtchn_bind_ipi(0, on_ping, NULL);
 *
 *		evtchn_send(port);
 *		report(pv_block_until(&pinged, pv_time_ns() + 1000000),
 *		       "an IPI to myself");
 *	}
 *
 * A hypercall is a call into the hypercall page (xen.h's convention):
 * RAX the number, RDI, RSI, RDX, R10, R8 the arguments, result in RAX.
 *
 * An hvm guest of guest.h's Multiboot start code in a domain with
 * xen_platform = 1 gets the same from pvhvm_init (pvhvm.c), as Linux's
 * PVHVM start does: then the xenstore client, the grant table, blkfront
 * and netfront work as in a pv domain.
 */
#ifndef GUESTS_LIB_PV_H
#define GUESTS_LIB_PV_H

/* pv_start's first argument, from the entry the builder took. */
#define PV_CONTAINER_HVM 0
#define PV_CONTAINER_TE	 1

/* The callback vector events arrive on (Linux uses 0xf3 too). */
#define PV_UPCALL_VECTOR 0xf3

/* Xen's errno for a device that is not there (pvhvm_init, blkfront.h). */
#define XEN_ENODEV 19

#ifndef __ASSEMBLER__

#include <guests/lib/guest.h>
#include <inc/public/xen.h>
#include <inc/public/event_channel.h>
#include <inc/public/sched.h>
#include <inc/public/vcpu.h>
#include <inc/public/memory.h>
#include <inc/public/version.h>
#include <inc/public/domctl.h>
#include <inc/public/hvm/hvm_op.h>
#include <inc/public/hvm/params.h>
#include <inc/public/hvm/start_info.h>

/* What the domain builder told the guest, from either start structure. */
struct pv_boot {
	int container;	     /* PV_CONTAINER_* */
	const char *cmdline; /* "" when none */
	uint64_t ram_bytes;  /* RAM the memory map gives the guest */
	uint64_t mod_start;  /* the first module (ramdisk), or 0 */
	uint64_t mod_len;
	bool privileged;	     /* SIF_PRIVILEGED: dom0 */
	uint32_t cpuid_base;	     /* where Xen's CPUID leaves were found */
	const struct start_info *si; /* te container, else NULL */
	const struct hvm_start_info *hvm_si; /* hvm container, else NULL */
};
extern struct pv_boot pv_boot;

/* The domain's shared_info page (placed before main()). */
extern struct shared_info *HYPERVISOR_shared_info;

/* The hypercall page, 32 bytes per hypercall number. */
extern uint8_t hypercall_page[4096];

/* Whether the guest runs in the te container (CPL 3, no VT-x/SVM). */
static inline bool pv_in_te(void)
{
	return pv_boot.container == PV_CONTAINER_TE;
}

/* CPUID as the hypervisor describes it: te runs a bare CPUID natively,
 * so it goes through the emulation prefix there (inc/public/te.h). */
struct cpuid_regs pv_cpuid(uint32_t leaf, uint32_t subleaf);

/*
 * Hypercall nr through the page with up to five arguments; returns RAX.
 * The hypervisor may change the argument registers, as Xen's may.
 */
static inline long _hypercall(unsigned nr, unsigned long a1, unsigned long a2,
			      unsigned long a3, unsigned long a4,
			      unsigned long a5)
{
	register unsigned long r10 __asm__("r10") = a4;
	register unsigned long r8 __asm__("r8") = a5;
	long r;

	__asm__ volatile("call *%[stub]"
			 : "=a"(r), "+D"(a1), "+S"(a2), "+d"(a3), "+r"(r10),
			   "+r"(r8)
			 : [stub] "r"(hypercall_page + nr * 32)
			 : "memory", "rcx", "r9", "r11");
	return r;
}

#define _hypercall1(nr, a1) _hypercall(nr, (unsigned long)(a1), 0, 0, 0, 0)
#define _hypercall2(nr, a1, a2) \
	_hypercall(nr, (unsigned long)(a1), (unsigned long)(a2), 0, 0, 0)
#define _hypercall3(nr, a1, a2, a3)                              \
	_hypercall(nr, (unsigned long)(a1), (unsigned long)(a2), \
		   (unsigned long)(a3), 0, 0)

/* The hypercalls of inc/public, one wrapper each, Linux's names. */
static inline long HYPERVISOR_memory_op(unsigned cmd, void *arg)
{
	return _hypercall2(__HYPERVISOR_memory_op, cmd, arg);
}

static inline long HYPERVISOR_set_timer_op(uint64_t timeout_ns)
{
	return _hypercall1(__HYPERVISOR_set_timer_op, timeout_ns);
}

static inline long HYPERVISOR_xen_version(int cmd, void *arg)
{
	return _hypercall2(__HYPERVISOR_xen_version, cmd, arg);
}

static inline long HYPERVISOR_console_io(int cmd, int count, char *buf)
{
	return _hypercall3(__HYPERVISOR_console_io, cmd, count, buf);
}

static inline long HYPERVISOR_grant_table_op(unsigned cmd, void *uop,
					     unsigned count)
{
	return _hypercall3(__HYPERVISOR_grant_table_op, cmd, uop, count);
}

static inline long HYPERVISOR_vcpu_op(int cmd, unsigned vcpuid, void *arg)
{
	return _hypercall3(__HYPERVISOR_vcpu_op, cmd, vcpuid, arg);
}

static inline long HYPERVISOR_sched_op(int cmd, void *arg)
{
	return _hypercall2(__HYPERVISOR_sched_op, cmd, arg);
}

static inline long HYPERVISOR_event_channel_op(int cmd, void *arg)
{
	return _hypercall2(__HYPERVISOR_event_channel_op, cmd, arg);
}

static inline long HYPERVISOR_hvm_op(int op, void *arg)
{
	return _hypercall2(__HYPERVISOR_hvm_op, op, arg);
}

static inline long HYPERVISOR_domctl(struct xen_domctl *op)
{
	return _hypercall1(__HYPERVISOR_domctl, op);
}

static inline long HYPERVISOR_sysctl(struct xen_sysctl *op)
{
	return _hypercall1(__HYPERVISOR_sysctl, op);
}

/*
 * Hypercall nr without the page, as the page's stub for the container
 * traps: VMMCALL/VMCALL (hvm, guest.h's hypercall3) or INT 0x82 (te).
 * Reaches numbers beyond the page's XEN_HYPERCALL_MAX stubs.
 */
long pv_hypercall_direct(unsigned long nr, unsigned long a1, unsigned long a2,
			 unsigned long a3);

/*
 * Finds Xen's CPUID leaves (pv_boot.cpuid_base) and has the MSR they name
 * fill the hypercall page; false when there is no Xen or the page stayed
 * empty.
 */
bool pv_hypercall_init(void);

/* Places shared_info: where the te builder put it, else in a page of the
 * library (add_to_physmap); ends the guest when that is refused. */
void pv_shared_info_init(void);

/*
 * pvhvm.c: PV drivers in an hvm guest.  Finds Xen above hvlab's leaves,
 * fills the hypercall page, places shared_info, routes events to
 * PV_UPCALL_VECTOR (HVM_PARAM_CALLBACK_IRQ, type vector), binds
 * VIRQ_TIMER, enables interrupts, and has gnttab_init place the grant
 * table in the Xen platform device's BAR1 (00:02.0).  0; -XEN_ENODEV
 * when there is no platform device or no Xen, before any event or grant
 * is set up (the PC's own devices are then the guest's); another
 * -XEN_E*, printed.
 */
long pvhvm_init(void);

/* The domain's own id (from an unbound port's status), or -XEN_E*. */
long pv_domid(void);

/*
 * Moves shared_info to the guest's page (XENMEM_add_to_physmap), which
 * the hypervisor zeroes: the port masks come along, pending events do
 * not.  0 or -XEN_E*.
 */
long pv_shared_info_move(void *page);

/* HVMOP_get_param / set_param of DOMID_SELF; 0 or -XEN_E*. */
long hvm_get_param(uint32_t index, uint64_t *value);
long hvm_set_param(uint32_t index, uint64_t value);

/*
 * SCHEDOP_shutdown with reason (SHUTDOWN_*) after the console is
 * flushed; returns only if the hypervisor refused, with its error.
 */
long pv_shutdown(unsigned reason);

/* Sends what the console holds (a partial line) through console_io. */
void pv_console_flush(void);

/* pvclock.c: time */

/* The port of VIRQ_TIMER, which pv_start binds: set_timer_op and the
 * vcpu_op timers raise it, and SCHEDOP_block wakes on its event. */
extern evtchn_port_t pv_timer_port;

/* Binds VIRQ_TIMER of vcpu 0 to pv_timer_port (pv_start). */
void pv_timer_init(void);

/* The vcpu's system time in ns (vcpu_time_info, version protocol). */
uint64_t pv_time_ns(void);

/* The wall clock at system time 0 (shared_info.wc_*), in seconds. */
uint64_t pv_wallclock_sec(void);

/*
 * Blocks (SCHEDOP_block, interrupts enabled for the upcall) until *flag
 * is non-zero (flag NULL: never) or system time reaches deadline_ns (0:
 * no deadline, arm no timer); returns whether *flag was set.  Arms the
 * set_timer_op timer.
 */
bool pv_block_until(volatile int *flag, uint64_t deadline_ns);

/*
 * Arms set_timer_op ns from now and blocks until VIRQ_TIMER has come
 * (however late a slow machine makes it); false if the timer was refused.
 */
bool pv_sleep(uint64_t ns);

/* event.c: event channels (2-level ABI) */

/* What runs, in the upcall, for each pending event on port. */
typedef void (*evtchn_handler_t)(evtchn_port_t port, void *arg);

/* Masks every port and routes events to the upcall handler (pv_start). */
void evtchn_init(void);

/* The vcpu's vcpu_info (shared_info's slot, or the registered one). */
struct vcpu_info *pv_vcpu_info(void);

/* Moves vcpu 0's vcpu_info to vi (VCPUOP_register_vcpu_info); 0 or
 * -XEN_E*.  The library then reads it there. */
long pv_register_vcpu_info(struct vcpu_info *vi);

/* Sets handler for port and unmasks it (EVTCHNOP_unmask). */
void evtchn_bind(evtchn_port_t port, evtchn_handler_t handler, void *arg);

/* Masks port (shared_info.evtchn_mask) / unmasks it (EVTCHNOP_unmask,
 * which re-delivers a pending event). */
void evtchn_mask(evtchn_port_t port);
long evtchn_unmask(evtchn_port_t port);

/* Events handled on port since boot (the upcall counts each). */
unsigned evtchn_count(evtchn_port_t port);

/* Upcalls taken since boot. */
unsigned evtchn_upcalls(void);

/*
 * STI, then, if an upcall is pending, a hypercall: the hypervisor injects
 * only on entry, so an upcall marked while interrupts were off would
 * wait for the next exit otherwise (Linux's xen_force_evtchn_callback).
 */
void pv_irq_enable(void);

/*
 * The EVTCHNOP_* calls: a new port, bound to handler (NULL: none, stays
 * masked), or -XEN_E*.
 */
long evtchn_bind_virq(uint32_t virq, uint32_t vcpu, evtchn_handler_t handler,
		      void *arg);
long evtchn_bind_ipi(uint32_t vcpu, evtchn_handler_t handler, void *arg);
long evtchn_alloc_unbound(domid_t remote_dom);
long evtchn_bind_interdomain(domid_t remote_dom, evtchn_port_t remote_port,
			     evtchn_handler_t handler, void *arg);

/* EVTCHNOP_send / close (which also masks the port and forgets its
 * handler); 0 or -XEN_E*. */
long evtchn_send(evtchn_port_t port);
long evtchn_close(evtchn_port_t port);

/* EVTCHNOP_status of DOMID_SELF's port into *st; 0 or -XEN_E*. */
long evtchn_status(evtchn_port_t port, struct evtchn_status *st);

/* Whether port's pending bit is set in shared_info. */
bool evtchn_is_pending(evtchn_port_t port);

/* Clears port's pending bit (as the upcall does for a masked port's
 * event the guest consumed itself). */
void evtchn_clear_pending(evtchn_port_t port);

#endif /* __ASSEMBLER__ */
#endif
