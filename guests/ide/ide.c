/*
 * ide - an hvm guest whose disk is the PIIX3 IDE function that dom0's
 * device model emulates (issue 16; guests/dom0/dm_ide.c, guests/lib/
 * ata.c): its PCI configuration space, IDENTIFY DEVICE, PIO and DMA reads
 * of the image's known sectors (guests/lib/idetest.h) and writes read
 * back, 28- and 48-bit addresses, the errors, INTRQ, the resets, the PRD
 * table's rules and PRDs that point outside the guest's RAM.
 *
 * IRQ 14 is watched, masked, in the slave PIC's IRR with the line level
 * triggered (ELCR), which follows the line's level.
 */
#include <guests/lib/guest.h>
#include <guests/lib/ata.h>
#include <guests/lib/idetest.h>

#define PIIX3_ISA_BDF 0x0008 /* 00:01.0 */
#define ABSENT_BDF    0x0038 /* 00:07.0 */
#define BM_MOVED      0xc100
#define ELCR2	      0x4d1
#define WRITE_FIRST   1024 /* sectors written from here on */

static struct ata a;
/* 128 KiB from a 64 KiB boundary (an alignment in the image would move
 * its Multiboot header out of the file's first 8 KiB). */
static uint8_t big_store[0x30000] __attribute__((aligned(4096)));
static uint8_t *big;
#define BIG_SIZE 0x20000
static struct ata_prd prd[4] __attribute__((aligned(64)));

/* Whether n sectors from s in b are the image's. */
static bool image_ok(const uint8_t *b, uint64_t s, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		for (unsigned off = 0; off < 512; off++)
			if (b[512 * i + off] != IDETEST_BYTE(s + i, off))
				return false;
	return true;
}

/* Fills n sectors' worth of b with what a write at s puts there. */
static void fill(uint8_t *b, uint64_t s, uint32_t n, uint8_t salt)
{
	for (uint32_t i = 0; i < n; i++)
		for (unsigned off = 0; off < 512; off++)
			b[512 * i + off] = IDETEST_BYTE(s + i, off) ^ salt;
}

static bool filled(const uint8_t *b, uint64_t s, uint32_t n, uint8_t salt)
{
	for (uint32_t i = 0; i < n; i++)
		for (unsigned off = 0; off < 512; off++)
			if (b[512 * i + off] !=
			    (IDETEST_BYTE(s + i, off) ^ salt))
				return false;
	return true;
}

static bool irq14(void)
{
	outb(0xa0, 0x0a); /* OCW3: read IRR */
	return inb(0xa0) & 0x40;
}

/* Both PICs initialized, every line masked, IRQ 14 level-triggered. */
static void pic_watch(void)
{
	static const uint8_t icw[2][4] = { { 0x11, 0x20, 0x04, 0x01 },
					   { 0x11, 0x28, 0x02, 0x01 } };

	for (int c = 0; c < 2; c++) {
		uint16_t p = c ? 0xa0 : 0x20;

		outb(p, icw[c][0]);
		for (int i = 1; i < 4; i++)
			outb(p + 1, icw[c][i]);
		outb(p + 1, 0xff);
	}
	outb(ELCR2, inb(ELCR2) | 0x40);
}

/* The primary channel's Status, through decoding on and off. */
static uint8_t ide_status(void)
{
	return inb(ATA_CMD_PORT + ATA_REG_STATUS);
}

