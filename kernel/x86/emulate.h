/*
 * emulate.h - executes one decoded guest instruction against a
 * register file and a table of callbacks, in the manner of Xen's
 * x86_emulate (much smaller).  Lab 2's trap-and-emulate VMM runs the
 * guest kernel's privileged instructions through it after a #GP; labs 3
 * and 5 use it for port I/O and MMIO.  The instructions it runs:
 * X86_MNEMONICS (decode.h); guests/mmio checks each against the CPU.
 * Builds freestanding and on the host.
 */
#ifndef KERNEL_X86_EMULATE_H
#define KERNEL_X86_EMULATE_H

#include <inc/x86.h>
#include <kernel/x86/decode.h>

/* What x86_emulate and every callback return. */
enum {
	X86EMUL_OKAY,	      /* done; RIP is past the instruction */
	X86EMUL_EXCEPTION,    /* inject ctxt->exc; RIP unchanged */
	X86EMUL_UNHANDLEABLE, /* valid, but nothing here can execute it */
};

/* The cpl field's value when privilege must not be checked. */
#define X86_CPL_UNCHECKED (-1)

/* Maximum REP iterations per call; RIP stays put until rCX reaches 0. */
#define X86_EMUL_REP_BATCH 1024

struct x86_regs {
	uint64_t gpr[GPR_COUNT];
	uint64_t rip;
	uint64_t rflags; /* IF lives here unless get_if/set_if exist */
};

struct x86_exception {
	uint8_t vector;
	bool has_error_code;
	uint32_t error_code;
};

struct x86_emul_ctxt {
	struct x86_regs regs;
	enum x86_mode mode;
	bool real_mode; /* no privilege checks; LLDT/LTR are #UD */
	int cpl;	/* the guest's (virtual) CPL, or X86_CPL_UNCHECKED */
	uint64_t seg_base[6]; /* enum vseg order; FS/GS used in 64-bit mode */
	uint8_t insn_bytes[X86_MAX_INSN_LEN];
	size_t insn_avail;    /* bytes valid in insn_bytes; 0 = fetch them */
	struct x86_insn insn; /* set by x86_emulate */
	struct x86_exception exc;
	bool sti_shadow; /* STI executed: interrupts blocked for one insn */
	void *priv;	 /* the caller's (vcpu, test fixture) */
};

/*
 * Callbacks.  Each returns X86EMUL_*; one returning X86EMUL_EXCEPTION
 * must have called x86_emul_raise().  A NULL callback makes instructions
 * that need it X86EMUL_UNHANDLEABLE, except get_if/set_if, whose absence
 * means IF is regs.rflags' own bit.  Addresses are linear; sizes 1-8;
 * control registers 0, 2, 3, 4 and 8 (in 64-bit mode).
 */
struct x86_emul_ctxt;
struct x86_emul_ops {
	int (*fetch)(struct x86_emul_ctxt *c, uint64_t la, uint8_t *buf,
		     size_t len, size_t *got);
	int (*read)(struct x86_emul_ctxt *c, uint64_t la, unsigned size,
		    uint64_t *val);
	int (*write)(struct x86_emul_ctxt *c, uint64_t la, unsigned size,
		     uint64_t val);
	int (*io_in)(struct x86_emul_ctxt *c, uint16_t port, unsigned size,
		     uint32_t *val);
	int (*io_out)(struct x86_emul_ctxt *c, uint16_t port, unsigned size,
		      uint32_t val);
	/* Optional: INS (in) or OUTS of up to *reps elements at la in one
	 * go; sets *reps to how many it did, 0 for one at a time. */
	int (*io_rep)(struct x86_emul_ctxt *c, uint16_t port, unsigned size,
		      bool in, uint64_t la, bool df, uint64_t *reps);
	int (*read_cr)(struct x86_emul_ctxt *c, unsigned cr, uint64_t *val);
	int (*write_cr)(struct x86_emul_ctxt *c, unsigned cr, uint64_t val);
	/* LGDT and LIDT (VSEG_GDTR, VSEG_IDTR), LLDT and LTR (VSEG_LDTR,
	 * VSEG_TR); their stores SGDT ... STR read the register whole. */
	int (*load_dtr)(struct x86_emul_ctxt *c, enum vseg which, uint64_t base,
			uint32_t limit);
	int (*load_sel)(struct x86_emul_ctxt *c, enum vseg which, uint16_t sel);
	int (*read_sys)(struct x86_emul_ctxt *c, enum vseg which, uint16_t *sel,
			uint64_t *base, uint32_t *limit);
	int (*wbinvd)(struct x86_emul_ctxt *c);
	bool (*get_if)(struct x86_emul_ctxt *c);
	void (*set_if)(struct x86_emul_ctxt *c, bool on);
};

/*
 * Decodes and executes the instruction at CS:RIP.  Its bytes come from
 * ctxt->insn_bytes when insn_avail > 0, else through ops->fetch.  On
 * X86EMUL_OKAY registers are updated and RIP advanced; on
 * X86EMUL_EXCEPTION ctxt->exc is the fault to inject (#UD for undefined
 * encodings, #GP(0) for privilege violations); X86EMUL_UNHANDLEABLE means
 * the caller must give up on the instruction (crash the domain or log).
 */
int x86_emulate(struct x86_emul_ctxt *ctxt, const struct x86_emul_ops *ops);

/* The linear address of ctxt->insn's memory operand (SDM 1, 3.7.5). */
uint64_t x86_emul_mem_linear(const struct x86_emul_ctxt *ctxt);

/* Records exception `vector` (with an error code when has_ec) in ctxt. */
int x86_emul_raise(struct x86_emul_ctxt *ctxt, uint8_t vector, bool has_ec,
		   uint32_t ec);

#endif
