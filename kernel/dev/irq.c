/*
 * irq.c - an hvm domain's interrupt lines: ISA line n to the 8259A pair
 * and to the IOAPIC (kernel/dev/irq.h).
 */
#include <kernel/kernel.h>
#include <kernel/domain.h>
#include <kernel/dev/io.h>
#include <kernel/dev/platform.h>
#include <kernel/dev/irq.h>

#define IRQ_LINES 16

static int irq_pic_io(struct domain *d, void *opaque, uint64_t port,
		      unsigned size, bool write, uint64_t *val)
{
	/* The 8259A's registers are a byte wide. */
	if (size != 1 && !write)
		*val = ~0ULL >> (64 - 8 * size);
	else if (size == 1 && write)
		pic_write(&d->irq.pic, (unsigned)port, (uint8_t)*val);
	else if (size == 1)
		*val = pic_read(&d->irq.pic, (unsigned)port);
	return 0;
}

int irq_init(struct domain *d)
{
	int r;

	pic_reset(&d->irq.pic);
	r = io_register_port(d, PLATFORM_PIC_MASTER, 2, irq_pic_io, NULL,
			     "8259A master");
	if (r == 0)
		r = io_register_port(d, PLATFORM_PIC_SLAVE, 2, irq_pic_io, NULL,
				     "8259A slave");
	if (r == 0)
		r = io_register_port(d, PLATFORM_ELCR, 2, irq_pic_io, NULL,
				     "ELCR");
	if (r == 0)
		r = ioapic_init(d, &d->irq.ioapic);
	if (r == 0)
		r = pit_init(d, &d->irq.pit);
	return r;
}

/* The IOAPIC pin ISA line irq arrives on. */
static unsigned irq_pin(unsigned irq)
{
	return irq == PLATFORM_IRQ_PIT ? PLATFORM_GSI_PIT : irq;
}

void irq_set(struct domain *d, unsigned irq, bool high)
{
	if (d->type != DOMAIN_HVM || irq >= IRQ_LINES)
		return;
	pic_set_irq(&d->irq.pic, irq, high);
	ioapic_set_irq(d, irq_pin(irq), high);
}

bool irq_waiting(struct domain *d, unsigned irq)
{
	const struct pic_chip *c = &d->irq.pic.chip[irq / 8 % 2];

	return (c->irr & ~c->imr & (1u << irq % 8)) ||
	       ioapic_waiting(d, irq_pin(irq));
}

void irq_pulse(struct domain *d, unsigned irq)
{
	irq_set(d, irq, true);
	irq_set(d, irq, false);
}

bool irq_extint_pending(struct domain *d)
{
	return d->type == DOMAIN_HVM && d->irq.pic.intr;
}

int irq_extint_ack(struct domain *d)
{
	return d->type == DOMAIN_HVM ? pic_ack(&d->irq.pic) : -1;
}

void irq_eoi(struct domain *d, uint8_t vec)
{
	if (d->type == DOMAIN_HVM)
		ioapic_eoi(d, vec);
}
