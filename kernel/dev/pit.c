/*
 * pit.c - the 8254 programmable interval timer of an hvm domain, after
 * the Intel 82C54 data sheet: modes 0, 2, 3 and 4; modes 1 and 5, which
 * wait for a gate trigger, never start.  Channel 2's gate and output are
 * bits 0 and 5 of port 0x61, as Linux's TSC calibration uses them.
 *
 * Nothing ticks: a counter's value and output are computed from the TSC
 * when read.  Periods that passed while the vcpu could not exit are owed
 * and raised later, so the rate holds over time.  As KVM does, a short
 * period is clamped (here to 1 ms): a count of 1 (1.19 MHz) so leaves
 * the guest time to run between its interrupts.
 */
#include <inc/x86.h>
#include <kernel/kernel.h>
#include <kernel/clock.h>
#include <kernel/dev/io.h>
#include <kernel/dev/platform.h>
#include <kernel/dev/pit.h>

#define PIT_RW(c)   (((c)->ctrl >> 4) & 3) /* 1 LSB, 2 MSB, 3 both */
#define PIT_BACKLOG 64	 /* channel 0 interrupts owed at most */
#define PIT_MIN_GAP 1000 /* per second: at least 1 ms between them */

/* The count as a number of clocks: 0 stands for 65536. */
static uint64_t pit_n(const struct pit_channel *c)
{
	return c->reload ? c->reload : 0x10000;
}

/* PIT clocks counted by TSC now (without overflow for years of TSC). */
static uint64_t pit_clocks(const struct pit_channel *c, uint64_t now)
{
	if (!c->counting || !c->gate)
		return c->held;
	return c->held + clock_tsc_to(now - c->start, PLATFORM_PIT_HZ);
}

/* The counting element's value (figures "Mode 0" to "Mode 4"; mode 3
 * counts down by two each half period). */
static uint16_t pit_count(const struct pit_channel *c, uint64_t now)
{
	uint64_t n = pit_n(c), t = pit_clocks(c, now);

	switch (pit_mode(c)) {
	case 2: return (uint16_t)(n - t % n);
	case 3: return (uint16_t)(n - 2 * (t % MAX(n / 2, 1)));
	default: return (uint16_t)(n - t);
	}
}

/* OUT: low until terminal count in mode 0; a one-clock low pulse each
 * period in mode 2; high for the first half period in mode 3. */
static bool pit_out(const struct pit_channel *c, uint64_t now)
{
	uint64_t n = pit_n(c), t = pit_clocks(c, now);

	if (!c->counting)
		return pit_mode(c) != 0;
	switch (pit_mode(c)) {
	case 0: return t >= n;
	case 2: return !c->gate || t % n != n - 1;
	case 3: return !c->gate || t % n < (n + 1) / 2;
	case 4: return t != n;
	default: return true;
	}
}

/* A new count starts counting (when written, or at the gate's rise). */
static void pit_start(struct pit_channel *c, uint64_t now)
{
	c->start = now;
	c->held = 0;
	c->fired = 0;
	c->counting = true;
}

static void pit_write_count(struct pit_channel *c, uint8_t val, uint64_t now)
{
	switch (PIT_RW(c)) {
	case 1: c->reload = val; break;
	case 2: c->reload = (uint16_t)(val << 8); break;
	default:
		c->write_hi = !c->write_hi;
		if (c->write_hi) {
			c->lsb = val;
			return;
		}
		c->reload = (uint16_t)(c->lsb | val << 8);
		break;
	}
	if (pit_mode(c) != 1 && pit_mode(c) != 5)
		pit_start(c, now);
}

/* "Read-Back Command": latch the count and/or status of channels. */
static void pit_latch(struct pit_channel *c, bool count, bool status,
		      uint64_t now)
{
	if (count && !c->latched) {
		c->latch = pit_count(c, now);
		c->latched = true;
		c->read_hi = false;
	}
	if (status && !c->status_latched) {
		c->status = (uint8_t)(pit_out(c, now) << 7 | !c->counting << 6 |
				      c->ctrl);
		c->status_latched = true;
	}
}

static void pit_control(struct pit *p, uint8_t val, uint64_t now)
{
	struct pit_channel *c = &p->ch[(val >> 6) % 3];
	int i;

	if ((val >> 6) == 3) {
		for (i = 0; i < 3; i++)
			if (val & (2 << i))
				pit_latch(&p->ch[i], !(val & 0x20),
					  !(val & 0x10), now);
		return;
	}
	if (!(val & 0x30)) {
		pit_latch(c, true, false, now);
		return;
	}
	c->ctrl = val & 0x3f;
	c->counting = c->latched = c->status_latched = false;
	c->write_hi = c->read_hi = false;
}

