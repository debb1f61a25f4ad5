/*
 * exit.c - what the trap-and-emulate VMM does with each trap its guest
 * takes at CPL 3 (lab 2).
 *
 * A #GP from a privileged instruction is decoded; RDMSR/WRMSR and HLT
 * with nothing to wake it become exits for kernel/exit.c, as under SVM or
 * VT-x; the rest (CLI, STI, IN/OUT/INS/OUTS to the domain's devices, MOV
 * CR, LGDT/LIDT/LLDT/LTR, INVLPG, WBINVD, PUSHF/POPF) runs through
 * x86_emulate against the virtual CPU, and IRETQ and the UMIP-trapped
 * SGDT/SIDT/SMSW/SLDT/STR are emulated here.  Every other fault is
 * reflected to the guest's own IDT (SDM 3A 6.14 frame, same privilege);
 * one it cannot take ends the domain like a triple fault.  Guest memory
 * is reached only through the p2m, with its bounds.
 */
#include <inc/public/te.h>
#include <inc/x86.h>
#include <kernel/kernel.h>
#include <kernel/domain.h>
#include <kernel/exit.h>
#include <kernel/gdt.h>
#include <kernel/x86_emulate.h>
#include <te/te.h>

#define RFLAGS_IF		(1u << 9)
#define RFLAGS_TF		(1u << 8)
#define PFERR_U			(1u << 2)
/* Vectors above the exceptions are host interrupts (preempt.c's timer). */
#define TE_HOST_VECTOR_MIN	T_NEXCEPTIONS
/* The guest's virtual selectors, as the long-mode loader state has them. */
#define TE_VIRT_CS		0x08
#define TE_VIRT_SS		0x10

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

static void te_queue(struct vcpu *v, uint8_t vec, bool has_error, uint32_t err)
{
	struct virt_event ev = { vec, EVENT_EXCEPTION, has_error, err };

	virt_inject_event(v, &ev);
}

/* Reads n bytes at guest address la (= guest-physical), bounds-checked. */
static int te_read(struct vcpu *v, uint64_t la, void *buf, size_t n)
{
	return p2m_read(&v->domain->p2m, la, buf, n);
}

static int te_write(struct vcpu *v, uint64_t la, const void *buf, size_t n)
{
	return p2m_write(&v->domain->p2m, la, buf, n);
}

#if SOL >= 2
/*
 * Enters the guest's handler for vec through its virtual IDT as a 64-bit
 * CPU at CPL 0 would (SDM 3A 6.14.2): the stack aligned to 16, then SS,
 * RSP, RFLAGS, CS, RIP and the error code; an interrupt gate clears the
 * virtual IF.  False when the guest cannot take it: no gate, a bad gate,
 * or a stack outside its RAM.
 */
static bool te_reflect(struct vcpu *v, uint8_t vec, bool has_error,
		       uint32_t err)
{
	struct te_vcpu *t = &v->arch.te;
	const struct vseg_desc *idtr = &t->segs[VSEG_IDTR];
	uint64_t gate[2], frame[6], rsp = v->gprs[GPR_RSP] & ~0xfULL;
	unsigned n = 0, type;

	if ((uint32_t)vec * 16 + 15 > idtr->limit ||
	    te_read(v, idtr->base + vec * 16, gate, sizeof(gate)) < 0)
		return false;
	type = (gate[0] >> 40) & 0x9f;
	if (type != 0x8e && type != 0x8f)
		return false;
	if (has_error)
		frame[n++] = err;
	frame[n++] = t->vregs[VREG_RIP];
	frame[n++] = TE_VIRT_CS;
	frame[n++] = t->vregs[VREG_RFLAGS];
	frame[n++] = v->gprs[GPR_RSP];
	frame[n++] = TE_VIRT_SS;
	rsp -= n * 8;
	if (te_write(v, rsp, frame, n * 8) < 0)
		return false;
	v->gprs[GPR_RSP] = rsp;
	t->vregs[VREG_RIP] = (gate[0] & 0xffff) |
			     ((gate[0] >> 32) & 0xffff0000) | (gate[1] << 32);
	t->vregs[VREG_RFLAGS] &= ~(uint64_t)RFLAGS_TF;
	if (type == 0x8e)
		t->vregs[VREG_RFLAGS] &= ~(uint64_t)RFLAGS_IF;
	return true;
}
#else
static bool te_reflect(struct vcpu *v, uint8_t vec, bool has_error,
		       uint32_t err)
{
	/* LAB 2: your code here */
	panic("te_reflect: not implemented");
}
#endif

