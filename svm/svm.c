/*
 * svm.c - the AMD SVM backend's entry points (AMD APM vol. 2, 15.4
 * "Enabling SVM", 15.5 "VMRUN Instruction"), lab 3: capability probe,
 * per-CPU enable, vcpu life cycle, entry and exit, and the ops table
 * virt_init() selects (register access: regs.c).  vmx/vmx.c mirrors it.
 */
#include <inc/x86.h>
#include <kernel/kernel.h>
#include <kernel/mm/page.h>
#include <kernel/domain.h>
#include <kernel/gdt.h>
#include <kernel/trap.h>
#include <svm/svm.h>
#include <svm/vmcb.h>

#define CPUID_EXT_SVM	  (1u << 2) /* 0x80000001 ECX */
#define SVM_FEAT_NPT	  (1u << 0) /* 0x8000000A EDX */
#define SVM_FEAT_NRIPS	  (1u << 3)
#define CPUID_EXT_PAGE1GB (1u << 26) /* 0x80000001 EDX */

struct svm_caps svm_caps;

/* The host's VMSAVE/VMLOAD area. */
static hpa_t svm_host_vmcb_pa;

static inline void clgi(void)
{
	__asm__ volatile("clgi" : : : "memory");
}

static inline void stgi(void)
{
	__asm__ volatile("stgi" : : : "memory");
}

/* The host's TR selector: VMLOAD of the host area restores it. */
static inline uint16_t svm_host_tr(void)
{
	uint16_t sel;

	__asm__ volatile("str %0" : "=r"(sel));
	return sel;
}

static int svm_cpu_enable(void)
{
#if SOL >= 3
	/* VMRUN saves host state to the page VM_HSAVE_PA names (APM 15.30.4). */
	hpa_t hsave = page_alloc();

	svm_host_vmcb_pa = page_alloc();
	if (!hsave || !svm_host_vmcb_pa)
		return -E_NO_MEM;
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
	wrmsr(MSR_VM_HSAVE_PA, hsave);
	return vmcb_setup();
#else
	/* LAB 3: your code here */
	panic("svm_cpu_enable: not implemented");
#endif
}

/* The handout's world switch stub lands here. */
void svm_vmrun_missing(void);
void svm_vmrun_missing(void)
{
	panic("svm_vmrun: not implemented");
}

static int svm_domain_init(struct domain *d)
{
	d->arch.svm.asid = (uint32_t)d->id + 1;
	if (d->arch.svm.asid >= svm_caps.nasids)
		return -E_RANGE;
	return 0;
}

static int svm_vcpu_init(struct vcpu *v)
{
	hpa_t pa = page_alloc();

	if (!pa)
		return -E_NO_MEM;
	v->arch.svm.vmcb_pa = pa;
	v->arch.svm.vmcb = kva(pa);
	v->arch.svm.fresh = true;
	vmcb_init(v);
	return 0;
}

static void svm_vcpu_destroy(struct vcpu *v)
{
	if (v->arch.svm.vmcb_pa)
		page_free(v->arch.svm.vmcb_pa);
	v->arch.svm.vmcb_pa = 0;
	v->arch.svm.vmcb = NULL;
}

/*
 * An event that was being delivered when the exit happened (EXITINTINFO,
 * APM 15.7.2 "Intercepts During IDT Interrupt Delivery") was lost: inject
 * it again unless the handler queued something itself.  INT n, INT3 and
 * INTO are not: RIP is still at the instruction, which runs again, where
 * injecting would push a return address that repeats it.
 */
static void svm_requeue_event(struct vmcb *vmcb)
{
	uint64_t info = vmcb->control.exitintinfo;
	unsigned type = (info >> EVENTINJ_TYPE_SHIFT) & 7;
	unsigned vec = info & EVENTINJ_VECTOR_MASK;

	if (!(info & EVENTINJ_V) || (vmcb->control.eventinj & EVENTINJ_V) ||
	    type == EVENT_SOFTINT ||
	    (type == EVENT_EXCEPTION && (vec == T_BP || vec == T_OF)))
		return;
	vmcb->control.eventinj = info;
}

