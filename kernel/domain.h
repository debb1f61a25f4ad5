/*
 * domain.h - domains and vcpus, the vendor-neutral core of the hypervisor
 * (labs 2 and 3).
 *
 * A domain owns its guest-physical memory (the p2m), its emulated devices
 * and its vcpus; a vcpu holds the guest's general registers, the decoded
 * last exit and the backend's private state.  Only the backend in use
 * touches its member of vcpu->arch and domain->arch.
 */
#ifndef KERNEL_DOMAIN_H
#define KERNEL_DOMAIN_H

#include <inc/types.h>
#include <kernel/load/config.h>
#include <kernel/dev/io.h>
#include <kernel/mm/p2m.h>
#include <kernel/mm/nested.h>
#include <kernel/mm/shadow.h>
#include <kernel/dev/uart.h>
#include <kernel/console.h>
#include <kernel/dev/testdev.h>
#include <kernel/dev/fw_cfg.h>
#include <kernel/dev/vlapic.h>
#include <kernel/dev/irq.h>
#include <kernel/dev/chipset.h>
#include <kernel/virt.h>
#include <kernel/bench.h>
#include <kernel/xstate.h>
#include <svm/svm.h>
#include <te/te.h>
#include <pv/pv.h>
#include <vmx/vmx.h>

struct boot_info;

#define DOMAIN_MAX 16
#define VCPU_MAX   CONFIG_VCPUS_MAX

enum domain_state {
	DOMAIN_FREE,	/* slot unused */
	DOMAIN_RUNNING, /* has vcpus to schedule */
	DOMAIN_EXITED,	/* the guest reported its exit status */
	DOMAIN_CRASHED, /* the guest did something fatal */
};

enum vcpu_state {
	VCPU_RUNNABLE,
	VCPU_HALTED,	/* HLT: waits for an interrupt */
	VCPU_WAIT_SIPI, /* an application processor never started */
	VCPU_STOPPED,	/* its domain is over */
	VCPU_IOREQ,	/* waits for a device model's answer (pv/ioreq.c) */
};

struct vcpu {
	struct domain *domain;
	int id;
	enum vcpu_state state;
	/* Guest GPRs by x86 register number; RSP and RAX are synced by the
	 * backend with its control structure around each entry. */
	uint64_t gprs[GPR_COUNT];
	struct vcpu_exit exit;
	unsigned debug; /* VIRT_DEBUG_*: what GDB's stub asks (virt.h) */
	uint64_t nexits;
	uint64_t run_tsc; /* TSC ticks it has run (getdomaininfo) */
	/* Lab 8: this slice keeps the guest's VMLOAD state (SVM) or list
	 * MSRs (VT-x) in the CPU across its exits (kernel/virt.c). */
	bool lazy_state;
	struct vlapic lapic;
	/* x87/SSE/AVX, XCR0 and debug registers: neither VMRUN nor VM entry
	 * switches them, and the hypervisor itself never uses them. */
	struct vcpu_xstate xs;
	struct shadow_vcpu shadow; /* lab 4: when the domain shadows paging */
	struct pv_vcpu pv;	   /* lab 6: when the domain has Xen's ABI */
	union {
		struct svm_vcpu svm;
		struct vmx_vcpu vmx;
		struct te_vcpu te;
	} arch;
};

/* What `make bench-exits` measures (bench.c). */
struct bench_stats {
	uint64_t first[EXIT_NKINDS]; /* TSC of the first exit of a kind */
	uint64_t last[EXIT_NKINDS];
	uint64_t loop_n; /* the guest's CPU-bound loop */
	uint64_t loop_cycles;
	uint64_t cpuid_n;     /* the guest reported its CPUID loop's end */
	uint64_t path_n;      /* CPUID exits right after another, */
	uint64_t path_cycles; /* and their time from the one before */
	uint64_t path_nexit;  /* the last CPUID exit's vcpu nexits */
	uint64_t path_tsc;    /* and the TSC its handling resumed at */
	uint64_t bare_n;      /* CPUID exits through the bare loop */
	uint64_t bare_cycles;
	uint64_t path_mark; /* path_cycles when the last bare chunk ran */
	uint64_t path_min;  /* cycles per exit of the fastest chunk, */
	uint64_t bare_min;  /* 0 before the first */
	/* exit_state=alternate (lab 8): the same, by the slice's way of
	 * switching the guest's state, [0] eager and [1] lazy. */
	uint64_t state_n[2], state_cycles[2], state_min[2];
	uint64_t state_chunk_n, state_chunk_cycles;
	uint64_t state_nexit, state_tsc, state_run; /* the last CPUID exit */
	uint64_t state_ops[2], state_exits[2];	    /* virt_world_ops */
	uint64_t slice_ops, slice_exits;	    /* at the slice's start */
};

/* What an exit reads comes first, up to the first vcpu: under QEMU's TCG
 * each page an exit touches costs a page walk. */
