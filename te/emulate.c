/*
 * emulate.c - the privileged instructions of the trap-and-emulate guest
 * (labs 2 and 4): the x86_emulate callbacks over the virtual CPU.  Guest
 * memory is reached only through the guest's paging and the p2m.
 */
#include <inc/x86.h>
#include <kernel/kernel.h>
#include <kernel/domain.h>
#include <kernel/x86/emulate.h>
#include <kernel/cpuid.h>
#include <kernel/mm/gmem.h>
#include <kernel/mm/page.h>
#include <inc/mmu.h>
#include <te/te_int.h>

/* --- guest memory --- */

static int te_copy(struct vcpu *v, uint64_t la, void *buf, size_t n, bool write)
{
	struct te_vcpu *t = &v->arch.te;
	bool user = t->vregs[VREG_CPL] == 3;
	gva_t fault_la = la;
	uint32_t pfec = 0;
	int r = write ? gmem_write(v, la, buf, n, &fault_la, &pfec) :
			gmem_read(v, la, buf, n, &fault_la, &pfec);

	if (r == 0)
		return 0;
	if (r != -E_NOT_FOUND)
		pfec = (write ? PFEC_W : 0) | (user ? PFEC_U : 0);
	t->fault_cr2 = fault_la;
	t->fault_pfec = pfec;
	return r;
}

int te_read(struct vcpu *v, uint64_t la, void *buf, size_t n)
{
	return te_copy(v, la, buf, n, false);
}

int te_write(struct vcpu *v, uint64_t la, const void *buf, size_t n)
{
	return te_copy(v, la, (void *)buf, n, true);
}

/* --- the emulator's view of the guest --- */

static struct vcpu *te_ctxt_vcpu(struct x86_emul_ctxt *c)
{
	return c->priv;
}

/* The #PF te_read or te_write left in arch.te, with its CR2. */
static int te_emul_fault(struct x86_emul_ctxt *c)
{
	struct vcpu *v = te_ctxt_vcpu(c);

	virt_reg_write(v, VREG_CR2, v->arch.te.fault_cr2);
	return x86_emul_raise(c, T_PF, true, v->arch.te.fault_pfec);
}

static int te_emul_read(struct x86_emul_ctxt *c, uint64_t la, unsigned size,
			uint64_t *val)
{
	*val = 0;
	if (te_read(te_ctxt_vcpu(c), la, val, size) < 0)
		return te_emul_fault(c);
	return X86EMUL_OKAY;
}

static int te_emul_write(struct x86_emul_ctxt *c, uint64_t la, unsigned size,
			 uint64_t val)
{
	if (te_write(te_ctxt_vcpu(c), la, &val, size) < 0)
		return te_emul_fault(c);
	return X86EMUL_OKAY;
}

#if SOL >= 2
/* The emulator passes CR0, CR2, CR3, CR4 and CR8 only (#UD for others). */
static int te_emul_read_cr(struct x86_emul_ctxt *c, unsigned cr, uint64_t *val)
{
	static const enum vreg crs[] = {
		[0] = VREG_CR0, [2] = VREG_CR2, [3] = VREG_CR3, [4] = VREG_CR4
	};
	struct vcpu *v = te_ctxt_vcpu(c);

	*val = cr == 8 ? v->arch.te.tpr : virt_reg_read(v, crs[cr]);
	return X86EMUL_OKAY;
}

/*
 * CR3 keeps bits below MAXPHYADDR (SDM 3A 4.5), the width the shadow
 * checks reserved bits against.  The shadow switches to the new address
 * space.
 */
static int te_write_cr3(struct x86_emul_ctxt *c, uint64_t val)
{
	struct vcpu *v = te_ctxt_vcpu(c);

	if (val >> v->domain->shadow.maxphyaddr)
		return x86_emul_raise(c, T_GP, true, 0);
	virt_reg_write(v, VREG_CR3, val);
	return X86EMUL_OKAY;
}

/*
 * CR4 takes only the bits this CPU has, but not PCIDE: shadow roots are
 * not tagged by PCID (kernel/cpuid.c hides it); PAE stays set, as te
 * has 4-level paging only (SDM 2, "MOV to CR").
 */
static int te_write_cr4(struct x86_emul_ctxt *c, uint64_t val)
{
	struct vcpu *v = te_ctxt_vcpu(c);

	if (!(val & CR4_PAE) || (val & ~(cpuid_cr4_allowed() & ~CR4_PCIDE)))
		return x86_emul_raise(c, T_GP, true, 0);
	virt_reg_write(v, VREG_CR4, val);
	return X86EMUL_OKAY;
}

