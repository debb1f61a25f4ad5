/*
 * emul_int.h - what the emulator's files share: the operand helpers
 * in kernel/x86/emulate.c and the instruction handlers in emul_data.c
 * and emul_sys.c, which x86_emulate() dispatches to.  Private to
 * them: the public interface is kernel/x86/emulate.h.
 */
#ifndef KERNEL_X86_EMUL_INT_H
#define KERNEL_X86_EMUL_INT_H

#include <kernel/x86/emulate.h>

/* An operand: a general register or a linear memory address. */
struct operand {
	bool mem;
	unsigned reg;
	uint64_t la;
};

/* The mask of the low `bytes` bytes (all ones for 8 or more). */
uint64_t x86_emul_size_mask(unsigned bytes);

/* Raise #UD, or #GP(0); both return X86EMUL_EXCEPTION. */
int x86_emul_raise_ud(struct x86_emul_ctxt *ctxt);
int x86_emul_raise_gp0(struct x86_emul_ctxt *ctxt);

/* General register reg at `size` bytes, AH-BH included (SDM 1, 3.4.1.1). */
uint64_t x86_emul_reg_read(const struct x86_emul_ctxt *ctxt, unsigned reg,
			   unsigned size);
/* 32-bit writes zero the upper half; 8- and 16-bit writes merge. */
void x86_emul_reg_write(struct x86_emul_ctxt *ctxt, unsigned reg, unsigned size,
			uint64_t v);

/* Segment base plus offset; in 64-bit mode only FS and GS have bases. */
uint64_t x86_emul_seg_linear(const struct x86_emul_ctxt *ctxt, int seg,
			     uint64_t off);

/* The ModRM r/m operand, and general register reg, as operands. */
struct operand x86_emul_op_rm(const struct x86_emul_ctxt *ctxt);
struct operand x86_emul_op_reg(unsigned reg);

/*
 * Read or write an operand; memory goes through ops->read/write, and is
 * X86EMUL_UNHANDLEABLE when the callback is missing.
 */
int x86_emul_op_read(struct x86_emul_ctxt *ctxt, const struct x86_emul_ops *ops,
		     const struct operand *op, unsigned size, uint64_t *v);
int x86_emul_op_write(struct x86_emul_ctxt *ctxt,
		      const struct x86_emul_ops *ops, const struct operand *op,
		      unsigned size, uint64_t v);

/* Push *v, or pop into *v, at SS:rSP; rSP changes only on success. */
int x86_emul_stack(struct x86_emul_ctxt *ctxt, const struct x86_emul_ops *ops,
		   unsigned size, uint64_t *v, bool push);

/* X86EMUL_OKAY at CPL 0 (or in real mode); otherwise #GP(0) is raised. */
int x86_emul_need_cpl0(struct x86_emul_ctxt *ctxt);

/* The guest's virtual IF, through ops->get_if/set_if when given. */
bool x86_emul_virt_if(struct x86_emul_ctxt *ctxt,
		      const struct x86_emul_ops *ops);
void x86_emul_virt_set_if(struct x86_emul_ctxt *ctxt,
			  const struct x86_emul_ops *ops, bool on);

/*
 * The instruction handlers, named in decode.h's X86_MNEMONICS: each runs
 * the decoded ctxt->insn and returns X86EMUL_*.
 */
typedef int x86_emul_handler(struct x86_emul_ctxt *ctxt,
			     const struct x86_emul_ops *ops);
#define X86_EMUL_HANDLER(name, str, handler, check) \
	x86_emul_handler x86_emul_##handler;
X86_MNEMONICS(X86_EMUL_HANDLER)
#undef X86_EMUL_HANDLER

#endif