/*
 * A virtual interrupt the guest never sees (V_IRQ with the VINTR
 * intercept) makes it exit as soon as it can take one (APM 15.21.4):
 * the window for an upcall that waits for RFLAGS.IF.
 */
static void svm_intr_window(struct vmcb *vmcb, bool on)
{
	struct vmcb_control *c = &vmcb->control;

	c->int_ctl &= ~(V_IRQ | V_IGN_TPR | 0xfu << V_INTR_PRIO_SHIFT);
	c->intercept_misc1 &= ~INTERCEPT_VINTR;
	if (on) {
		c->int_ctl |= V_IRQ | V_IGN_TPR | 0xfu << V_INTR_PRIO_SHIFT;
		c->intercept_misc1 |= INTERCEPT_VINTR;
	}
}

/*
 * No NMI window without vNMI (APM 15.21.10), which QEMU's TCG lacks: an
 * NMI waiting out a STI or MOV SS shadow has the guest single-step with
 * RFLAGS.TF under the #DB intercept, and the trap after the shadowed
 * instruction exits (as KVM does).  Never with an event queued, whose
 * frame would keep TF; a guest that steps itself takes the NMI at its
 * next exit.  svm_nmi_window_end gives back the guest's TF and DR6, and
 * makes the #DB exit a window's, EXIT_INTR.
 */
static void svm_nmi_window(struct vcpu *v, bool on)
{
	struct vmcb *vmcb = v->arch.svm.vmcb;

	if (!on || (vmcb->save.rflags & X86_FLAGS_TF) ||
	    (vmcb->control.eventinj & EVENTINJ_V))
		return;
	v->arch.svm.nmi_step = true;
	v->arch.svm.dr6 = vmcb->save.dr6;
	vmcb->save.rflags |= X86_FLAGS_TF;
	vmcb->control.intercept_exceptions |= 1u << T_DB;
}

static void svm_nmi_window_end(struct vcpu *v)
{
	struct vmcb *vmcb = v->arch.svm.vmcb;

	if (!v->arch.svm.nmi_step)
		return;
	v->arch.svm.nmi_step = false;
	vmcb->save.rflags &= ~X86_FLAGS_TF;
	vmcb->control.intercept_exceptions &= ~(1u << T_DB);
	if (vmcb->control.exitcode == VMEXIT_EXCP_BASE + T_DB) {
		vmcb->save.dr6 = v->arch.svm.dr6;
		v->exit.kind = EXIT_INTR;
	}
}

/*
 * GDB's requests (v->debug, kernel/virt.h): the #BP and #DB intercepts
 * (APM 15.12 "Exception Intercepts"), and RFLAGS.TF for one step, set
 * before svm_nmi_window, which leaves a stepping guest alone.  QEMU's TCG
 * exits for INT3 through the INTn intercept only (exit.c).
 */
static void svm_debug_enter(struct vcpu *v, struct vmcb *vmcb)
{
	const uint32_t both = 1u << T_BP | 1u << T_DB;

	vmcb->control.intercept_exceptions &= ~both;
	vmcb->control.intercept_misc1 &= ~INTERCEPT_INTN;
	if (v->debug & VIRT_DEBUG_TRAP) {
		vmcb->control.intercept_exceptions |= both;
		vmcb->control.intercept_misc1 |= INTERCEPT_INTN;
	}
	if (v->debug & VIRT_DEBUG_STEP)
		vmcb->save.rflags |= X86_FLAGS_TF;
}

static inline void svm_vmsave(hpa_t pa)
{
	virt_world_ops++;
	__asm__ volatile("vmsave %%rax" : : "a"(pa) : "memory");
}

