/*
 * fw_cfg.h - QEMU's firmware configuration interface (QEMU's
 * docs/specs/fw_cfg.rst) as hvm guests see it (kernel/dev/fw_cfg.c):
 * write an item's 16-bit key to the selector port, then read its bytes
 * one at a time from the data port; reads past an item's end give 0.
 * Numbers are little-endian but for the file directory's, which are
 * big-endian.
 */
#ifndef INC_FW_CFG_H
#define INC_FW_CFG_H

#include <inc/types.h>

#define FW_CFG_PORT_SEL	 0x510
#define FW_CFG_PORT_DATA 0x511

/* Items ("Selector Register" keys). */
#define FW_CFG_SIGNATURE  0x00 /* "QEMU" */
#define FW_CFG_ID	  0x01 /* 32 bits: FW_CFG_ID_TRADITIONAL */
#define FW_CFG_RAM_SIZE	  0x03 /* 64 bits: bytes of RAM */
#define FW_CFG_NB_CPUS	  0x05 /* 16 bits */
#define FW_CFG_MAX_CPUS	  0x0f /* 16 bits */
#define FW_CFG_FILE_DIR	  0x19 /* big-endian count, then struct fw_cfg_file */
#define FW_CFG_FILE_FIRST 0x20 /* the first file's key */

#define FW_CFG_ID_TRADITIONAL 1u /* the port interface; no DMA */

/* An entry of the file directory; "etc/e820" holds struct e820_entry's. */
struct fw_cfg_file {
	uint32_t size;	 /* big-endian */
	uint16_t select; /* big-endian */
	uint16_t reserved;
	char name[56];
};

_Static_assert(sizeof(struct fw_cfg_file) == 64, "fw_cfg file entry");

#endif
