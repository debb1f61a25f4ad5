/*
 * vmx.h - the Intel VT-x backend (Intel SDM vol. 3C, chapters 23-33 "VMX"),
 * lab 3: per-vcpu and per-domain state the core embeds, and the functions
 * the files of vmx/ share.  It mirrors svm/svm.h.
 */
#ifndef VMX_VMX_H
#define VMX_VMX_H

#include <inc/types.h>

struct vcpu;
struct domain;
struct virt_event;
struct paging_regs;

/* Guest MSRs VT-x does not switch itself: loaded at entry, stored at exit
 * through the VM-entry MSR-load and VM-exit MSR-store areas (or once per
 * lazy slice, lab 8). */
enum vmx_msr_slot {
	VMX_MSR_STAR,
	VMX_MSR_LSTAR,
	VMX_MSR_CSTAR,
	VMX_MSR_SFMASK,
	VMX_MSR_KERNEL_GS_BASE,
	VMX_NMSRS
};

/* SDM 3C 25.7.2 table 25-14: one entry of an MSR area. */
struct vmx_msr_entry {
	uint32_t index;
	uint32_t reserved;
	uint64_t value;
};

struct vmx_vcpu {
	hpa_t vmcs_pa;		    /* the guest's VMCS */
	struct vmx_msr_entry *msrs; /* guest MSR area (direct map) */
	hpa_t msrs_pa;
	uint64_t cr2;	   /* guest CR2: VT-x does not switch it */
	bool launched;	   /* VMLAUNCH succeeded: next is VMRESUME */
	bool flush;	   /* guest paging changed: INVVPID first */
	uint64_t fail;	   /* last VMfail: 1 + VM-instruction error */
	uint64_t step_rip; /* where GDB's step entered the guest (vmx.c) */
};

struct vmx_domain {
	uint64_t eptp; /* for d->nested.root (ept_pointer) */
	uint16_t vpid; /* never 0: VPID 0 is the host's */
};

/* What the CPU offers, and the control words computed from it (vmx.c,
 * filled by vmx_probe). */
struct vmx_caps {
	uint32_t revision; /* IA32_VMX_BASIC[30:0] */
	bool true_ctls;	   /* BASIC[55]: the TRUE_* control MSRs exist */
	bool io_insn_info; /* BASIC[54]: INS/OUTS instruction info */
	bool vpid;
	bool invvpid_single;
	bool invept_single;
	int ept_max_level; /* EPT_VPID_CAP: 2 MiB pages (2), 1 GiB (3) */
	uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	uint32_t pin, proc, proc2, exit, entry;
	uint32_t proc_shadow;	/* proc with the shadow-paging exits (vmcs.c) */
	uint32_t preempt_timer; /* VMX-preemption timer value per entry */
	bool nmi_window;	/* virtual NMIs and NMI-window exiting */
	bool mtf;		/* the monitor trap flag, for GDB's steps */
};
extern struct vmx_caps vmx_caps;

/*
 * The world switch (entry.S): loads the guest GPRs from v and enters the
 * guest of the current VMCS (VMRESUME if launched, else VMLAUNCH); on the
 * VM exit stores the guest GPRs back.  Returns 0 after a VM exit,
 * 1 on VMfailValid, 2 on VMfailInvalid.  Call with interrupts off.
 */
int vmx_vmrun(struct vcpu *v, int launched);
/* entry.S: where every VM exit lands (the VMCS's host RIP). */
void vmx_exit(void);

/* vmx.c: makes v's VMCS the current one. */
void vmx_load(struct vcpu *v);

/* vmcs.c: the I/O and MSR bitmaps and host MSR area (once); 0 or -E_*. */
int vmcs_setup(void);
/* vmcs.c: fill v's fresh, current VMCS: controls, host and guest state. */
int vmcs_init(struct vcpu *v);
/* vmcs.c: print v's exit, control and guest-state fields (the ops
 * table's dump); makes v's VMCS current. */
void vmcs_dump(struct vcpu *v);

/* vmcs.c, lab 8: the slice op (kernel/virt.h); slot of v's MSR list made
 * the CPU's before a read (written false), or the CPU's made it after a
 * write, while a lazy slice keeps the list's MSRs in the CPU. */
void vmx_slice_switch(struct vcpu *v, bool in);
void vmx_state_sync(struct vcpu *v, int slot, bool written);

/* ept.c: the EPT entry format (kernel/mm/nested.h). */
extern const struct nested_format ept_format;
/* ept.c: the EPTP for the EPT PML4 at root (WB, 4-level walks). */
uint64_t ept_pointer(hpa_t root);

/* exit.c: decode the current VMCS's exit into v->exit. */
void vmx_exit_decode(struct vcpu *v);

/* regs.c: the ops table's register, segment and event access. */
uint64_t vmx_reg_read(struct vcpu *v, enum vreg r);
void vmx_reg_write(struct vcpu *v, enum vreg r, uint64_t val);
void vmx_seg_read(struct vcpu *v, enum vseg s, struct vseg_desc *out);
void vmx_seg_write(struct vcpu *v, enum vseg s, const struct vseg_desc *in);
/* regs.c: shadow paging's registers (virt_ops.load_paging, flush_tlb). */
void vmx_load_paging(struct vcpu *v, const struct paging_regs *guest,
		     const struct paging_regs *hw);
void vmx_flush_tlb(struct vcpu *v);
/* regs.c: queue an event in the VM-entry interruption-information field. */
void vmx_inject_event(struct vcpu *v, const struct virt_event *ev);
bool vmx_take_event(struct vcpu *v, struct virt_event *ev);

#endif
