/*
 * msr.h - the MSRs guests see (kernel/msr.c, lab 3).
 */
#ifndef KERNEL_MSR_H
#define KERNEL_MSR_H

#include <inc/types.h>

struct vcpu;

/*
 * Guest MSR access.  Return 0, or -E_NOT_FOUND for an MSR
 * hvlab does not emulate and -E_INVAL for a value the MSR does not accept;
 * both become #GP(0) in the guest.
 */
int msr_read(struct vcpu *v, uint32_t msr, uint64_t *val);
int msr_write(struct vcpu *v, uint32_t msr, uint64_t val);

#endif
