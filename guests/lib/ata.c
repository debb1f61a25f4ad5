/*
 * ata.c - the PIIX3 IDE disk driver of ata.h: ATA/ATAPI-6's PIO data-in,
 * data-out and DMA protocols (9.5, 9.6, 9.10), polled on Alternate
 * Status so that reading it acknowledges nothing; the bus master as
 * SFF-8038i and the PIIX3 datasheet (2.7) program it: stop, the PRD
 * table's address, Error and Interrupt cleared, the direction, the ATA
 * command, then Start.
 */
#include <guests/lib/guest.h>
#include <guests/lib/ata.h>

#define ATA_POLL_CYCLES 4000000000ULL /* about 1-2 s */
#define ATA_PRD_TABLE	32

static struct ata_prd ata_table[ATA_PRD_TABLE] __attribute__((aligned(64)));

static void ata_out(unsigned reg, uint8_t v)
{
	outb((uint16_t)(ATA_CMD_PORT + reg), v);
}

static uint8_t ata_in(unsigned reg)
{
	return inb((uint16_t)(ATA_CMD_PORT + reg));
}

uint8_t ata_wait(void)
{
	uint64_t end = rdtsc() + ATA_POLL_CYCLES;
	uint8_t st;

	while (((st = inb(ATA_CTL_PORT)) & ATA_ST_BSY) && rdtsc() < end)
		pause();
	return st & ATA_ST_BSY ? 0xff : st;
}

/* Waits for DRQ (a block to move) or the end with ERR: 0, or the
 * result. */
static int ata_wait_drq(void)
{
	uint8_t st = ata_wait();

	if (st == 0xff)
		return ATA_TIMEOUT;
	if (st & ATA_ST_ERR)
		return ata_result();
	return st & ATA_ST_DRQ ? 0 : ATA_TIMEOUT;
}

int ata_result(void)
{
	uint8_t st = ata_in(ATA_REG_STATUS);

	if (st & ATA_ST_BSY)
		return ATA_TIMEOUT;
	return st & ATA_ST_ERR ? -(ATA_ERRFLAG | ata_in(ATA_REG_ERROR)) : 0;
}

void ata_command(uint8_t cmd, uint8_t features, uint64_t lba, uint32_t count,
		 bool ext)
{
	/* 48-bit: the older bytes first; each register keeps two (6.20). */
	if (ext) {
		ata_out(ATA_REG_ERROR, 0);
		ata_out(ATA_REG_NSECT, (uint8_t)(count >> 8));
		ata_out(ATA_REG_LBAL, (uint8_t)(lba >> 24));
		ata_out(ATA_REG_LBAM, (uint8_t)(lba >> 32));
		ata_out(ATA_REG_LBAH, (uint8_t)(lba >> 40));
	}
	ata_out(ATA_REG_ERROR, features);
	ata_out(ATA_REG_NSECT, (uint8_t)count);
	ata_out(ATA_REG_LBAL, (uint8_t)lba);
	ata_out(ATA_REG_LBAM, (uint8_t)(lba >> 8));
	ata_out(ATA_REG_LBAH, (uint8_t)(lba >> 16));
	/* 28-bit: LBA bits 27:24 go in the device register. */
	ata_out(ATA_REG_DEVICE,
		(uint8_t)(0xa0 | ATA_DEV_LBA | (ext ? 0 : (lba >> 24) & 0x0f)));
	ata_out(ATA_REG_STATUS, cmd);
}

/* A command's opcode: 28- or 48-bit as lba and count need. */
static bool ata_ext(const struct ata *a, uint64_t lba, uint32_t count)
{
	return a->lba48 && (lba + count > 0x0fffffff || count > 256);
}

/* One sector through the data register: REP OUTSW or REP INSW. */
static void ata_block(bool write, uint16_t *w)
{
	uint64_t n = 256;

	if (write)
		__asm__ volatile("rep outsw"
				 : "+S"(w), "+c"(n)
				 : "d"(ATA_CMD_PORT)
				 : "memory");
	else
		__asm__ volatile("rep insw"
				 : "+D"(w), "+c"(n)
				 : "d"(ATA_CMD_PORT)
				 : "memory");
}

int ata_pio(struct ata *a, bool write, uint64_t lba, uint32_t count, void *buf)
{
	return ata_pio_cmd(write, ata_ext(a, lba, count), lba, count, buf);
}

int ata_pio_cmd(bool write, bool ext, uint64_t lba, uint32_t count, void *buf)
{
	uint16_t *w = buf;
	int r;

	if (count == 0 || count > (ext ? 65536u : 256u))
		return -(ATA_ERRFLAG | ATA_ABRT);
	ata_command(write ? (ext ? 0x34 : 0x30) : (ext ? 0x24 : 0x20), 0, lba,
		    count, ext);
	for (uint32_t s = 0; s < count; s++) {
		if ((r = ata_wait_drq()) != 0)
			return r;
		ata_block(write, w + 256 * s);
	}
	/* The last block moved: DRQ must be clear now. */
	if (ata_wait() & ATA_ST_DRQ)
		return ATA_TIMEOUT;
	return ata_result();
}

