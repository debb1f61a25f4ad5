/*
 * emulate.c - executes one decoded instruction on behalf of a guest
 * (SDM vol. 2 instruction pages; vol. 3A 2.8 "System instruction
 * summary", 6.15 for the faults).  Operand access goes through small
 * helpers (register, memory, stack) so each instruction reads like its
 * SDM pseudo-code.  Segment limits and the TSS I/O bitmap are not
 * checked: the caller's memory and port callbacks enforce access.
 * This file has those helpers and the dispatch; the instructions are in
 * emul_data.c (moves, arithmetic, strings) and emul_sys.c (I/O,
 * flags, control registers, descriptor tables, MSRs).
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
		return (seg == X86_SEG_FS || seg == X86_SEG_GS) ?
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

int x86_emul_stack_push(struct x86_emul_ctxt *ctxt,
			const struct x86_emul_ops *ops, unsigned size,
			uint64_t v)
{
	unsigned sb = stack_bytes(ctxt);
	uint64_t sp = (ctxt->regs.gpr[X86_REG_RSP] - size) &
		      x86_emul_size_mask(sb);
	struct operand op = { .mem = true,
			      .la = x86_emul_seg_linear(ctxt, X86_SEG_SS, sp) };
	int r = x86_emul_op_write(ctxt, ops, &op, size, v);

	if (r == X86EMUL_OKAY)
		x86_emul_reg_write(ctxt, X86_REG_RSP, sb, sp);
	return r;
}

int x86_emul_stack_pop(struct x86_emul_ctxt *ctxt,
		       const struct x86_emul_ops *ops, unsigned size,
		       uint64_t *v)
{
	unsigned sb = stack_bytes(ctxt);
	uint64_t sp = ctxt->regs.gpr[X86_REG_RSP] & x86_emul_size_mask(sb);
	struct operand op = { .mem = true,
			      .la = x86_emul_seg_linear(ctxt, X86_SEG_SS, sp) };
	int r = x86_emul_op_read(ctxt, ops, &op, size, v);

	if (r == X86EMUL_OKAY)
		x86_emul_reg_write(ctxt, X86_REG_RSP, sb, sp + size);
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
int x86_emul_need_iopl(struct x86_emul_ctxt *ctxt)
{
	int iopl = (int)((ctxt->regs.rflags & X86_FLAGS_IOPL) >> 12);

	if (!ctxt->real_mode && ctxt->cpl > iopl)
		return x86_emul_raise_gp0(ctxt);
	return X86EMUL_OKAY;
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

/* LOCK is legal only on read-modify-write forms with a memory destination. */
static bool lock_allowed(unsigned mnem)
{
	return mnem == X86_INSN_ADD || mnem == X86_INSN_OR ||
	       mnem == X86_INSN_AND || mnem == X86_INSN_SUB ||
	       mnem == X86_INSN_XOR || mnem == X86_INSN_XCHG ||
	       mnem == X86_INSN_CMPXCHG || mnem == X86_INSN_CMPXCHG8B;
}

/* Runs the decoded instruction; *done is false for an unfinished REP. */
static int insn_dispatch(struct x86_emul_ctxt *ctxt,
			 const struct x86_emul_ops *ops, bool *done)
{
	const struct x86_insn *in = &ctxt->insn;

	if ((in->prefixes & X86_PFX_LOCK) && !lock_allowed(in->mnemonic))
		return in->mnemonic == X86_INSN_OTHER ? X86EMUL_UNHANDLEABLE :
							x86_emul_raise_ud(ctxt);
	switch (in->mnemonic) {
	case X86_INSN_ADD:
	case X86_INSN_OR:
	case X86_INSN_AND:
	case X86_INSN_SUB:
	case X86_INSN_XOR:
	case X86_INSN_CMP:
	case X86_INSN_TEST: return x86_emul_alu(ctxt, ops);
	case X86_INSN_MOV: return x86_emul_mov(ctxt, ops);
	case X86_INSN_XCHG: return x86_emul_xchg(ctxt, ops);
	case X86_INSN_CMPXCHG: return x86_emul_cmpxchg(ctxt, ops);
	case X86_INSN_CMPXCHG8B: return x86_emul_cmpxchg8b(ctxt, ops);
	case X86_INSN_MOVZX:
	case X86_INSN_MOVSX:
	case X86_INSN_MOVSXD: return x86_emul_movx(ctxt, ops);
	case X86_INSN_MOVS:
	case X86_INSN_STOS:
	case X86_INSN_LODS:
	case X86_INSN_INS:
	case X86_INSN_OUTS: return x86_emul_string(ctxt, ops, done);
	case X86_INSN_IN:
	case X86_INSN_OUT: return x86_emul_io(ctxt, ops);
	case X86_INSN_PUSHF: return x86_emul_pushf(ctxt, ops);
	case X86_INSN_POPF: return x86_emul_popf(ctxt, ops);
	case X86_INSN_CLI:
	case X86_INSN_STI: return x86_emul_cli_sti(ctxt, ops);
	case X86_INSN_MOV_FROM_CR:
	case X86_INSN_MOV_TO_CR: return x86_emul_mov_cr(ctxt, ops);
	case X86_INSN_CLTS: return x86_emul_clts(ctxt, ops);
	case X86_INSN_LGDT:
	case X86_INSN_LIDT: return x86_emul_lgdt_lidt(ctxt, ops);
	case X86_INSN_LLDT:
	case X86_INSN_LTR: return x86_emul_lldt_ltr(ctxt, ops);
	case X86_INSN_SGDT:
	case X86_INSN_SIDT: return x86_emul_sgdt_sidt(ctxt, ops);
	case X86_INSN_SLDT:
	case X86_INSN_STR: return x86_emul_sldt_str(ctxt, ops);
	case X86_INSN_SMSW: return x86_emul_smsw(ctxt, ops);
	case X86_INSN_RDMSR:
	case X86_INSN_WRMSR: return x86_emul_msr(ctxt, ops);
	case X86_INSN_HLT:
	case X86_INSN_INVLPG:
	case X86_INSN_WBINVD:
	case X86_INSN_INVD: return x86_emul_sys(ctxt, ops);
	default: return X86EMUL_UNHANDLEABLE;
	}
}

/*
 * Fetches bytes through ops->fetch until the instruction decodes; the
 * callback may stop early at an unmapped page but must raise #PF when it
 * can deliver nothing.
 */
static int insn_fetch_decode(struct x86_emul_ctxt *ctxt,
			     const struct x86_emul_ops *ops)
{
	uint64_t cs_ip = x86_emul_seg_linear(ctxt, X86_SEG_CS, ctxt->regs.rip);
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
	bool done = true;
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
	r = insn_dispatch(ctxt, ops, &done);
	if (r == X86EMUL_OKAY && done)
		ctxt->regs.rip = (ctxt->regs.rip + ctxt->insn.length) &
				 x86_emul_size_mask(stack_bytes(ctxt));
	return r;
}