/*
 * The guest runs 64-bit code throughout: PE stays set, and PG, once set,
 * cannot be cleared (#GP in 64-bit mode, SDM 2 "MOV to/from Control
 * Registers").  Setting PG turns 4-level paging on (EFER.LMA), which
 * needs EFER.LME: te has no 32-bit paging.  NW needs CD.
 */
static int te_write_cr0(struct x86_emul_ctxt *c, uint64_t val)
{
	struct vcpu *v = te_ctxt_vcpu(c);
	uint64_t old = virt_reg_read(v, VREG_CR0);
	uint64_t efer = virt_reg_read(v, VREG_EFER);

	if ((val >> 32) || !(val & CR0_PE) ||
	    ((val & CR0_NW) && !(val & CR0_CD)) || ((old & ~val) & CR0_PG) ||
	    ((val & CR0_PG) && !(efer & EFER_LME)))
		return x86_emul_raise(c, T_GP, true, 0);
	if (val & CR0_PG)
		virt_reg_write(v, VREG_EFER, efer | EFER_LMA);
	virt_reg_write(v, VREG_CR0, val | CR0_ET);
	return X86EMUL_OKAY;
}

/* Virtual control registers: the shadow keeps CR0, CR3 and CR4. */
static int te_emul_write_cr(struct x86_emul_ctxt *c, unsigned cr, uint64_t val)
{
	struct te_vcpu *t = &te_ctxt_vcpu(c)->arch.te;

	switch (cr) {
	case 0: return te_write_cr0(c, val);
	case 2: t->vregs[VREG_CR2] = val; return X86EMUL_OKAY;
	case 3: return te_write_cr3(c, val);
	case 4: return te_write_cr4(c, val);
	default: /* CR8 */
		if (val > 15)
			return x86_emul_raise(c, T_GP, true, 0);
		t->tpr = (uint8_t)val;
		return X86EMUL_OKAY;
	}
}

static int te_emul_load_dtr(struct x86_emul_ctxt *c, enum vseg which,
			    uint64_t base, uint32_t limit)
{
	struct vseg_desc *s = &te_ctxt_vcpu(c)->arch.te.segs[which];

	s->base = base;
	s->limit = limit;
	return X86EMUL_OKAY;
}

/* System descriptor types (SDM 3A table 3-2, IA-32e mode). */
#define TE_DESC_LDT	  0x2
#define TE_DESC_TSS_AVAIL 0x9
#define TE_DESC_TSS_BUSY  0xb

/*
 * LLDT and LTR (SDM 2): the selector must name a 16-byte system
 * descriptor of the right type in the GDT: #GP(sel) if not, #NP(sel) if
 * it is not present.  A null LDT selector unloads the LDT; a null TR is
 * #GP(0).  LTR marks the TSS busy in the guest's GDT.
 */
static int te_emul_load_sel(struct x86_emul_ctxt *c, enum vseg which,
			    uint16_t sel)
{
	struct te_vcpu *t = &te_ctxt_vcpu(c)->arch.te;
	const struct vseg_desc *gdtr = &t->segs[VSEG_GDTR];
	bool ltr = which == VSEG_TR;
	uint16_t err = sel & 0xfffc;
	uint64_t d[2];
	unsigned type;

	if (!(sel & 0xfffc) && ltr)
		return x86_emul_raise(c, T_GP, true, 0);
	if (!(sel & 0xfffc)) {
		t->segs[VSEG_LDTR] = (struct vseg_desc){ .sel = sel };
		return X86EMUL_OKAY;
	}
	if ((sel & 4) || (uint32_t)(sel | 7) + 8 > gdtr->limit ||
	    te_read(te_ctxt_vcpu(c), gdtr->base + (sel & ~7), d, sizeof(d)) < 0)
		return x86_emul_raise(c, T_GP, true, err);
	type = (d[0] >> 40) & 0x1f; /* S and the type */
	if (type != (ltr ? TE_DESC_TSS_AVAIL : TE_DESC_LDT) ||
	    ((d[1] >> 40) & 0x1f) != 0)
		return x86_emul_raise(c, T_GP, true, err);
	if (!(d[0] & (1ULL << 47)))
		return x86_emul_raise(c, T_NP, true, err);
	if (ltr) {
		d[0] |= (uint64_t)(TE_DESC_TSS_BUSY ^ TE_DESC_TSS_AVAIL) << 40;
		te_write(te_ctxt_vcpu(c), gdtr->base + (sel & ~7), d, 8);
	}
	t->segs[which] = (struct vseg_desc){
		.sel = sel,
		.limit = (uint32_t)((d[0] & 0xffff) | ((d[0] >> 32) & 0xf0000)),
		.base = ((d[0] >> 16) & 0xffffff) |
			((d[0] >> 32) & 0xff000000) | (d[1] << 32),
	};
	return X86EMUL_OKAY;
}
#else
static int te_emul_read_cr(struct x86_emul_ctxt *c, unsigned cr, uint64_t *val)
{
	/* LAB 2: your code here */
	panic("te_emul_read_cr: not implemented");
}

