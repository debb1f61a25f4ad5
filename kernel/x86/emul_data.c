/*
 * emul_data.c - the data instructions the emulator runs (SDM vol. 2
 * instruction pages): the ALU ones with their flags (SDM 1, appendix
 * A.2), moves, exchanges, and the string instructions with REP.  Helpers
 * and the dispatch: kernel/x86/emulate.c.
 */
#include <kernel/x86/emul_int.h>

static uint64_t sign_extend(uint64_t v, unsigned bytes)
{
	unsigned shift = 64 - 8 * bytes;

	return bytes >= 8 ? v : (uint64_t)((int64_t)(v << shift) >> shift);
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
	res &= x86_emul_size_mask(size);
	f |= (lo & 1) ? 0 : X86_FLAGS_PF;
	f |= res == 0 ? X86_FLAGS_ZF : 0;
	f |= (res >> (8 * size - 1)) & 1 ? X86_FLAGS_SF : 0;
	f |= (cf ? X86_FLAGS_CF : 0) | (of ? X86_FLAGS_OF : 0) |
	     (af ? X86_FLAGS_AF : 0);
	ctxt->regs.rflags = f;
}

/* Computes a OP b at `size` bytes and sets the flags (SDM 1, A.2). */
static uint64_t alu_compute(struct x86_emul_ctxt *ctxt, unsigned mnem,
			    uint64_t a, uint64_t b, unsigned size)
{
	uint64_t m = x86_emul_size_mask(size), sign = 1ULL << (8 * size - 1),
		 res;

	a &= m;
	b &= m;
	switch (mnem) {
	case X86_INSN_ADD:
		res = (a + b) & m;
		flags_set(ctxt, res, size, res < a,
			  (a ^ res) & (b ^ res) & sign, (a ^ b ^ res) & 0x10);
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
		*dst = x86_emul_op_reg(GPR_RAX);
	} else if (op < 0x40 && (op & 2)) {
		*dst = x86_emul_op_reg(in->reg);
		*src = x86_emul_op_rm(ctxt);
	} else if (op == 0xa8 || op == 0xa9) {
		*dst = x86_emul_op_reg(GPR_RAX);
	} else {
		*dst = x86_emul_op_rm(ctxt);
		*src = x86_emul_op_reg(in->reg);
	}
}

/* ADD, OR, AND, SUB, XOR, CMP, TEST in all their r/m, reg, imm forms. */
int x86_emul_alu(struct x86_emul_ctxt *ctxt, const struct x86_emul_ops *ops)
{
	const struct x86_insn *in = &ctxt->insn;
	unsigned size = in->op_bytes, mnem = in->mnemonic;
	bool writes = mnem != X86_INSN_CMP && mnem != X86_INSN_TEST, src_imm;
	struct operand dst, src;
	uint64_t a, b = in->imm, res;
	int r;

	alu_operands(ctxt, &dst, &src, &src_imm);
	if ((in->prefixes & X86_PFX_LOCK) && !(writes && dst.mem))
		return x86_emul_raise_ud(ctxt);
	if ((r = x86_emul_op_read(ctxt, ops, &dst, size, &a)) != X86EMUL_OKAY)
		return r;
	if (!src_imm &&
	    (r = x86_emul_op_read(ctxt, ops, &src, size, &b)) != X86EMUL_OKAY)
		return r;
	res = alu_compute(ctxt, mnem, a, b, size);
	return writes ? x86_emul_op_write(ctxt, ops, &dst, size, res) :
			X86EMUL_OKAY;
}

