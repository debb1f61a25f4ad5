/*
 * vlapic.c - a virtual local APIC per vcpu (lab 3; SDM 3A 11.4 "Local
 * APIC", 11.5.4 "APIC Timer", 11.6 "Issuing Interprocessor Interrupts",
 * 11.8 "Handling Interrupts", 11.12 "Extended XAPIC (x2APIC)").
 *
 * The xAPIC page at VLAPIC_BASE is one MMIO range per domain, so it
 * serves the vcpu that runs (sched_current).  IPIs reach their targets at
 * once, so the ICR never reads busy.  The NMI blocking that lasts until
 * IRET is VT-x's (virtual NMIs) only.  SMI and the thermal and
 * performance LVTs are not emulated.
 */
#include <inc/x86.h>
#include <inc/apic.h>
#include <kernel/kernel.h>
#include <kernel/clock.h>
#include <kernel/domain.h>
#include <kernel/dev/io.h>
#include <kernel/mm/page.h>
#include <kernel/dev/vlapic.h>
#include <kernel/dev/irq.h>
#include <kernel/sched.h>

#define APIC_VERSION	 0x00050014 /* 6 LVT entries, version 0x14 */
#define VLAPIC_BROADCAST 0xffffffffu
#define VLAPIC_LVT_ERROR 5

/*
 * Each register (by offset / 16): whether RDMSR reads it and WRMSR writes
 * it in x2APIC mode (SDM 3A table 11-6), and the bits a write may set; an
 * x2APIC write of others raises #GP.  The LVTs (timer, thermal, perf,
 * LINT0, LINT1, error) as SDM 3A figure 11-8 has them.
 */
static const struct vlapic_reg {
	bool read, write;
	uint64_t bits;
} vlapic_regs[APIC_SELF_IPI / 16 + 1] = {
	[APIC_ID / 16] = { true, false, 0 },
	[APIC_VER / 16] = { true, false, 0 },
	[APIC_TPR / 16] = { true, true, 0xff },
	[APIC_PPR / 16] = { true, false, 0 },
	[APIC_EOI / 16] = { false, true, 0 },
	[APIC_LDR / 16] = { true, false, 0 },
	[APIC_SVR / 16] = { true, true, 0x3ff },
	[APIC_ISR / 16 ... APIC_ESR / 16 - 1] = { true, false, 0 },
	[APIC_ESR / 16] = { true, true, 0 },
	[APIC_ICR_LO / 16] = { true, true, 0xffffffff000ccfffULL },
	[APIC_LVT_TIMER / 16] = { true, true, 0x700ff },
	[APIC_LVT_TIMER / 16 + 1 ... APIC_LVT_TIMER / 16 + 2] = { true, true,
								  0x107ff },
	[APIC_LVT_TIMER / 16 + 3 ... APIC_LVT_TIMER / 16 + 4] = { true, true,
								  0x1a7ff },
	[APIC_LVT_ERROR / 16] = { true, true, 0x100ff },
	[APIC_TMICT / 16] = { true, true, 0xffffffff },
	[APIC_TMCCT / 16] = { true, false, 0 },
	[APIC_TDCR / 16] = { true, true, 0xb },
	[APIC_SELF_IPI / 16] = { false, true, 0xff },
};

/* Highest vector set in a 256-bit register, or -1. */
static int vlapic_highest(const uint32_t *bits)
{
	int i;

	for (i = 7; i >= 0; i--)
		if (bits[i])
			return i * 32 + 31 - __builtin_clz(bits[i]);
	return -1;
}

static void vlapic_set(uint32_t *bits, int vec, bool on)
{
	if (on)
		bits[vec / 32] |= 1u << (vec % 32);
	else
		bits[vec / 32] &= ~(1u << (vec % 32));
}

/* VLAPIC_HZ clocks per timer count (the divide configuration). */
static uint64_t vlapic_divider(const struct vlapic *l)
{
	unsigned code = ((l->tdcr & 8) >> 1) | (l->tdcr & 3);

	return code == 7 ? 1 : 2ULL << code;
}

/* An error for the ESR's next write (SDM 3A 11.5.3), and the error LVT's
 * interrupt. */
