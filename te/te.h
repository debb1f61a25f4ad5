/*
 * te.h - the trap-and-emulate backend (lab 2; labs/lab2.md): a classic
 * software VMM behind the same struct virt_ops as svm/ and vmx/.  Its
 * 64-bit, one-vcpu guests run deprivileged at CPL 3 (ring compression:
 * the virtual CPL picks the shadow's kernel or user view, lab 4).
 */
#ifndef TE_TE_H
#define TE_TE_H

#include <inc/types.h>
#include <kernel/trap.h>
#include <kernel/virt.h>

struct vcpu;
struct domain;

struct te_vcpu {
	/* The hardware frame the guest is entered with and left by. */
	struct trapframe tf;
	/* Guest-visible registers: CR2, MSRs, RFLAGS with the virtual IF,
	 * the virtual CPL (0 or 3); RIP mirrors tf.rip.  CR0, CR3, CR4 and
	 * EFER are the shadow's (virt_reg_read). */
	uint64_t vregs[VREG_COUNT];
	struct vseg_desc segs[VSEG_COUNT];
	hpa_t root;	     /* the shadow root the CPU runs the guest on */
	uint64_t fault_cr2;  /* CR2 of the last host #PF or te_read/te_write */
	uint32_t fault_pfec; /* its error code, for te_read/te_write */
	uint8_t tpr;	     /* virtual CR8 */
	bool halted;	     /* HLT with the virtual IF set */
	bool timer_on;	     /* the guest enabled its virtual timer */
	bool timer_pending;  /* a tick waits for the virtual IF */
	uint64_t ticks_seen; /* preempt_tick_count() at the last check */
	uint64_t ticks_delivered;
	bool event_valid; /* an exception queued by inject_event */
	bool event_seen;  /* event holds one, queued or delivered */
	struct virt_event event;
	bool booted; /* the boot registers have been set up */
};

/*
 * te/entry.S.  te_enter loads every register from tf (the stack order of
 * struct trapframe), IRETs to the guest, and returns when te_leave is
 * called from the trap taken at CPL 3.  te_leave never returns.
 *   void te_enter(struct trapframe *tf);   %rdi = tf
 *   void te_leave(void);
 */
void te_enter(struct trapframe *tf);
void te_leave(void) __attribute__((noreturn));

/* te.c: the ops table when te_cpu_enable succeeded, else NULL. */
const struct virt_ops *te_ops(void);
/* te.c: whether host CR4.UMIP is set while te guests run. */
bool te_umip(void);

/* exit.c: the vcpu running at CPL 3 right now, or NULL. */
extern struct vcpu *te_current;
/* exit.c: trap() calls it for every trap taken at CPL 3. */
void te_trap(struct trapframe *tf) __attribute__((noreturn));
/* exit.c: handles the trap in v->arch.te.tf; true if v may re-enter the
 * guest at once, false when v->exit holds an exit for the core. */
bool te_handle_trap(struct vcpu *v);
/* reflect.c: delivers a pending event or virtual timer tick; false if the
 * domain crashed. */
bool te_deliver(struct vcpu *v);
/* reflect.c: the domain's paravirtual port device (inc/public/te.h). */
int te_pv_init(struct domain *d);

#endif
