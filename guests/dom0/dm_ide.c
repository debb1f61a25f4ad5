/*
 * dm_ide.c - the PIIX3's IDE function in dom0's device model (issue 16;
 * dm.h): `dm NAME ide [IMAGE]` gives an hvm domain a hard disk on the
 * primary channel, backed by a disk image as blkback serves it: the one
 * of the domain's first disk line unless IMAGE is named.
 *
 * The controller is the Intel 82371SB PIIX3 (datasheet 290550, 2.3 "PCI
 * configuration registers - IDE interface", 2.7 "Bus master IDE I/O
 * registers") at 00:01.1, 8086:7010, in compatibility mode: the primary
 * channel's command block at ports 0x1f0-0x1f7, its control block at
 * 0x3f6, ISA IRQ 14; BAR4 (BMIBA) holds the bus master registers.  The
 * secondary channel is disabled (IDETIM's decode enable clear).  Its ISA
 * bridge at 00:01.0 (8086:7000) is there for the multi-function header
 * an OS looks for at function 0.
 *
 * The disk follows ATA/ATAPI-6 (T13 1410D): 6.6 "Status", "Device
 * Control" (nIEN, SRST, HOB), 6.20 "48-bit Address feature set" (each
 * command block register a FIFO of two bytes), 8.15 IDENTIFY DEVICE,
 * READ/WRITE SECTOR(S) (EXT), READ/WRITE DMA (EXT), FLUSH CACHE (EXT),
 * SET FEATURES, EXECUTE DEVICE DIAGNOSTIC, the power commands; 9.5-9.10
 * the PIO data-in, PIO data-out, non-data and DMA protocols (when DRQ
 * and INTRQ are set and cleared).  Bus mastering follows SFF-8038i as
 * the PIIX3 implements it: a table of PRDs (base, byte count with 0 for
 * 64 KiB, EOT in bit 31) in guest memory.  Device 1 is absent: with it
 * selected, the registers read 0 and commands are ignored.
 *
 * Every command completes when it is written (a DMA one once the bus
 * master is started too), so BSY is never seen except during SRST.
 */
#include "dm.h"
#include "blkback.h"

#define IDE_MAX	     2
#define IDE_SECTOR   512
#define IDE_IRQ	     14
#define IDE_CMD_PORT 0x1f0
#define IDE_CTL_PORT 0x3f6
#define IDE_BM_BASE \
	0xc200 /* BMIBA, above the Xen platform device and the NIC */
#define IDE_HEADS      16
#define IDE_SPT	       63
#define IDE_PRD_MAX    8192 /* entries walked at most: 64 KiB of table */
#define IDE_CFG_IDETIM 0x40

/* Command block registers (offsets from 0x1f0) */
#define ATA_DATA    0
#define ATA_ERROR   1 /* read; FEATURES written */
#define ATA_NSECT   2
#define ATA_LBAL    3
#define ATA_LBAM    4
#define ATA_LBAH    5
#define ATA_DEVICE  6
#define ATA_STATUS  7 /* read; COMMAND written */
#define ATA_DEV_LBA 0x40
#define ATA_DEV_DEV 0x10 /* device 1 selected */

#define ST_BSY	0x80
#define ST_DRDY 0x40
#define ST_DSC	0x10
#define ST_DRQ	0x08
#define ST_ERR	0x01
#define ER_ABRT 0x04

#define CTL_NIEN 0x02
#define CTL_SRST 0x04
#define CTL_HOB	 0x80

/* Bus master IDE registers (BAR4 offsets, primary channel) */
#define BM_CMD	      0
#define BM_STATUS     2
#define BM_PRD	      4
#define BM_CMD_START  0x01
#define BM_CMD_TOMEM  0x08 /* bus master writes memory: a disk read */
#define BM_ST_ACTIVE  0x01
#define BM_ST_ERROR   0x02
#define BM_ST_IRQ     0x04
#define BM_ST_CAPABLE 0x60 /* drive 0 and 1 DMA capable, R/W */