static void vlapic_error(struct vlapic *l, uint32_t bit)
{
	uint32_t lvt = l->lvt[VLAPIC_LVT_ERROR];

	l->esr_pending |= bit;
	if (!(lvt & APIC_LVT_MASKED) && (lvt & 0xff) >= 16)
		vlapic_set(l->irr, lvt & 0xff, true);
}

static bool vlapic_tsc_deadline_mode(const struct vlapic *l)
{
	return (l->lvt[0] & APIC_LVT_TIMER_MODE) == APIC_LVT_DEADLINE;
}

/* The timer's periods are counted from start, so none of them rounds. */
static void vlapic_arm(struct vlapic *l)
{
	uint64_t n = l->tmict * vlapic_divider(l);

	l->start = rdtsc();
	l->deadline = n ? l->start + clock_tsc_for(n, VLAPIC_HZ) : 0;
}

/* When the period under way at TSC t ends.  Needs TMICT != 0. */
static uint64_t vlapic_period_end(const struct vlapic *l, uint64_t t)
{
	uint64_t n = l->tmict * vlapic_divider(l);
	uint64_t k = clock_tsc_to(t - l->start, VLAPIC_HZ) / n + 1;

	return l->start + clock_tsc_for(k * n, VLAPIC_HZ);
}

/* Fires the timer that expired by TSC now: its vector to IRR, unless
 * masked. */
static void vlapic_timer_fire(struct vlapic *l, uint64_t now)
{
	if (!(l->lvt[0] & APIC_LVT_MASKED) && (l->svr & APIC_SVR_ENABLE)) {
		if ((l->lvt[0] & 0xff) >= 16)
			vlapic_set(l->irr, l->lvt[0] & 0xff, true);
		else
			vlapic_error(l, APIC_ESR_RECV_ILLEGAL);
	}
	/* A timer more than a period behind fires once more at once, then
	 * keeps its phase: the periods missed meanwhile merge. */
	if ((l->lvt[0] & APIC_LVT_PERIODIC) && l->tmict)
		l->deadline = MAX(vlapic_period_end(l, l->deadline), now + 1);
	else
		l->deadline = 0;
}

/* The check inline, the firing apart: every exit asks for pending
 * interrupts. */
static inline void vlapic_timer_update(struct vlapic *l)
{
	uint64_t now;

	if (l->deadline && (now = rdtsc()) >= l->deadline)
		vlapic_timer_fire(l, now);
}

static uint32_t vlapic_current_count(const struct vlapic *l)
{
	uint64_t n = l->tmict * vlapic_divider(l), t;

	if (!l->deadline || vlapic_tsc_deadline_mode(l))
		return 0;
	t = clock_tsc_to(rdtsc() - l->start, VLAPIC_HZ);
	if (!(l->lvt[0] & APIC_LVT_PERIODIC) && t >= n)
		return 0;
	return (uint32_t)(l->tmict - t % n / vlapic_divider(l));
}

/* The x2APIC's logical ID, derived from its ID (SDM 3A 11.12.10.2). */
static uint32_t vlapic_x2apic_ldr(const struct vcpu *v)
{
	return (uint32_t)(v->id >> 4) << 16 | 1u << (v->id & 0xf);
}

