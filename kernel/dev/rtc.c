/*
 * rtc.c - the MC146818A real-time clock and its 128 bytes of CMOS RAM
 * (Motorola MC146818A datasheet; the PC/AT's ports 0x70/0x71).
 *
 * The time is the host's (clock_unix_ns) plus a per-domain offset in
 * whole seconds that the guest changes by setting the clock, so updates
 * fall on the host's second boundaries.  The time registers are latched
 * from it on each read, and hold what the guest writes while register B's
 * SET bit is on.  The NMI mask (bit 7 of the index) is ignored: nothing on
 * this platform raises an NMI.  The NVRAM holds the memory size where a
 * PC BIOS (SeaBIOS, with QEMU's values) puts it.
 */
#include <inc/x86.h>
#include <kernel/kernel.h>
#include <kernel/clock.h>
#include <kernel/domain.h>
#include <kernel/dev/io.h>
#include <kernel/dev/irq.h>
#include <kernel/dev/platform.h>
#include <kernel/dev/rtc.h>

#define RTC_SEC	    0x00
#define RTC_MIN	    0x02
#define RTC_HOUR    0x04
#define RTC_WDAY    0x06
#define RTC_MDAY    0x07
#define RTC_MONTH   0x08
#define RTC_YEAR    0x09
#define RTC_A	    0x0a
#define RTC_C	    0x0c
#define RTC_D	    0x0d
#define RTC_CENTURY 0x32
/* The registers rtc_latch writes. */
#define RTC_TIME_REGS 0x3d5

#define RTC_A_UIP   0x80
#define RTC_A_DV    0x70
#define RTC_A_32K   0x20 /* the divider runs from a 32.768 kHz crystal */
#define RTC_A_RS    0x0f
#define RTC_C_IRQF  0x80
#define RTC_C_PF    0x40
#define RTC_C_AF    0x20
#define RTC_C_UF    0x10
#define RTC_D_VRT   0x80
#define RTC_HOUR_PM 0x80

/* UIP rises this long before each update (datasheet, "Update Cycle"). */
#define RTC_UIP_NS 244000ULL
#define NS_PER_S   1000000000ULL

static uint64_t rtc_now(void)
{
	return clock_unix_ns(rdtsc());
}

static uint8_t rtc_to_reg(unsigned v, uint8_t b)
{
	return b & RTC_B_DM ? (uint8_t)v :
			      (uint8_t)((v / 10 % 10) << 4 | v % 10);
}

static unsigned rtc_from_reg(uint8_t v, uint8_t b)
{
	return b & RTC_B_DM ? v : (v >> 4) * 10u + (v & 0xf);
}

/* Days from 1970-01-01 to y-m-d (y >= 0), proleptic Gregorian. */
static int64_t rtc_days(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	unsigned yoe = (unsigned)(y % 400);
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;

	return y / 400 * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy -
	       719468;
}

