/*
 * chipset.c - an hvm guest's chipset: the CMOS RTC and its memory-size
 * bytes, a PCI scan of bus 0, the ACPI PM timer, power-off through
 * PM1a_CNT and reset through the keyboard controller, port 0x92 and port
 * 0xcf9 (kernel/dev/rtc.c, pci.c, pm.c).
 *
 * The command line picks what it does: mode=check (the default) runs the
 * checks, mem=MIB being the config's memory; mode=poweroff, kbd, port92
 * or cf9 ends the domain that way; mode=hostile writes random values to
 * every chipset port, short of the ones that end the domain.
 */
#include <guests/lib/guest.h>
#include <kernel/dev/platform.h>

#define RTC_A	    0x0a
#define RTC_B	    0x0b
#define RTC_C	    0x0c
#define RTC_A_UIP   0x80
#define RTC_C_UF    0x10
#define PM_TMR_MASK 0xffffff

static uint8_t cmos(uint8_t i)
{
	outb(PLATFORM_RTC, i);
	return inb(PLATFORM_RTC + 1);
}

static uint32_t pm_timer(void)
{
	return inl(PLATFORM_PM_TMR) & PM_TMR_MASK;
}

/* PM timer ticks since pm_timer() returned t0 (less than 4.6 s ago). */
static uint32_t pm_since(uint32_t t0)
{
	return (pm_timer() - t0) & PM_TMR_MASK;
}

static bool bcd_ok(uint8_t v, uint8_t lo, uint8_t hi)
{
	return (v & 0xf) <= 9 && v >> 4 <= 9 && v >= lo && v <= hi;
}

/* Waits for the RTC's seconds to change; false after 2 s of PM time. */
static bool rtc_next_second(void)
{
	uint32_t t0 = pm_timer();
	uint8_t s = cmos(0);

	while (cmos(0) == s)
		if (pm_since(t0) > 2 * PLATFORM_PMTMR_HZ)
			return false;
	return true;
}

static void check_rtc(void)
{
	uint32_t t0 = pm_timer();
	uint8_t r[10], c, y;
	bool ok = true;

	while ((cmos(RTC_A) & RTC_A_UIP) && pm_since(t0) < PLATFORM_PMTMR_HZ)
		;
	for (int i = 0; i < 10; i++)
		r[i] = cmos((uint8_t)i);
	c = cmos(0x32);
	y = r[9];
	printf("RTC: %02x%02x-%02x-%02x %02x:%02x:%02x\n", c, y, r[8], r[7],
	       r[4], r[2], r[0]);
	report(cmos(RTC_B) == 0x02, "RTC register B: 24 h, BCD");
	ok = bcd_ok(r[0], 0, 0x59) && bcd_ok(r[2], 0, 0x59) &&
	     bcd_ok(r[4], 0, 0x23) && r[6] >= 1 && r[6] <= 7 &&
	     bcd_ok(r[7], 1, 0x31) && bcd_ok(r[8], 1, 0x12) &&
	     bcd_ok(y, 0, 0x99);
	report(ok, "RTC fields are valid BCD");
	report(c == 0x20 && y >= 0x24, "RTC date is 2024 or later");
	report(rtc_next_second() && rtc_next_second(), "RTC seconds advance");
	cmos(RTC_C);
	t0 = pm_timer();
	while (!((c = cmos(RTC_C)) & RTC_C_UF) &&
	       pm_since(t0) < 2 * PLATFORM_PMTMR_HZ)
		;
	report(c & RTC_C_UF, "RTC update-ended flag within a second");
}

static void check_cmos_memory(void)
{
	uint64_t mib = cmdline_u64("mem", 0);
	uint64_t ext = MIN((mib - 1) * 1024, 0xffff);
	uint64_t above16 = mib > 16 ? (mib - 16) * 16 : 0;

	report_eq(cmos(0x15) | cmos(0x16) << 8, 640, "CMOS base memory (KiB)");
	report_eq(cmos(0x17) | cmos(0x18) << 8, (long long)ext,
		  "CMOS extended memory (KiB)");
	report_eq(cmos(0x30) | cmos(0x31) << 8, (long long)ext,
		  "CMOS extended memory copy (KiB)");
	report_eq(cmos(0x34) | cmos(0x35) << 8, (long long)above16,
		  "CMOS memory above 16 MiB (64 KiB)");
}

