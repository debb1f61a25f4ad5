/*
 * acpi.c - the firmware tables of an hvm domain (kernel/load/acpi.h): what
 * a PC BIOS tells the OS about its machine, ACPI 6.5 chapter 5 and the MP
 * spec 1.4 as a fallback.  image_load writes them for every hvm domain.
 *
 *   RSDP  (5.2.5)  revision 2, both checksums, naming the RSDT and XSDT
 *   RSDT, XSDT (5.2.7, 5.2.8)  the FADT and the MADT
 *   FADT  (5.2.9)  PM1a event and control blocks and the PM timer at
 *                  platform.h's ports, SCI on IRQ 9, always in ACPI mode
 *                  (SMI_CMD 0), reset through 0xcf9, no 8042, no VGA
 *   FACS  (5.2.10) no waking vector, no global lock owner
 *   DSDT  (5.2.11.1) only \_S5 (7.4.2.6), for power-off
 *   MADT  (5.2.12) a local APIC per vcpu (APIC ID = vcpu index), the
 *                  IOAPIC with GSI base 0, ISA IRQ 0 -> GSI 2 and the SCI
 *                  level-triggered active-high (as QEMU's), NMI on LINT1
 *   MP    (MP spec 4) the same machine: processors, bus ISA, the IOAPIC,
 *                  ISA IRQs to its pins, ExtINT on LINT0 and NMI on LINT1
 */
#include <inc/acpi.h>
#include <inc/apic.h>
#include <inc/string.h>
#include <kernel/load/acpi.h>
#include <kernel/load/config.h>

#define OEM_ID		  "HVLAB "
#define OEM_TABLE_ID	  "HVLABPC "
#define IOAPIC_ID	  0    /* its ID register after reset, as QEMU's */
#define IOAPIC_VERSION	  0x11 /* the 82093AA's */
#define LAPIC_VERSION	  0x14
#define ISA_IRQS	  16
#define SCI_FLAGS	  (ACPI_INTI_LEVEL | ACPI_INTI_ACTIVE_HIGH)
#define MP_CPU_SIGNATURE  0x600 /* family 6 */
#define MP_CPU_FEATURES	  0x201 /* CPUID.1:EDX FPU and APIC */
#define ACPI_MADT_ENABLED 1u
#define MP_CPU_EN	  1u
#define MP_CPU_BP	  2u

/* The tables laid out so far: buf[0..used) goes to ACPI_TABLES_GPA. */
struct acpi_buf {
	uint8_t *buf;
	size_t used;
};

/*
 * DefinitionBlock ("", "DSDT", 2, "HVLAB", "HVLABPC", 1)
 * {
 *     Name (\_S5, Package () { 5, 5, 0, 0 })  // PLATFORM_SLP_TYP_S5
 * }
 * in AML (ACPI 6.5 20.2.5 "Term Objects Encoding"): NameOp, the name,
 * PackageOp, PkgLength (its own byte to the end), NumElements, then
 * BytePrefix constants for SLP_TYPa and SLP_TYPb and two ZeroOps.
 */
/* clang-format off */
static const uint8_t dsdt_aml[] = {
	0x08, '\\', '_', 'S', '5', '_',	/* NameOp "\_S5_" */
	0x12, 0x08, 0x04,		/* PackageOp PkgLength NumElements */
	0x0a, PLATFORM_SLP_TYP_S5,	/* BytePrefix SLP_TYPa */
	0x0a, PLATFORM_SLP_TYP_S5,	/* BytePrefix SLP_TYPb */
	0x00, 0x00,			/* ZeroOp ZeroOp: reserved */
};
/* clang-format on */

/* The byte that makes the sum of p[0..len) plus it 0 (mod 256). */
static uint8_t acpi_checksum(const void *p, size_t len)
{
	const uint8_t *s = p;
	uint8_t sum = 0;

	while (len--)
		sum += *s++;
	return (uint8_t)-sum;
}

