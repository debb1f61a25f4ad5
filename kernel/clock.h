/*
 * clock.h - time from the TSC, calibrated at boot (kernel/clock.c, lab 1).
 */
#ifndef KERNEL_CLOCK_H
#define KERNEL_CLOCK_H

#include <inc/types.h>

/* Measures the TSC frequency and prints it; call once at boot. */
void clock_init(void);

/* TSC ticks per second (0 before clock_init). */
uint64_t clock_tsc_hz(void);

/* Nanoseconds from clock_init to the TSC value tsc. */
uint64_t clock_tsc_ns(uint64_t tsc);

/*
 * Unix time in ns at TSC value tsc: the host's CMOS clock, read on the
 * first call (to the second), plus the TSC time since.
 */
uint64_t clock_unix_ns(uint64_t tsc);

/* Counts of an hz clock in ticks TSC ticks, rounded down, and the TSC
 * ticks n counts take, rounded up: exact, and without overflow for
 * centuries of TSC (hz <= 1e9). */
static inline uint64_t clock_tsc_to(uint64_t ticks, uint64_t hz)
{
	uint64_t tsc_hz = clock_tsc_hz();

	return ticks / tsc_hz * hz + ticks % tsc_hz * hz / tsc_hz;
}

static inline uint64_t clock_tsc_for(uint64_t n, uint64_t hz)
{
	uint64_t tsc_hz = clock_tsc_hz();

	return n / hz * tsc_hz + (n % hz * tsc_hz + hz - 1) / hz;
}

/* Microseconds that tsc_ticks TSC ticks take. */
uint64_t clock_tsc_to_us(uint64_t tsc_ticks);

/* Spins for at least us microseconds. */
void clock_udelay(uint64_t us);

#endif
