/*
 * cpuid.h - the CPU guests see (kernel/cpuid.c, lab 3): CPUID leaves and
 * the CR4 bits they may set.
 */
#ifndef KERNEL_CPUID_H
#define KERNEL_CPUID_H

#include <inc/types.h>
#include <inc/x86.h>

struct vcpu;

/* hvlab's hypervisor leaves. */
#define CPUID_HV_BASE	   0x40000000
#define CPUID_HV_MAX	   0x40000001
#define CPUID_HV_SIGNATURE "hvlabhvlabhv"

/* The CPUID result v sees for leaf/subleaf. */
struct cpuid_regs cpuid_policy(struct vcpu *v, uint32_t leaf, uint32_t subleaf);

/* CPUID as v runs it: leaf in RAX, subleaf in RCX, the policy's answer
 * into RAX, RBX, RCX and RDX.  The caller moves RIP past it. */
void cpuid_exec(struct vcpu *v);

/* CR4 bits a guest may set on this CPU. */
uint64_t cpuid_cr4_allowed(void);

#endif
