/*
 * rtc.h - the MC146818 CMOS clock and NVRAM of an hvm domain
 * (kernel/dev/rtc.c) at ports PLATFORM_RTC (index) and +1 (data).
 */
#ifndef KERNEL_DEV_RTC_H
#define KERNEL_DEV_RTC_H

#include <inc/types.h>

struct domain;

#define RTC_NVRAM_SIZE 128

/* Register B's mode bits (MC146818A datasheet, "Register B"). */
#define RTC_B	  0x0b /* register B: */
#define RTC_B_SET 0x80 /* updates stopped: the guest sets the time */
#define RTC_B_PIE 0x40
#define RTC_B_AIE 0x20
#define RTC_B_UIE 0x10
#define RTC_B_DM  0x04 /* binary, not BCD */
#define RTC_B_24H 0x02

struct rtc {
	uint8_t index;
	/* Registers and NVRAM; the time registers (0, 2, 4, 6-9, and the
	 * century at 0x32) hold the time only when latched there. */
	uint8_t ram[RTC_NVRAM_SIZE];
	int64_t offset;	  /* the guest's time minus the host's, in s */
	uint64_t last_ns; /* host Unix time in ns of the last rtc_poll */
};

/* Gives d its RTC, the NVRAM holding d's memory size; 0 or -E_*. */
int rtc_init(struct domain *d);

/*
 * Sets the update-ended, periodic and alarm flags of register C that
 * came due since the last call, and drives the RTC's interrupt line.
 */
void rtc_poll(struct domain *d);

/*
 * Unix seconds that the time registers r[0..0x32] (0 s, 2 min, 4 h, 7
 * day, 8 month, 9 year, 0x32 century) hold in the format register B b
 * says.  A century below 19 is taken as 20: firmware that never set it.
 */
int64_t rtc_regs_to_unix(const uint8_t *r, uint8_t b);

#endif
