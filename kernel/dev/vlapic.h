/*
 * vlapic.h - the local APIC each vcpu sees (kernel/dev/vlapic.c, lab 3).
 */
#ifndef KERNEL_VLAPIC_H
#define KERNEL_VLAPIC_H

#include <inc/types.h>

struct vcpu;

#define VLAPIC_BASE 0xfee00000ULL
#define VLAPIC_HZ   100000000ULL /* the timer's input clock: 100 MHz */

struct vlapic {
	uint32_t tpr, svr, ldr, dfr, esr, tdcr, tmict;
	uint32_t esr_pending; /* errors since the last ESR write */
	uint32_t icr_lo,
		icr_hi;	 /* icr_hi: the destination as the mode has it */
	uint32_t lvt[6]; /* timer, thermal, perf, LINT0, LINT1, error */
	uint32_t irr[8], isr[8], tmr[8];
	uint64_t deadline; /* TSC when the timer fires next; 0: idle */
	uint64_t start; /* TSC when TMICT was written: periods count from it */
	bool enabled;	/* IA32_APIC_BASE.EN */
	bool x2apic;	/* IA32_APIC_BASE.EXTD */
	bool nmi;	/* an NMI waits for delivery */
	bool init;	/* an INIT waits for the scheduler to reset the vcpu */
	int sipi;	/* the STARTUP vector waiting, or -1 */
};

/*
 * Resets v's APIC (vcpu 0's as the firmware leaves it: virtual wire mode)
 * and claims the MMIO page for v's domain; 0 or -E_*.
 */
int vlapic_init(struct vcpu *v);

/*
 * The vector to deliver to v now, moved from IRR to ISR, or -1 when none
 * outranks the interrupts in service and the TPR.  Fires an expired timer
 * first.
 */
int vlapic_take_interrupt(struct vcpu *v);

/* Whether an interrupt or NMI is pending or the timer is armed: HLT can end. */
bool vlapic_can_wake(struct vcpu *v);

/* Whether an interrupt waits in IRR (after firing an expired timer). */
bool vlapic_pending(struct vcpu *v);

/* Whether an NMI waits for v; it is then taken. */
bool vlapic_take_nmi(struct vcpu *v);

/*
 * Delivers an interrupt message (an IOAPIC redirection entry, an IPI) to
 * the local APICs of d that dest selects, physical or logical; mode is
 * APIC_DM_*.  A level-triggered vector is marked in TMR so its EOI
 * reaches irq_eoi.
 */
void vlapic_deliver(struct domain *d, uint32_t dest, bool logical,
		    unsigned mode, uint8_t vec, bool level);

/* IA32_APIC_BASE (MSR 0x1b). */
uint64_t vlapic_base_msr(struct vcpu *v);
int vlapic_set_base_msr(struct vcpu *v, uint64_t val);

/*
 * The x2APIC registers (MSRs 0x800-0x8ff, in x2APIC mode) and
 * IA32_TSC_DEADLINE: 0, or -E_INVAL where the SDM raises #GP.
 */
int vlapic_msr_read(struct vcpu *v, uint32_t msr, uint64_t *val);
int vlapic_msr_write(struct vcpu *v, uint32_t msr, uint64_t val);

#endif