enum ide_xfer {
	IDE_IDLE,
	IDE_PIO_IN,
	IDE_PIO_OUT,
	IDE_DMA_IN, /* to the guest's memory */
	IDE_DMA_OUT
};

struct ide {
	struct dm_dev dev; /* first: ops get it */
	struct dm_dev isa;
	bool used;
	struct blkback_disk *disk;
	uint8_t reg[8]; /* the registers last written (1-6) */
	uint8_t hob[8]; /* the ones written before them */
	uint8_t status, error, control;
	bool pending; /* the device's interrupt, until Status is read */
	bool line;    /* IRQ 14 as last set */
	enum ide_xfer xfer;
	uint64_t lba;  /* of the next sector */
	uint32_t left; /* sectors still to move */
	uint8_t buf[IDE_SECTOR];
	unsigned pos;
	uint8_t bm_cmd, bm_status;
	uint32_t bm_prd;
	bool write_cache;
	bool readonly;		 /* the disk line's 'r': writes abort */
	uint16_t mode63, mode88; /* selected DMA modes: words 63 and 88 */
};

static struct ide ides[IDE_MAX];

static bool ide_dev1(const struct ide *t)
{
	return t->reg[ATA_DEVICE] & ATA_DEV_DEV;
}

/* INTRQ: the selected device 0's pending interrupt, unless nIEN. */
static void ide_irq_update(struct ide *t)
{
	bool level = t->pending && !(t->control & CTL_NIEN) && !ide_dev1(t);

	if (level && !t->line)
		t->bm_status |= BM_ST_IRQ;
	if (level != t->line)
		dm_irq_level(t->dev.dom, IDE_IRQ, level);
	t->line = level;
}

static void ide_raise(struct ide *t)
{
	t->pending = true;
	ide_irq_update(t);
}

/* The command ends: status (ST_DRDY | ST_DSC, maybe ST_ERR), with an
 * interrupt when irq. */
static void ide_end(struct ide *t, uint8_t status, bool irq)
{
	t->status = status;
	t->xfer = IDE_IDLE;
	if (irq)
		ide_raise(t);
}

static void ide_abort(struct ide *t)
{
	t->error = ER_ABRT;
	ide_end(t, ST_DRDY | ST_DSC | ST_ERR, true);
}

/* Copies an ATA string: two characters per word, the first in its high
 * byte, padded with spaces (ATA/ATAPI-6 3.2.9). */
static void ide_string(uint16_t *w, const char *s, unsigned words)
{
	for (unsigned i = 0; i < words; i++) {
		char a = *s ? *s++ : ' ', b = *s ? *s++ : ' ';

		w[i] = (uint16_t)((uint8_t)a << 8 | (uint8_t)b);
	}
}

/* IDENTIFY DEVICE's 256 words (ATA/ATAPI-6 8.15, table 19) into buf. */
static void ide_identify(struct ide *t)
{
	uint16_t w[256] = { 0 };
	uint64_t n = t->disk->sectors, lba28 = MIN(n, 0x0fffffffULL);
	uint32_t cyls = (uint32_t)MIN(n / (IDE_HEADS * IDE_SPT), 16383);
	uint8_t sum = 0;

	w[0] = 0x0040; /* ATA device, fixed */
	w[1] = w[54] = (uint16_t)cyls;
	w[3] = w[55] = IDE_HEADS;
	w[6] = w[56] = IDE_SPT;
	ide_string(&w[10], "HVLAB00000000001", 10);
	ide_string(&w[23], "1.0", 4);
	ide_string(&w[27], "HVLAB IDE HARDDISK", 20);
	w[47] = 0x8000; /* READ/WRITE MULTIPLE: none */
	w[49] = 0x0300; /* LBA, DMA */
	w[50] = 0x4000;
	w[53] = 0x0007; /* words 54-58, 64-70 and 88 valid */
	w[57] = (uint16_t)(cyls * IDE_HEADS * IDE_SPT);
	w[58] = (uint16_t)((cyls * IDE_HEADS * IDE_SPT) >> 16);
	w[60] = (uint16_t)lba28;
	w[61] = (uint16_t)(lba28 >> 16);
	w[63] = 0x0007 | t->mode63; /* multiword DMA 0-2 */
	w[64] = 0x0003;		    /* PIO 3 and 4 */
	w[65] = w[66] = w[67] = w[68] = 120;
	w[80] = 0x0070; /* ATA/ATAPI-4 to -6 */
	w[82] = 0x0068; /* power management, write cache, look-ahead */
	w[83] = 0x7400; /* FLUSH CACHE (EXT), 48-bit addresses */
	w[84] = 0x4000;
	w[85] = (uint16_t)(0x0048 | (t->write_cache ? 0x20 : 0));
	w[86] = 0x3400;
	w[87] = 0x4000;
	w[88] = 0x003f | t->mode88; /* Ultra DMA 0-5 */
	for (int i = 0; i < 4; i++)
		w[100 + i] = (uint16_t)(n >> (16 * i));
	memcpy(t->buf, w, sizeof(w));
	/* Integrity word: signature a5h, and a checksum making the bytes'
	 * sum 0 (8.15.63). */
	t->buf[510] = 0xa5;
	for (int i = 0; i < 511; i++)
		sum = (uint8_t)(sum + t->buf[i]);
	t->buf[511] = (uint8_t)-sum;
}