static uint32_t vlapic_read(struct vcpu *v, unsigned reg)
{
	struct vlapic *l = &v->lapic;

	if (reg >= APIC_ISR && reg < APIC_TMR)
		return l->isr[(reg - APIC_ISR) / 16];
	if (reg >= APIC_TMR && reg < APIC_IRR)
		return l->tmr[(reg - APIC_TMR) / 16];
	if (reg >= APIC_IRR && reg < APIC_ESR) {
		/* An expired timer is pending even while the guest's IF is
		 * clear and nothing takes it. */
		vlapic_timer_update(l);
		return l->irr[(reg - APIC_IRR) / 16];
	}
	if (reg >= APIC_LVT_TIMER && reg <= APIC_LVT_ERROR)
		return l->lvt[(reg - APIC_LVT_TIMER) / 16];
	switch (reg) {
	case APIC_ID:
		return l->x2apic ? (uint32_t)v->id : (uint32_t)v->id << 24;
	case APIC_VER: return APIC_VERSION;
	case APIC_TPR: return l->tpr;
	case APIC_PPR:
		return MAX(l->tpr & 0xf0,
			   (uint32_t)MAX(vlapic_highest(l->isr), 0) & 0xf0);
	case APIC_LDR: return l->x2apic ? vlapic_x2apic_ldr(v) : l->ldr;
	case APIC_DFR: return l->dfr;
	case APIC_SVR: return l->svr;
	case APIC_ESR: return l->esr;
	case APIC_ICR_LO: return l->icr_lo;
	case APIC_ICR_HI: return l->icr_hi;
	case APIC_TMICT: return l->tmict;
	case APIC_TMCCT: return vlapic_current_count(l);
	case APIC_TDCR: return l->tdcr;
	default: return 0;
	}
}

/* Whether v's APIC accepts a message for dest (SDM 3A 11.6.2):
 * physical, or logical in the flat or cluster model (x2APIC: cluster). */
static bool vlapic_match(const struct vcpu *v, uint32_t dest, bool logical)
{
	const struct vlapic *l = &v->lapic;
	uint32_t ldr = l->ldr >> 24;

	if (dest == VLAPIC_BROADCAST || (!l->x2apic && (dest & 0xff) == 0xff))
		return true;
	if (!logical)
		return dest == (uint32_t)v->id;
	if (l->x2apic) {
		ldr = vlapic_x2apic_ldr(v);
		return (dest >> 16) == (ldr >> 16) && (dest & ldr & 0xffff);
	}
	if ((l->dfr >> 28) == 0xf)
		return dest & ldr;
	return (dest >> 4) == (ldr >> 4) && (dest & ldr & 0xf);
}

/* The vcpus of d (a bit each) that dest selects. */
static uint32_t vlapic_targets(struct domain *d, uint32_t dest, bool logical)
{
	uint32_t mask = 0;
	int i;

	for (i = 0; i < d->nvcpus; i++)
		if (vlapic_match(&d->vcpus[i], dest, logical))
			mask |= 1u << i;
	return mask;
}

/* Of the vcpus in mask, the one with the lowest task priority. */
static uint32_t vlapic_lowest(struct domain *d, uint32_t mask)
{
	int i, best = -1;

	for (i = 0; i < d->nvcpus; i++)
		if ((mask & (1u << i)) &&
		    (best < 0 ||
		     d->vcpus[i].lapic.tpr < d->vcpus[best].lapic.tpr))
			best = i;
	return best < 0 ? 0 : 1u << best;
}

/* The power-up state (SDM 3A 11.4.7.1), which INIT restores too; the
 * ID and IA32_APIC_BASE stay. */
static void vlapic_reset(struct vlapic *l)
{
	bool enabled = l->enabled, x2apic = l->x2apic;
	int i;

	memset(l, 0, sizeof(*l));
	for (i = 0; i < 6; i++)
		l->lvt[i] = APIC_LVT_MASKED;
	l->svr = 0xff;
	l->dfr = 0xffffffff;
	l->sipi = -1;
	l->enabled = enabled;
	l->x2apic = x2apic;
}

/* A message arrives at t's APIC.  INIT and STARTUP go to hvm vcpus only:
 * the scheduler applies them (sched.c). */
static void vlapic_accept(struct vcpu *t, unsigned mode, uint8_t vec,
			  bool level)
{
	struct vlapic *l = &t->lapic;
	bool hvm = t->domain->type == DOMAIN_HVM && t->state != VCPU_STOPPED;

	switch (mode) {
	case APIC_DM_FIXED:
	case APIC_DM_LOWEST:
		vlapic_set(l->irr, vec, true);
		vlapic_set(l->tmr, vec, level);
		break;
	case APIC_DM_NMI: l->nmi = true; break;
	case APIC_DM_INIT:
		if (!hvm)
			break;
		vlapic_reset(l);
		l->init = true;
		t->state = VCPU_WAIT_SIPI;
		break;
	case APIC_DM_STARTUP:
		/* Only a vcpu waiting for it takes a STARTUP (SDM 3A 9.4.4). */
		if (hvm && t->state == VCPU_WAIT_SIPI && l->sipi < 0)
			l->sipi = vec;
		break;
	default: break;
	}
}

