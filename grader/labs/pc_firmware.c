/*
 * pc_firmware.c - the firmware an hvm domain sees (kernel/load/acpi.c,
 * kernel/dev/fw_cfg.c, kernel/load/e820.c): guests/firmware finds the
 * RSDP by scanning the BIOS area, walks the XSDT, parses the MADT and the
 * FADT, finds the MP table, and reads fw_cfg, all checked against its
 * config; once with 1 vcpu, once with 2 (the APs need not run), and a
 * flat image that would overwrite the tables is refused.  The host unit
 * tests: tests/test_acpi.c, tests/test_fw_cfg.c.  Points: pc.points.
 *
 * Bugs these tests catch, bug: the tests that fail:
 *   a table checksum off by one (acpi_seal): firmware_acpi
 *   one local APIC for every domain (acpi_madt): firmware_two_vcpus
 *   fw_cfg's CPU count fixed at 1: firmware_two_vcpus
 *   the selector not rewinding (fw_cfg_select): firmware_fw_cfg
 *   the loader ignoring the tables' area: firmware_refused
 */
#include <criterion/criterion.h>
#include "../grader.h"

#define FIRMWARE(name, cpus, mem)                                         \
	{                                                                 \
		name, "name   = \"" name "\"\n"                           \
		      "kernel = \"guests/firmware.elf\"\n"                \
		      "extra  = \"cpus=" #cpus "\"\nvcpus  = " #cpus "\n" \
		      "memory = " #mem "\n"                               \
	}

static const struct hv_cfg firmware = {
	.needs_virt = 1,
	.domains = {
		FIRMWARE("fw1", 1, 16),
		FIRMWARE("fw2", 2, 24),
		{ "badfw", "name        = \"badfw\"\nkernel      = \"guests/real.bin\"\n"
			   "kernel_addr = 0xf0000\nboot_mode   = \"real\"\n"
			   "memory      = 4\n" },
	},
};

Test(pc, firmware_acpi, .timeout = 900)
{
	static const char *const passes[] = {
		"RSDP found in 0xe0000-0xfffff",
		"RSDP checksum",
		"RSDP revision 2, extended checksum",
		"XSDT checksum",
		"APIC checksum",
		"FACP checksum",
		"MADT: one local APIC per vcpu",
		"MADT: the IOAPIC at 0xfec00000",
		"MADT: ISA IRQ 0 arrives on GSI 2",
		"FADT: PM1a event block at 0x600",
		"FADT: PM1a control block at 0x604",
		"FADT: PM timer at 0x608",
		"DSDT checksum",
		"DSDT: Name (\\_S5, Package",
		"MP floating pointer, checksum",
		"MP configuration table checksum",
		NULL
	};

	expect_guest_passed(hv_boot_group("firmware", &firmware), "fw1",
			    passes);
}

Test(pc, firmware_fw_cfg, .timeout = 900)
{
	static const char *const passes[] = {
		"fw_cfg: signature \"QEMU\"",
		"fw_cfg: CPU count",
		"fw_cfg: RAM size as Multiboot's",
		"fw_cfg: etc/e820",
		"e820: RAM ends at the RAM size",
		"e820: the ACPI tables are not RAM",
		NULL
	};

	expect_guest_passed(hv_boot_group("firmware", &firmware), "fw1",
			    passes);
}

Test(pc, firmware_two_vcpus, .timeout = 900)
{
	static const char *const passes[] = { "MADT: one local APIC per vcpu",
					      "MP table entries",
					      "fw_cfg: CPU count", NULL };

	expect_guest_passed(hv_boot_group("firmware", &firmware), "fw2",
			    passes);
}

Test(pc, firmware_refused, .timeout = 900)
{
	struct hv_run *r = hv_boot_group("firmware", &firmware);

	expect_output(r, "flat image [0xf0000, 0xf0200) overlaps the "
			 "firmware tables [0xe0000, 0x100000)");
	expect_crash_with(r, "badfw", "failed to start");
	expect_guest_passed(r, "fw1", NULL);
}