static inline void svm_vmload(hpa_t pa)
{
	virt_world_ops++;
	__asm__ volatile("vmload %%rax" : : "a"(pa) : "memory");
}

/* svm_vmrun's host area: none when v's slice is lazy, else the host's,
 * entry.S's two VMSAVEs and two VMLOADs counted. */
static hpa_t svm_host_area(struct vcpu *v)
{
	if (v->lazy_state)
		return 0;
	virt_world_ops += 4;
	return svm_host_vmcb_pa;
}

/*
 * Lab 8: what VMLOAD and VMSAVE switch (FS, GS, TR and LDTR with their
 * hidden parts, KernelGSBase, STAR, LSTAR, CSTAR, SFMASK, SYSENTER_*)
 * is state the host does not use between two exits of one guest: it
 * makes no system call, keeps no per-CPU data in GS, and needs TR only
 * for the IST stacks of #DF and NMI.  So a lazy slice (v->lazy_state,
 * set by kernel/virt.c's virt_slice) saves the host's once and loads
 * the guest's once, runs its exits with host_pa 0 (entry.S), and at its
 * end saves the guest's and gives the host its own back, with IST off
 * meanwhile (the TSS in TR is the guest's).  Between, the VMCB's copy
 * is stale: svm_state_sync keeps it right for the register accessors
 * (regs.c).
 */
static void svm_slice_switch(struct vcpu *v, bool in)
{
#if SOL >= 8
	if (!v->lazy_state)
		return;
	if (in) {
		trap_ist(false);
		svm_vmsave(svm_host_vmcb_pa);
		svm_vmload(v->arch.svm.vmcb_pa);
		return;
	}
	svm_vmsave(v->arch.svm.vmcb_pa);
	svm_vmload(svm_host_vmcb_pa);
	trap_ist(true);
#else
	/* LAB 8: your code here.  When v's slice begins (in) lazy, save
	 * the host's VMLOAD state and load the guest's, IST off; at its
	 * end the reverse.  Until then, no slice is lazy. */
	v->lazy_state = false;
#endif
}

void svm_state_sync(struct vcpu *v, bool written)
{
#if SOL >= 8
	if (!v->lazy_state)
		return;
	/* After a write the CPU takes the new value; before a read the
	 * VMCB takes the CPU's. */
	if (written)
		svm_vmload(v->arch.svm.vmcb_pa);
	else
		svm_vmsave(v->arch.svm.vmcb_pa);
#else
	/* LAB 8: your code here.  While v's slice is lazy the CPU holds
	 * its VMLOAD state: make the VMCB's copy right before a read, and
	 * the CPU's after a write. */
	(void)v;
	(void)written;
#endif
}

static void svm_vcpu_run(struct vcpu *v)
{
	struct vmcb *vmcb = v->arch.svm.vmcb;
	unsigned window;

	window = virt_deliver_interrupt(v, vmcb->control.eventinj & EVENTINJ_V);
	svm_debug_enter(v, vmcb);
	svm_intr_window(vmcb, window & VIRT_WINDOW_INTR);
	svm_nmi_window(v, window & VIRT_WINDOW_NMI);
	vmcb->save.rax = v->gprs[GPR_RAX];
	vmcb->save.rsp = v->gprs[GPR_RSP];
	if (v->arch.svm.fresh)
		vmcb->control.tlb_control = TLB_CONTROL_FLUSH_ALL;
	v->arch.svm.fresh = false;
	/*
	 * Host IF is set across VMRUN so that a host interrupt exits the
	 * guest; GIF holds it off until STGI, where the host takes it.
	 */
	clgi();
	/* QEMU's TCG arms DR7's breakpoints at a MOV to DR7 only, not from
	 * the VMCB at VMRUN: the host loads the guest's for its run. */
	if (vmcb->save.dr7 & DR7_ENABLES)
		write_dr7(vmcb->save.dr7);
	sti();
	svm_vmrun(v, v->arch.svm.vmcb_pa, svm_host_area(v));
	stgi();
	cli();
	if (vmcb->save.dr7 & DR7_ENABLES)
		write_dr7(DR7_RESET);
	/* No guest can see the host's TR, FS, GS and syscall MSRs, so check
	 * here that the world switch gave them back (IST stacks need TR);
	 * a lazy slice gives them back at its end (svm_slice_switch). */
	if (!v->lazy_state && svm_host_tr() != GD_TSS)
		panic("svm_vmrun: host TR 0x%x after the world switch: the "
		      "host area was not VMLOADed",
		      svm_host_tr());
	vmcb->control.tlb_control = 0;
	vmcb->control.eventinj = 0;
	v->gprs[GPR_RAX] = vmcb->save.rax;
	v->gprs[GPR_RSP] = vmcb->save.rsp;
	svm_requeue_event(vmcb);
	svm_exit_decode(v);
	svm_nmi_window_end(v);
	if (v->debug & VIRT_DEBUG_STEP)
		vmcb->save.rflags &= ~X86_FLAGS_TF;
}

