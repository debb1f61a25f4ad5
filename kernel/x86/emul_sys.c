/*
 * emul_sys.c - the system instructions the emulator runs (SDM vol. 3A
 * 2.8 "System instruction summary", vol. 2 instruction pages): IN/OUT,
 * PUSHF/POPF and CLI/STI on the virtual IF, MOV CR, CLTS, LGDT/LIDT,
 * LLDT/LTR, SGDT/SIDT, SLDT/STR, SMSW, WBINVD, INVD; and the CPL check of
 * RDMSR/WRMSR, HLT, INVLPG.  Helpers and the dispatch: kernel/x86/emulate.c.
 */
#include <kernel/x86/emul_int.h>

/* IN and OUT with an imm8 or DX port (SDM 2, "IN", "OUT"). */
int x86_emul_io(struct x86_emul_ctxt *ctxt, const struct x86_emul_ops *ops)
{
	const struct x86_insn *in = &ctxt->insn;
	unsigned size = in->op_bytes;
	uint16_t port = in->imm_bytes ? (uint8_t)in->imm :
					(uint16_t)ctxt->regs.gpr[GPR_RDX];
	uint32_t v;
	int r;

	if (in->mnemonic == X86_INSN_OUT) {
		if (!ops->io_out)
			return X86EMUL_UNHANDLEABLE;
		return ops->io_out(ctxt, port, size,
				   (uint32_t)x86_emul_reg_read(ctxt, GPR_RAX,
							       size));
	}
	if (!ops->io_in)
		return X86EMUL_UNHANDLEABLE;
	if ((r = ops->io_in(ctxt, port, size, &v)) == X86EMUL_OKAY)
		x86_emul_reg_write(ctxt, GPR_RAX, size, v);
	return r;
}

/* PUSHF: the flags image has the virtual IF, and VM and RF clear. */
int x86_emul_pushf(struct x86_emul_ctxt *ctxt, const struct x86_emul_ops *ops)
{
	uint64_t f = ctxt->regs.rflags &
		     ~(uint64_t)(X86_FLAGS_VM | X86_FLAGS_RF | X86_FLAGS_IF);

	if (x86_emul_virt_if(ctxt, ops))
		f |= X86_FLAGS_IF;
	f |= X86_FLAGS_FIXED;
	return x86_emul_stack(ctxt, ops, ctxt->insn.op_bytes, &f, true);
}

/*
 * POPF (SDM 2, "POPF"): IOPL changes only at CPL 0 and IF only at
 * CPL <= IOPL; elsewhere both are silently kept - the instruction that
 * breaks Popek and Goldberg's conditions for x86.
 */
int x86_emul_popf(struct x86_emul_ctxt *ctxt, const struct x86_emul_ops *ops)
{
	uint64_t v, keep,
		change = X86_FLAGS_ARITH | X86_FLAGS_TF | X86_FLAGS_DF |
			 X86_FLAGS_NT | X86_FLAGS_AC | X86_FLAGS_ID;
	int iopl = (int)((ctxt->regs.rflags & X86_FLAGS_IOPL) >> 12);
	bool set_if = ctxt->real_mode || ctxt->cpl <= iopl;
	int r;

	if ((r = x86_emul_stack(ctxt, ops, ctxt->insn.op_bytes, &v, false)) !=
	    X86EMUL_OKAY)
		return r;
	if (ctxt->real_mode || ctxt->cpl <= 0)
		change |= X86_FLAGS_IOPL;
	if (ctxt->insn.op_bytes == 2)
		change &= 0xffff;
	keep = ctxt->regs.rflags & ~change;
	ctxt->regs.rflags = keep | (v & change) | X86_FLAGS_FIXED;
	if (set_if)
		x86_emul_virt_set_if(ctxt, ops, v & X86_FLAGS_IF);
	return X86EMUL_OKAY;
}

/* CLI and STI on the virtual IF; STI opens a one-instruction shadow. */
int x86_emul_cli_sti(struct x86_emul_ctxt *ctxt, const struct x86_emul_ops *ops)
{
	bool on = ctxt->insn.mnemonic == X86_INSN_STI;

	if (on && !x86_emul_virt_if(ctxt, ops))
		ctxt->sti_shadow = true;
	x86_emul_virt_set_if(ctxt, ops, on);
	return X86EMUL_OKAY;
}

/* MOV to/from CR0, CR2, CR3, CR4, CR8; CR8 exists in 64-bit mode only. */
int x86_emul_mov_cr(struct x86_emul_ctxt *ctxt, const struct x86_emul_ops *ops)
{
	const struct x86_insn *in = &ctxt->insn;
	unsigned cr = in->reg, size = ctxt->mode == X86_MODE_64 ? 8 : 4;
	uint64_t v;
	int r;

	if (!(cr == 0 || cr == 2 || cr == 3 || cr == 4 ||
	      (cr == 8 && ctxt->mode == X86_MODE_64)))
		return x86_emul_raise_ud(ctxt);
	if ((r = x86_emul_need_cpl0(ctxt)) != X86EMUL_OKAY)
		return r;
	if (!ops->read_cr || !ops->write_cr)
		return X86EMUL_UNHANDLEABLE;
	if (in->mnemonic == X86_INSN_MOV_TO_CR)
		return ops->write_cr(ctxt, cr,
				     x86_emul_reg_read(ctxt, in->rm, size));
	if ((r = ops->read_cr(ctxt, cr, &v)) == X86EMUL_OKAY)
		x86_emul_reg_write(ctxt, in->rm, size, v);
	return r;
}

