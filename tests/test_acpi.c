/*
 * test_acpi.c - kernel/load/acpi.c: the firmware tables built into a
 * buffer and read back the way an OS finds them (ACPI 6.5 chapter 5, MP
 * spec 1.4 chapter 4): from the RSDP through the XSDT and the RSDT, every
 * checksum, the MADT against the vcpu count, the FADT against
 * kernel/dev/platform.h, the DSDT's \_S5 parsed as AML, and the MP table.
 */
#include <criterion/criterion.h>
#include <string.h>
#include <inc/acpi.h>
#include <kernel/load/acpi.h>
#include <kernel/load/config.h>

static uint8_t buf[ACPI_TABLES_SIZE];

static void build(unsigned ncpus)
{
	memset(buf, 0, sizeof(buf));
	acpi_build(buf, ncpus);
}

/* The table at guest-physical gpa, checked to lie in the buffer. */
static void *at(uint64_t gpa, size_t len)
{
	cr_assert(gpa >= ACPI_TABLES_GPA &&
			  gpa + len <= ACPI_TABLES_GPA + ACPI_TABLES_SIZE,
		  "0x%llx outside the tables", (unsigned long long)gpa);
	return buf + (gpa - ACPI_TABLES_GPA);
}

static uint8_t sum(const void *p, size_t len)
{
	const uint8_t *s = p;
	uint8_t r = 0;

	while (len--)
		r += *s++;
	return r;
}

/* The table at gpa with signature sig, its checksum checked. */
static void *table(uint64_t gpa, const char *sig)
{
	struct acpi_header *h = at(gpa, sizeof(*h));

	cr_assert_eq(memcmp(h->signature, sig, 4), 0, "%s", sig);
	at(gpa, h->length);
	cr_expect_eq(sum(h, h->length), 0, "%s checksum", sig);
	return h;
}

static struct acpi_rsdp *rsdp(void)
{
	return (struct acpi_rsdp *)buf;
}

/* The table of signature sig the XSDT names (and the RSDT, the same). */
static void *find(const char *sig)
{
	struct acpi_header *x = table(rsdp()->xsdt, "XSDT");
	struct acpi_header *r = table(rsdp()->rsdt, "RSDT");
	unsigned n = (x->length - sizeof(*x)) / 8;

	cr_assert_eq((r->length - sizeof(*r)) / 4, n, "RSDT and XSDT agree");
	for (unsigned i = 0; i < n; i++) {
		uint64_t a;
		uint32_t a32;

		memcpy(&a, (uint8_t *)(x + 1) + 8 * i, 8);
		memcpy(&a32, (uint8_t *)(r + 1) + 4 * i, 4);
		cr_assert_eq(a, a32, "RSDT and XSDT agree");
		if (memcmp(at(a, 4), sig, 4) == 0)
			return table(a, sig);
	}
	cr_assert_fail("no %s", sig);
	return NULL;
}

Test(acpi, rsdp)
{
	build(1);
	cr_expect_eq(ACPI_TABLES_GPA % 16, 0, "16-byte aligned for the scan");
	cr_expect(ACPI_TABLES_GPA >= 0xe0000 && ACPI_TABLES_GPA < 0x100000);
	cr_expect_eq(memcmp(rsdp()->signature, "RSD PTR ", 8), 0);
	cr_expect_eq(rsdp()->revision, 2);
	cr_expect_eq(rsdp()->length, 36);
	cr_expect_eq(sum(rsdp(), 20), 0, "ACPI 1.0 checksum");
	cr_expect_eq(sum(rsdp(), 36), 0, "extended checksum");
	table(rsdp()->xsdt, "XSDT");
	table(rsdp()->rsdt, "RSDT");
}

