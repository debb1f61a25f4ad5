/*
 * emulate.c - executes one decoded instruction on behalf of a guest
 * (SDM vol. 2 instruction pages; vol. 3A 2.8 "System instruction
 * summary", 6.15 for the faults): the operand helpers (emul_int.h), so
 * that each instruction in emul_data.c and emul_sys.c reads like its SDM
 * pseudo-code, and the dispatch.  Segment limits and the TSS I/O bitmap
 * are not checked: the caller's memory and port callbacks enforce access.
 */
#include <kernel/x86/emul_int.h>
#include <inc/string.h>

uint64_t x86_emul_size_mask(unsigned bytes)
{
	return bytes >= 8 ? ~0ULL : (1ULL << (8 * bytes)) - 1;
}

int x86_emul_raise(struct x86_emul_ctxt *ctxt, uint8_t vector, bool has_ec,
		   uint32_t ec)
{
	ctxt->exc.vector = vector;
	ctxt->exc.has_error_code = has_ec;
	ctxt->exc.error_code = ec;
	return X86EMUL_EXCEPTION;
}

int x86_emul_raise_ud(struct x86_emul_ctxt *ctxt)
{
	return x86_emul_raise(ctxt, T_UD, false, 0);
}

int x86_emul_raise_gp0(struct x86_emul_ctxt *ctxt)
{
	return x86_emul_raise(ctxt, T_GP, true, 0);
}

/* Without REX, byte registers 4-7 are AH, CH, DH, BH (SDM 1, 3.4.1.1). */
static bool is_high_byte(const struct x86_emul_ctxt *ctxt, unsigned reg,
			 unsigned size)
{
	return size == 1 && !ctxt->insn.rex && reg >= 4 && reg < 8;
}

uint64_t x86_emul_reg_read(const struct x86_emul_ctxt *ctxt, unsigned reg,
			   unsigned size)
{
	if (is_high_byte(ctxt, reg, size))
		return (ctxt->regs.gpr[reg - 4] >> 8) & 0xff;
	return ctxt->regs.gpr[reg] & x86_emul_size_mask(size);
}

void x86_emul_reg_write(struct x86_emul_ctxt *ctxt, unsigned reg, unsigned size,
			uint64_t v)
{
	uint64_t *r;

	if (is_high_byte(ctxt, reg, size)) {
		r = &ctxt->regs.gpr[reg - 4];
		*r = (*r & ~0xff00ULL) | ((v & 0xff) << 8);
		return;
	}
	r = &ctxt->regs.gpr[reg];
	if (size >= 4)
		*r = v & x86_emul_size_mask(size);
	else
		*r = (*r & ~x86_emul_size_mask(size)) |
		     (v & x86_emul_size_mask(size));
}

uint64_t x86_emul_seg_linear(const struct x86_emul_ctxt *ctxt, int seg,
			     uint64_t off)
{
	if (ctxt->mode == X86_MODE_64)
		return (seg == VSEG_FS || seg == VSEG_GS) ?
			       ctxt->seg_base[seg] + off :
			       off;
	return (uint32_t)(ctxt->seg_base[seg] + off);
}

uint64_t x86_emul_mem_linear(const struct x86_emul_ctxt *ctxt)
{
	const struct x86_insn *in = &ctxt->insn;
	uint64_t ea = (uint64_t)in->mem.disp;

	if (in->mem.base == X86_REG_RIP)
		ea += ctxt->regs.rip + in->length;
	else if (in->mem.base != X86_REG_NONE)
		ea += ctxt->regs.gpr[in->mem.base];
	if (in->mem.index != X86_REG_NONE)
		ea += ctxt->regs.gpr[in->mem.index] * in->mem.scale;
	return x86_emul_seg_linear(ctxt, in->mem.seg,
				   ea & x86_emul_size_mask(in->addr_bytes));
}

struct operand x86_emul_op_rm(const struct x86_emul_ctxt *ctxt)
{
	struct operand op = { .mem = ctxt->insn.is_mem, .reg = ctxt->insn.rm };

	if (op.mem)
		op.la = x86_emul_mem_linear(ctxt);
	return op;
}

struct operand x86_emul_op_reg(unsigned reg)
{
	return (struct operand){ .mem = false, .reg = reg };
}