/* The ops table's bench_cpuid: host interrupts stay off (IF with
 * V_INTR_MASKING holds them), so the guest exits only for its CPUID. */
static int svm_bench_cpuid(struct vcpu *v, uint8_t len)
{
	struct vmcb *vmcb = v->arch.svm.vmcb;

	clgi();
	svm_vmrun(v, v->arch.svm.vmcb_pa, svm_host_area(v));
	stgi();
	if (vmcb->control.exitcode != VMEXIT_CPUID)
		return vmcb->control.exitcode == VMEXIT_INTR ? 0 : -1;
	vmcb->save.rip += len;
	return 1;
}

static const struct virt_ops svm_ops = {
	.name = "svm",
	.nested = &npt_format,
	.cpu_enable = svm_cpu_enable,
	.domain_init = svm_domain_init,
	.vcpu_init = svm_vcpu_init,
	.vcpu_destroy = svm_vcpu_destroy,
	.vcpu_run = svm_vcpu_run,
	.slice = svm_slice_switch,
	.reg_read = svm_reg_read,
	.reg_write = svm_reg_write,
	.seg_read = svm_seg_read,
	.seg_write = svm_seg_write,
	.inject_event = svm_inject_event,
	.take_event = svm_take_event,
	.load_paging = svm_load_paging,
	.flush_tlb = svm_flush_tlb,
	.dump = vmcb_dump,
	.bench_cpuid = svm_bench_cpuid,
};

/*
 * APM 15.4: SVM is present when CPUID 0x80000001 ECX.SVM is set, and
 * usable when firmware has not locked it off with VM_CR.SVMDIS.  hvlab
 * also needs nested paging.
 */
const struct virt_ops *svm_probe(void)
{
	struct cpuid_regs r;

	if (cpuid(0x80000000, 0).eax < 0x8000000a ||
	    !(cpuid(0x80000001, 0).ecx & CPUID_EXT_SVM)) {
		cprintf("svm: not supported by this CPU\n");
		return NULL;
	}
	if (rdmsr(MSR_VM_CR) & VM_CR_SVMDIS) {
		cprintf("svm: disabled by firmware (VM_CR.SVMDIS)\n");
		return NULL;
	}
	r = cpuid(0x8000000a, 0);
	if (!(r.edx & SVM_FEAT_NPT)) {
		cprintf("svm: no nested paging (CPUID 0x8000000A EDX[0])\n");
		return NULL;
	}
	svm_caps.nrips = r.edx & SVM_FEAT_NRIPS;
	svm_caps.nasids = r.ebx;
	svm_caps.page1gb = cpuid(0x80000001, 0).edx & CPUID_EXT_PAGE1GB;
	cprintf("svm: revision %u, %u ASIDs, NPT, nRIP save %s\n", r.eax & 0xff,
		r.ebx, svm_caps.nrips ? "yes" : "no");
	return &svm_ops;
}