bool te_deliver(struct vcpu *v)
{
	struct te_vcpu *t = &v->arch.te;
	struct virt_event ev = t->event;

	if (t->event_valid) {
		t->event_valid = false;
		if (ev.vector == T_PF)
			t->vregs[VREG_CR2] = t->fault_cr2;
		if (te_reflect(v, ev.vector, ev.has_error, ev.error))
			return true;
		cprintf("te: %s: cannot deliver vector %u: no usable gate or "
			"stack\n", v->domain->name, ev.vector);
		return false;
	}
	if (t->timer_pending && (t->vregs[VREG_RFLAGS] & RFLAGS_IF)) {
		t->timer_pending = false;
		t->halted = false;
		t->ticks_delivered++;
		if (!te_reflect(v, TE_TIMER_VECTOR, false, 0)) {
			cprintf("te: %s: no gate for the timer vector %d\n",
				v->domain->name, TE_TIMER_VECTOR);
			return false;
		}
	}
	return true;
}

/* --- the emulator's view of the guest --- */

static struct vcpu *te_ctxt_vcpu(struct x86_emul_ctxt *c)
{
	return c->priv;
}

/* Beyond guest RAM there is nothing mapped: a not-present #PF. */
static int te_emul_fault(struct x86_emul_ctxt *c, uint64_t la, bool write)
{
	te_ctxt_vcpu(c)->arch.te.fault_cr2 = la;
	return x86_emul_raise(c, X86_EXC_PF, true, write ? 2 : 0);
}

static int te_emul_read(struct x86_emul_ctxt *c, uint64_t la, unsigned size,
			uint64_t *val)
{
	*val = 0;
	if (te_read(te_ctxt_vcpu(c), la, val, size) < 0)
		return te_emul_fault(c, la, false);
	return X86EMUL_OKAY;
}

static int te_emul_write(struct x86_emul_ctxt *c, uint64_t la, unsigned size,
			 uint64_t val)
{
	if (te_write(te_ctxt_vcpu(c), la, &val, size) < 0)
		return te_emul_fault(c, la, true);
	return X86EMUL_OKAY;
}

/*
 * Port I/O goes to the domain's devices (kernel/io.h): the same UART,
 * exit device and paravirtual ports an exit would reach.  A failing
 * device ends the domain, as in kernel/exit.c.
 */
static int te_emul_port(struct x86_emul_ctxt *c, uint16_t port,
			unsigned size, bool write, uint64_t *val)
{
	struct vcpu *v = te_ctxt_vcpu(c);
	int r = io_port_access(v->domain, port, size, write, val);

	if (r == 0)
		return X86EMUL_OKAY;
	domain_crash(v->domain, v, "port 0x%x: %s", port, error_name(r));
	return X86EMUL_UNHANDLEABLE;
}

static int te_emul_io_in(struct x86_emul_ctxt *c, uint16_t port,
			 unsigned size, uint32_t *val)
{
	uint64_t v = 0;
	int r = te_emul_port(c, port, size, false, &v);

	*val = (uint32_t)v;
	return r;
}

static int te_emul_io_out(struct x86_emul_ctxt *c, uint16_t port,
			  unsigned size, uint32_t val)
{
	uint64_t v = val;

	return te_emul_port(c, port, size, true, &v);
}