int x86_emul_op_read(struct x86_emul_ctxt *ctxt, const struct x86_emul_ops *ops,
		     const struct operand *op, unsigned size, uint64_t *v)
{
	if (!op->mem) {
		*v = x86_emul_reg_read(ctxt, op->reg, size);
		return X86EMUL_OKAY;
	}
	if (!ops->read)
		return X86EMUL_UNHANDLEABLE;
	return ops->read(ctxt, op->la, size, v);
}

int x86_emul_op_write(struct x86_emul_ctxt *ctxt,
		      const struct x86_emul_ops *ops, const struct operand *op,
		      unsigned size, uint64_t v)
{
	if (!op->mem) {
		x86_emul_reg_write(ctxt, op->reg, size, v);
		return X86EMUL_OKAY;
	}
	if (!ops->write)
		return X86EMUL_UNHANDLEABLE;
	return ops->write(ctxt, op->la, size, v & x86_emul_size_mask(size));
}

/* The stack's address size; SS.B is taken to match the code size. */
static unsigned stack_bytes(const struct x86_emul_ctxt *ctxt)
{
	return ctxt->mode == X86_MODE_64 ? 8 :
	       ctxt->mode == X86_MODE_32 ? 4 :
					   2;
}

int x86_emul_stack(struct x86_emul_ctxt *ctxt, const struct x86_emul_ops *ops,
		   unsigned size, uint64_t *v, bool push)
{
	unsigned sb = stack_bytes(ctxt);
	uint64_t sp = (ctxt->regs.gpr[GPR_RSP] - (push ? size : 0)) &
		      x86_emul_size_mask(sb);
	struct operand op = { .mem = true,
			      .la = x86_emul_seg_linear(ctxt, VSEG_SS, sp) };
	int r = push ? x86_emul_op_write(ctxt, ops, &op, size, *v) :
		       x86_emul_op_read(ctxt, ops, &op, size, v);

	if (r == X86EMUL_OKAY)
		x86_emul_reg_write(ctxt, GPR_RSP, sb, push ? sp : sp + size);
	return r;
}

/* Privileged instructions need CPL 0 (SDM 3A 2.8): #GP(0) otherwise. */
int x86_emul_need_cpl0(struct x86_emul_ctxt *ctxt)
{
	if (!ctxt->real_mode && ctxt->cpl > 0)
		return x86_emul_raise_gp0(ctxt);
	return X86EMUL_OKAY;
}

/* CLI, STI, IN, OUT need CPL <= IOPL in protected mode (SDM 3A 16.5). */
static int need_iopl(struct x86_emul_ctxt *ctxt)
{
	int iopl = (int)((ctxt->regs.rflags & X86_FLAGS_IOPL) >> 12);

	if (!ctxt->real_mode && ctxt->cpl > iopl)
		return x86_emul_raise_gp0(ctxt);
	return X86EMUL_OKAY;
}

/*
 * SGDT, SIDT, SLDT, STR and SMSW run at any CPL, except that CR4.UMIP
 * makes them #GP(0) above CPL 0 (SDM 3A 2.5); CR4 is read only then.
 */
static int need_umip_clear(struct x86_emul_ctxt *ctxt,
			   const struct x86_emul_ops *ops)
{
	uint64_t cr4;
	int r;

	if (ctxt->real_mode || ctxt->cpl <= 0 || !ops->read_cr)
		return X86EMUL_OKAY;
	if ((r = ops->read_cr(ctxt, 4, &cr4)) != X86EMUL_OKAY)
		return r;
	return (cr4 & CR4_UMIP) ? x86_emul_raise_gp0(ctxt) : X86EMUL_OKAY;
}

bool x86_emul_virt_if(struct x86_emul_ctxt *ctxt,
		      const struct x86_emul_ops *ops)
{
	if (ops->get_if)
		return ops->get_if(ctxt);
	return ctxt->regs.rflags & X86_FLAGS_IF;
}

void x86_emul_virt_set_if(struct x86_emul_ctxt *ctxt,
			  const struct x86_emul_ops *ops, bool on)
{
	if (ops->set_if)
		ops->set_if(ctxt, on);
	else if (on)
		ctxt->regs.rflags |= X86_FLAGS_IF;
	else
		ctxt->regs.rflags &= ~(uint64_t)X86_FLAGS_IF;
}

/* What x86_emulate checks before an instruction's handler runs. */
enum {
	X86_CHECK_NONE,
	X86_CHECK_LOCK, /* LOCK allowed (the handler checks for memory) */
	X86_CHECK_CPL0,
	X86_CHECK_IOPL,
	X86_CHECK_UMIP,
	X86_CHECK_REP, /* a string instruction: REP may stop early */
};

