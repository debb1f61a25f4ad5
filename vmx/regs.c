/*
 * regs.c - the guest's registers, segments and pending event as the VMCS
 * holds them (Intel SDM vol. 3C, 24.4 "Guest-State Area", 24.8.3
 * "VM-Entry Controls for Event Injection", 26.6 "Event Injection",
 * appendix B "Field Encoding in VMCS"), lab 3: the register half of the
 * VT-x ops table (vmx.c).  It mirrors svm/regs.c.
 */
#include <inc/x86.h>
#include <kernel/kernel.h>
#include <kernel/domain.h>
#include <vmx/vmx.h>
#include <vmx/vmcs.h>

/* Index of s in the VMCS's segment field order: ES CS SS DS FS GS LDTR TR
 * GDTR IDTR (appendix B). */
static unsigned vmx_seg_index(enum vseg s)
{
	static const uint8_t index[VSEG_COUNT] = {
		[VSEG_ES] = 0,	 [VSEG_CS] = 1, [VSEG_SS] = 2,
		[VSEG_DS] = 3,	 [VSEG_FS] = 4, [VSEG_GS] = 5,
		[VSEG_LDTR] = 6, [VSEG_TR] = 7, [VSEG_GDTR] = 8,
		[VSEG_IDTR] = 9,
	};

	if ((unsigned)s >= VSEG_COUNT)
		panic("vmx_seg_index: segment %d", s);
	return index[s];
}

/* The guest's view of CR0 or CR4: host-owned bits come from the shadow. */
static uint64_t vmx_cr_view(uint32_t real, uint32_t mask, uint32_t shadow)
{
	uint64_t m = vmcs_read(mask);

	return (vmcs_read(shadow) & m) | (vmcs_read(real) & ~m);
}

static int vmx_msr_slot(enum vreg r)
{
	switch (r) {
	case VREG_STAR: return VMX_MSR_STAR;
	case VREG_LSTAR: return VMX_MSR_LSTAR;
	case VREG_CSTAR: return VMX_MSR_CSTAR;
	case VREG_SFMASK: return VMX_MSR_SFMASK;
	case VREG_KERNEL_GS_BASE: return VMX_MSR_KERNEL_GS_BASE;
	default: return -1;
	}
}

/* The VMCS field holding r, for the registers kept there as they are. */
static uint32_t vmx_reg_field(enum vreg r)
{
	switch (r) {
	case VREG_RIP: return VMCS_GUEST_RIP;
	case VREG_RFLAGS: return VMCS_GUEST_RFLAGS;
	case VREG_CR3: return VMCS_GUEST_CR3;
	case VREG_EFER: return VMCS_GUEST_EFER;
	case VREG_PAT: return VMCS_GUEST_PAT;
	case VREG_SYSENTER_CS: return VMCS_GUEST_SYSENTER_CS;
	case VREG_SYSENTER_ESP: return VMCS_GUEST_SYSENTER_ESP;
	case VREG_SYSENTER_EIP: return VMCS_GUEST_SYSENTER_EIP;
	case VREG_DR7: return VMCS_GUEST_DR7;
	default: panic("vmx_reg_field: register %d", r);
	}
}

/* CR2 is not in the VMCS: it is switched by hand around each entry. */
uint64_t vmx_reg_read(struct vcpu *v, enum vreg r)
{
	int slot = vmx_msr_slot(r);

	if (slot >= 0) {
		vmx_state_sync(v, slot, false);
		return v->arch.vmx.msrs[slot].value;
	}
	if (r == VREG_CR2)
		return v->arch.vmx.cr2;
	vmx_load(v);
	if (r == VREG_CR0)
		return vmx_cr_view(VMCS_GUEST_CR0, VMCS_CR0_MASK,
				   VMCS_CR0_SHADOW);
	if (r == VREG_CR4)
		return vmx_cr_view(VMCS_GUEST_CR4, VMCS_CR4_MASK,
				   VMCS_CR4_SHADOW);
	if (r == VREG_CPL) /* SDM 3C 27.3.1: SS.DPL is the CPL */
		return (vmcs_read(VMCS_GUEST_SS_AR) & SEG_ATTR_DPL) >>
		       SEG_ATTR_DPL_SHIFT;
	if (r == VREG_INTR_SHADOW)
		return (vmcs_read(VMCS_GUEST_INTERRUPTIBILITY) &
			(INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS)) != 0;
	if (r == VREG_NMI_BLOCKED)
		return (vmcs_read(VMCS_GUEST_INTERRUPTIBILITY) &
			INTERRUPTIBILITY_NMI) != 0;
	return vmcs_read(vmx_reg_field(r));
}

