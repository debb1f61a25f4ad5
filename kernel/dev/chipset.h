/*
 * chipset.h - the chipset devices of an hvm domain: the RTC (rtc.c), PCI
 * configuration (pci.c), power and reset (pm.c).
 */
#ifndef KERNEL_DEV_CHIPSET_H
#define KERNEL_DEV_CHIPSET_H

#include <inc/types.h>
#include <kernel/dev/rtc.h>

struct domain;

struct pci {
	uint32_t addr;		     /* CONFIG_ADDRESS */
	uint8_t rcr;		     /* reset control register */
	uint8_t xen_cmd, xen_sizing; /* Xen platform device: command, BARs */
};

struct pm {
	uint16_t sts; /* PM1_STS */
	uint16_t en;  /* PM1_EN */
	uint16_t cnt; /* PM1_CNT without the write-only SLP_EN */
	uint8_t port92;
};

struct chipset {
	struct rtc rtc;
	struct pci pci;
	struct pm pm;
};

/* Gives d its configuration ports and reset control; 0 or -E_*. */
int pci_init(struct domain *d);

/* Gives d its PM1 block, PM timer, i8042 ports and port 0x92; 0 or -E_*. */
int pm_init(struct domain *d);

#endif