#if SOL >= 2
static int te_emul_read_cr(struct x86_emul_ctxt *c, unsigned cr,
			   uint64_t *val)
{
	static const enum vreg crs[] = { [0] = VREG_CR0, [2] = VREG_CR2,
					 [3] = VREG_CR3, [4] = VREG_CR4 };
	struct vcpu *v = te_ctxt_vcpu(c);

	if (cr == 8)
		*val = v->arch.te.tpr;
	else if (cr < 5 && cr != 1)
		*val = v->arch.te.vregs[crs[cr]];
	else
		return x86_emul_raise(c, X86_EXC_UD, false, 0);
	return X86EMUL_OKAY;
}

/*
 * Virtual control registers.  The guest stays a 64-bit guest: CR0.PE/PG
 * and CR4.PAE cannot be cleared in long mode (#GP, SDM 3A 2.5); CR4 takes
 * only the bits this CPU has; CR3 is recorded (no guest paging in lab 2).
 */
static int te_emul_write_cr(struct x86_emul_ctxt *c, unsigned cr,
			    uint64_t val)
{
	struct te_vcpu *t = &te_ctxt_vcpu(c)->arch.te;

	switch (cr) {
	case 0:
		if ((val >> 32) || (val & (CR0_PE | CR0_PG)) != (CR0_PE | CR0_PG))
			return x86_emul_raise(c, X86_EXC_GP, true, 0);
		t->vregs[VREG_CR0] = val | CR0_ET;
		return X86EMUL_OKAY;
	case 2:
	case 3:
		t->vregs[cr == 2 ? VREG_CR2 : VREG_CR3] = val;
		return X86EMUL_OKAY;
	case 4:
		if (!(val & CR4_PAE) || (val & ~cpuid_cr4_allowed()))
			return x86_emul_raise(c, X86_EXC_GP, true, 0);
		t->vregs[VREG_CR4] = val;
		return X86EMUL_OKAY;
	case 8:
		if (val > 15)
			return x86_emul_raise(c, X86_EXC_GP, true, 0);
		t->tpr = (uint8_t)val;
		return X86EMUL_OKAY;
	}
	return x86_emul_raise(c, X86_EXC_UD, false, 0);
}

static int te_emul_load_dtr(struct x86_emul_ctxt *c, enum x86_dtr which,
			    uint64_t base, uint32_t limit)
{
	struct te_vcpu *t = &te_ctxt_vcpu(c)->arch.te;
	struct vseg_desc *s = &t->segs[which == X86_DTR_GDT ? VSEG_GDTR :
						      VSEG_IDTR];

	if (which != X86_DTR_GDT && which != X86_DTR_IDT)
		return X86EMUL_UNHANDLEABLE;
	s->base = base;
	s->limit = limit;
	return X86EMUL_OKAY;
}

/* LLDT and LTR record the selector; a null TR is #GP(0) as on hardware. */
static int te_emul_load_sel(struct x86_emul_ctxt *c, enum x86_dtr which,
			    uint16_t sel)
{
	struct te_vcpu *t = &te_ctxt_vcpu(c)->arch.te;

	if (which == X86_DTR_TR && (sel & ~3) == 0)
		return x86_emul_raise(c, X86_EXC_GP, true, 0);
	if (which != X86_DTR_LDT && which != X86_DTR_TR)
		return X86EMUL_UNHANDLEABLE;
	t->segs[which == X86_DTR_LDT ? VSEG_LDTR : VSEG_TR].sel = sel;
	return X86EMUL_OKAY;
}
#else
static int te_emul_read_cr(struct x86_emul_ctxt *c, unsigned cr,
			   uint64_t *val)
{
	/* LAB 2: your code here */
	panic("te_emul_read_cr: not implemented");
}