/* size bytes at the next multiple of align; the buffer came zeroed. */
static void *acpi_alloc(struct acpi_buf *b, size_t size, size_t align)
{
	void *p;

	b->used = ROUNDUP(b->used, align);
	p = b->buf + b->used;
	b->used += size;
	return p;
}

/* The guest-physical address p will have. */
static uint32_t acpi_gpa(const struct acpi_buf *b, const void *p)
{
	return ACPI_TABLES_GPA + (uint32_t)((const uint8_t *)p - b->buf);
}

/* A table with its header filled in but for length and checksum. */
static void *acpi_table(struct acpi_buf *b, const char *sig, size_t size,
			uint8_t revision)
{
	struct acpi_header *h = acpi_alloc(b, size, 16);

	memcpy(h->signature, sig, 4);
	h->revision = revision;
	memcpy(h->oem_id, OEM_ID, 6);
	memcpy(h->oem_table_id, OEM_TABLE_ID, 8);
	h->oem_revision = 1;
	memcpy(h->creator_id, "HVLB", 4);
	h->creator_revision = 1;
	return h;
}

/* Ends table h where the buffer ends; returns its address. */
static uint32_t acpi_seal(struct acpi_buf *b, struct acpi_header *h)
{
	h->length = (uint32_t)(b->buf + b->used - (uint8_t *)h);
	h->checksum = acpi_checksum(h, h->length);
	return acpi_gpa(b, h);
}

static struct acpi_gas acpi_io(uint16_t port, uint8_t bytes, uint8_t access)
{
	return (struct acpi_gas){ ACPI_GAS_IO, bytes * 8, 0, access, port };
}

static uint32_t acpi_dsdt(struct acpi_buf *b)
{
	struct acpi_header *h = acpi_table(b, "DSDT", sizeof(*h), 2);

	memcpy(acpi_alloc(b, sizeof(dsdt_aml), 1), dsdt_aml, sizeof(dsdt_aml));
	return acpi_seal(b, h);
}

static uint32_t acpi_facs(struct acpi_buf *b)
{
	struct acpi_facs *f = acpi_alloc(b, sizeof(*f), 64);

	memcpy(f->signature, "FACS", 4);
	f->length = sizeof(*f);
	f->version = 2;
	return acpi_gpa(b, f);
}

static uint32_t acpi_fadt(struct acpi_buf *b)
{
	uint32_t facs = acpi_facs(b), dsdt = acpi_dsdt(b);
	struct acpi_fadt *f = acpi_table(b, "FACP", sizeof(*f), 6);

	f->firmware_ctrl = facs;
	f->dsdt = dsdt;
	f->x_dsdt = dsdt;
	f->sci_int = PLATFORM_IRQ_SCI;
	f->century = 0x32; /* the RTC's century byte (kernel/dev/rtc.c) */
	f->pm1a_evt_blk = PLATFORM_PM1_EVT;
	f->pm1a_cnt_blk = PLATFORM_PM1_CNT;
	f->pm_tmr_blk = PLATFORM_PM_TMR;
	f->pm1_evt_len = 4;
	f->pm1_cnt_len = 2;
	f->pm_tmr_len = 4;
	f->x_pm1a_evt_blk = acpi_io(PLATFORM_PM1_EVT, 4, 2);
	f->x_pm1a_cnt_blk = acpi_io(PLATFORM_PM1_CNT, 2, 2);
	f->x_pm_tmr_blk = acpi_io(PLATFORM_PM_TMR, 4, 3);
	/* 5.2.9: latencies above 100 and 1000 us mean no C2 and no C3. */
	f->p_lvl2_lat = 101;
	f->p_lvl3_lat = 1001;
	f->iapc_boot_arch = ACPI_BOOT_LEGACY_DEVICES | ACPI_BOOT_NO_VGA;
	f->flags = ACPI_FADT_WBINVD | ACPI_FADT_PROC_C1 | ACPI_FADT_PWR_BUTTON |
		   ACPI_FADT_SLP_BUTTON | ACPI_FADT_RESET_REG_SUP;
	f->reset_reg = acpi_io(PLATFORM_RESET_CF9, 1, 1);
	f->reset_value = PLATFORM_RESET_HARD;
	f->minor_version = 5;
	return acpi_seal(b, &f->h);
}

