/*
 * exit.c - decoding a VM exit into the core's vendor-neutral struct
 * vcpu_exit (Intel SDM vol. 3C, 28.2 "Recording VM-Exit Information",
 * 28.2.1 table 28-1 on exit qualifications, 28.2.5 "Information for VM
 * Exits Due to Instruction Execution", appendix C "VMX Basic Exit
 * Reasons"), lab 3.  It mirrors svm/exit.c.
 *
 * VT-x always reports the length of the exiting instruction
 * (VM-exit instruction-length field) and decodes I/O and control-register
 * accesses in the exit qualification, so unlike QEMU's SVM no guest
 * instruction is decoded here (gmem_decode_insn), except for the operand
 * register of LMSW and for a #UD that may be AMD's VMMCALL.
 */
#include <inc/x86.h>
#include <kernel/kernel.h>
#include <kernel/domain.h>
#include <kernel/mm/gmem.h>
#include <vmx/vmx.h>
#include <vmx/vmcs.h>

#if SOL >= 3
/*
 * Table 28-5.  INS/OUTS are run by the emulator, which decodes their
 * segment and address size.
 */
static enum exit_kind vmx_decode_io(struct vcpu *v, uint64_t qual)
{
	struct exit_io *io = &v->exit.io;

	io->port = IOQ_PORT(qual);
	io->size = (uint8_t)IOQ_SIZE(qual);
	io->in = qual & IOQ_IN;
	io->string = qual & IOQ_STRING;
	return EXIT_IO;
}

/* The register operand of LMSW (0F 01 /6), or -1 for a memory operand. */
static int vmx_lmsw_gpr(struct vcpu *v)
{
	struct x86_insn in;

	if (gmem_decode_insn(v, &in) < 0 ||
	    !x86_insn_is(&in, X86_MAP_0F, 0x01, -1) || x86_insn_ext(&in) != 6 ||
	    in.is_mem)
		return -1;
	return in.rm;
}

/*
 * Table 28-3.  The qualification names the register of MOV CRn; LMSW gives
 * only its source value, so its register is decoded from the instruction.
 * An LMSW from memory is reported as an unknown exit, as on SVM.
 */
static enum exit_kind vmx_decode_cr(struct vcpu *v, uint64_t qual)
{
	struct exit_cr *x = &v->exit.cr;
	int gpr;

	x->cr = (uint8_t)CRQ_CR(qual);
	x->write = CRQ_TYPE(qual) != CRQ_MOV_FROM;
	switch (CRQ_TYPE(qual)) {
	case CRQ_MOV_TO:
	case CRQ_MOV_FROM:
		x->op = CR_OP_MOV;
		x->gpr = (enum gpr)CRQ_GPR(qual);
		return EXIT_CR_ACCESS;
	case CRQ_CLTS: x->op = CR_OP_CLTS; return EXIT_CR_ACCESS;
	default:
		gpr = (qual & CRQ_LMSW_MEM) ? -1 : vmx_lmsw_gpr(v);
		if (gpr < 0)
			return EXIT_UNKNOWN;
		x->op = CR_OP_LMSW;
		x->gpr = (enum gpr)gpr;
		return EXIT_CR_ACCESS;
	}
}

/*
 * An EPT violation (28.2.1 table 28-7 "Exit Qualification for EPT
 * Violations": bits 0-2 the access), or a misconfiguration (no
 * qualification): the GPA is in the VMCS for both (28.2.5).
 */
static enum exit_kind vmx_decode_ept(struct vcpu *v, uint64_t reason,
				     uint64_t qual)
{
	bool misconfig = reason == EXIT_REASON_EPT_MISCONFIG;

	v->exit.gpa = (struct exit_gpa_fault){
		.gpa = vmcs_read(VMCS_GUEST_PHYS_ADDR),
		.write = !misconfig && (qual & EPTQ_WRITE),
		.fetch = !misconfig && (qual & EPTQ_FETCH),
		.misconfig = misconfig,
	};
	return EXIT_GPA_FAULT;
}

/*
 * A #UD from AMD's VMMCALL (0F 01 D9), which VT-x does not know: the same
 * guests run on both vendors when it is taken as the hypercall, as VMCALL
 * is.  Any other #UD goes back to the guest.
 */
static enum exit_kind vmx_decode_ud(struct vcpu *v)
{
	struct x86_insn in;

	if (gmem_decode_insn(v, &in) < 0 ||
	    !x86_insn_is(&in, X86_MAP_0F, 0x01, 0xd9))
		return EXIT_INVALID_INSN;
	v->exit.insn_len = in.length;
	return EXIT_HYPERCALL;
}

/*
 * 28.2.2: an exit for an exception or NMI; NMIs and #UD are intercepted,
 * and #PF under shadow paging: the qualification is the linear address
 * (table 28-1), the error code the one the CPU would have pushed.  Such a
 * #PF leaves CR2 alone (27.1): the core sets VREG_CR2 when it injects one.
 */
static enum exit_kind vmx_decode_exception(struct vcpu *v, uint64_t qual)
{
	uint64_t info = vmcs_read(VMCS_EXIT_INTR_INFO);
	uint8_t vec = info & INTR_INFO_VECTOR_MASK;