/* The next byte of a latched or live count, as the RW field orders them. */
static uint8_t pit_read_count(struct pit_channel *c, uint64_t now)
{
	uint16_t v = c->latched ? c->latch : pit_count(c, now);
	bool hi = PIT_RW(c) == 2 || (PIT_RW(c) == 3 && c->read_hi);

	if (PIT_RW(c) == 3)
		c->read_hi = !c->read_hi;
	if (PIT_RW(c) != 3 || !c->read_hi)
		c->latched = false;
	return hi ? (uint8_t)(v >> 8) : (uint8_t)v;
}

/* Port 0x61 bit 0 gates channel 2: a rise restarts modes 2 and 3; a low
 * gate holds the count in modes 0 and 4 ("Gate"). */
static void pit_gate(struct pit_channel *c, bool gate, uint64_t now)
{
	if (gate == c->gate)
		return;
	if (!gate)
		c->held = pit_clocks(c, now);
	c->gate = gate;
	if (gate && c->counting && (pit_mode(c) == 2 || pit_mode(c) == 3))
		pit_start(c, now);
	else if (gate)
		c->start = now;
}

uint8_t pit_read(struct pit *p, unsigned port, uint64_t now)
{
	struct pit_channel *c = &p->ch[port & 3];

	if (port == PLATFORM_PORT_61) {
		p->refresh = !p->refresh;
		return (uint8_t)(p->port61 | p->refresh << 4 |
				 pit_out(&p->ch[2], now) << 5);
	}
	if (port - PLATFORM_PIT >= 3)
		return 0xff;
	if (c->status_latched) {
		c->status_latched = false;
		return c->status;
	}
	return pit_read_count(c, now);
}

void pit_write(struct pit *p, unsigned port, uint8_t val, uint64_t now)
{
	if (port == PLATFORM_PORT_61) {
		p->port61 = val & 0x0f;
		pit_gate(&p->ch[2], val & 1, now);
	} else if (port == PLATFORM_PIT + 3)
		pit_control(p, val, now);
	else if (port - PLATFORM_PIT < 3)
		pit_write_count(&p->ch[port & 3], val, now);
}

bool pit_due(struct pit *p, uint64_t now)
{
	struct pit_channel *c = &p->ch[0];
	uint64_t periods;

	if (!c->counting)
		return false;
	periods = pit_clocks(c, now) / pit_n(c);
	if (pit_mode(c) != 2 && pit_mode(c) != 3)
		periods = MIN(periods, 1);
	if (periods > c->fired + PIT_BACKLOG)
		c->fired = periods - PIT_BACKLOG;
	return periods > c->fired &&
	       now - p->raised >= clock_tsc_hz() / PIT_MIN_GAP;
}

void pit_raised(struct pit *p, uint64_t now)
{
	p->ch[0].fired++;
	p->raised = now;
}

uint64_t pit_next(struct pit *p, uint64_t now)
{
	struct pit_channel *c = &p->ch[0];
	uint64_t gap = p->raised + clock_tsc_hz() / PIT_MIN_GAP;
	uint64_t end = (c->fired + 1) * pit_n(c); /* the next one owed */

	if (!pit_armed(p) || !c->gate)
		return 0;
	if (end <= pit_clocks(c, now))
		return MAX(now, gap);
	return MAX(c->start + clock_tsc_for(end - c->held, PLATFORM_PIT_HZ),
		   gap);
}

/* Byte by byte: a word access reaches the next port too. */
static int pit_io(struct domain *d, void *opaque, uint64_t port, unsigned size,
		  bool write, uint64_t *val)
{
	struct pit *p = opaque;
	uint64_t now = rdtsc(), v = 0;
	unsigned i;

	for (i = 0; i < size; i++) {
		if (write)
			pit_write(p, (unsigned)port + i,
				  (uint8_t)(*val >> 8 * i), now);
		else
			v |= (uint64_t)pit_read(p, (unsigned)port + i, now)
			     << 8 * i;
	}
	if (!write)
		*val = v;
	return 0;
}

int pit_init(struct domain *d, struct pit *p)
{
	int r;

	memset(p, 0, sizeof(*p));
	p->ch[0].gate = p->ch[1].gate = true;
	r = io_register_port(d, PLATFORM_PIT, 4, pit_io, p, "8254 PIT");
	if (r == 0)
		r = io_register_port(d, PLATFORM_PORT_61, 1, pit_io, p,
				     "port 0x61");
	return r;
}