/* MOV in its r/m-reg, reg-r/m, imm and moffs forms. */
int x86_emul_mov(struct x86_emul_ctxt *ctxt, const struct x86_emul_ops *ops)
{
	const struct x86_insn *in = &ctxt->insn;
	unsigned size = in->op_bytes;
	struct operand rm = x86_emul_op_rm(ctxt),
		       reg = x86_emul_op_reg(in->reg);
	uint64_t v;
	bool to_reg;
	int r;

	if (in->opcode >= 0xb0 && in->opcode <= 0xbf) {
		reg = x86_emul_op_reg((in->opcode & 7) |
				      ((in->rex & X86_REX_B) ? 8 : 0));
		return x86_emul_op_write(ctxt, ops, &reg, size, in->imm);
	}
	if (in->opcode >= 0xa0 && in->opcode <= 0xa3) {
		rm.mem = true;
		reg = x86_emul_op_reg(GPR_RAX);
	}
	if (in->opcode == 0xc6 || in->opcode == 0xc7)
		return x86_emul_op_write(ctxt, ops, &rm, size, in->imm);
	/* 8A, 8B, A0, A1 load the register; 88, 89, A2, A3 store it. */
	to_reg = in->opcode == 0x8a || in->opcode == 0x8b ||
		 in->opcode == 0xa0 || in->opcode == 0xa1;
	if ((r = x86_emul_op_read(ctxt, ops, to_reg ? &rm : &reg, size, &v)) !=
	    X86EMUL_OKAY)
		return r;
	return x86_emul_op_write(ctxt, ops, to_reg ? &reg : &rm, size, v);
}

/* MOVZX, MOVSX (0F B6/B7/BE/BF) and MOVSXD (63 with REX.W). */
int x86_emul_movx(struct x86_emul_ctxt *ctxt, const struct x86_emul_ops *ops)
{
	const struct x86_insn *in = &ctxt->insn;
	unsigned src_size = in->mnemonic == X86_INSN_MOVSXD ? 4 :
			    (in->opcode & 1)		    ? 2 :
							      1;
	struct operand rm = x86_emul_op_rm(ctxt),
		       reg = x86_emul_op_reg(in->reg);
	uint64_t v;
	int r;

	if ((r = x86_emul_op_read(ctxt, ops, &rm, src_size, &v)) !=
	    X86EMUL_OKAY)
		return r;
	if (in->mnemonic != X86_INSN_MOVZX)
		v = sign_extend(v, src_size);
	return x86_emul_op_write(ctxt, ops, &reg, in->op_bytes, v);
}

/* The source at DS:rSI (or another segment's), or the destination ES:rDI. */
static struct operand string_op(const struct x86_emul_ctxt *ctxt, bool src)
{
	const struct x86_insn *in = &ctxt->insn;
	int seg = !src				   ? VSEG_ES :
		  in->seg_override != X86_SEG_NONE ? in->seg_override :
						     VSEG_DS;
	uint64_t off = x86_emul_reg_read(ctxt, src ? GPR_RSI : GPR_RDI,
					 in->addr_bytes);

	return (struct operand){ .mem = true,
				 .la = x86_emul_seg_linear(ctxt, seg, off) };
}

/* One element of MOVS, STOS, LODS, INS or OUTS. */
static int string_step(struct x86_emul_ctxt *ctxt,
		       const struct x86_emul_ops *ops)
{
	const struct x86_insn *in = &ctxt->insn;
	unsigned size = in->op_bytes;
	struct operand src = string_op(ctxt, true),
		       dst = string_op(ctxt, false);
	uint64_t v = 0;
	uint32_t port_val;
	int r = X86EMUL_OKAY;

	switch (in->mnemonic) {
	case X86_INSN_MOVS:
		if ((r = x86_emul_op_read(ctxt, ops, &src, size, &v)) ==
		    X86EMUL_OKAY)
			r = x86_emul_op_write(ctxt, ops, &dst, size, v);
		break;
	case X86_INSN_STOS:
		r = x86_emul_op_write(ctxt, ops, &dst, size,
				      x86_emul_reg_read(ctxt, GPR_RAX, size));
		break;
	case X86_INSN_LODS:
		if ((r = x86_emul_op_read(ctxt, ops, &src, size, &v)) ==
		    X86EMUL_OKAY)
			x86_emul_reg_write(ctxt, GPR_RAX, size, v);
		break;
	case X86_INSN_INS:
		if (!ops->io_in)
			return X86EMUL_UNHANDLEABLE;
		r = ops->io_in(ctxt, (uint16_t)ctxt->regs.gpr[GPR_RDX], size,
			       &port_val);
		if (r == X86EMUL_OKAY)
			r = x86_emul_op_write(ctxt, ops, &dst, size, port_val);
		break;
	default:
		if (!ops->io_out)
			return X86EMUL_UNHANDLEABLE;
		if ((r = x86_emul_op_read(ctxt, ops, &src, size, &v)) ==
		    X86EMUL_OKAY)
			r = ops->io_out(ctxt, (uint16_t)ctxt->regs.gpr[GPR_RDX],
					size, (uint32_t)v);
		break;
	}
	return r;
}

