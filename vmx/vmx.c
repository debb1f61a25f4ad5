/*
 * vmx.c - the Intel VT-x backend's entry points (Intel SDM vol. 3C,
 * 24.6 "Discovering Support for VMX", 24.7 "Enabling and Entering VMX
 * Operation", 24.8 "Restrictions on VMX Operation", appendix A "VMX
 * Capability Reporting Facility"), lab 3: capability probe, per-CPU
 * enable, vcpu life cycle, entry and exit, and the ops table virt_init()
 * selects (register access: regs.c).  It mirrors svm/svm.c.
 */
#include <inc/x86.h>
#include <kernel/kernel.h>
#include <kernel/clock.h>
#include <kernel/mm/page.h>
#include <kernel/domain.h>
#include <kernel/sched.h>
#include <vmx/vmx.h>
#include <vmx/vmcs.h>

#define CPUID_1_ECX_VMX (1u << 5)

#define VMX_TRUE_CTLS_OFFSET \
	(MSR_IA32_VMX_TRUE_PINBASED_CTLS - MSR_IA32_VMX_PINBASED_CTLS)

#define BASIC_REVISION_MASK 0x7fffffffULL /* bits 30:0 */
#define BASIC_IO_INSN_INFO  (1ULL << 54)
#define BASIC_TRUE_CTLS	    (1ULL << 55)

#define MISC_PREEMPT_RATE(m) ((m)&0x1f) /* timer ticks every 2^n TSC */

/* IA32_VMX_EPT_VPID_CAP, appendix A.10 */
#define EPT_CAP_WALK4		(1ULL << 6)
#define EPT_CAP_WB		(1ULL << 14)
#define EPT_CAP_2M		(1ULL << 16)
#define EPT_CAP_1G		(1ULL << 17)
#define EPT_CAP_INVEPT		(1ULL << 20)
#define EPT_CAP_INVEPT_SINGLE	(1ULL << 25)
#define VPID_CAP_INVVPID	(1ULL << 32)
#define VPID_CAP_INVVPID_SINGLE (1ULL << 41)
#define VPID_CAP_INVVPID_ALL	(1ULL << 42)

#define INVEPT_SINGLE  1
#define INVEPT_ALL     2
#define INVVPID_SINGLE 1
#define INVVPID_ALL    2

struct vmx_caps vmx_caps;

static hpa_t vmx_vmxon_pa;
static hpa_t vmx_current; /* the current VMCS, 0 if none */

/* VMXON, VMCLEAR, VMPTRLD: take the physical address in memory (VMXON
 * is the handout's to call). */
