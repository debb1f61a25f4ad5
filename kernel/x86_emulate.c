/*
 * x86_emulate.c - executes one decoded instruction on behalf of a guest
 * (SDM vol. 2 instruction pages; vol. 3A 2.8 "System instruction
 * summary", 6.15 for the faults).  Operand access goes through small
 * helpers (register, memory, stack) so each instruction reads like its
 * SDM pseudo-code.  Segment limits and the TSS I/O bitmap are not
 * checked: the caller's memory and port callbacks enforce access.
 */
#include <kernel/x86_emulate.h>
#include <inc/string.h>

/* An operand: a general register or a linear memory address. */
struct operand {
	bool mem;
	unsigned reg;
	uint64_t la;
};

static uint64_t size_mask(unsigned bytes)
{
	return bytes >= 8 ? ~0ULL : (1ULL << (8 * bytes)) - 1;
}

static uint64_t sign_extend(uint64_t v, unsigned bytes)
{
	unsigned shift = 64 - 8 * bytes;

	return bytes >= 8 ? v : (uint64_t)((int64_t)(v << shift) >> shift);
}

int x86_emul_raise(struct x86_emul_ctxt *ctxt, uint8_t vector, bool has_ec,
		   uint32_t ec)
{
	ctxt->exc.vector = vector;
	ctxt->exc.has_error_code = has_ec;
	ctxt->exc.error_code = ec;
	return X86EMUL_EXCEPTION;
}

static int raise_ud(struct x86_emul_ctxt *ctxt)
{
	return x86_emul_raise(ctxt, X86_EXC_UD, false, 0);
}

static int raise_gp0(struct x86_emul_ctxt *ctxt)
{
	return x86_emul_raise(ctxt, X86_EXC_GP, true, 0);
}

/* Without REX, byte registers 4-7 are AH, CH, DH, BH (SDM 1, 3.4.1.1). */
static bool is_high_byte(const struct x86_emul_ctxt *ctxt, unsigned reg, unsigned size)
{
	return size == 1 && !ctxt->insn.rex && reg >= 4 && reg < 8;
}

static uint64_t reg_read(const struct x86_emul_ctxt *ctxt, unsigned reg, unsigned size)
{
	if (is_high_byte(ctxt, reg, size))
		return (ctxt->regs.gpr[reg - 4] >> 8) & 0xff;
	return ctxt->regs.gpr[reg] & size_mask(size);
}

/* 32-bit writes zero the upper half; 8- and 16-bit writes merge. */
static void reg_write(struct x86_emul_ctxt *ctxt, unsigned reg, unsigned size, uint64_t v)
{
	uint64_t *r;

	if (is_high_byte(ctxt, reg, size)) {
		r = &ctxt->regs.gpr[reg - 4];
		*r = (*r & ~0xff00ULL) | ((v & 0xff) << 8);
		return;
	}
	r = &ctxt->regs.gpr[reg];
	if (size >= 4)
		*r = v & size_mask(size);
	else
		*r = (*r & ~size_mask(size)) | (v & size_mask(size));
}

/* Segment base plus offset; in 64-bit mode only FS and GS have bases. */
static uint64_t seg_linear(const struct x86_emul_ctxt *ctxt, int seg, uint64_t off)
{
	if (ctxt->mode == X86_MODE_64)
		return (seg == X86_SEG_FS || seg == X86_SEG_GS) ? ctxt->seg_base[seg] + off : off;
	return (uint32_t)(ctxt->seg_base[seg] + off);
}

/* The linear address of the decoded memory operand (SDM 1, 3.7.5). */
static uint64_t mem_linear(const struct x86_emul_ctxt *ctxt)
{
	const struct x86_insn *in = &ctxt->insn;
	uint64_t ea = (uint64_t)in->mem.disp;

	if (in->mem.base == X86_REG_RIP)
		ea += ctxt->regs.rip + in->length;
	else if (in->mem.base != X86_REG_NONE)
		ea += ctxt->regs.gpr[in->mem.base];
	if (in->mem.index != X86_REG_NONE)
		ea += ctxt->regs.gpr[in->mem.index] * in->mem.scale;
	return seg_linear(ctxt, in->mem.seg, ea & size_mask(in->addr_bytes));
}