/*
 * The command's first sector and count: LBA (28 bits, 27:24 in the
 * device register) or CHS, or 48-bit (the HOB bytes above); a count of
 * 0 is 256 sectors, or 65536 with 48 bits.  False when the address is
 * not on the disk.
 */
static bool ide_address(struct ide *t, bool ext)
{
	uint8_t *r = t->reg, *h = t->hob;
	uint64_t lba;
	uint32_t n;

	if (ext) {
		lba = (uint64_t)h[ATA_LBAH] << 40 |
		      (uint64_t)h[ATA_LBAM] << 32 | (uint64_t)h[ATA_LBAL] << 24;
		n = (uint32_t)(h[ATA_NSECT] << 8 | r[ATA_NSECT]);
		n = n ? n : 65536;
	} else if (r[ATA_DEVICE] & ATA_DEV_LBA) {
		lba = (uint64_t)(r[ATA_DEVICE] & 0x0f) << 24;
		n = r[ATA_NSECT] ? r[ATA_NSECT] : 256;
	} else {
		unsigned cyl = r[ATA_LBAH] << 8 | r[ATA_LBAM];
		unsigned head = r[ATA_DEVICE] & 0x0f, sect = r[ATA_LBAL];

		if (sect == 0 || sect > IDE_SPT || head >= IDE_HEADS)
			return false;
		t->lba = ((uint64_t)cyl * IDE_HEADS + head) * IDE_SPT + sect -
			 1;
		t->left = r[ATA_NSECT] ? r[ATA_NSECT] : 256;
		return t->lba + t->left <= t->disk->sectors;
	}
	t->lba = lba | (uint64_t)r[ATA_LBAH] << 16 |
		 (uint64_t)r[ATA_LBAM] << 8 | r[ATA_LBAL];
	t->left = n;
	return t->lba + t->left <= t->disk->sectors;
}

static uint8_t *ide_sector(struct ide *t)
{
	return t->disk->data + t->lba * IDE_SECTOR;
}

/* PIO data-in: the next block is in buf; DRQ and an interrupt. */
static void ide_pio_block(struct ide *t)
{
	t->pos = 0;
	t->status = ST_DRDY | ST_DSC | ST_DRQ;
	ide_raise(t);
}

/* The host took or gave the whole block in buf. */
static void ide_pio_done(struct ide *t)
{
	if (t->xfer == IDE_PIO_OUT)
		memcpy(ide_sector(t), t->buf, IDE_SECTOR);
	t->lba++;
	if (--t->left == 0) {
		/* Data-in ends silently; data-out with an interrupt. */
		ide_end(t, ST_DRDY | ST_DSC, t->xfer == IDE_PIO_OUT);
		return;
	}
	if (t->xfer == IDE_PIO_IN) {
		memcpy(t->buf, ide_sector(t), IDE_SECTOR);
		ide_pio_block(t);
	} else {
		t->pos = 0;
		ide_raise(t);
	}
}