static int te_emul_write_cr(struct x86_emul_ctxt *c, unsigned cr,
			    uint64_t val)
{
	/* LAB 2: your code here */
	panic("te_emul_write_cr: not implemented");
}

static int te_emul_load_dtr(struct x86_emul_ctxt *c, enum x86_dtr which,
			    uint64_t base, uint32_t limit)
{
	/* LAB 2: your code here */
	panic("te_emul_load_dtr: not implemented");
}

static int te_emul_load_sel(struct x86_emul_ctxt *c, enum x86_dtr which,
			    uint16_t sel)
{
	/* LAB 2: your code here */
	panic("te_emul_load_sel: not implemented");
}
#endif

/* No guest paging in lab 2: nothing is cached that INVLPG could drop. */
static int te_emul_invlpg(struct x86_emul_ctxt *c, uint64_t la)
{
	return X86EMUL_OKAY;
}

/* Guest RAM is ordinary write-back host memory: nothing to write back. */
static int te_emul_wbinvd(struct x86_emul_ctxt *c)
{
	return X86EMUL_OKAY;
}

/* IF lives in regs.rflags, which is the virtual RFLAGS. */
static const struct x86_emul_ops te_emul_ops = {
	.read = te_emul_read,
	.write = te_emul_write,
	.io_in = te_emul_io_in,
	.io_out = te_emul_io_out,
	.read_cr = te_emul_read_cr,
	.write_cr = te_emul_write_cr,
	.load_dtr = te_emul_load_dtr,
	.load_sel = te_emul_load_sel,
	.invlpg = te_emul_invlpg,
	.wbinvd = te_emul_wbinvd,
};

/* Runs the decoded instruction at rip through x86_emulate. */
static void te_emulate(struct vcpu *v, const uint8_t *bytes, size_t avail,
		       uint64_t rip)
{
	struct te_vcpu *t = &v->arch.te;
	struct x86_emul_ctxt c = {
		.mode = X86_MODE_64, .cpl = 0, .insn_avail = avail, .priv = v,
	};
	int r;

	memcpy(c.regs.gpr, v->gprs, sizeof(c.regs.gpr));
	memcpy(c.insn_bytes, bytes, avail);
	c.regs.rip = rip;
	c.regs.rflags = t->vregs[VREG_RFLAGS];
	r = x86_emulate(&c, &te_emul_ops);
	if (r == X86EMUL_OKAY) {
		memcpy(v->gprs, c.regs.gpr, sizeof(c.regs.gpr));
		t->vregs[VREG_RIP] = c.regs.rip;
		virt_reg_write(v, VREG_RFLAGS, c.regs.rflags);
	} else if (r == X86EMUL_EXCEPTION) {
		te_queue(v, c.exc.vector, c.exc.has_error_code,
			 c.exc.error_code);
	} else {
		te_queue(v, T_UD, false, 0);
	}
}

/*
 * Instructions that leave the backend as exits for kernel/exit.c; false
 * for the ones te handles itself.
 */
static bool te_to_core(struct vcpu *v, const struct x86_insn *in,
		       unsigned len)
{
	struct te_vcpu *t = &v->arch.te;

	switch (in->mnemonic) {
	case X86_INSN_RDMSR: case X86_INSN_WRMSR:
		v->exit.kind = in->mnemonic == X86_INSN_RDMSR ?
			       EXIT_MSR_READ : EXIT_MSR_WRITE;
		v->exit.insn_len = (uint8_t)len;
		return true;
	case X86_INSN_HLT:
		if ((t->vregs[VREG_RFLAGS] & RFLAGS_IF) && t->timer_on) {
			t->halted = true;
			t->vregs[VREG_RIP] += len;
			return false;
		}
		v->exit.kind = EXIT_HLT;
		v->exit.insn_len = (uint8_t)len;
		return true;
	}
	return false;
}