/* Sends to the vcpus in mask; -E_INVAL for a vector below 16, which a
 * fixed message may not carry (SDM 3A 11.5.2). */
static int vlapic_send(struct domain *d, uint32_t mask, unsigned mode,
		       uint8_t vec, bool level)
{
	int i;

	if ((mode == APIC_DM_FIXED || mode == APIC_DM_LOWEST) && vec < 16)
		return -E_INVAL;
	if (mode == APIC_DM_LOWEST)
		mask = vlapic_lowest(d, mask);
	for (i = 0; i < d->nvcpus; i++)
		if (mask & (1u << i))
			vlapic_accept(&d->vcpus[i], mode, vec, level);
	return 0;
}

void vlapic_deliver(struct domain *d, uint32_t dest, bool logical,
		    unsigned mode, uint8_t vec, bool level)
{
	vlapic_send(d, vlapic_targets(d, dest, logical), mode, vec, level);
}

/*
 * An IPI from v as the ICR's low half icr and destination dest say (SDM 3A
 * 11.6.1).  An ID no vcpu has selects nobody: the message is dropped, with
 * no error (the send accept error is the P6's).
 */
static void vlapic_ipi(struct vcpu *v, uint32_t dest, uint32_t icr)
{
	struct domain *d = v->domain;
	uint32_t all = (1u << d->nvcpus) - 1, self = 1u << v->id, mask;
	unsigned mode = (icr >> 8) & 7;

	/* INIT level de-assert: ignored since the Pentium 4. */
	if (mode == APIC_DM_INIT &&
	    (icr & (APIC_ICR_ASSERT | APIC_ICR_LEVEL)) == APIC_ICR_LEVEL)
		return;
	switch (icr & APIC_ICR_SHORTHAND) {
	case APIC_ICR_SELF: mask = self; break;
	case APIC_ICR_ALL: mask = all; break;
	case APIC_ICR_ALL_BUT: mask = all & ~self; break;
	default: mask = vlapic_targets(d, dest, icr & APIC_ICR_LOGICAL);
	}
	if (vlapic_send(d, mask, mode, icr & 0xff, icr & APIC_ICR_LEVEL) < 0)
		vlapic_error(&v->lapic, APIC_ESR_SEND_ILLEGAL);
}

/* A new LVT value; changing the timer to or from TSC-deadline mode
 * disarms it (SDM 3A 11.5.4.1). */
static void vlapic_write_lvt(struct vlapic *l, unsigned i, uint32_t val)
{
	uint32_t old = l->lvt[i];

	val &= (uint32_t)vlapic_regs[APIC_LVT_TIMER / 16 + i].bits;
	l->lvt[i] = (l->svr & APIC_SVR_ENABLE) ? val : val | APIC_LVT_MASKED;
	if (i == 0 && ((old ^ l->lvt[0]) & APIC_LVT_DEADLINE))
		l->deadline = 0;
}

static void vlapic_eoi(struct vcpu *v)
{
	struct vlapic *l = &v->lapic;
	int vec = vlapic_highest(l->isr);

	if (vec < 0)
		return;
	vlapic_set(l->isr, vec, false);
	if (l->tmr[vec / 32] & (1u << (vec % 32))) {
		vlapic_set(l->tmr, vec, false);
		irq_eoi(v->domain, (uint8_t)vec);
	}
}

