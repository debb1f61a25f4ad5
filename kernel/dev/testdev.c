/*
 * testdev.c - hvlab's test device (lab 5; the guest's view is
 * inc/testdev.h).  Its register file reads back what was written, at any
 * width and offset, so that a guest can run one instruction on RAM and on
 * the device and compare; each access is counted and recorded, so that
 * the guest also sees how the emulator split it.  The control registers
 * show the memory manager from the inside: host pages in use, how the
 * nested tables map an address, writes dropped by ROM; one drives an
 * interrupt line, for tests of the PC's interrupt controllers.
 *
 * The device is reached only through nested faults (or the shadow's
 * non-RAM path) and kernel/dev/mmio.c, which never hands it an access
 * that crosses a page: the register file is one page.
 */
#include <inc/string.h>
#include <kernel/kernel.h>
#include <kernel/domain.h>
#include <kernel/dev/io.h>
#include <kernel/mm/nested.h>
#include <kernel/dev/testdev.h>
#include <kernel/dev/irq.h>

/* A register-file access: recorded, then carried out like RAM. */
static int testdev_regfile(struct testdev *t, uint64_t off, unsigned size,
			   bool write, uint64_t *val)
{
	if (off + size > sizeof(t->regfile))
		return -E_RANGE;
	t->accesses++;
	t->last = size | (uint64_t)write << TESTDEV_LAST_WRITE_BIT |
		  off << TESTDEV_LAST_OFFSET_SHIFT;
	if (write) {
		memcpy(t->regfile + off, val, size);
		return 0;
	}
	*val = 0;
	memcpy(val, t->regfile + off, size);
	return 0;
}

/* TESTDEV_MAP_LEVEL: how d's nested tables map gpa (0 under shadow). */
static uint64_t testdev_map_level(struct domain *d, gpa_t gpa)
{
	bool writable;
	int level;

	if (!d->nested.root)
		return 0;
	level = nested_level(d, gpa, &writable);
	return (uint64_t)level | (level && writable ? TESTDEV_MAPPED_W : 0);
}

/* A control register read (offset reg from TESTDEV_CTRL). */
static uint64_t testdev_ctrl_read(struct domain *d, struct testdev *t,
				  uint64_t reg)
{
	switch (reg) {
	case TESTDEV_ACCESSES: return t->accesses;
	case TESTDEV_LAST: return t->last;
	case TESTDEV_HOST_PAGES: return d->p2m.populated;
	case TESTDEV_MAP_GPA: return t->map_gpa;
	case TESTDEV_MAP_LEVEL: return testdev_map_level(d, t->map_gpa);
	case TESTDEV_ROM_WRITES: return d->nested.rom_writes;
	default: return 0;
	}
}

static int testdev_mmio(struct domain *d, void *opaque, uint64_t gpa,
			unsigned size, bool write, uint64_t *val)
{
	struct testdev *t = opaque;
	uint64_t off = gpa - TESTDEV_BASE, reg = off - TESTDEV_CTRL;

	if (off < TESTDEV_CTRL)
		return testdev_regfile(t, off, size, write, val);
	if (write) {
		if (size == 8 && reg == TESTDEV_MAP_GPA)
			t->map_gpa = *val;
		if (size == 8 && reg == TESTDEV_IRQ)
			irq_set(d, *val & 0xf, *val & TESTDEV_IRQ_HIGH);
		return 0;
	}
	*val = size == 8 && reg % 8 == 0 ? testdev_ctrl_read(d, t, reg) : 0;
	return 0;
}

int testdev_init(struct domain *d, struct testdev *t)
{
	memset(t, 0, sizeof(*t));
	return io_register_mmio(d, TESTDEV_BASE, TESTDEV_SIZE, testdev_mmio, t,
				"testdev");
}