int x86_emul_clts(struct x86_emul_ctxt *ctxt, const struct x86_emul_ops *ops)
{
	uint64_t cr0;
	int r;

	if (!ops->read_cr || !ops->write_cr)
		return X86EMUL_UNHANDLEABLE;
	if ((r = ops->read_cr(ctxt, 0, &cr0)) != X86EMUL_OKAY)
		return r;
	return ops->write_cr(ctxt, 0, cr0 & ~(uint64_t)CR0_TS);
}

/*
 * LGDT/LIDT read a 2-byte limit and a base: 8 bytes in 64-bit mode, else
 * 4 bytes of which a 16-bit operand size keeps 24 bits (SDM 2, "LGDT").
 */
int x86_emul_lgdt_lidt(struct x86_emul_ctxt *ctxt,
		       const struct x86_emul_ops *ops)
{
	const struct x86_insn *in = &ctxt->insn;
	struct operand m = x86_emul_op_rm(ctxt);
	unsigned base_size = ctxt->mode == X86_MODE_64 ? 8 : 4;
	uint64_t limit, base;
	int r;

	if (!ops->load_dtr)
		return X86EMUL_UNHANDLEABLE;
	if ((r = x86_emul_op_read(ctxt, ops, &m, 2, &limit)) != X86EMUL_OKAY)
		return r;
	m.la += 2;
	if ((r = x86_emul_op_read(ctxt, ops, &m, base_size, &base)) !=
	    X86EMUL_OKAY)
		return r;
	if (ctxt->mode != X86_MODE_64 && in->op_bytes == 2)
		base &= 0xffffff;
	return ops->load_dtr(ctxt,
			     in->mnemonic == X86_INSN_LGDT ? VSEG_GDTR :
							     VSEG_IDTR,
			     base, (uint32_t)limit);
}

/* LLDT and LTR take a selector from a register or memory; #UD in real mode. */
int x86_emul_lldt_ltr(struct x86_emul_ctxt *ctxt,
		      const struct x86_emul_ops *ops)
{
	struct operand rm = x86_emul_op_rm(ctxt);
	uint64_t sel;
	int r;

	if (ctxt->real_mode)
		return x86_emul_raise_ud(ctxt);
	if (!ops->load_sel)
		return X86EMUL_UNHANDLEABLE;
	if ((r = x86_emul_op_read(ctxt, ops, &rm, 2, &sel)) != X86EMUL_OKAY)
		return r;
	return ops->load_sel(ctxt,
			     ctxt->insn.mnemonic == X86_INSN_LLDT ? VSEG_LDTR :
								    VSEG_TR,
			     (uint16_t)sel);
}

/*
 * SLDT, STR and SMSW store 2 bytes to memory, but a register at the
 * operand size: a selector zero-extended, CR0 as it is (SDM 2, "SLDT").
 */
static int store_rm16(struct x86_emul_ctxt *ctxt,
		      const struct x86_emul_ops *ops, uint64_t v)
{
	struct operand rm = x86_emul_op_rm(ctxt);

	return x86_emul_op_write(ctxt, ops, &rm,
				 rm.mem ? 2 : ctxt->insn.op_bytes, v);
}

/*
 * SGDT/SIDT store a 2-byte limit, then the base: 8 bytes in 64-bit mode,
 * else 4 (SDM 2, "SGDT"); their register forms are other instructions.
 * SLDT and STR store the selector, and are #UD in real mode.
 */
int x86_emul_store_sys(struct x86_emul_ctxt *ctxt,
		       const struct x86_emul_ops *ops)
{
	unsigned mnem = ctxt->insn.mnemonic;
	enum vseg which = mnem == X86_INSN_SGDT ? VSEG_GDTR :
			  mnem == X86_INSN_SIDT ? VSEG_IDTR :
			  mnem == X86_INSN_SLDT ? VSEG_LDTR :
						  VSEG_TR;
	struct operand m = x86_emul_op_rm(ctxt);
	uint64_t base;
	uint32_t limit;
	uint16_t sel;
	int r;

	if (ctxt->real_mode && (which == VSEG_LDTR || which == VSEG_TR))
		return x86_emul_raise_ud(ctxt);
	if (!ops->read_sys)
		return X86EMUL_UNHANDLEABLE;
	if ((r = ops->read_sys(ctxt, which, &sel, &base, &limit)) !=
	    X86EMUL_OKAY)
		return r;
	if (which == VSEG_LDTR || which == VSEG_TR)
		return store_rm16(ctxt, ops, sel);
	if ((r = x86_emul_op_write(ctxt, ops, &m, 2, limit)) != X86EMUL_OKAY)
		return r;
	m.la += 2;
	return x86_emul_op_write(ctxt, ops, &m,
				 ctxt->mode == X86_MODE_64 ? 8 : 4, base);
}

int x86_emul_smsw(struct x86_emul_ctxt *ctxt, const struct x86_emul_ops *ops)
{
	uint64_t cr0;
	int r;

	if (!ops->read_cr)
		return X86EMUL_UNHANDLEABLE;
	if ((r = ops->read_cr(ctxt, 0, &cr0)) != X86EMUL_OKAY)
		return r;
	return store_rm16(ctxt, ops, cr0);
}

/*
 * RDMSR, WRMSR, HLT and INVLPG: the emulator's callers make exits of them
 * for kernel/exit.c, so only their #GP above CPL 0 is the emulator's.
 */
int x86_emul_exit(struct x86_emul_ctxt *ctxt, const struct x86_emul_ops *ops)
{
	return X86EMUL_UNHANDLEABLE;
}

/* WBINVD, and INVD done as WBINVD: dropping dirty lines is never safe. */
int x86_emul_wbinvd(struct x86_emul_ctxt *ctxt, const struct x86_emul_ops *ops)
{
	return ops->wbinvd ? ops->wbinvd(ctxt) : X86EMUL_UNHANDLEABLE;
}