/* Advances rSI and/or rDI by n elements in the direction DF says. */
static void string_advance(struct x86_emul_ctxt *ctxt, uint64_t n)
{
	const struct x86_insn *in = &ctxt->insn;
	unsigned ab = in->addr_bytes, mnem = in->mnemonic;
	uint64_t step = n * in->op_bytes;

	if (ctxt->regs.rflags & X86_FLAGS_DF)
		step = -step;
	if (mnem != X86_INSN_STOS && mnem != X86_INSN_INS)
		x86_emul_reg_write(ctxt, GPR_RSI, ab,
				   x86_emul_reg_read(ctxt, GPR_RSI, ab) + step);
	if (mnem != X86_INSN_LODS && mnem != X86_INSN_OUTS)
		x86_emul_reg_write(ctxt, GPR_RDI, ab,
				   x86_emul_reg_read(ctxt, GPR_RDI, ab) + step);
}

/*
 * String instructions, with REP: at most X86_EMUL_REP_BATCH elements per
 * call, x86_emulate leaving RIP on the instruction until rCX is 0; INS and
 * OUTS as many as ops->io_rep takes at once.  A fault leaves the
 * registers at the faulting element.
 */
int x86_emul_string(struct x86_emul_ctxt *ctxt, const struct x86_emul_ops *ops)
{
	const struct x86_insn *in = &ctxt->insn;
	bool rep = in->prefixes & (X86_PFX_REP | X86_PFX_REPNE);
	bool ins = in->mnemonic == X86_INSN_INS;
	unsigned ab = in->addr_bytes;
	uint64_t count = rep ? x86_emul_reg_read(ctxt, GPR_RCX, ab) : 1, n;
	int r;

	if (count && (ins || in->mnemonic == X86_INSN_OUTS) && ops->io_rep) {
		n = count;
		r = ops->io_rep(ctxt, (uint16_t)ctxt->regs.gpr[GPR_RDX],
				in->op_bytes, ins, string_op(ctxt, !ins).la,
				ctxt->regs.rflags & X86_FLAGS_DF, &n);
		if (r != X86EMUL_OKAY)
			return r;
		if (n) {
			string_advance(ctxt, n);
			if (rep)
				x86_emul_reg_write(ctxt, GPR_RCX, ab,
						   count - n);
			return X86EMUL_OKAY;
		}
	}
	for (n = 0; n < X86_EMUL_REP_BATCH && n < count; n++) {
		if ((r = string_step(ctxt, ops)) != X86EMUL_OKAY)
			return r;
		string_advance(ctxt, 1);
		if (rep)
			x86_emul_reg_write(ctxt, GPR_RCX, ab, count - n - 1);
	}
	return X86EMUL_OKAY;
}

