/*
 * vmcs.c - VMCS set-up, VM-instruction errors and dump (Intel SDM vol. 3C,
 * 25.3-25.7 on guest, host and control fields, 25.6.4 "I/O-Bitmap
 * Addresses", 25.6.9 "MSR-Bitmap Address", 31.4 "VM Instruction Error
 * Numbers"), lab 3.  It mirrors svm/vmcb.c.
 *
 * The controls intercept everything the core emulates: CPUID (always),
 * every port and MSR (all-ones bitmaps), HLT, VMCALL and the other VMX
 * instructions (always), #UD (for AMD's VMMCALL), every change to CR0 and
 * CR4 (guest/host masks all ones, the guest reads its own value from
 * the read shadows), triple faults (always), host interrupts and NMIs.
 * EPT and unrestricted guest let the guest run in real mode and with
 * paging off on its own memory; a domain with shadow paging (lab 4) runs
 * without both and intercepts CR3, INVLPG and #PF instead.
 * The guest state starts as a CPU after RESET; the core then sets the
 * entry state the guest image asks for.
 */
#include <inc/x86.h>
#include <kernel/kernel.h>
#include <kernel/mm/page.h>
#include <kernel/domain.h>
#include <kernel/gdt.h>
#include <kernel/trap.h>
#include <vmx/vmx.h>
#include <vmx/vmcs.h>

static hpa_t vmcs_io_bitmap_pa; /* A and B, one page each */
static hpa_t vmcs_msr_bitmap_pa;
static hpa_t vmcs_host_msrs_pa; /* VM-exit MSR-load area */

static const uint32_t vmcs_msr_index[VMX_NMSRS] = {
	[VMX_MSR_STAR] = MSR_STAR,
	[VMX_MSR_LSTAR] = MSR_LSTAR,
	[VMX_MSR_CSTAR] = MSR_CSTAR,
	[VMX_MSR_SFMASK] = MSR_SFMASK,
	[VMX_MSR_KERNEL_GS_BASE] = MSR_KERNEL_GS_BASE,
};

int vmcs_setup(void)
{
	struct vmx_msr_entry *host;
	int i;

	vmcs_io_bitmap_pa = page_alloc_contig(2, 1);
	vmcs_msr_bitmap_pa = page_alloc();
	vmcs_host_msrs_pa = page_alloc();
	if (!vmcs_io_bitmap_pa || !vmcs_msr_bitmap_pa || !vmcs_host_msrs_pa)
		return -E_NO_MEM;
	memset(kva(vmcs_io_bitmap_pa), 0xff, 2 * PAGE_SIZE);
	memset(kva(vmcs_msr_bitmap_pa), 0xff, PAGE_SIZE);
	host = kva(vmcs_host_msrs_pa);
	for (i = 0; i < VMX_NMSRS; i++)
		host[i] = (struct vmx_msr_entry){ vmcs_msr_index[i], 0,
						  rdmsr(vmcs_msr_index[i]) };
	return 0;
}

/* SDM 3C 31.4, table 31-1. */
const char *vmx_insn_error_name(uint64_t n)
{
	static const char *const names[] = {
		[1] = "VMCALL executed in VMX root operation",
		[2] = "VMCLEAR with invalid physical address",
		[3] = "VMCLEAR with VMXON pointer",
		[4] = "VMLAUNCH with non-clear VMCS",
		[5] = "VMRESUME with non-launched VMCS",
		[6] = "VMRESUME after VMXOFF",
		[7] = "VM entry with invalid control field(s)",
		[8] = "VM entry with invalid host-state field(s)",
		[9] = "VMPTRLD with invalid physical address",
		[10] = "VMPTRLD with VMXON pointer",
		[11] = "VMPTRLD with incorrect VMCS revision identifier",
		[12] = "VMREAD/VMWRITE from/to unsupported VMCS component",
		[13] = "VMWRITE to read-only VMCS component",
		[15] = "VMXON executed in VMX root operation",
		[16] = "VM entry with invalid executive-VMCS pointer",
		[17] = "VM entry with non-launched executive VMCS",
		[18] = "VM entry with executive-VMCS pointer not VMXON pointer",
		[19] = "VMCALL with non-clear VMCS",
		[20] = "VMCALL with invalid VM-exit control fields",
		[22] = "VMCALL with incorrect MSEG revision identifier",
		[23] = "VMXOFF under dual-monitor treatment of SMIs and SMM",
		[24] = "VMCALL with invalid SMM-monitor features",
		[25] = "VM entry with invalid VM-execution control fields in "
		       "executive VMCS",
		[26] = "VM entry with events blocked by MOV SS",
		[28] = "invalid operand to INVEPT/INVVPID",
	};

	return n < ARRAY_SIZE(names) && names[n] ? names[n] : "?";
}