/* IRETQ to the guest's virtual CPL 0 (SDM 2, "IRET"): pops the frame. */
static void te_iret(struct vcpu *v, const struct x86_insn *in)
{
	struct te_vcpu *t = &v->arch.te;
	uint64_t f[5];

	if (!(in->rex & X86_REX_W) ||
	    te_read(v, v->gprs[GPR_RSP], f, sizeof(f)) < 0 ||
	    !is_canonical(f[0]) || !is_canonical(f[3])) {
		te_queue(v, T_GP, true, 0);
		return;
	}
	t->vregs[VREG_RIP] = f[0];
	virt_reg_write(v, VREG_RFLAGS, f[2]);
	v->gprs[GPR_RSP] = f[3];
}

/*
 * INT3 and INT n reach the host's DPL-0 gates as #GP(vector * 8 + 2); the
 * guest's virtual CPL 0 may use every gate of its own IDT.  The frame
 * holds the next instruction, as for any trap.
 */
static void te_softint(struct vcpu *v, const struct x86_insn *in,
		       uint64_t rip)
{
	v->arch.te.vregs[VREG_RIP] = rip + in->length;
	te_queue(v, in->opcode == 0xcc ? T_BP : (uint8_t)in->imm, false, 0);
}

/* The effective address of a decoded memory operand (flat, no FS/GS). */
static uint64_t te_ea(struct vcpu *v, const struct x86_insn *in,
		      uint64_t next_rip)
{
	const struct x86_mem *m = &in->mem;
	uint64_t a = (uint64_t)m->disp;

	if (m->base == X86_REG_RIP)
		a += next_rip;
	else if (m->base != X86_REG_NONE)
		a += v->gprs[m->base];
	if (m->index != X86_REG_NONE)
		a += v->gprs[m->index] * m->scale;
	return in->addr_bytes == 4 ? (uint32_t)a : a;
}

/*
 * SGDT, SIDT, SMSW, SLDT and STR fault at CPL 3 only under UMIP; they
 * then show the virtual registers.  False for any other instruction.
 */
static bool te_umip_emulate(struct vcpu *v, const struct x86_insn *in,
			    uint64_t rip)
{
	struct te_vcpu *t = &v->arch.te;
	uint64_t next = rip + in->length, val;
	uint8_t buf[10];
	unsigned size = in->is_mem ? 2 : in->op_bytes;

	if (in->map != X86_MAP_0F || !in->has_modrm || in->opcode > 1)
		return false;
	if (in->opcode == 1 && in->reg < 2 && in->is_mem) {
		const struct vseg_desc *s =
			&t->segs[in->reg == 0 ? VSEG_GDTR : VSEG_IDTR];

		memcpy(buf, &s->limit, 2);
		memcpy(buf + 2, &s->base, 8);
		if (te_write(v, te_ea(v, in, next), buf, sizeof(buf)) < 0)
			te_queue(v, T_PF, true, 2);
		else
			t->vregs[VREG_RIP] = next;
		return true;
	}
	if (in->opcode == 1 && (in->reg & 7) == 4)
		val = t->vregs[VREG_CR0];
	else if (in->opcode == 0 && (in->reg & 7) < 2)
		val = t->segs[(in->reg & 7) == 0 ? VSEG_LDTR : VSEG_TR].sel;
	else
		return false;
	if (!in->is_mem)
		v->gprs[in->rm] = size == 2 ? (v->gprs[in->rm] & ~0xffffULL) |
				  (val & 0xffff) : size == 4 ? (uint32_t)val : val;
	else if (te_write(v, te_ea(v, in, next), &val, 2) < 0) {
		te_queue(v, T_PF, true, 2);
		return true;
	}
	t->vregs[VREG_RIP] = next;
	return true;
}

/*
 * The #GP (or, after the emulation prefix, #UD) at rip: decode, then an
 * exit for the core, or emulation here.  A #GP that no instruction of
 * ours explains is the guest's own: reflected with its error code.
 */