Test(acpi, fadt_ports)
{
	build(1);
	struct acpi_fadt *f = find("FACP");

	cr_expect_eq(f->h.length, sizeof(*f));
	cr_expect_eq(f->h.revision, 6);
	cr_expect_eq(f->sci_int, PLATFORM_IRQ_SCI);
	cr_expect_eq(f->smi_cmd, 0, "always in ACPI mode");
	cr_expect_eq(f->pm1a_evt_blk, PLATFORM_PM1_EVT);
	cr_expect_eq(f->pm1a_cnt_blk, PLATFORM_PM1_CNT);
	cr_expect_eq(f->pm_tmr_blk, PLATFORM_PM_TMR);
	cr_expect_eq(f->pm1_evt_len, 4);
	cr_expect_eq(f->pm1_cnt_len, 2);
	cr_expect_eq(f->pm_tmr_len, 4);
	cr_expect_eq(f->x_pm1a_evt_blk.address, PLATFORM_PM1_EVT);
	cr_expect_eq(f->x_pm1a_evt_blk.space, ACPI_GAS_IO);
	cr_expect_eq(f->x_pm1a_cnt_blk.address, PLATFORM_PM1_CNT);
	cr_expect_eq(f->x_pm1a_cnt_blk.bit_width, 16);
	cr_expect_eq(f->x_pm_tmr_blk.address, PLATFORM_PM_TMR);
	cr_expect_eq(f->flags & (1u << 8), 0, "TMR_VAL_EXT: a 24-bit timer");
	cr_expect_eq(f->iapc_boot_arch & ACPI_BOOT_8042, 0, "no 8042");
	cr_expect(f->flags & ACPI_FADT_RESET_REG_SUP);
	cr_expect_eq(f->reset_reg.address, PLATFORM_RESET_CF9);
	cr_expect_eq(f->reset_value, PLATFORM_RESET_HARD);
	cr_expect_eq(f->x_dsdt, f->dsdt);
	table(f->dsdt, "DSDT");
	struct acpi_facs *facs = at(f->firmware_ctrl, sizeof(*facs));
	cr_expect_eq(memcmp(facs->signature, "FACS", 4), 0);
	cr_expect_eq(facs->length, 64);
	cr_expect_eq(f->firmware_ctrl % 64, 0, "FACS 64-byte aligned");
}

/* MADT entries of type t, checking that the entries fill the table. */
static unsigned madt_count(struct acpi_madt *m, uint8_t t, void **first)
{
	uint8_t *p = (uint8_t *)(m + 1), *end = (uint8_t *)m + m->h.length;
	unsigned n = 0;

	for (; p < end; p += p[1]) {
		cr_assert(p[1] >= 2 && p + p[1] <= end, "entry length");
		if (p[0] == t && n++ == 0 && first)
			*first = p;
	}
	cr_assert_eq(p, end, "entries end with the table");
	return n;
}

Test(acpi, madt)
{
	for (unsigned ncpus = 1; ncpus <= CONFIG_VCPUS_MAX; ncpus++) {
		build(ncpus);
		struct acpi_madt *m = find("APIC");
		struct acpi_madt_lapic *l;

		cr_expect_eq(madt_count(m, ACPI_MADT_LAPIC, (void **)&l), ncpus,
			     "one local APIC per vcpu");
		for (unsigned i = 0; i < ncpus; i++)
			cr_expect(l[i].apic_id == i && l[i].flags == 1,
				  "vcpu %u enabled, APIC ID %u", i, i);
		cr_expect_eq(m->lapic_address, 0xfee00000);
		cr_expect_eq(m->flags, ACPI_MADT_PCAT_COMPAT);
	}
	build(2);
	struct acpi_madt *m = find("APIC");
	struct acpi_madt_ioapic *io;
	struct acpi_madt_override *o;
	struct acpi_madt_lapic_nmi *nmi;

	cr_assert_eq(madt_count(m, ACPI_MADT_IOAPIC, (void **)&io), 1);
	cr_expect_eq(io->address, PLATFORM_IOAPIC_BASE);
	cr_expect_eq(io->gsi_base, 0);
	cr_assert_eq(madt_count(m, ACPI_MADT_OVERRIDE, (void **)&o), 2);
	cr_expect(o[0].bus == 0 && o[0].source == 0 && o[0].gsi == 2 &&
			  o[0].flags == 0,
		  "ISA IRQ 0 -> GSI 2, conforming");
	cr_expect(o[1].source == 9 && o[1].gsi == 9 && o[1].flags == 0xd,
		  "SCI: level, active high");
	cr_assert_eq(madt_count(m, ACPI_MADT_LAPIC_NMI, (void **)&nmi), 1);
	cr_expect(nmi->processor_uid == 0xff && nmi->lint == 1, "NMI on LINT1");
}

