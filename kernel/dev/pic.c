/*
 * pic.c - the 8259A pair of an hvm domain, after the Intel 8259A data
 * sheet, with the slave cascaded on the master's IR2, and the PC's
 * edge/level control registers (ELCR; lines 0, 1, 2, 8 and 13 are edge
 * only, as on the PIIX).
 *
 * Every byte a guest writes is a valid register value, so a hostile guest
 * can only confuse its own interrupts.
 */
#include <kernel/kernel.h>
#include <kernel/dev/platform.h>
#include <kernel/dev/pic.h>

#define PIC_CASCADE  2
#define PIC_SPURIOUS 7
static const uint8_t pic_elcr_mask[2] = { 0xf8, 0xde };

/* The priority rank of input irq: 0 is served first. */
static unsigned pic_rank(const struct pic_chip *c, unsigned irq)
{
	return (irq - c->lowest - 1) & 7;
}

/* The highest-priority input in mask, or -1. */
static int pic_highest(const struct pic_chip *c, uint8_t mask)
{
	unsigned r;

	for (r = 0; r < 8; r++)
		if (mask & (1u << ((r + c->lowest + 1) & 7)))
			return (int)((r + c->lowest + 1) & 7);
	return -1;
}

/*
 * The request chip c would pass to the CPU: the highest unmasked one in
 * IRR that outranks every interrupt in service, or -1 ("Interrupt
 * Sequence"; "Special Mask Mode"; "Special Fully Nested Mode").
 */
static int pic_request(const struct pic_chip *c, bool master)
{
	int req = pic_highest(c, c->irr & ~c->imr);
	uint8_t isr = c->isr;
	int cur;

	if (req < 0)
		return -1;
	if (c->smm)
		isr &= ~c->imr;
	if (master && c->sfnm)
		isr &= ~(1u << PIC_CASCADE);
	cur = pic_highest(c, isr);
	if (cur >= 0 &&
	    pic_rank(c, (unsigned)cur) <= pic_rank(c, (unsigned)req))
		return -1;
	return req;
}

/* Input irq of chip c goes to level high; IRR follows ("Edge and Level
 * Triggered Modes"). */
static void pic_chip_input(struct pic_chip *c, unsigned irq, bool high)
{
	uint8_t bit = 1u << irq;

	if (high && (!(c->lines & bit) || (c->elcr & bit)))
		c->irr |= bit;
	if (!high && (c->elcr & bit))
		c->irr &= ~bit;
	c->lines = high ? c->lines | bit : c->lines & ~bit;
}

/* The slave's INT output drives the master's IR2; INTR is latched until
 * the acknowledge, where a vanished request reads as IRQ 7. */
static void pic_update(struct pic *p)
{
	pic_chip_input(&p->chip[0], PIC_CASCADE,
		       pic_request(&p->chip[1], false) >= 0);
	if (pic_request(&p->chip[0], true) >= 0)
		p->intr = true;
}

void pic_set_irq(struct pic *p, unsigned irq, bool high)
{
	if (irq >= 16)
		return;
	pic_chip_input(&p->chip[irq / 8], irq % 8, high);
	pic_update(p);
}

/* Chip c hands request irq to the CPU: in service unless in automatic
 * EOI mode; an edge request leaves IRR. */
static void pic_chip_ack(struct pic_chip *c, unsigned irq)
{
	uint8_t bit = 1u << irq;

	if (c->aeoi && c->rotate_aeoi)
		c->lowest = (uint8_t)irq;
	else if (!c->aeoi)
		c->isr |= bit;
	if (!(c->elcr & bit))
		c->irr &= ~bit;
}

/* The acknowledged input of chip c, or IR7 when its request vanished. */
static unsigned pic_chip_take(struct pic_chip *c, bool master)
{
	int irq = pic_request(c, master);

	if (irq < 0)
		return PIC_SPURIOUS;
	pic_chip_ack(c, (unsigned)irq);
	return (unsigned)irq;
}

