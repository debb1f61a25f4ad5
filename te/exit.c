/*
 * exit.c - what the trap-and-emulate VMM does with each trap its guest
 * takes at CPL 3 (labs 2 and 4; labs/lab2.md): decode a #GP and make it
 * an exit for kernel/exit.c, emulate it here or in te/emulate.c; a #PF is
 * the shadow's exit; INT 0x82 the hypercall exit of a domain with Xen's
 * ABI (lab 6); any other fault is reflected to the guest (te/reflect.c).
 */
#include <inc/public/te.h>
#include <inc/mmu.h>
#include <inc/x86.h>
#include <kernel/kernel.h>
#include <kernel/domain.h>
#include <kernel/cpuid.h>
#include <kernel/dev/mmio.h>
#include <kernel/mm/gmem.h>
#include <kernel/x86/emulate.h>
#include <te/te_int.h>

/* Vectors above the exceptions are host interrupts (preempt.c's timer). */
#define TE_HOST_VECTOR_MIN T_NEXCEPTIONS
/* Xen's hypercall vector for the te container's stubs (pv/xen.c). */
#define TE_HYPERCALL_VECTOR 0x82

struct vcpu *te_current;

/* Vectors whose frame has an error code (SDM 3A table 6-1). */
static bool te_vector_has_error(uint8_t vec)
{
	return vec == T_DF || vec == T_TS || vec == T_NP || vec == T_SS ||
	       vec == T_GP || vec == T_PF || vec == T_AC || vec == T_CP ||
	       vec == T_VC || vec == T_SX;
}

void te_trap(struct trapframe *tf)
{
	struct vcpu *v = te_current;

	if (!v)
		panic("te_trap: trap %llu at CPL 3 without a te guest",
		      (unsigned long long)tf->trapno);
	v->arch.te.tf = *tf;
	if (tf->trapno == T_PF)
		v->arch.te.fault_cr2 = read_cr2();
	if (tf->trapno >= TE_HOST_VECTOR_MIN)
		trap_run_handler(tf);
	te_leave();
}

/*
 * Instructions that leave the backend as exits for kernel/exit.c; false
 * for the ones te handles itself (at virtual CPL 3, all of them: the
 * emulator raises their #GP).
 */
static bool te_to_core(struct vcpu *v, const struct x86_insn *in, unsigned len)
{
	struct te_vcpu *t = &v->arch.te;

	if (t->vregs[VREG_CPL] != 0)
		return false;
	v->exit.insn_len = (uint8_t)len;
	switch (in->mnemonic) {
	case X86_INSN_INVLPG:
		v->exit.kind = EXIT_INVLPG;
		return mmio_mem_linear(v, in, &v->exit.invlpg_la) == 0;
	case X86_INSN_RDMSR: v->exit.kind = EXIT_MSR_READ; return true;
	case X86_INSN_WRMSR: v->exit.kind = EXIT_MSR_WRITE; return true;
	case X86_INSN_HLT:
		if ((t->vregs[VREG_RFLAGS] & X86_FLAGS_IF) && t->timer_on) {
			t->halted = true;
			t->vregs[VREG_RIP] += len;
			return false;
		}
		v->exit.kind = EXIT_HLT;
		return true;
	}
	return false;
}

/*
 * INT 0x82 in a domain with Xen's ABI: at CPL 3 the host gate's DPL 0
 * made it a #GP (SDM 3A 6.12.1.1); it is the hypercall exit, whose
 * dispatcher checks the virtual CPL.  Decoded rather than read from the
 * error code, which emulators do not all give as the SDM does.
 */
static bool te_hypercall(struct vcpu *v, const struct x86_insn *in,
			 unsigned len)
{
	if (!v->domain->pv.on || in->map != X86_MAP_1BYTE ||
	    in->opcode != 0xcd || (uint8_t)in->imm != TE_HYPERCALL_VECTOR)
		return false;
	v->exit.kind = EXIT_HYPERCALL;
	v->exit.insn_len = (uint8_t)len;
	return true;
}

/*
 * The #GP error code a 64-bit IRET frame f raises at virtual CPL cpl, or
 * -1 when it is good: CS names CPL 0 or 3 (te has no rings 1 and 2) and
 * not an inner level; RIP and RSP are canonical.
 */