static void vlapic_write(struct vcpu *v, unsigned reg, uint32_t val)
{
	struct vlapic *l = &v->lapic;
	int i;

	if (reg >= APIC_LVT_TIMER && reg <= APIC_LVT_ERROR) {
		vlapic_write_lvt(l, (reg - APIC_LVT_TIMER) / 16, val);
		return;
	}
	switch (reg) {
	case APIC_TPR: l->tpr = val & 0xff; break;
	case APIC_EOI: vlapic_eoi(v); break;
	case APIC_LDR: l->ldr = val & 0xff000000; break;
	case APIC_DFR: l->dfr = val | 0x0fffffff; break;
	case APIC_SVR:
		l->svr = val & 0x3ff;
		/* Software disable masks every LVT (SDM 3A 11.4.7.2). */
		for (i = 0; i < 6 && !(val & APIC_SVR_ENABLE); i++)
			l->lvt[i] |= APIC_LVT_MASKED;
		break;
	case APIC_ESR:
		l->esr = l->esr_pending;
		l->esr_pending = 0;
		break;
	case APIC_ICR_LO:
		l->icr_lo = val & ~APIC_ICR_BUSY;
		vlapic_ipi(v, l->icr_hi >> 24, val);
		break;
	case APIC_ICR_HI: l->icr_hi = val & 0xff000000; break;
	case APIC_TMICT:
		if (vlapic_tsc_deadline_mode(l))
			break;
		l->tmict = val;
		vlapic_arm(l);
		break;
	case APIC_TDCR: l->tdcr = val & 0xb; break;
	default: break;
	}
}

/* Registers are 32 bits wide at 16-byte strides; other accesses read 0
 * and are dropped, as the SDM leaves them undefined, and so is the page
 * of an APIC that is disabled or in x2APIC mode (SDM 3A 11.12.1.2). */
static int vlapic_mmio(struct domain *d, void *opaque, uint64_t addr,
		       unsigned size, bool write, uint64_t *val)
{
	struct vcpu *v = sched_current;
	unsigned reg = (unsigned)(addr - VLAPIC_BASE);

	if (!write)
		*val = 0;
	if (!v || v->domain != d || size != 4 || reg % 16 ||
	    !v->lapic.enabled || v->lapic.x2apic)
		return 0;
	if (write)
		vlapic_write(v, reg, (uint32_t)*val);
	else
		*val = vlapic_read(v, reg);
	return 0;
}

int vlapic_init(struct vcpu *v)
{
	struct vlapic *l = &v->lapic;

	memset(l, 0, sizeof(*l));
	l->enabled = true;
	vlapic_reset(l);
	if (v->id != 0)
		return 0;
	/* What a PC BIOS leaves for the OS (MP spec 1.4, 3.6.2.2 "Virtual
	 * Wire Mode"): the BSP's APIC enabled, LINT0 ExtINT, LINT1 NMI. */
	l->svr = APIC_SVR_ENABLE | 0xff;
	l->lvt[3] = APIC_DM_EXTINT << 8;
	l->lvt[4] = APIC_DM_NMI << 8;
	return io_register_mmio(v->domain, VLAPIC_BASE, PAGE_SIZE, vlapic_mmio,
				NULL, "local APIC");
}

/* Whether the PIC's INTR reaches v: through LINT0 in ExtINT mode, or
 * straight to the CPU while the APIC is disabled (SDM 3A 11.4.3). */
static bool vlapic_extint(struct vcpu *v)
{
	uint32_t lint0 = v->lapic.lvt[3];

	if (v->id != 0 || !irq_extint_pending(v->domain))
		return false;
	return !v->lapic.enabled || (!(lint0 & APIC_LVT_MASKED) &&
				     ((lint0 >> 8) & 7) == APIC_DM_EXTINT);
}

bool vlapic_pending(struct vcpu *v)
{
	struct vlapic *l = &v->lapic;

	vlapic_timer_update(l);
	return vlapic_highest(l->irr) >= 0 || vlapic_extint(v);
}

bool vlapic_can_wake(struct vcpu *v)
{
	return vlapic_pending(v) || v->lapic.deadline || v->lapic.nmi;
}

int vlapic_take_interrupt(struct vcpu *v)
{
	struct vlapic *l = &v->lapic;
	int vec, prio;

	if (!vlapic_pending(v))
		return -1;
	if (vlapic_extint(v))
		return irq_extint_ack(v->domain);
	if (!l->enabled)
		return -1;
	vec = vlapic_highest(l->irr);
	prio = MAX(vlapic_highest(l->isr), (int)l->tpr);
	if (prio >= 0 && (vec >> 4) <= (prio >> 4))
		return -1;
	vlapic_set(l->irr, vec, false);
	vlapic_set(l->isr, vec, true);
	return vec;
}

