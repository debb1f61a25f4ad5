/*
 * exit.c - decoding a #VMEXIT into the core's vendor-neutral struct
 * vcpu_exit (AMD APM vol. 2, 15.6 "#VMEXIT", 15.10 "I/O Intercepts",
 * 15.11 "MSR Intercepts", 15.25.6 "Nested versus Guest Page Faults",
 * appendix C "SVM Intercept Exit Codes"), lab 3.  vmx/exit.c mirrors it.
 *
 * The length of the exiting instruction comes from nRIP when the CPU saves
 * it (CPUID 0x8000000A EDX[3]).  QEMU's TCG does not: there the instruction
 * is fetched from guest memory and measured here.
 */
#include <inc/x86.h>
#include <kernel/kernel.h>
#include <kernel/domain.h>
#include <kernel/mm/gmem.h>
#include <svm/svm.h>
#include <svm/vmcb.h>

#if SOL >= 3
/*
 * Length of the instruction that exited, whose opcode (after prefixes) is
 * op[0..len); 0 if the bytes at CS:RIP are not that instruction.
 */
static uint8_t svm_insn_len(struct vcpu *v, const uint8_t *op, size_t len)
{
	struct vmcb *vmcb = v->arch.svm.vmcb;
	struct gmem_insn in;

	if (svm_caps.nrips && vmcb->control.nrip)
		return (uint8_t)(vmcb->control.nrip - vmcb->save.rip);
	if (!gmem_insn_fetch(v, &in) || !gmem_insn_is(&in, op, len))
		return 0;
	return (uint8_t)(in.pfx + len);
}

static enum exit_kind svm_decode_fixed(struct vcpu *v, enum exit_kind kind,
				       const uint8_t *op, size_t len)
{
	v->exit.insn_len = svm_insn_len(v, op, len);
	return v->exit.insn_len ? kind : EXIT_UNKNOWN;
}

/* EXITINFO1 of IOIO, table 15-11; EXITINFO2 is the next RIP. */
static enum exit_kind svm_decode_io(struct vcpu *v, uint64_t info1,
				    uint64_t info2)
{
	struct exit_io *io = &v->exit.io;
	struct gmem_insn in;

	io->port = (uint16_t)(info1 >> IOIO_PORT_SHIFT);
	io->in = info1 & IOIO_TYPE_IN;
	io->string = info1 & IOIO_STR;
	io->rep = info1 & IOIO_REP;
	io->size = (info1 & IOIO_SZ32) ? 4 : (info1 & IOIO_SZ16) ? 2 : 1;
	io->addr_size = (info1 & IOIO_A64) ? 8 : (info1 & IOIO_A32) ? 4 :
			(info1 & IOIO_A16) ? 2 : 0;
	v->exit.insn_len = (uint8_t)(info2 - v->arch.svm.vmcb->save.rip);
	if (!io->string)
		return EXIT_IO;
	/*
	 * The segment field needs decode assists and QEMU's TCG leaves the
	 * address size 0 too: the prefixes of the instruction tell both.
	 */
	if (!gmem_insn_fetch(v, &in))
		return EXIT_UNKNOWN;
	if (!io->addr_size)
		io->addr_size = gmem_insn_addr_size(v, in.adsize);
	io->seg = in.seg >= 0 ? (enum vseg)in.seg : VSEG_DS;
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
	struct gmem_insn in;
	const uint8_t *op;
	uint8_t modrm;

	x->cr = (uint8_t)cr;
	x->write = write;
	if (!gmem_insn_fetch(v, &in) || in.pfx + 2 > in.n || in.bytes[in.pfx] != 0x0f)
		return EXIT_UNKNOWN;
	op = in.bytes + in.pfx;
	if (op[1] == 0x06) {
		x->op = CR_OP_CLTS;
		v->exit.insn_len = (uint8_t)(in.pfx + 2);
		return EXIT_CR_ACCESS;
	}
	if (in.pfx + 3 > in.n)
		return EXIT_UNKNOWN;
	modrm = op[2];
	if (op[1] == 0x20 || op[1] == 0x22) {
		x->op = CR_OP_MOV;
		x->gpr = (enum gpr)((modrm & 7) | ((in.rex & 1) << 3));
	} else if (op[1] == 0x01 && ((modrm >> 3) & 7) == 6 && (modrm >> 6) == 3) {
		x->op = CR_OP_LMSW;
		x->gpr = (enum gpr)((modrm & 7) | ((in.rex & 1) << 3));
	} else {
		return EXIT_UNKNOWN;
	}
	if (info1 & EXITINFO1_CR_MOV)
		x->gpr = (enum gpr)(info1 & EXITINFO1_CR_GPR);
	v->exit.insn_len = (uint8_t)(in.pfx + 3);
	return EXIT_CR_ACCESS;
}

