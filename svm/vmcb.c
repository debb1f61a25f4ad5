/*
 * vmcb.c - VMCB set-up and dump (AMD APM vol. 2, 15.5 "VMRUN Instruction",
 * 15.9-15.11 on intercepts, 15.10 "I/O Intercepts", 15.11 "MSR
 * Intercepts", appendix B "Layout of VMCB"), lab 3.  vmx/vmcs.c mirrors it.
 *
 * The control area intercepts everything the core emulates: CPUID, every
 * port and MSR, HLT, VMMCALL, writes to CR0 and CR4, triple faults, host
 * interrupts and the SVM instructions (hidden from guests); under shadow
 * paging also CR3, reads of CR0/CR3/CR4, #PF and INVLPG.  The state
 * save area starts as a CPU after RESET; the core then sets the entry state
 * the guest image asks for.
 */
#include <inc/x86.h>
#include <kernel/kernel.h>
#include <kernel/mm/page.h>
#include <kernel/domain.h>
#include <svm/svm.h>
#include <svm/vmcb.h>

#define IOPM_PAGES  3 /* 12 KiB: one bit per port, APM 15.10.1 */
#define MSRPM_PAGES 2 /* 8 KiB: two bits per MSR, APM 15.11 */

static hpa_t vmcb_iopm_pa;
static hpa_t vmcb_msrpm_pa;

int vmcb_setup(void)
{
	vmcb_iopm_pa = page_alloc_contig(IOPM_PAGES, 1);
	vmcb_msrpm_pa = page_alloc_contig(MSRPM_PAGES, 1);
	if (!vmcb_iopm_pa || !vmcb_msrpm_pa)
		return -E_NO_MEM;
	memset(kva(vmcb_iopm_pa), 0xff, IOPM_PAGES * PAGE_SIZE);
	memset(kva(vmcb_msrpm_pa), 0xff, MSRPM_PAGES * PAGE_SIZE);
	return 0;
}

static void vmcb_init_control(struct vcpu *v, struct vmcb_control *c)
{
#if SOL >= 3
	c->intercept_cr_write = INTERCEPT_CR(0) | INTERCEPT_CR(4);
	c->intercept_misc1 = INTERCEPT_INTR | INTERCEPT_NMI | INTERCEPT_CPUID |
			     INTERCEPT_HLT | INTERCEPT_INVLPGA |
			     INTERCEPT_IOIO_PROT | INTERCEPT_MSR_PROT |
			     INTERCEPT_SHUTDOWN;
	/* VMRUN must be intercepted or VMRUN itself fails (APM 15.5.1). */
	c->intercept_misc2 = INTERCEPT_VMRUN | INTERCEPT_VMMCALL |
			     INTERCEPT_VMLOAD | INTERCEPT_VMSAVE |
			     INTERCEPT_STGI | INTERCEPT_CLGI |
			     INTERCEPT_SKINIT | INTERCEPT_MONITOR |
			     INTERCEPT_MWAIT;
	c->iopm_base_pa = vmcb_iopm_pa;
	c->msrpm_base_pa = vmcb_msrpm_pa;
	c->guest_asid = v->domain->arch.svm.asid;
	c->int_ctl = V_INTR_MASKING;
	c->n_cr3 = v->domain->nested.root;
	c->np_control = NP_ENABLE;
#else
	/* LAB 3: your code here */
	panic("vmcb_init_control: not implemented");
#endif
}

/*
 * Shadow paging (kernel/mm/shadow.c): no nested paging; the core keeps
 * CR0, CR3 and CR4, sees every guest #PF and INVLPG (APM 15.9 "Instruction
 * Intercepts", 15.12 "Exception Intercepts").
 */
static void vmcb_init_shadow(struct vmcb_control *c)
{
	c->intercept_cr_read = INTERCEPT_CR(0) | INTERCEPT_CR(3) |
			       INTERCEPT_CR(4);
	c->intercept_cr_write |= INTERCEPT_CR(3);
	c->intercept_exceptions |= 1u << T_PF;
	c->intercept_misc1 |= INTERCEPT_INVLPG;
	c->np_control = 0;
	c->n_cr3 = 0;
}

void vmcb_init(struct vcpu *v)
{
	struct vmcb *vmcb = v->arch.svm.vmcb;

	memset(vmcb, 0, sizeof(*vmcb));
	vmcb_init_control(v, &vmcb->control);
	if (v->domain->paging == PAGING_SHADOW)
		vmcb_init_shadow(&vmcb->control);
	/* XCR0 is the guest's while it runs: kernel/xstate.c checks its
	 * writes. */
	vmcb->control.intercept_misc2 |= INTERCEPT_XSETBV;
	/* The state after RESET, to which svm_reg_write adds EFER.SVME;
	 * DR6 lives in the save area. */
	virt_vcpu_reset(v);
	vmcb->save.dr6 = DR6_RESET;
}

void vmcb_dump(struct vcpu *v)
{
	const struct vmcb_control *c = &v->arch.svm.vmcb->control;
	const struct vmcb_save *s = &v->arch.svm.vmcb->save;

	cprintf("VMCB of %s vcpu %d at 0x%llx:\n", v->domain->name, v->id,
		(unsigned long long)v->arch.svm.vmcb_pa);
	cprintf("  exitcode 0x%llx exitinfo1 0x%llx exitinfo2 0x%llx\n",
		(unsigned long long)c->exitcode,
		(unsigned long long)c->exitinfo1,
		(unsigned long long)c->exitinfo2);
	cprintf("  exitintinfo 0x%llx eventinj 0x%llx nrip 0x%llx asid %u\n",
		(unsigned long long)c->exitintinfo,
		(unsigned long long)c->eventinj, (unsigned long long)c->nrip,
		c->guest_asid);
	cprintf("  intercepts cr_w %04x misc1 %08x misc2 %08x exc %08x\n",
		c->intercept_cr_write, c->intercept_misc1, c->intercept_misc2,
		c->intercept_exceptions);
	cprintf("  n_cr3 0x%llx np 0x%llx int_ctl %08x shadow 0x%llx\n",
		(unsigned long long)c->n_cr3, (unsigned long long)c->np_control,
		c->int_ctl, (unsigned long long)c->interrupt_shadow);
	cprintf("  rip %016llx rsp %016llx rax %016llx rflags %08llx cpl %u\n",
		(unsigned long long)s->rip, (unsigned long long)s->rsp,
		(unsigned long long)s->rax, (unsigned long long)s->rflags,
		s->cpl);
	cprintf("  cr0 %08llx cr2 %016llx cr3 %016llx cr4 %08llx efer %llx\n",
		(unsigned long long)s->cr0, (unsigned long long)s->cr2,
		(unsigned long long)s->cr3, (unsigned long long)s->cr4,
		(unsigned long long)s->efer);
}