static uint32_t pci_read(unsigned bus, unsigned dev, unsigned fn, unsigned reg)
{
	outl(PLATFORM_PCI_CONF,
	     0x80000000u | bus << 16 | dev << 11 | fn << 8 | reg);
	return inl(PLATFORM_PCI_CONF + 4);
}

static void check_pci(void)
{
	unsigned dev, fn, found = 0, nfn;
	uint32_t id;

	outl(PLATFORM_PCI_CONF, 0x80000000u);
	report(inl(PLATFORM_PCI_CONF) == 0x80000000u,
	       "PCI CONFIG_ADDRESS reads back");
	for (dev = 0; dev < 32; dev++) {
		nfn = pci_read(0, dev, 0, 0x0c) & 0x800000 ? 8 : 1;
		for (fn = 0; fn < nfn; fn++) {
			id = pci_read(0, dev, fn, 0);
			if (id == 0xffffffff)
				continue;
			printf("PCI 00:%02x.%x %04x:%04x class %06x\n", dev, fn,
			       id & 0xffff, id >> 16,
			       pci_read(0, dev, fn, 8) >> 8);
			found++;
		}
	}
	report(found == 1 && pci_read(0, 0, 0, 0) == 0x12378086 &&
		       pci_read(0, 0, 0, 8) >> 8 == 0x060000,
	       "PCI bus 0 holds only the host bridge");
	report(pci_read(1, 0, 0, 0) == 0xffffffff &&
		       pci_read(255, 31, 7, 0) == 0xffffffff,
	       "PCI other buses are empty");
}

/*
 * Waits for the RTC's seconds to change; [*lo, *hi] brackets the moment in
 * PM ticks.  False after 2 s.
 */
static bool rtc_edge(uint32_t *lo, uint32_t *hi)
{
	uint32_t start = pm_timer(), before = start, next;
	uint8_t s = cmos(0);

	while (pm_since(start) < 2 * PLATFORM_PMTMR_HZ) {
		next = pm_timer();
		if (cmos(0) != s) {
			*lo = before;
			*hi = pm_timer();
			return true;
		}
		before = next;
	}
	return false;
}

/*
 * PM ticks in 2 RTC seconds: the middle of the narrowest bracket of a few
 * measurements (a stall of the machine widens one); 0 when the RTC does
 * not tick.
 */
static uint32_t pm_two_seconds(void)
{
	uint32_t lo0, hi0, lo1, hi1, min, max, best = 0, width = ~0u;

	for (int i = 0; i < 5 && width > PLATFORM_PMTMR_HZ / 100; i++) {
		if (!rtc_edge(&lo0, &hi0) || !rtc_edge(&lo1, &hi1) ||
		    !rtc_edge(&lo1, &hi1))
			return 0;
		min = (lo1 - hi0) & PM_TMR_MASK;
		max = (hi1 - lo0) & PM_TMR_MASK;
		printf("PM timer: 2 RTC seconds are %u to %u ticks\n", min,
		       max);
		if (max - min < width) {
			width = max - min;
			best = min + width / 2;
		}
	}
	return best;
}

/* A PM timer read and the TSC then, with no preemption around it. */
static void pm_sample(uint32_t *pm, uint64_t *tsc)
{
	uint64_t t0, t1;

	for (int i = 0; i < 100; i++) {
		t0 = rdtsc();
		*pm = pm_timer();
		t1 = rdtsc();
		*tsc = t0 + (t1 - t0) / 2;
		if (t1 - t0 < 1000000)
			return;
	}
}

/* TSC ticks per PM tick (x 1000) over the next n PM ticks. */
static uint64_t pm_tsc_ratio(uint32_t n)
{
	uint32_t pm0, pm1;
	uint64_t tsc0, tsc1;

	pm_sample(&pm0, &tsc0);
	while (pm_since(pm0) < n)
		;
	pm_sample(&pm1, &tsc1);
	return (tsc1 - tsc0) * 1000 / ((pm1 - pm0) & PM_TMR_MASK);
}

