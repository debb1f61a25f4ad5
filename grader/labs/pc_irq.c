/*
 * pc_irq.c - the PC's interrupt controllers and timer (kernel/dev/pic.c,
 * pit.c, ioapic.c, irq.c): the host unit tests, and guests/irq in one
 * boot, and in another a hostile copy of itself (PIT count 1, everything
 * unmasked) beside a bystander that must still finish.  Points: pc.points.
 *
 * Bugs these tests catch (each applied, then make grade SUITE=pc), bug:
 * the tests that fail:
 *   pic_data_write ignores OCW1: pic_mask; pic_ocw2 clears no ISR bit:
 *     pic_mask
 *   pit_due raises every period missed (no merging): pit_rate
 *   vlapic rounds the TSC ticks per timer count to a whole number:
 *     apic_timer (unless the host's TSC is a multiple of 100 MHz)
 *   virt_arm_timer arms nothing (the next tick ends the run): timers_spinning
 *   irq_set sends line 0 to pin 0: ioapic; ioapic_eoi does not deliver
 *     again: ioapic
 *   platform_poll raises line 0 at every call: irq_storm (the bystander
 *     still ends, the storm guest does too)
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include "../grader.h"

static const struct hv_cfg irq_boot = {
	.needs_virt = 1,
	.domains = {
		{ "irq", "name    = \"irq\"\nkernel  = \"guests/irq.elf\"\n"
			 "memory  = 16\ntestdev = 1\n" },
	},
};

/* Apart: the storm would slow the rate the other measures. */
static const struct hv_cfg storm_boot = {
	.needs_virt = 1,
	.domains = {
		{ "storm", "name   = \"storm\"\nkernel = \"guests/irq.elf\"\n"
			   "memory = 16\nextra  = \"storm=1\"\n" },
		{ "bystander", "name   = \"bystander\"\n"
			       "kernel = \"guests/hello.elf\"\nmemory = 16\n" },
	},
};

Test(pc, irq_unit, .timeout = 120)
{
	expect_host_test("test_irq", NULL);
}

Test(pc, pic_mask, .timeout = 900)
{
	static const char *const passes[] = {
		"IMR reads back what was written",
		"PIT's IRQ 0 masked in the IMR: no interrupt",
		"IRQ 0 unmasked: one interrupt, none more without EOI",
		"OCW3: ISR holds IRQ 0",
		"non-specific EOI clears it",
		"after EOI IRQ 0 arrives again",
		NULL
	};

	expect_guest_passed(hv_boot_group("irq", &irq_boot), "irq", passes);
}

/* The rate of a timer from the median period guests/irq measured,
 * "WHAT median period N TSC ticks of M", by the TSC frequency the
 * hypervisor printed; 0 if a line is missing. */
static double median_hz(struct hv_run *r, const char *what)
{
	const struct hv_line *tsc = hv_find_output(r, "hvlab: TSC ");
	const struct hv_line *line = hv_find_output(r, what);
	unsigned long long period = 0;
	double mhz = 0;

	if (!tsc || !line)
		return 0;
	sscanf(strstr(tsc->text, "TSC ") + 4, "%lf", &mhz);
	sscanf(strstr(line->text, what) + strlen(what), " median period %llu",
	       &period);
	return period ? mhz * 1e6 / (double)period : 0;
}

/*
 * Mode 2 at count 11932 (99.998 Hz) for 2 s of HLT: the median period by
 * the TSC frequency the hypervisor printed, within 1%, and about as many
 * interrupts as periods.  (Periods a stalled host makes the guest miss
 * are raised later, at most 1 ms apart, so a stall near the end of the
 * 2 s can leave some owed past it: at least three quarters of them.)
 */
Test(pc, pit_rate, .timeout = 900)
{
	struct hv_run *r = hv_boot_group("irq", &irq_boot);
	const struct hv_line *pit = hv_find_output(r, "pit rate: ");
	double hz = median_hz(r, "pit rate:");
	unsigned n = 0;

	cr_assert(pit && hz > 0,
		  "no \"pit rate:\" line, or no period measured\n  %s",
		  hv_diagnose(r));
	sscanf(strstr(pit->text, " of ") + 4, "%u", &n);
	cr_expect(n >= 150,
		  "PIT mode 2 at 100 Hz: %u interrupts in 2 s, want 200\n  %s",
		  n, pit->text);
	cr_expect(hz > 1193182.0 / 11932 * 0.99 &&
			  hz < 1193182.0 / 11932 * 1.01,
		  "PIT mode 2 at count 11932: %.3f Hz, want 99.998 Hz +- 1%%"
		  "\n  %s",
		  hz, pit->text);
}

