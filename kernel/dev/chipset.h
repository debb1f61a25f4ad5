/*
 * chipset.h - the state of an hvm domain's chipset devices: the RTC
 * (rtc.c), PCI configuration and reset control (pci.c), and power and
 * reset (pm.c).
 */
#ifndef KERNEL_DEV_CHIPSET_H
#define KERNEL_DEV_CHIPSET_H

#include <kernel/dev/rtc.h>
#include <kernel/dev/pci.h>
#include <kernel/dev/pm.h>

struct chipset {
	struct rtc rtc;
	struct pci pci;
	struct pm pm;
};

#endif