/*
 * CR0 and CR4 are owned by the host (mask all ones): the guest reads its
 * own value (guest) from the read shadow while the real register holds hw
 * (the guest's, or shadow paging's) with the bits VMX operation fixes
 * (SDM 3C 24.8, A.7-A.8); unrestricted guests may clear CR0.PE and PG.
 */
static void vmx_write_cr(uint32_t real, uint32_t shadow, uint64_t guest,
			 uint64_t hw, uint64_t fixed0, uint64_t fixed1)
{
	vmcs_write(shadow, guest);
	vmcs_write(real, (hw | fixed0) & fixed1);
}

static void vmx_write_efer(uint64_t efer)
{
	uint64_t entry = vmcs_read(VMCS_ENTRY_CONTROLS) & ~ENTRY_IA32E_MODE;

	vmcs_write(VMCS_GUEST_EFER, efer);
	vmcs_write(VMCS_ENTRY_CONTROLS,
		   entry | ((efer & EFER_LMA) ? ENTRY_IA32E_MODE : 0));
}

/*
 * With EPT, VM entry takes a PAE guest's PDPTEs from the VMCS (SDM 3C
 * 26.3.2.4), so a change to CR0, CR3, CR4 or EFER that hvlab emulates loads
 * them from guest memory as MOV to CR would (SDM 3A 4.4.1).  PDPTEs
 * outside guest RAM read as not present; reserved bits fail the entry,
 * which crashes only this domain.  Without EPT (shadow paging) the entry
 * loads them from CR3 itself.
 */
static void vmx_load_pdptes(struct vcpu *v)
{
	uint64_t pdpte[4] = { 0, 0, 0, 0 };
	int i;

	if (!(vmcs_read(VMCS_PROC_CONTROLS2) & PROC2_ENABLE_EPT) ||
	    !(vmcs_read(VMCS_GUEST_CR0) & CR0_PG) ||
	    !(vmcs_read(VMCS_GUEST_CR4) & CR4_PAE) ||
	    (vmcs_read(VMCS_GUEST_EFER) & EFER_LMA))
		return;
	if (p2m_read(&v->domain->p2m, vmcs_read(VMCS_GUEST_CR3) & 0xffffffe0,
		     pdpte, sizeof(pdpte)) < 0)
		memset(pdpte, 0, sizeof(pdpte));
	for (i = 0; i < 4; i++)
		vmcs_write(VMCS_GUEST_PDPTE0 + 2 * i, pdpte[i]);
}

/*
 * Blocking by STI or by MOV SS (SDM 3C 24.4.2 "Guest Non-Register State");
 * STI blocking needs RFLAGS.IF set (26.3.1.5), so with IF clear the
 * shadow comes back as MOV SS blocking, which blocks the same interrupts.
 */
static void vmx_write_intr_shadow(uint64_t on)
{
	uint64_t st = vmcs_read(VMCS_GUEST_INTERRUPTIBILITY) &
		      ~(uint64_t)(INTERRUPTIBILITY_STI |
				  INTERRUPTIBILITY_MOV_SS);

	if (on)
		st |= (vmcs_read(VMCS_GUEST_RFLAGS) & X86_FLAGS_IF) ?
			      INTERRUPTIBILITY_STI :
			      INTERRUPTIBILITY_MOV_SS;
	vmcs_write(VMCS_GUEST_INTERRUPTIBILITY, st);
}