void vmcs_fail(const char *insn, uint32_t field, bool invalid)
{
	uint64_t err;

	if (invalid)
		panic("vmcs_fail: %s (field 0x%x): VMfailInvalid", insn, field);
	err = vmcs_insn_error();
	panic("vmcs_fail: %s (field 0x%x): VMfailValid, error %llu (%s)", insn,
	      field, (unsigned long long)err, vmx_insn_error_name(err));
}

static void vmcs_init_controls(struct vcpu *v)
{
#if SOL >= 3
	const struct vmx_caps *c = &vmx_caps;

	vmcs_write(VMCS_PIN_CONTROLS, c->pin);
	vmcs_write(VMCS_PROC_CONTROLS, c->proc);
	vmcs_write(VMCS_PROC_CONTROLS2, c->proc2);
	vmcs_write(VMCS_EXIT_CONTROLS, c->exit);
	vmcs_write(VMCS_ENTRY_CONTROLS, c->entry);
	vmcs_write(VMCS_EXCEPTION_BITMAP, 1u << T_UD);
	vmcs_write(VMCS_CR3_TARGET_COUNT, 0);
	vmcs_write(VMCS_IO_BITMAP_A, vmcs_io_bitmap_pa);
	vmcs_write(VMCS_IO_BITMAP_B, vmcs_io_bitmap_pa + PAGE_SIZE);
	vmcs_write(VMCS_MSR_BITMAP, vmcs_msr_bitmap_pa);
	vmcs_write(VMCS_CR0_MASK, ~0ULL);
	vmcs_write(VMCS_CR4_MASK, ~0ULL);
	vmcs_write(VMCS_EPT_POINTER, v->domain->arch.vmx.eptp);
	if (c->vpid)
		vmcs_write(VMCS_VPID, v->domain->arch.vmx.vpid);
	vmcs_write(VMCS_ENTRY_MSR_LOAD_ADDR, v->arch.vmx.msrs_pa);
	vmcs_write(VMCS_ENTRY_MSR_LOAD_COUNT, VMX_NMSRS);
	vmcs_write(VMCS_EXIT_MSR_STORE_ADDR, v->arch.vmx.msrs_pa);
	vmcs_write(VMCS_EXIT_MSR_STORE_COUNT, VMX_NMSRS);
	vmcs_write(VMCS_EXIT_MSR_LOAD_ADDR, vmcs_host_msrs_pa);
	vmcs_write(VMCS_EXIT_MSR_LOAD_COUNT, VMX_NMSRS);
#else
	/* LAB 3: your code here */
	panic("vmcs_init_controls: not implemented");
#endif
}

/*
 * SDM 3C 25.5 and 27.5: the state a VM exit loads.  Host RSP is written by
 * entry.S just before each entry; host RIP is its exit label.
 */
static void vmcs_init_host(void)
{
#if SOL >= 3
	struct desc_ptr gdtr, idtr;

	__asm__ volatile("sgdt %0; sidt %1" : "=m"(gdtr), "=m"(idtr));
	vmcs_write(VMCS_HOST_CR0, read_cr0());
	vmcs_write(VMCS_HOST_CR3, read_cr3());
	vmcs_write(VMCS_HOST_CR4, read_cr4());
	vmcs_write(VMCS_HOST_CS_SEL, GD_KT);
	vmcs_write(VMCS_HOST_SS_SEL, GD_KD);
	vmcs_write(VMCS_HOST_DS_SEL, GD_KD);
	vmcs_write(VMCS_HOST_ES_SEL, GD_KD);
	vmcs_write(VMCS_HOST_FS_SEL, 0);
	vmcs_write(VMCS_HOST_GS_SEL, 0);
	vmcs_write(VMCS_HOST_TR_SEL, GD_TSS);
	vmcs_write(VMCS_HOST_FS_BASE, rdmsr(MSR_FS_BASE));
	vmcs_write(VMCS_HOST_GS_BASE, rdmsr(MSR_GS_BASE));
	vmcs_write(VMCS_HOST_TR_BASE, (uint64_t)(uintptr_t)&kern_tss);
	vmcs_write(VMCS_HOST_GDTR_BASE, gdtr.base);
	vmcs_write(VMCS_HOST_IDTR_BASE, idtr.base);
	vmcs_write(VMCS_HOST_SYSENTER_CS, 0);
	vmcs_write(VMCS_HOST_SYSENTER_ESP, 0);
	vmcs_write(VMCS_HOST_SYSENTER_EIP, 0);
	vmcs_write(VMCS_HOST_EFER, rdmsr(MSR_EFER));
	vmcs_write(VMCS_HOST_PAT, rdmsr(MSR_IA32_PAT));
	vmcs_write(VMCS_HOST_RIP, (uint64_t)(uintptr_t)vmx_exit);
#else
	/* LAB 3: your code here */
	panic("vmcs_init_host: not implemented");
#endif
}

