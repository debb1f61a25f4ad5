/*
 * ioapic.c - the I/O APIC of an hvm domain, after the Intel 82093AA I/O
 * APIC data sheet, section 3 "Register Descriptions".
 *
 * A level-triggered pin delivers while asserted and its remote IRR is
 * clear; the local APIC's EOI of its vector clears remote IRR (irq_eoi).
 * Setting a pin to edge clears its remote IRR, as Linux relies on for a
 * version 0x11 IOAPIC, which has no EOI register.
 */
#include <inc/apic.h>
#include <kernel/kernel.h>
#include <kernel/domain.h>
#include <kernel/dev/io.h>
#include <kernel/dev/vlapic.h>
#include <kernel/dev/ioapic.h>

#define IOAPIC_IOREGSEL 0x00
#define IOAPIC_IOWIN	0x10
#define IOAPIC_VERSION	(0x11 | (PLATFORM_IOAPIC_PINS - 1) << 16)
#define IOAPIC_REDIR	0x10 /* two registers per pin */

#define REDIR_MODE(e)	 (((e) >> 8) & 7)
#define REDIR_LOGICAL	 (1ULL << 11)
#define REDIR_ACTIVE_LOW (1ULL << 13)
#define REDIR_REMOTE_IRR (1ULL << 14)
#define REDIR_LEVEL	 (1ULL << 15)
#define REDIR_MASKED	 (1ULL << 16)
#define REDIR_WRITABLE	 (0xff00000000000000ULL | 0x1afffULL)

/* Whether pin's input is active, as its polarity says. */
static bool ioapic_asserted(const struct ioapic *a, unsigned pin)
{
	return ((a->lines >> pin) & 1) ^ !!(a->redir[pin] & REDIR_ACTIVE_LOW);
}

/* Sends pin's interrupt message; a level one awaits its EOI. */
static void ioapic_deliver(struct domain *d, unsigned pin)
{
	uint64_t *e = &d->irq.ioapic.redir[pin];
	unsigned mode = REDIR_MODE(*e);
	bool level = *e & REDIR_LEVEL;

	if (*e & REDIR_MASKED || (level && (*e & REDIR_REMOTE_IRR)))
		return;
	vlapic_deliver(d, (uint32_t)(*e >> 56), *e & REDIR_LOGICAL, mode,
		       (uint8_t)*e, level);
	if (level && (mode == APIC_DM_FIXED || mode == APIC_DM_LOWEST) &&
	    (uint8_t)*e >= 16)
		*e |= REDIR_REMOTE_IRR;
}

void ioapic_set_irq(struct domain *d, unsigned pin, bool high)
{
	struct ioapic *a = &d->irq.ioapic;
	bool was;

	if (pin >= PLATFORM_IOAPIC_PINS)
		return;
	was = ioapic_asserted(a, pin);
	a->lines = high ? a->lines | 1u << pin : a->lines & ~(1u << pin);
	if (!ioapic_asserted(a, pin))
		return;
	if ((a->redir[pin] & REDIR_LEVEL) || !was)
		ioapic_deliver(d, pin);
}

bool ioapic_waiting(struct domain *d, unsigned pin)
{
	uint64_t e = d->irq.ioapic.redir[pin % PLATFORM_IOAPIC_PINS];
	uint8_t vec = (uint8_t)e;
	int i;

	if (e & REDIR_MASKED)
		return false;
	for (i = 0; i < d->nvcpus; i++)
		if (d->vcpus[i].lapic.irr[vec / 32] & (1u << vec % 32))
			return true;
	return false;
}

void ioapic_eoi(struct domain *d, uint8_t vec)
{
	struct ioapic *a = &d->irq.ioapic;
	unsigned pin;

	for (pin = 0; pin < PLATFORM_IOAPIC_PINS; pin++) {
		uint64_t *e = &a->redir[pin];

		if ((uint8_t)*e != vec || !(*e & REDIR_REMOTE_IRR))
			continue;
		*e &= ~REDIR_REMOTE_IRR;
		if (ioapic_asserted(a, pin))
			ioapic_deliver(d, pin);
	}
}

uint32_t ioapic_reg_read(struct domain *d, unsigned reg)
{
	struct ioapic *a = &d->irq.ioapic;
	unsigned pin = (reg - IOAPIC_REDIR) / 2;

	switch (reg) {
	case 0: return a->id;
	case 1: return IOAPIC_VERSION;
	case 2: return a->id;
	}
	if (pin >= PLATFORM_IOAPIC_PINS)
		return 0;
	return (uint32_t)(a->redir[pin] >> (reg & 1 ? 32 : 0));
}

/* A redirection entry written: a level pin still asserted, unmasked now
 * or with its remote IRR cleared, delivers. */
void ioapic_reg_write(struct domain *d, unsigned reg, uint32_t val)
{
	struct ioapic *a = &d->irq.ioapic;
	unsigned pin = (reg - IOAPIC_REDIR) / 2;
	uint64_t *e, mask;

	if (reg == 0)
		a->id = val & 0x0f000000;
	if (pin >= PLATFORM_IOAPIC_PINS)
		return;
	e = &a->redir[pin];
	mask = (reg & 1 ? 0xffffffff00000000ULL : 0xffffffffULL) &
	       REDIR_WRITABLE;
	*e = (*e & ~mask) | ((uint64_t)val << (reg & 1 ? 32 : 0) & mask);
	if (!(*e & REDIR_LEVEL))
		*e &= ~REDIR_REMOTE_IRR;
	else if (ioapic_asserted(a, pin))
		ioapic_deliver(d, pin);
}

/* 32-bit accesses to IOREGSEL and IOWIN; others read 0 and are dropped. */
static int ioapic_mmio(struct domain *d, void *opaque, uint64_t gpa,
		       unsigned size, bool write, uint64_t *val)
{
	struct ioapic *a = opaque;
	uint64_t off = gpa - PLATFORM_IOAPIC_BASE;

	if (!write)
		*val = 0;
	if (size != 4)
		return 0;
	if (off == IOAPIC_IOREGSEL && write)
		a->regsel = (uint32_t)*val & 0xff;
	else if (off == IOAPIC_IOREGSEL)
		*val = a->regsel;
	else if (off == IOAPIC_IOWIN && write)
		ioapic_reg_write(d, a->regsel, (uint32_t)*val);
	else if (off == IOAPIC_IOWIN)
		*val = ioapic_reg_read(d, a->regsel);
	return 0;
}

int ioapic_init(struct domain *d, struct ioapic *a)
{
	unsigned pin;

	memset(a, 0, sizeof(*a));
	for (pin = 0; pin < PLATFORM_IOAPIC_PINS; pin++)
		a->redir[pin] = REDIR_MASKED;
	return io_register_mmio(d, PLATFORM_IOAPIC_BASE, 0x1000, ioapic_mmio, a,
				"IOAPIC");
}
