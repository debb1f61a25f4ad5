/*
 * acpi.h - the firmware tables an hvm guest finds below 1 MiB, as the
 * hypervisor writes them (kernel/load/acpi.c) and guests read them:
 * ACPI 6.5 section 5.2 "ACPI System Description Tables" (5.2.5 RSDP,
 * 5.2.6 table header, 5.2.7 RSDT, 5.2.8 XSDT, 5.2.9 FADT, 5.2.10 FACS,
 * 5.2.12 MADT) and the Intel MultiProcessor Specification 1.4 chapter 4
 * "MP Configuration Table".  Every table sums to 0 over its length.
 */
#ifndef INC_ACPI_H
#define INC_ACPI_H

#include <inc/types.h>

/* 5.2.5.3 "Root System Description Pointer (RSDP) Structure". */
struct __attribute__((packed)) acpi_rsdp {
	char signature[8]; /* "RSD PTR " */
	uint8_t checksum;  /* of the first 20 bytes */
	char oem_id[6];
	uint8_t revision; /* 2: the XSDT fields are there */
	uint32_t rsdt;
	uint32_t length;
	uint64_t xsdt;
	uint8_t ext_checksum; /* of all 36 bytes */
	uint8_t reserved[3];
};

/* 5.2.6 "System Description Table Header". */
struct __attribute__((packed)) acpi_header {
	char signature[4];
	uint32_t length;
	uint8_t revision;
	uint8_t checksum;
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	char creator_id[4];
	uint32_t creator_revision;
};

/* 5.2.3.2 "Generic Address Structure". */
struct __attribute__((packed)) acpi_gas {
	uint8_t space; /* ACPI_GAS_IO */
	uint8_t bit_width;
	uint8_t bit_offset;
	uint8_t access_size; /* 1 byte, 2 word, 3 dword */
	uint64_t address;
};

#define ACPI_GAS_IO 1

/* 5.2.9 "Fixed ACPI Description Table (FADT)", revision 6. */
struct __attribute__((packed)) acpi_fadt {
	struct acpi_header h;
	uint32_t firmware_ctrl, dsdt;
	uint8_t reserved0, preferred_pm_profile;
	uint16_t sci_int;
	uint32_t smi_cmd; /* 0: always in ACPI mode */
	uint8_t acpi_enable, acpi_disable, s4bios_req, pstate_cnt;
	uint32_t pm1a_evt_blk, pm1b_evt_blk, pm1a_cnt_blk, pm1b_cnt_blk;
	uint32_t pm2_cnt_blk, pm_tmr_blk, gpe0_blk, gpe1_blk;
	uint8_t pm1_evt_len, pm1_cnt_len, pm2_cnt_len, pm_tmr_len;
	uint8_t gpe0_blk_len, gpe1_blk_len, gpe1_base, cst_cnt;
	uint16_t p_lvl2_lat, p_lvl3_lat, flush_size, flush_stride;
	uint8_t duty_offset, duty_width, day_alrm, mon_alrm, century;
	uint16_t iapc_boot_arch;
	uint8_t reserved1;
	uint32_t flags;
	struct acpi_gas reset_reg;
	uint8_t reset_value;
	uint16_t arm_boot_arch;
	uint8_t minor_version;
	uint64_t x_firmware_ctrl, x_dsdt;
	struct acpi_gas x_pm1a_evt_blk, x_pm1b_evt_blk, x_pm1a_cnt_blk;
	struct acpi_gas x_pm1b_cnt_blk, x_pm2_cnt_blk, x_pm_tmr_blk;
	struct acpi_gas x_gpe0_blk, x_gpe1_blk;
	struct acpi_gas sleep_control_reg, sleep_status_reg;
	uint64_t hypervisor_vendor_id;
};

/* Table 5.10 "Fixed ACPI Description Table Fixed Feature Flags". */
#define ACPI_FADT_WBINVD	(1u << 0)
#define ACPI_FADT_PROC_C1	(1u << 2)
#define ACPI_FADT_PWR_BUTTON	(1u << 4) /* no fixed power button */
#define ACPI_FADT_SLP_BUTTON	(1u << 5) /* no fixed sleep button */
#define ACPI_FADT_RESET_REG_SUP (1u << 10)
/* Table 5.11 "IA-PC Boot Architecture Flags". */
#define ACPI_BOOT_LEGACY_DEVICES (1u << 0)
#define ACPI_BOOT_8042		 (1u << 1)
#define ACPI_BOOT_NO_VGA	 (1u << 2)

/* 5.2.10 "Firmware ACPI Control Structure (FACS)": no checksum. */
struct __attribute__((packed)) acpi_facs {
	char signature[4]; /* "FACS" */
	uint32_t length;
	uint32_t hardware_signature, waking_vector, global_lock, flags;
	uint64_t x_waking_vector;
	uint8_t version, reserved0[3];
	uint32_t ospm_flags;
	uint8_t reserved1[24];
};

