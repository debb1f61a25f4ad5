/*
 * te.h - helpers of the trap-and-emulate test guests (lab 2): the
 * paravirtual interface of inc/public/te.h and the instructions whose
 * emulation they test.
 */
#ifndef GUESTS_TE_LIB_TE_H
#define GUESTS_TE_LIB_TE_H

#include <guests/lib/guest.h>
#include <inc/public/te.h>

struct __attribute__((packed)) te_dtr {
	uint16_t limit;
	uint64_t base;
};

static inline uint64_t te_pushf(void)
{
	uint64_t f;

	__asm__ volatile("pushfq; popq %0" : "=r"(f));
	return f;
}

static inline void te_popf(uint64_t f)
{
	__asm__ volatile("pushq %0; popfq" : : "r"(f) : "memory", "cc");
}

/* PUSHF and POPF behind the emulation prefix: they see the virtual IF. */
static inline uint64_t te_pv_pushf(void)
{
	uint64_t f;

	__asm__ volatile(TE_EMULATE_PREFIX "pushfq; popq %0" : "=r"(f));
	return f;
}

static inline void te_pv_popf(uint64_t f)
{
	__asm__ volatile("pushq %0;" TE_EMULATE_PREFIX "popfq"
			 :
			 : "r"(f)
			 : "memory", "cc");
}

/* The virtual IF as the hypervisor keeps it. */
static inline bool te_vif(void)
{
	return inb(TE_PORT_VIF) & 1;
}

#endif
