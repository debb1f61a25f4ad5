/*
 * pc_chipset.c - the chipset of an hvm domain (kernel/dev/rtc.c, pci.c,
 * pm.c) seen by guests/chipset in one boot: the RTC's date, ticking
 * seconds and update-ended flag, the CMOS memory-size bytes, a PCI scan
 * of bus 0 that finds only the host bridge, the PM timer's rate against
 * the RTC and the TSC, power-off through PM1a_CNT, the three reset ports
 * (a reboot restarts the domain, as xl's default on_reboot does, or ends
 * it with on_reboot "destroy"), and random writes to every chipset port.  Points: pc.points.
 *
 * Bugs they catch (each applied, then make grade SUITE=pc), bug: tests:
 *   the time registers read binary in BCD mode: rtc (and pm_timer)
 *   the extended memory bytes count from 0, not from 1 MiB: cmos_memory
 *   CONFIG_ADDRESS ignores the bus number: pci_host_bridge
 *   the PM timer counts ns, not 3.58 MHz ticks: pm_timer, rtc
 *   SLP_EN ignored: poweroff
 *   RST_CPU at 0xcf9 or 0xfe at 0x64 ignored, on_reboot not applied:
 *     reboot
 *   a panic on some index value at port 0x70: all, chipset_hostile too
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include "../grader.h"

#define CHIPSET(name, mem, extra, more)                                  \
	{                                                                \
		name, "name   = \"" name "\"\n"                          \
		      "kernel = \"guests/chipset.elf\"\n"                \
		      "memory = " #mem "\nextra  = \"" extra "\"\n" more \
	}

/* A reboot ends these: no restart (the default, as xl's). */
#define ONE_BOOT "on_reboot = \"destroy\"\n"

static const struct hv_cfg chipset = {
	.needs_virt = 1,
	.domains = {
		CHIPSET("chipset", 64, "mode=check mem=64", ""),
		CHIPSET("chipset-off", 16, "mode=poweroff", ""),
		CHIPSET("chipset-kbd", 16, "mode=kbd", ""),
		CHIPSET("chipset-92", 16, "mode=port92", ONE_BOOT),
		CHIPSET("chipset-cf9", 16, "mode=cf9", ONE_BOOT),
		CHIPSET("chipset-hostile", 16, "mode=hostile", ""),
	},
};

/* Domain "chipset" printed each of passes as a PASS line. */
static void expect_passes(struct hv_run *r, const char *const *passes)
{
	char want[256];

	for (; *passes; passes++) {
		snprintf(want, sizeof(want), "chipset: PASS: %s", *passes);
		expect_result(r, want);
	}
}

Test(pc, rtc, .timeout = 900)
{
	static const char *const passes[] = {
		"RTC register B: 24 h, BCD",
		"RTC fields are valid BCD",
		"RTC date is 2024 or later",
		"RTC seconds advance",
		"RTC update-ended flag within a second",
		NULL
	};

	expect_passes(hv_boot_group("chipset", &chipset), passes);
}

Test(pc, cmos_memory, .timeout = 900)
{
	static const char *const passes[] = {
		"CMOS base memory (KiB): got 640, want 640",
		"CMOS extended memory (KiB): got 64512, want 64512",
		"CMOS extended memory copy (KiB): got 64512, want 64512",
		"CMOS memory above 16 MiB (64 KiB): got 768, want 768", NULL
	};

	expect_passes(hv_boot_group("chipset", &chipset), passes);
}

Test(pc, pci_host_bridge, .timeout = 900)
{
	static const char *const passes[] = {
		"PCI CONFIG_ADDRESS reads back",
		"PCI bus 0 holds only the host bridge",
		"PCI other buses are empty", NULL
	};

	expect_passes(hv_boot_group("chipset", &chipset), passes);
}

Test(pc, pm_timer, .timeout = 900)
{
	static const char *const passes[] = {
		"PM timer never goes back",
		"PM timer runs at 3.58 MHz within 1%",
		"PM timer against the TSC within 1%", NULL
	};
	expect_passes(hv_boot_group("chipset", &chipset), passes);
}

Test(pc, poweroff, .timeout = 900)
{
	expect_domain_exit(hv_boot_group("chipset", &chipset), "chipset-off",
			   0);
}

Test(pc, reboot, .timeout = 900)
{
	struct hv_run *r = hv_boot_group("chipset", &chipset);

	expect_result(r, "domain chipset-kbd: rebooted");
	expect_output(r, "domain chipset-kbd: restarting (3 of 3)");
	expect_result(r, "domain chipset-92: rebooted");
	expect_result(r, "domain chipset-cf9: rebooted");
	cr_expect(!hv_find_output(r, "domain chipset-92: restarting"),
		  "on_reboot \"destroy\" restarted chipset-92");
}

Test(pc, chipset_hostile, .timeout = 900)
{
	static const char *const passes[] = {
		"20000 random chipset writes survived", NULL
	};
	struct hv_run *r = hv_boot_group("chipset", &chipset);

	expect_guest_passed(r, "chipset-hostile", passes);
	expect_output(r, "summary: chipset exited");
}