/* The date of day z (days from 1970-01-01, z > -719468). */
static void rtc_date(int64_t z, unsigned *y, unsigned *m, unsigned *d)
{
	z += 719468;
	unsigned doe = (unsigned)(z % 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;

	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (unsigned)(z / 146097 * 400) + yoe + (*m <= 2);
}

int64_t rtc_regs_to_unix(const uint8_t *r, uint8_t b)
{
	unsigned h = rtc_from_reg(r[RTC_HOUR] & ~RTC_HOUR_PM, b);
	unsigned c = rtc_from_reg(r[RTC_CENTURY], b);
	int64_t days;

	if (!(b & RTC_B_24H))
		h = h % 12 + (r[RTC_HOUR] & RTC_HOUR_PM ? 12 : 0);
	days = rtc_days((c < 19 ? 20 : c) * 100 + rtc_from_reg(r[RTC_YEAR], b),
			rtc_from_reg(r[RTC_MONTH], b),
			rtc_from_reg(r[RTC_MDAY], b));
	return ((days * 24 + h) * 60 + rtc_from_reg(r[RTC_MIN], b)) * 60 +
	       rtc_from_reg(r[RTC_SEC], b);
}

/* The guest's time at host time now, in Unix seconds. */
static int64_t rtc_guest_time(const struct rtc *r, uint64_t now)
{
	return (int64_t)(now / NS_PER_S) + r->offset;
}

/* Writes Unix time t (after 1900) into the time registers, as B says. */
static void rtc_latch(struct rtc *r, int64_t t)
{
	uint8_t b = r->ram[RTC_B];
	int64_t days = (t >= 0 ? t : t - 86399) / 86400;
	unsigned s = (unsigned)(t - days * 86400), h = s / 3600, y, m, d;

	rtc_date(days, &y, &m, &d);
	r->ram[RTC_SEC] = rtc_to_reg(s % 60, b);
	r->ram[RTC_MIN] = rtc_to_reg(s / 60 % 60, b);
	r->ram[RTC_HOUR] = b & RTC_B_24H ? rtc_to_reg(h, b) :
					   rtc_to_reg(h % 12 ? h % 12 : 12, b) |
						   (h >= 12 ? RTC_HOUR_PM : 0);
	r->ram[RTC_WDAY] = (uint8_t)((days % 7 + 11) % 7 + 1); /* Sunday 1 */
	r->ram[RTC_MDAY] = rtc_to_reg(d, b);
	r->ram[RTC_MONTH] = rtc_to_reg(m, b);
	r->ram[RTC_YEAR] = rtc_to_reg(y % 100, b);
	r->ram[RTC_CENTURY] = rtc_to_reg(y / 100, b);
}

/* The time registers as the guest wrote them become its time. */
static void rtc_commit(struct rtc *r, uint64_t now)
{
	r->offset = rtc_regs_to_unix(r->ram, r->ram[RTC_B]) -
		    (int64_t)(now / NS_PER_S);
}

static bool rtc_is_time(unsigned i)
{
	return (i < 10 && (RTC_TIME_REGS >> i & 1)) || i == RTC_CENTURY;
}

/* Whether the divider runs and updates are not stopped by SET. */
static bool rtc_updating(const struct rtc *r)
{
	return (r->ram[RTC_A] & RTC_A_DV) == RTC_A_32K &&
	       !(r->ram[RTC_B] & RTC_B_SET);
}

/* IRQF and the interrupt line follow the flags and their enables. */
static void rtc_irq(struct domain *d, struct rtc *r)
{
	bool irqf = r->ram[RTC_C] & r->ram[RTC_B] &
		    (RTC_C_PF | RTC_C_AF | RTC_C_UF);

	r->ram[RTC_C] = (uint8_t)((r->ram[RTC_C] & ~RTC_C_IRQF) |
				  (irqf ? RTC_C_IRQF : 0));
	irq_set(d, PLATFORM_IRQ_RTC, irqf);
}

/* 32.768 kHz crystal ticks at host time t. */
static uint64_t rtc_crystal(uint64_t t)
{
	return t / NS_PER_S * 32768 + t % NS_PER_S * 32768 / NS_PER_S;
}

/* Whether a periodic interrupt fell in (last, now] at register A's rate. */
static bool rtc_periodic_due(const struct rtc *r, uint64_t last, uint64_t now)
{
	unsigned rs = r->ram[RTC_A] & RTC_A_RS;
	/* Periods in crystal ticks: 2^(rs-1), but 2^7 and 2^8 for 1 and 2. */
	unsigned shift = rs <= 2 ? rs + 6 : rs - 1;

	return rs && rtc_crystal(now) >> shift != rtc_crystal(last) >> shift;
}

/* Whether the alarm registers match the time (0xc0-0xff: any value). */
static bool rtc_alarm(struct rtc *r, uint64_t now)
{
	unsigned i;

	rtc_latch(r, rtc_guest_time(r, now));
	for (i = RTC_SEC; i <= RTC_HOUR; i += 2)
		if ((r->ram[i + 1] & 0xc0) != 0xc0 &&
		    r->ram[i + 1] != r->ram[i])
			return false;
	return true;
}

void rtc_poll(struct domain *d)
{
	struct rtc *r = &d->chipset.rtc;
	uint64_t now = rtc_now(), last = r->last_ns;
	uint8_t c = r->ram[RTC_C];

	r->last_ns = now;
	if ((r->ram[RTC_A] & RTC_A_DV) == RTC_A_32K &&
	    rtc_periodic_due(r, last, now))
		r->ram[RTC_C] |= RTC_C_PF;
	if (rtc_updating(r) && now / NS_PER_S != last / NS_PER_S)
		r->ram[RTC_C] |= RTC_C_UF | (rtc_alarm(r, now) ? RTC_C_AF : 0);
	/* every exit polls: the line is driven again only when it can change */
	if (r->ram[RTC_C] != c)
		rtc_irq(d, r);
}

static uint8_t rtc_read(struct domain *d, struct rtc *r, unsigned i)
{
	uint64_t now = rtc_now();
	bool uip = rtc_updating(r) && now % NS_PER_S >= NS_PER_S - RTC_UIP_NS;
	uint8_t v;

	switch (i) {
	case RTC_A: return r->ram[RTC_A] | (uip ? RTC_A_UIP : 0);
	case RTC_C:
		rtc_poll(d);
		v = r->ram[RTC_C];
		r->ram[RTC_C] = 0;
		rtc_irq(d, r);
		return v;
	case RTC_D: return RTC_D_VRT;
	}
	if (rtc_is_time(i) && !(r->ram[RTC_B] & RTC_B_SET))
		rtc_latch(r, rtc_guest_time(r, now));
	return r->ram[i];
}

static void rtc_write_b(struct domain *d, struct rtc *r, uint8_t v)
{
	uint64_t now = rtc_now();
	uint8_t old = r->ram[RTC_B];

	/* Setting SET clears UIE (datasheet, "Register B"). */
	if (v & RTC_B_SET) {
		v &= ~RTC_B_UIE;
		if (!(old & RTC_B_SET))
			rtc_latch(r, rtc_guest_time(r, now));
	}
	r->ram[RTC_B] = v;
	if ((old & RTC_B_SET) && !(v & RTC_B_SET))
		rtc_commit(r, now);
	rtc_irq(d, r);
}

static void rtc_write(struct domain *d, struct rtc *r, unsigned i, uint8_t v)
{
	uint64_t now = rtc_now();
	bool set = r->ram[RTC_B] & RTC_B_SET;

	if (i == RTC_A)
		r->ram[RTC_A] = v & ~RTC_A_UIP;
	else if (i == RTC_B)
		rtc_write_b(d, r, v);
	else if (i == RTC_C || i == RTC_D)
		return;
	else if (rtc_is_time(i) && !set) {
		/* Without SET a write changes that field of the running time. */
		rtc_latch(r, rtc_guest_time(r, now));
		r->ram[i] = v;
		rtc_commit(r, now);
	} else
		r->ram[i] = v;
}

/* Port accesses byte by byte: a word at the index port also writes data. */
static int rtc_io(struct domain *d, void *opaque, uint64_t port, unsigned size,
		  bool write, uint64_t *val)
{
	struct rtc *r = opaque;
	uint64_t out = 0;
	unsigned i;

	for (i = 0; i < size; i++) {
		uint8_t byte = (uint8_t)(*val >> 8 * i);

		if (port + i == PLATFORM_RTC && write)
			r->index = byte & (RTC_NVRAM_SIZE - 1);
		else if (port + i == PLATFORM_RTC + 1 && write)
			rtc_write(d, r, r->index, byte);
		else if (port + i == PLATFORM_RTC + 1)
			byte = rtc_read(d, r, r->index);
		else
			byte = 0xff; /* the index port is write-only */
		out |= (uint64_t)byte << 8 * i;
	}
	if (!write)
		*val = out;
	return 0;
}

static void rtc_put16(struct rtc *r, unsigned i, uint64_t v)
{
	v = MIN(v, 0xffff);
	r->ram[i] = (uint8_t)v;
	r->ram[i + 1] = (uint8_t)(v >> 8);
}

/*
 * The memory size bytes: base memory in KiB (0x15), memory from 1 MiB
 * in KiB up to 0xffff (0x17, and 0x30 as the BIOS copies it), from
 * 16 MiB below 4 GiB in 64 KiB units (0x34), above 4 GiB in 64 KiB
 * units (0x5b, three bytes).
 */
static void rtc_nvram_memory(struct rtc *r, uint64_t ram_end)
{
	uint64_t low = MIN(ram_end, 4096 * MiB), high = ram_end - low;

	rtc_put16(r, 0x15, 640);
	rtc_put16(r, 0x17, low > MiB ? (low - MiB) >> 10 : 0);
	rtc_put16(r, 0x30, low > MiB ? (low - MiB) >> 10 : 0);
	rtc_put16(r, 0x34, low > 16 * MiB ? (low - 16 * MiB) >> 16 : 0);
	r->ram[0x5b] = (uint8_t)(high >> 16);
	r->ram[0x5c] = (uint8_t)(high >> 24);
	r->ram[0x5d] = (uint8_t)(high >> 32);
}

int rtc_init(struct domain *d)
{
	struct rtc *r = &d->chipset.rtc;

	r->ram[RTC_A] = RTC_A_32K | 0x06; /* 1024 Hz, as the BIOS sets it */
	r->ram[RTC_B] = RTC_B_24H;
	rtc_nvram_memory(r, d->config->memory_mib * MiB);
	r->last_ns = rtc_now();
	return io_register_port(d, PLATFORM_RTC, 2, rtc_io, r, "rtc");
}
