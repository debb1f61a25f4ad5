/*
 * test_chipset.c - an hvm domain's chipset on the host: the MC146818 RTC
 * and NVRAM (kernel/dev/rtc.c), PCI configuration mechanism #1 and the
 * reset control register (kernel/dev/pci.c), the ACPI PM1 block, PM timer
 * and the reset ports (kernel/dev/pm.c).  The clock is the test's: both
 * clock_unix_ns and clock_tsc_ns return now_ns.
 */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <kernel/kernel.h>
#include <kernel/clock.h>
#include <kernel/domain.h>
#include <kernel/dev/irq.h>
#include <kernel/dev/platform.h>

#define NS	 1000000000ULL
#define T0	 1709214359ULL /* 2024-02-29 13:45:59 UTC, a Thursday */
#define T2030	 1893456000ULL /* 2030-01-01 00:00:00 UTC, a Tuesday */
#define PM_TMR	 PLATFORM_PM_TMR
#define PM1_CNT	 PLATFORM_PM1_CNT
#define RTC_C_PF 0x40

static struct domain dom;
static struct domain_config cfg;
static uint64_t now_ns;
static int irq_level[16];
static int exit_status, reboots;

uint64_t clock_unix_ns(uint64_t tsc)
{
	return now_ns;
}

uint64_t clock_tsc_ns(uint64_t tsc)
{
	return now_ns;
}

void irq_set(struct domain *d, unsigned irq, bool high)
{
	irq_level[irq] = high;
}

/* No device model: a function pci.c does not have reads all ones. */
int ioreq_pci(struct domain *d, uint32_t cf8, uint16_t port, unsigned size,
	      bool write, uint64_t *val)
{
	if (!write)
		*val = ~0ULL >> (64 - 8 * size);
	return 0;
}

void domain_exit(struct domain *d, int status)
{
	exit_status = status;
}

void domain_reboot(struct domain *d)
{
	reboots++;
}

void domain_crash(struct domain *d, struct vcpu *v, const char *fmt, ...)
{
	abort();
}

int cprintf(const char *fmt, ...)
{
	return 0;
}

void _panic(const char *file, int line, const char *fmt, ...)
{
	abort();
}

static void setup_mem(uint64_t mib)
{
	memset(&dom, 0, sizeof(dom));
	memset(irq_level, 0, sizeof(irq_level));
	cfg.memory_mib = mib;
	dom.config = &cfg;
	exit_status = -1;
	reboots = 0;
	now_ns = T0 * NS + NS / 2;
	cr_assert_eq(rtc_init(&dom), 0);
	cr_assert_eq(pci_init(&dom), 0);
	cr_assert_eq(pm_init(&dom), 0);
}

static void setup(void)
{
	setup_mem(16);
}

static uint64_t in(uint16_t port, unsigned size)
{
	uint64_t v = 0;

	cr_assert_eq(io_port_access(&dom, port, size, false, &v), 0);
	return v;
}

static void out(uint16_t port, unsigned size, uint64_t v)
{
	cr_assert_eq(io_port_access(&dom, port, size, true, &v), 0);
}

static uint8_t cmos(unsigned i)
{
	out(0x70, 1, i);
	return (uint8_t)in(0x71, 1);
}

static void cmos_set(unsigned i, uint8_t v)
{
	out(0x70, 1, i);
	out(0x71, 1, v);
}

TestSuite(rtc, .init = setup);

Test(rtc, bcd_24h_time_and_date)
{
	cr_expect_eq(cmos(0x00), 0x59);
	cr_expect_eq(cmos(0x02), 0x45);
	cr_expect_eq(cmos(0x04), 0x13);
	cr_expect_eq(cmos(0x06), 5); /* Sunday is 1 */
	cr_expect_eq(cmos(0x07), 0x29);
	cr_expect_eq(cmos(0x08), 0x02);
	cr_expect_eq(cmos(0x09), 0x24);
	cr_expect_eq(cmos(0x32), 0x20);
	cr_expect_eq(cmos(0x0a), 0x26);
	cr_expect_eq(cmos(0x0b), 0x02);
	cr_expect_eq(cmos(0x0d), 0x80, "VRT");
	now_ns += 2 * NS;
	cr_expect_eq(cmos(0x00), 0x01, "the minute rolled over");
	cr_expect_eq(cmos(0x02), 0x46);
}

Test(rtc, binary_mode)
{
	cmos_set(0x0b, RTC_B_24H | RTC_B_DM);
	cr_expect_eq(cmos(0x00), 59);
	cr_expect_eq(cmos(0x04), 13);
	cr_expect_eq(cmos(0x07), 29);
	cr_expect_eq(cmos(0x09), 24);
	cr_expect_eq(cmos(0x32), 20);
}

