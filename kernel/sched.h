/*
 * sched.h - the scheduler (kernel/sched.c, labs 2 and 3): round-robin over the
 * runnable vcpus of every domain on the one physical CPU.
 */
#ifndef KERNEL_SCHED_H
#define KERNEL_SCHED_H

struct vcpu;

/*
 * The longest a vcpu runs before the next one gets the CPU; the backends'
 * preemption timers (vmx.c) fire at the same period.
 */
#define SCHED_SLICE_US 10000

/*
 * Runs every runnable vcpu until no domain is running, or dom0 ended,
 * under the boot command line's "timeout=SECONDS"; idles while every
 * vcpu waits in HLT, polling the serial input for dom0.
 */
void sched_run(void);

/* The vcpu in its slice, NULL between slices: whose local APIC page an
 * MMIO access reaches (kernel/dev/vlapic.c). */
extern struct vcpu *sched_current;

#endif
