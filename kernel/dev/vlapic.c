/*
 * vlapic.c - a virtual xAPIC per vcpu (lab 3; SDM 3A 10.4 "Local APIC",
 * 10.5.4 "APIC Timer", 10.8 "Handling Interrupts").
 *
 * Registers live at VLAPIC_BASE in each domain's guest-physical space:
 * every access is a nested page fault, emulated by kernel/dev/mmio.c.  The
 * timer counts at VLAPIC_HZ, derived from the TSC, in one-shot or periodic
 * mode.  Its interrupt goes to IRR; the backend delivers the highest
 * pending vector that outranks ISR and TPR when the guest has RFLAGS.IF
 * set.  Inter-processor interrupts, LINT pins and the TSC-deadline mode
 * are not emulated: ICR writes are dropped.  Only vcpu 0 has a working
 * APIC page (its domain's MMIO range is the same address for every vcpu).
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

#define APIC_VERSION 0x00050014 /* 6 LVT entries, version 0x14 */

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

/* TSC ticks per timer count with the current divide configuration. */
static uint64_t vlapic_tsc_per_count(const struct vlapic *l)
{
	unsigned code = ((l->tdcr & 8) >> 1) | (l->tdcr & 3);
	uint64_t div = code == 7 ? 1 : 2ULL << code;

	return MAX(1, clock_tsc_hz() * div / VLAPIC_HZ);
}

static void vlapic_arm(struct vlapic *l)
{
	l->period = (uint64_t)l->tmict * vlapic_tsc_per_count(l);
	l->deadline = l->tmict ? rdtsc() + l->period : 0;
}

/* Fires an expired timer: its vector to IRR, unless masked. */
static void vlapic_timer_update(struct vlapic *l)
{
	uint64_t now = rdtsc();

	if (!l->deadline || now < l->deadline)
		return;
	if (!(l->lvt[0] & APIC_LVT_MASKED) && (l->svr & APIC_SVR_ENABLE) &&
	    (l->lvt[0] & 0xff) >= 16)
		vlapic_set(l->irr, l->lvt[0] & 0xff, true);
	if ((l->lvt[0] & APIC_LVT_PERIODIC) && l->period)
		l->deadline = MAX(l->deadline + l->period, now + 1);
	else
		l->deadline = 0;
}

static uint32_t vlapic_current_count(const struct vlapic *l)
{
	uint64_t now = rdtsc();

	if (!l->deadline || now >= l->deadline)
		return 0;
	return (uint32_t)((l->deadline - now) / vlapic_tsc_per_count(l));
}

static uint32_t vlapic_read(struct vcpu *v, struct vlapic *l, unsigned reg)
{
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
	case APIC_ID: return (uint32_t)v->id << 24;
	case APIC_VER: return APIC_VERSION;
	case APIC_TPR: return l->tpr;
	case APIC_PPR:
		return MAX(l->tpr & 0xf0,
			   (uint32_t)MAX(vlapic_highest(l->isr), 0) & 0xf0);
	case APIC_LDR: return l->ldr;
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

static void vlapic_write(struct vcpu *v, struct vlapic *l, unsigned reg,
			 uint32_t val)
{
	int vec;

	if (reg >= APIC_LVT_TIMER && reg <= APIC_LVT_ERROR) {
		l->lvt[(reg - APIC_LVT_TIMER) / 16] =
			(l->svr & APIC_SVR_ENABLE) ? val :
						     val | APIC_LVT_MASKED;
		return;
	}
	switch (reg) {
	case APIC_TPR: l->tpr = val & 0xff; break;
	case APIC_EOI:
		if ((vec = vlapic_highest(l->isr)) < 0)
			break;
		vlapic_set(l->isr, vec, false);
		if (l->tmr[vec / 32] & (1u << (vec % 32))) {
			vlapic_set(l->tmr, vec, false);
			irq_eoi(v->domain, (uint8_t)vec);
		}
		break;
	case APIC_LDR: l->ldr = val & 0xff000000; break;
	case APIC_DFR: l->dfr = val | 0x0fffffff; break;
	case APIC_SVR: l->svr = val & 0x3ff; break;
	case APIC_ESR: l->esr = 0; break;
	case APIC_ICR_LO: l->icr_lo = val; break;
	case APIC_ICR_HI: l->icr_hi = val; break;
	case APIC_TMICT:
		l->tmict = val;
		vlapic_arm(l);
		break;
	case APIC_TDCR: l->tdcr = val & 0xb; break;
	default: break;
	}
}

/* Registers are 32 bits wide at 16-byte strides; other accesses read 0
 * and are dropped, as the SDM leaves them undefined. */
static int vlapic_mmio(struct domain *d, void *opaque, uint64_t addr,
		       unsigned size, bool write, uint64_t *val)
{
	struct vcpu *v = opaque;
	struct vlapic *l = &v->lapic;
	unsigned reg = (unsigned)(addr - VLAPIC_BASE);

	if (size != 4 || reg % 16) {
		if (!write)
			*val = 0;
		return 0;
	}
	if (write)
		vlapic_write(v, l, reg, (uint32_t)*val);
	else
		*val = vlapic_read(v, l, reg);
	return 0;
}

int vlapic_init(struct vcpu *v)
{
	struct vlapic *l = &v->lapic;
	int i;

	memset(l, 0, sizeof(*l));
	for (i = 0; i < 6; i++)
		l->lvt[i] = APIC_LVT_MASKED;
	l->svr = 0xff;
	l->dfr = 0xffffffff;
	l->enabled = true;
	if (v->id != 0)
		return 0;
	return io_register_mmio(v->domain, VLAPIC_BASE, PAGE_SIZE, vlapic_mmio,
				v, "local APIC");
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
	return vlapic_pending(v) || v->lapic.deadline;
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

/* Whether l's APIC accepts a message for dest. */
static bool vlapic_match(const struct vcpu *v, uint32_t dest, bool logical)
{
	if (!logical)
		return dest == 0xff || dest == (uint32_t)v->id;
	return (v->lapic.ldr >> 24) & dest;
}

void vlapic_deliver(struct domain *d, uint32_t dest, bool logical,
		    unsigned mode, uint8_t vec, bool level)
{
	int i;

	if ((mode != APIC_DM_FIXED && mode != APIC_DM_LOWEST) || vec < 16)
		return;
	for (i = 0; i < d->nvcpus; i++) {
		struct vcpu *v = &d->vcpus[i];

		if (!v->domain || !vlapic_match(v, dest, logical))
			continue;
		vlapic_set(v->lapic.irr, vec, true);
		vlapic_set(v->lapic.tmr, vec, level);
		if (mode == APIC_DM_LOWEST)
			return;
	}
}

uint64_t vlapic_base_msr(struct vcpu *v)
{
	return VLAPIC_BASE | (v->lapic.enabled ? APIC_BASE_ENABLE : 0) |
	       (v->id == 0 ? APIC_BASE_BSP : 0);
}

/* Only enabling and disabling is supported; the base cannot move. */
int vlapic_set_base_msr(struct vcpu *v, uint64_t val)
{
	if ((val & ~(APIC_BASE_ENABLE | APIC_BASE_BSP)) != VLAPIC_BASE)
		return -E_INVAL;
	v->lapic.enabled = val & APIC_BASE_ENABLE;
	return 0;
}