Test(rtc, twelve_hour_mode)
{
	cmos_set(0x0b, 0);
	cr_expect_eq(cmos(0x04), 0x81, "1 PM");
	now_ns -= 13 * 3600 * NS;
	cr_expect_eq(cmos(0x04), 0x12, "0:45 is 12 AM");
	now_ns += 12 * 3600 * NS;
	cr_expect_eq(cmos(0x04), 0x92, "12:45 is 12 PM");
	cmos_set(0x0b, RTC_B_DM);
	cr_expect_eq(cmos(0x04), 0x8c, "binary 12 PM");
}

Test(rtc, uip_in_the_244us_before_an_update)
{
	now_ns = (T0 + 1) * NS - 200000;
	cr_expect(cmos(0x0a) & 0x80);
	now_ns = (T0 + 1) * NS - 300000;
	cr_expect_not(cmos(0x0a) & 0x80);
	now_ns = (T0 + 1) * NS;
	cr_expect_not(cmos(0x0a) & 0x80);
	now_ns = (T0 + 1) * NS - 100000;
	cmos_set(0x0b, RTC_B_24H | RTC_B_SET);
	cr_expect_not(cmos(0x0a) & 0x80, "no updates while SET");
}

Test(rtc, update_flag_raises_the_line_until_c_is_read)
{
	cmos_set(0x0b, RTC_B_24H | RTC_B_UIE);
	rtc_poll(&dom);
	cr_expect_eq(irq_level[PLATFORM_IRQ_RTC], 0);
	now_ns += NS;
	rtc_poll(&dom);
	cr_expect_eq(irq_level[PLATFORM_IRQ_RTC], 1);
	cr_expect_eq(cmos(0x0c) & ~RTC_C_PF, 0x90, "IRQF | UF");
	cr_expect_eq(irq_level[PLATFORM_IRQ_RTC], 0);
	cr_expect_eq(cmos(0x0c), 0, "reading C cleared it");
}

Test(rtc, periodic_flag_and_enable)
{
	now_ns += NS / 1024 + 1000; /* T0 + 0.5 s was a period's start */
	rtc_poll(&dom);
	cr_expect_eq(irq_level[PLATFORM_IRQ_RTC], 0, "PIE off");
	cr_expect_eq(cmos(0x0c), 0x40, "PF without IRQF");
	cmos_set(0x0b, RTC_B_24H | RTC_B_PIE);
	now_ns += NS / 2048;
	rtc_poll(&dom);
	cr_expect_eq(irq_level[PLATFORM_IRQ_RTC], 0, "half a period");
	now_ns += NS / 2048 + 1;
	rtc_poll(&dom);
	cr_expect_eq(irq_level[PLATFORM_IRQ_RTC], 1);
	cr_expect_eq(cmos(0x0c), 0xc0);
	cr_expect_eq(irq_level[PLATFORM_IRQ_RTC], 0);
	cmos_set(0x0a, 0x20); /* rate 0: no periodic interrupt */
	now_ns += NS / 10;
	rtc_poll(&dom);
	cr_expect_eq(cmos(0x0c), 0);
}

Test(rtc, set_freezes_and_sets_the_time)
{
	cmos_set(0x0b, RTC_B_24H | RTC_B_SET | RTC_B_UIE);
	cr_expect_eq(cmos(0x0b), RTC_B_24H | RTC_B_SET, "SET clears UIE");
	now_ns += 10 * NS;
	cr_expect_eq(cmos(0x00), 0x59, "frozen");
	cmos_set(0x00, 0x00);
	cmos_set(0x02, 0x00);
	cmos_set(0x04, 0x00);
	cmos_set(0x07, 0x01);
	cmos_set(0x08, 0x01);
	cmos_set(0x09, 0x30);
	cmos_set(0x0b, RTC_B_24H);
	now_ns += 5 * NS;
	cr_expect_eq(cmos(0x00), 0x05);
	cr_expect_eq(cmos(0x09), 0x30);
	cr_expect_eq(cmos(0x06), 3, "a Tuesday");
	cr_expect_eq(dom.chipset.rtc.offset, (int64_t)T2030 - (int64_t)T0 - 10);
}

Test(rtc, alarm)
{
	cmos_set(0x01, 0x01);
	cmos_set(0x03, 0xc0);
	cmos_set(0x05, 0xff);
	cmos_set(0x0b, RTC_B_24H | RTC_B_AIE);
	now_ns += NS;
	rtc_poll(&dom);
	cr_expect_eq(irq_level[PLATFORM_IRQ_RTC], 0, "at :00");
	now_ns += NS;
	rtc_poll(&dom);
	cr_expect_eq(irq_level[PLATFORM_IRQ_RTC], 1, "at :01");
	cr_expect_eq(cmos(0x0c) & 0xb0, 0xb0, "IRQF AF UF");
}