static void test_pci(void)
{
	uint32_t cmd = pci_conf_read(PIIX3_IDE_BDF, 0x04), bar;
	uint16_t bm;
	uint8_t st[3];

	report_eq(pci_conf_read(PIIX3_ISA_BDF, 0x00), 0x70008086,
		  "PCI: the PIIX3 ISA bridge at 00:01.0");
	report_eq((pci_conf_read(PIIX3_ISA_BDF, 0x0c) >> 16) & 0xff, 0x80,
		  "PCI: 00:01.0's header says multi-function");
	report_eq(pci_conf_read(PIIX3_IDE_BDF, 0x00), 0x70108086,
		  "PCI: the PIIX3 IDE function at 00:01.1");
	report_eq(pci_conf_read(PIIX3_IDE_BDF, 0x08) >> 8, 0x010180,
		  "PCI: class IDE, compatibility mode, bus master");
	report_eq(pci_conf_read(ABSENT_BDF, 0x00), 0xffffffff,
		  "PCI: an absent function reads all ones");
	/* Sizing as an OS does: decoding off, all ones, read back. */
	bar = pci_conf_read(PIIX3_IDE_BDF, 0x20);
	bm = (uint16_t)(bar & ~3u);
	st[0] = ide_status();
	pci_conf_write(PIIX3_IDE_BDF, 0x04, cmd & ~1u);
	st[1] = ide_status();
	pci_conf_write(PIIX3_IDE_BDF, 0x20, 0xffffffff);
	report_eq(pci_conf_read(PIIX3_IDE_BDF, 0x20), 0x0000fff1,
		  "PCI: BAR4 sizes to 16 ports of I/O");
	pci_conf_write(PIIX3_IDE_BDF, 0x20, BM_MOVED);
	pci_conf_write(PIIX3_IDE_BDF, 0x04, cmd);
	st[2] = ide_status();
	report(st[0] != 0xff && st[1] == 0xff && st[2] == st[0],
	       "PCI: I/O decoding off silences the disk's ports, on again "
	       "they answer");
	outb(BM_MOVED + ATA_BM_STATUS, 0x20);
	report(bm && inb(BM_MOVED + ATA_BM_STATUS) == 0x20 &&
		       inb(bm + ATA_BM_STATUS) == 0xff,
	       "PCI: BAR4 moved: the bus master registers follow it");
	pci_conf_write(PIIX3_IDE_BDF, 0x20, bar);
	report(inb(BM_MOVED + ATA_BM_STATUS) == 0xff &&
		       inb(bm + ATA_BM_STATUS) == 0x20,
	       "PCI: BAR4 moved back: there again, the other ports free");
	outb(bm + ATA_BM_STATUS, 0);
}

static void test_identify(void)
{
	uint8_t sum = 0;

	report_eq(ata_init(&a), 0, "IDENTIFY DEVICE completes");
	report(!strcmp(a.model, "HVLAB IDE HARDDISK"), "IDENTIFY: model '%s'",
	       a.model);
	report_eq((uint32_t)a.id[61] << 16 | a.id[60], IDETEST_SECTORS,
		  "IDENTIFY: words 60-61, the sectors by LBA28");
	report(a.lba48 && a.sectors == IDETEST_SECTORS,
	       "IDENTIFY: 48-bit addresses, words 100-103 the sectors");
	report((a.id[49] & 0x0300) == 0x0300 && (a.id[53] & 0x6) == 0x6,
	       "IDENTIFY: LBA and DMA, words 64-70 and 88 valid");
	for (int i = 0; i < 512; i++)
		sum = (uint8_t)(sum + ((uint8_t *)a.id)[i]);
	report((a.id[255] & 0xff) == 0xa5 && sum == 0,
	       "IDENTIFY: integrity word (signature a5h, checksum)");
}

static void test_pio(void)
{
	uint8_t *across = big + 4096 - 3 * 512;

	report(ata_pio(&a, false, 5, 1, big) == 0 && image_ok(big, 5, 1),
	       "PIO: READ SECTORS of sector 5");
	report(ata_pio(&a, false, 100, 7, across) == 0 &&
		       image_ok(across, 100, 7),
	       "PIO: READ SECTORS of 7 across a page");
	memset(big, 0, BIG_SIZE);
	report(ata_pio(&a, false, 300, 256, big) == 0 &&
		       image_ok(big, 300, 256),
	       "PIO: a sector count of 0 reads 256 sectors");
	fill(across, WRITE_FIRST, 5, 0x3c);
	report(ata_pio(&a, true, WRITE_FIRST, 5, across) == 0,
	       "PIO: WRITE SECTORS of 5 across a page");
	memset(big, 0, BIG_SIZE);
	report(ata_pio(&a, false, WRITE_FIRST, 5, big) == 0 &&
		       filled(big, WRITE_FIRST, 5, 0x3c),
	       "PIO: the sectors written read back");
}

