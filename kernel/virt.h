/*
 * virt.h - the one interface between the vendor-neutral core and a hardware
 * virtualization backend (svm/ for AMD-V, vmx/ for VT-x), lab 3.
 *
 * A backend fills one const struct virt_ops; virt_hw() picks the backend
 * the CPU supports.  Core code calls the virt_* wrappers below, never the
 * table, but for the lifecycle hooks kernel/domain.c calls.  After every
 * run the backend has decoded the hardware exit into vcpu->exit (an enum
 * exit_kind plus fields), which kernel/exit.c dispatches.
 */
#ifndef KERNEL_VIRT_H
#define KERNEL_VIRT_H

#include <inc/types.h>
#include <inc/x86.h>

struct vcpu;
struct domain;
struct paging_regs;

/* Why the guest stopped running, vendor-neutral. */
enum exit_kind {
	EXIT_CPUID,	   /* CPUID executed */
	EXIT_IO,	   /* IN/OUT/INS/OUTS on an intercepted port */
	EXIT_MSR_READ,	   /* RDMSR */
	EXIT_MSR_WRITE,	   /* WRMSR */
	EXIT_HLT,	   /* HLT */
	EXIT_HYPERCALL,	   /* VMMCALL / VMCALL */
	EXIT_CR_ACCESS,	   /* MOV to/from CRn, LMSW, CLTS */
	EXIT_SHUTDOWN,	   /* triple fault */
	EXIT_GPA_FAULT,	   /* nested page fault / EPT violation */
	EXIT_INTR,	   /* a host interrupt arrived (timer) */
	EXIT_INVALID_INSN, /* a virtualization instruction: #UD for guests */
	EXIT_ENTRY_FAIL,   /* VMRUN/VMLAUNCH refused the guest state */
	EXIT_XSETBV,	   /* XSETBV */
	EXIT_PAGE_FAULT,   /* a guest #PF, intercepted for shadow paging */
	EXIT_INVLPG,	   /* INVLPG, intercepted for shadow paging */
	EXIT_DEBUG,	   /* #BP or #DB while GDB debugs it (gdbstub.c) */
	EXIT_UNKNOWN,	   /* anything else the backend cannot name */
	EXIT_NKINDS
};

/* Registers the backend keeps in its control structure (VMCB/VMCS). */
enum vreg {
	VREG_RIP,
	VREG_RFLAGS,
	VREG_CR0,
	VREG_CR2,
	VREG_CR3,
	VREG_CR4,
	VREG_EFER,
	VREG_PAT,
	VREG_STAR,
	VREG_LSTAR,
	VREG_CSTAR,
	VREG_SFMASK,
	VREG_KERNEL_GS_BASE,
	VREG_SYSENTER_CS,
	VREG_SYSENTER_ESP,
	VREG_SYSENTER_EIP,
	VREG_DR7,
	VREG_CPL,
	VREG_INTR_SHADOW, /* 1 after STI or MOV SS: interrupts blocked once */
	VREG_NMI_BLOCKED, /* 1 from an NMI's delivery to its IRET (VT-x) */
	VREG_COUNT
};

/*
 * A segment register with its hidden part.  attr uses the descriptor's
 * attribute bits packed as in the VMCB: type(3:0) S(4) DPL(6:5) P(7)
 * AVL(8) L(9) D/B(10) G(11).
 */
struct vseg_desc {
	uint16_t sel;
	uint16_t attr;
	uint32_t limit;
	uint64_t base;
};

#define SEG_ATTR_DPL_SHIFT 5
#define SEG_ATTR_DPL	   (3u << SEG_ATTR_DPL_SHIFT)
#define SEG_ATTR_P	   (1u << 7)
#define SEG_ATTR_L	   (1u << 9)
#define SEG_ATTR_DB	   (1u << 10)
#define SEG_ATTR_G	   (1u << 11)

/* An event to inject at the next entry. */
enum event_type {
	EVENT_EXTINT = 0, /* external interrupt */
	EVENT_NMI = 2,
	EVENT_EXCEPTION = 3,
	EVENT_SOFTINT = 4,
};

