/*
 * clock.c - a TSC-based clock (lab 1).  The TSC frequency comes from CPUID
 * leaf 0x15 or 0x16 when the CPU reports it and it agrees with a measurement
 * against the 8254 PIT (channel 2, gated through port 0x61, as on the PC/AT);
 * otherwise the measurement itself is used.
 */
#include <inc/x86.h>
#include <kernel/clock.h>
#include <kernel/kernel.h>
#include <kernel/dev/rtc.h>

#define PIT_HZ	      1193182
#define PIT_CH2	      0x42
#define PIT_CMD	      0x43
#define PIT_GATE_PORT 0x61
#define PIT_GATE2     0x01 /* channel 2 gate */
#define PIT_SPEAKER   0x02

#define CLOCK_CAL_MS	   30
#define CLOCK_SAMPLE_TRIES 8
/* Give up on a PIT whose count never moves (none there). */
#define CLOCK_SPIN_MAX 100000

static uint64_t clock_hz;
static uint64_t clock_tsc0;

/* Channel 2's count, latched (8254 data sheet, "Counter Latch Command"). */
static uint16_t clock_pit_count(void)
{
	uint8_t lo;

	outb(PIT_CMD, 0x80);
	lo = inb(PIT_CH2);
	return (uint16_t)(lo | inb(PIT_CH2) << 8);
}

/*
 * A count and the TSC in the middle of its read: of a few reads, the one
 * the TSC brackets most tightly.  On a machine that is itself a busy
 * emulator, one read may be held up for milliseconds; that one is left
 * out, while a delay between two samples costs nothing.
 */
static uint16_t clock_pit_sample(uint64_t *tsc)
{
	uint64_t best = ~0ULL, t0, t1;
	uint16_t count = 0, c;

	for (int i = 0; i < CLOCK_SAMPLE_TRIES; i++) {
		t0 = rdtsc();
		c = clock_pit_count();
		t1 = rdtsc();
		if (t1 - t0 < best) {
			best = t1 - t0;
			*tsc = t0 + best / 2;
			count = c;
		}
	}
	return count;
}

/* TSC ticks per second over CLOCK_CAL_MS of channel 2 counting down from
 * 0xffff in mode 0, or 0 if it does not count. */
static uint64_t clock_pit_hz(void)
{
	uint32_t want = PIT_HZ * CLOCK_CAL_MS / 1000, done = 0;
	uint64_t t0, t1;
	uint16_t c0;
	long spins = 0;

	outb(PIT_GATE_PORT, (inb(PIT_GATE_PORT) & ~PIT_SPEAKER) | PIT_GATE2);
	/* Channel 2, lobyte/hibyte, mode 0 (interrupt on terminal count). */
	outb(PIT_CMD, 0xb0);
	outb(PIT_CH2, 0xff);
	outb(PIT_CH2, 0xff);
	c0 = clock_pit_sample(&t0);
	while (done < want) {
		if (++spins > CLOCK_SPIN_MAX)
			return 0;
		done = (uint16_t)(c0 - clock_pit_sample(&t1));
	}
	return (t1 - t0) * PIT_HZ / done;
}

/* The TSC frequency CPUID states (SDM 2A, CPUID leaves 15H and 16H), or 0. */
static uint64_t clock_cpuid_hz(void)
{
	uint32_t max = cpuid(0, 0).eax;
	struct cpuid_regs r;

	if (max >= 0x15) {
		r = cpuid(0x15, 0);
		if (r.eax && r.ebx && r.ecx)
			return (uint64_t)r.ecx * r.ebx / r.eax;
	}
	if (max >= 0x16) {
		r = cpuid(0x16, 0);
		if (r.eax)
			return (uint64_t)r.eax * 1000000;
	}
	return 0;
}

void clock_init(void)
{
	uint64_t pit = clock_pit_hz(), cpu = clock_cpuid_hz();
	const char *source = "PIT";

	clock_hz = pit;
	/* Trust CPUID only within 2% of what the PIT measured. */
	if (cpu && pit && cpu > pit - pit / 50 && cpu < pit + pit / 50) {
		clock_hz = cpu;
		source = "CPUID, PIT agrees";
	} else if (cpu && !pit) {
		clock_hz = cpu;
		source = "CPUID, no PIT";
	}
	if (!clock_hz)
		panic("clock_init: no PIT and no TSC frequency in CPUID");
	clock_tsc0 = rdtsc();
	cprintf("hvlab: TSC %llu.%03llu MHz (%s)\n",
		(unsigned long long)(clock_hz / 1000000),
		(unsigned long long)(clock_hz % 1000000 / 1000), source);
	cprintf("hvlab: RTC %llu (Unix time)\n",
		(unsigned long long)(clock_unix_ns(clock_tsc0) / 1000000000));
}

uint64_t clock_tsc_hz(void)
{
	return clock_hz;
}

uint64_t clock_tsc_ns(uint64_t tsc)
{
	return clock_tsc_to(tsc - clock_tsc0, 1000000000);
}

/* Unix seconds from the host's MC146818 RTC, whatever its format. */
static int64_t clock_cmos_read(void)
{
	uint8_t r[0x33];
	int i;

	outb(0x70, 0x0a);
	for (i = 0; i < 1000000 && (inb(0x71) & 0x80); i++)
		pause(); /* update in progress: the fields are changing */
	for (i = 0; i < (int)sizeof(r); i++) {
		outb(0x70, (uint8_t)i);
		r[i] = inb(0x71);
	}
	return rtc_regs_to_unix(r, r[0x0b]);
}

uint64_t clock_unix_ns(uint64_t tsc)
{
	static uint64_t boot_ns; /* Unix time at clock_tsc0 */

	if (!boot_ns)
		boot_ns = (uint64_t)clock_cmos_read() * 1000000000 -
			  clock_tsc_ns(rdtsc());
	return boot_ns + clock_tsc_ns(tsc);
}

uint64_t clock_tsc_to_us(uint64_t tsc_ticks)
{
	return clock_tsc_to(tsc_ticks, 1000000);
}

void clock_udelay(uint64_t us)
{
	uint64_t end = rdtsc() + clock_tsc_for(us, 1000000);

	while (rdtsc() < end)
		pause();
}