#define VMX_PA_INSN(name)                                      \
	static __attribute__((unused)) void name(hpa_t pa)     \
	{                                                      \
		uint8_t cf, zf;                                \
		__asm__ volatile(#name " %2; setc %0; setz %1" \
				 : "=qm"(cf), "=qm"(zf)        \
				 : "m"(pa)                     \
				 : "cc", "memory");            \
		if (cf || zf)                                  \
			vmcs_fail(#name, 0, cf);               \
	}
VMX_PA_INSN(vmxon)
VMX_PA_INSN(vmclear)
VMX_PA_INSN(vmptrld)
#undef VMX_PA_INSN

/* INVEPT, INVVPID: the type in a register, a descriptor whose first
 * quadword is the EPTP or VPID in memory (SDM 3C 31.3). */
#define VMX_INV_INSN(name)                                         \
	static void name(uint64_t type, uint64_t tag)              \
	{                                                          \
		uint64_t desc[2] = { tag, 0 };                     \
		uint8_t cf, zf;                                    \
		__asm__ volatile(#name " %2, %3; setc %0; setz %1" \
				 : "=qm"(cf), "=qm"(zf)            \
				 : "m"(desc), "r"(type)            \
				 : "cc", "memory");                \
		if (cf || zf)                                      \
			vmcs_fail(#name, 0, cf);                   \
	}
VMX_INV_INSN(invept)
VMX_INV_INSN(invvpid)
#undef VMX_INV_INSN

/*
 * Appendix A.3-A.5: a control word for capability MSR msr, with every
 * bit of need, the bits of want the CPU allows, and the bits the CPU
 * insists on.  -E_NOT_SUPP (and says which bits) if need is not allowed.
 */
static int vmx_adjust(uint32_t msr, uint32_t need, uint32_t want,
		      const char *what, uint32_t *out)
{
	uint64_t cap = rdmsr(msr);
	uint32_t must1 = (uint32_t)cap, may1 = (uint32_t)(cap >> 32);

	if (need & ~may1) {
		cprintf("vmx: %s controls 0x%08x not allowed "
			"(MSR 0x%x allows 0x%08x)\n",
			what, need & ~may1, msr, may1);
		return -E_NOT_SUPP;
	}
	*out = must1 | need | (want & may1);
	return 0;
}

/* The capability MSR for msr, its TRUE_ variant when BASIC[55] says so. */
static uint32_t vmx_ctl_msr(uint32_t msr)
{
	return vmx_caps.true_ctls ? msr + VMX_TRUE_CTLS_OFFSET : msr;
}

/*
 * SDM 3C 26.5.1 "VMX-Preemption Timer", A.6: a guest that was entered
 * with RFLAGS.IF clear must still exit on a host interrupt (external-
 * interrupt exiting), but Bochs masks the interrupt for such a guest until
 * the guest itself writes RFLAGS.IF.  The preemption timer ends the slice
 * on any CPU that has it, whatever the guest's IF; the exit is taken as a
 * host interrupt.  0 (not used) without the timer.
 */
static void vmx_probe_preempt_timer(void)
{
	uint64_t ticks;

	if (!(vmx_caps.pin & PIN_PREEMPT_TIMER))
		return;
	ticks = (clock_tsc_hz() / 1000000 * SCHED_SLICE_US) >>
		MISC_PREEMPT_RATE(rdmsr(MSR_IA32_VMX_MISC));
	vmx_caps.preempt_timer = (uint32_t)MIN(MAX(ticks, 1), 0xffffffffULL);
}

static int vmx_probe_controls(void)
{
	struct vmx_caps *c = &vmx_caps;
	uint64_t ept = rdmsr(MSR_IA32_VMX_EPT_VPID_CAP);
	uint64_t proc = rdmsr(vmx_ctl_msr(MSR_IA32_VMX_PROCBASED_CTLS));

	if (vmx_adjust(vmx_ctl_msr(MSR_IA32_VMX_PINBASED_CTLS),
		       PIN_EXT_INTR_EXITING | PIN_NMI_EXITING,
		       PIN_PREEMPT_TIMER | PIN_VIRTUAL_NMIS, "pin-based",
		       &c->pin) < 0 ||
	    vmx_adjust(vmx_ctl_msr(MSR_IA32_VMX_PROCBASED_CTLS),
		       PROC_HLT_EXITING | PROC_USE_IO_BITMAPS |
			       PROC_USE_MSR_BITMAPS | PROC_MWAIT_EXITING |
			       PROC_MONITOR_EXITING | PROC_SECONDARY,
		       0, "processor-based", &c->proc) < 0 ||
	    vmx_adjust(MSR_IA32_VMX_PROCBASED_CTLS2,
		       PROC2_ENABLE_EPT | PROC2_UNRESTRICTED_GUEST,
		       PROC2_ENABLE_VPID | PROC2_ENABLE_INVPCID, "secondary",
		       &c->proc2) < 0 ||
	    vmx_adjust(vmx_ctl_msr(MSR_IA32_VMX_EXIT_CTLS),
		       EXIT_SAVE_DEBUG_CONTROLS | EXIT_HOST_ADDR_SPACE_SIZE |
			       EXIT_SAVE_EFER | EXIT_LOAD_EFER | EXIT_SAVE_PAT |
			       EXIT_LOAD_PAT,
		       0, "VM-exit", &c->exit) < 0 ||
	    vmx_adjust(vmx_ctl_msr(MSR_IA32_VMX_ENTRY_CTLS),
		       ENTRY_LOAD_DEBUG_CONTROLS | ENTRY_LOAD_EFER |
			       ENTRY_LOAD_PAT,
		       0, "VM-entry", &c->entry) < 0)
		return -E_NOT_SUPP;
	c->proc &= ~(PROC_CR3_LOAD_EXITING | PROC_CR3_STORE_EXITING) |
		   (uint32_t)proc;
	if (vmx_adjust(vmx_ctl_msr(MSR_IA32_VMX_PROCBASED_CTLS),
		       c->proc | PROC_INVLPG_EXITING | PROC_CR3_LOAD_EXITING |
			       PROC_CR3_STORE_EXITING,
		       0, "shadow-paging processor-based", &c->proc_shadow) < 0)
		return -E_NOT_SUPP;
	c->entry &= ~ENTRY_IA32E_MODE;
	if (!(ept & EPT_CAP_WALK4) || !(ept & EPT_CAP_WB) ||
	    !(ept & EPT_CAP_INVEPT)) {
		cprintf("vmx: EPT lacks 4-level walks, WB or INVEPT "
			"(EPT_VPID_CAP 0x%llx)\n",
			(unsigned long long)ept);
		return -E_NOT_SUPP;
	}
	c->invept_single = ept & EPT_CAP_INVEPT_SINGLE;
	c->ept_max_level = (ept & EPT_CAP_1G) ? 3 : (ept & EPT_CAP_2M) ? 2 : 1;
	c->vpid = (c->proc2 & PROC2_ENABLE_VPID) && (ept & VPID_CAP_INVVPID) &&
		  (ept & (VPID_CAP_INVVPID_SINGLE | VPID_CAP_INVVPID_ALL));
	if (!c->vpid)
		c->proc2 &= ~PROC2_ENABLE_VPID;
	c->invvpid_single = ept & VPID_CAP_INVVPID_SINGLE;
	c->mtf = proc >> 32 & PROC_MONITOR_TRAP_FLAG;
	c->nmi_window = (c->pin & PIN_VIRTUAL_NMIS) &&
			(proc >> 32 & PROC_NMI_WINDOW_EXITING);
	vmx_probe_preempt_timer();
	return 0;
}

/* SDM 3C 24.8: CR0 and CR4 must hold the bits IA32_VMX_CRn_FIXED0/1 fix. */
static int vmx_fix_host_crs(void)
{
	uint64_t cr0 = read_cr0() | vmx_caps.cr0_fixed0;
	uint64_t cr4 = read_cr4() | vmx_caps.cr4_fixed0 | CR4_VMXE;

	if ((cr0 & ~vmx_caps.cr0_fixed1) || (cr4 & ~vmx_caps.cr4_fixed1)) {
		cprintf("vmx: host CR0 0x%llx / CR4 0x%llx have bits VMX "
			"operation forbids\n",
			(unsigned long long)cr0, (unsigned long long)cr4);
		return -E_NOT_SUPP;
	}
	write_cr0(cr0);
	write_cr4(cr4);
	return 0;
}

/* SDM 3C 24.7: VMX operation needs IA32_FEATURE_CONTROL locked with VMX
 * on, CR4.VMXE and a VMXON region naming the VMCS revision. */
static int vmx_cpu_enable(void)
{
	int r = vmx_fix_host_crs();

	if (r < 0)
		return r;
	vmx_vmxon_pa = page_alloc();
	if (!vmx_vmxon_pa)
		return -E_NO_MEM;
#if SOL >= 3
	uint64_t fc = rdmsr(MSR_IA32_FEATURE_CONTROL);

	if (!(fc & FEATURE_CONTROL_LOCK))
		wrmsr(MSR_IA32_FEATURE_CONTROL,
		      fc | FEATURE_CONTROL_LOCK | FEATURE_CONTROL_VMXON);
	*(uint32_t *)kva(vmx_vmxon_pa) = vmx_caps.revision;
	vmxon(vmx_vmxon_pa);
#else
	/* LAB 3: your code here */
	panic("vmx_cpu_enable: not implemented");
#endif
	return vmcs_setup();
}

/* The handout's world switch stub lands here. */
void vmx_vmrun_missing(void);
void vmx_vmrun_missing(void)
{
	panic("vmx_vmrun: not implemented");
}

void vmx_load(struct vcpu *v)
{
	if (vmx_current == v->arch.vmx.vmcs_pa)
		return;
	vmptrld(v->arch.vmx.vmcs_pa);
	vmx_current = v->arch.vmx.vmcs_pa;
}

/* The guest-physical translations the CPU cached for d's EPTP. */
static void vmx_invept(struct domain *d)
{
	invept(vmx_caps.invept_single ? INVEPT_SINGLE : INVEPT_ALL,
	       d->arch.vmx.eptp);
}

/* Under shadow paging the CPU walks the core's tables: no EPT. */
static int vmx_domain_init(struct domain *d)
{
	if (d->id + 1 > 0xffff)
		return -E_RANGE;
	d->arch.vmx.vpid = (uint16_t)(d->id + 1);
	if (d->paging == PAGING_SHADOW)
		return 0;
	d->arch.vmx.eptp = ept_pointer(d->nested.root);
	/* A new EPTP may equal a dead domain's: drop what it cached. */
	vmx_invept(d);
	return 0;
}

static void vmx_vcpu_destroy(struct vcpu *v)
{
	struct vmx_vcpu *x = &v->arch.vmx;

	if (x->vmcs_pa) {
		vmclear(x->vmcs_pa);
		if (vmx_current == x->vmcs_pa)
			vmx_current = 0;
		page_free(x->vmcs_pa);
	}
	if (x->msrs_pa)
		page_free(x->msrs_pa);
	memset(x, 0, sizeof(*x));
}

static int vmx_vcpu_init(struct vcpu *v)
{
	struct vmx_vcpu *x = &v->arch.vmx;
	int r;

	memset(x, 0, sizeof(*x));
	x->vmcs_pa = page_alloc();
	x->msrs_pa = page_alloc();
	if (!x->vmcs_pa || !x->msrs_pa) {
		vmx_vcpu_destroy(v);
		return -E_NO_MEM;
	}
	x->msrs = kva(x->msrs_pa);
	memset(kva(x->vmcs_pa), 0, PAGE_SIZE);
	*(uint32_t *)kva(x->vmcs_pa) = vmx_caps.revision;
	vmclear(x->vmcs_pa);
	vmx_load(v);
	x->flush = true;
	r = vmcs_init(v);
	if (r < 0)
		vmx_vcpu_destroy(v);
	return r;
}

/*
 * An event that was being delivered when the exit happened (IDT-vectoring
 * information, SDM 3C 28.2.4) was lost: inject it again (the exit handler
 * may still replace it).
 */
static void vmx_requeue_event(struct vcpu *v)
{
	uint64_t info = vmcs_read(VMCS_IDT_VECTORING_INFO);
	uint32_t type = (info & INTR_INFO_TYPE_MASK) >> INTR_INFO_TYPE_SHIFT;

	if (!(info & INTR_INFO_VALID))
		return;
	if (info & INTR_INFO_DELIVER_CODE)
		vmcs_write(VMCS_ENTRY_EXCEPTION_ERROR,
			   vmcs_read(VMCS_IDT_VECTORING_ERROR));
	if (type == INTR_TYPE_SOFT_INT || type == INTR_TYPE_PRIV_SOFT_EXC ||
	    type == INTR_TYPE_SOFT_EXC)
		vmcs_write(VMCS_ENTRY_INSN_LEN, vmcs_read(VMCS_EXIT_INSN_LEN));
	vmcs_write(VMCS_ENTRY_INTR_INFO,
		   info & ~(uint64_t)INTR_INFO_NMI_UNBLOCKING);
}

/* VMLAUNCH/VMRESUME itself failed: an entry failure of this domain. */
static void vmx_entry_failed(struct vcpu *v, int r)
{
	if (r == 2)
		panic("vmx_vcpu_run: VMfailInvalid: no current VMCS");
	v->arch.vmx.fail = 1 + vmcs_insn_error();
	memset(&v->exit, 0, sizeof(v->exit));
	v->exit.kind = EXIT_ENTRY_FAIL;
	v->exit.hw_code = EXIT_REASON_ENTRY_FAIL;
	v->exit.hw_info1 = v->arch.vmx.fail - 1;
	cprintf("vmx: %s failed: VMfailValid, error %llu (%s)\n",
		v->arch.vmx.launched ? "VMRESUME" : "VMLAUNCH",
		(unsigned long long)v->exit.hw_info1,
		vmx_insn_error_name(v->exit.hw_info1));
}

/*
 * Interrupt- and NMI-window exiting: the guest exits as soon as it can
 * take an interrupt, or an NMI (no STI or MOV SS shadow, no virtual-NMI
 * blocking), SDM 3C 25.2 "Other Causes of VM Exits", 26.7.5-26.7.6.
 * window is virt_deliver_interrupt's; a CPU without virtual NMIs gets
 * no NMI window, and a blocked NMI waits for the next exit.
 */
static void vmx_windows(unsigned window)
{
	uint64_t old = vmcs_read(VMCS_PROC_CONTROLS);
	uint64_t proc = old & ~(uint64_t)(PROC_INTR_WINDOW_EXITING |
					  PROC_NMI_WINDOW_EXITING);

	if (window & VIRT_WINDOW_INTR)
		proc |= PROC_INTR_WINDOW_EXITING;
	if ((window & VIRT_WINDOW_NMI) && vmx_caps.nmi_window)
		proc |= PROC_NMI_WINDOW_EXITING;
	if (proc != old)
		vmcs_write(VMCS_PROC_CONTROLS, proc);
}

/*
 * Shadow paging runs the guest without EPT, hence without unrestricted
 * guest (SDM 3C 26.2.1.1), so CR0.PE and PG are fixed to 1 (A.7): a
 * guest with CR0.PE clear cannot be entered.  Crashes its domain and
 * reports the exit as an entry failure.
 */
static bool vmx_shadow_real_mode(struct vcpu *v)
{
	if (v->domain->paging != PAGING_SHADOW ||
	    (virt_reg_read(v, VREG_CR0) & CR0_PE))
		return false;
	domain_crash(v->domain, v,
		     "CR0.PE clear under shadow paging (VT-x runs real mode "
		     "only with EPT)");
	memset(&v->exit, 0, sizeof(v->exit));
	v->exit.kind = EXIT_ENTRY_FAIL;
	return true;
}

/*
 * A step for GDB: the monitor trap flag where the CPU has it (SDM 3C
 * 26.7.2, an exit after one instruction, which the guest cannot see),
 * else RFLAGS.TF.  Bochs holds TF's single step pending from the VM entry
 * on: an exit before the first instruction (the preemption timer) saves
 * it as BS in the pending debug exceptions, and the next entry would
 * report a step that never ran, so BS goes while RIP has not moved.
 */
static void vmx_debug_step(struct vcpu *v, bool on)
{
	uint64_t proc = vmcs_read(VMCS_PROC_CONTROLS) & ~PROC_MONITOR_TRAP_FLAG;
	uint64_t rflags = vmcs_read(VMCS_GUEST_RFLAGS) & ~X86_FLAGS_TF;
	uint64_t rip = vmcs_read(VMCS_GUEST_RIP);

	if (vmx_caps.mtf) {
		vmcs_write(VMCS_PROC_CONTROLS,
			   proc | (on ? PROC_MONITOR_TRAP_FLAG : 0));
		return;
	}
	vmcs_write(VMCS_GUEST_RFLAGS, rflags | (on ? X86_FLAGS_TF : 0));
	if (!on)
		return;
	if (rip == v->arch.vmx.step_rip)
		vmcs_write(VMCS_GUEST_PENDING_DBG,
			   vmcs_read(VMCS_GUEST_PENDING_DBG) & ~DR6_BS);
	v->arch.vmx.step_rip = rip;
}

/*
 * GDB's requests (v->debug, kernel/virt.h): #BP and #DB in the exception
 * bitmap (SDM 3C 25.2), and a step.
 */
static void vmx_debug_enter(struct vcpu *v)
{
	const uint32_t both = 1u << T_BP | 1u << T_DB;
	uint64_t bitmap = vmcs_read(VMCS_EXCEPTION_BITMAP) & ~(uint64_t)both;

	if (v->debug & VIRT_DEBUG_TRAP)
		bitmap |= both;
	vmcs_write(VMCS_EXCEPTION_BITMAP, bitmap);
	if (v->debug & VIRT_DEBUG_STEP)
		vmx_debug_step(v, true);
}

static void vmx_vcpu_run(struct vcpu *v)
{
	struct vmx_vcpu *x = &v->arch.vmx;
	bool queued;
	int r;

	if (vmx_shadow_real_mode(v))
		return;
	vmx_load(v);
	vmx_debug_enter(v);
	queued = vmcs_read(VMCS_ENTRY_INTR_INFO) & INTR_INFO_VALID;
	vmx_windows(virt_deliver_interrupt(v, queued));
	if (vmx_caps.preempt_timer)
		vmcs_write(VMCS_PREEMPT_TIMER, vmx_caps.preempt_timer);
	vmcs_write(VMCS_GUEST_RSP, v->gprs[GPR_RSP]);
	if (x->flush && vmx_caps.vpid)
		invvpid(vmx_caps.invvpid_single ? INVVPID_SINGLE : INVVPID_ALL,
			v->domain->arch.vmx.vpid);
	if (x->flush && v->domain->paging != PAGING_SHADOW)
		vmx_invept(v->domain);
	x->flush = false;
	/*
	 * Host interrupts stay off across the switch: external-interrupt
	 * exiting makes one exit the guest without acknowledging it, and
	 * the host takes it in the STI window below.
	 */
	write_cr2(x->cr2);
	if (!v->lazy_state) /* lab 8: the MSR-list entries, counted */
		virt_world_ops += 3 * VMX_NMSRS;
	r = vmx_vmrun(v, x->launched);
	__asm__ volatile("sti; nop; cli" : : : "memory");
	if (r) {
		vmx_entry_failed(v, r);
		return;
	}
	x->cr2 = read_cr2();
	if (!(vmcs_read(VMCS_EXIT_REASON) & EXIT_REASON_ENTRY_FAIL))
		x->launched = true;
	v->gprs[GPR_RSP] = vmcs_read(VMCS_GUEST_RSP);
	vmx_requeue_event(v);
	vmx_exit_decode(v);
	if (v->debug & VIRT_DEBUG_STEP)
		vmx_debug_step(v, false);
}

/* The ops table's bench_cpuid: a host interrupt exits the guest
 * (external-interrupt exiting) and is taken at once. */
static int vmx_bench_cpuid(struct vcpu *v, uint8_t len)
{
	uint64_t reason;

	vmx_load(v);
	if (vmx_vmrun(v, v->arch.vmx.launched))
		return -1;
	reason = vmcs_read(VMCS_EXIT_REASON);
	if (reason == EXIT_REASON_CPUID) {
		vmcs_write(VMCS_GUEST_RIP, vmcs_read(VMCS_GUEST_RIP) + len);
		return 1;
	}
	__asm__ volatile("sti; nop; cli" : : : "memory");
	if (reason != EXIT_REASON_EXTERNAL_INTR &&
	    reason != EXIT_REASON_PREEMPT_TIMER)
		return -1;
	return 0;
}

static const struct virt_ops vmx_ops = {
	.name = "vmx",
	.nested = &ept_format,
	.shadow_pe_only = true,
	.cpu_enable = vmx_cpu_enable,
	.domain_init = vmx_domain_init,
	.vcpu_init = vmx_vcpu_init,
	.vcpu_destroy = vmx_vcpu_destroy,
	.vcpu_run = vmx_vcpu_run,
	.slice = vmx_slice_switch,
	.reg_read = vmx_reg_read,
	.reg_write = vmx_reg_write,
	.seg_read = vmx_seg_read,
	.seg_write = vmx_seg_write,
	.inject_event = vmx_inject_event,
	.take_event = vmx_take_event,
	.load_paging = vmx_load_paging,
	.flush_tlb = vmx_flush_tlb,
	.dump = vmcs_dump,
	.bench_cpuid = vmx_bench_cpuid,
};

/*
 * SDM 3C 24.6-24.7: VT-x is present when CPUID.1:ECX.VMX is set, and
 * usable unless firmware locked IA32_FEATURE_CONTROL without VMX outside
 * SMX.  hvlab also needs EPT and unrestricted guests (real-mode guests run
 * natively), and the TRUE control MSRs when the CPU has them.
 */
const struct virt_ops *vmx_probe(void)
{
	uint64_t fc, basic;

	if (!(cpuid(1, 0).ecx & CPUID_1_ECX_VMX)) {
		cprintf("vmx: not supported by this CPU\n");
		return NULL;
	}
	fc = rdmsr(MSR_IA32_FEATURE_CONTROL);
	if ((fc & FEATURE_CONTROL_LOCK) && !(fc & FEATURE_CONTROL_VMXON)) {
		cprintf("vmx: disabled by firmware (IA32_FEATURE_CONTROL "
			"0x%llx "
			"locked without VMX outside SMX)\n",
			(unsigned long long)fc);
		return NULL;
	}
	basic = rdmsr(MSR_IA32_VMX_BASIC);
	vmx_caps.revision = basic & BASIC_REVISION_MASK;
	vmx_caps.true_ctls = basic & BASIC_TRUE_CTLS;
	vmx_caps.io_insn_info = basic & BASIC_IO_INSN_INFO;
	vmx_caps.cr0_fixed0 = rdmsr(MSR_IA32_VMX_CR0_FIXED0);
	vmx_caps.cr0_fixed1 = rdmsr(MSR_IA32_VMX_CR0_FIXED1);
	vmx_caps.cr4_fixed0 = rdmsr(MSR_IA32_VMX_CR4_FIXED0);
	vmx_caps.cr4_fixed1 = rdmsr(MSR_IA32_VMX_CR4_FIXED1);
	if (vmx_probe_controls() < 0)
		return NULL;
	cprintf("vmx: VMCS revision 0x%x, %s controls, EPT, unrestricted "
		"guest, VPID %s, INS/OUTS info %s, preemption timer %s\n",
		vmx_caps.revision, vmx_caps.true_ctls ? "TRUE" : "default",
		vmx_caps.vpid ? "yes" : "no",
		vmx_caps.io_insn_info ? "yes" : "no",
		vmx_caps.preempt_timer ? "yes" : "no");
	return &vmx_ops;
}
