/*
 * pc_smp.c - SMP hvm guests (suite pc): a two-vcpu guest (guests/smp)
 * whose BSP starts the AP with INIT-SIPI-SIPI through the xAPIC, then
 * IPI ping-pong, a spinlocked counter, a TLB shootdown, NMI, ESR, the
 * x2APIC MSRs and the TSC-deadline timer; and its hostile variant, whose
 * IPIs to a missing APIC ID are dropped and whose AP INITs the BSP, which
 * restarts at the reset vector outside guest RAM: that domain crashes,
 * its neighbour finishes.  The host unit tests of the APIC's registers and
 * IPIs are test_devices' vlapic and smp suites.
 */
#include <criterion/criterion.h>
#include "../grader.h"

static const struct hv_cfg smp = {
	.needs_virt = 1,
	.progress_timeout = 240, /* both vcpus share one CPU that may be busy */
	.domains = {
		{ "smp", "name   = \"smp\"\nkernel = \"guests/smp.elf\"\n"
			 "memory = 16\nvcpus  = 2\n" },
		{ "smp-hostile",
		  "name   = \"smp-hostile\"\nkernel = \"guests/smp.elf\"\n"
		  "extra  = \"hostile=1\"\nmemory = 16\nvcpus  = 2\n"
		  "on_crash = \"destroy\"\n" },
		{ "bystander", "name   = \"bystander\"\n"
			       "kernel = \"guests/hello.elf\"\nmemory = 16\n" },
	},
};

Test(pc, smp_start, .timeout = 900)
{
	static const char *const passes[] = {
		"firmware state: LINT0 ExtINT, LINT1 NMI",
		"AP started by INIT-SIPI-SIPI",
		"AP started in real mode at 0800:0000",
		"AP reads its own APIC ID",
		"BSP reads its own APIC ID",
		NULL
	};

	expect_guest_passed(hv_boot_group("smp", &smp), "smp", passes);
}

Test(pc, smp_ipi, .timeout = 900)
{
	static const char *const passes[] = {
		"IPI ping-pong 100 times",  "TLB shootdown",
		"spinlocked counter",	    "NMI delivered to the AP",
		"ESR: send illegal vector", NULL
	};

	expect_guest_passed(hv_boot_group("smp", &smp), "smp", passes);
}

Test(pc, smp_x2apic, .timeout = 900)
{
	static const char *const passes[] = { "x2APIC MSR in xAPIC mode: #GP",
					      "x2APIC: AP's ID 1",
					      "CPUID: x2APIC and TSC-deadline",
					      "TSC-deadline timer fired once",
					      NULL };

	expect_guest_passed(hv_boot_group("smp", &smp), "smp", passes);
}

Test(pc, smp_hostile, .timeout = 900)
{
	struct hv_run *r = hv_boot_group("smp", &smp);

	expect_result(
		r, "smp-hostile: PASS: IPIs to APIC ID 200 dropped, no error");
	expect_crash_with(r, "smp-hostile", "0xfffffff0");
	expect_guest_passed(r, "bystander", NULL);
}
