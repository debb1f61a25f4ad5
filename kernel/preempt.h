/*
 * preempt.h - the preemption timer (kernel/preempt.c, labs 2 and 3): a host
 * interrupt every period while guests run, so a guest that never exits
 * still gives the CPU back.
 */
#ifndef KERNEL_PREEMPT_H
#define KERNEL_PREEMPT_H

#include <inc/types.h>

/* Starts a tick every period_us; 0, or -E_NOT_SUPP without a local APIC. */
int preempt_init(uint64_t period_us);
void preempt_stop(void);

/* Makes the timer interrupt by TSC value tsc too, for the guest about
 * to run (0: nothing); a later call replaces it. */
void preempt_arm(uint64_t tsc);

/*
 * Sleeps in HLT until a host interrupt, at the latest about wake_tsc (and
 * one period); without a timer it only pauses.  Called with interrupts off.
 */
void preempt_idle(uint64_t wake_tsc);

/* Ticks taken since boot. */
uint64_t preempt_tick_count(void);

#endif