static struct operand op_rm(const struct x86_emul_ctxt *ctxt)
{
	struct operand op = { .mem = ctxt->insn.is_mem, .reg = ctxt->insn.rm };

	if (op.mem)
		op.la = mem_linear(ctxt);
	return op;
}

static struct operand op_reg(unsigned reg)
{
	return (struct operand){ .mem = false, .reg = reg };
}

static int op_read(struct x86_emul_ctxt *ctxt, const struct x86_emul_ops *ops,
		   const struct operand *op, unsigned size, uint64_t *v)
{
	if (!op->mem) {
		*v = reg_read(ctxt, op->reg, size);
		return X86EMUL_OKAY;
	}
	if (!ops->read)
		return X86EMUL_UNHANDLEABLE;
	return ops->read(ctxt, op->la, size, v);
}

static int op_write(struct x86_emul_ctxt *ctxt, const struct x86_emul_ops *ops,
		    const struct operand *op, unsigned size, uint64_t v)
{
	if (!op->mem) {
		reg_write(ctxt, op->reg, size, v);
		return X86EMUL_OKAY;
	}
	if (!ops->write)
		return X86EMUL_UNHANDLEABLE;
	return ops->write(ctxt, op->la, size, v & size_mask(size));
}

/* The stack's address size; SS.B is taken to match the code size. */
static unsigned stack_bytes(const struct x86_emul_ctxt *ctxt)
{
	return ctxt->mode == X86_MODE_64 ? 8 : ctxt->mode == X86_MODE_32 ? 4 : 2;
}

static int stack_push(struct x86_emul_ctxt *ctxt, const struct x86_emul_ops *ops,
		      unsigned size, uint64_t v)
{
	unsigned sb = stack_bytes(ctxt);
	uint64_t sp = (ctxt->regs.gpr[X86_REG_RSP] - size) & size_mask(sb);
	struct operand op = { .mem = true, .la = seg_linear(ctxt, X86_SEG_SS, sp) };
	int r = op_write(ctxt, ops, &op, size, v);

	if (r == X86EMUL_OKAY)
		reg_write(ctxt, X86_REG_RSP, sb, sp);
	return r;
}

static int stack_pop(struct x86_emul_ctxt *ctxt, const struct x86_emul_ops *ops,
		     unsigned size, uint64_t *v)
{
	unsigned sb = stack_bytes(ctxt);
	uint64_t sp = ctxt->regs.gpr[X86_REG_RSP] & size_mask(sb);
	struct operand op = { .mem = true, .la = seg_linear(ctxt, X86_SEG_SS, sp) };
	int r = op_read(ctxt, ops, &op, size, v);

	if (r == X86EMUL_OKAY)
		reg_write(ctxt, X86_REG_RSP, sb, sp + size);
	return r;
}

/* Privileged instructions need CPL 0 (SDM 3A 2.8): #GP(0) otherwise. */
static int need_cpl0(struct x86_emul_ctxt *ctxt)
{
	if (!ctxt->real_mode && ctxt->cpl > 0)
		return raise_gp0(ctxt);
	return X86EMUL_OKAY;
}

/* CLI, STI, IN, OUT need CPL <= IOPL in protected mode (SDM 3A 16.5). */
static int need_iopl(struct x86_emul_ctxt *ctxt)
{
	int iopl = (int)((ctxt->regs.rflags & X86_FLAGS_IOPL) >> 12);

	if (!ctxt->real_mode && ctxt->cpl > iopl)
		return raise_gp0(ctxt);
	return X86EMUL_OKAY;
}

static bool virt_if(struct x86_emul_ctxt *ctxt, const struct x86_emul_ops *ops)
{
	if (ops->get_if)
		return ops->get_if(ctxt);
	return ctxt->regs.rflags & X86_FLAGS_IF;
}

static void virt_set_if(struct x86_emul_ctxt *ctxt, const struct x86_emul_ops *ops, bool on)
{
	if (ops->set_if)
		ops->set_if(ctxt, on);
	else if (on)
		ctxt->regs.rflags |= X86_FLAGS_IF;
	else
		ctxt->regs.rflags &= ~(uint64_t)X86_FLAGS_IF;
}

