/*
 * mmio.c - running a guest instruction through the x86 emulator for the
 * exits that need it (labs 3 and 5): an access to an emulated device's
 * guest-physical range, and string port I/O (INS/OUTS).
 *
 * The instruction at CS:RIP is run by kernel/x86/emulate.c: its memory
 * operands go through the guest's own paging to a device handler
 * (kernel/dev/io.c) or guest RAM.  The guest sees its instruction
 * complete, or the fault it would have raised.
 */
#include <inc/x86.h>
#include <kernel/kernel.h>
#include <kernel/domain.h>
#include <kernel/mm/gmem.h>
#include <kernel/dev/io.h>
#include <kernel/mm/page.h>
#include <kernel/mm/shadow.h>
#include <kernel/x86/emulate.h>
#include <kernel/dev/mmio.h>

static int mmio_page_fault(struct x86_emul_ctxt *c, gva_t la, uint32_t pfec)
{
	virt_reg_write(c->priv, VREG_CR2, la);
	return x86_emul_raise(c, T_PF, true, pfec);
}

/*
 * An operand, or a guest page table on its way, lies outside guest RAM:
 * the guest's own CPU would have faulted on the nested tables, so it is over.
 */
static int mmio_outside_ram(struct x86_emul_ctxt *c, gva_t la)
{
	struct vcpu *v = c->priv;

	domain_crash(v->domain, v, "%s at 0x%llx: outside guest memory",
		     x86_mnemonic_name(c->insn.mnemonic),
		     (unsigned long long)la);
	return X86EMUL_UNHANDLEABLE;
}

/*
 * The emulator's context for one instruction (c first: the callbacks get
 * &c), with the last translation it made, which a REP string reuses for
 * every element in the page as the CPU's TLB may (SDM 3A 4.10.2): a walk
 * a page, not an element.
 */
struct mmio_ctxt {
	struct x86_emul_ctxt c;
	bool tlb_ok;
	bool tlb_write; /* walked for a write: writable, dirty set */
	uint64_t tlb_page;
	gpa_t tlb_gpa;
};

/* la's guest-physical address for the access; 0 or gmem_translate's error. */
static int mmio_translate(struct x86_emul_ctxt *c, uint64_t la, bool write,
			  gpa_t *gpa, uint32_t *pfec)
{
	struct mmio_ctxt *m = (struct mmio_ctxt *)c;
	int e;

	if (m->tlb_ok && m->tlb_page == la / PAGE_SIZE &&
	    (m->tlb_write || !write)) {
		*gpa = m->tlb_gpa + la % PAGE_SIZE;
		return 0;
	}
	e = gmem_translate(c->priv, la, write, gpa, pfec);
	m->tlb_ok = e == 0;
	m->tlb_write = write;
	m->tlb_page = la / PAGE_SIZE;
	m->tlb_gpa = *gpa - la % PAGE_SIZE;
	return e;
}

/* One access that does not cross a page: a device, or guest RAM. */
static int mmio_access_page(struct x86_emul_ctxt *c, uint64_t la, unsigned size,
			    uint64_t *val, bool write)
{
	struct vcpu *v = c->priv;
	const struct io_range *r;
	uint32_t pfec = 0;
	gpa_t gpa;
	int e = mmio_translate(c, la, write, &gpa, &pfec);

	if (e == -E_NOT_FOUND)
		return mmio_page_fault(c, la, pfec);
	if (e < 0)
		return mmio_outside_ram(c, la);
	r = io_mmio_find(v->domain, gpa);
	if (r) {
		e = r->fn(v->domain, r->opaque, gpa, size, write, val);
		return e < 0 ? X86EMUL_UNHANDLEABLE : X86EMUL_OKAY;
	}
	e = write ? p2m_write(&v->domain->p2m, gpa, val, size) :
		    p2m_read(&v->domain->p2m, gpa, val, size);
	if (e == -E_NO_MEM) {
		domain_crash_no_mem(v->domain, v, gpa);
		return X86EMUL_UNHANDLEABLE;
	}
	if (e < 0)
		return mmio_outside_ram(c, la);
	if (write)
		shadow_written(v->domain, gpa, size);
	return X86EMUL_OKAY;
}

/* Accesses that straddle a page boundary go byte by byte. */
static int mmio_access(struct x86_emul_ctxt *c, uint64_t la, unsigned size,
		       uint64_t *val, bool write)
{
	uint64_t byte;
	unsigned i;
	int r;

	if (la % PAGE_SIZE + size <= PAGE_SIZE)
		return mmio_access_page(c, la, size, val, write);
	for (i = 0; i < size; i++) {
		byte = (*val >> (8 * i)) & 0xff;
		r = mmio_access_page(c, la + i, 1, &byte, write);
		if (r != X86EMUL_OKAY)
			return r;
		if (!write)
			*val |= byte << (8 * i);
	}
	return X86EMUL_OKAY;
}

static int mmio_read(struct x86_emul_ctxt *c, uint64_t la, unsigned size,
		     uint64_t *val)
{
	*val = 0;
	return mmio_access(c, la, size, val, false);
}

static int mmio_write(struct x86_emul_ctxt *c, uint64_t la, unsigned size,
		      uint64_t val)
{
	return mmio_access(c, la, size, &val, true);
}

static int mmio_fetch(struct x86_emul_ctxt *c, uint64_t la, uint8_t *buf,
		      size_t len, size_t *got)
{
	gva_t fault_la;
	uint32_t pfec;
	size_t n = MIN(len, PAGE_SIZE - la % PAGE_SIZE);
	int r = gmem_read(c->priv, la, buf, n, &fault_la, &pfec);

	if (r == -E_NOT_FOUND)
		return mmio_page_fault(c, fault_la, pfec);
	if (r < 0)
		return X86EMUL_UNHANDLEABLE;
	*got = n;
	return X86EMUL_OKAY;
}

