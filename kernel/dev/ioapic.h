/* ioapic.h - the I/O APIC of an hvm domain (kernel/dev/ioapic.c). */
#ifndef KERNEL_DEV_IOAPIC_H
#define KERNEL_DEV_IOAPIC_H

#include <inc/types.h>
#include <kernel/dev/platform.h>

struct domain;

struct ioapic {
	uint32_t regsel; /* IOREGSEL */
	uint32_t id;	 /* IOAPICID bits 27-24 */
	uint32_t lines;	 /* pin levels */
	uint64_t redir[PLATFORM_IOAPIC_PINS];
};

/* Resets a's pins (all masked) and claims its MMIO page in d; 0 or -E_*. */
int ioapic_init(struct domain *d, struct ioapic *a);

/* Drives pin of d's IOAPIC high or low. */
void ioapic_set_irq(struct domain *d, unsigned pin, bool high);

/* Whether pin is unmasked and its vector waits in a local APIC's IRR. */
bool ioapic_waiting(struct domain *d, unsigned pin);

/* A local APIC's EOI of level-triggered vector vec (irq_eoi). */
void ioapic_eoi(struct domain *d, uint8_t vec);

/* The indirect registers (IOREGSEL's index): IOAPICID, IOAPICVER,
 * IOAPICARB and the redirection table from 0x10. */
uint32_t ioapic_reg_read(struct domain *d, unsigned reg);
void ioapic_reg_write(struct domain *d, unsigned reg, uint32_t val);

#endif
