/*
 * shadow.h - shadow paging (lab 4): the guest manages its own page tables,
 * the hypervisor builds the tables the CPU really walks (SDM 3A ch. 4, APM
 * vol. 2 ch. 5 and 15.12-15.16 on the intercepts).  CR3 in the hardware is
 * a shadow root the core owns; the guest's CR0, CR3, CR4 and EFER are kept
 * here.  How a shadow is filled on demand, kept coherent by
 * write-protecting the guest's tables, cached per address space within a
 * per-domain limit, and in which hardware format: labs/lab4.md.
 */
#ifndef KERNEL_MM_SHADOW_H
#define KERNEL_MM_SHADOW_H

#include <inc/types.h>
#include <kernel/load/config.h>

struct vcpu;
struct domain;

#define SHADOW_ROOTS	     16	 /* guest address spaces kept at once */
#define SHADOW_PAGES_DEFAULT 512 /* config key shadow_pages */
#define SHADOW_PAGES_MIN     CONFIG_SHADOW_PAGES_MIN
#define SHADOW_PAGES_MAX     CONFIG_SHADOW_PAGES_MAX

/* The registers the guest sees, and those the CPU runs it with. */
struct paging_regs {
	uint64_t cr0, cr3, cr4, efer;
};

struct shadow_page; /* private to shadow.c */

/* One guest address space's shadow. */
struct shadow_root {
	uint64_t key;	    /* guest CR3 (PAE: its 32-byte PDPT address) */
	uint8_t mode;	    /* enum shadow_mode, private to shadow.c */
	bool user_view;	    /* te: the view for guest user mode */
	bool used;	    /* slot holds a root */
	hpa_t pa;	    /* the table CR3 points to */
	uint64_t last_used; /* for the LRU choice */
	uint64_t pdpte[4];  /* PAE: the guest's PDPTEs at the last CR3 load */
};

struct shadow_stats {
	uint64_t fills;		/* hidden faults fixed by filling the shadow */
	uint64_t guest_faults;	/* #PF injected into the guest */
	uint64_t pt_writes;	/* emulated writes to guest page tables */
	uint64_t mmio;		/* faults on MMIO, emulated */
	uint64_t root_switches; /* CR3 writes and mode changes */
	uint64_t evictions;	/* address spaces dropped for the limit */
	uint64_t invlpg;
};

struct shadow_domain {
	bool on;	     /* the domain uses shadow paging */
	bool te;	     /* te: 4-level always, the hypervisor's upper half
				mapped in every root, user and kernel views */
	unsigned limit;	     /* shadow pages at most */
	unsigned used, peak; /* shadow pages in use, most ever */
	uint8_t maxphyaddr;  /* guest-physical address width, for RSVD */
	bool page1gb;	     /* the guest's CPUID offers 1 GiB pages */
	struct shadow_page *pages; /* descriptors [limit] */
	uint16_t *pt_count; /* per guest frame: shadow tables shadowing it */
	hpa_t meta_pa;	    /* the pages holding those two */
	struct shadow_root roots[SHADOW_ROOTS];
	uint64_t clock; /* ticks once per root switch, for last_used */
	struct shadow_stats stats;
};

struct shadow_vcpu {
	struct paging_regs guest; /* what the guest reads */
	int root;		  /* index in roots[], -1: none yet */
	bool user_view;		  /* te: the guest runs in user mode */
};

/*
 * Sets d up for shadow paging with at most limit shadow pages; te for a
 * trap-and-emulate domain.  Returns 0, -E_INVAL (limit out of range) or
 * -E_NO_MEM (nothing kept).
 */
int shadow_domain_init(struct domain *d, unsigned limit, bool te);

/* Frees every shadow page of d. */
void shadow_domain_destroy(struct domain *d);

/* Whether the core keeps register r of v (CR0, CR3, CR4, EFER) here. */
bool shadow_owns(struct vcpu *v, int vreg);

/*
 * The guest's value of CR0, CR3, CR4 or EFER, and a new one: checked by
 * the caller as MOV to CRn / WRMSR would; the shadow switches to the root
 * for the new mode and CR3 and hands the backend both views through
 * virt_ops.load_paging.
 */
uint64_t shadow_reg_read(struct vcpu *v, int vreg);
void shadow_reg_write(struct vcpu *v, int vreg, uint64_t val);

/*
 * A #PF the guest took at linear address la with the CPU's error code
 * pfec (PFEC_*, U as the guest's privilege level): fills the shadow and
 * returns with the guest to retry; or injects the guest's own #PF; or
 * emulates the instruction (a write to a guest page table, an access that
 * only the emulator may complete, MMIO); or crashes the domain (memory
 * outside guest RAM, a loop in the guest's tables).
 */
void shadow_page_fault(struct vcpu *v, gva_t la, uint32_t pfec);

/* INVLPG la: drops its shadow entry and the CPU's translation. */
void shadow_invlpg(struct vcpu *v, gva_t la);

/*
 * The hypervisor wrote guest-physical [gpa, gpa + len) of d (an emulated
 * instruction, a device): shadow entries made from it are dropped.
 */
void shadow_written(struct domain *d, gpa_t gpa, size_t len);

/*
 * Drops every shadow table of d and puts its vcpus on fresh roots (lab 5:
 * after a p2m type change), which refill from the p2m as the guest runs.
 */
void shadow_flush(struct domain *d);

/* te: the guest changed privilege level; picks the matching view. */
void shadow_set_user_view(struct vcpu *v, bool user);

/* Prints shadow page counts and statistics, for the summary and dumps. */
void shadow_print(struct domain *d);

#endif