/* Sets the arithmetic flags: PF, ZF, SF from res, CF/OF/AF as given. */
static void flags_set(struct x86_emul_ctxt *ctxt, uint64_t res, unsigned size,
		      bool cf, bool of, bool af)
{
	uint64_t f = ctxt->regs.rflags & ~(uint64_t)X86_FLAGS_ARITH;
	uint8_t lo = (uint8_t)res;

	lo ^= lo >> 4;
	lo ^= lo >> 2;
	lo ^= lo >> 1;
	res &= size_mask(size);
	f |= (lo & 1) ? 0 : X86_FLAGS_PF;
	f |= res == 0 ? X86_FLAGS_ZF : 0;
	f |= (res >> (8 * size - 1)) & 1 ? X86_FLAGS_SF : 0;
	f |= (cf ? X86_FLAGS_CF : 0) | (of ? X86_FLAGS_OF : 0) | (af ? X86_FLAGS_AF : 0);
	ctxt->regs.rflags = f;
}

/* Computes a OP b at `size` bytes and sets the flags (SDM 1, A.2). */
static uint64_t alu_compute(struct x86_emul_ctxt *ctxt, unsigned mnem, uint64_t a,
			    uint64_t b, unsigned size)
{
	uint64_t m = size_mask(size), sign = 1ULL << (8 * size - 1), res;

	a &= m;
	b &= m;
	switch (mnem) {
	case X86_INSN_ADD:
		res = (a + b) & m;
		flags_set(ctxt, res, size, res < a, (a ^ res) & (b ^ res) & sign,
			  (a ^ b ^ res) & 0x10);
		return res;
	case X86_INSN_SUB:
	case X86_INSN_CMP:
		res = (a - b) & m;
		flags_set(ctxt, res, size, a < b, (a ^ b) & (a ^ res) & sign,
			  (a ^ b ^ res) & 0x10);
		return res;
	case X86_INSN_OR: res = a | b; break;
	case X86_INSN_XOR: res = a ^ b; break;
	default: res = a & b; break;
	}
	flags_set(ctxt, res, size, false, false, false);
	return res;
}

/* The destination and source of an ALU instruction by its opcode's form. */
static void alu_operands(struct x86_emul_ctxt *ctxt, struct operand *dst,
			 struct operand *src, bool *src_imm)
{
	const struct x86_insn *in = &ctxt->insn;
	uint8_t op = in->opcode;

	*src_imm = in->imm_bytes != 0;
	if (op < 0x40 && (op & 7) >= 4) {
		*dst = op_reg(X86_REG_RAX);
	} else if (op < 0x40 && (op & 2)) {
		*dst = op_reg(in->reg);
		*src = op_rm(ctxt);
	} else if (op == 0xa8 || op == 0xa9) {
		*dst = op_reg(X86_REG_RAX);
	} else {
		*dst = op_rm(ctxt);
		*src = op_reg(in->reg);
	}
}

/* ADD, OR, AND, SUB, XOR, CMP, TEST in all their r/m, reg, imm forms. */
static int emulate_alu(struct x86_emul_ctxt *ctxt, const struct x86_emul_ops *ops)
{
	const struct x86_insn *in = &ctxt->insn;
	unsigned size = in->op_bytes, mnem = in->mnemonic;
	bool writes = mnem != X86_INSN_CMP && mnem != X86_INSN_TEST, src_imm;
	struct operand dst, src;
	uint64_t a, b = in->imm, res;
	int r;

	alu_operands(ctxt, &dst, &src, &src_imm);
	if ((in->prefixes & X86_PFX_LOCK) && !(writes && dst.mem))
		return raise_ud(ctxt);
	if ((r = op_read(ctxt, ops, &dst, size, &a)) != X86EMUL_OKAY)
		return r;
	if (!src_imm && (r = op_read(ctxt, ops, &src, size, &b)) != X86EMUL_OKAY)
		return r;
	res = alu_compute(ctxt, mnem, a, b, size);
	return writes ? op_write(ctxt, ops, &dst, size, res) : X86EMUL_OKAY;
}

