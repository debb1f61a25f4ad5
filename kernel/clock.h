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

/* Microseconds that tsc_ticks TSC ticks take. */
uint64_t clock_tsc_to_us(uint64_t tsc_ticks);

/* Spins for at least us microseconds. */
void clock_udelay(uint64_t us);

#endif
