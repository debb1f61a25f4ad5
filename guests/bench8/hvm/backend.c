/*
 * hvm/backend.c - bench8 on a PC: booted by QEMU itself (-kernel) or as
 * an hvm domain of hvlab.  Time is the TSC, its rate taken against the
 * PIT.  The disk and the NIC are the PC's own (QEMU's devices natively,
 * hvlab's device model under hvlab): the PIIX3's IDE disk (ata.c) and an
 * RTL8139 (rtl8139.c, found on the PCI bus as guests/nic finds it),
 * polled: no interrupts.  In a domain with the Xen platform device
 * (xen_platform = 1) it runs as Linux does there instead: PV drivers
 * (pvhvm_init, pv/devices.c) with Xen's clock, events on the callback
 * vector.
 */
#include <guests/lib/pv.h>
#include <guests/lib/ata.h>
#include <guests/lib/rtl8139.h>
#include "../bench8.h"

#define PIT_HZ	 1193182
#define PIT_10MS 11932

static uint64_t tsc_per_ms;

/*
 * The TSC's rate against the PIT's channel 2, as Linux's
 * pit_calibrate_tsc: 10 ms one-shots, the output read at port 0x61, the
 * speaker off; the shortest of five, as time the vcpu spends descheduled
 * only lengthens one.
 */
static void hvm_calibrate_tsc(void)
{
	uint64_t t0, t;

	for (int i = 0; i < 5; i++) {
		t0 = rdtsc();
		outb(0x61, (inb(0x61) & ~0x02) | 0x01);
		outb(0x43, 0xb0);
		outb(0x42, PIT_10MS & 0xff);
		outb(0x42, PIT_10MS >> 8);
		while (!(inb(0x61) & 0x20))
			;
		t = (rdtsc() - t0) * PIT_HZ / PIT_10MS / 1000;
		if (!tsc_per_ms || t < tsc_per_ms)
			tsc_per_ms = t;
	}
}

static uint64_t hvm_now_ns(void)
{
	uint64_t t = rdtsc();

	return t / tsc_per_ms * BENCH8_MS +
	       t % tsc_per_ms * BENCH8_MS / tsc_per_ms;
}

/* Whether hvlab runs this PC (its signature at CPUID 0x40000000). */
static bool hvm_virtual(void)
{
	struct cpuid_regs r = cpuid(0x40000000, 0);

	return memcmp(&r.ebx, "hvla", 4) == 0 && (r.ecx & 0xff) == 'b';
}

static struct ata hvm_ata;
static struct bench_disk hvm_disk;

static long hvm_disk_io(void *dev, bool write, uint64_t sector, void *buf,
			uint32_t nsect)
{
	return ata_pio(dev, write, sector, nsect, buf);
}

/* The disk: the PIIX3 IDE controller's first disk, QEMU's own natively,
 * dom0's device model (dm NAME ide) under hvlab. */
static void hvm_disk_init(struct bench_env *env)
{
	if (ata_init(&hvm_ata) != 0) {
		env->no_disk = hvm_virtual() ? "no IDE disk: dom0 serves none "
					       "(dm NAME ide)" :
					       "no IDE disk (-machine pc, "
					       "-drive if=ide)";
		return;
	}
	hvm_disk = (struct bench_disk){ hvm_ata.sectors, hvm_disk_io,
					&hvm_ata };
	env->disk = &hvm_disk;
}

#define PCI_ID	       0x00
#define PCI_COMMAND    0x04
#define PCI_BAR0       0x10
#define PCI_CMD_IO     0x1
#define PCI_CMD_MEM    0x2
#define PCI_CMD_MASTER 0x4 /* the card reads and writes our RAM */

static uint8_t hvm_ring[RTL_RING_LEN(0) + 16] __attribute__((aligned(16)));
static uint8_t hvm_frame[2048];
static struct rtl8139 hvm_rtl;
static struct bench_nic hvm_nic;

static bool hvm_nic_xmit(void *dev, const void *frame, size_t len)
{
	return rtl8139_send(dev, frame, len) == 0;
}

/* Feeds the ring's frames to nif until *flag or deadline_ns; with the
 * card's interrupts masked, an empty ring is only a register read. */
static bool hvm_nic_poll(void *dev, struct net_if *nif, volatile int *flag,
			 uint64_t deadline_ns)
{
	long n;

	for (;;) {
		while ((n = rtl8139_recv(dev, hvm_frame, sizeof(hvm_frame))) >
		       0) {
			net_input(nif, hvm_frame, (size_t)n);
			if (flag && *flag)
				return true;
		}
		if (n < 0 || (flag && *flag) || hvm_now_ns() >= deadline_ns)
			return flag && *flag;
		pause();
	}
}

/* The first RTL8139 on bus 0 with its I/O ports and bus mastering on:
 * its port base (BAR0, as firmware or dom0's device model placed it),
 * or 0. */
static uint16_t hvm_rtl_find(void)
{
	uint32_t bar0;

	for (uint16_t dev = 0; dev < 32; dev++) {
		if (pci_conf_read(dev << 3, PCI_ID) !=
		    ((uint32_t)RTL_DEVICE << 16 | RTL_VENDOR))
			continue;
		bar0 = pci_conf_read(dev << 3, PCI_BAR0);
		if (!(bar0 & 1) || !(bar0 & ~3u))
			return 0;
		pci_conf_write(dev << 3, PCI_COMMAND,
			       PCI_CMD_IO | PCI_CMD_MEM | PCI_CMD_MASTER);
		return (uint16_t)(bar0 & ~3u);
	}
	return 0;
}

/* The NIC: an RTL8139 on bus 0 (dm NAME nic under hvlab, QEMU's own
 * natively, its frames to tools/echo-peer on the host), when the command
 * line gives the stream's peer. */
static void hvm_nic_init(struct bench_env *env)
{
	char arg[20];
	uint16_t io;

	env->no_nic = "no peer= on the command line";
	if (!cmdline_get("peer", arg, sizeof(arg)))
		return;
	env->no_nic = hvm_virtual() ? "no RTL8139 on the PCI bus: dom0 "
				      "serves none (dm NAME nic)" :
				      "no RTL8139 on the PCI bus "
				      "(-device rtl8139)";
	if (!(io = hvm_rtl_find()))
		return;
	env->no_nic = "the RTL8139's reset never ends";
	if (!rtl8139_init(&hvm_rtl, io, hvm_ring, 0))
		return;
	outw(io + RTL_IMR, 0); /* polled */
	memcpy(hvm_nic.mac, hvm_rtl.mac, ETH_ALEN);
	hvm_nic.xmit = hvm_nic_xmit;
	hvm_nic.poll = hvm_nic_poll;
	hvm_nic.dev = &hvm_rtl;
	env->nic = &hvm_nic;
}

void bench_backend_init(struct bench_env *env)
{
	long r = pvhvm_init();

	if (r == 0) {
		env->name = "hvm-pvdrv";
		env->now_ns = pv_time_ns;
		bench_pv_devices(env);
		return;
	}
	if (r != -XEN_ENODEV)
		report(false, "PV drivers on the Xen platform: %ld", r);
	hvm_calibrate_tsc();
	printf("bench8: TSC at %llu kHz\n", (unsigned long long)tsc_per_ms);
	env->name = "hvm";
	env->now_ns = hvm_now_ns;
	hvm_disk_init(env);
	hvm_nic_init(env);
}

void main(void)
{
	bench8_main();
}