struct virt_event {
	uint8_t vector;
	enum event_type type;
	bool has_error;
	uint32_t error;
	/* VT-x, software interrupts and exceptions: the instruction's
	 * length (0: the last exit's, v->exit.insn_len) */
	uint8_t insn_len;
};

/* Decoded fields of the last exit. */
struct exit_io {
	uint16_t port;
	uint8_t size; /* 1, 2 or 4 bytes */
	bool in;      /* IN/INS (else OUT/OUTS) */
	bool string;  /* INS/OUTS: the emulator decodes the rest */
};

enum cr_op {
	CR_OP_MOV,  /* MOV to/from CRn */
	CR_OP_CLTS, /* CLTS: clear CR0.TS */
	CR_OP_LMSW, /* LMSW from a register */
};

struct exit_cr {
	enum cr_op op;
	uint8_t cr;   /* control register number */
	bool write;   /* a write (else MOV from CR) */
	enum gpr gpr; /* the general register operand (MOV, LMSW) */
};

/* A nested fault (SVM #NPF, VT-x EPT violation or misconfiguration),
 * decoded for kernel/mm/nested.c (lab 5). */
struct exit_gpa_fault {
	gpa_t gpa;
	bool write;
	bool fetch;
	bool misconfig; /* a nested entry hvlab wrote is malformed */
};

/*
 * What GDB's stub (kernel/gdbstub.c) asks of the backend before each
 * entry, in vcpu->debug: with VIRT_DEBUG_TRAP the guest's #BP and #DB
 * exit as EXIT_DEBUG (RIP at the INT3 for #BP); with VIRT_DEBUG_STEP
 * it runs one instruction under RFLAGS.TF, which the backend clears
 * again at the exit.
 */
#define VIRT_DEBUG_TRAP 1u
#define VIRT_DEBUG_STEP 2u

/* EXIT_DEBUG: the vector, and for #DB the DR6 bits that say why. */
struct exit_debug {
	uint8_t vector;
	uint64_t dr6;
};

/* A guest #PF (shadow paging): CR2 and the error code the CPU gave. */
struct exit_page_fault {
	gva_t la;
	uint32_t error; /* PFEC_* */
};

struct vcpu_exit {
	enum exit_kind kind;
	uint64_t hw_code;  /* raw exit code/reason, for logs and dumps */
	uint64_t hw_info1; /* raw qualification, for logs and dumps */
	uint64_t hw_info2;
	uint8_t insn_len; /* bytes to skip when the exit is emulated */
	bool vectoring;	  /* it interrupted the delivery of an event */
	union {
		struct exit_io io;
		struct exit_cr cr;
		struct exit_gpa_fault gpa;
		struct exit_page_fault pf;
		gva_t invlpg_la; /* EXIT_INVLPG: the linear address */
		struct exit_debug debug;
	};
};

struct nested_format;

