/*
 * exit.c - decoding a #VMEXIT into the core's vendor-neutral struct
 * vcpu_exit (AMD APM vol. 2, 15.6 "#VMEXIT", 15.10 "I/O Intercepts",
 * 15.11 "MSR Intercepts", 15.12 "Exception Intercepts", 15.25.6 "Nested
 * versus Guest Page Faults", appendix C "SVM Intercept Exit Codes"), labs
 * 3 and 4.  vmx/exit.c mirrors it.
 *
 * The length of the exiting instruction comes from nRIP when the CPU saves
 * it (CPUID 0x8000000A EDX[3]).  QEMU's TCG does not: there the instruction
 * is fetched from guest memory and decoded by kernel/x86/decode.c
 * (gmem_decode_insn), as it is for the operands of CLTS and LMSW.
 */
#include <inc/x86.h>
#include <kernel/kernel.h>
#include <kernel/domain.h>
#include <kernel/mm/gmem.h>
#include <kernel/dev/mmio.h>
#include <svm/svm.h>
#include <svm/vmcb.h>

#if SOL >= 3
/*
 * Length of the instruction that exited, which must be `opcode` of opcode
 * map `map` with ModRM byte `modrm` (any when negative); 0 if the bytes at
 * CS:RIP are another instruction.  Without prefixes, as compilers emit
 * it, the bytes alone tell: the decoder costs more than the exit itself
 * under QEMU's TCG.
 */
static uint8_t svm_insn_len(struct vcpu *v, enum x86_opmap map, uint8_t opcode,
			    int modrm)
{
	struct vmcb *vmcb = v->arch.svm.vmcb;
	uint8_t b[X86_MAX_INSN_LEN];
	struct x86_insn in;
	size_t n;

	if (svm_caps.nrips && vmcb->control.nrip)
		return (uint8_t)(vmcb->control.nrip - vmcb->save.rip);
	n = gmem_fetch_insn(v, b);
	if (map == X86_MAP_1BYTE && modrm < 0 && n >= 1 && b[0] == opcode)
		return 1;
	if (map == X86_MAP_0F && n >= 2 && b[0] == 0x0f && b[1] == opcode &&
	    (modrm < 0 || (n >= 3 && b[2] == modrm)))
		return modrm < 0 ? 2 : 3;
	if (gmem_decode_insn(v, &in) < 0 ||
	    !x86_insn_is(&in, map, opcode, modrm))
		return 0;
	return in.length;
}

static enum exit_kind svm_decode_fixed(struct vcpu *v, enum exit_kind kind,
				       enum x86_opmap map, uint8_t opcode,
				       int modrm)
{
	v->exit.insn_len = svm_insn_len(v, map, opcode, modrm);
	return v->exit.insn_len ? kind : EXIT_UNKNOWN;
}

/*
 * EXITINFO1 of IOIO, table 15-11; EXITINFO2 is the next RIP.  INS/OUTS are
 * run by the emulator, which decodes their segment and address size.
 */
static enum exit_kind svm_decode_io(struct vcpu *v, uint64_t info1,
				    uint64_t info2)
{
	struct exit_io *io = &v->exit.io;

	io->port = (uint16_t)(info1 >> IOIO_PORT_SHIFT);
	io->in = info1 & IOIO_TYPE_IN;
	io->string = info1 & IOIO_STR;
	io->size = (info1 & IOIO_SZ32) ? 4 : (info1 & IOIO_SZ16) ? 2 : 1;
	v->exit.insn_len = (uint8_t)(info2 - v->arch.svm.vmcb->save.rip);
	return EXIT_IO;
}

/*
 * MOV CRn exits carry the GPR in EXITINFO1 with decode assists (APM
 * 15.33); without them, and for CLTS/LMSW, the instruction is decoded.
 * Only register operands are supported: an LMSW from memory is reported
 * as an unknown exit.
 */
static enum exit_kind svm_decode_cr(struct vcpu *v, unsigned cr, bool write,
				    uint64_t info1)
{
	struct exit_cr *x = &v->exit.cr;
	struct x86_insn in;

	x->cr = (uint8_t)cr;
	x->write = write;
	if (gmem_decode_insn(v, &in) < 0)
		return EXIT_UNKNOWN;
	if (x86_insn_is(&in, X86_MAP_0F, 0x06, -1))
		x->op = CR_OP_CLTS;
	else if (x86_insn_is(&in, X86_MAP_0F, 0x20, -1) ||
		 x86_insn_is(&in, X86_MAP_0F, 0x22, -1))
		x->op = CR_OP_MOV;
	else if (x86_insn_is(&in, X86_MAP_0F, 0x01, -1) &&
		 x86_insn_ext(&in) == 6 && !in.is_mem)
		x->op = CR_OP_LMSW;
	else
		return EXIT_UNKNOWN;
	x->gpr = (enum gpr)in.rm;
	if (x->op != CR_OP_CLTS && (info1 & EXITINFO1_CR_MOV))
		x->gpr = (enum gpr)(info1 & EXITINFO1_CR_GPR);
	v->exit.insn_len = in.length;
	return EXIT_CR_ACCESS;
}

/*
 * #NPF (APM 15.25.6): EXITINFO1 has a #PF error code, EXITINFO2 the GPA.
 * A reserved bit in an entry is what VT-x calls a misconfiguration.
 */
static enum exit_kind svm_decode_npf(struct vcpu *v, uint64_t info1,
				     uint64_t info2)
{
	v->exit.gpa = (struct exit_gpa_fault){ .gpa = info2,
					       .write = info1 & NPF_W,
					       .fetch = info1 & NPF_ID,
					       .misconfig = info1 & NPF_RSV };
	return EXIT_GPA_FAULT;
}

