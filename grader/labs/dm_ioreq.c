/*
 * dm_ioreq.c - an hvm domain's device served by a device model in dom0
 * (issue 16, Xen's ioreq model: pv/ioreq.c, guests/dom0/dm.c, guests/dm).
 * Points: dm.points (make grade SUITE=dm).
 *
 * One boot: dom0 creates each guest paused, starts the test device model
 * for it (`dm NAME [hang|garbage]`), then unpauses it: dm, whose device
 * is served; hang, whose device model never answers; bad, whose device
 * model answers with another size.  hang and bad must crash, alone: dm
 * passes, and dom0 goes on to its poweroff.
 *
 * Bugs these tests catch, bug: the tests that fail:
 *   claimed ranges not forwarded (reads all ones): dm_ports, dm_mmio,
 *     dm_strings
 *   the vcpu resumed before the answer, or the answer's data dropped:
 *     dm_ports, dm_mmio
 *   an instruction's earlier answers asked again (a read-modify-write
 *     never completes), or forgotten by an interrupt handler's exits
 *     before the instruction runs again: dm_mmio, dm_irq, ioreq_unit
 *   REP INS/OUTS forwarded element by element, the count or direction
 *     wrong, the rest after a page lost: dm_strings, ioreq_string_unit
 *   set_isa_irq_level not reaching the PIC: dm_irq, ioreq_unit
 *   an interrupt injected between the answer and the instruction's
 *     second run, whose handler uses the device: dm_irq (the handler's
 *     access drops the answer, the OUT asks again, forever)
 *   no timeout: dm_hang (the boot times out), ioreq_unit; a garbage
 *     answer taken: dm_garbage, ioreq_unit
 */
#include <criterion/criterion.h>
#include <string.h>
#include "../grader.h"

#define DM(name, extra)                                           \
	{                                                         \
		name, "name   = \"" name "\"\ntype   = \"hvm\"\n" \
		      "kernel = \"guests/dm.elf\"\n"              \
		      "extra  = \"" extra "\"\nmemory = 16\n"     \
	}

static const struct hv_cfg dm = {
	.needs_virt = 1,
	.progress_timeout = 240,
	.timeout = 1200,
	.domains = {
		HV_DOM0("xl create -p dm.cfg;dm dm;xl unpause dm;"
			"xl console dm;"
			"xl create -p hang.cfg;dm hang hang;xl unpause hang;"
			"xl create -p bad.cfg;dm bad garbage;xl unpause bad;"
			"wait hang bad;xl list;poweroff"),
		DM("dm", ""),
		DM("hang", "mode=hang"),
		DM("bad", "mode=garbage"),
	},
};

/* The request, the wait, the answer's checks and the crashes on the host
 * (test_ioreq). */
Test(dm, ioreq_unit, .timeout = 300)
{
	expect_host_test("test_ioreq", NULL);
}

/* REP INS/OUTS to a device model's port as one request (test_mmio). */
Test(dm, ioreq_string_unit, .timeout = 300)
{
	expect_host_test("test_mmio", "mmio");
}

Test(dm, dm_ports, .timeout = 1800)
{
	static const char *const passes[] = {
		"port reads of 1, 2 and 4 bytes",
		"port writes of 1, 2 and 4 bytes",
		"the port after the claimed range",
		NULL,
	};

	expect_guest_passed(hv_boot_group("dm", &dm), "dm", passes);
}

Test(dm, dm_mmio, .timeout = 1800)
{
	static const char *const passes[] = {
		"MMIO reads of 1, 2, 4 and 8 bytes",
		"MMIO writes of 1, 2, 4 and 8 bytes",
		"MMIO read-modify-write (OR) of 4 bytes",
		NULL,
	};

	expect_guest_passed(hv_boot_group("dm", &dm), "dm", passes);
}

Test(dm, dm_strings, .timeout = 1800)
{
	static const char *const passes[] = {
		"REP OUTSB and REP INSB of 300 bytes across a page",
		"REP OUTSW of 64 words read back with REP INSL of 32",
		"REP INSL of an empty FIFO across a page",
		"the FIFO is empty",
		NULL,
	};

	expect_guest_passed(hv_boot_group("dm", &dm), "dm", passes);
}

Test(dm, dm_irq, .timeout = 1800)
{
	static const char *const passes[] = {
		"the device model's IRQ 5 arrived",
		"the device model sent one pulse",
		"the handler's own access reached the device once",
		NULL,
	};

	expect_guest_passed(hv_boot_group("dm", &dm), "dm", passes);
}

/* A device model that never answers: its guest crashes, nobody else. */
Test(dm, dm_hang, .timeout = 1800)
{
	struct hv_run *r = hv_boot_group("dm", &dm);

	expect_crash_with(r, "hang",
			  "port 0x700 (1-byte read): device model did not "
			  "answer");
	hv_dom0_cmd(r, "poweroff", 1);
	expect_exit(r, 0);
}

/* A device model that answers with another size: its guest crashes. */
Test(dm, dm_garbage, .timeout = 1800)
{
	struct hv_run *r = hv_boot_group("dm", &dm);

	expect_crash_with(r, "bad", "device model answered garbage");
	hv_dom0_cmd(r, "poweroff", 1);
	expect_exit(r, 0);
}