static int te_emul_write_cr(struct x86_emul_ctxt *c, unsigned cr, uint64_t val)
{
	/* LAB 2: your code here */
	panic("te_emul_write_cr: not implemented");
}

static int te_emul_load_dtr(struct x86_emul_ctxt *c, enum vseg which,
			    uint64_t base, uint32_t limit)
{
	/* LAB 2: your code here */
	panic("te_emul_load_dtr: not implemented");
}

static int te_emul_load_sel(struct x86_emul_ctxt *c, enum vseg which,
			    uint16_t sel)
{
	/* LAB 2: your code here */
	panic("te_emul_load_sel: not implemented");
}
#endif

/* SGDT, SIDT, SLDT and STR under UMIP show what LGDT ... LTR loaded. */
static int te_emul_read_sys(struct x86_emul_ctxt *c, enum vseg which,
			    uint16_t *sel, uint64_t *base, uint32_t *limit)
{
	const struct vseg_desc *s = &te_ctxt_vcpu(c)->arch.te.segs[which];

	*sel = s->sel;
	*base = s->base;
	*limit = s->limit;
	return X86EMUL_OKAY;
}

/* Guest RAM is ordinary write-back host memory: nothing to write back. */
static int te_emul_wbinvd(struct x86_emul_ctxt *c)
{
	return X86EMUL_OKAY;
}

/*
 * The virtual IF is the vcpu's own, not the emulator's copy of RFLAGS:
 * an OUT to TE_PORT_VIF (te/reflect.c) changes it in the middle of an
 * instruction, and that must survive the write-back.
 */
static bool te_emul_get_if(struct x86_emul_ctxt *c)
{
	return te_ctxt_vcpu(c)->arch.te.vregs[VREG_RFLAGS] & X86_FLAGS_IF;
}

static void te_emul_set_if(struct x86_emul_ctxt *c, bool on)
{
	uint64_t *rflags = &te_ctxt_vcpu(c)->arch.te.vregs[VREG_RFLAGS];

	*rflags = on ? *rflags | X86_FLAGS_IF :
		       *rflags & ~(uint64_t)X86_FLAGS_IF;
}

/*
 * Port I/O goes to the domain's devices (kernel/dev/io.c): the same UART,
 * exit device and paravirtual ports an I/O exit would reach.
 */
static const struct x86_emul_ops te_emul_ops = {
	.read = te_emul_read,
	.write = te_emul_write,
	.io_in = io_emul_in,
	.io_out = io_emul_out,
	.read_cr = te_emul_read_cr,
	.write_cr = te_emul_write_cr,
	.load_dtr = te_emul_load_dtr,
	.load_sel = te_emul_load_sel,
	.read_sys = te_emul_read_sys,
	.wbinvd = te_emul_wbinvd,
	.get_if = te_emul_get_if,
	.set_if = te_emul_set_if,
};

/* Runs the decoded instruction at rip through x86_emulate. */
void te_emulate(struct vcpu *v, const uint8_t *bytes, size_t avail,
		uint64_t rip)
{
	struct te_vcpu *t = &v->arch.te;
	struct x86_emul_ctxt c = {
		.mode = X86_MODE_64,
		.cpl = (int)t->vregs[VREG_CPL],
		.insn_avail = avail,
		.priv = v,
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
		virt_reg_write(v, VREG_RFLAGS,
			       (c.regs.rflags & ~(uint64_t)X86_FLAGS_IF) |
				       (t->vregs[VREG_RFLAGS] & X86_FLAGS_IF));
	} else if (r == X86EMUL_EXCEPTION) {
		virt_inject_exception(v, c.exc.vector, c.exc.has_error_code,
				      c.exc.error_code);
	} else {
		virt_inject_exception(v, T_UD, false, 0);
	}
}