/* One data register access of size 2 or 4 bytes; *val in or out. */
static void ide_data(struct ide *t, unsigned size, bool write, uint64_t *val)
{
	bool in = t->xfer == IDE_PIO_IN;

	if (!(t->status & ST_DRQ) || (t->xfer != IDE_PIO_IN && !write) ||
	    (t->xfer != IDE_PIO_OUT && write) || size < 2 ||
	    t->pos + size > IDE_SECTOR) {
		*val = write ? *val : 0;
		return;
	}
	if (in)
		memcpy(val, t->buf + t->pos, size);
	else
		memcpy(t->buf + t->pos, val, size);
	t->pos += size;
	if (t->pos == IDE_SECTOR)
		ide_pio_done(t);
}

/* The DMA transfer failed (a PRD outside the guest's RAM): the bus
 * master's Error, the command aborted. */
static void ide_dma_error(struct ide *t)
{
	t->bm_status = (uint8_t)((t->bm_status | BM_ST_ERROR) & ~BM_ST_ACTIVE);
	ide_abort(t);
}

/*
 * Runs the DMA command with the bus master started: walks the PRD table,
 * moving the sectors between the disk and each region.  SFF-8038i's
 * table of Interrupt and Active: a table as long as the transfer ends
 * with Active clear; a longer one keeps Active set; a shorter one clears
 * Active with no interrupt, the device still waiting with DRQ.
 */
static void ide_dma_run(struct ide *t)
{
	uint64_t done = 0, total = (uint64_t)t->left * IDE_SECTOR;
	bool to_guest = t->xfer == IDE_DMA_IN, eot = false, exhausted = false;
	uint32_t at = t->bm_prd, prd[2];
	long fault = 0;

	/* The direction bit contradicting the command is a driver's bug. */
	if (!(t->bm_cmd & BM_CMD_TOMEM) != !to_guest)
		fault = -1;
	for (int i = 0; !fault && i < IDE_PRD_MAX; i++, at += 8) {
		uint64_t len, n;

		if ((fault = dm_guest_copy(t->dev.dom, at, prd, sizeof(prd),
					   false)) < 0)
			break;
		len = (prd[1] & 0xffff) ? (prd[1] & 0xfffe) : 0x10000;
		n = MIN(len, total - done);
		fault = dm_guest_copy(t->dev.dom, prd[0] & ~1u,
				      ide_sector(t) + done, n, to_guest);
		done += n;
		eot = prd[1] & 0x80000000u;
		if (eot || done == total) {
			exhausted = eot && n == len;
			break;
		}
	}
	if (fault || (done < total && !eot)) {
		ide_dma_error(t);
		return;
	}
	if (exhausted)
		t->bm_status &= (uint8_t)~BM_ST_ACTIVE;
	if (done == total)
		ide_end(t, ST_DRDY | ST_DSC, true);
}

/* A READ or WRITE command: PIO (pio) or DMA, 28 or 48-bit (ext). */
static void ide_rw(struct ide *t, bool write, bool pio, bool ext)
{
	if (!ide_address(t, ext) || (write && t->readonly)) {
		ide_abort(t);
		return;
	}
	if (pio && write) {
		t->xfer = IDE_PIO_OUT;
		t->pos = 0;
		t->status = ST_DRDY | ST_DSC | ST_DRQ; /* no interrupt yet */
	} else if (pio) {
		t->xfer = IDE_PIO_IN;
		memcpy(t->buf, ide_sector(t), IDE_SECTOR);
		ide_pio_block(t);
	} else {
		t->xfer = write ? IDE_DMA_OUT : IDE_DMA_IN;
		t->status = ST_DRDY | ST_DSC | ST_DRQ;
		if (t->bm_cmd & BM_CMD_START)
			ide_dma_run(t);
	}
}

/* SET FEATURES (8.37): the transfer mode (subcommand 03h, the mode in
 * the sector count), the write cache, read look-ahead. */