/* One AML integer constant (ACPI 6.5 20.2.3 "Data Objects Encoding"). */
static uint64_t aml_int(const uint8_t **p)
{
	uint8_t op = *(*p)++;

	switch (op) {
	case 0x00: return 0;
	case 0x01: return 1;
	case 0x0a: return *(*p)++;
	case 0x0b: *p += 2; return (*p)[-2] | (*p)[-1] << 8;
	}
	cr_assert_fail("AML opcode 0x%02x is no integer", op);
	return 0;
}

Test(acpi, dsdt_s5)
{
	build(1);
	struct acpi_fadt *f = find("FACP");
	struct acpi_header *d = table(f->dsdt, "DSDT");
	const uint8_t *p = (const uint8_t *)(d + 1), *end;

	cr_expect_eq(d->revision, 2);
	cr_assert_eq(*p++, 0x08, "NameOp");
	cr_assert_eq(memcmp(p, "\\_S5_", 5), 0, "\\_S5");
	p += 5;
	cr_assert_eq(*p++, 0x12, "PackageOp");
	cr_assert_eq(*p >> 6, 0, "one-byte PkgLength");
	end = p + (*p & 0x3f);
	p++;
	uint8_t n = *p++;
	cr_assert(n >= 2, "SLP_TYPa and SLP_TYPb");
	cr_expect_eq(aml_int(&p), PLATFORM_SLP_TYP_S5, "SLP_TYPa");
	cr_expect_eq(aml_int(&p), PLATFORM_SLP_TYP_S5, "SLP_TYPb");
	for (unsigned i = 2; i < n; i++)
		aml_int(&p);
	cr_expect_eq(p, end, "the package ends where PkgLength says");
	cr_expect_eq(p, (uint8_t *)d + d->length, "the AML ends the table");
}

Test(acpi, mp_table)
{
	for (unsigned ncpus = 1; ncpus <= CONFIG_VCPUS_MAX; ncpus += 7) {
		build(ncpus);
		struct mp_floating *fp = at(ACPI_TABLES_GPA + 48, sizeof(*fp));
		uint64_t gpa = ACPI_TABLES_GPA + ((uint8_t *)fp - buf);

		cr_assert_eq(memcmp(fp->signature, "_MP_", 4), 0);
		cr_expect(gpa >= 0xf0000 && gpa % 16 == 0, "where MP scans");
		cr_expect_eq(fp->length, 1);
		cr_expect_eq(fp->spec_rev, 4);
		cr_expect_eq(sum(fp, 16), 0, "floating pointer checksum");
		struct mp_config *c = at(fp->config, sizeof(*c));
		cr_assert_eq(memcmp(c->signature, "PCMP", 4), 0);
		at(fp->config, c->length);
		cr_expect_eq(sum(c, c->length), 0, "configuration checksum");

		uint8_t *p = (uint8_t *)(c + 1),
			*end = (uint8_t *)c + c->length;
		unsigned cpus = 0, ints = 0;
		for (unsigned i = 0; i < c->entry_count; i++) {
			cr_assert(p < end);
			if (*p == MP_PROCESSOR) {
				struct mp_processor *e = (void *)p;
				cr_expect(e->apic_id == cpus &&
					  (e->flags & 2) == (cpus == 0) * 2);
				cpus++;
			} else if (*p == MP_IOINT) {
				struct mp_irq *e = (void *)p;
				cr_expect_neq(e->bus_irq, 2,
					      "IRQ 2: the cascade");
				if (e->bus_irq == 0)
					cr_expect_eq(e->pin, 2,
						     "IRQ 0 on pin 2");
				ints++;
			}
			p += *p == MP_PROCESSOR ? 20 : 8;
		}
		cr_expect_eq(p, end, "entries fill the table");
		cr_expect_eq(cpus, ncpus);
		cr_expect_eq(ints, 15);
	}
}
