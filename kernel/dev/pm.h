/*
 * pm.h - power and reset of an hvm domain (kernel/dev/pm.c): the ACPI
 * PM1a event and control registers and the PM timer at PLATFORM_PM_BASE,
 * the keyboard controller's reset line and port 0x92.
 */
#ifndef KERNEL_DEV_PM_H
#define KERNEL_DEV_PM_H

#include <inc/types.h>

struct domain;

struct pm {
	uint16_t sts; /* PM1_STS */
	uint16_t en;  /* PM1_EN */
	uint16_t cnt; /* PM1_CNT without the write-only SLP_EN */
	uint8_t port92;
};

/* Gives d its PM1 block, PM timer, i8042 ports and port 0x92; 0 or -E_*. */
int pm_init(struct domain *d);

#endif