/* 5.2.12 "Multiple APIC Description Table (MADT)", then its entries. */
struct __attribute__((packed)) acpi_madt {
	struct acpi_header h;
	uint32_t lapic_address;
	uint32_t flags; /* ACPI_MADT_PCAT_COMPAT: 8259s present */
};

#define ACPI_MADT_PCAT_COMPAT 1u

/* 5.2.12.2-5.2.12.7: each entry starts with its type and length. */
enum acpi_madt_type {
	ACPI_MADT_LAPIC = 0,
	ACPI_MADT_IOAPIC = 1,
	ACPI_MADT_OVERRIDE = 2,
	ACPI_MADT_LAPIC_NMI = 4,
};

struct __attribute__((packed)) acpi_madt_lapic {
	uint8_t type, length, processor_uid, apic_id;
	uint32_t flags; /* bit 0: enabled */
};

struct __attribute__((packed)) acpi_madt_ioapic {
	uint8_t type, length, id, reserved;
	uint32_t address, gsi_base;
};

struct __attribute__((packed)) acpi_madt_override {
	uint8_t type, length, bus, source;
	uint32_t gsi;
	uint16_t flags; /* ACPI_INTI_*, also the MP table's */
};

struct __attribute__((packed)) acpi_madt_lapic_nmi {
	uint8_t type, length, processor_uid; /* 0xff: all */
	uint16_t flags;
	uint8_t lint;
};

/* Table 5.26 "MPS INTI Flags" (the MP spec's table 4-10 is the same). */
#define ACPI_INTI_ACTIVE_HIGH 0x1
#define ACPI_INTI_LEVEL	      0xc

/* MP spec 4.1 "MP Floating Pointer Structure". */
struct __attribute__((packed)) mp_floating {
	char signature[4]; /* "_MP_" */
	uint32_t config;
	uint8_t length; /* in 16-byte units: 1 */
	uint8_t spec_rev, checksum;
	uint8_t feature[5]; /* feature[0] 0: a configuration table */
};

/* MP spec 4.2 "MP Configuration Table Header"; entries follow. */
struct __attribute__((packed)) mp_config {
	char signature[4]; /* "PCMP" */
	uint16_t length;
	uint8_t spec_rev, checksum;
	char oem_id[8], product_id[12];
	uint32_t oem_table;
	uint16_t oem_table_size, entry_count;
	uint32_t lapic_address;
	uint16_t ext_length;
	uint8_t ext_checksum, reserved;
};

/* MP spec 4.3 "Base MP Configuration Table Entries". */
enum mp_entry_type {
	MP_PROCESSOR = 0,
	MP_BUS = 1,
	MP_IOAPIC = 2,
	MP_IOINT = 3,
	MP_LINT = 4,
};

struct __attribute__((packed)) mp_processor {
	uint8_t type, apic_id, apic_version, flags; /* bit 0 EN, 1 BP */
	uint32_t signature, features;
	uint32_t reserved[2];
};

struct __attribute__((packed)) mp_bus {
	uint8_t type, id;
	char name[6]; /* "ISA   " */
};

struct __attribute__((packed)) mp_ioapic {
	uint8_t type, id, version, flags; /* bit 0 EN */
	uint32_t address;
};

/* An I/O (MP_IOINT) or local (MP_LINT) interrupt assignment. */
struct __attribute__((packed)) mp_irq {
	uint8_t type, irq_type; /* MP_IRQ_* */
	uint16_t flags;		/* ACPI_INTI_* */
	uint8_t bus, bus_irq, apic_id, pin;
};

#define MP_IRQ_INT    0
#define MP_IRQ_NMI    1
#define MP_IRQ_EXTINT 3

_Static_assert(sizeof(struct acpi_rsdp) == 36, "RSDP");
_Static_assert(sizeof(struct acpi_header) == 36, "SDT header");
_Static_assert(sizeof(struct acpi_fadt) == 276, "FADT revision 6");
_Static_assert(__builtin_offsetof(struct acpi_fadt, flags) == 112, "FADT");
_Static_assert(__builtin_offsetof(struct acpi_fadt, x_dsdt) == 140, "FADT");
_Static_assert(sizeof(struct acpi_facs) == 64, "FACS");
_Static_assert(sizeof(struct acpi_madt_override) == 10, "MADT override");
_Static_assert(sizeof(struct acpi_madt_lapic_nmi) == 6, "MADT NMI");
_Static_assert(sizeof(struct mp_floating) == 16, "MP floating pointer");
_Static_assert(sizeof(struct mp_config) == 44, "MP configuration header");
_Static_assert(sizeof(struct mp_processor) == 20, "MP processor entry");

#endif
