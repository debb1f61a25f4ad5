/*
 * irq.h - an hvm domain's interrupt lines (kernel/dev/irq.c): what a device
 * drives and where it arrives.  ISA line n reaches input n of the 8259A
 * pair and pin n of the IOAPIC (line 0, the PIT, pin 2, as the MADT's
 * interrupt source override says); the IOAPIC delivers to the local APICs
 * and the PIC through LINT0 of vcpu 0 in ExtINT mode (virtual wire).
 */
#ifndef KERNEL_DEV_IRQ_H
#define KERNEL_DEV_IRQ_H

#include <inc/types.h>
#include <kernel/dev/pic.h>
#include <kernel/dev/pit.h>
#include <kernel/dev/ioapic.h>

struct domain;

/* An hvm domain's interrupt controllers and the timer on line 0. */
struct irq_devices {
	struct pic pic;
	struct ioapic ioapic;
	struct pit pit;
};

/*
 * Gives d its PIC (ports and ELCR), IOAPIC and PIT; 0 or -E_*.  Other
 * domain types keep all lines unconnected.
 */
int irq_init(struct domain *d);

/* Drives ISA line irq (0-15) of d high or low. */
void irq_set(struct domain *d, unsigned irq, bool high);

/*
 * Whether an earlier edge on ISA line irq still waits for a CPU: pending
 * and unmasked in the PIC, or its IOAPIC pin's vector pending in a local
 * APIC.
 */
bool irq_waiting(struct domain *d, unsigned irq);

/* A rising then falling edge on ISA line irq. */
void irq_pulse(struct domain *d, unsigned irq);

/* Whether d's PIC has an interrupt for the CPU (its INTR output). */
bool irq_extint_pending(struct domain *d);

/*
 * The interrupt acknowledge cycle: the vector d's PIC hands the CPU, now
 * in service there, or -1 when nothing is pending.
 */
int irq_extint_ack(struct domain *d);

/*
 * A local APIC EOI for level-triggered vector vec: the IOAPIC clears the
 * remote IRR of the pins using it and delivers again those still asserted.
 */
void irq_eoi(struct domain *d, uint8_t vec);

#endif
