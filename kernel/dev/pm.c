/*
 * pm.c - how an hvm guest powers off and resets its PC.
 *
 * The ACPI fixed hardware at PLATFORM_PM_BASE (ACPI 6.5, 4.8.3 "Fixed
 * Hardware Programming Model").  The platform has no legacy mode and no
 * SMI_CMD, so SCI_EN reads 1.  Sleep state S5 (the DSDT's \_S5) is
 * soft-off: the domain exits with status 0; the other states do nothing.
 * Nothing raises a PM1_STS event, so the SCI stays quiet.
 *
 * Reset: command 0xfe to the 8042 keyboard controller, or bit 0 of port
 * 0x92 (PS/2 "system control port A") going from 0 to 1.  There is no
 * keyboard: the status register reads 0 (input buffer empty), so a reset
 * sequence that waits for the input buffer goes straight on.
 */
#include <inc/x86.h>
#include <kernel/kernel.h>
#include <kernel/clock.h>
#include <kernel/domain.h>
#include <kernel/dev/io.h>
#include <kernel/dev/platform.h>
#include <kernel/dev/chipset.h>

#define PM_CNT_SCI_EN	 0x0001
#define PM_CNT_SLP_TYP	 0x1c00
#define PM_CNT_SLP_SHIFT 10
#define PM_CNT_SLP_EN	 0x2000
#define PM_BLOCK_LEN	 12

#define KBD_DATA      0x60
#define KBD_CMD_RESET 0xfe
#define PORT92_RESET  0x01
#define NS_PER_S      1000000000ULL

/* The PM timer's 24-bit count at host TSC value tsc. */
static uint32_t pm_timer(uint64_t tsc)
{
	uint64_t ns = clock_tsc_ns(tsc);

	return (uint32_t)(ns / NS_PER_S * PLATFORM_PMTMR_HZ +
			  ns % NS_PER_S * PLATFORM_PMTMR_HZ / NS_PER_S) &
	       0xffffff;
}

/* The dword of the PM1 block at offset off (0, 4 or 8). */
static uint32_t pm_read(const struct pm *pm, unsigned off)
{
	if (off == 0)
		return (uint32_t)pm->en << 16 | pm->sts;
	if (off == 4)
		return pm->cnt | PM_CNT_SCI_EN;
	return pm_timer(rdtsc());
}

/* Writes the bytes mask selects of val into the dword at offset off. */
static void pm_write(struct domain *d, struct pm *pm, unsigned off,
		     uint32_t val, uint32_t mask)
{
	val &= mask;
	if (off == 0) {
		pm->sts &= (uint16_t)~val;
		pm->en = (uint16_t)((pm->en & ~(mask >> 16)) | val >> 16);
	} else if (off == 4) {
		pm->cnt = (uint16_t)((pm->cnt & ~mask) |
				     (val & ~PM_CNT_SLP_EN));
		if ((val & PM_CNT_SLP_EN) &&
		    (pm->cnt & PM_CNT_SLP_TYP) >> PM_CNT_SLP_SHIFT ==
			    PLATFORM_SLP_TYP_S5)
			domain_exit(d, 0);
	}
}

/* An access is to the bytes of one dword; any beyond it are dropped. */
static int pm_io(struct domain *d, void *opaque, uint64_t port, unsigned size,
		 bool write, uint64_t *val)
{
	unsigned off = (unsigned)(port - PLATFORM_PM_BASE);
	unsigned shift = 8 * (off & 3);
	uint32_t mask = (uint32_t)((~0ULL >> (64 - 8 * size)) << shift);

	if (write)
		pm_write(d, opaque, off & ~3u, (uint32_t)(*val << shift), mask);
	else
		*val = (pm_read(opaque, off & ~3u) & mask) >> shift;
	return 0;
}

/* The 8042's data and command ports, and port 0x92: the reset lines. */
static int pm_reset_io(struct domain *d, void *opaque, uint64_t port,
		       unsigned size, bool write, uint64_t *val)
{
	struct pm *pm = opaque;
	uint8_t v = (uint8_t)*val, old = pm->port92;

	if (!write) {
		*val = port == PLATFORM_PORT_92 ? pm->port92 : 0;
		return 0;
	}
	if (port == PLATFORM_PORT_92)
		pm->port92 = v;
	if ((port == PLATFORM_KBD_CMD && v == KBD_CMD_RESET) ||
	    (port == PLATFORM_PORT_92 && !(old & PORT92_RESET) &&
	     (v & PORT92_RESET)))
		domain_reboot(d);
	return 0;
}

int pm_init(struct domain *d)
{
	struct pm *pm = &d->chipset.pm;
	int r;

	r = io_register_port(d, PLATFORM_PM_BASE, PM_BLOCK_LEN, pm_io, pm,
			     "acpi-pm");
	if (r == 0)
		r = io_register_port(d, KBD_DATA, 1, pm_reset_io, pm, "i8042");
	if (r == 0)
		r = io_register_port(d, PLATFORM_KBD_CMD, 1, pm_reset_io, pm,
				     "i8042");
	if (r == 0)
		r = io_register_port(d, PLATFORM_PORT_92, 1, pm_reset_io, pm,
				     "port92");
	return r;
}