/*
 * INS/OUTS to a device model's port: up to *reps elements of guest RAM
 * from la, as far as its page goes, in one request (pv/ioreq.c); *reps 0
 * for another port, whose elements go one by one.
 */
static int mmio_io_rep(struct x86_emul_ctxt *c, uint16_t port, unsigned size,
		       bool in, uint64_t la, bool df, uint64_t *reps)
{
	struct vcpu *v = c->priv;
	const struct io_range *r = io_port_find(v->domain, port);
	uint32_t pfec = 0;
	uint64_t room;
	gpa_t gpa;
	int e;

	if (!r || !ioreq_claims(r) || !v->domain->pv.ioreq.enabled) {
		*reps = 0;
		return X86EMUL_OKAY;
	}
	e = mmio_translate(c, la, in, &gpa, &pfec);
	if (e == -E_NOT_FOUND)
		return mmio_page_fault(c, la, pfec);
	if (e < 0 || la % size ||
	    p2m_type_of(&v->domain->p2m, gpa >> PAGE_SHIFT) != P2M_RAM)
		return mmio_outside_ram(c, la);
	room = df ? gpa % PAGE_SIZE / size + 1 :
		    (PAGE_SIZE - gpa % PAGE_SIZE) / size;
	*reps = MIN(*reps, room);
	e = ioreq_forward(v, IOREQ_TYPE_PIO, port, size, (uint32_t)*reps, !in,
			  true, df, &gpa);
	return e == 0 ? X86EMUL_OKAY : X86EMUL_UNHANDLEABLE;
}

static const struct x86_emul_ops mmio_ops = {
	.fetch = mmio_fetch,
	.read = mmio_read,
	.write = mmio_write,
	.io_in = io_emul_in,
	.io_out = io_emul_out,
	.io_rep = mmio_io_rep,
};

/* The emulator's view of v: mode, registers, segment bases, CPL. */
static void mmio_ctxt_init(struct vcpu *v, struct x86_emul_ctxt *c)
{
	struct vseg_desc s;
	int i;

	memset(c, 0, sizeof(*c));
	c->priv = v;
	memcpy(c->regs.gpr, v->gprs, sizeof(c->regs.gpr));
	c->regs.rip = virt_reg_read(v, VREG_RIP);
	c->regs.rflags = virt_reg_read(v, VREG_RFLAGS);
	c->real_mode = !(virt_reg_read(v, VREG_CR0) & CR0_PE);
	c->cpl = (int)virt_reg_read(v, VREG_CPL);
	c->mode = gmem_insn_mode(v);
	for (i = VSEG_ES; i <= VSEG_GS; i++) {
		virt_seg_read(v, (enum vseg)i, &s);
		c->seg_base[i] = s.base;
	}
}

/* Runs v's instruction in m; mmio_emulate's contract. */
static int mmio_run(struct vcpu *v, struct mmio_ctxt *m)
{
	struct x86_emul_ctxt *c = &m->c;
	int r;

	memset(m, 0, sizeof(*m));
	mmio_ctxt_init(v, c);
	ioreq_insn_start(v);
	r = x86_emulate(c, &mmio_ops);
	ioreq_insn_end(v);
	/* Waiting for a device model: the instruction runs again. */
	if (r == X86EMUL_UNHANDLEABLE && v->state == VCPU_IOREQ)
		return 0;
	if (r == X86EMUL_UNHANDLEABLE)
		return v->domain->state == DOMAIN_RUNNING ? -E_NOT_SUPP : -E_IO;
	/* A fault in a REP string leaves rSI/rDI/rCX at the faulting element. */
	memcpy(v->gprs, c->regs.gpr, sizeof(v->gprs));
	if (r == X86EMUL_EXCEPTION) {
		virt_inject_exception(v, c->exc.vector, c->exc.has_error_code,
				      c->exc.error_code);
		return 0;
	}
	virt_reg_write(v, VREG_RIP, c->regs.rip);
	virt_reg_write(v, VREG_RFLAGS, c->regs.rflags);
	return 0;
}

int mmio_emulate(struct vcpu *v)
{
	struct mmio_ctxt m;

	return mmio_run(v, &m);
}

/* "66 0f 6f 00": c's instruction, or the bytes fetched when it did not
 * decode. */
static void mmio_insn_hex(const struct x86_emul_ctxt *c, char *buf, size_t size)
{
	size_t n = c->insn.length ? c->insn.length : c->insn_avail, i, at = 0;

	buf[0] = '\0';
	for (i = 0; i < n && i < X86_MAX_INSN_LEN; i++)
		at += snprintf(buf + at, size - at, "%s%02x", i ? " " : "",
			       c->insn_bytes[i]);
}

void mmio_fault(struct vcpu *v, const struct io_range *dev, gpa_t gpa)
{
	struct mmio_ctxt m;
	char hex[3 * X86_MAX_INSN_LEN];

	if (mmio_run(v, &m) != -E_NOT_SUPP)
		return;
	mmio_insn_hex(&m.c, hex, sizeof(hex));
	domain_crash(v->domain, v, "MMIO to %s at 0x%llx: cannot emulate %s",
		     dev->name, (unsigned long long)gpa,
		     hex[0] ? hex : "the instruction");
}

int mmio_mem_linear(struct vcpu *v, const struct x86_insn *in, gva_t *la)
{
	struct x86_emul_ctxt c;

	if (!in->is_mem)
		return -E_INVAL;
	mmio_ctxt_init(v, &c);
	c.insn = *in;
	*la = x86_emul_mem_linear(&c);
	return 0;
}