int pic_ack(struct pic *p)
{
	unsigned irq;
	int vec;

	if (!p->intr)
		return -1;
	p->intr = false;
	irq = pic_chip_take(&p->chip[0], true);
	if (irq == PIC_CASCADE && !p->chip[0].single)
		vec = p->chip[1].base + pic_chip_take(&p->chip[1], false);
	else
		vec = p->chip[0].base + irq;
	pic_update(p);
	return vec;
}

/* Poll command (OCW3 P): the acknowledge as a read, 0x80 | level. */
static uint8_t pic_poll(struct pic *p, unsigned which)
{
	struct pic_chip *c = &p->chip[which];
	int irq = pic_request(c, which == 0);

	c->poll = false;
	if (irq < 0)
		return 0;
	pic_chip_ack(c, (unsigned)irq);
	pic_update(p);
	return 0x80 | (uint8_t)irq;
}

/* OCW2 (bits R, SL, EOI): end of interrupt, specific (SL) or not, with
 * rotation (R); else set priority (R and SL), or rotate in AEOI mode. */
static void pic_ocw2(struct pic_chip *c, uint8_t val)
{
	int irq = (val & 0x40) ? (val & 7) : pic_highest(c, c->isr);

	if ((val & 0x20) && irq >= 0) {
		c->isr &= ~(1u << irq);
		if (val & 0x80)
			c->lowest = (uint8_t)irq;
	} else if ((val & 0xe0) == 0xc0)
		c->lowest = val & 7;
	else if (!(val & 0x60))
		c->rotate_aeoi = val & 0x80;
}

/* ICW1 starts initialization: masks, priorities and edge latches reset. */
static void pic_icw1(struct pic_chip *c, uint8_t val)
{
	uint8_t elcr = c->elcr;

	memset(c, 0, sizeof(*c));
	c->elcr = elcr;
	c->lowest = 7;
	c->icw4 = val & 0x01;
	c->single = val & 0x02;
	c->init = 2;
}

/* A byte to the odd port: the next ICW, or OCW1. */
static void pic_data_write(struct pic_chip *c, uint8_t val)
{
	switch (c->init) {
	case 2:
		c->base = val & 0xf8;
		c->init = c->single ? (c->icw4 ? 4 : 0) : 3;
		break;
	case 3: c->init = c->icw4 ? 4 : 0; break;
	case 4:
		c->aeoi = val & 0x02;
		c->sfnm = val & 0x10;
		c->init = 0;
		break;
	default: c->imr = val; break;
	}
}

void pic_write(struct pic *p, unsigned port, uint8_t val)
{
	unsigned which = (port & 0x80) ? 1 : 0;
	struct pic_chip *c = &p->chip[which];

	if ((port & ~1u) == PLATFORM_ELCR)
		p->chip[port & 1].elcr = val & pic_elcr_mask[port & 1];
	else if (port & 1)
		pic_data_write(c, val);
	else if (val & 0x10)
		pic_icw1(c, val);
	else if (val & 0x08) {
		if (val & 0x02)
			c->read_isr = val & 0x01;
		if (val & 0x40)
			c->smm = val & 0x20;
		c->poll = val & 0x04;
	} else
		pic_ocw2(c, val);
	pic_update(p);
}

uint8_t pic_read(struct pic *p, unsigned port)
{
	unsigned which = (port & 0x80) ? 1 : 0;
	struct pic_chip *c = &p->chip[which];

	if ((port & ~1u) == PLATFORM_ELCR)
		return p->chip[port & 1].elcr;
	if (c->poll)
		return pic_poll(p, which);
	if (port & 1)
		return c->imr;
	return c->read_isr ? c->isr : c->irr;
}

void pic_reset(struct pic *p)
{
	memset(p, 0, sizeof(*p));
	pic_icw1(&p->chip[0], 0);
	pic_icw1(&p->chip[1], 0);
	p->chip[0].init = p->chip[1].init = 0;
	p->chip[0].imr = p->chip[1].imr = 0xff;
}
