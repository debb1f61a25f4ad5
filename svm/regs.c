/*
 * regs.c - the guest's registers, segments and pending event as the VMCB
 * holds them (AMD APM vol. 2, 15.20 "Event Injection", appendix B
 * "Layout of VMCB"), lab 3: the register half of the SVM ops table
 * (svm.c).  vmx/regs.c mirrors it.
 */
#include <inc/x86.h>
#include <kernel/kernel.h>
#include <kernel/domain.h>
#include <kernel/mm/shadow.h>
#include <svm/svm.h>
#include <svm/vmcb.h>

/* The VMCB field holding r: a table, not a switch, whose jump table
 * would cost QEMU's TCG a lookup of its target at each exit. */
static uint64_t *svm_reg_field(struct vmcb *vmcb, enum vreg r)
{
	static const uint16_t offset[VREG_COUNT] = {
		[VREG_RIP] = VMCB_OFFSET(save.rip),
		[VREG_RFLAGS] = VMCB_OFFSET(save.rflags),
		[VREG_CR0] = VMCB_OFFSET(save.cr0),
		[VREG_CR2] = VMCB_OFFSET(save.cr2),
		[VREG_CR3] = VMCB_OFFSET(save.cr3),
		[VREG_CR4] = VMCB_OFFSET(save.cr4),
		[VREG_EFER] = VMCB_OFFSET(save.efer),
		[VREG_PAT] = VMCB_OFFSET(save.g_pat),
		[VREG_STAR] = VMCB_OFFSET(save.star),
		[VREG_LSTAR] = VMCB_OFFSET(save.lstar),
		[VREG_CSTAR] = VMCB_OFFSET(save.cstar),
		[VREG_SFMASK] = VMCB_OFFSET(save.sfmask),
		[VREG_KERNEL_GS_BASE] = VMCB_OFFSET(save.kernel_gs_base),
		[VREG_SYSENTER_CS] = VMCB_OFFSET(save.sysenter_cs),
		[VREG_SYSENTER_ESP] = VMCB_OFFSET(save.sysenter_esp),
		[VREG_SYSENTER_EIP] = VMCB_OFFSET(save.sysenter_eip),
		[VREG_DR7] = VMCB_OFFSET(save.dr7),
	};

	if ((unsigned)r >= VREG_COUNT || !offset[r])
		panic("svm_reg_field: register %d", r);
	return (uint64_t *)((uint8_t *)vmcb + offset[r]);
}

/* Whether VMLOAD and VMSAVE switch r (APM 15.5.2), lazily in lab 8. */
static bool svm_reg_vmload(enum vreg r)
{
	return r >= VREG_STAR && r <= VREG_SYSENTER_EIP;
}

static bool svm_seg_vmload(enum vseg s)
{
	return s == VSEG_FS || s == VSEG_GS || s == VSEG_TR || s == VSEG_LDTR;
}

/* EFER.SVME must stay set in the guest (VMRUN checks it); the guest never
 * sees it.  EFER.LME reaches the VMCB only while CR0.PG is set: QEMU's TCG
 * loads the host's CR0 at #VMEXIT while the guest's EFER is still in
 * place and drops it when that EFER has LME without CR4.PAE, so a guest
 * that set LME before PAE would leave the host running without paging. */
uint64_t svm_reg_read(struct vcpu *v, enum vreg r)
{
	struct vmcb *vmcb = v->arch.svm.vmcb;

	if (r == VREG_CPL)
		return vmcb->save.cpl;
	if (r == VREG_INTR_SHADOW)
		return vmcb->control.interrupt_shadow & VMCB_INTR_SHADOW;
	if (r == VREG_NMI_BLOCKED) /* not tracked: no vNMI (svm.c) */
		return 0;
	if (r == VREG_EFER)
		return (vmcb->save.efer & ~EFER_SVME) |
		       (v->arch.svm.efer_lme ? EFER_LME : 0);
	if (svm_reg_vmload(r))
		svm_state_sync(v, false);
	return *svm_reg_field(vmcb, r);
}

/* The VMCB's EFER.LME: the guest's, while its CR0.PG is set. */
static void svm_sync_lme(struct vcpu *v)
{
	struct vmcb_save *s = &v->arch.svm.vmcb->save;

	if (v->arch.svm.efer_lme && (s->cr0 & CR0_PG))
		s->efer |= EFER_LME;
	else
		s->efer &= ~EFER_LME;
}

/* Writes to the paging controls flush the guest's TLB at the next entry:
 * the CPU did not see these changes happen. */