static bool te_decode_and_run(struct vcpu *v, uint64_t rip, unsigned skip)
{
	struct te_vcpu *t = &v->arch.te;
	uint8_t bytes[X86_MAX_INSN_LEN] = { 0 };
	struct x86_insn in;
	size_t avail = X86_MAX_INSN_LEN;
	uint64_t end = p2m_size(&v->domain->p2m);

	if (rip >= end) {
		te_queue(v, T_GP, true, 0);
		return true;
	}
	if (end - rip < avail)
		avail = end - rip;
	te_read(v, rip, bytes, avail);
	if (x86_decode(bytes, avail, X86_MODE_64, &in) < 0) {
		te_queue(v, in.too_long ? T_GP : T_UD, in.too_long, 0);
		return true;
	}
	if (te_to_core(v, &in, skip + in.length))
		return false;
	if (in.map == X86_MAP_1BYTE && in.opcode == 0xcf)
		te_iret(v, &in);
	else if (in.map == X86_MAP_1BYTE && (in.opcode == 0xcc ||
					     in.opcode == 0xcd))
		te_softint(v, &in, rip);
	else if (in.mnemonic != X86_INSN_OTHER)
		te_emulate(v, bytes, avail, rip);
	else if (!te_umip_emulate(v, &in, rip))
		te_queue(v, (uint8_t)t->tf.trapno, t->tf.trapno == T_GP,
			 (uint32_t)t->tf.err);
	return true;
}

/* ud2; "te" then PUSHF or POPF: the paravirtual emulation prefix. */
static bool te_prefixed(struct vcpu *v, uint64_t rip)
{
	static const uint8_t prefix[TE_EMULATE_PREFIX_LEN] = {
		0x0f, 0x0b, 0x74, 0x65 };
	uint8_t b[TE_EMULATE_PREFIX_LEN + 1];

	if (te_read(v, rip, b, sizeof(b)) < 0 ||
	    memcmp(b, prefix, sizeof(prefix)) != 0)
		return false;
	b[0] = b[TE_EMULATE_PREFIX_LEN];
	return b[0] == 0x9c || b[0] == 0x9d;
}

bool te_handle_trap(struct vcpu *v)
{
	struct te_vcpu *t = &v->arch.te;
	uint64_t vec = t->tf.trapno, rip = t->vregs[VREG_RIP];

	if (vec >= TE_HOST_VECTOR_MIN) {
		v->exit.kind = EXIT_INTR;
		return false;
	}
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
	/* The guest's virtual CPL is 0: its faults are supervisor ones. */
	if (vec == T_PF)
		t->tf.err &= ~PFERR_U;
	te_queue(v, (uint8_t)vec, te_vector_has_error((uint8_t)vec),
		 (uint32_t)t->tf.err);
	return true;
}

/* --- the paravirtual ports of inc/public/te.h --- */

static int te_pv_io(struct domain *d, void *opaque, uint64_t port,
		    unsigned size, bool write, uint64_t *val)
{
	struct te_vcpu *t = &d->vcpus[0].arch.te;
	uint64_t *rflags = &t->vregs[VREG_RFLAGS];

	if (port == TE_PORT_TIMER && write)
		t->timer_on = *val & 1;
	else if (port == TE_PORT_TIMER)
		*val = t->ticks_delivered & 0xff;
	else if (port == TE_PORT_VIF && write)
		*rflags = (*val & 1) ? *rflags | RFLAGS_IF :
				       *rflags & ~(uint64_t)RFLAGS_IF;
	else if (port == TE_PORT_VIF)
		*val = !!(*rflags & RFLAGS_IF);
	else if (!write)
		*val = TE_INFO_TE | (te_umip() ? TE_INFO_UMIP : 0);
	return 0;
}

int te_pv_init(struct domain *d)
{
	return io_register_port(d, TE_PORT_BASE, TE_PORT_COUNT, te_pv_io,
				NULL, "te-pv");
}