static enum exit_kind svm_decode_npf(struct vcpu *v, uint64_t info1,
				     uint64_t info2)
{
	v->exit.gpa.gpa = info2;
	v->exit.gpa.present = info1 & NPF_P;
	v->exit.gpa.write = info1 & NPF_W;
	v->exit.gpa.fetch = info1 & NPF_ID;
	return EXIT_GPA_FAULT;
}

static const uint8_t op_cpuid[] = { 0x0f, 0xa2 };
static const uint8_t op_rdmsr[] = { 0x0f, 0x32 };
static const uint8_t op_wrmsr[] = { 0x0f, 0x30 };
static const uint8_t op_hlt[] = { 0xf4 };
static const uint8_t op_vmmcall[] = { 0x0f, 0x01, 0xd9 };
static const uint8_t op_xsetbv[] = { 0x0f, 0x01, 0xd1 };

static enum exit_kind svm_exit_kind(struct vcpu *v, uint64_t code,
				    uint64_t info1, uint64_t info2)
{
	if (code < VMEXIT_CR0_READ + 32)
		return svm_decode_cr(v, code & 0xf, code >= VMEXIT_CR0_WRITE,
				     info1);
	switch (code) {
	case VMEXIT_CPUID:
		return svm_decode_fixed(v, EXIT_CPUID, op_cpuid, 2);
	case VMEXIT_MSR:
		return info1 ? svm_decode_fixed(v, EXIT_MSR_WRITE, op_wrmsr, 2)
			     : svm_decode_fixed(v, EXIT_MSR_READ, op_rdmsr, 2);
	case VMEXIT_HLT:
		return svm_decode_fixed(v, EXIT_HLT, op_hlt, 1);
	case VMEXIT_VMMCALL:
		return svm_decode_fixed(v, EXIT_HYPERCALL, op_vmmcall, 3);
	case VMEXIT_XSETBV:
		return svm_decode_fixed(v, EXIT_XSETBV, op_xsetbv, 3);
	case VMEXIT_IOIO:
		return svm_decode_io(v, info1, info2);
	case VMEXIT_NPF:
		return svm_decode_npf(v, info1, info2);
	case VMEXIT_SHUTDOWN:
		return EXIT_SHUTDOWN;
	case VMEXIT_INTR:
	case VMEXIT_NMI:
	case VMEXIT_SMI:
	case VMEXIT_INIT:
		return EXIT_INTR;
	case VMEXIT_VMRUN:
	case VMEXIT_VMLOAD ... VMEXIT_SKINIT:
	case VMEXIT_INVLPGA:
	case VMEXIT_MONITOR:
	case VMEXIT_MWAIT:
		return EXIT_INVALID_INSN;
	case VMEXIT_INVALID:
	case VMEXIT_INVALID_32:
		return EXIT_ENTRY_FAIL;
	default:
		return EXIT_UNKNOWN;
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

	memset(e, 0, sizeof(*e));
	e->hw_code = c->exitcode;
	e->hw_info1 = c->exitinfo1;
	e->hw_info2 = c->exitinfo2;
	e->kind = svm_exit_kind(v, c->exitcode, c->exitinfo1, c->exitinfo2);
}
