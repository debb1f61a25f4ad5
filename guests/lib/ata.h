/*
 * ata.h - a driver for the hard disk on the primary channel of a PIIX3
 * IDE function (8086:7010) in compatibility mode (issue 16; dom0's
 * device model serves one, guests/dom0/dm_ide.c): IDENTIFY DEVICE, PIO
 * and bus-master DMA reads and writes with 28- or 48-bit addresses,
 * polled with nIEN set.  Guest-physical addresses are the guest's own
 * (identity mapped), below 4 GiB.
 *
 *	struct ata a;
 *	if (ata_init(&a) == 0 && ata_pio(&a, false, 0, 1, buf) == 0)
 *		printf("%s: %llu sectors\n", a.model, a.sectors);
 *
 * Results: 0, ATA_TIMEOUT, or -(ATA_ERRFLAG | the error register) when
 * the device ended the command with ERR (ATA_ABRT: aborted).
 */
#ifndef GUESTS_LIB_ATA_H
#define GUESTS_LIB_ATA_H

#include <inc/types.h>

#define ATA_CMD_PORT   0x1f0 /* primary command block */
#define ATA_CTL_PORT   0x3f6 /* alternate status / device control */
#define ATA_REG_DATA   0
#define ATA_REG_ERROR  1 /* FEATURES when written */
#define ATA_REG_NSECT  2
#define ATA_REG_LBAL   3
#define ATA_REG_LBAM   4
#define ATA_REG_LBAH   5
#define ATA_REG_DEVICE 6
#define ATA_REG_STATUS 7 /* COMMAND when written */
#define ATA_DEV_LBA    0x40
#define ATA_ST_BSY     0x80
#define ATA_ST_DRDY    0x40
#define ATA_ST_DRQ     0x08
#define ATA_ST_ERR     0x01
#define ATA_ABRT       0x04
#define ATA_CTL_NIEN   0x02
#define ATA_CTL_SRST   0x04
#define ATA_CTL_HOB    0x80

#define ATA_BM_CMD    0 /* bus master registers, offsets in BAR4 */
#define ATA_BM_STATUS 2
#define ATA_BM_PRD    4
#define ATA_BM_START  0x01
#define ATA_BM_TOMEM  0x08
#define ATA_BM_ACTIVE 0x01
#define ATA_BM_ERROR  0x02
#define ATA_BM_IRQ    0x04

#define ATA_PRD_EOT 0x80000000u
#define ATA_TIMEOUT (-1)
#define ATA_ERRFLAG 0x100

#define PIIX3_IDE_BDF 0x0009 /* 00:01.1 */

/* A Physical Region Descriptor: count's bits 15:0 the bytes (even; 0 is
 * 64 KiB), ATA_PRD_EOT on the table's last. */
struct ata_prd {
	uint32_t addr;
	uint32_t count;
};

struct ata {
	uint16_t bm; /* BAR4: the bus master registers' ports */
	uint16_t id[256];
	uint64_t sectors;
	bool lba48;
	char model[41];
};

/* Finds 00:01.1, turns on its I/O decoding and bus mastering, sets
 * nIEN and identifies the disk.  0, ATA_TIMEOUT, or -1 when absent. */
int ata_init(struct ata *a);

/* IDENTIFY DEVICE into a->id, and the sectors, LBA48 and model. */
int ata_identify(struct ata *a);

/* Writes the task file (48-bit when ext: the HOB bytes first) and the
 * command; count 0 means 256 (65536 with ext). */
void ata_command(uint8_t cmd, uint8_t features, uint64_t lba, uint32_t count,
		 bool ext);

/* Polls Alternate Status until BSY clears; the status, or 0xff. */
uint8_t ata_wait(void);

/* Ends a command: reads Status (which acknowledges the interrupt) and
 * gives 0, or -(ATA_ERRFLAG | error) when ERR is set. */
int ata_result(void);

/* count sectors (1..65536) from lba: PIO, 48-bit when needed. */
int ata_pio(struct ata *a, bool write, uint64_t lba, uint32_t count, void *buf);

/* The same with the command of the caller's choice: 48-bit when ext. */
int ata_pio_cmd(bool write, bool ext, uint64_t lba, uint32_t count, void *buf);

/* count sectors with bus-master DMA through the PRD table prd (must not
 * cross 64 KiB), READ/WRITE DMA or their EXT forms; the bus master's
 * status before it is acknowledged in *bm_status.  A table shorter than
 * the transfer gives ATA_TIMEOUT at once (the bus master stopped, the
 * device waits: a reset is needed). */
int ata_dma_prd(struct ata *a, bool write, bool ext, uint64_t lba,
		uint32_t count, const struct ata_prd *prd, uint8_t *bm_status);

/* count sectors with DMA to or from buf, the PRD table built here. */
int ata_dma(struct ata *a, bool write, uint64_t lba, uint32_t count, void *buf);

#endif
