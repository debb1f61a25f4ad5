/*
 * irq.c - an hvm domain's interrupt lines: ISA line n to the 8259A pair
 * and to the IOAPIC (kernel/dev/irq.h).
 */
#include <kernel/kernel.h>
#include <kernel/domain.h>
#include <kernel/dev/irq.h>

void irq_set(struct domain *d, unsigned irq, bool high)
{
	(void)d, (void)irq, (void)high;
}

void irq_pulse(struct domain *d, unsigned irq)
{
	irq_set(d, irq, true);
	irq_set(d, irq, false);
}

bool irq_extint_pending(struct domain *d)
{
	(void)d;
	return false;
}

int irq_extint_ack(struct domain *d)
{
	(void)d;
	return -1;
}

void irq_eoi(struct domain *d, uint8_t vec)
{
	(void)d, (void)vec;
}