/*
 * Shadow paging (lab 4, kernel/mm/shadow.h): the CPU walks the core's
 * tables, so EPT is off and with it unrestricted guest (SDM 3C 26.2.1.1),
 * and INVPCID (hidden in CPUID: kernel/cpuid.c) is #UD.  MOV to and from
 * CR3 exit (CR3-target count 0, 25.6.7), INVLPG exits,
 * and so does every #PF (PFEC mask and match 0, 25.6.3).
 */
static void vmcs_init_shadow(void)
{
	vmcs_write(VMCS_PROC_CONTROLS, vmx_caps.proc_shadow);
	vmcs_write(VMCS_PROC_CONTROLS2,
		   vmx_caps.proc2 &
			   ~(PROC2_ENABLE_EPT | PROC2_UNRESTRICTED_GUEST |
			     PROC2_ENABLE_INVPCID));
	vmcs_write(VMCS_EXCEPTION_BITMAP,
		   vmcs_read(VMCS_EXCEPTION_BITMAP) | 1u << T_PF);
	vmcs_write(VMCS_PF_ERROR_MASK, 0);
	vmcs_write(VMCS_PF_ERROR_MATCH, 0);
}

/* The register state after RESET (kernel/virt.c) and the guest-state
 * fields with no architectural register behind them (SDM 3C 25.4.2). */
static void vmcs_init_guest(struct vcpu *v)
{
	vmcs_write(VMCS_LINK_POINTER, ~0ULL);
	vmcs_write(VMCS_GUEST_DEBUGCTL, 0);
	vmcs_write(VMCS_GUEST_INTERRUPTIBILITY, 0);
	vmcs_write(VMCS_GUEST_ACTIVITY, 0);
	vmcs_write(VMCS_GUEST_PENDING_DBG, 0);
	vmcs_write(VMCS_ENTRY_INTR_INFO, 0);
	virt_vcpu_reset(v);
}

int vmcs_init(struct vcpu *v)
{
	int i;

	for (i = 0; i < VMX_NMSRS; i++)
		v->arch.vmx.msrs[i] = (struct vmx_msr_entry){ vmcs_msr_index[i],
							      0, 0 };
	vmcs_init_controls(v);
	if (v->domain->paging == PAGING_SHADOW)
		vmcs_init_shadow();
	vmcs_init_host();
	vmcs_init_guest(v);
	return 0;
}

void vmx_state_sync(struct vcpu *v, int slot, bool written)
{
#if SOL >= 8
	struct vmx_msr_entry *e = &v->arch.vmx.msrs[slot];

	if (!v->lazy_state)
		return;
	virt_world_ops++;
	if (written)
		wrmsr(e->index, e->value);
	else
		e->value = rdmsr(e->index);
#else
	/* LAB 8: your code here.  While v's slice is lazy the CPU holds
	 * the MSRs of its list: make the list's copy of slot right before
	 * a read, and the CPU's after a write. */
	(void)v, (void)slot, (void)written;
#endif
}

/*
 * Lab 8: the host does not use the MSRs of the lists (vmx.h) between two
 * exits of one guest: it makes no system call and never runs SWAPGS,
 * and neither do its NMI and interrupt handlers.  So a lazy slice
 * empties the lists and WRMSRs the guest's values once; at its end it
 * RDMSRs them back into v's list and WRMSRs the host's (vmcs_setup's).
 */
