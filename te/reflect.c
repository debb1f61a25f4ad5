/*
 * reflect.c - events for the trap-and-emulate guest (labs 2 and 4):
 * faults, the virtual timer and Xen's upcall (lab 6) reflected through
 * the guest's own IDT; one it cannot take ends the domain like a triple
 * fault.  Also the paravirtual ports of inc/public/te.h.
 */
#include <inc/public/te.h>
#include <inc/x86.h>
#include <kernel/kernel.h>
#include <kernel/domain.h>
#include <te/te_int.h>

/* 64-bit TSS (SDM 3A 8.7 figure 8-11): RSP0 at byte 4. */
#define TE_TSS_RSP0 4

#if SOL >= 2
/*
 * Enters the guest's handler for vec through its virtual IDT as a 64-bit
 * CPU would (SDM 3A 6.14.2): at virtual CPL 0 on the interrupted stack;
 * from CPL 3 at CPL 0 on the stack TSS.RSP0 names, with SS null (6.14.4).
 * The stack is aligned to 16, then SS, RSP, RFLAGS, CS, RIP and the error
 * code pushed; an interrupt gate clears the virtual IF.  False when the
 * guest cannot take it: no gate, a bad gate, no TSS or an unmapped stack.
 */
static bool te_reflect(struct vcpu *v, uint8_t vec, bool has_error,
		       uint32_t err)
{
	struct te_vcpu *t = &v->arch.te;
	const struct vseg_desc *idtr = &t->segs[VSEG_IDTR];
	uint64_t gate[2], frame[6], rsp = v->gprs[GPR_RSP];
	bool from_user = t->vregs[VREG_CPL] == 3;
	unsigned n = 0, type;

	/* The IDT, the TSS and the handler's stack are supervisor accesses. */
	if (from_user)
		virt_reg_write(v, VREG_CPL, 0);
	if ((uint32_t)vec * 16 + 15 > idtr->limit ||
	    te_read(v, idtr->base + vec * 16, gate, sizeof(gate)) < 0)
		return false;
	type = (gate[0] >> 40) & 0x9f;
	if (type != 0x8e && type != 0x8f)
		return false;
	if (from_user && (!t->segs[VSEG_TR].sel ||
			  te_read(v, t->segs[VSEG_TR].base + TE_TSS_RSP0, &rsp,
				  sizeof(rsp)) < 0))
		return false;
	rsp &= ~0xfULL;
	if (has_error)
		frame[n++] = err;
	frame[n++] = t->vregs[VREG_RIP];
	frame[n++] = t->segs[VSEG_CS].sel;
	frame[n++] = t->vregs[VREG_RFLAGS];
	frame[n++] = v->gprs[GPR_RSP];
	frame[n++] = t->segs[VSEG_SS].sel;
	rsp -= n * 8;
	if (te_write(v, rsp, frame, n * 8) < 0)
		return false;
	v->gprs[GPR_RSP] = rsp;
	t->vregs[VREG_RIP] = (gate[0] & 0xffff) |
			     ((gate[0] >> 32) & 0xffff0000) | (gate[1] << 32);
	t->segs[VSEG_CS].sel = (uint16_t)(gate[0] >> 16);
	if (from_user)
		t->segs[VSEG_SS].sel = 0;
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

/*
 * INT n from guest user mode needs a gate of DPL 3, else it is #GP(vector
 * * 8 + 2) (SDM 3A 6.12.1.1).  The IDT is read as a supervisor; a gate
 * that cannot be read is te_reflect's to refuse.
 */
static bool te_gate_allows(struct vcpu *v, const struct virt_event *ev)
{
	struct te_vcpu *t = &v->arch.te;
	const struct vseg_desc *idtr = &t->segs[VSEG_IDTR];
	uint64_t gate, cpl = t->vregs[VREG_CPL];
	int r;

	if (ev->type != EVENT_SOFTINT || cpl == 0)
		return true;
	t->vregs[VREG_CPL] = 0;
	r = te_read(v, idtr->base + ev->vector * 16, &gate, sizeof(gate));
	t->vregs[VREG_CPL] = cpl;
	return r < 0 || ((gate >> 45) & 3) == 3;
}

/* The virtual timer or Xen's upcall (pv/evtchn.c), named what, under the
 * virtual IF; false when the guest has no gate for it. */
static bool te_deliver_irq(struct vcpu *v, int vec, const char *what)
{
	v->arch.te.halted = false;
	if (te_reflect(v, (uint8_t)vec, false, 0))
		return true;
	cprintf("te: %s: no gate for the %s vector %d\n", v->domain->name, what,
		vec);
	return false;
}

bool te_deliver(struct vcpu *v)
{
	struct te_vcpu *t = &v->arch.te;
	struct virt_event ev = t->event;
	int vec;

	if (t->event_valid) {
		t->event_valid = false;
		if (!te_gate_allows(v, &ev))
			ev = (struct virt_event){
				.vector = T_GP,
				.type = EVENT_EXCEPTION,
				.has_error = true,
				.error = ev.vector * 8u + 2,
			};
		if (te_reflect(v, ev.vector, ev.has_error, ev.error))
			return true;
		cprintf("te: %s: cannot deliver vector %u: no usable gate or "
			"stack\n",
			v->domain->name, ev.vector);
		return false;
	}
	if (t->timer_pending && (t->vregs[VREG_RFLAGS] & X86_FLAGS_IF)) {
		t->timer_pending = false;
		t->ticks_delivered++;
		if (!te_deliver_irq(v, TE_TIMER_VECTOR, "timer"))
			return false;
	}
	if ((t->vregs[VREG_RFLAGS] & X86_FLAGS_IF) &&
	    (vec = pv_upcall_vector(v)) >= 0)
		return te_deliver_irq(v, vec, "upcall");
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