/*
 * INVLPG (shadow paging): EXITINFO1 has the address only with decode
 * assists (APM 15.33), which QEMU's TCG lacks, so the instruction is
 * decoded and its operand's address computed as the CPU would.
 */
static enum exit_kind svm_decode_invlpg(struct vcpu *v)
{
	struct x86_insn in;

	if (gmem_decode_insn(v, &in) < 0 ||
	    !x86_insn_is(&in, X86_MAP_0F, 0x01, -1) || x86_insn_ext(&in) != 7 ||
	    mmio_mem_linear(v, &in, &v->exit.invlpg_la) < 0)
		return EXIT_UNKNOWN;
	v->exit.insn_len = in.length;
	return EXIT_INVLPG;
}

/* A guest #PF (shadow paging): error code in EXITINFO1, CR2 in EXITINFO2. */
static enum exit_kind svm_decode_pf(struct vcpu *v, uint64_t info1,
				    uint64_t info2)
{
	v->exit.pf.la = info2;
	v->exit.pf.error = (uint32_t)info1 &
			   (PFEC_P | PFEC_W | PFEC_U | PFEC_RSVD | PFEC_I);
	return EXIT_PAGE_FAULT;
}

/*
 * INTn, intercepted while GDB debugs the guest (svm.c): QEMU's TCG exits
 * here for INT3 instead of for #BP, with RIP at the INT3.  Any other INT n
 * goes back to the guest as a software interrupt after the instruction.
 */
static enum exit_kind svm_decode_swint(struct vcpu *v)
{
	struct x86_insn in;
	struct virt_event ev = { .type = EVENT_SOFTINT };

	if (gmem_decode_insn(v, &in) < 0)
		return EXIT_UNKNOWN;
	if (x86_insn_is(&in, X86_MAP_1BYTE, 0xcc, -1)) {
		v->exit.debug.vector = T_BP;
		return EXIT_DEBUG;
	}
	if (!x86_insn_is(&in, X86_MAP_1BYTE, 0xcd, -1))
		return EXIT_UNKNOWN;
	ev.vector = (uint8_t)in.imm;
	v->arch.svm.vmcb->save.rip += in.length;
	svm_inject_event(v, &ev);
	return EXIT_INTR;
}

static enum exit_kind svm_exit_kind(struct vcpu *v, uint64_t code,
				    uint64_t info1, uint64_t info2)
{
	if (code < VMEXIT_CR0_READ + 32)
		return svm_decode_cr(v, code & 0xf, code >= VMEXIT_CR0_WRITE,
				     info1);
	switch (code) {
	case VMEXIT_CPUID:
		return svm_decode_fixed(v, EXIT_CPUID, X86_MAP_0F, 0xa2, -1);
	case VMEXIT_MSR:
		return info1 ? svm_decode_fixed(v, EXIT_MSR_WRITE, X86_MAP_0F,
						0x30, -1) :
			       svm_decode_fixed(v, EXIT_MSR_READ, X86_MAP_0F,
						0x32, -1);
	case VMEXIT_HLT:
		return svm_decode_fixed(v, EXIT_HLT, X86_MAP_1BYTE, 0xf4, -1);
	case VMEXIT_VMMCALL:
		return svm_decode_fixed(v, EXIT_HYPERCALL, X86_MAP_0F, 0x01,
					0xd9);
	case VMEXIT_XSETBV:
		return svm_decode_fixed(v, EXIT_XSETBV, X86_MAP_0F, 0x01, 0xd1);
	case VMEXIT_IOIO: return svm_decode_io(v, info1, info2);
	case VMEXIT_NPF: return svm_decode_npf(v, info1, info2);
	case VMEXIT_EXCP_BASE + T_PF: return svm_decode_pf(v, info1, info2);
	case VMEXIT_EXCP_BASE + T_BP:
	case VMEXIT_EXCP_BASE + T_DB:
		v->exit.debug.vector = (uint8_t)(code - VMEXIT_EXCP_BASE);
		v->exit.debug.dr6 = v->arch.svm.vmcb->save.dr6;
		return EXIT_DEBUG;
	case VMEXIT_INVLPG: return svm_decode_invlpg(v);
	case VMEXIT_SWINT: return svm_decode_swint(v);
	case VMEXIT_SHUTDOWN: return EXIT_SHUTDOWN;
	case VMEXIT_INTR:
	case VMEXIT_NMI:
	case VMEXIT_SMI:
	case VMEXIT_INIT:
	case VMEXIT_VINTR: return EXIT_INTR; /* svm.c's interrupt window */
	case VMEXIT_VMRUN:
	case VMEXIT_VMLOAD ... VMEXIT_SKINIT:
	case VMEXIT_INVLPGA:
	case VMEXIT_MONITOR:
	case VMEXIT_MWAIT: return EXIT_INVALID_INSN;
	case VMEXIT_INVALID:
	case VMEXIT_INVALID_32: return EXIT_ENTRY_FAIL;
	default: return EXIT_UNKNOWN;
	}
}
#else
static enum exit_kind svm_exit_kind(struct vcpu *v, uint64_t code,
				    uint64_t info1, uint64_t info2)
{
	/* LAB 3: your code here */
	panic("svm_exit_kind: not implemented");
}
#endif

void svm_exit_decode(struct vcpu *v)
{
	const struct vmcb_control *c = &v->arch.svm.vmcb->control;
	struct vcpu_exit *e = &v->exit;

	*e = (struct vcpu_exit){
		.hw_code = c->exitcode,
		.hw_info1 = c->exitinfo1,
		.hw_info2 = c->exitinfo2,
		.vectoring = c->exitintinfo & EVENTINJ_V,
	};
	e->kind = svm_exit_kind(v, c->exitcode, c->exitinfo1, c->exitinfo2);
}
