/*
 * apic.h - local APIC registers and bits (SDM 3A 11.4 "Local APIC", table
 * 11-1 "Local APIC Register Address Map"; 11.5.4 "APIC Timer"), shared by
 * the preemption timer, the virtual APIC and the guests (lab 3).
 */
#ifndef INC_APIC_H
#define INC_APIC_H

#include <inc/msr.h>

/* The APIC base IA32_APIC_BASE holds after reset. */
#define APIC_DEFAULT_PA 0xfee00000u

/* Offsets in the xAPIC page; the x2APIC MSR is 0x800 + offset / 16. */
#define APIC_ID	       0x020
#define APIC_VER       0x030
#define APIC_TPR       0x080
#define APIC_PPR       0x0a0
#define APIC_EOI       0x0b0
#define APIC_LDR       0x0d0
#define APIC_DFR       0x0e0
#define APIC_SVR       0x0f0
#define APIC_ISR       0x100
#define APIC_TMR       0x180
#define APIC_IRR       0x200
#define APIC_ESR       0x280
#define APIC_ICR_LO    0x300
#define APIC_ICR_HI    0x310
#define APIC_LVT_TIMER 0x320
#define APIC_LVT_ERROR 0x370
#define APIC_TMICT     0x380
#define APIC_TMCCT     0x390
#define APIC_TDCR      0x3e0
#define APIC_SELF_IPI  0x3f0 /* x2APIC only */

#define MSR_X2APIC_FIRST 0x800 /* SDM 3A 11.12.1.2, table 11-6 */
#define MSR_X2APIC_LAST	 0x8ff

#define APIC_SVR_ENABLE	  (1u << 8)
#define APIC_LVT_MASKED	  (1u << 16)
#define APIC_LVT_PERIODIC (1u << 17)
#define APIC_TDCR_DIV16	  0x3
#define APIC_LVT_TIMER_MODE \
	(3u << 17) /* 0 one-shot, 1 periodic, 2 TSC-deadline */
#define APIC_LVT_DEADLINE (2u << 17)

/* ICR (SDM 3A 11.6.1): destination mode, level, shorthand. */
#define APIC_ICR_LOGICAL   (1u << 11)
#define APIC_ICR_BUSY	   (1u << 12)
#define APIC_ICR_ASSERT	   (1u << 14)
#define APIC_ICR_LEVEL	   (1u << 15)
#define APIC_ICR_SELF	   (1u << 18)
#define APIC_ICR_ALL	   (2u << 18)
#define APIC_ICR_ALL_BUT   (3u << 18)
#define APIC_ICR_SHORTHAND (3u << 18)

/* ESR (SDM 3A 11.5.3). */
#define APIC_ESR_SEND_ILLEGAL (1u << 5)
#define APIC_ESR_RECV_ILLEGAL (1u << 6)

/* Delivery modes of an ICR, LVT or IOAPIC redirection entry (bits 10:8). */
#define APIC_DM_FIXED	0
#define APIC_DM_LOWEST	1
#define APIC_DM_NMI	4
#define APIC_DM_INIT	5
#define APIC_DM_STARTUP 6
#define APIC_DM_EXTINT	7

#endif
