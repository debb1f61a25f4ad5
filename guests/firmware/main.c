/*
 * firmware - what the firmware tells an hvm guest about its machine, read
 * as an OS reads it: the ACPI RSDP found by scanning 0xe0000-0xfffff
 * (ACPI 6.5 5.2.5.1), the XSDT and every table's checksum, the MADT's
 * local APICs, IOAPIC and IRQ 0 override, the FADT's PM1 ports and the
 * DSDT's \_S5, the MP floating pointer (MP spec 4), and QEMU's fw_cfg
 * (signature, CPU count, RAM size, etc/e820), all checked against the
 * domain's config, which the command line repeats: cpus=N.
 */
#include <guests/lib/guest.h>
#include <inc/acpi.h>
#include <inc/fw_cfg.h>

#define BIOS_START 0xe0000
#define BIOS_END   0x100000
#define MP_START   0xf0000
#define PM_BASE	   0x600
#define IOAPIC_PA  0xfec00000u
#define E820_RAM   1

/* An entry of fw_cfg's etc/e820, as a BIOS's INT 15h E820h gives it. */
struct e820_entry {
	uint64_t addr, size;
	uint32_t type;
} __attribute__((packed));

static uint8_t sum(const void *p, size_t len)
{
	const uint8_t *s = p;
	uint8_t r = 0;

	while (len--)
		r += *s++;
	return r;
}

/* The first 16-byte aligned n-byte signature sig in [start, end), or NULL. */
static void *scan(uintptr_t start, uintptr_t end, const char *sig, size_t n)
{
	for (uintptr_t a = start; a < end; a += 16)
		if (memcmp((void *)a, sig, n) == 0)
			return (void *)a;
	return NULL;
}

static struct acpi_rsdp *find_rsdp(void)
{
	struct acpi_rsdp *r = scan(BIOS_START, BIOS_END, "RSD PTR ", 8);

	if (!report(r != NULL, "RSDP found in 0xe0000-0xfffff at %p", r))
		return NULL;
	report(sum(r, 20) == 0, "RSDP checksum");
	report(r->revision >= 2 && sum(r, r->length) == 0,
	       "RSDP revision %u, extended checksum", r->revision);
	return r;
}

/* The XSDT's table with signature sig, or NULL; checks each checksum. */
static void *xsdt_find(const struct acpi_header *x, const char *sig)
{
	unsigned n = (x->length - sizeof(*x)) / 8;

	for (unsigned i = 0; i < n; i++) {
		uint64_t a;

		memcpy(&a, (const uint8_t *)(x + 1) + 8 * i, 8);
		struct acpi_header *h = (void *)(uintptr_t)a;
		if (memcmp(h->signature, sig, 4) != 0)
			continue;
		report(sum(h, h->length) == 0, "%.4s checksum", sig);
		return h;
	}
	report(false, "XSDT names a %.4s", sig);
	return NULL;
}

static void check_madt(const struct acpi_madt *m, unsigned cpus)
{
	const uint8_t *p = (const uint8_t *)(m + 1);
	const uint8_t *end = (const uint8_t *)m + m->h.length;
	unsigned lapics = 0, ioapic = 0;
	bool irq0 = false;

	for (; p + 2 <= end && p[1] >= 2; p += p[1]) {
		const struct acpi_madt_ioapic *io = (const void *)p;
		const struct acpi_madt_override *o = (const void *)p;

		if (p[0] == ACPI_MADT_LAPIC)
			lapics++;
		if (p[0] == ACPI_MADT_IOAPIC)
			ioapic = io->address;
		if (p[0] == ACPI_MADT_OVERRIDE && o->source == 0)
			irq0 = o->gsi == 2;
	}
	report(p == end, "MADT entries fill the table");
	report_eq(lapics, cpus, "MADT: one local APIC per vcpu");
	report(ioapic == IOAPIC_PA, "MADT: the IOAPIC at 0x%x", ioapic);
	report(irq0, "MADT: ISA IRQ 0 arrives on GSI 2");
}