int ata_identify(struct ata *a)
{
	int r;

	ata_out(ATA_REG_DEVICE, 0xa0);
	ata_out(ATA_REG_STATUS, 0xec);
	if ((r = ata_wait_drq()) != 0)
		return r;
	for (int i = 0; i < 256; i++)
		a->id[i] = inw(ATA_CMD_PORT);
	for (int i = 0; i < 20; i++) {
		a->model[2 * i] = (char)(a->id[27 + i] >> 8);
		a->model[2 * i + 1] = (char)a->id[27 + i];
	}
	a->model[40] = 0;
	for (int i = 39; i >= 0 && a->model[i] == ' '; i--)
		a->model[i] = 0;
	a->lba48 = a->id[83] & (1u << 10);
	a->sectors = a->lba48 ?
			     (uint64_t)a->id[103] << 48 |
				     (uint64_t)a->id[102] << 32 |
				     (uint64_t)a->id[101] << 16 | a->id[100] :
			     (uint32_t)a->id[61] << 16 | a->id[60];
	return ata_result();
}

int ata_init(struct ata *a)
{
	uint32_t id = pci_conf_read(PIIX3_IDE_BDF, 0x00);

	if (id != (0x7010u << 16 | 0x8086))
		return -1;
	/* I/O decoding and bus mastering on (the command register). */
	pci_conf_write(PIIX3_IDE_BDF, 0x04,
		       pci_conf_read(PIIX3_IDE_BDF, 0x04) | 0x5);
	a->bm = (uint16_t)(pci_conf_read(PIIX3_IDE_BDF, 0x20) & 0xfffc);
	outb(ATA_CTL_PORT, ATA_CTL_NIEN);
	return ata_identify(a);
}

int ata_dma_prd(struct ata *a, bool write, bool ext, uint64_t lba,
		uint32_t count, const struct ata_prd *prd, uint8_t *bm_status)
{
	uint64_t end = rdtsc() + ATA_POLL_CYCLES;
	uint8_t st;
	int r;

	outb(a->bm + ATA_BM_CMD, 0);
	outl(a->bm + ATA_BM_PRD, (uint32_t)(uintptr_t)prd);
	outb(a->bm + ATA_BM_STATUS, ATA_BM_ERROR | ATA_BM_IRQ);
	/* A disk read is the bus master writing memory. */
	outb(a->bm + ATA_BM_CMD, write ? 0 : ATA_BM_TOMEM);
	ata_command(write ? (ext ? 0x35 : 0xca) : (ext ? 0x25 : 0xc8), 0, lba,
		    count, ext);
	outb(a->bm + ATA_BM_CMD,
	     (uint8_t)((write ? 0 : ATA_BM_TOMEM) | ATA_BM_START));
	/* Until the command ends, or the bus master stops (an error, or a
	 * table shorter than the transfer). */
	while (((st = inb(ATA_CTL_PORT)) & (ATA_ST_BSY | ATA_ST_DRQ)) &&
	       (inb(a->bm + ATA_BM_STATUS) & (ATA_BM_ERROR | ATA_BM_ACTIVE)) ==
		       ATA_BM_ACTIVE &&
	       rdtsc() < end)
		pause();
	/* Status before the stop, which clears Active. */
	*bm_status = inb(a->bm + ATA_BM_STATUS);
	outb(a->bm + ATA_BM_CMD, write ? 0 : ATA_BM_TOMEM);
	r = st & (ATA_ST_BSY | ATA_ST_DRQ) ? ATA_TIMEOUT : ata_result();
	outb(a->bm + ATA_BM_STATUS, ATA_BM_ERROR | ATA_BM_IRQ);
	if (r == 0 && (*bm_status & ATA_BM_ERROR))
		r = -(ATA_ERRFLAG | ATA_ABRT);
	return r;
}

int ata_dma(struct ata *a, bool write, uint64_t lba, uint32_t count, void *buf)
{
	uint64_t at = (uintptr_t)buf, left = (uint64_t)count * 512;
	unsigned n = 0;
	uint8_t bm;

	/* Regions of at most 64 KiB that cross no 64 KiB boundary. */
	while (left && n < ATA_PRD_TABLE) {
		uint64_t len = MIN(left, 0x10000 - (at & 0xffff));

		ata_table[n].addr = (uint32_t)at;
		ata_table[n].count = (uint32_t)(len & 0xffff); /* 64K: 0 */
		at += len, left -= len, n++;
	}
	if (left || n == 0)
		return -(ATA_ERRFLAG | ATA_ABRT);
	ata_table[n - 1].count |= ATA_PRD_EOT;
	return ata_dma_prd(a, write, ata_ext(a, lba, count), lba, count,
			   ata_table, &bm);
}
