/*
 * acpi.h - the firmware tables of an hvm domain (kernel/load/acpi.c): the
 * ACPI tables and the MP table a PC BIOS leaves below 1 MiB, describing
 * the domain's vcpus and the devices of kernel/dev/platform.h.  Layouts:
 * inc/acpi.h.
 */
#ifndef KERNEL_LOAD_ACPI_H
#define KERNEL_LOAD_ACPI_H

#include <inc/types.h>
#include <kernel/dev/platform.h>

/*
 * Where the tables go: in the BIOS ROM segment, which both the ACPI RSDP
 * scan (ACPI 6.5 5.2.5.1: 0xe0000-0xfffff) and the MP floating pointer
 * scan (MP spec 4: 0xf0000-0xfffff) search.
 */
#define ACPI_TABLES_GPA	 (PLATFORM_TABLES + 0x10000)
#define ACPI_TABLES_SIZE 0x1000

_Static_assert(ACPI_TABLES_GPA + ACPI_TABLES_SIZE <= PLATFORM_HOLE_END,
	       "tables inside the BIOS area");

/*
 * Writes into buf (ACPI_TABLES_SIZE bytes, zeroed) the tables of a
 * machine with ncpus vcpus (1..CONFIG_VCPUS_MAX) as they must lie at
 * ACPI_TABLES_GPA: the RSDP first, the MP floating pointer, RSDT, XSDT,
 * FACS, FADT, DSDT, MADT and the MP configuration table.
 */
void acpi_build(uint8_t *buf, unsigned ncpus);

#endif