static void check_fadt(const struct acpi_fadt *f)
{
	const struct acpi_header *d = (void *)(uintptr_t)f->x_dsdt;

	report(f->pm1a_evt_blk == PM_BASE, "FADT: PM1a event block at 0x%x",
	       f->pm1a_evt_blk);
	report(f->pm1a_cnt_blk == PM_BASE + 4,
	       "FADT: PM1a control block at 0x%x", f->pm1a_cnt_blk);
	report(f->pm_tmr_blk == PM_BASE + 8, "FADT: PM timer at 0x%x",
	       f->pm_tmr_blk);
	report(f->x_pm1a_cnt_blk.address == PM_BASE + 4,
	       "FADT: X_PM1a_CNT_BLK at 0x%llx",
	       (unsigned long long)f->x_pm1a_cnt_blk.address);
	report_eq(f->sci_int, 9, "FADT: SCI on IRQ 9");
	report(memcmp(d->signature, "DSDT", 4) == 0 && sum(d, d->length) == 0,
	       "DSDT checksum");
	report(memcmp(d + 1, "\x08\\_S5_\x12", 7) == 0,
	       "DSDT: Name (\\_S5, Package");
}

static void check_mp(unsigned cpus)
{
	struct mp_floating *fp = scan(MP_START, BIOS_END, "_MP_", 4);
	struct mp_config *c;

	if (!report(fp && sum(fp, 16) == 0, "MP floating pointer, checksum"))
		return;
	c = (void *)(uintptr_t)fp->config;
	report(memcmp(c->signature, "PCMP", 4) == 0 && sum(c, c->length) == 0,
	       "MP configuration table checksum");
	report_eq(c->entry_count, cpus + 2 + 15 + 2, "MP table entries");
}

static void fw_cfg_get(uint16_t key, void *buf, size_t n)
{
	outw(FW_CFG_PORT_SEL, key);
	for (size_t i = 0; i < n; i++)
		((uint8_t *)buf)[i] = inb(FW_CFG_PORT_DATA);
}

/* etc/e820: RAM to the RAM size, the tables' area not RAM. */
static void check_e820(uint64_t ram, uintptr_t rsdp)
{
	uint8_t dir[4 + sizeof(struct fw_cfg_file)];
	struct fw_cfg_file f;
	struct e820_entry e[8];
	uint64_t ram_end = 0;
	unsigned n;
	bool tables_ram = false;

	fw_cfg_get(FW_CFG_FILE_DIR, dir, sizeof(dir));
	memcpy(&f, dir + 4, sizeof(f));
	n = __builtin_bswap32(f.size) / sizeof(e[0]);
	if (!report(strcmp(f.name, "etc/e820") == 0 && n >= 2 &&
			    n <= ARRAY_SIZE(e),
		    "fw_cfg: etc/e820 of %u entries", n))
		return;
	fw_cfg_get(__builtin_bswap16(f.select), e, n * sizeof(e[0]));
	for (unsigned i = 0; i < n; i++) {
		if (e[i].type == E820_RAM)
			ram_end = MAX(ram_end, e[i].addr + e[i].size);
		if (e[i].type == E820_RAM && e[i].addr <= rsdp &&
		    rsdp < e[i].addr + e[i].size)
			tables_ram = true;
	}
	report_eq(ram_end, ram, "e820: RAM ends at the RAM size");
	report(!tables_ram, "e820: the ACPI tables are not RAM");
}

static void check_fw_cfg(unsigned cpus, uintptr_t rsdp)
{
	char sig[5] = { 0 };
	uint16_t n = 0;
	uint64_t ram = 0;

	fw_cfg_get(FW_CFG_SIGNATURE, sig, 4);
	report(strcmp(sig, "QEMU") == 0, "fw_cfg: signature \"%s\"", sig);
	fw_cfg_get(FW_CFG_NB_CPUS, &n, 2);
	report_eq(n, cpus, "fw_cfg: CPU count");
	fw_cfg_get(FW_CFG_RAM_SIZE, &ram, 8);
	report_eq(ram, guest_memory(), "fw_cfg: RAM size as Multiboot's");
	check_e820(ram, rsdp);
}

void main(void)
{
	unsigned cpus = cmdline_u64("cpus", 1);
	struct acpi_rsdp *r = find_rsdp();
	struct acpi_header *x;

	if (r) {
		x = (void *)(uintptr_t)r->xsdt;
		report(memcmp(x->signature, "XSDT", 4) == 0 &&
			       sum(x, x->length) == 0,
		       "XSDT checksum");
		struct acpi_madt *m = xsdt_find(x, "APIC");
		struct acpi_fadt *f = xsdt_find(x, "FACP");
		if (m)
			check_madt(m, cpus);
		if (f)
			check_fadt(f);
	}
	check_mp(cpus);
	check_fw_cfg(cpus, (uintptr_t)r);
}