/* MOV in its r/m-reg, reg-r/m, imm and moffs forms. */
static int emulate_mov(struct x86_emul_ctxt *ctxt, const struct x86_emul_ops *ops)
{
	const struct x86_insn *in = &ctxt->insn;
	unsigned size = in->op_bytes;
	struct operand rm = op_rm(ctxt), reg = op_reg(in->reg);
	uint64_t v;
	int r;

	if (in->opcode >= 0xb0 && in->opcode <= 0xbf) {
		reg = op_reg((in->opcode & 7) | ((in->rex & X86_REX_B) ? 8 : 0));
		return op_write(ctxt, ops, &reg, size, in->imm);
	}
	if (in->opcode >= 0xa0 && in->opcode <= 0xa3) {
		rm.mem = true;
		reg = op_reg(X86_REG_RAX);
	}
	if (in->opcode == 0xc6 || in->opcode == 0xc7)
		return op_write(ctxt, ops, &rm, size, in->imm);
	if (in->opcode == 0x8a || in->opcode == 0x8b || in->opcode == 0xa0 || in->opcode == 0xa1) {
		if ((r = op_read(ctxt, ops, &rm, size, &v)) != X86EMUL_OKAY)
			return r;
		return op_write(ctxt, ops, &reg, size, v);
	}
	if ((r = op_read(ctxt, ops, &reg, size, &v)) != X86EMUL_OKAY)
		return r;
	return op_write(ctxt, ops, &rm, size, v);
}

/* MOVZX, MOVSX (0F B6/B7/BE/BF) and MOVSXD (63 with REX.W). */
static int emulate_movx(struct x86_emul_ctxt *ctxt, const struct x86_emul_ops *ops)
{
	const struct x86_insn *in = &ctxt->insn;
	unsigned src_size = in->mnemonic == X86_INSN_MOVSXD ? 4 : (in->opcode & 1) ? 2 : 1;
	struct operand rm = op_rm(ctxt), reg = op_reg(in->reg);
	uint64_t v;
	int r;

	if ((r = op_read(ctxt, ops, &rm, src_size, &v)) != X86EMUL_OKAY)
		return r;
	if (in->mnemonic != X86_INSN_MOVZX)
		v = sign_extend(v, src_size);
	return op_write(ctxt, ops, &reg, in->op_bytes, v);
}

/* One element of MOVS, STOS, LODS, INS or OUTS. */
static int string_step(struct x86_emul_ctxt *ctxt, const struct x86_emul_ops *ops)
{
	const struct x86_insn *in = &ctxt->insn;
	unsigned size = in->op_bytes, ab = in->addr_bytes;
	int src_seg = in->seg_override != X86_SEG_NONE ? in->seg_override : X86_SEG_DS;
	struct operand src = { .mem = true }, dst = { .mem = true };
	uint64_t v = 0;
	uint32_t port_val;
	int r = X86EMUL_OKAY;

	src.la = seg_linear(ctxt, src_seg, reg_read(ctxt, X86_REG_RSI, ab));
	dst.la = seg_linear(ctxt, X86_SEG_ES, reg_read(ctxt, X86_REG_RDI, ab));
	switch (in->mnemonic) {
	case X86_INSN_MOVS:
		if ((r = op_read(ctxt, ops, &src, size, &v)) == X86EMUL_OKAY)
			r = op_write(ctxt, ops, &dst, size, v);
		break;
	case X86_INSN_STOS:
		r = op_write(ctxt, ops, &dst, size, reg_read(ctxt, X86_REG_RAX, size));
		break;
	case X86_INSN_LODS:
		if ((r = op_read(ctxt, ops, &src, size, &v)) == X86EMUL_OKAY)
			reg_write(ctxt, X86_REG_RAX, size, v);
		break;
	case X86_INSN_INS:
		if (!ops->io_in)
			return X86EMUL_UNHANDLEABLE;
		r = ops->io_in(ctxt, (uint16_t)ctxt->regs.gpr[X86_REG_RDX], size, &port_val);
		if (r == X86EMUL_OKAY)
			r = op_write(ctxt, ops, &dst, size, port_val);
		break;
	default:
		if (!ops->io_out)
			return X86EMUL_UNHANDLEABLE;
		if ((r = op_read(ctxt, ops, &src, size, &v)) == X86EMUL_OKAY)
			r = ops->io_out(ctxt, (uint16_t)ctxt->regs.gpr[X86_REG_RDX], size, (uint32_t)v);
		break;
	}
	return r;
}

