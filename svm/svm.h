/*
 * svm.h - the AMD SVM backend (AMD APM vol. 2, chapter 15 "Secure Virtual
 * Machine"), lab 3: per-vcpu and per-domain state the core embeds, and the
 * functions the files of svm/ share.  vmx/vmx.h mirrors it for VT-x.
 */
#ifndef SVM_SVM_H
#define SVM_SVM_H

#include <inc/types.h>

struct vcpu;
struct domain;
struct vmcb;
struct virt_event;
struct paging_regs;

struct svm_vcpu {
	struct vmcb *vmcb; /* the guest's VMCB (direct-map address) */
	hpa_t vmcb_pa;
	bool fresh;    /* never run: flush the TLB for its ASID */
	bool efer_lme; /* guest EFER.LME: in the VMCB only with CR0.PG */
	bool nmi_step; /* single-stepping to the NMI window (svm.c) */
	uint64_t dr6;  /* the guest's DR6 while nmi_step */
};

struct svm_domain {
	uint32_t asid; /* never 0: ASID 0 is the host's */
};

/* What the CPU offers (svm.c, filled by svm_probe). */
struct svm_caps {
	bool nrips;	 /* CPUID 0x8000000A EDX[3]: nRIP saved on exit */
	bool page1gb;	 /* CPUID 0x80000001 EDX[26]: 1 GiB pages */
	uint32_t nasids; /* EBX */
};
extern struct svm_caps svm_caps;

/*
 * The world switch (entry.S): loads the guest GPRs from v, runs the guest
 * of the VMCB at vmcb_pa, stores its GPRs back, and reloads the host's
 * hidden segment/syscall state from the host save area at host_pa.
 * Call with GIF clear.
 */
void svm_vmrun(struct vcpu *v, hpa_t vmcb_pa, hpa_t host_pa);

/* Lab 8: before a read of v's VMLOAD state from its VMCB (written
 * false) or after a write to it (true), while a lazy slice keeps that
 * state in the CPU (svm.c). */
void svm_state_sync(struct vcpu *v, bool written);

/* vmcb.c: the I/O and MSR permission maps (once); 0 or -E_NO_MEM. */
int vmcb_setup(void);
/* vmcb.c: fill a fresh VMCB's control area and initial guest state. */
void vmcb_init(struct vcpu *v);
/* vmcb.c: print v's VMCB control and save areas (the ops table's dump). */
void vmcb_dump(struct vcpu *v);

/* npt.c: the nested tables' entry format (kernel/mm/nested.h). */
extern const struct nested_format npt_format;

/* exit.c: decode v's VMCB exit into v->exit. */
void svm_exit_decode(struct vcpu *v);

/* regs.c: the ops table's register, segment and event access. */
uint64_t svm_reg_read(struct vcpu *v, enum vreg r);
void svm_reg_write(struct vcpu *v, enum vreg r, uint64_t val);
void svm_seg_read(struct vcpu *v, enum vseg s, struct vseg_desc *out);
void svm_seg_write(struct vcpu *v, enum vseg s, const struct vseg_desc *in);
/* regs.c: shadow paging's registers into the VMCB, and a TLB flush. */
void svm_load_paging(struct vcpu *v, const struct paging_regs *guest,
		     const struct paging_regs *hw);
void svm_flush_tlb(struct vcpu *v);
/* regs.c: queue an event in EVENTINJ, take it back (migration). */
void svm_inject_event(struct vcpu *v, const struct virt_event *ev);
bool svm_take_event(struct vcpu *v, struct virt_event *ev);

#endif
