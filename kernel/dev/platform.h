/*
 * platform.h - the small PC an hvm domain sees beside its CPU and RAM
 * (kernel/dev/platform.c): where each device lives, in ports, guest-physical
 * addresses and interrupt lines.  The firmware tables (kernel/load/acpi.c),
 * fw_cfg and the devices themselves all take these numbers from here.
 */
#ifndef KERNEL_DEV_PLATFORM_H
#define KERNEL_DEV_PLATFORM_H

#include <inc/types.h>

struct domain;
struct vcpu;

/* Ports. */
#define PLATFORM_PIC_MASTER 0x20  /* and 0x21 */
#define PLATFORM_PIC_SLAVE  0xa0  /* and 0xa1 */
#define PLATFORM_ELCR	    0x4d0 /* and 0x4d1 */
#define PLATFORM_PIT	    0x40  /* to 0x43 */
#define PLATFORM_PORT_61    0x61  /* PIT channel 2 gate and output */
#define PLATFORM_KBD_CMD    0x64  /* 0xfe: pulse the reset line */
#define PLATFORM_RTC	    0x70  /* index, 0x71 data */
#define PLATFORM_PORT_92    0x92  /* bit 0: fast reset */
#define PLATFORM_PCI_CONF   0xcf8 /* to 0xcff, mechanism #1 */
#define PLATFORM_RESET_CF9  0xcf9 /* PLATFORM_RESET_HARD: hard reset */
#define PLATFORM_RESET_HARD 0x06
#define PLATFORM_FW_CFG	    0x510 /* selector; 0x511 data, 0x514 DMA */
#define PLATFORM_PM_BASE    0x600 /* ACPI PM1a_EVT; +4 PM1a_CNT; +8 PM_TMR */
#define PLATFORM_PM1_EVT    (PLATFORM_PM_BASE + 0) /* 4 bytes: STS, EN */
#define PLATFORM_PM1_CNT    (PLATFORM_PM_BASE + 4) /* 2 bytes */
#define PLATFORM_PM_TMR	    (PLATFORM_PM_BASE + 8) /* 4 bytes, 24 bits */
#define PLATFORM_SLP_TYP_S5 5 /* the DSDT's \_S5 package; PM1_CNT bits 12:10 */

/* xen_platform domains: Xen's unplug ports, the platform device's BAR0. */
#define PLATFORM_XEN_UNPLUG  0x10 /* to 0x13 */
#define PLATFORM_XEN_IO	     0xc000
#define PLATFORM_XEN_IO_SIZE 0x100

/* Guest-physical addresses. */
#define PLATFORM_IOAPIC_BASE 0xfec00000ULL
#define PLATFORM_TABLES	     0xe0000ULL	 /* ACPI and MP tables, to 0xfffff */
#define PLATFORM_HOLE_END    0x100000ULL /* 1 MiB: the VGA and BIOS hole's end */

/* The Xen platform device's BAR1 (xen_platform domains): the top 16 MiB
 * of the domain's p2m, above the xenstore ring, where Linux places its
 * grant table frames. */
#define PLATFORM_XEN_MMIO_SIZE 0x1000000ULL

/* ISA interrupt lines (and the IOAPIC pins they arrive on). */
#define PLATFORM_IRQ_PIT     0 /* IOAPIC pin 2: the MADT's override */
#define PLATFORM_GSI_PIT     2
#define PLATFORM_IRQ_COM1    4
#define PLATFORM_IRQ_RTC     8
#define PLATFORM_IRQ_SCI     9
#define PLATFORM_IOAPIC_PINS 24

/* Frequencies. */
#define PLATFORM_PIT_HZ	  1193182ULL
#define PLATFORM_PMTMR_HZ 3579545ULL

/*
 * Gives hvm domain d its PC devices (PIC, PIT, IOAPIC, RTC, PCI host
 * bridge, reset and power ports, fw_cfg).  Returns 0 or -E_*.
 */
int platform_init(struct domain *d);

/*
 * Fires d's device timers that are due (PIT, RTC): their interrupt lines
 * move as the time that passed says.  Called before an interrupt is
 * delivered and while a vcpu halts.
 */
void platform_poll(struct domain *d);

/* The TSC at which a device timer of d next raises a line, or 0: the
 * host's timer is set for it while d runs (kernel/preempt.c). */
uint64_t platform_next_event(struct domain *d);

/* Whether a device timer of d will still raise a line: a halted vcpu
 * waits for it. */
bool platform_armed(struct domain *d);

#endif