Test(rtc, nvram_and_index)
{
	cmos_set(0x40, 0xab);
	cmos_set(0x7f, 0xcd);
	cr_expect_eq(cmos(0x40), 0xab);
	cr_expect_eq(cmos(0xc0), 0xab, "bit 7 is the NMI mask");
	cr_expect_eq(cmos(0x7f), 0xcd);
	cr_expect_eq(in(0x70, 1), 0xff, "the index is write-only");
	out(0x70, 2, 0x3341); /* index 0x41, data 0x33 */
	cr_expect_eq(cmos(0x41), 0x33);
	cmos_set(0x0c, 0xff);
	cmos_set(0x0d, 0x00);
	cr_expect_eq(cmos(0x0c), 0);
	cr_expect_eq(cmos(0x0d), 0x80);
}

static void expect_memory(uint64_t mib, unsigned ext, unsigned above16)
{
	setup_mem(mib);
	cr_expect_eq(cmos(0x15) | cmos(0x16) << 8, 640, "%llu MiB", mib);
	cr_expect_eq(cmos(0x17) | cmos(0x18) << 8, ext, "%llu MiB", mib);
	cr_expect_eq(cmos(0x30) | cmos(0x31) << 8, ext, "%llu MiB", mib);
	cr_expect_eq(cmos(0x34) | cmos(0x35) << 8, above16, "%llu MiB", mib);
	cr_expect_eq(cmos(0x5b) | cmos(0x5c) | cmos(0x5d), 0);
}

Test(rtc, nvram_memory_size)
{
	expect_memory(1, 0, 0);
	expect_memory(16, 15 * 1024, 0);
	expect_memory(64, 63 * 1024, 48 * 16);
	expect_memory(65, 0xffff, 49 * 16);
	expect_memory(1024, 0xffff, 1008 * 16);
}

Test(rtc, regs_to_unix_with_an_unset_century)
{
	uint8_t r[0x33] = { [0] = 0x59, [2] = 0x45, [4] = 0x81,
			    [7] = 0x29, [8] = 0x02, [9] = 0x24 };

	cr_expect_eq(rtc_regs_to_unix(r, 0), (int64_t)T0);
	r[4] = 0x93; /* 24 h: the PM bit is no part of it */
	r[0x32] = 0x20;
	cr_expect_eq(rtc_regs_to_unix(r, RTC_B_24H), (int64_t)T0);
}

TestSuite(pci, .init = setup);

Test(pci, host_bridge_dwords_and_byte_lanes)
{
	out(0xcf8, 4, 0x80000000);
	cr_expect_eq(in(0xcf8, 4), 0x80000000);
	cr_expect_eq(in(0xcfc, 4), 0x12378086);
	cr_expect_eq(in(0xcfc, 1), 0x86);
	cr_expect_eq(in(0xcfd, 1), 0x80);
	cr_expect_eq(in(0xcfe, 1), 0x37);
	cr_expect_eq(in(0xcff, 1), 0x12);
	cr_expect_eq(in(0xcfe, 2), 0x1237);
	out(0xcf8, 4, 0x80000008);
	cr_expect_eq(in(0xcfe, 2), 0x0600, "class: host bridge");
	cr_expect_eq(in(0xcfc, 1), 0x02, "revision");
	out(0xcf8, 4, 0x8000000c);
	cr_expect_eq(in(0xcfe, 1), 0x00, "header type 0");
}

Test(pci, absent_functions_and_disabled_address)
{
	static const uint32_t absent[] = { 0x80000800, 0x80000100, 0x80010000,
					   0x80ff0000, 0x8000f800 };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(absent); i++) {
		out(0xcf8, 4, absent[i]);
		cr_expect_eq(in(0xcfc, 4), 0xffffffff, "0x%x", absent[i]);
		cr_expect_eq(in(0xcfd, 1), 0xff);
	}
	out(0xcf8, 4, 0x00000000);
	cr_expect_eq(in(0xcfc, 4), 0xffffffff, "enable bit clear");
}

Test(pci, address_register)
{
	out(0xcf8, 4, 0xffffffff);
	cr_expect_eq(in(0xcf8, 4), 0x80fffffc, "reserved bits read 0");
	out(0xcf8, 4, 0x80000000);
	out(0xcfb, 1, 0x01); /* Linux's type 1 probe: ordinary I/O */
	cr_expect_eq(in(0xcf8, 4), 0x80000000);
	cr_expect_eq(in(0xcf8, 2), 0x00ff, "not CONFIG_ADDRESS: RCR at 0xcf9");
	out(0xcfc, 4, 0);
	out(0xcfc, 1, 0);
	cr_expect_eq(in(0xcfc, 4), 0x12378086, "read-only");
}

