/*
 * test_fw_cfg.c - kernel/dev/fw_cfg.c on the host, through its port
 * handler as a guest reaches it (QEMU's docs/specs/fw_cfg.rst): the
 * signature and ID, the CPU count and RAM size, the file directory and
 * etc/e820, reads past an item's end, and the selector rewinding.
 */
#include <criterion/criterion.h>
#include <string.h>
#include <inc/fw_cfg.h>
#include <kernel/domain.h>
#include <kernel/dev/fw_cfg.h>
#include <kernel/dev/platform.h>

static struct domain dom;
static struct domain_config cfg;
static io_fn handler;
static uint16_t handler_base;
static uint32_t handler_len;

int io_register_port(struct domain *d, uint16_t base, uint32_t len, io_fn fn,
		     void *opaque, const char *name)
{
	handler = fn;
	handler_base = base;
	handler_len = len;
	return 0;
}

static void setup(void)
{
	memset(&dom, 0, sizeof(dom));
	memset(&cfg, 0, sizeof(cfg));
	dom.config = &cfg;
	dom.nvcpus = 2;
	dom.p2m.nframes = (16 * MiB) >> 12;
	cr_assert_eq(fw_cfg_init(&dom), 0);
}

static void port_out(uint16_t port, unsigned size, uint64_t v)
{
	cr_assert_eq(handler(&dom, NULL, port, size, true, &v), 0);
}

static uint64_t port_in(uint16_t port, unsigned size)
{
	uint64_t v = ~0ULL;

	cr_assert_eq(handler(&dom, NULL, port, size, false, &v), 0);
	return v;
}

/* Selects key and reads n bytes, as kvm-unit-tests' lib/x86/fwcfg.c does. */
static void get(uint16_t key, void *out, size_t n)
{
	uint8_t *p = out;

	port_out(FW_CFG_PORT_SEL, 2, key);
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)port_in(FW_CFG_PORT_DATA, 1);
}

TestSuite(fw_cfg, .init = setup);

Test(fw_cfg, ports)
{
	cr_expect_eq(handler_base, PLATFORM_FW_CFG);
	cr_expect_eq(handler_base, 0x510);
	cr_expect_eq(handler_len, 2);
}

Test(fw_cfg, signature_and_id)
{
	char sig[5] = { 0 };
	uint32_t id;

	get(FW_CFG_SIGNATURE, sig, 4);
	cr_expect_str_eq(sig, "QEMU");
	get(FW_CFG_ID, &id, 4);
	cr_expect_eq(id, FW_CFG_ID_TRADITIONAL, "no DMA bit");
}

Test(fw_cfg, cpus_and_ram)
{
	uint16_t n = 0, max = 0;
	uint64_t ram = 0;

	get(FW_CFG_NB_CPUS, &n, 2);
	get(FW_CFG_MAX_CPUS, &max, 2);
	get(FW_CFG_RAM_SIZE, &ram, 8);
	cr_expect_eq(n, 2);
	cr_expect_eq(max, 2);
	cr_expect_eq(ram, 16 * MiB);
	/* A p2m of 32 MiB: 16 of memory, then the platform device's BAR1. */
	cfg.xen_platform = true;
	dom.p2m.nframes = (16 * MiB + PLATFORM_XEN_MMIO_SIZE) >> 12;
	get(FW_CFG_RAM_SIZE, &ram, 8);
	cr_expect_eq(ram, 16 * MiB - 4096,
		     "the xenstore ring and BAR1 are no RAM");
}

/* The directory names etc/e820; that item is kernel/load/e820.c's map. */
Test(fw_cfg, directory_and_e820)
{
	uint8_t dir[4 + sizeof(struct fw_cfg_file)];
	struct fw_cfg_file f;
	struct e820_entry got[E820_MAX], want[E820_MAX];
	uint32_t count;
	int n = e820_build(16 * MiB, want);

	get(FW_CFG_FILE_DIR, dir, sizeof(dir));
	memcpy(&count, dir, 4);
	memcpy(&f, dir + 4, sizeof(f));
	cr_assert_eq(__builtin_bswap32(count), 1, "big-endian count");
	cr_expect_str_eq(f.name, "etc/e820");
	cr_expect_eq(__builtin_bswap32(f.size), n * sizeof(struct e820_entry));
	get(__builtin_bswap16(f.select), got, n * sizeof(got[0]));
	cr_expect_eq(memcmp(got, want, n * sizeof(got[0])), 0);
	cr_expect(n >= 2 && got[0].addr == 0 && got[0].type == E820_RAM);
	cr_expect(got[n - 1].addr + got[n - 1].size == 16 * MiB &&
			  got[n - 1].type == E820_RAM,
		  "RAM to the end");
	for (int i = 0; i < n; i++)
		if (got[i].addr <= PLATFORM_TABLES &&
		    got[i].addr + got[i].size > PLATFORM_TABLES)
			cr_expect_neq(got[i].type, E820_RAM, "tables reserved");
}

Test(fw_cfg, past_the_end_and_unknown_items)
{
	uint8_t b[8];

	get(FW_CFG_SIGNATURE, b, 8);
	cr_expect_eq(memcmp(b, "QEMU\0\0\0\0", 8), 0, "0 past the end");
	get(0x7fff, b, 2);
	cr_expect(b[0] == 0 && b[1] == 0, "no such item reads 0");
	cr_expect_eq(port_in(FW_CFG_PORT_SEL, 2), 0, "selector reads 0");
}

Test(fw_cfg, selector_rewinds)
{
	uint8_t b[4];

	get(FW_CFG_SIGNATURE, b, 2);
	get(FW_CFG_SIGNATURE, b, 4);
	cr_expect_eq(memcmp(b, "QEMU", 4), 0, "selecting again starts over");
	get(FW_CFG_SIGNATURE, b, 1);
	port_out(FW_CFG_PORT_SEL, 1, FW_CFG_NB_CPUS);
	port_out(FW_CFG_PORT_DATA, 1, 0x55);
	cr_expect_eq(port_in(FW_CFG_PORT_DATA, 1), 'E',
		     "byte writes neither select nor move the offset");
}
