/*
 * pit.h - the 8254 of an hvm domain (kernel/dev/pit.c) at ports 0x40-0x43
 * and 0x61.  Channel 0 drives ISA line 0.
 */
#ifndef KERNEL_DEV_PIT_H
#define KERNEL_DEV_PIT_H

#include <inc/types.h>

struct domain;

struct pit_channel {
	uint64_t start;	 /* TSC when counting (re)started */
	uint64_t held;	 /* PIT clocks counted before that (gate low) */
	uint64_t fired;	 /* interrupts raised for this count (channel 0) */
	uint16_t reload; /* the count written; 0 means 65536 */
	uint16_t latch;	 /* the count latched */
	uint8_t ctrl;	 /* the control word's bits 5-0: RW, mode, BCD */
	uint8_t status;	 /* the status latched */
	uint8_t lsb;	 /* the low byte written, the high one due */
	bool write_hi, read_hi; /* the byte flip-flops */
	bool latched, status_latched;
	bool counting; /* a count is loaded */
	bool gate;
};

struct pit {
	struct pit_channel ch[3];
	uint64_t raised; /* TSC when channel 0's last interrupt was raised */
	uint8_t port61;	 /* bits 0-3 as written */
	bool refresh;	 /* port 0x61 bit 4 */
};

/* Resets p: nothing counts, channel 2's gate is low.  0 or -E_*. */
int pit_init(struct domain *d, struct pit *p);

/* A byte access at TSC now to ports 0x40-0x43 or 0x61. */
uint8_t pit_read(struct pit *p, unsigned port, uint64_t now);
void pit_write(struct pit *p, unsigned port, uint8_t val, uint64_t now);

/*
 * Whether channel 0 owes an interrupt by TSC now: a count ended since
 * the last one raised (pit_raised), which is at least 1 ms ago.
 */
bool pit_due(struct pit *p, uint64_t now);

/* Channel 0's interrupt was raised at TSC now: one fewer owed. */
void pit_raised(struct pit *p, uint64_t now);

/* The TSC at which channel 0 may next raise an interrupt (pit_due), or
 * 0 if it never will. */
uint64_t pit_next(struct pit *p, uint64_t now);
/* A channel's mode 0-5 (modes 6 and 7 are 2 and 3). */
static inline unsigned pit_mode(const struct pit_channel *c)
{
	unsigned m = (c->ctrl >> 1) & 7;

	return m > 5 ? m - 4 : m;
}

/* Whether channel 0 will still raise an interrupt.  Inline: every exit
 * of an hvm guest asks, and most guests leave the PIT idle once booted. */
static inline bool pit_armed(const struct pit *p)
{
	const struct pit_channel *c = &p->ch[0];

	return c->counting &&
	       (pit_mode(c) == 2 || pit_mode(c) == 3 || !c->fired);
}

#endif
