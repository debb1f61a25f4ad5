/*
 * pci.h - PCI configuration space of an hvm domain (kernel/dev/pci.c):
 * configuration mechanism #1 at PLATFORM_PCI_CONF, a host bridge at
 * 00:00.0, and the reset control register at PLATFORM_RESET_CF9.
 */
#ifndef KERNEL_DEV_PCI_H
#define KERNEL_DEV_PCI_H

#include <inc/types.h>

struct domain;

struct pci {
	uint32_t addr; /* CONFIG_ADDRESS */
	uint8_t rcr;   /* reset control register */
};

/* Gives d its configuration ports and reset control; 0 or -E_*. */
int pci_init(struct domain *d);

#endif