void svm_reg_write(struct vcpu *v, enum vreg r, uint64_t val)
{
	struct vmcb *vmcb = v->arch.svm.vmcb;

	if (r == VREG_CPL) {
		vmcb->save.cpl = (uint8_t)val;
		return;
	}
	if (r == VREG_INTR_SHADOW) {
		vmcb->control.interrupt_shadow = val ? VMCB_INTR_SHADOW : 0;
		return;
	}
	if (r == VREG_NMI_BLOCKED)
		return;
	if (r == VREG_EFER) {
		v->arch.svm.efer_lme = val & EFER_LME;
		val |= EFER_SVME;
	}
	if (r == VREG_CR0 || r == VREG_CR3 || r == VREG_CR4 || r == VREG_EFER)
		vmcb->control.tlb_control = TLB_CONTROL_FLUSH_ALL;
	/* An emulated instruction completed: any STI/MOV SS shadow is over. */
	if (r == VREG_RIP)
		vmcb->control.interrupt_shadow = 0;
	if (svm_reg_vmload(r))
		svm_state_sync(v, false); /* the others of the set kept */
	*svm_reg_field(vmcb, r) = val;
	if (svm_reg_vmload(r))
		svm_state_sync(v, true);
	if (r == VREG_CR0 || r == VREG_EFER)
		svm_sync_lme(v);
}

static struct vmcb_seg *svm_seg_field(struct vmcb *vmcb, enum vseg s)
{
	static const uint16_t offset[VSEG_COUNT] = {
		[VSEG_ES] = VMCB_OFFSET(save.es),
		[VSEG_CS] = VMCB_OFFSET(save.cs),
		[VSEG_SS] = VMCB_OFFSET(save.ss),
		[VSEG_DS] = VMCB_OFFSET(save.ds),
		[VSEG_FS] = VMCB_OFFSET(save.fs),
		[VSEG_GS] = VMCB_OFFSET(save.gs),
		[VSEG_GDTR] = VMCB_OFFSET(save.gdtr),
		[VSEG_LDTR] = VMCB_OFFSET(save.ldtr),
		[VSEG_IDTR] = VMCB_OFFSET(save.idtr),
		[VSEG_TR] = VMCB_OFFSET(save.tr),
	};

	if ((unsigned)s >= VSEG_COUNT)
		panic("svm_seg_field: segment %d", s);
	return (struct vmcb_seg *)((uint8_t *)vmcb + offset[s]);
}

void svm_seg_read(struct vcpu *v, enum vseg s, struct vseg_desc *out)
{
	const struct vmcb_seg *f = svm_seg_field(v->arch.svm.vmcb, s);

	if (svm_seg_vmload(s))
		svm_state_sync(v, false);
	*out = (struct vseg_desc){ f->selector, f->attrib, f->limit, f->base };
}

void svm_seg_write(struct vcpu *v, enum vseg s, const struct vseg_desc *in)
{
	struct vmcb_seg *f = svm_seg_field(v->arch.svm.vmcb, s);

	if (svm_seg_vmload(s))
		svm_state_sync(v, false); /* the others of the set kept */
	*f = (struct vmcb_seg){ in->sel, in->attr, in->limit, in->base };
	if (svm_seg_vmload(s))
		svm_state_sync(v, true);
}

void svm_inject_event(struct vcpu *v, const struct virt_event *ev)
{
	uint64_t e = ev->vector | ((uint64_t)ev->type << EVENTINJ_TYPE_SHIFT) |
		     EVENTINJ_V;

	if (ev->has_error)
		e |= EVENTINJ_EV | ((uint64_t)ev->error << 32);
	v->arch.svm.vmcb->control.eventinj = e;
}

/* The inverse of svm_inject_event: what EVENTINJ holds, then cleared. */
bool svm_take_event(struct vcpu *v, struct virt_event *ev)
{
	struct vmcb_control *c = &v->arch.svm.vmcb->control;

	if (!(c->eventinj & EVENTINJ_V))
		return false;
	*ev = (struct virt_event){
		.vector = c->eventinj & EVENTINJ_VECTOR_MASK,
		.type = (c->eventinj >> EVENTINJ_TYPE_SHIFT) & 7,
		.has_error = c->eventinj & EVENTINJ_EV,
		.error = (uint32_t)(c->eventinj >> 32),
	};
	c->eventinj = 0;
	return true;
}

/*
 * Shadow paging: the CPU runs on hw; the guest's own values stay in the
 * core, which intercepts every access to them.  EFER.LME reaches the VMCB
 * only with CR0.PG and CR4.PAE, both always set here (see svm_reg_read).
 * The CPU saw none of these writes, so a new CR3, CR4 or EFER flushes the
 * guest's TLB; CR0 changes that matter (PG) come with a new root, and CLTS
 * need not cost a flush.
 */
void svm_load_paging(struct vcpu *v, const struct paging_regs *guest,
		     const struct paging_regs *hw)
{
	struct vmcb_save *s = &v->arch.svm.vmcb->save;
	uint64_t efer = hw->efer | EFER_SVME;

	if (s->cr3 != hw->cr3 || s->cr4 != hw->cr4 || s->efer != efer)
		svm_flush_tlb(v);
	s->cr0 = hw->cr0;
	s->cr3 = hw->cr3;
	s->cr4 = hw->cr4;
	s->efer = efer;
}

/* TLB_CONTROL flushes at the next VMRUN; a new CR3 in the VMCB does not. */
void svm_flush_tlb(struct vcpu *v)
{
	v->arch.svm.vmcb->control.tlb_control = TLB_CONTROL_FLUSH_ALL;
}