static void test_lba48(void)
{
	memset(big, 0, BIG_SIZE);
	report(ata_pio_cmd(false, true, 600, 0x100, big) == 0 &&
		       image_ok(big, 600, 256),
	       "48-bit: READ SECTORS EXT of 256 (the count's high byte)");
	fill(big, WRITE_FIRST + 40, 3, 0x81);
	report(ata_pio_cmd(true, true, WRITE_FIRST + 40, 3, big) == 0 &&
		       ata_pio_cmd(false, false, WRITE_FIRST + 40, 3,
				   big + 4096) == 0 &&
		       filled(big + 4096, WRITE_FIRST + 40, 3, 0x81),
	       "48-bit: WRITE SECTORS EXT read back with READ SECTORS");
	report_eq(ata_pio_cmd(false, true, (1ULL << 32) + 5, 1, big),
		  -(ATA_ERRFLAG | ATA_ABRT),
		  "48-bit: LBA 2^32 + 5 aborts (the HOB bytes count)");
	report_eq(ata_pio_cmd(false, false, (1ULL << 24) + 5, 1, big),
		  -(ATA_ERRFLAG | ATA_ABRT),
		  "28-bit: LBA 2^24 + 5 aborts (bits 24-27 in the device "
		  "register)");
	outb(ATA_CMD_PORT + ATA_REG_NSECT, 0x12);
	outb(ATA_CMD_PORT + ATA_REG_NSECT, 0x34);
	outb(ATA_CTL_PORT, ATA_CTL_NIEN | ATA_CTL_HOB);
	report(inb(ATA_CMD_PORT + ATA_REG_NSECT) == 0x12,
	       "48-bit: HOB reads the older byte of the sector count");
	outb(ATA_CTL_PORT, ATA_CTL_NIEN);
	report(inb(ATA_CMD_PORT + ATA_REG_NSECT) == 0x34,
	       "48-bit: without HOB the newer");
}

/* A non-data command; its result. */
static int nondata(uint8_t cmd, uint8_t features, uint8_t count)
{
	ata_command(cmd, features, 0, count, false);
	ata_wait();
	return ata_result();
}

static void test_errors(void)
{
	const int abrt = -(ATA_ERRFLAG | ATA_ABRT);

	report_eq(nondata(0x00, 0, 0), abrt, "errors: NOP aborts");
	report_eq(nondata(0x27, 0, 0), abrt,
		  "errors: an unknown command (27h) aborts");
	report_eq(ata_pio(&a, false, IDETEST_SECTORS - 1, 2, big), abrt,
		  "errors: a read past the last sector aborts");
	report_eq(ata_pio(&a, true, IDETEST_SECTORS, 1, big), abrt,
		  "errors: a write at the sector after the last aborts");
	report_eq(nondata(0xef, 0x77, 0), abrt,
		  "errors: SET FEATURES 77h aborts");
	report_eq(nondata(0xef, 0x03, 0x22), 0,
		  "SET FEATURES: transfer mode multiword DMA 2");
	report(ata_identify(&a) == 0 && (a.id[63] & 0x0700) == 0x0400,
	       "SET FEATURES: IDENTIFY word 63 shows mode 2 selected");
	report(nondata(0xe7, 0, 0) == 0 && nondata(0xea, 0, 0) == 0,
	       "FLUSH CACHE and FLUSH CACHE EXT complete");
	report(ata_pio(&a, false, 5, 1, big) == 0 && image_ok(big, 5, 1),
	       "errors: the disk reads again after them");
}

static void test_irq(void)
{
	bool level[4];

	pic_watch();
	outb(ATA_CTL_PORT, 0);
	ata_command(0xe7, 0, 0, 0, false);
	ata_wait();
	level[0] = irq14();
	inb(ATA_CTL_PORT);
	level[1] = irq14();
	report(level[0] && level[1],
	       "INTRQ: IRQ 14 raised at a command's end; Alternate Status "
	       "leaves it");
	report(ata_result() == 0 && !irq14(),
	       "INTRQ: reading Status lowers it");
	ata_command(0x20, 0, 9, 2, false);
	ata_wait();
	level[0] = irq14();
	inb(ATA_CMD_PORT + ATA_REG_STATUS);
	for (int i = 0; i < 256; i++)
		inw(ATA_CMD_PORT);
	level[1] = irq14();
	inb(ATA_CMD_PORT + ATA_REG_STATUS);
	for (int i = 0; i < 256; i++)
		inw(ATA_CMD_PORT);
	level[2] = irq14();
	level[3] = inb(ATA_CTL_PORT) & ATA_ST_DRQ;
	report(level[0] && level[1] && !level[2],
	       "INTRQ: PIO data-in raises it for each block, not after the "
	       "last");
	report(!level[3] && ata_result() == 0,
	       "PIO: DRQ clear after the last block");
	outb(ATA_CTL_PORT, ATA_CTL_NIEN);
	ata_command(0xe7, 0, 0, 0, false);
	ata_wait();
	level[0] = irq14();
	outb(ATA_CTL_PORT, 0);
	level[1] = irq14();
	report(!level[0] && level[1],
	       "INTRQ: nIEN holds it low; clearing nIEN lets it through");
	ata_command(0xe7, 0, 0, 0, false);
	level[0] = irq14();
	ata_wait();
	report(ata_result() == 0 && !irq14() && level[0],
	       "INTRQ: writing Command clears the pending interrupt");
	outb(ATA_CTL_PORT, ATA_CTL_NIEN);
}

