/*
 * fw_cfg.c - QEMU's firmware configuration device (QEMU's
 * docs/specs/fw_cfg.rst, "Selector Register", "Data Register",
 * "Firmware Configuration Items"), port interface only (no DMA): test
 * kernels written for QEMU read the CPU count, the RAM size and the
 * memory map here.  The selector (PLATFORM_FW_CFG, 16-bit writes) picks
 * an item and rewinds it; each read of the data port (+1) gives its next
 * byte.  Writes to the data port are ignored, as QEMU has done since 2.4.
 */
#include <inc/fw_cfg.h>
#include <inc/string.h>
#include <kernel/kernel.h>
#include <kernel/domain.h>
#include <kernel/dev/io.h>
#include <kernel/dev/fw_cfg.h>
#include <kernel/dev/platform.h>

#define FW_CFG_E820 FW_CFG_FILE_FIRST

_Static_assert(PLATFORM_FW_CFG == FW_CFG_PORT_SEL, "fw_cfg ports");
_Static_assert(4 + sizeof(struct fw_cfg_file) <= FW_CFG_DATA_MAX,
	       "fw_cfg file directory");

/* The file directory: one file, etc/e820, of n entries. */
static size_t fw_cfg_dir(uint8_t *buf, int n)
{
	struct fw_cfg_file file = {
		.size = __builtin_bswap32(n * sizeof(struct e820_entry)),
		.select = __builtin_bswap16(FW_CFG_E820),
		.name = "etc/e820",
	};
	uint32_t count = __builtin_bswap32(1);

	memcpy(buf, &count, 4);
	memcpy(buf + 4, &file, sizeof(file));
	return 4 + sizeof(file);
}

/* Writes item key of d into buf (FW_CFG_DATA_MAX bytes); its length, 0
 * if none. */
static size_t fw_cfg_item(struct domain *d, uint16_t key, uint8_t *buf)
{
	struct e820_entry map[E820_MAX];
	uint64_t ram_end = e820_ram_end(p2m_size(&d->p2m),
					d->config->xen_platform);
	int n = e820_build(ram_end, map);
	uint64_t v;

	switch (key) {
	case FW_CFG_SIGNATURE: memcpy(buf, "QEMU", 4); return 4;
	case FW_CFG_ID: v = FW_CFG_ID_TRADITIONAL; break;
	case FW_CFG_RAM_SIZE: memcpy(buf, &ram_end, 8); return 8;
	case FW_CFG_NB_CPUS:
	case FW_CFG_MAX_CPUS:
		v = d->nvcpus;
		memcpy(buf, &v, 2);
		return 2;
	case FW_CFG_FILE_DIR: return fw_cfg_dir(buf, n);
	case FW_CFG_E820:
		memcpy(buf, map, n * sizeof(map[0]));
		return n * sizeof(map[0]);
	default: return 0;
	}
	memcpy(buf, &v, 4);
	return 4;
}

/* A selector write rewinds; data reads give the next byte, 0 past the end. */
static int fw_cfg_io(struct domain *d, void *opaque, uint64_t port,
		     unsigned size, bool write, uint64_t *val)
{
	struct fw_cfg *f = &d->fw_cfg;

	if (!write)
		*val = port == FW_CFG_PORT_DATA && f->offset < f->len ?
			       f->data[f->offset++] :
			       0;
	else if (port == FW_CFG_PORT_SEL && size == 2) {
		f->offset = 0;
		f->len = fw_cfg_item(d, (uint16_t)*val, f->data);
	}
	return 0;
}

int fw_cfg_init(struct domain *d)
{
	memset(&d->fw_cfg, 0, sizeof(d->fw_cfg));
	return io_register_port(d, PLATFORM_FW_CFG, 2, fw_cfg_io, NULL,
				"fw_cfg");
}