static void acpi_override(struct acpi_buf *b, uint8_t irq, uint32_t gsi,
			  uint16_t flags)
{
	struct acpi_madt_override *o = acpi_alloc(b, sizeof(*o), 1);

	*o = (struct acpi_madt_override){
		ACPI_MADT_OVERRIDE, sizeof(*o), 0, irq, gsi, flags
	};
}

static uint32_t acpi_madt(struct acpi_buf *b, unsigned ncpus)
{
	struct acpi_madt *m = acpi_table(b, "APIC", sizeof(*m), 5);
	struct acpi_madt_ioapic *io;
	struct acpi_madt_lapic_nmi *nmi;

	m->lapic_address = APIC_DEFAULT_PA;
	m->flags = ACPI_MADT_PCAT_COMPAT;
	for (unsigned i = 0; i < ncpus; i++) {
		struct acpi_madt_lapic *l = acpi_alloc(b, sizeof(*l), 1);

		*l = (struct acpi_madt_lapic){ ACPI_MADT_LAPIC, sizeof(*l), i,
					       i, ACPI_MADT_ENABLED };
	}
	io = acpi_alloc(b, sizeof(*io), 1);
	*io = (struct acpi_madt_ioapic){ ACPI_MADT_IOAPIC,
					 sizeof(*io),
					 IOAPIC_ID,
					 0,
					 PLATFORM_IOAPIC_BASE,
					 0 };
	acpi_override(b, PLATFORM_IRQ_PIT, PLATFORM_GSI_PIT, 0);
	acpi_override(b, PLATFORM_IRQ_SCI, PLATFORM_IRQ_SCI, SCI_FLAGS);
	nmi = acpi_alloc(b, sizeof(*nmi), 1);
	*nmi = (struct acpi_madt_lapic_nmi){ ACPI_MADT_LAPIC_NMI, sizeof(*nmi),
					     0xff, 0, 1 };
	return acpi_seal(b, &m->h);
}

/* RSDT and XSDT, each naming the FADT and the MADT. */
static void acpi_rsdp(struct acpi_buf *b, struct acpi_rsdp *p,
		      const uint32_t *tables, unsigned n)
{
	struct acpi_header *rsdt = acpi_table(b, "RSDT", sizeof(*rsdt), 1);
	struct acpi_header *xsdt;

	for (unsigned i = 0; i < n; i++)
		*(uint32_t *)acpi_alloc(b, 4, 1) = tables[i];
	p->rsdt = acpi_seal(b, rsdt);
	xsdt = acpi_table(b, "XSDT", sizeof(*xsdt), 1);
	for (unsigned i = 0; i < n; i++)
		memcpy(acpi_alloc(b, 8, 1), &(uint64_t){ tables[i] }, 8);
	p->xsdt = acpi_seal(b, xsdt);
	memcpy(p->signature, "RSD PTR ", 8);
	memcpy(p->oem_id, OEM_ID, 6);
	p->revision = 2;
	p->length = sizeof(*p);
	p->checksum = acpi_checksum(p, 20);
	p->ext_checksum = acpi_checksum(p, sizeof(*p));
}

/* An entry of MP configuration table c. */
static void *mp_entry(struct acpi_buf *b, struct mp_config *c, size_t size)
{
	c->entry_count++;
	return acpi_alloc(b, size, 1);
}

static void mp_irq(struct acpi_buf *b, struct mp_config *c, struct mp_irq e)
{
	*(struct mp_irq *)mp_entry(b, c, sizeof(e)) = e;
}