static int te_iret_check(uint64_t cpl, const uint64_t f[5])
{
	unsigned rpl = f[1] & 3;

	if ((rpl != 0 && rpl != 3) || rpl < cpl)
		return (int)(f[1] & 0xfffc);
	if (!is_canonical(f[0]) || !is_canonical(f[3]))
		return 0;
	return -1;
}

/*
 * IRETQ (SDM 2, "IRET", IA-32e mode): pops RIP, CS, RFLAGS, RSP and SS,
 * to the virtual CPL of the CS selector's RPL.  At CPL 3 IF stays (IOPL
 * is 0).  The selectors are kept for the frames of later events.
 */
static void te_iret(struct vcpu *v, const struct x86_insn *in)
{
	struct te_vcpu *t = &v->arch.te;
	uint64_t f[5], cpl = t->vregs[VREG_CPL];
	int r = -E_INVAL, err = 0;

	if (in->rex & X86_REX_W)
		r = te_read(v, v->gprs[GPR_RSP], f, sizeof(f));
	if (r == -E_NOT_FOUND) {
		virt_reg_write(v, VREG_CR2, t->fault_cr2);
		virt_inject_exception(v, T_PF, true, t->fault_pfec);
		return;
	}
	if (r < 0 || (err = te_iret_check(cpl, f)) >= 0) {
		virt_inject_exception(v, T_GP, true, (uint32_t)err);
		return;
	}
	if (cpl == 3)
		f[2] = (f[2] & ~(uint64_t)X86_FLAGS_IF) |
		       (t->vregs[VREG_RFLAGS] & X86_FLAGS_IF);
	t->vregs[VREG_RIP] = f[0];
	virt_reg_write(v, VREG_RFLAGS, f[2]);
	v->gprs[GPR_RSP] = f[3];
	t->segs[VSEG_CS].sel = (uint16_t)f[1];
	t->segs[VSEG_SS].sel = (uint16_t)f[4];
	if ((f[1] & 3) != cpl)
		virt_reg_write(v, VREG_CPL, f[1] & 3);
}

/*
 * INT3 and INT n reach the host's DPL-0 gates as #GP(vector * 8 + 2); the
 * guest's virtual CPL 0 may use every gate of its own IDT, its user mode
 * those of DPL 3 (te_deliver checks).  The frame holds the next
 * instruction, as for any trap.
 */
static void te_softint(struct vcpu *v, const struct x86_insn *in, uint64_t rip)
{
	struct virt_event ev = {
		.vector = in->opcode == 0xcc ? T_BP : (uint8_t)in->imm,
		.type = EVENT_SOFTINT,
	};

	v->arch.te.vregs[VREG_RIP] = rip + in->length;
	virt_inject_event(v, &ev);
}

/*
 * CPUID after the emulation prefix (inc/public/te.h): the CPU the
 * domain's policy describes (kernel/cpuid.c), as an SVM or VT-x guest
 * sees it.  A bare CPUID runs on the real CPU at CPL 3.
 */
static void te_cpuid(struct vcpu *v, const struct x86_insn *in, uint64_t rip)
{
	cpuid_exec(v);
	v->arch.te.vregs[VREG_RIP] = rip + in->length;
}

/*
 * The #GP (or, after the emulation prefix, #UD) at rip: decode, then an
 * exit for the core, or emulation (te/emulate.c).  A #GP that no
 * instruction of ours explains is the guest's own: reflected with its
 * error code.
 */
static bool te_decode_and_run(struct vcpu *v, uint64_t rip, unsigned skip)
{
	struct te_vcpu *t = &v->arch.te;
	uint8_t bytes[X86_MAX_INSN_LEN] = { 0 };
	struct x86_insn in;
	size_t avail = gmem_fetch(v, rip, bytes);

	if (!avail) {
		virt_inject_exception(v, T_GP, true, 0);
		return true;
	}
	if (x86_decode(bytes, avail, X86_MODE_64, &in) < 0) {
		virt_inject_exception(v, in.too_long ? T_GP : T_UD, in.too_long,
				      0);
		return true;
	}
	if (te_hypercall(v, &in, skip + in.length) ||
	    te_to_core(v, &in, skip + in.length))
		return false;
	if (in.map == X86_MAP_1BYTE && in.opcode == 0xcf)
		te_iret(v, &in);
	else if (in.map == X86_MAP_1BYTE &&
		 (in.opcode == 0xcc || in.opcode == 0xcd))
		te_softint(v, &in, rip);
	else if (skip && in.map == X86_MAP_0F && in.opcode == 0xa2)
		te_cpuid(v, &in, rip);
	else if (in.mnemonic != X86_INSN_OTHER)
		te_emulate(v, bytes, avail, rip);
	else
		virt_inject_exception(v, (uint8_t)t->tf.trapno,
				      t->tf.trapno == T_GP,
				      (uint32_t)t->tf.err);
	return true;
}