Test(pci, reset_control_register)
{
	out(0xcf9, 1, 0x02);
	cr_expect_eq(reboots, 0);
	cr_expect_eq(in(0xcf9, 1), 0x02);
	out(0xcf8, 2, 0x0000); /* its byte at 0xcf9 is 0 */
	cr_expect_eq(reboots, 0);
	out(0xcf9, 1, 0x06);
	cr_expect_eq(reboots, 1);
	out(0xcf9, 1, 0x0e);
	cr_expect_eq(reboots, 2);
	out(0xcf8, 2, 0x0600);
	cr_expect_eq(reboots, 3);
	out(0xcf8, 4, 0x06060606); /* CONFIG_ADDRESS, not a reset */
	cr_expect_eq(reboots, 3);
}

TestSuite(pm, .init = setup);

Test(pm, timer_rate_and_24_bit_wrap)
{
	uint32_t t0 = (uint32_t)in(PM_TMR, 4), t1;

	cr_expect_leq(t0, 0xffffff);
	now_ns += NS;
	t1 = (uint32_t)in(PM_TMR, 4);
	cr_expect_eq((t1 - t0) & 0xffffff, PLATFORM_PMTMR_HZ & 0xffffff);
	/* 2^24 ticks are 4.687 s: just before and after a wrap. */
	now_ns = 16777215ULL * NS / PLATFORM_PMTMR_HZ + 100;
	cr_expect_eq(in(PM_TMR, 4), 0xffffff);
	now_ns += 300;
	cr_expect_eq(in(PM_TMR, 4), 0);
	cr_expect_eq(in(PM_TMR + 2, 1), 0, "byte 2");
}

Test(pm, timer_is_monotonic)
{
	uint64_t prev = in(PM_TMR, 4), t, ticks = 0;
	int i;

	for (i = 0; i < 100000; i++) {
		now_ns += 7 + (uint64_t)i % 997;
		t = in(PM_TMR, 4);
		ticks += (t - prev) & 0xffffff;
		prev = t;
	}
	cr_expect_eq(ticks, (now_ns / NS * PLATFORM_PMTMR_HZ +
			     now_ns % NS * PLATFORM_PMTMR_HZ / NS -
			     (T0 * PLATFORM_PMTMR_HZ + PLATFORM_PMTMR_HZ / 2)));
}

Test(pm, poweroff_only_with_s5)
{
	unsigned typ;

	cr_expect_eq(in(PM1_CNT, 2), 1, "SCI_EN");
	for (typ = 0; typ < 8; typ++)
		if (typ != PLATFORM_SLP_TYP_S5)
			out(PM1_CNT, 2, typ << 10 | 0x2000);
	cr_expect_eq(exit_status, -1);
	cr_expect_eq(in(PM1_CNT, 2), 7 << 10 | 1, "SLP_EN reads 0");
	out(PM1_CNT, 2, PLATFORM_SLP_TYP_S5 << 10);
	cr_expect_eq(exit_status, -1, "SLP_TYP without SLP_EN");
	out(PM1_CNT, 2, PLATFORM_SLP_TYP_S5 << 10 | 0x2000);
	cr_expect_eq(exit_status, 0);
}

Test(pm, status_write_one_to_clear)
{
	dom.chipset.pm.sts = 0x8101;
	out(PLATFORM_PM1_EVT + 2, 2, 0x0120);
	cr_expect_eq(in(PLATFORM_PM1_EVT, 4), 0x01208101);
	out(PLATFORM_PM1_EVT, 2, 0x0001);
	cr_expect_eq(in(PLATFORM_PM1_EVT, 2), 0x8100);
	out(PLATFORM_PM1_EVT, 1, 0x00);
	cr_expect_eq(in(PLATFORM_PM1_EVT, 2), 0x8100);
}

Test(pm, keyboard_controller_and_port_92_reset)
{
	cr_expect_eq(in(0x64, 1), 0, "no data, input buffer empty");
	cr_expect_eq(in(0x60, 1), 0);
	out(0x64, 1, 0xaa);
	out(0x60, 1, 0xfe);
	cr_expect_eq(reboots, 0);
	out(0x64, 1, 0xfe);
	cr_expect_eq(reboots, 1);
	out(0x92, 1, 0x02);
	cr_expect_eq(in(0x92, 1), 0x02);
	cr_expect_eq(reboots, 1);
	out(0x92, 1, 0x03);
	cr_expect_eq(reboots, 2);
	out(0x92, 1, 0x03);
	cr_expect_eq(reboots, 2, "bit 0 already set");
}