static void check_pm_timer(void)
{
	uint32_t prev, now, ticks;
	uint64_t r1, r2;
	bool mono = true;

	prev = pm_timer();
	for (int i = 0; i < 20000; i++) {
		now = pm_timer();
		mono &= ((now - prev) & PM_TMR_MASK) < PM_TMR_MASK / 2;
		prev = now;
	}
	report(mono, "PM timer never goes back");
	ticks = pm_two_seconds();
	printf("PM timer: %u ticks in 2 RTC seconds\n", ticks);
	report(ticks > 2 * PLATFORM_PMTMR_HZ * 99 / 100 &&
		       ticks < 2 * PLATFORM_PMTMR_HZ * 101 / 100,
	       "PM timer runs at 3.58 MHz within 1%%");
	r1 = pm_tsc_ratio(PLATFORM_PMTMR_HZ / 10);
	r2 = pm_tsc_ratio(PLATFORM_PMTMR_HZ / 5);
	printf("PM timer: TSC %llu kHz, then %llu kHz\n",
	       (unsigned long long)(r1 * PLATFORM_PMTMR_HZ / 1000000),
	       (unsigned long long)(r2 * PLATFORM_PMTMR_HZ / 1000000));
	report(r1 && r2 > r1 - r1 / 100 && r2 < r1 + r1 / 100,
	       "PM timer against the TSC within 1%%");
}

static uint64_t rand_state = 0x9e3779b97f4a7c15ULL;

static uint32_t rand32(void)
{
	rand_state = rand_state * 6364136223846793005ULL +
		     1442695040888963407ULL;
	return (uint32_t)(rand_state >> 32);
}

/* Random writes of every size to the chipset's ports, minus the resets. */
static void hostile(void)
{
	static const uint16_t ports[] = {
		0x60,
		0x64,
		PLATFORM_RTC,
		PLATFORM_RTC + 1,
		PLATFORM_PORT_92,
		0xcf8,
		0xcf9,
		0xcfa,
		0xcfb,
		0xcfc,
		0xcfd,
		0xcfe,
		0xcff,
		PLATFORM_PM_BASE,
		PLATFORM_PM_BASE + 2,
		PLATFORM_PM1_CNT,
		PLATFORM_PM1_CNT + 1,
		PLATFORM_PM_TMR,
		PLATFORM_PM_TMR + 3,
	};
	unsigned n = sizeof(ports) / sizeof(ports[0]);

	for (int i = 0; i < 20000; i++) {
		uint16_t p = ports[rand32() % n];
		uint32_t v = rand32();
		unsigned size = 1u << (rand32() % 3);

		if (p == 0x64 || p == PLATFORM_PORT_92)
			v &= 0x7e; /* not 0xfe, not bit 0 */
		if (p >= 0xcf8 && p <= 0xcfb)
			v &= ~0x04040404u; /* RST_CPU, whichever byte */
		if (p >= PLATFORM_PM1_CNT && p < PLATFORM_PM_TMR)
			v &= ~0x20202020u; /* SLP_EN, whichever byte */
		if (size == 1)
			outb(p, (uint8_t)v);
		else if (size == 2)
			outw(p, (uint16_t)v);
		else
			outl(p, v);
		if (size == 4)
			inl(p);
		else
			inb(p);
	}
	report(true, "20000 random chipset writes survived");
}

void main(void)
{
	char buf[16];
	const char *mode = cmdline_get("mode", buf, sizeof(buf));

	if (!mode)
		mode = "check";
	if (strcmp(mode, "check") == 0) {
		check_rtc();
		check_cmos_memory();
		check_pci();
		check_pm_timer();
		return;
	}
	if (strcmp(mode, "hostile") == 0) {
		hostile();
		return;
	}
	if (strcmp(mode, "poweroff") == 0)
		outw(PLATFORM_PM1_CNT, PLATFORM_SLP_TYP_S5 << 10 | 1 << 13);
	else if (strcmp(mode, "kbd") == 0)
		outb(PLATFORM_KBD_CMD, 0xfe);
	else if (strcmp(mode, "port92") == 0)
		outb(PLATFORM_PORT_92, inb(PLATFORM_PORT_92) | 1);
	else if (strcmp(mode, "cf9") == 0) {
		outb(PLATFORM_RESET_CF9, 0x02);
		outb(PLATFORM_RESET_CF9, 0x06);
	}
	report(false, "mode %s: still running", mode);
}