/*
 * The PIT at 500 Hz, then the local APIC timer at 250 Hz, for 500 ms each
 * while the guest spins with interrupts on and never exits: the median
 * time between their interrupts must be under 7 ms.  A hypervisor that
 * looks at guest timers only when its own 10 ms scheduling tick makes the
 * guest exit gives 10 ms; one that sets its timer for the guest's gives
 * their periods, 2 and 4 ms, or less now and then on a busy machine, where
 * an emulator's stalls make the timers catch up (pit_rate and apic_timer
 * check the rates themselves).
 */
Test(pc, timers_spinning, .timeout = 900)
{
	struct hv_run *r = hv_boot_group("irq", &irq_boot);
	double pit = median_hz(r, "pit spin:"),
	       apic = median_hz(r, "apic spin:");

	cr_assert(pit > 0 && apic > 0,
		  "no \"pit spin:\" or \"apic spin:\" line, or no period "
		  "measured\n  %s",
		  hv_diagnose(r));
	cr_expect(1e3 / pit < 7,
		  "PIT at 500 Hz while the guest spins: a tick every %.2f ms, "
		  "want 2 ms (under 7)",
		  1e3 / pit);
	cr_expect(1e3 / apic < 7,
		  "local APIC timer, periodic at 250 Hz, while the guest "
		  "spins: a "
		  "tick every %.2f ms, want 4 ms (under 7)",
		  1e3 / apic);
}

/* guests/irq times the APIC timer's one-shot countdown (TDCR divide by 1,
 * 100 MHz) with the TSC: within 1% of the hypervisor's TSC rate; and
 * reads CPUID leaf 0x15 where there is one. */
Test(pc, apic_timer, .timeout = 900)
{
	struct hv_run *r = hv_boot_group("irq", &irq_boot);
	const struct hv_line *tsc = hv_find_output(r, "hvlab: TSC ");
	const struct hv_line *apic = hv_find_output(r, "apic timer: TSC at ");
	const struct hv_line *leaf;
	double mhz = 0, hz = 0;
	unsigned crystal = 0;

	cr_assert(tsc && apic,
		  "no \"hvlab: TSC\" or \"apic timer:\" line\n  %s",
		  hv_diagnose(r));
	sscanf(strstr(tsc->text, "TSC ") + 4, "%lf", &mhz);
	sscanf(strstr(apic->text, "TSC at ") + 7, "%lf", &hz);
	cr_expect(hz > mhz * 1e6 * 0.99 && hz < mhz * 1e6 * 1.01,
		  "the APIC timer's 100 MHz measure the TSC at %.0f Hz, want "
		  "%.3f MHz +- 1%%\n  %s\n  %s",
		  hz, mhz, tsc->text, apic->text);
	/* Where the CPU has leaf 0x15 (Bochs), the guest reads the same
	 * rates there: the TSC's to 10 kHz, the timer's as the crystal. */
	if ((leaf = hv_find_output(r, "cpuid 0x15: TSC at "))) {
		sscanf(strstr(leaf->text, "TSC at ") + 7, "%lf Hz, crystal %u",
		       &hz, &crystal);
		cr_expect(
			hz > mhz * 1e6 - 10000 && hz < mhz * 1e6 + 10000 &&
				crystal == 100000000,
			"CPUID leaf 0x15 states TSC %.0f Hz and crystal %u Hz, "
			"want %.3f MHz and the APIC timer's 100 MHz\n  %s",
			hz, crystal, mhz, leaf->text);
	}
}

Test(pc, ioapic, .timeout = 900)
{
	static const char *const passes[] = {
		"IOAPIC version 0x11, 24 pins",
		"PIT through IOAPIC pin 2",
		"pin 2 masked: no interrupt",
		"level pin masked: no interrupt",
		"level pin: delivered again at each EOI while asserted, not "
		"after",
		"remote IRR set while in service",
		"remote IRR cleared by the EOI",
		NULL
	};

	expect_guest_passed(hv_boot_group("irq", &irq_boot), "irq", passes);
}

Test(pc, irq_storm, .timeout = 900)
{
	static const char *const passes[] = {
		"PIT count 1, everything unmasked: still running", NULL
	};
	struct hv_run *r = hv_boot_group("storm", &storm_boot);

	expect_guest_passed(r, "storm", passes);
	expect_domain_exit(r, "bystander", 0);
}