uint64_t vlapic_base_msr(struct vcpu *v)
{
	return VLAPIC_BASE | (v->lapic.enabled ? APIC_BASE_ENABLE : 0) |
	       (v->lapic.x2apic ? APIC_BASE_X2APIC : 0) |
	       (v->id == 0 ? APIC_BASE_BSP : 0);
}

/*
 * The base cannot move.  Modes change as SDM 3A 11.12.5 allows: not to
 * EXTD without EN, not from x2APIC straight to xAPIC, not from disabled
 * straight to x2APIC; disabling resets the APIC.
 */
int vlapic_set_base_msr(struct vcpu *v, uint64_t val)
{
	struct vlapic *l = &v->lapic;
	bool en = val & APIC_BASE_ENABLE, x2 = val & APIC_BASE_X2APIC;

	if ((val & ~(APIC_BASE_ENABLE | APIC_BASE_BSP | APIC_BASE_X2APIC)) !=
		    VLAPIC_BASE ||
	    (x2 && !en) || (en && l->x2apic && !x2) || (x2 && !l->enabled))
		return -E_INVAL;
	if (!en)
		vlapic_reset(l);
	l->enabled = en;
	l->x2apic = x2;
	return 0;
}

/* The x2APIC register reg's access rules, or NULL for none. */
static const struct vlapic_reg *vlapic_x2apic_reg(unsigned reg)
{
	return reg / 16 < ARRAY_SIZE(vlapic_regs) ? &vlapic_regs[reg / 16] :
						    NULL;
}

/* msr: IA32_TSC_DEADLINE, or an x2APIC register (kernel/msr.c). */
static bool vlapic_msr_ok(struct vcpu *v, uint32_t msr)
{
	return msr == MSR_IA32_TSC_DEADLINE || v->lapic.x2apic;
}

int vlapic_msr_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	struct vlapic *l = &v->lapic;
	unsigned reg = (msr - MSR_X2APIC_FIRST) << 4;
	const struct vlapic_reg *r = vlapic_x2apic_reg(reg);

	if (!vlapic_msr_ok(v, msr))
		return -E_INVAL;
	if (msr == MSR_IA32_TSC_DEADLINE)
		*val = vlapic_tsc_deadline_mode(l) ? l->deadline : 0;
	else if (!r || !r->read)
		return -E_INVAL;
	else if (reg == APIC_ICR_LO)
		*val = (uint64_t)l->icr_hi << 32 | l->icr_lo;
	else
		*val = vlapic_read(v, reg);
	return 0;
}

/* In x2APIC mode the ICR is one 64-bit MSR with a 32-bit destination,
 * and SELF IPI sends a fixed interrupt to the writer (SDM 3A 11.12.9,
 * 11.12.11). */
int vlapic_msr_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
	struct vlapic *l = &v->lapic;
	unsigned reg = (msr - MSR_X2APIC_FIRST) << 4;
	const struct vlapic_reg *r = vlapic_x2apic_reg(reg);

	if (!vlapic_msr_ok(v, msr))
		return -E_INVAL;
	if (msr == MSR_IA32_TSC_DEADLINE) {
		if (vlapic_tsc_deadline_mode(l))
			l->deadline = val;
		return 0;
	}
	if (!r || !r->write || (val & ~r->bits))
		return -E_INVAL;
	if (reg == APIC_ICR_LO) {
		l->icr_hi = (uint32_t)(val >> 32);
		l->icr_lo = (uint32_t)val;
		vlapic_ipi(v, l->icr_hi, l->icr_lo);
	} else if (reg == APIC_SELF_IPI) {
		vlapic_ipi(v, 0, APIC_ICR_SELF | (uint32_t)val);
	} else {
		vlapic_write(v, reg, (uint32_t)val);
	}
	return 0;
}

bool vlapic_take_nmi(struct vcpu *v)
{
	bool nmi = v->lapic.nmi;

	v->lapic.nmi = false;
	return nmi;
}