/* Advances rSI and/or rDI by one element in the direction DF says. */
static void string_advance(struct x86_emul_ctxt *ctxt)
{
	const struct x86_insn *in = &ctxt->insn;
	unsigned ab = in->addr_bytes, mnem = in->mnemonic;
	uint64_t step = (ctxt->regs.rflags & X86_FLAGS_DF) ? -(uint64_t)in->op_bytes : in->op_bytes;

	if (mnem == X86_INSN_MOVS || mnem == X86_INSN_LODS || mnem == X86_INSN_OUTS)
		reg_write(ctxt, X86_REG_RSI, ab, reg_read(ctxt, X86_REG_RSI, ab) + step);
	if (mnem == X86_INSN_MOVS || mnem == X86_INSN_STOS || mnem == X86_INSN_INS)
		reg_write(ctxt, X86_REG_RDI, ab, reg_read(ctxt, X86_REG_RDI, ab) + step);
}

/*
 * String instructions, with REP: at most X86_EMUL_REP_BATCH elements per
 * call; *done is false while rCX has not reached 0, so RIP stays on the
 * instruction and the guest re-executes it, as after an interrupt (SDM 1,
 * 7.3.9.1).  A fault leaves the registers at the faulting element.
 */
static int emulate_string(struct x86_emul_ctxt *ctxt, const struct x86_emul_ops *ops, bool *done)
{
	const struct x86_insn *in = &ctxt->insn;
	bool rep = in->prefixes & (X86_PFX_REP | X86_PFX_REPNE);
	unsigned ab = in->addr_bytes, n;
	int r;

	if (!rep) {
		if ((r = string_step(ctxt, ops)) == X86EMUL_OKAY)
			string_advance(ctxt);
		return r;
	}
	for (n = 0; n < X86_EMUL_REP_BATCH && reg_read(ctxt, X86_REG_RCX, ab) != 0; n++) {
		if ((r = string_step(ctxt, ops)) != X86EMUL_OKAY) {
			*done = false;
			return r;
		}
		string_advance(ctxt);
		reg_write(ctxt, X86_REG_RCX, ab, reg_read(ctxt, X86_REG_RCX, ab) - 1);
	}
	*done = reg_read(ctxt, X86_REG_RCX, ab) == 0;
	return X86EMUL_OKAY;
}

/* IN and OUT with an imm8 or DX port (SDM 2, "IN", "OUT"). */
static int emulate_io(struct x86_emul_ctxt *ctxt, const struct x86_emul_ops *ops)
{
	const struct x86_insn *in = &ctxt->insn;
	unsigned size = in->op_bytes;
	uint16_t port = in->imm_bytes ? (uint8_t)in->imm : (uint16_t)ctxt->regs.gpr[X86_REG_RDX];
	uint32_t v;
	int r;

	if ((r = need_iopl(ctxt)) != X86EMUL_OKAY)
		return r;
	if (in->mnemonic == X86_INSN_OUT) {
		if (!ops->io_out)
			return X86EMUL_UNHANDLEABLE;
		return ops->io_out(ctxt, port, size, (uint32_t)reg_read(ctxt, X86_REG_RAX, size));
	}
	if (!ops->io_in)
		return X86EMUL_UNHANDLEABLE;
	if ((r = ops->io_in(ctxt, port, size, &v)) == X86EMUL_OKAY)
		reg_write(ctxt, X86_REG_RAX, size, v);
	return r;
}

/* PUSHF: the flags image has the virtual IF, and VM and RF clear. */
static int emulate_pushf(struct x86_emul_ctxt *ctxt, const struct x86_emul_ops *ops)
{
	uint64_t f = ctxt->regs.rflags & ~(uint64_t)(X86_FLAGS_VM | X86_FLAGS_RF | X86_FLAGS_IF);

	if (virt_if(ctxt, ops))
		f |= X86_FLAGS_IF;
	return stack_push(ctxt, ops, ctxt->insn.op_bytes, f | X86_FLAGS_FIXED);
}