#define X86_EMUL_INSN(name, str, handler, check) \
	[X86_INSN_##name] = { x86_emul_##handler, X86_CHECK_##check },
static const struct {
	x86_emul_handler *run;
	uint8_t check;
} x86_emul_insns[X86_INSN_NMNEMONICS] = { X86_MNEMONICS(X86_EMUL_INSN) };
#undef X86_EMUL_INSN

/* Runs the decoded instruction after the checks its table entry names. */
static int insn_dispatch(struct x86_emul_ctxt *ctxt,
			 const struct x86_emul_ops *ops)
{
	const struct x86_insn *in = &ctxt->insn;
	unsigned check = x86_emul_insns[in->mnemonic].check;
	int r = X86EMUL_OKAY;

	if (in->mnemonic == X86_INSN_OTHER)
		return X86EMUL_UNHANDLEABLE;
	/* LOCK is legal only on read-modify-write forms. */
	if ((in->prefixes & X86_PFX_LOCK) && check != X86_CHECK_LOCK)
		return x86_emul_raise_ud(ctxt);
	if (check == X86_CHECK_CPL0)
		r = x86_emul_need_cpl0(ctxt);
	else if (check == X86_CHECK_IOPL)
		r = need_iopl(ctxt);
	else if (check == X86_CHECK_UMIP)
		r = need_umip_clear(ctxt, ops);
	return r == X86EMUL_OKAY ? x86_emul_insns[in->mnemonic].run(ctxt, ops) :
				   r;
}

/*
 * A REP string stops after X86_EMUL_REP_BATCH elements: while rCX has not
 * reached 0, RIP stays on the instruction and the guest re-executes it,
 * as after an interrupt (SDM 1, 7.3.9.1).
 */
static bool rep_unfinished(const struct x86_emul_ctxt *ctxt)
{
	const struct x86_insn *in = &ctxt->insn;

	return x86_emul_insns[in->mnemonic].check == X86_CHECK_REP &&
	       (in->prefixes & (X86_PFX_REP | X86_PFX_REPNE)) &&
	       x86_emul_reg_read(ctxt, GPR_RCX, in->addr_bytes) != 0;
}

/*
 * Fetches bytes through ops->fetch until the instruction decodes; the
 * callback may stop early at an unmapped page but must raise #PF when it
 * can deliver nothing.
 */
static int insn_fetch_decode(struct x86_emul_ctxt *ctxt,
			     const struct x86_emul_ops *ops)
{
	uint64_t cs_ip = x86_emul_seg_linear(ctxt, VSEG_CS, ctxt->regs.rip);
	size_t got;
	int r, d;

	for (;;) {
		d = x86_decode(ctxt->insn_bytes, ctxt->insn_avail, ctxt->mode,
			       &ctxt->insn);
		if (d != -E_RANGE || ctxt->insn_avail >= X86_MAX_INSN_LEN)
			return d;
		if (!ops->fetch)
			return -E_RANGE;
		got = 0;
		r = ops->fetch(ctxt, cs_ip + ctxt->insn_avail,
			       ctxt->insn_bytes + ctxt->insn_avail,
			       X86_MAX_INSN_LEN - ctxt->insn_avail, &got);
		if (r != X86EMUL_OKAY)
			return r == X86EMUL_EXCEPTION ? 1 : -E_RANGE;
		if (got == 0 || got > X86_MAX_INSN_LEN - ctxt->insn_avail)
			return -E_RANGE;
		ctxt->insn_avail += got;
	}
}

int x86_emulate(struct x86_emul_ctxt *ctxt, const struct x86_emul_ops *ops)
{
	int r, d;

	ctxt->sti_shadow = false;
	d = insn_fetch_decode(ctxt, ops);
	if (d == 1)
		return X86EMUL_EXCEPTION;
	if (d == -E_INVAL)
		return ctxt->insn.too_long ? x86_emul_raise_gp0(ctxt) :
					     x86_emul_raise_ud(ctxt);
	if (d < 0)
		return X86EMUL_UNHANDLEABLE;
	r = insn_dispatch(ctxt, ops);
	if (r == X86EMUL_OKAY && !rep_unfinished(ctxt))
		ctxt->regs.rip = (ctxt->regs.rip + ctxt->insn.length) &
				 x86_emul_size_mask(stack_bytes(ctxt));
	return r;
}