	if ((info & INTR_INFO_TYPE_MASK) >> INTR_INFO_TYPE_SHIFT ==
	    INTR_TYPE_NMI)
		return EXIT_INTR;
	if (vec == T_UD)
		return vmx_decode_ud(v);
	/* GDB's intercepts (vmx.c); a #DB's qualification is DR6's bits. */
	if (vec == T_BP || vec == T_DB) {
		v->exit.debug.vector = vec;
		v->exit.debug.dr6 = qual;
		return EXIT_DEBUG;
	}
	if (vec == T_PF) {
		v->exit.pf.la = qual;
		v->exit.pf.error = (uint32_t)vmcs_read(VMCS_EXIT_INTR_ERROR) &
				   (PFEC_P | PFEC_W | PFEC_U | PFEC_RSVD |
				    PFEC_I);
		return EXIT_PAGE_FAULT;
	}
	return EXIT_UNKNOWN;
}

static enum exit_kind vmx_exit_kind(struct vcpu *v, uint64_t reason,
				    uint64_t qual)
{
	if (reason & EXIT_REASON_ENTRY_FAIL)
		return EXIT_ENTRY_FAIL;
	switch (EXIT_REASON_BASIC(reason)) {
	case EXIT_REASON_CPUID: return EXIT_CPUID;
	case EXIT_REASON_RDMSR: return EXIT_MSR_READ;
	case EXIT_REASON_WRMSR: return EXIT_MSR_WRITE;
	case EXIT_REASON_HLT: return EXIT_HLT;
	case EXIT_REASON_VMCALL: return EXIT_HYPERCALL;
	case EXIT_REASON_IO: return vmx_decode_io(v, qual);
	case EXIT_REASON_CR_ACCESS: return vmx_decode_cr(v, qual);
	case EXIT_REASON_EPT_VIOLATION:
	case EXIT_REASON_EPT_MISCONFIG:
		return vmx_decode_ept(v, EXIT_REASON_BASIC(reason), qual);
	case EXIT_REASON_TRIPLE_FAULT: return EXIT_SHUTDOWN;
	case EXIT_REASON_EXTERNAL_INTR:
	case EXIT_REASON_INIT:
	case EXIT_REASON_SIPI:
	case EXIT_REASON_SMI:
	case EXIT_REASON_INTR_WINDOW:
	case EXIT_REASON_NMI_WINDOW: return EXIT_INTR; /* vmx.c's windows */
	case EXIT_REASON_EXCEPTION_NMI: return vmx_decode_exception(v, qual);
	case EXIT_REASON_INVLPG: v->exit.invlpg_la = qual; return EXIT_INVLPG;
	case EXIT_REASON_MTF: /* vmx.c's step for GDB: as TF's #DB */
		v->exit.debug.vector = T_DB;
		v->exit.debug.dr6 = DR6_BS;
		return EXIT_DEBUG;
	case EXIT_REASON_GETSEC:
	case EXIT_REASON_VMCLEAR ... EXIT_REASON_VMXON:
	case EXIT_REASON_MWAIT:
	case EXIT_REASON_MONITOR:
	case EXIT_REASON_INVEPT:
	case EXIT_REASON_INVVPID:
	case EXIT_REASON_VMFUNC: return EXIT_INVALID_INSN;
	default: return EXIT_UNKNOWN;
	}
}
#else
static enum exit_kind vmx_exit_kind(struct vcpu *v, uint64_t reason,
				    uint64_t qual)
{
	/* LAB 3: your code here */
	panic("vmx_exit_kind: not implemented");
}
#endif

/* SDM 3C 27.8 "VM-Entry Failures During or After Loading Guest State". */
static void vmx_report_entry_failure(uint64_t reason, uint64_t qual)
{
	static const char *const quals[] = {
		[2] = "loading PDPTEs",
		[3] = "NMI injection",
		[4] = "invalid VMCS link pointer",
	};
	uint64_t basic = EXIT_REASON_BASIC(reason);

	cprintf("vmx: VM entry failed: exit reason %llu (%s), qualification "
		"%llu (%s)\n",
		(unsigned long long)basic,
		basic == EXIT_REASON_BAD_GUEST_STATE ? "invalid guest state" :
		basic == EXIT_REASON_MSR_LOADING     ? "MSR loading" :
		basic == EXIT_REASON_MACHINE_CHECK   ? "machine-check event" :
						       "?",
		(unsigned long long)qual,
		qual < ARRAY_SIZE(quals) && quals[qual] ? quals[qual] :
		basic == EXIT_REASON_MSR_LOADING ? "failing MSR entry, from 1" :
						   "a guest-state field");
}

void vmx_exit_decode(struct vcpu *v)
{
	struct vcpu_exit *e = &v->exit;

	*e = (struct vcpu_exit){
		.hw_code = vmcs_read(VMCS_EXIT_REASON),
		.hw_info1 = vmcs_read(VMCS_EXIT_QUALIFICATION),
		.hw_info2 = vmcs_read(VMCS_GUEST_LINEAR_ADDR),
		.insn_len = (uint8_t)vmcs_read(VMCS_EXIT_INSN_LEN),
		.vectoring = vmcs_read(VMCS_IDT_VECTORING_INFO) &
			     INTR_INFO_VALID,
	};
	/* The preemption timer (vmx.c) ends the slice as a host interrupt. */
	if (e->hw_code == EXIT_REASON_PREEMPT_TIMER)
		e->kind = EXIT_INTR;
	else if (e->hw_code == EXIT_REASON_XSETBV) /* kernel/xstate.c */
		e->kind = EXIT_XSETBV;
	else
		e->kind = vmx_exit_kind(v, e->hw_code, e->hw_info1);
	if (e->kind == EXIT_ENTRY_FAIL)
		vmx_report_entry_failure(e->hw_code, e->hw_info1);
}