/* XCHG r/m, reg (86, 87); with memory it is locked, with or without LOCK. */
int x86_emul_xchg(struct x86_emul_ctxt *ctxt, const struct x86_emul_ops *ops)
{
	const struct x86_insn *in = &ctxt->insn;
	unsigned size = in->op_bytes;
	struct operand rm = x86_emul_op_rm(ctxt),
		       reg = x86_emul_op_reg(in->reg);
	uint64_t a, b;
	int r;

	if ((in->prefixes & X86_PFX_LOCK) && !rm.mem)
		return x86_emul_raise_ud(ctxt);
	if ((r = x86_emul_op_read(ctxt, ops, &rm, size, &a)) != X86EMUL_OKAY ||
	    (r = x86_emul_op_read(ctxt, ops, &reg, size, &b)) != X86EMUL_OKAY ||
	    (r = x86_emul_op_write(ctxt, ops, &rm, size, b)) != X86EMUL_OKAY)
		return r;
	return x86_emul_op_write(ctxt, ops, &reg, size, a);
}

/*
 * CMPXCHG r/m, reg (0F B0, B1): rAX against r/m with CMP's flags; equal:
 * r/m = reg, else rAX = r/m and a memory r/m is written back unchanged,
 * as the CPU does (SDM 2 "CMPXCHG").  How guest kernels update the
 * entries of page tables that shadow paging write-protects.
 */
int x86_emul_cmpxchg(struct x86_emul_ctxt *ctxt, const struct x86_emul_ops *ops)
{
	const struct x86_insn *in = &ctxt->insn;
	unsigned size = in->op_bytes;
	struct operand rm = x86_emul_op_rm(ctxt),
		       reg = x86_emul_op_reg(in->reg),
		       acc = x86_emul_op_reg(GPR_RAX);
	uint64_t dst, src, rax;
	int r;

	if ((in->prefixes & X86_PFX_LOCK) && !rm.mem)
		return x86_emul_raise_ud(ctxt);
	if ((r = x86_emul_op_read(ctxt, ops, &rm, size, &dst)) !=
		    X86EMUL_OKAY ||
	    (r = x86_emul_op_read(ctxt, ops, &reg, size, &src)) !=
		    X86EMUL_OKAY ||
	    (r = x86_emul_op_read(ctxt, ops, &acc, size, &rax)) != X86EMUL_OKAY)
		return r;
	alu_compute(ctxt, X86_INSN_CMP, rax, dst, size);
	if (ctxt->regs.rflags & X86_FLAGS_ZF)
		return x86_emul_op_write(ctxt, ops, &rm, size, src);
	if (rm.mem &&
	    (r = x86_emul_op_write(ctxt, ops, &rm, size, dst)) != X86EMUL_OKAY)
		return r;
	return x86_emul_op_write(ctxt, ops, &acc, size, dst);
}

/*
 * CMPXCHG8B m64 (0F C7 /1): EDX:EAX against m64; equal: m64 = ECX:EBX and
 * ZF set, else EDX:EAX = m64, ZF clear and m64 written back unchanged
 * (SDM 2 "CMPXCHG8B/CMPXCHG16B").  How 32-bit PAE kernels update their
 * 8-byte page-table entries.
 */
int x86_emul_cmpxchg8b(struct x86_emul_ctxt *ctxt,
		       const struct x86_emul_ops *ops)
{
	struct operand m = x86_emul_op_rm(ctxt);
	uint64_t *gpr = ctxt->regs.gpr, old, cmp;
	int r;

	cmp = (uint32_t)gpr[GPR_RAX] | ((uint64_t)(uint32_t)gpr[GPR_RDX] << 32);
	if ((r = x86_emul_op_read(ctxt, ops, &m, 8, &old)) != X86EMUL_OKAY)
		return r;
	if (old == cmp) {
		ctxt->regs.rflags |= X86_FLAGS_ZF;
		return x86_emul_op_write(
			ctxt, ops, &m, 8,
			(uint32_t)gpr[GPR_RBX] |
				((uint64_t)(uint32_t)gpr[GPR_RCX] << 32));
	}
	ctxt->regs.rflags &= ~(uint64_t)X86_FLAGS_ZF;
	if ((r = x86_emul_op_write(ctxt, ops, &m, 8, old)) != X86EMUL_OKAY)
		return r;
	gpr[GPR_RAX] = (uint32_t)old;
	gpr[GPR_RDX] = old >> 32;
	return X86EMUL_OKAY;
}
