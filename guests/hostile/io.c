/*
 * io.c - port I/O attacks (lab 3; SDM 2A IN/OUT/INS/OUTS): every port at
 * every size, REP OUTS with a huge count, and last a REP INSD whose buffer
 * runs off the end of guest RAM, which must crash this domain only.
 */
#include <inc/fw_cfg.h>
#include <guests/hostile/hostile.h>
#include <kernel/dev/platform.h>

#define RAM_END	   0x1000000 /* the configs give hostile 16 MiB */
#define PORT_DUMMY 0x80

/* Ports with a device behind them: COM1, the exit port (and its
 * neighbours, so a wide access there cannot end the guest) and the PC's
 * (kernel/dev/platform.h), where a write may reset, power off or
 * raise interrupts. */
static const struct {
	uint16_t first, last;
} io_devices[] = {
	{ 0x3f0, 0x3ff },
	{ 0xf0, 0xf7 },
	{ PLATFORM_PIC_MASTER, PLATFORM_PIC_MASTER + 1 },
	{ PLATFORM_PIC_SLAVE, PLATFORM_PIC_SLAVE + 1 },
	{ PLATFORM_ELCR, PLATFORM_ELCR + 1 },
	{ PLATFORM_PIT, PLATFORM_PIT + 3 },
	{ PLATFORM_PORT_61, PLATFORM_PORT_61 },
	{ 0x60, PLATFORM_KBD_CMD },
	{ PLATFORM_RTC, PLATFORM_RTC + 1 },
	{ PLATFORM_PORT_92, PLATFORM_PORT_92 },
	{ PLATFORM_PCI_CONF, PLATFORM_PCI_CONF + 7 },
	{ PLATFORM_PM_BASE, PLATFORM_PM_TMR + 3 },
	{ FW_CFG_PORT_SEL, FW_CFG_PORT_DATA },
};

static bool io_device_port(uint32_t port)
{
	for (size_t i = 0; i < sizeof(io_devices) / sizeof(io_devices[0]); i++)
		if (port >= io_devices[i].first && port <= io_devices[i].last)
			return true;
	return false;
}

static uint32_t io_in(uint32_t port, unsigned size)
{
	uint32_t v = 0;

	if (size == 1)
		__asm__ volatile("inb %w1, %b0" : "=a"(v) : "d"(port));
	else if (size == 2)
		__asm__ volatile("inw %w1, %w0" : "=a"(v) : "d"(port));
	else
		__asm__ volatile("inl %w1, %0" : "=a"(v) : "d"(port));
	return v;
}

static void io_out(uint32_t port, unsigned size, uint32_t v)
{
	if (size == 1)
		__asm__ volatile("outb %b0, %w1" : : "a"(v), "d"(port));
	else if (size == 2)
		__asm__ volatile("outw %w0, %w1" : : "a"(v), "d"(port));
	else
		__asm__ volatile("outl %0, %w1" : : "a"(v), "d"(port));
}

/* IN of every size from every port: ports without a device read as ones. */
static void io_in_sweep(void)
{
	unsigned bad = 0, size;
	uint32_t port;

	for (size = 1; size <= 4; size *= 2)
		for (port = 0; port < 0x10000; port++) {
			uint32_t ones = size == 4 ? ~0u :
						    (1u << (8 * size)) - 1;

			if (!io_device_port(port) &&
			    (io_in(port, size) & ones) != ones)
				bad++;
		}
	report(bad == 0,
	       "IN sweep: 65536 ports x 3 sizes, empty ports read "
	       "as all ones (%u did not)",
	       bad);
}

static void io_out_sweep(void)
{
	unsigned size;
	uint32_t port;

	for (size = 1; size <= 4; size *= 2)
		for (port = 0; port < 0x10000; port++)
			if (!io_device_port(port))
				io_out(port, size, 0xa5a5a5a5);
	report(true, "OUT sweep: 65536 ports x 3 sizes survived");
}

/* REP OUTSB of 1 MiB of our own RAM to one port: many bounded exits. */
static void io_rep_outs(void)
{
	uint32_t n = 0x100000, src = 0x100000;

	__asm__ volatile("cld; rep outsb"
			 : "+c"(n), "+S"(src)
			 : "d"(PORT_DUMMY)
			 : "memory");
	report(n == 0 && src == 0x200000,
	       "rep outsb x 1 MiB: ECX 0x%x, ESI "
	       "0x%x",
	       n, src);
}

void attack_io(void)
{
	uint32_t n = 0xffffffff, dst = RAM_END - 64;

	io_in_sweep();
	io_out_sweep();
	io_rep_outs();
	printf("rep insd, 4G elements, from 0x%x across the end of RAM\n", dst);
	__asm__ volatile("cld; rep insl"
			 : "+c"(n), "+D"(dst)
			 : "d"(PORT_DUMMY)
			 : "memory");
	report(false, "rep insd past the end of RAM returned (EDI 0x%x)", dst);
}