static void test_reset(void)
{
	uint8_t st;

	ata_command(0x20, 0, 20, 4, false);
	ata_wait();
	for (int i = 0; i < 256; i++)
		inw(ATA_CMD_PORT);
	outb(ATA_CTL_PORT, ATA_CTL_NIEN | ATA_CTL_SRST);
	st = inb(ATA_CTL_PORT);
	outb(ATA_CTL_PORT, ATA_CTL_NIEN);
	report(st & ATA_ST_BSY, "SRST: BSY while it is held");
	st = ata_wait();
	report_eq(st & (ATA_ST_BSY | ATA_ST_DRDY | ATA_ST_DRQ | ATA_ST_ERR),
		  ATA_ST_DRDY,
		  "SRST: then DRDY, the read in progress gone (DRQ clear)");
	report(inb(ATA_CMD_PORT + ATA_REG_NSECT) == 1 &&
		       inb(ATA_CMD_PORT + ATA_REG_LBAL) == 1 &&
		       inb(ATA_CMD_PORT + ATA_REG_LBAM) == 0 &&
		       inb(ATA_CMD_PORT + ATA_REG_LBAH) == 0 &&
		       inb(ATA_CMD_PORT + ATA_REG_ERROR) == 1,
	       "SRST: an ATA device's signature, diagnostic passed");
	outb(ATA_CMD_PORT + ATA_REG_DEVICE, 0xb0);
	report_eq(inb(ATA_CMD_PORT + ATA_REG_STATUS), 0,
		  "device 1 selected: absent, its status reads 0");
	outb(ATA_CMD_PORT + ATA_REG_DEVICE, 0xa0);
	report(ata_pio(&a, false, 20, 4, big) == 0 && image_ok(big, 20, 4),
	       "SRST: the disk reads again after it");
}

static void test_dma(void)
{
	uint8_t *across = big + 0x10000 - 5 * 512, bm;

	memset(big, 0, BIG_SIZE);
	report(ata_dma(&a, false, 40, 16, across) == 0 &&
		       image_ok(across, 40, 16),
	       "DMA: READ DMA of 16 across 64 KiB (two PRDs)");
	prd[0] = (struct ata_prd){ (uint32_t)(uintptr_t)big,
				   8 * 512 | ATA_PRD_EOT };
	report(ata_dma_prd(&a, false, true, 700, 8, prd, &bm) == 0 &&
		       image_ok(big, 700, 8) && !(bm & ATA_BM_ACTIVE),
	       "DMA: READ DMA EXT; Active clear, the table used up");
	fill(across, WRITE_FIRST + 100, 24, 0x5e);
	report(ata_dma(&a, true, WRITE_FIRST + 100, 24, across) == 0,
	       "DMA: WRITE DMA of 24 across 64 KiB");
	memset(big, 0, BIG_SIZE);
	report(ata_pio(&a, false, WRITE_FIRST + 100, 24, big) == 0 &&
		       filled(big, WRITE_FIRST + 100, 24, 0x5e),
	       "DMA: the sectors written read back with PIO");
	fill(big, WRITE_FIRST + 200, 2, 0x11);
	report(ata_dma_prd(&a, true, true, WRITE_FIRST + 200, 2, prd, &bm) ==
			       0 &&
		       ata_pio(&a, false, WRITE_FIRST + 200, 2, big + 4096) ==
			       0 &&
		       filled(big + 4096, WRITE_FIRST + 200, 2, 0x11),
	       "DMA: WRITE DMA EXT read back");
}