void vmx_slice_switch(struct vcpu *v, bool in)
{
#if SOL >= 8
	const struct vmx_msr_entry *host = kva(vmcs_host_msrs_pa);
	unsigned i, n = in ? 0 : VMX_NMSRS;

	if (!v->lazy_state)
		return;
	vmx_load(v);
	vmcs_write(VMCS_ENTRY_MSR_LOAD_COUNT, n);
	vmcs_write(VMCS_EXIT_MSR_STORE_COUNT, n);
	vmcs_write(VMCS_EXIT_MSR_LOAD_COUNT, n);
	for (i = 0; i < VMX_NMSRS; i++) {
		vmx_state_sync(v, i, in);
		if (!in)
			wrmsr(host[i].index, host[i].value);
	}
	virt_world_ops += n;
#else
	/* LAB 8: your code here.  When v's slice begins (in) lazy, empty
	 * its MSR lists and load the guest's MSRs; at its end save them,
	 * load the host's (vmcs_host_msrs_pa) and fill the lists again.
	 * Until then, no slice is lazy. */
	v->lazy_state = false;
#endif
}

/* A field, as cprintf's %llx wants it. */
static unsigned long long vmcs_ull(uint32_t field)
{
	return (unsigned long long)vmcs_read(field);
}

void vmcs_dump(struct vcpu *v)
{
	uint64_t reason;

	vmx_load(v);
	reason = vmcs_read(VMCS_EXIT_REASON);
	cprintf("VMCS of %s vcpu %d at 0x%llx:\n", v->domain->name, v->id,
		(unsigned long long)v->arch.vmx.vmcs_pa);
	if (v->arch.vmx.fail)
		cprintf("  VMLAUNCH/VMRESUME: VMfailValid, error %llu (%s)\n",
			(unsigned long long)(v->arch.vmx.fail - 1),
			vmx_insn_error_name(v->arch.vmx.fail - 1));
	cprintf("  exit reason 0x%llx (basic %llu%s) qualification 0x%llx "
		"insn len %llu info 0x%llx\n",
		(unsigned long long)reason,
		(unsigned long long)EXIT_REASON_BASIC(reason),
		(reason & EXIT_REASON_ENTRY_FAIL) ? ", VM-entry failure" : "",
		vmcs_ull(VMCS_EXIT_QUALIFICATION), vmcs_ull(VMCS_EXIT_INSN_LEN),
		vmcs_ull(VMCS_EXIT_INSN_INFO));
	cprintf("  exit intr 0x%llx idt-vectoring 0x%llx entry intr 0x%llx "
		"gpa 0x%llx\n",
		vmcs_ull(VMCS_EXIT_INTR_INFO),
		vmcs_ull(VMCS_IDT_VECTORING_INFO),
		vmcs_ull(VMCS_ENTRY_INTR_INFO), vmcs_ull(VMCS_GUEST_PHYS_ADDR));
	cprintf("  pin %08llx proc %08llx proc2 %08llx exit %08llx "
		"entry %08llx\n",
		vmcs_ull(VMCS_PIN_CONTROLS), vmcs_ull(VMCS_PROC_CONTROLS),
		vmcs_ull(VMCS_PROC_CONTROLS2), vmcs_ull(VMCS_EXIT_CONTROLS),
		vmcs_ull(VMCS_ENTRY_CONTROLS));
	cprintf("  eptp 0x%llx vpid %llu interruptibility %llx activity %llx\n",
		vmcs_ull(VMCS_EPT_POINTER),
		vmx_caps.vpid ? vmcs_ull(VMCS_VPID) : 0,
		vmcs_ull(VMCS_GUEST_INTERRUPTIBILITY),
		vmcs_ull(VMCS_GUEST_ACTIVITY));
	cprintf("  rip %016llx rflags %08llx cr0 %08llx (real %08llx) "
		"cr3 %016llx\n",
		vmcs_ull(VMCS_GUEST_RIP), vmcs_ull(VMCS_GUEST_RFLAGS),
		vmcs_ull(VMCS_CR0_SHADOW), vmcs_ull(VMCS_GUEST_CR0),
		vmcs_ull(VMCS_GUEST_CR3));
	cprintf("  cr4 %08llx (real %08llx) efer %llx cr2 %016llx\n",
		vmcs_ull(VMCS_CR4_SHADOW), vmcs_ull(VMCS_GUEST_CR4),
		vmcs_ull(VMCS_GUEST_EFER), (unsigned long long)v->arch.vmx.cr2);
}
