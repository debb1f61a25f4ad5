/*
 * pic.h - the 8259A pair of an hvm domain (kernel/dev/pic.c) and its
 * edge/level control registers, at the PLATFORM_PIC_* and ELCR ports.
 */
#ifndef KERNEL_DEV_PIC_H
#define KERNEL_DEV_PIC_H

#include <inc/types.h>

/* One 8259A: bit n of each mask is its input IRn. */
struct pic_chip {
	uint8_t irr, isr, imr;
	uint8_t lines;		/* input levels, for edge detection */
	uint8_t elcr;		/* level-triggered inputs */
	uint8_t base;		/* ICW2: vector of IR0 */
	uint8_t lowest;		/* the input of lowest priority (rotation) */
	uint8_t init;		/* the ICW expected next: 0 none, 2, 3 or 4 */
	bool icw4, single;	/* ICW1's IC4 and SNGL */
	bool aeoi, rotate_aeoi; /* ICW4's AEOI; OCW2's rotate in AEOI */
	bool sfnm, smm;	     /* special fully nested and special mask modes */
	bool read_isr, poll; /* OCW3's RR/RIS and P */
};

struct pic {
	struct pic_chip chip[2]; /* master, slave */
	bool intr; /* INTR raised to the CPU and not yet acknowledged */
};

/* Resets both chips as at power-on: every input masked off. */
void pic_reset(struct pic *p);

/* Drives input irq (0-15) high or low. */
void pic_set_irq(struct pic *p, unsigned irq, bool high);

/*
 * The interrupt acknowledge cycle: the vector of the highest-priority
 * request, now in service; IRQ 7's (or 15's) vector when INTR was raised
 * but the request went away (spurious); -1 when INTR is low.
 */
int pic_ack(struct pic *p);

/* A byte access to a PIC or ELCR port (0x20, 0x21, 0xa0, 0xa1, 0x4d0,
 * 0x4d1). */
uint8_t pic_read(struct pic *p, unsigned port);
void pic_write(struct pic *p, unsigned port, uint8_t val);

#endif