static void ide_set_features(struct ide *t)
{
	uint8_t mode = t->reg[ATA_NSECT];

	switch (t->reg[ATA_ERROR]) {
	case 0x02: t->write_cache = true; break;
	case 0x82: t->write_cache = false; break;
	case 0x55:
	case 0xaa: break;
	case 0x03:
		if (mode <= 0x01 || (mode >= 0x08 && mode <= 0x0c)) {
			break; /* PIO default, PIO flow control 0-4 */
		} else if (mode >= 0x20 && mode <= 0x22) {
			t->mode63 = (uint16_t)(0x100 << (mode & 7));
			t->mode88 = 0;
		} else if (mode >= 0x40 && mode <= 0x45) {
			t->mode88 = (uint16_t)(0x100 << (mode & 7));
			t->mode63 = 0;
		} else {
			ide_abort(t);
			return;
		}
		break;
	default: ide_abort(t); return;
	}
	ide_end(t, ST_DRDY | ST_DSC, true);
}

/* The signature of an ATA device after a reset or diagnostic (9.12). */
static void ide_signature(struct ide *t)
{
	t->reg[ATA_NSECT] = t->reg[ATA_LBAL] = 1;
	t->reg[ATA_LBAM] = t->reg[ATA_LBAH] = 0;
	t->reg[ATA_DEVICE] = 0;
	t->error = 0x01; /* device 0 passed, device 1 absent */
}

/* A write of the Command register: clears the pending interrupt, runs. */
static void ide_command(struct ide *t, uint8_t cmd)
{
	t->pending = false;
	ide_irq_update(t);
	if (ide_dev1(t) || (t->control & CTL_SRST))
		return;
	t->error = 0;
	switch (cmd) {
	case 0xec: /* IDENTIFY DEVICE */
		ide_identify(t);
		t->xfer = IDE_PIO_IN;
		t->left = 1;
		t->lba = 0;
		ide_pio_block(t);
		return;
	case 0x20:
	case 0x21: ide_rw(t, false, true, false); return;
	case 0x24: ide_rw(t, false, true, true); return;
	case 0x30:
	case 0x31: ide_rw(t, true, true, false); return;
	case 0x34: ide_rw(t, true, true, true); return;
	case 0xc8:
	case 0xc9: ide_rw(t, false, false, false); return;
	case 0x25: ide_rw(t, false, false, true); return;
	case 0xca:
	case 0xcb: ide_rw(t, true, false, false); return;
	case 0x35: ide_rw(t, true, false, true); return;
	case 0xef: ide_set_features(t); return;
	case 0x90: /* EXECUTE DEVICE DIAGNOSTIC */
		ide_signature(t);
		ide_end(t, ST_DRDY | ST_DSC, true);
		return;
	case 0xe5: /* CHECK POWER MODE: active */
		t->reg[ATA_NSECT] = 0xff;
		ide_end(t, ST_DRDY | ST_DSC, true);
		return;
	case 0xe7: /* FLUSH CACHE (EXT): the image is in memory */
	case 0xea:
	case 0x91: /* INITIALIZE DEVICE PARAMETERS */
	case 0xe0: /* STANDBY IMMEDIATE, IDLE IMMEDIATE, STANDBY, IDLE */
	case 0xe1:
	case 0xe2:
	case 0xe3: ide_end(t, ST_DRDY | ST_DSC, true); return;
	}
	ide_abort(t);
}

/* Device Control (6.15): nIEN gates INTRQ; SRST held then released
 * resets the device (9.2); HOB selects the registers' older bytes. */
static void ide_control(struct ide *t, uint8_t val)
{
	uint8_t old = t->control;

	t->control = val;
	if ((val & CTL_SRST) && !(old & CTL_SRST)) {
		t->xfer = IDE_IDLE;
		t->pending = false;
		t->status = ST_BSY;
	} else if (!(val & CTL_SRST) && (old & CTL_SRST)) {
		ide_signature(t);
		t->status = ST_DRDY | ST_DSC; /* and no interrupt */
	}
	ide_irq_update(t);
}