/*
 * POPF (SDM 2, "POPF"): IOPL changes only at CPL 0 and IF only at
 * CPL <= IOPL; elsewhere both are silently kept - the instruction that
 * breaks Popek and Goldberg's conditions for x86.
 */
static int emulate_popf(struct x86_emul_ctxt *ctxt, const struct x86_emul_ops *ops)
{
	uint64_t v, keep, change = X86_FLAGS_ARITH | X86_FLAGS_TF | X86_FLAGS_DF |
		X86_FLAGS_NT | X86_FLAGS_AC | X86_FLAGS_ID;
	int iopl = (int)((ctxt->regs.rflags & X86_FLAGS_IOPL) >> 12);
	bool set_if = ctxt->real_mode || ctxt->cpl <= iopl;
	int r;

	if ((r = stack_pop(ctxt, ops, ctxt->insn.op_bytes, &v)) != X86EMUL_OKAY)
		return r;
	if (ctxt->real_mode || ctxt->cpl <= 0)
		change |= X86_FLAGS_IOPL;
	if (ctxt->insn.op_bytes == 2)
		change &= 0xffff;
	keep = ctxt->regs.rflags & ~change;
	ctxt->regs.rflags = keep | (v & change) | X86_FLAGS_FIXED;
	if (set_if)
		virt_set_if(ctxt, ops, v & X86_FLAGS_IF);
	return X86EMUL_OKAY;
}

/* CLI and STI on the virtual IF; STI opens a one-instruction shadow. */
static int emulate_cli_sti(struct x86_emul_ctxt *ctxt, const struct x86_emul_ops *ops)
{
	bool on = ctxt->insn.mnemonic == X86_INSN_STI;
	int r;

	if ((r = need_iopl(ctxt)) != X86EMUL_OKAY)
		return r;
	if (on && !virt_if(ctxt, ops))
		ctxt->sti_shadow = true;
	virt_set_if(ctxt, ops, on);
	return X86EMUL_OKAY;
}

/* MOV to/from CR0, CR2, CR3, CR4, CR8; CR8 exists in 64-bit mode only. */
static int emulate_mov_cr(struct x86_emul_ctxt *ctxt, const struct x86_emul_ops *ops)
{
	const struct x86_insn *in = &ctxt->insn;
	unsigned cr = in->reg, size = ctxt->mode == X86_MODE_64 ? 8 : 4;
	uint64_t v;
	int r;

	if (!(cr == 0 || cr == 2 || cr == 3 || cr == 4 || (cr == 8 && ctxt->mode == X86_MODE_64)))
		return raise_ud(ctxt);
	if ((r = need_cpl0(ctxt)) != X86EMUL_OKAY)
		return r;
	if (!ops->read_cr || !ops->write_cr)
		return X86EMUL_UNHANDLEABLE;
	if (in->mnemonic == X86_INSN_MOV_TO_CR)
		return ops->write_cr(ctxt, cr, reg_read(ctxt, in->rm, size));
	if ((r = ops->read_cr(ctxt, cr, &v)) == X86EMUL_OKAY)
		reg_write(ctxt, in->rm, size, v);
	return r;
}

static int emulate_clts(struct x86_emul_ctxt *ctxt, const struct x86_emul_ops *ops)
{
	uint64_t cr0;
	int r;

	if ((r = need_cpl0(ctxt)) != X86EMUL_OKAY)
		return r;
	if (!ops->read_cr || !ops->write_cr)
		return X86EMUL_UNHANDLEABLE;
	if ((r = ops->read_cr(ctxt, 0, &cr0)) != X86EMUL_OKAY)
		return r;
	return ops->write_cr(ctxt, 0, cr0 & ~8ULL);
}

/*
 * LGDT/LIDT read a 2-byte limit and a base: 8 bytes in 64-bit mode, else
 * 4 bytes of which a 16-bit operand size keeps 24 bits (SDM 2, "LGDT").
 */