static void test_prd(void)
{
	uint8_t bm;
	int r;

	pic_watch();
	outb(ATA_CTL_PORT, 0);
	memset(big, 0, BIG_SIZE);
	prd[0] = (struct ata_prd){ (uint32_t)(uintptr_t)big, ATA_PRD_EOT };
	r = ata_dma_prd(&a, false, false, 0, 128, prd, &bm);
	report(r == 0 && image_ok(big, 0, 128),
	       "PRD: a byte count of 0 moves 64 KiB");
	report((bm & (ATA_BM_IRQ | ATA_BM_ACTIVE)) == ATA_BM_IRQ,
	       "PRD: bus master Interrupt set, Active clear at the end");
	/* EOT on the first: the second is not the table's. */
	memset(big, 0x5a, BIG_SIZE);
	prd[0] = (struct ata_prd){ (uint32_t)(uintptr_t)big,
				   4096 | ATA_PRD_EOT };
	prd[1] = (struct ata_prd){ (uint32_t)(uintptr_t)big + 0x8000,
				   4096 | ATA_PRD_EOT };
	r = ata_dma_prd(&a, false, false, 50, 16, prd, &bm);
	report(r == ATA_TIMEOUT && image_ok(big, 50, 8) &&
		       big[0x8000] == 0x5a && big[0x8fff] == 0x5a,
	       "PRD: EOT ends the table: 4 KiB of 8 moved, no more");
	report((bm & (ATA_BM_IRQ | ATA_BM_ACTIVE)) == 0 &&
		       (inb(ATA_CTL_PORT) & ATA_ST_DRQ),
	       "PRD: a short table: Active clear, no interrupt, DRQ held");
	outb(ATA_CTL_PORT, ATA_CTL_SRST);
	outb(ATA_CTL_PORT, 0);
	ata_wait();
	prd[0].count = 4096;
	prd[1].count = 8192 | ATA_PRD_EOT;
	r = ata_dma_prd(&a, false, false, 60, 16, prd, &bm);
	report(r == 0 && image_ok(big, 60, 8) &&
		       image_ok(big + 0x8000, 68, 8) &&
		       (bm & (ATA_BM_IRQ | ATA_BM_ACTIVE)) ==
			       (ATA_BM_IRQ | ATA_BM_ACTIVE),
	       "PRD: a table longer than the transfer leaves Active set");
	outb(ATA_CTL_PORT, ATA_CTL_NIEN);
}

/* A DMA read of 8 sectors through table t; whether it failed with the
 * bus master's Error and ABRT. */
static bool dma_refused(const struct ata_prd *t, bool write)
{
	uint8_t bm = 0;
	int r = ata_dma_prd(&a, write, false, 10, 8, t, &bm);

	return r == -(ATA_ERRFLAG | ATA_ABRT) && (bm & ATA_BM_ERROR);
}

static void test_hostile(void)
{
	uint64_t ram = guest_memory();

	prd[0] = (struct ata_prd){ 0xfee00000, 4096 | ATA_PRD_EOT };
	report(dma_refused(prd, false),
	       "hostile PRD: the local APIC's page: Error, ABRT");
	prd[0] = (struct ata_prd){ 0x40000000, 4096 | ATA_PRD_EOT };
	report(dma_refused(prd, true),
	       "hostile PRD: 1 GiB, past the guest's RAM (a write): Error");
	prd[0] = (struct ata_prd){ (uint32_t)ram - 2048, 4096 | ATA_PRD_EOT };
	report(ram && dma_refused(prd, false),
	       "hostile PRD: a region running past the end of RAM: Error");
	report(dma_refused((const struct ata_prd *)0xf0000000, false),
	       "hostile PRD: the table itself outside RAM: Error");
	report(ata_dma(&a, false, 10, 8, big) == 0 && image_ok(big, 10, 8),
	       "hostile PRD: the disk works after them");
}

void main(void)
{
	big = (uint8_t *)ROUNDUP((uintptr_t)big_store, 0x10000);
	test_pci();
	test_identify();
	test_pio();
	test_lba48();
	test_errors();
	test_irq();
	test_reset();
	test_dma();
	test_prd();
	test_hostile();
}