/* A command or control block register read (not Data). */
static uint8_t ide_read_reg(struct ide *t, unsigned reg, bool alt)
{
	bool hob = t->control & CTL_HOB;

	if (ide_dev1(t))
		return reg == ATA_DEVICE ? t->reg[ATA_DEVICE] : 0;
	switch (reg) {
	case ATA_ERROR: return t->error;
	case ATA_DEVICE: return t->reg[ATA_DEVICE];
	case ATA_STATUS:
		if (!alt) {
			t->pending = false;
			ide_irq_update(t);
		}
		return t->status;
	}
	return hob ? t->hob[reg] : t->reg[reg];
}

/* A command block register write (not Data): Command, or a register
 * whose older byte moves to the HOB side; any clears HOB (6.15). */
static void ide_write_reg(struct ide *t, unsigned reg, uint8_t val)
{
	t->control &= (uint8_t)~CTL_HOB;
	if (reg == ATA_STATUS) {
		ide_command(t, val);
		return;
	}
	if (t->status & ST_BSY)
		return;
	t->hob[reg] = t->reg[reg];
	t->reg[reg] = val;
	if (reg == ATA_DEVICE)
		ide_irq_update(t);
}

/* The bus master registers (PIIX3 2.7): the primary channel's. */
static uint64_t ide_bm_read(struct ide *t, uint64_t off, unsigned size)
{
	uint8_t r[8] = { t->bm_cmd, 0, t->bm_status, 0 };
	uint64_t val = 0;

	memcpy(r + BM_PRD, &t->bm_prd, 4);
	if (off < 8)
		memcpy(&val, r + off, MIN(size, 8 - off));
	return val;
}

static void ide_bm_write(struct ide *t, uint64_t off, unsigned size,
			 uint64_t val)
{
	for (unsigned i = 0; i < size && off + i < 8; i++) {
		uint8_t v = (uint8_t)(val >> (8 * i));
		unsigned o = (unsigned)off + i;

		if (o == BM_CMD) {
			bool start = (v & BM_CMD_START) &&
				     !(t->bm_cmd & BM_CMD_START);

			t->bm_cmd = v & (BM_CMD_START | BM_CMD_TOMEM);
			if (!(v & BM_CMD_START))
				t->bm_status &= (uint8_t)~BM_ST_ACTIVE;
			if (start)
				t->bm_status |= BM_ST_ACTIVE;
			if (start &&
			    (t->xfer == IDE_DMA_IN || t->xfer == IDE_DMA_OUT))
				ide_dma_run(t);
		} else if (o == BM_STATUS) {
			t->bm_status = (uint8_t)((t->bm_status & BM_ST_ACTIVE) |
						 (v & BM_ST_CAPABLE) |
						 (t->bm_status & ~v &
						  (BM_ST_ERROR | BM_ST_IRQ)));
		} else if (o >= BM_PRD) {
			unsigned sh = 8 * (o - BM_PRD);

			t->bm_prd = (t->bm_prd & ~(0xffu << sh)) |
				    (uint32_t)v << sh;
			t->bm_prd &= ~3u;
		}
	}
}

static uint64_t ide_read(struct dm_dev *dev, int region, uint64_t off,
			 unsigned size)
{
	struct ide *t = (struct ide *)dev;
	uint64_t val = 0;

	if (region == 4)
		return ide_bm_read(t, off, size);
	if (region == DM_FIXED + 1)
		return ide_read_reg(t, ATA_STATUS, true);
	if (off == ATA_DATA) {
		ide_data(t, size, false, &val);
		return val;
	}
	return ide_read_reg(t, (unsigned)off, false);
}

static void ide_write(struct dm_dev *dev, int region, uint64_t off,
		      unsigned size, uint64_t val)
{
	struct ide *t = (struct ide *)dev;

	if (region == 4)
		ide_bm_write(t, off, size, val);
	else if (region == DM_FIXED + 1)
		ide_control(t, (uint8_t)val);
	else if (off == ATA_DATA)
		ide_data(t, size, true, &val);
	else
		ide_write_reg(t, (unsigned)off, (uint8_t)val);
}

static void ide_release(struct dm_dev *dev)
{
	struct ide *t = (struct ide *)dev;

	if (!t->readonly && t->disk->writer == dm_domid(dev->dom))
		t->disk->writer = -1;
	t->used = false;
}

