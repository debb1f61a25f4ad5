/*
 * reflect.c - events for the trap-and-emulate guest (lab 2): faults and
 * the virtual timer reflected through the guest's own IDT (SDM 3A 6.14
 * frame, same privilege), under the virtual IF; one the guest cannot take
 * ends the domain like a triple fault.  Also the paravirtual ports of
 * inc/public/te.h, by which the guest drives its timer and virtual IF.
 */
#include <inc/public/te.h>
#include <inc/x86.h>
#include <kernel/kernel.h>
#include <kernel/domain.h>
#include <te/te_int.h>

/* The guest's virtual selectors, as the long-mode loader state has them. */
#define TE_VIRT_CS 0x08
#define TE_VIRT_SS 0x10

#if SOL >= 2
/*
 * Enters the guest's handler for vec through its virtual IDT as a 64-bit
 * CPU at CPL 0 would (SDM 3A 6.14.2): the stack aligned to 16, then SS,
 * RSP, RFLAGS, CS, RIP and the error code; an interrupt gate clears the
 * virtual IF.  False when the guest cannot take it: no gate, a bad gate,
 * or a stack outside its RAM.
 */
static bool te_reflect(struct vcpu *v, uint8_t vec, bool has_error,
		       uint32_t err)
{
	struct te_vcpu *t = &v->arch.te;
	const struct vseg_desc *idtr = &t->segs[VSEG_IDTR];
	uint64_t gate[2], frame[6], rsp = v->gprs[GPR_RSP] & ~0xfULL;
	unsigned n = 0, type;

	if ((uint32_t)vec * 16 + 15 > idtr->limit ||
	    te_read(v, idtr->base + vec * 16, gate, sizeof(gate)) < 0)
		return false;
	type = (gate[0] >> 40) & 0x9f;
	if (type != 0x8e && type != 0x8f)
		return false;
	if (has_error)
		frame[n++] = err;
	frame[n++] = t->vregs[VREG_RIP];
	frame[n++] = TE_VIRT_CS;
	frame[n++] = t->vregs[VREG_RFLAGS];
	frame[n++] = v->gprs[GPR_RSP];
	frame[n++] = TE_VIRT_SS;
	rsp -= n * 8;
	if (te_write(v, rsp, frame, n * 8) < 0)
		return false;
	v->gprs[GPR_RSP] = rsp;
	t->vregs[VREG_RIP] = (gate[0] & 0xffff) |
			     ((gate[0] >> 32) & 0xffff0000) | (gate[1] << 32);
	t->vregs[VREG_RFLAGS] &= ~(uint64_t)X86_FLAGS_TF;
	if (type == 0x8e)
		t->vregs[VREG_RFLAGS] &= ~(uint64_t)X86_FLAGS_IF;
	return true;
}
#else
static bool te_reflect(struct vcpu *v, uint8_t vec, bool has_error,
		       uint32_t err)
{
	/* LAB 2: your code here */
	panic("te_reflect: not implemented");
}
#endif

bool te_deliver(struct vcpu *v)
{
	struct te_vcpu *t = &v->arch.te;
	struct virt_event ev = t->event;

	if (t->event_valid) {
		t->event_valid = false;
		if (ev.vector == T_PF)
			t->vregs[VREG_CR2] = t->fault_cr2;
		if (te_reflect(v, ev.vector, ev.has_error, ev.error))
			return true;
		cprintf("te: %s: cannot deliver vector %u: no usable gate or "
			"stack\n",
			v->domain->name, ev.vector);
		return false;
	}
	if (t->timer_pending && (t->vregs[VREG_RFLAGS] & X86_FLAGS_IF)) {
		t->timer_pending = false;
		t->halted = false;
		t->ticks_delivered++;
		if (!te_reflect(v, TE_TIMER_VECTOR, false, 0)) {
			cprintf("te: %s: no gate for the timer vector %d\n",
				v->domain->name, TE_TIMER_VECTOR);
			return false;
		}
	}
	return true;
}

/* --- the paravirtual ports of inc/public/te.h --- */

static int te_pv_io(struct domain *d, void *opaque, uint64_t port,
		    unsigned size, bool write, uint64_t *val)
{
	struct te_vcpu *t = &d->vcpus[0].arch.te;
	uint64_t *rflags = &t->vregs[VREG_RFLAGS];

	if (port == TE_PORT_TIMER && write)
		t->timer_on = *val & 1;
	else if (port == TE_PORT_TIMER)
		*val = t->ticks_delivered & 0xff;
	else if (port == TE_PORT_VIF && write)
		*rflags = (*val & 1) ? *rflags | X86_FLAGS_IF :
				       *rflags & ~(uint64_t)X86_FLAGS_IF;
	else if (port == TE_PORT_VIF)
		*val = !!(*rflags & X86_FLAGS_IF);
	else if (!write)
		*val = TE_INFO_TE | (te_umip() ? TE_INFO_UMIP : 0);
	return 0;
}

int te_pv_init(struct domain *d)
{
	return io_register_port(d, TE_PORT_BASE, TE_PORT_COUNT, te_pv_io, NULL,
				"te-pv");
}
