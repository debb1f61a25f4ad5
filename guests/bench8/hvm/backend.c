/*
 * hvm/backend.c - bench8 on a PC: booted by QEMU itself (-kernel) or as
 * an hvm domain of hvlab.  Time is the TSC, its rate taken against the
 * PIT.  The disk and the NIC are the PC's own (QEMU's devices natively,
 * hvlab's device model under hvlab): their guest drivers plug in at
 * hvm_disk_init and hvm_nic_init.
 */
#include <guests/lib/ata.h>
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

/* The NIC: an RTL8139 driver's hook (guests/lib has none yet). */
static void hvm_nic_init(struct bench_env *env)
{
	env->no_nic = hvm_virtual() ? "no RTL8139 driver in guests/lib nor "
				      "device model in dom0 yet" :
				      "no RTL8139 driver in guests/lib yet";
}

void bench_backend_init(struct bench_env *env)
{
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