static const struct dm_ops ide_ops = { ide_read, ide_write, NULL, ide_release };
static const struct dm_ops ide_isa_ops = { NULL, NULL, NULL, NULL };

/* The configuration spaces of 00:01.0 and 00:01.1 as after firmware. */
static void ide_pci(struct ide *t)
{
	dm_pci_init(&t->isa, DM_BDF(0, 1, 0), 0x8086, 0x7000, 0x060100, 0);
	t->isa.config[0x0e] = 0x80; /* multi-function */
	/* Compatibility mode both channels, bus master (prog-if 80h). */
	dm_pci_init(&t->dev, DM_BDF(0, 1, 1), 0x8086, 0x7010, 0x010180, 0);
	t->dev.config[0x04] = 0x01; /* I/O decoding on */
	t->dev.config[0x06] = 0x80; /* status: fast back-to-back */
	t->dev.config[0x07] = 0x02; /* DEVSEL# medium */
	dm_pci_bar(&t->dev, 4, DM_IO, 16, IDE_BM_BASE);
	/* IDETIM primary: IDE decode enable; secondary: disabled. */
	t->dev.config[IDE_CFG_IDETIM + 1] = 0x80;
	memset(t->dev.config_wmask + IDE_CFG_IDETIM, 0xff, 5);
	dm_fixed(&t->dev, 0, DM_IO, IDE_CMD_PORT, 8);
	dm_fixed(&t->dev, 1, DM_IO, IDE_CTL_PORT, 1);
}

/* The image of domid's first disk line, and whether it is writable;
 * false (printed) when it has none. */
static bool ide_disk_line(domid_t domid, char *path, size_t len, bool *writable)
{
	struct xen_domctl op = { .cmd = XEN_DOMCTL_getdevice, .domain = domid };
	struct xen_domctl_getdevice *g = &op.u.getdevice;

	for (uint32_t i = 0; i < 16; i++) {
		*g = (struct xen_domctl_getdevice){ .index = i };
		if (dom0_domctl(&op) < 0)
			break;
		if (g->type != XEN_DEVICE_disk)
			continue;
		g->target[sizeof(g->target) - 1] = '\0';
		strlcpy(path, g->target, len);
		*writable = g->writable;
		return true;
	}
	printf("dm: ide: domain %u has no disk line\n", domid);
	return false;
}

/* `dm NAME ide [IMAGE]`: the disk on the primary channel, master: the
 * image of NAME's first disk line (as Xen's device model takes an hvm
 * guest's disks from its config), or IMAGE, writable. */
int dm_ide_attach(struct dm_domain *d, int argc, char **argv)
{
	struct ide *t = NULL;
	domid_t domid = dm_domid(d);
	char path[48];
	bool writable = true;

	for (int i = 0; i < IDE_MAX && !t; i++)
		if (!ides[i].used)
			t = &ides[i];
	if (argc > 1 || !t) {
		printf("dm: ide: %s\n", argc > 1 ?
						"usage: dm NAME ide [IMAGE]" :
						"too many IDE disks");
		return 1;
	}
	if (argc == 1)
		strlcpy(path, argv[0], sizeof(path));
	else if (!ide_disk_line(domid, path, sizeof(path), &writable))
		return 1;
	*t = (struct ide){ .status = ST_DRDY | ST_DSC,
			   .write_cache = true,
			   .readonly = !writable };
	if (!(t->disk = blkback_disk_get(path)))
		return 1;
	if (writable && t->disk->writer >= 0 && t->disk->writer != domid) {
		printf("dm: ide: %s is attached writable by dom %d\n", path,
		       t->disk->writer);
		return 1;
	}
	ide_signature(t);
	ide_pci(t);
	t->used = true; /* from here on d's devices may hold it */
	if (dm_dev_add(d, &t->isa, "piix3-isa", &ide_isa_ops) < 0 ||
	    dm_dev_add(d, &t->dev, "piix3-ide", &ide_ops) < 0)
		return 1;
	if (writable)
		t->disk->writer = domid;
	return 0;
}
