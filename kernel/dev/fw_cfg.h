/*
 * fw_cfg.h - QEMU's fw_cfg device of an hvm domain (kernel/dev/fw_cfg.c;
 * the guest's view: inc/fw_cfg.h).
 */
#ifndef KERNEL_DEV_FW_CFG_H
#define KERNEL_DEV_FW_CFG_H

#include <inc/types.h>
#include <kernel/load/e820.h>

struct domain;

#define FW_CFG_DATA_MAX (E820_MAX * sizeof(struct e820_entry))

/* One domain's device: the item selected, built when it was selected. */
struct fw_cfg {
	uint32_t offset, len;
	uint8_t data[FW_CFG_DATA_MAX];
};

/* Gives hvm domain d the device at PLATFORM_FW_CFG.  0 or -E_*. */
int fw_cfg_init(struct domain *d);

#endif