/* Writes to the paging controls flush the guest's TLB at the next entry;
 * moving RIP ends a STI or MOV SS interrupt shadow. */
void vmx_reg_write(struct vcpu *v, enum vreg r, uint64_t val)
{
	int slot = vmx_msr_slot(r);
	bool paging = r == VREG_CR0 || r == VREG_CR3 || r == VREG_CR4 ||
		      r == VREG_EFER;
	uint64_t ar;

	if (slot >= 0) {
		v->arch.vmx.msrs[slot].value = val;
		vmx_state_sync(v, slot, true);
		return;
	}
	if (r == VREG_CR2) {
		v->arch.vmx.cr2 = val;
		return;
	}
	vmx_load(v);
	v->arch.vmx.flush |= paging;
	switch (r) {
	case VREG_CR0:
		vmx_write_cr(VMCS_GUEST_CR0, VMCS_CR0_SHADOW, val, val,
			     vmx_caps.cr0_fixed0 & ~(CR0_PE | CR0_PG),
			     vmx_caps.cr0_fixed1);
		break;
	case VREG_CR4:
		vmx_write_cr(VMCS_GUEST_CR4, VMCS_CR4_SHADOW, val, val,
			     vmx_caps.cr4_fixed0, vmx_caps.cr4_fixed1);
		break;
	case VREG_EFER: vmx_write_efer(val); break;
	case VREG_CPL:
		ar = vmcs_read(VMCS_GUEST_SS_AR) & ~(uint64_t)SEG_ATTR_DPL;
		vmcs_write(VMCS_GUEST_SS_AR,
			   ar | ((val << SEG_ATTR_DPL_SHIFT) & SEG_ATTR_DPL));
		break;
	case VREG_RIP:
		vmx_write_intr_shadow(0);
		vmcs_write(VMCS_GUEST_RIP, val);
		break;
	case VREG_INTR_SHADOW: vmx_write_intr_shadow(val); break;
	case VREG_NMI_BLOCKED:
		ar = vmcs_read(VMCS_GUEST_INTERRUPTIBILITY) &
		     ~(uint64_t)INTERRUPTIBILITY_NMI;
		vmcs_write(VMCS_GUEST_INTERRUPTIBILITY,
			   ar | (val ? INTERRUPTIBILITY_NMI : 0));
		break;
	default: vmcs_write(vmx_reg_field(r), val);
	}
	if (paging)
		vmx_load_pdptes(v);
}

void vmx_seg_read(struct vcpu *v, enum vseg s, struct vseg_desc *out)
{
	unsigned i = vmx_seg_index(s);
	uint32_t ar;

	vmx_load(v);
	out->base = vmcs_read(VMCS_GUEST_ES_BASE + 2 * i);
	out->limit = (uint32_t)vmcs_read(VMCS_GUEST_ES_LIMIT + 2 * i);
	if (i >= 8) {
		out->sel = 0;
		out->attr = 0;
		return;
	}
	out->sel = (uint16_t)vmcs_read(VMCS_GUEST_ES_SEL + 2 * i);
	ar = (uint32_t)vmcs_read(VMCS_GUEST_ES_AR + 2 * i);
	out->attr = (uint16_t)((ar & 0xff) | ((ar >> 4) & 0xf00));
	if (ar & VMX_AR_UNUSABLE)
		out->attr &= ~SEG_ATTR_P;
}

/* A segment whose P bit is clear is marked unusable (SDM 3C 24.4.1). */
void vmx_seg_write(struct vcpu *v, enum vseg s, const struct vseg_desc *in)
{
	unsigned i = vmx_seg_index(s);
	uint32_t ar = (in->attr & 0xff) | ((uint32_t)(in->attr & 0xf00) << 4);

	vmx_load(v);
	vmcs_write(VMCS_GUEST_ES_BASE + 2 * i, in->base);
	vmcs_write(VMCS_GUEST_ES_LIMIT + 2 * i, in->limit);
	if (i >= 8)
		return;
	if (!(in->attr & SEG_ATTR_P) && s != VSEG_CS)
		ar |= VMX_AR_UNUSABLE;
	vmcs_write(VMCS_GUEST_ES_SEL + 2 * i, in->sel);
	vmcs_write(VMCS_GUEST_ES_AR + 2 * i, ar);
}