static uint32_t mp_config(struct acpi_buf *b, unsigned ncpus)
{
	struct mp_config *c = acpi_alloc(b, sizeof(*c), 16);
	struct mp_processor *p;

	memcpy(c->signature, "PCMP", 4);
	c->spec_rev = 4;
	memcpy(c->oem_id, "HVLAB   ", 8);
	memcpy(c->product_id, "PC          ", 12);
	c->lapic_address = APIC_DEFAULT_PA;
	for (unsigned i = 0; i < ncpus; i++) {
		p = mp_entry(b, c, sizeof(*p));
		*p = (struct mp_processor){
			MP_PROCESSOR,	  i,
			LAPIC_VERSION,	  MP_CPU_EN | (i == 0 ? MP_CPU_BP : 0),
			MP_CPU_SIGNATURE, MP_CPU_FEATURES,
			{ 0, 0 }
		};
	}
	*(struct mp_bus *)mp_entry(b, c, sizeof(struct mp_bus)) =
		(struct mp_bus){ MP_BUS, 0, "ISA   " };
	*(struct mp_ioapic *)mp_entry(b, c, sizeof(struct mp_ioapic)) =
		(struct mp_ioapic){ MP_IOAPIC, IOAPIC_ID, IOAPIC_VERSION, 1,
				    PLATFORM_IOAPIC_BASE };
	/* ISA IRQ n on pin n, but IRQ 0 on pin 2 and IRQ 2 (the cascade) nowhere. */
	for (uint8_t irq = 0; irq < ISA_IRQS; irq++) {
		uint16_t flags = irq == PLATFORM_IRQ_SCI ? SCI_FLAGS : 0;
		uint8_t pin = irq == PLATFORM_IRQ_PIT ? PLATFORM_GSI_PIT : irq;

		if (irq != PLATFORM_GSI_PIT)
			mp_irq(b, c,
			       (struct mp_irq){ MP_IOINT, MP_IRQ_INT, flags, 0,
						irq, IOAPIC_ID, pin });
	}
	mp_irq(b, c,
	       (struct mp_irq){ MP_LINT, MP_IRQ_EXTINT, 0, 0, 0, 0xff, 0 });
	mp_irq(b, c, (struct mp_irq){ MP_LINT, MP_IRQ_NMI, 0, 0, 0, 0xff, 1 });
	c->length = (uint16_t)(b->buf + b->used - (uint8_t *)c);
	c->checksum = acpi_checksum(c, c->length);
	return acpi_gpa(b, c);
}

void acpi_build(uint8_t *buf, unsigned ncpus)
{
	struct acpi_buf b = { buf, 0 };
	struct acpi_rsdp *rsdp = acpi_alloc(&b, sizeof(*rsdp), 16);
	struct mp_floating *mp = acpi_alloc(&b, sizeof(*mp), 16);
	uint32_t tables[2];

	tables[0] = acpi_fadt(&b);
	tables[1] = acpi_madt(&b, ncpus);
	acpi_rsdp(&b, rsdp, tables, 2);
	memcpy(mp->signature, "_MP_", 4);
	mp->config = mp_config(&b, ncpus);
	mp->length = 1;
	mp->spec_rev = 4;
	mp->checksum = acpi_checksum(mp, sizeof(*mp));
}

/* The most the tables take, with CONFIG_VCPUS_MAX vcpus and alignment. */
_Static_assert(16 * 9 + sizeof(struct acpi_rsdp) + sizeof(struct mp_floating) +
			       2 * sizeof(struct acpi_header) + 12 + 64 +
			       sizeof(struct acpi_fadt) +
			       sizeof(struct acpi_header) + sizeof(dsdt_aml) +
			       sizeof(struct acpi_madt) + 12 + 20 + 6 +
			       CONFIG_VCPUS_MAX * (8 + 20) +
			       sizeof(struct mp_config) + 8 + 8 +
			       (ISA_IRQS + 1) * 8 <=
		       ACPI_TABLES_SIZE,
	       "the tables fit ACPI_TABLES_SIZE");