struct virt_ops {
	const char *name;
	/* The entry format of its nested tables (NPT, EPT); NULL for te. */
	const struct nested_format *nested;
	/* Shadow paging runs guests only with CR0.PE set (VT-x: real mode
	 * needs unrestricted guest, hence EPT; SVM has paged real mode). */
	bool shadow_pe_only;
	/* Turns virtualization on for this CPU; 0 or -E_*. */
	int (*cpu_enable)(void);
	/* Sets up d's backend state (its nested root is d->nested.root,
	 * allocated by the core); 0 or -E_*. */
	int (*domain_init)(struct domain *d);
	void (*domain_destroy)(struct domain *d); /* NULL: nothing to free */
	/* Allocates and initializes v's control structure; 0 or -E_*. */
	int (*vcpu_init)(struct vcpu *v);
	void (*vcpu_destroy)(struct vcpu *v);
	/* Enters the guest and returns at the next exit, v->exit filled. */
	void (*vcpu_run)(struct vcpu *v);
	/* v's scheduler slice begins (in) or ends: state switched once per
	 * slice instead of at every exit while v->lazy_state (lab 8,
	 * virt_slice).  NULL: nothing to do. */
	void (*slice)(struct vcpu *v, bool in);
	uint64_t (*reg_read)(struct vcpu *v, enum vreg r);
	void (*reg_write)(struct vcpu *v, enum vreg r, uint64_t val);
	void (*seg_read)(struct vcpu *v, enum vseg s, struct vseg_desc *out);
	void (*seg_write)(struct vcpu *v, enum vseg s,
			  const struct vseg_desc *in);
	/* Queues ev for delivery at the next entry. */
	void (*inject_event)(struct vcpu *v, const struct virt_event *ev);
	/* Takes the event queued for the next entry into *ev (migration,
	 * lab 5); false when none is queued. */
	bool (*take_event)(struct vcpu *v, struct virt_event *ev);
	/*
	 * Shadow paging (lab 4, kernel/mm/shadow.h): loads the CR0, CR3, CR4
	 * and EFER the CPU runs v with (hw), and the values the guest reads
	 * without an exit (guest: VT-x's read shadows, te's virtual CRs).
	 */
	void (*load_paging)(struct vcpu *v, const struct paging_regs *guest,
			    const struct paging_regs *hw);
	/* Drops v's cached translations, linear and guest-physical (NPT,
	 * EPT), before its next entry. */
	void (*flush_tlb)(struct vcpu *v);
	/* Prints the control structure and guest state (virt_dump adds
	 * the segments and general registers). */
	void (*dump)(struct vcpu *v);
	/* make bench-exit-path's bare loop (kernel/bench.c): enters v and
	 * handles its exit with nothing around either but the minimum; at a
	 * CPUID exit skips len bytes and returns 1, else 0 (a host interrupt
	 * taken), -1 if the entry failed.  NULL: not offered (te). */
	int (*bench_cpuid)(struct vcpu *v, uint8_t len);
};

/*
 * The hardware backend the CPU supports, enabled at the first call; NULL
 * (the reason printed) when the CPU has none, and always before lab 3
 * (te domains need none).
 */
const struct virt_ops *virt_hw(void);

/* Backend wrappers: the core's way into the backend. */
void virt_vcpu_run(struct vcpu *v);
void virt_slice(struct vcpu *v, bool in);
/* Lab 8: the state switches the backends ran so far (VMLOADs, VMSAVEs,
 * MSR-list entries, RDMSRs, WRMSRs), counted for kernel/bench.c. */
extern uint64_t virt_world_ops;
void virt_seg_write(struct vcpu *v, enum vseg s, const struct vseg_desc *in);
void virt_inject_event(struct vcpu *v, const struct virt_event *ev);
bool virt_take_event(struct vcpu *v, struct virt_event *ev);
void virt_load_paging(struct vcpu *v, const struct paging_regs *guest,
		      const struct paging_regs *hw);
void virt_flush_tlb(struct vcpu *v);
void virt_dump(struct vcpu *v);
int virt_bench_cpuid(struct vcpu *v, uint8_t len);

/*
 * Loads the registers and segments of a vcpu after RESET into v through
 * the backend's reg_write and seg_write; the backend calls it once its
 * VMCB/VMCS for v is set up, and the core then sets the entry state the
 * image asks for.  DR6 is no vreg: the backends set it to DR6_RESET.
 */
void virt_vcpu_reset(struct vcpu *v);

/* Queues a hardware exception (with an error code when has_error). */
void virt_inject_exception(struct vcpu *v, uint8_t vector, bool has_error,
			   uint32_t error);

/* What virt_deliver_interrupt asks the backend to exit for. */
#define VIRT_WINDOW_INTR 1 /* RFLAGS.IF set, no shadow: an interrupt waits */
#define VIRT_WINDOW_NMI	 2 /* no shadow, no NMI blocking: an NMI waits */

/*
 * For the backend before each entry: queues a pending NMI, else the local
 * APIC's highest pending interrupt, else the Xen upcall vector
 * (pv/evtchn.c), when the guest can take one (RFLAGS.IF set, no STI or
 * MOV SS shadow, no NMI blocking) and no event is queued already.
 * Returns the VIRT_WINDOW_* of what still waits: the backend then exits
 * as soon as the guest can take it (its interrupt and NMI windows).  Sets
 * the host's timer for the guest's next timer event too.
 */
unsigned virt_deliver_interrupt(struct vcpu *v, bool event_queued);

/* Backend probes: each returns its ops if usable, else NULL (and says why). */
const struct virt_ops *svm_probe(void);
const struct virt_ops *vmx_probe(void);

#endif
