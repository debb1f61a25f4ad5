/*
 * mmio.c - emulating the guest instruction that touched an emulated
 * device's guest-physical range (labs 3 and 5).
 *
 * Such a range has no mapping in the nested page tables, so the access
 * exits as a nested page fault / EPT violation.  The instruction at CS:RIP
 * is then run by kernel/x86/emulate.c: its memory operands go through the
 * guest's own paging to either a device handler (kernel/dev/io.c) or guest
 * RAM.  The guest sees its instruction complete, or the fault it would
 * have raised.
 */
#include <inc/x86.h>
#include <kernel/kernel.h>
#include <kernel/domain.h>
#include <kernel/mm/gmem.h>
#include <kernel/dev/io.h>
#include <kernel/mm/page.h>
#include <kernel/x86/emulate.h>
#include <kernel/dev/mmio.h>

static int mmio_page_fault(struct x86_emul_ctxt *c, gva_t la, uint32_t pfec)
{
	virt_reg_write(c->priv, VREG_CR2, la);
	return x86_emul_raise(c, X86_EXC_PF, true, pfec);
}

/* One access that does not cross a page: a device, or guest RAM. */
static int mmio_access_page(struct x86_emul_ctxt *c, uint64_t la, unsigned size,
			    uint64_t *val, bool write)
{
	struct vcpu *v = c->priv;
	const struct io_range *r;
	uint32_t pfec = 0;
	gpa_t gpa;
	int e = gmem_translate(v, la, write, &gpa, &pfec);

	if (e == -E_NOT_FOUND)
		return mmio_page_fault(c, la, pfec);
	if (e < 0)
		return X86EMUL_UNHANDLEABLE;
	r = io_mmio_find(v->domain, gpa);
	if (r)
		e = r->fn(v->domain, r->opaque, gpa, size, write, val);
	else if (write)
		e = p2m_write(&v->domain->p2m, gpa, val, size);
	else
		e = p2m_read(&v->domain->p2m, gpa, val, size);
	return e < 0 ? X86EMUL_UNHANDLEABLE : X86EMUL_OKAY;
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

	if (gmem_read(c->priv, la, buf, n, &fault_la, &pfec) == -E_NOT_FOUND)
		return mmio_page_fault(c, fault_la, pfec);
	*got = n;
	return X86EMUL_OKAY;
}

static const struct x86_emul_ops mmio_ops = {
	.fetch = mmio_fetch,
	.read = mmio_read,
	.write = mmio_write,
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
	for (i = VSEG_ES; i <= VSEG_GS; i++) {
		virt_seg_read(v, (enum vseg)i, &s);
		c->seg_base[i] = s.base;
	}
	virt_seg_read(v, VSEG_CS, &s);
	if (vcpu_long_mode(v))
		c->mode = X86_MODE_64;
	else
		c->mode = (!c->real_mode && (s.attr & SEG_ATTR_DB)) ?
			  X86_MODE_32 : X86_MODE_16;
}

int mmio_emulate(struct vcpu *v)
{
	struct x86_emul_ctxt c;
	int r;

	mmio_ctxt_init(v, &c);
	r = x86_emulate(&c, &mmio_ops);
	if (r == X86EMUL_UNHANDLEABLE)
		return -E_NOT_SUPP;
	if (r == X86EMUL_EXCEPTION) {
		virt_inject_exception(v, c.exc.vector, c.exc.has_error_code,
				      c.exc.error_code);
		return 0;
	}
	memcpy(v->gprs, c.regs.gpr, sizeof(v->gprs));
	virt_reg_write(v, VREG_RIP, c.regs.rip);
	virt_reg_write(v, VREG_RFLAGS, c.regs.rflags);
	return 0;
}
