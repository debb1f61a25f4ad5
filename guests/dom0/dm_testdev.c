/*
 * dm_testdev.c - the test device of dom0's device model (issue 16;
 * guests/lib/testdm.h, driven by guests/dm): a register file on ports
 * and one on MMIO, a byte FIFO for REP strings, and a port that pulses
 * an ISA IRQ with set_isa_irq_level.
 */
#include "dm.h"
#include <guests/lib/testdm.h>

#define TESTDEV_MAX 4

struct testdev {
	struct dm_dev dev; /* first: ops get it */
	bool used;
	uint8_t regs[16];
	uint8_t mmio[TESTDM_MMIO_SIZE];
	uint8_t fifo[4096];
	unsigned fifo_len;
	unsigned irqs;
};

static struct testdev testdevs[TESTDEV_MAX];

/* Moves n bytes between the FIFO and buf: push (write) or pop. */
static void testdev_fifo(struct testdev *t, uint8_t *buf, unsigned n,
			 bool write)
{
	if (write) {
		n = MIN(n, sizeof(t->fifo) - t->fifo_len);
		memcpy(t->fifo + t->fifo_len, buf, n);
		t->fifo_len += n;
		return;
	}
	memset(buf, 0, n);
	n = MIN(n, t->fifo_len);
	memcpy(buf, t->fifo, n);
	memmove(t->fifo, t->fifo + n, t->fifo_len - n);
	t->fifo_len -= n;
}

/* The byte array of region and off, or NULL past its end. */
static uint8_t *testdev_reg(struct testdev *t, int region, uint64_t off,
			    unsigned size)
{
	if (region == DM_FIXED + 1)
		return off + size <= sizeof(t->mmio) ? t->mmio + off : NULL;
	return off + size <= sizeof(t->regs) ? t->regs + off : NULL;
}

static void testdev_write(struct dm_dev *dev, int region, uint64_t off,
			  unsigned size, uint64_t val)
{
	struct testdev *t = (struct testdev *)dev;
	uint8_t *r = testdev_reg(t, region, off, size);

	if (region == DM_FIXED && off == TESTDM_FIFO - TESTDM_PORT) {
		testdev_fifo(t, (uint8_t *)&val, size, true);
	} else if (region == DM_FIXED && off == TESTDM_IRQ - TESTDM_PORT) {
		dm_irq_level(dev->dom, val & 0xf, true);
		dm_irq_level(dev->dom, val & 0xf, false);
		t->irqs++;
	} else if (r) {
		memcpy(r, &val, size);
	}
}

static uint64_t testdev_read(struct dm_dev *dev, int region, uint64_t off,
			     unsigned size)
{
	struct testdev *t = (struct testdev *)dev;
	uint8_t *r = testdev_reg(t, region, off, size);
	uint64_t val = 0;

	if (region == DM_FIXED && off == TESTDM_FIFO - TESTDM_PORT)
		testdev_fifo(t, (uint8_t *)&val, size, false);
	else if (region == DM_FIXED && off == TESTDM_IRQ - TESTDM_PORT)
		val = t->irqs;
	else if (r)
		memcpy(&val, r, size);
	return val;
}

static void testdev_release(struct dm_dev *dev)
{
	((struct testdev *)dev)->used = false;
}

static const struct dm_ops testdev_ops = { testdev_read, testdev_write, NULL,
					   testdev_release };

int dm_testdev_attach(struct dm_domain *d, int argc, char **argv)
{
	struct testdev *t = NULL;

	for (int i = 0; i < TESTDEV_MAX && !t; i++)
		if (!testdevs[i].used)
			t = &testdevs[i];
	if (argc || !t) {
		printf("dm: test: %s\n",
		       argc ? "takes no arguments" : "too many test devices");
		return 1;
	}
	*t = (struct testdev){ .used = true };
	for (unsigned i = 0; i < sizeof(t->regs); i++)
		t->regs[i] = TESTDM_PATTERN(i);
	for (unsigned i = 0; i < sizeof(t->mmio); i++)
		t->mmio[i] = TESTDM_PATTERN(i);
	dm_fixed(&t->dev, 0, DM_IO, TESTDM_PORT,
		 TESTDM_PORT_END - TESTDM_PORT + 1);
	dm_fixed(&t->dev, 1, DM_MEM, TESTDM_MMIO, TESTDM_MMIO_SIZE);
	if (dm_dev_add(d, &t->dev, "test", &testdev_ops) < 0) {
		t->used = false;
		return 1;
	}
	return 0;
}
