/*
 * dm_ide.c - the PIIX3 IDE disk that dom0's device model emulates for an
 * hvm domain (issue 16; guests/dom0/dm_ide.c, dm.c, guests/lib/ata.c,
 * guests/ide), and the PCI configuration forwarding it rests on
 * (XEN_DMOP_IO_RANGE_PCI in pv/ioreq.c, kernel/dev/pci.c).  Points:
 * dm.points (make grade SUITE=dm).
 *
 * One boot: dom0 creates ide paused, attaches ide.img (IDETEST_BYTE's
 * pattern, written here; the config's disk line names it, as Xen's does
 * for an hvm guest's emulated and PV disk alike) with `dm ide ide`,
 * unpauses it and powers off after it; the hostile PRDs must leave dom0
 * running.
 *
 * The usual bugs, bug: the tests that fail:
 *   a sector count of 0 taken as 0, not 256 (65536 with 48 bits):
 *     dm_ide_pio, dm_ide_lba48
 *   LBA bits 24-27 not taken from the device register, or the HOB
 *     bytes ignored: dm_ide_lba48
 *   DRQ left set after the last block: dm_ide_irq (and every PIO read,
 *     whose driver checks it)
 *   INTRQ not raised, not lowered by a Status read (or lowered by
 *     Alternate Status), nIEN ignored: dm_ide_irq
 *   EOT ignored (the table read past its end): dm_ide_prd; a byte count
 *     of 0 taken as 0, not 64 KiB: dm_ide_prd
 *   a PRD outside the guest's RAM read or written, or dom0 dying of
 *     it: dm_ide_hostile
 *   configuration accesses not forwarded, BAR4 not sizable or its claim
 *     not moved: dm_ide_pci
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <stdint.h>
#include "../grader.h"
#include "../../guests/lib/idetest.h"

static uint8_t img[IDETEST_SECTORS * 512];

static const struct hv_cfg ide = {
	.needs_virt = 1,
	.progress_timeout = 240,
	.timeout = 1200,
	.domains = {
		HV_DOM0("xl create -p ide.cfg;dm ide ide;"
			"xl unpause ide;xl console ide;xl list;poweroff"),
		{ "ide", "name   = \"ide\"\ntype   = \"hvm\"\n"
			 "kernel = \"guests/ide.elf\"\nmemory = 16\n"
			 "disk   = [ \"file:ide.img,xvda,w\" ]\n" },
	},
	.files = {
		{ "ide.img", img, sizeof(img) },
	},
};

/* The boot, with the image's pattern written first. */
static struct hv_run *ide_boot(void)
{
	for (uint32_t s = 0; s < IDETEST_SECTORS; s++)
		for (unsigned off = 0; off < 512; off++)
			img[512 * s + off] = IDETEST_BYTE(s, off);
	return hv_boot_group("ide", &ide);
}

/*
 * The guest printed a PASS line starting with each of passes, and its
 * SUMMARY: a test fails for its own reports, not for the others' (the
 * guest's exit status counts them all).
 */
static void ide_passed(const char *const passes[])
{
	struct hv_run *r = ide_boot();
	char want[256];

	for (; *passes; passes++) {
		snprintf(want, sizeof(want), "ide: PASS: %s", *passes);
		cr_expect(hv_find_result_with(r, want, ""),
			  "[wrong result] no line \"%s...\"\n  %s", want,
			  hv_diagnose(r));
	}
	cr_expect(hv_find_result_with(r, "ide: SUMMARY: ", ""),
		  "[wrong result] the guest did not finish\n  %s",
		  hv_diagnose(r));
}

Test(dm, dm_ide_pci, .timeout = 1800)
{
	static const char *const passes[] = {
		"PCI: the PIIX3 ISA bridge at 00:01.0",
		"PCI: 00:01.0's header says multi-function",
		"PCI: the PIIX3 IDE function at 00:01.1",
		"PCI: class IDE, compatibility mode, bus master",
		"PCI: an absent function reads all ones",
		"PCI: I/O decoding off silences the disk's ports",
		"PCI: BAR4 sizes to 16 ports of I/O",
		"PCI: BAR4 moved: the bus master registers follow it",
		"PCI: BAR4 moved back: there again",
		NULL,
	};

	ide_passed(passes);
}