/* ud2; "te" then PUSHF, POPF or CPUID: the paravirtual emulation prefix. */
static bool te_prefixed(struct vcpu *v, uint64_t rip)
{
	static const uint8_t prefix[TE_EMULATE_PREFIX_LEN] = { 0x0f, 0x0b, 0x74,
							       0x65 };
	uint8_t b[TE_EMULATE_PREFIX_LEN + 2];
	const uint8_t *op = b + TE_EMULATE_PREFIX_LEN;

	if (te_read(v, rip, b, sizeof(b)) < 0 ||
	    memcmp(b, prefix, sizeof(prefix)) != 0)
		return false;
	return op[0] == 0x9c || op[0] == 0x9d ||
	       (op[0] == 0x0f && op[1] == 0xa2);
}

/*
 * A #PF for the shadow, as an exit (kernel/exit.c calls
 * shadow_page_fault): every access of the guest is a user one for the
 * CPU, so U is set as the virtual CPL says (SDM 3A 4.7).  With paging off
 * nothing is mapped beyond guest RAM: that #PF is the guest's own, as te
 * has no MMIO; true then, as v may re-enter at once.
 */
static bool te_page_fault(struct vcpu *v)
{
	struct te_vcpu *t = &v->arch.te;
	uint32_t pfec = (uint32_t)t->tf.err & ~PFEC_U;

	if (t->vregs[VREG_CPL] == 3)
		pfec |= PFEC_U;
	if (!(virt_reg_read(v, VREG_CR0) & CR0_PG) &&
	    t->fault_cr2 >= p2m_size(&v->domain->p2m)) {
		virt_reg_write(v, VREG_CR2, t->fault_cr2);
		virt_inject_exception(v, T_PF, true, pfec);
		return true;
	}
	v->exit.kind = EXIT_PAGE_FAULT;
	v->exit.pf = (struct exit_page_fault){ t->fault_cr2, pfec };
	return false;
}

/*
 * While GDB debugs v (kernel/virt.h's VIRT_DEBUG_TRAP), its #DB (the
 * single step) and INT3, which the host's DPL-0 gates turn into a #GP
 * at the INT3, exit to kernel/gdbstub.c.
 */
static bool te_debug_trap(struct vcpu *v, uint64_t vec, uint64_t rip)
{
	uint8_t op;

	if (!(v->debug & VIRT_DEBUG_TRAP))
		return false;
	if (vec == T_GP && (te_read(v, rip, &op, 1) < 0 || op != 0xcc))
		return false;
	if (vec != T_GP && vec != T_DB)
		return false;
	v->exit.kind = EXIT_DEBUG;
	v->exit.debug.vector = vec == T_GP ? T_BP : T_DB;
	v->exit.debug.dr6 = read_dr6(); /* v's, loaded for its slice */
	return true;
}

bool te_handle_trap(struct vcpu *v)
{
	struct te_vcpu *t = &v->arch.te;
	uint64_t vec = t->tf.trapno, rip = t->vregs[VREG_RIP];

	if (vec >= TE_HOST_VECTOR_MIN) {
		v->exit.kind = EXIT_INTR;
		return false;
	}
	if (te_debug_trap(v, vec, rip))
		return false;
	if (vec == T_GP)
		return te_decode_and_run(v, rip, 0);
	if (vec == T_UD && te_prefixed(v, rip)) {
		t->vregs[VREG_RIP] = rip + TE_EMULATE_PREFIX_LEN;
		if (te_decode_and_run(v, rip + TE_EMULATE_PREFIX_LEN,
				      TE_EMULATE_PREFIX_LEN))
			return true;
		t->vregs[VREG_RIP] = rip;
		return false;
	}
	if (vec == T_PF)
		return te_page_fault(v);
	virt_inject_exception(v, (uint8_t)vec,
			      te_vector_has_error((uint8_t)vec),
			      (uint32_t)t->tf.err);
	return true;
}
