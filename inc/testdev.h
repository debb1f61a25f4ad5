/*
 * testdev.h - hvlab's test device (lab 5), for guests that check MMIO
 * emulation and the hypervisor's memory manager from the inside.  A
 * domain gets it with `testdev = 1` in its config.  Two pages of MMIO at
 * TESTDEV_BASE, reached only through nested faults and the x86 emulator:
 *
 *   TESTDEV_BASE + 0x0000 .. 0x0fff   a register file: 4096 bytes that read
 *       back what was written, at any width (1, 2, 4, 8) and offset, like
 *       RAM behind a device, so that a guest can run the same instruction
 *       on RAM and on the device and compare.
 *   TESTDEV_BASE + 0x1000 + TESTDEV_*  64-bit control registers (reads and
 *       writes of other widths or offsets are ignored / read 0).
 *
 * Control register accesses are not counted in TESTDEV_ACCESSES.
 */
#ifndef INC_TESTDEV_H
#define INC_TESTDEV_H

#define TESTDEV_BASE	0xfe000000ULL
#define TESTDEV_SIZE	0x2000ULL
#define TESTDEV_REGFILE 0x0000ULL /* 4096 bytes */
#define TESTDEV_CTRL	0x1000ULL

/* Control registers, offsets from TESTDEV_BASE + TESTDEV_CTRL. */
#define TESTDEV_ACCESSES 0x00 /* R: register-file accesses so far */
/* R: the last register-file access: size | write << 8 | offset << 16 */
#define TESTDEV_LAST	   0x08
#define TESTDEV_HOST_PAGES 0x10 /* R: host pages backing the domain's RAM */
#define TESTDEV_MAP_GPA	   0x18 /* W: a guest-physical address to look up */
/* R: how the nested tables map TESTDEV_MAP_GPA: 0 not mapped, 1 4 KiB,
 * 2 2 MiB, 3 1 GiB, | 0x100 when the mapping is writable */
#define TESTDEV_MAP_LEVEL  0x20
#define TESTDEV_ROM_WRITES 0x28 /* R: writes dropped by read-only RAM */
/* W: drives ISA interrupt line bits 3-0 low (bit 8 clear) or high (set),
 * a level-triggered source for the PC's interrupt controllers */
#define TESTDEV_IRQ		  0x30
#define TESTDEV_IRQ_HIGH	  0x100
#define TESTDEV_LAST_WRITE_BIT	  8
#define TESTDEV_LAST_OFFSET_SHIFT 16
#define TESTDEV_MAPPED_W	  0x100

#endif