/*
 * SDM 3C 26.6.1.1: a real-mode guest (CR0.PE clear, possible only for an
 * unrestricted guest) gets no error code; software interrupts and
 * exceptions need the instruction length.
 */
void vmx_inject_event(struct vcpu *v, const struct virt_event *ev)
{
	uint64_t info = ev->vector |
			((uint64_t)ev->type << INTR_INFO_TYPE_SHIFT) |
			INTR_INFO_VALID;

	vmx_load(v);
	if (ev->has_error && (virt_reg_read(v, VREG_CR0) & CR0_PE)) {
		info |= INTR_INFO_DELIVER_CODE;
		vmcs_write(VMCS_ENTRY_EXCEPTION_ERROR, ev->error);
	}
	if (ev->type >= EVENT_SOFTINT)
		vmcs_write(VMCS_ENTRY_INSN_LEN,
			   ev->insn_len ? ev->insn_len : v->exit.insn_len);
	vmcs_write(VMCS_ENTRY_INTR_INFO, info);
}

/* The inverse of vmx_inject_event: the VM-entry event fields, cleared. */
bool vmx_take_event(struct vcpu *v, struct virt_event *ev)
{
	uint64_t info;

	vmx_load(v);
	info = vmcs_read(VMCS_ENTRY_INTR_INFO);
	if (!(info & INTR_INFO_VALID))
		return false;
	*ev = (struct virt_event){
		.vector = info & INTR_INFO_VECTOR_MASK,
		.type = (info & INTR_INFO_TYPE_MASK) >> INTR_INFO_TYPE_SHIFT,
		.has_error = info & INTR_INFO_DELIVER_CODE,
		.error = (uint32_t)vmcs_read(VMCS_ENTRY_EXCEPTION_ERROR),
		.insn_len = (uint8_t)vmcs_read(VMCS_ENTRY_INSN_LEN),
	};
	vmcs_write(VMCS_ENTRY_INTR_INFO, 0);
	return true;
}

/*
 * Shadow paging (kernel/mm/shadow.h): the guest reads its CR0 and CR4 from
 * the read shadows and its CR3 through CR3-store exiting; the CPU runs on
 * hw with every fixed bit, CR0.PE and PG included (no unrestricted guest
 * without EPT), and in IA-32e mode when hw.EFER.LMA says so.  The CPU saw
 * none of these writes, so the guest's TLB is flushed.
 */
void vmx_load_paging(struct vcpu *v, const struct paging_regs *guest,
		     const struct paging_regs *hw)
{
	vmx_load(v);
	vmx_write_cr(VMCS_GUEST_CR0, VMCS_CR0_SHADOW, guest->cr0, hw->cr0,
		     vmx_caps.cr0_fixed0, vmx_caps.cr0_fixed1);
	vmx_write_cr(VMCS_GUEST_CR4, VMCS_CR4_SHADOW, guest->cr4, hw->cr4,
		     vmx_caps.cr4_fixed0, vmx_caps.cr4_fixed1);
	vmcs_write(VMCS_GUEST_CR3, hw->cr3);
	vmx_write_efer(hw->efer);
	v->arch.vmx.flush = true;
}

/*
 * With VPID the guest's linear translations outlive VM exits and entries:
 * INVVPID single-context drops them before the next entry (vmx_vcpu_run,
 * SDM 3C 28.3.3.3).  Without VPID every entry and exit drops them already
 * (26.3.2.5, 27.5.5).  Guest-physical translations of the EPTP outlive
 * them in any case: under EPT INVEPT drops those too (28.3.3.1).
 */
void vmx_flush_tlb(struct vcpu *v)
{
	v->arch.vmx.flush = true;
}
