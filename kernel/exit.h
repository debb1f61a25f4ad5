/*
 * exit.h - what the exit handlers (kernel/exit.c) share with the guest
 * CPU policy: which CPUID leaves and MSRs a guest sees (lab 3).
 */
#ifndef KERNEL_EXIT_H
#define KERNEL_EXIT_H

#include <inc/types.h>
#include <inc/x86.h>

struct vcpu;

/* hvlab's hypervisor leaves (kernel/cpuid.c). */
#define CPUID_HV_BASE		0x40000000
#define CPUID_HV_MAX		0x40000001
#define CPUID_HV_SIGNATURE	"hvlabhvlabhv"

/* The CPUID result v sees for leaf/subleaf (kernel/cpuid.c). */
struct cpuid_regs cpuid_policy(struct vcpu *v, uint32_t leaf,
			       uint32_t subleaf);

/* CR4 bits a guest may set on this CPU (kernel/cpuid.c). */
uint64_t cpuid_cr4_allowed(void);

/*
 * Guest MSR access (kernel/msr.c).  Return 0, or -E_NOT_FOUND for an MSR
 * hvlab does not emulate and -E_INVAL for a value the MSR does not accept;
 * both become #GP(0) in the guest.
 */
int msr_read(struct vcpu *v, uint32_t msr, uint64_t *val);
int msr_write(struct vcpu *v, uint32_t msr, uint64_t val);

/* Whether va is canonical for 48-bit linear addresses. */
static inline bool is_canonical(uint64_t va)
{
	return (uint64_t)((int64_t)(va << 16) >> 16) == va;
}

#endif
