/*
 * sched.h - the scheduler (kernel/sched.c, labs 2 and 3): round-robin over the
 * runnable vcpus of every domain on the one physical CPU.
 */
#ifndef KERNEL_SCHED_H
#define KERNEL_SCHED_H

/*
 * The longest a vcpu runs before the next one gets the CPU; the backends'
 * preemption timers (vmx.c) fire at the same period.
 */
#define SCHED_SLICE_US 10000

/*
 * Runs every runnable vcpu until no domain is running, under the boot
 * command line's "timeout=SECONDS"; idles while every vcpu waits in HLT.
 */
void sched_run(void);

#endif