Test(dm, dm_ide_identify, .timeout = 1800)
{
	static const char *const passes[] = {
		"IDENTIFY DEVICE completes",
		"IDENTIFY: model 'HVLAB IDE HARDDISK'",
		"IDENTIFY: words 60-61",
		"IDENTIFY: 48-bit addresses",
		"IDENTIFY: LBA and DMA",
		"IDENTIFY: integrity word",
		NULL,
	};

	ide_passed(passes);
}

Test(dm, dm_ide_pio, .timeout = 1800)
{
	static const char *const passes[] = {
		"PIO: READ SECTORS of sector 5",
		"PIO: READ SECTORS of 7 across a page",
		"PIO: a sector count of 0 reads 256 sectors",
		"PIO: WRITE SECTORS of 5 across a page",
		"PIO: the sectors written read back",
		NULL,
	};

	ide_passed(passes);
}

Test(dm, dm_ide_lba48, .timeout = 1800)
{
	static const char *const passes[] = {
		"48-bit: READ SECTORS EXT of 256",
		"48-bit: WRITE SECTORS EXT read back",
		"48-bit: LBA 2^32 + 5 aborts",
		"28-bit: LBA 2^24 + 5 aborts",
		"48-bit: HOB reads the older byte",
		"48-bit: without HOB the newer",
		NULL,
	};

	ide_passed(passes);
}

Test(dm, dm_ide_errors, .timeout = 1800)
{
	static const char *const passes[] = {
		"errors: NOP aborts",
		"errors: an unknown command (27h) aborts",
		"errors: a read past the last sector aborts",
		"errors: a write at the sector after the last aborts",
		"errors: SET FEATURES 77h aborts",
		"SET FEATURES: transfer mode multiword DMA 2",
		"SET FEATURES: IDENTIFY word 63",
		"FLUSH CACHE and FLUSH CACHE EXT complete",
		"errors: the disk reads again after them",
		NULL,
	};

	ide_passed(passes);
}

Test(dm, dm_ide_irq, .timeout = 1800)
{
	static const char *const passes[] = {
		"INTRQ: IRQ 14 raised at a command's end",
		"INTRQ: reading Status lowers it",
		"INTRQ: PIO data-in raises it for each block",
		"PIO: DRQ clear after the last block",
		"INTRQ: nIEN holds it low",
		"INTRQ: writing Command clears the pending interrupt",
		NULL,
	};

	ide_passed(passes);
}

Test(dm, dm_ide_reset, .timeout = 1800)
{
	static const char *const passes[] = {
		"SRST: BSY while it is held",
		"SRST: then DRDY",
		"SRST: an ATA device's signature",
		"device 1 selected: absent",
		"SRST: the disk reads again after it",
		NULL,
	};

	ide_passed(passes);
}

Test(dm, dm_ide_dma, .timeout = 1800)
{
	static const char *const passes[] = {
		"DMA: READ DMA of 16 across 64 KiB",
		"DMA: READ DMA EXT",
		"DMA: WRITE DMA of 24 across 64 KiB",
		"DMA: the sectors written read back with PIO",
		"DMA: WRITE DMA EXT read back",
		NULL,
	};

	ide_passed(passes);
}

Test(dm, dm_ide_prd, .timeout = 1800)
{
	static const char *const passes[] = {
		"PRD: a byte count of 0 moves 64 KiB",
		"PRD: bus master Interrupt set, Active clear at the end",
		"PRD: EOT ends the table",
		"PRD: a short table",
		"PRD: a table longer than the transfer leaves Active set",
		NULL,
	};

	ide_passed(passes);
}

/* PRDs outside the guest's RAM fail the command; dom0 goes on. */
Test(dm, dm_ide_hostile, .timeout = 1800)
{
	static const char *const passes[] = {
		"hostile PRD: the local APIC's page",
		"hostile PRD: 1 GiB, past the guest's RAM",
		"hostile PRD: a region running past the end of RAM",
		"hostile PRD: the table itself outside RAM",
		"hostile PRD: the disk works after them",
		NULL,
	};
	struct hv_run *r = ide_boot();

	ide_passed(passes);
	hv_dom0_cmd(r, "poweroff", 1);
	expect_exit(r, 0);
}