static int emulate_lgdt_lidt(struct x86_emul_ctxt *ctxt, const struct x86_emul_ops *ops)
{
	const struct x86_insn *in = &ctxt->insn;
	struct operand m = op_rm(ctxt);
	unsigned base_size = ctxt->mode == X86_MODE_64 ? 8 : 4;
	uint64_t limit, base;
	int r;

	if ((r = need_cpl0(ctxt)) != X86EMUL_OKAY)
		return r;
	if (!ops->load_dtr)
		return X86EMUL_UNHANDLEABLE;
	if ((r = op_read(ctxt, ops, &m, 2, &limit)) != X86EMUL_OKAY)
		return r;
	m.la += 2;
	if ((r = op_read(ctxt, ops, &m, base_size, &base)) != X86EMUL_OKAY)
		return r;
	if (ctxt->mode != X86_MODE_64 && in->op_bytes == 2)
		base &= 0xffffff;
	return ops->load_dtr(ctxt, in->mnemonic == X86_INSN_LGDT ? X86_DTR_GDT : X86_DTR_IDT,
			     base, (uint32_t)limit);
}

/* LLDT and LTR take a selector from a register or memory; #UD in real mode. */
static int emulate_lldt_ltr(struct x86_emul_ctxt *ctxt, const struct x86_emul_ops *ops)
{
	struct operand rm = op_rm(ctxt);
	uint64_t sel;
	int r;

	if (ctxt->real_mode)
		return raise_ud(ctxt);
	if ((r = need_cpl0(ctxt)) != X86EMUL_OKAY)
		return r;
	if (!ops->load_sel)
		return X86EMUL_UNHANDLEABLE;
	if ((r = op_read(ctxt, ops, &rm, 2, &sel)) != X86EMUL_OKAY)
		return r;
	return ops->load_sel(ctxt, ctxt->insn.mnemonic == X86_INSN_LLDT ? X86_DTR_LDT : X86_DTR_TR,
			     (uint16_t)sel);
}

/* RDMSR/WRMSR: ECX names the MSR, EDX:EAX holds the value. */
static int emulate_msr(struct x86_emul_ctxt *ctxt, const struct x86_emul_ops *ops)
{
	uint32_t msr = (uint32_t)ctxt->regs.gpr[X86_REG_RCX];
	uint64_t v;
	int r;

	if ((r = need_cpl0(ctxt)) != X86EMUL_OKAY)
		return r;
	if (!ops->read_msr || !ops->write_msr)
		return X86EMUL_UNHANDLEABLE;
	if (ctxt->insn.mnemonic == X86_INSN_WRMSR) {
		v = (ctxt->regs.gpr[X86_REG_RDX] << 32) | (uint32_t)ctxt->regs.gpr[X86_REG_RAX];
		return ops->write_msr(ctxt, msr, v);
	}
	if ((r = ops->read_msr(ctxt, msr, &v)) != X86EMUL_OKAY)
		return r;
	reg_write(ctxt, X86_REG_RAX, 4, (uint32_t)v);
	reg_write(ctxt, X86_REG_RDX, 4, v >> 32);
	return X86EMUL_OKAY;
}

/* HLT, INVLPG, WBINVD and INVD (done as WBINVD: dropping dirty lines is never safe). */
static int emulate_sys(struct x86_emul_ctxt *ctxt, const struct x86_emul_ops *ops)
{
	int r;

	if ((r = need_cpl0(ctxt)) != X86EMUL_OKAY)
		return r;
	switch (ctxt->insn.mnemonic) {
	case X86_INSN_HLT:
		return ops->halt ? ops->halt(ctxt) : X86EMUL_UNHANDLEABLE;
	case X86_INSN_INVLPG:
		return ops->invlpg ? ops->invlpg(ctxt, mem_linear(ctxt)) : X86EMUL_UNHANDLEABLE;
	default:
		return ops->wbinvd ? ops->wbinvd(ctxt) : X86EMUL_UNHANDLEABLE;
	}
}