struct domain {
	int id;
	char name[CONFIG_NAME_MAX];
	enum domain_type type;
	enum domain_state state;
	enum on_crash on_crash;
	int exit_status;       /* valid when DOMAIN_EXITED */
	bool rebooted;	       /* DOMAIN_EXITED by a reset of its machine */
	char crash_reason[96]; /* valid when DOMAIN_CRASHED */
	int restarts;
	/* The backend running it: the hardware one, or te for type te. */
	const struct virt_ops *ops;
	struct p2m p2m;
	/* Host pages its guest RAM held when it ended, and at most. */
	size_t host_pages, host_peak;
	enum paging_mode paging; /* nested or shadow, never DEFAULT */
	struct shadow_domain shadow;
	struct irq_devices irq; /* hvm: PIC, IOAPIC and PIT */
	struct chipset chipset; /* hvm: RTC, PCI, power and reset */
	uint64_t exits_by_kind[EXIT_NKINDS];
	struct bench_stats bench;
	uint64_t counts[BENCH_NEVENTS];
	int nvcpus;
	struct vcpu vcpus[VCPU_MAX];
	struct nested_domain nested; /* lab 5: when paging is nested */
	struct io_handlers io;
	struct uart uart;
	struct domain_console console; /* lab 6: `xl console`, CONSOLEIO */
	struct testdev testdev;	       /* lab 5: when the config sets testdev */
	struct fw_cfg fw_cfg;	       /* hvm */
	struct pv_domain pv;	       /* lab 6 */
	const struct domain_config *config;
	const struct boot_info *bi;
	union {
		struct svm_domain svm;
		struct vmx_domain vmx;
	} arch;
};

/*
 * Creates and loads a domain from config c.  Returns the domain, or NULL
 * with "CONFIG: reason" printed (the other domains go on).
 */
struct domain *domain_create(const struct domain_config *c,
			     const struct boot_info *bi);

/*
 * Creates domain name from config c with its memory, devices, nested
 * root and vcpus, but loads nothing into them: the destination of a
 * migration or restore (kernel/migrate.c), which sets every frame and
 * register.  Returns it, or NULL with the reason in err (nothing kept).
 */
struct domain *domain_create_empty(const struct domain_config *c,
				   const struct boot_info *bi, const char *name,
				   char *err, size_t errlen);

/* Destroys d and frees its slot, leaving no result or summary. */
void domain_release(struct domain *d);

/* Ends d with the exit status the guest reported. */
void domain_exit(struct domain *d, int status);

/*
 * Ends d because its guest reset the machine: "rebooted", status 0;
 * domain_reap then applies the config's on_reboot action.
 */
void domain_reboot(struct domain *d);

/*
 * Ends d because its guest did something fatal: prints the reason and a
 * dump of v (may be NULL), then applies the config's on_crash action.
 */
void domain_crash(struct domain *d, struct vcpu *v, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Frees d's memory and backend state; its name, result and host memory
 * figures stay.  A second call frees nothing (migration relies on it). */
void domain_destroy(struct domain *d);

/*
 * Crashes d because populating guest-physical gpa found the host out of
 * memory (p2m_populate's -E_NO_MEM), naming gpa and d's host usage.
 */
void domain_crash_no_mem(struct domain *d, struct vcpu *v, gpa_t gpa);

/*
 * Ends d from outside (dom0's XEN_DOMCTL_destroydomain, dom0's end) as
 * crashed for reason why, without a dump or its on_crash action, and
 * frees its memory.
 */
void domain_kill(struct domain *d, const char *why);

/* The running privileged domain (dom0, lab 6), or NULL. */
struct domain *domain_privileged(void);

/*
 * The domain the machine's serial input goes to: dom0 while it runs,
 * else the running hvm domain whose config sets console, else the first
 * running hvm domain; NULL when there is none.
 */
struct domain *domain_console_input(void);

/* After d exited or crashed: frees it or applies its on_crash action
 * (on_reboot when it rebooted). */
void domain_reap(struct domain *d);

/* Whether boot file name is a domain config: "domains/NAME.cfg". */
bool domain_is_config(const char *name);

/* The domain table, for the scheduler. */
extern struct domain domains[DOMAIN_MAX];

/*
 * Creates a domain for every "domains/ *.cfg" boot file, runs them all to
 * completion, prints one summary line per domain and returns the overall
 * status: 0 only if every domain exited with status 0.  When one config
 * is privileged (lab 6), only that dom0 starts, the others wait for its
 * XEN_DOMCTL_createdomain, and the status is dom0's.
 */
int domain_run_all(const struct boot_info *bi);

/* Vcpu helpers shared by the exit handlers. */
void vcpu_skip_insn(struct vcpu *v);

/* Under shadow paging the core keeps CR0, CR3, CR4 and EFER (shadow.h).
 * Inline, shadow.on tested first: every exit reads registers, and under
 * TCG every call costs it a lookup of the return's target. */
static inline uint64_t virt_reg_read(struct vcpu *v, enum vreg r)
{
	if (v->domain->shadow.on && shadow_owns(v, r))
		return shadow_reg_read(v, r);
	return v->domain->ops->reg_read(v, r);
}

static inline void virt_reg_write(struct vcpu *v, enum vreg r, uint64_t val)
{
	if (v->domain->shadow.on && shadow_owns(v, r))
		shadow_reg_write(v, r, val);
	else
		v->domain->ops->reg_write(v, r, val);
}

static inline void virt_seg_read(struct vcpu *v, enum vseg s,
				 struct vseg_desc *out)
{
	v->domain->ops->seg_read(v, s, out);
}

static inline bool vcpu_long_mode(struct vcpu *v)
{
	struct vseg_desc cs;

	if (!(virt_reg_read(v, VREG_EFER) & EFER_LMA))
		return false;
	virt_seg_read(v, VSEG_CS, &cs);
	return cs.attr & SEG_ATTR_L;
}

/* Every set-up vcpu of d forgets its translations (nested and shadow paging). */
static inline void domain_flush_tlb(struct domain *d)
{
	int i;

	for (i = 0; i < d->nvcpus; i++)
		if (d->vcpus[i].domain)
			virt_flush_tlb(&d->vcpus[i]);
}

#endif
