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

Test(pc, pit_rate, .timeout = 900)
{
	static const char *const passes[] = {
		"PIT mode 2 at 100 Hz: rate within 1% over 2 s of HLT", NULL
	};

	expect_guest_passed(hv_boot_group("irq", &irq_boot), "irq", passes);
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