/* LOCK is legal only on read-modify-write ALU forms with a memory destination. */
static bool lock_allowed(const struct x86_insn *in)
{
	switch (in->mnemonic) {
	case X86_INSN_ADD: case X86_INSN_OR: case X86_INSN_AND:
	case X86_INSN_SUB: case X86_INSN_XOR:
		return true;
	default:
		return false;
	}
}

/* Runs the decoded instruction; *done is false for an unfinished REP. */
static int emulate_insn(struct x86_emul_ctxt *ctxt, const struct x86_emul_ops *ops, bool *done)
{
	const struct x86_insn *in = &ctxt->insn;

	if ((in->prefixes & X86_PFX_LOCK) && !lock_allowed(in))
		return in->mnemonic == X86_INSN_OTHER ? X86EMUL_UNHANDLEABLE : raise_ud(ctxt);
	switch (in->mnemonic) {
	case X86_INSN_ADD: case X86_INSN_OR: case X86_INSN_AND: case X86_INSN_SUB:
	case X86_INSN_XOR: case X86_INSN_CMP: case X86_INSN_TEST:
		return emulate_alu(ctxt, ops);
	case X86_INSN_MOV: return emulate_mov(ctxt, ops);
	case X86_INSN_MOVZX: case X86_INSN_MOVSX: case X86_INSN_MOVSXD:
		return emulate_movx(ctxt, ops);
	case X86_INSN_MOVS: case X86_INSN_STOS: case X86_INSN_LODS:
	case X86_INSN_INS: case X86_INSN_OUTS:
		return emulate_string(ctxt, ops, done);
	case X86_INSN_IN: case X86_INSN_OUT: return emulate_io(ctxt, ops);
	case X86_INSN_PUSHF: return emulate_pushf(ctxt, ops);
	case X86_INSN_POPF: return emulate_popf(ctxt, ops);
	case X86_INSN_CLI: case X86_INSN_STI: return emulate_cli_sti(ctxt, ops);
	case X86_INSN_MOV_FROM_CR: case X86_INSN_MOV_TO_CR: return emulate_mov_cr(ctxt, ops);
	case X86_INSN_CLTS: return emulate_clts(ctxt, ops);
	case X86_INSN_LGDT: case X86_INSN_LIDT: return emulate_lgdt_lidt(ctxt, ops);
	case X86_INSN_LLDT: case X86_INSN_LTR: return emulate_lldt_ltr(ctxt, ops);
	case X86_INSN_RDMSR: case X86_INSN_WRMSR: return emulate_msr(ctxt, ops);
	case X86_INSN_HLT: case X86_INSN_INVLPG: case X86_INSN_WBINVD: case X86_INSN_INVD:
		return emulate_sys(ctxt, ops);
	default:
		return X86EMUL_UNHANDLEABLE;
	}
}

/*
 * Fetches bytes through ops->fetch until the instruction decodes; the
 * callback may stop early at an unmapped page but must raise #PF when it
 * can deliver nothing.
 */
static int emulate_fetch_decode(struct x86_emul_ctxt *ctxt, const struct x86_emul_ops *ops)
{
	uint64_t cs_ip = seg_linear(ctxt, X86_SEG_CS, ctxt->regs.rip);
	size_t got;
	int r, d;

	for (;;) {
		d = x86_decode(ctxt->insn_bytes, ctxt->insn_avail, ctxt->mode, &ctxt->insn);
		if (d != -E_RANGE || ctxt->insn_avail >= X86_MAX_INSN_LEN)
			return d;
		if (!ops->fetch)
			return -E_RANGE;
		got = 0;
		r = ops->fetch(ctxt, cs_ip + ctxt->insn_avail, ctxt->insn_bytes + ctxt->insn_avail,
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
	d = emulate_fetch_decode(ctxt, ops);
	if (d == 1)
		return X86EMUL_EXCEPTION;
	if (d == -E_INVAL)
		return ctxt->insn.too_long ? raise_gp0(ctxt) : raise_ud(ctxt);
	if (d < 0)
		return X86EMUL_UNHANDLEABLE;
	r = emulate_insn(ctxt, ops, &done);
	if (r == X86EMUL_OKAY && done)
		ctxt->regs.rip = (ctxt->regs.rip + ctxt->insn.length) & size_mask(stack_bytes(ctxt));
	return r;
}
