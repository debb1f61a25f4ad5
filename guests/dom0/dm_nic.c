/*
 * dm_nic.c - `dm NAME nic [MAC]` (issue 16): an RTL8139 card (rtl8139.c)
 * as PCI function 00:03.0 of an hvm domain, 10ec:8139, its registers in
 * BAR0 (256 ports) and BAR1 (256 bytes of MMIO), INTA# on the ISA IRQ
 * its interrupt line names (11 as firmware would leave it), its frames
 * on xenbr0, the bridge netback's vifs are on, as port "nicN" (N the
 * domain's id).  The card's DMA goes through dm_guest_copy, which
 * refuses what is not the guest's RAM, and only while the command
 * register lets the function master the bus.
 */
#include "dm.h"
#include "bridge.h"
#include "rtl8139.h"
#include <guests/lib/net.h>

#define NIC_MAX		   4
#define NIC_BDF		   DM_BDF(0, 3, 0)
#define NIC_PORT	   0xc100 /* BAR0 as firmware would assign it */
#define NIC_MMIO	   0xfebf0000u
#define NIC_IRQ		   11
#define PCI_CLASS_ETHERNET 0x020000
/* as dm.c names them (PCI Local Bus Specification 3.0, 6.1) */
#define PCI_COMMAND	   0x04
#define PCI_COMMAND_MASTER 0x4
#define PCI_INTERRUPT_LINE 0x3c

struct nic {
	struct dm_dev dev; /* first: ops get it */
	bool used;
	struct rtl8139_dev card;
	struct bridge_port port;
};

static struct nic nics[NIC_MAX];

/* The card's DMA: refused unless bus mastering is on. */
static long nic_dma(void *arg, uint64_t gpa, void *buf, size_t len,
		    bool to_guest)
{
	struct nic *n = arg;

	if (!(n->dev.config[PCI_COMMAND] & PCI_COMMAND_MASTER))
		return -XEN_EPERM;
	return dm_guest_copy(n->dev.dom, gpa, buf, len, to_guest);
}

static void nic_irq(void *arg, bool level)
{
	struct nic *n = arg;

	dm_irq_level(n->dev.dom, n->dev.config[PCI_INTERRUPT_LINE] & 0xf,
		     level);
}

/* The card sent a frame: onto the bridge. */
static void nic_xmit(void *arg, const void *frame, size_t len)
{
	struct nic *n = arg;

	bridge_input(&n->port, frame, len);
}

/* The bridge has a frame for the card. */
static bool nic_deliver(struct bridge_port *port, const void *frame, size_t len)
{
	struct nic *n = port->arg;

	return rtl8139_input(&n->card, frame, len);
}

/* BAR0 and BAR1 show the same registers. */
static uint64_t nic_read(struct dm_dev *dev, int region, uint64_t off,
			 unsigned size)
{
	struct nic *n = (struct nic *)dev;

	if (off >= RTL_IO_SIZE || size > 4)
		return 0;
	return rtl8139_io_read(&n->card, (unsigned)off, size);
}

static void nic_write(struct dm_dev *dev, int region, uint64_t off,
		      unsigned size, uint64_t val)
{
	struct nic *n = (struct nic *)dev;

	if (off < RTL_IO_SIZE && size <= 4)
		rtl8139_io_write(&n->card, (unsigned)off, size, (uint32_t)val);
}

static void nic_release(struct dm_dev *dev)
{
	struct nic *n = (struct nic *)dev;

	bridge_detach(&n->port);
	n->used = false;
}

static const struct dm_ops nic_ops = { nic_read, nic_write, NULL, nic_release };

/* The card with EEPROM address mac on d's bus and on xenbr0; 0 or 1. */
static int nic_plug(struct nic *n, struct dm_domain *d, const uint8_t mac[6])
{
	domid_t domid = dm_domid(d);

	*n = (struct nic){ .used = true };
	n->card = (struct rtl8139_dev){
		.dma = nic_dma, .irq = nic_irq, .xmit = nic_xmit, .arg = n
	};
	dm_pci_init(&n->dev, NIC_BDF, RTL_VENDOR, RTL_DEVICE,
		    PCI_CLASS_ETHERNET, 1);
	dm_pci_bar(&n->dev, 0, DM_IO, RTL_IO_SIZE, NIC_PORT);
	dm_pci_bar(&n->dev, 1, DM_MEM, RTL_IO_SIZE, NIC_MMIO);
	n->dev.config[PCI_INTERRUPT_LINE] = NIC_IRQ;
	snprintf(n->port.name, sizeof(n->port.name), "nic%u", domid);
	n->port.deliver = nic_deliver;
	n->port.arg = n;
	if (bridge_attach(bridge_get("xenbr0"), &n->port) < 0) {
		printf("dm: nic: xenbr0 has no free port\n");
		n->used = false;
		return 1;
	}
	if (dm_dev_add(d, &n->dev, "nic", &nic_ops) < 0) {
		bridge_detach(&n->port);
		n->used = false;
		return 1;
	}
	/* after dm_dev_add: the card's line is d's from now on */
	rtl8139_reset(&n->card, mac);
	printf("dm: nic: rtl8139 %02x:%02x:%02x:%02x:%02x:%02x at 00:03.0 on "
	       "xenbr0\n",
	       mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	return 0;
}

/* `dm NAME nic [MAC]`: 00:16:3e:00:80:ID unless MAC is given. */
int dm_nic_attach(struct dm_domain *d, int argc, char **argv)
{
	uint8_t mac[ETH_ALEN] = { 0x00, 0x16, 0x3e,
				  0x00, 0x80, (uint8_t)dm_domid(d) };
	struct nic *n = NULL;

	for (int i = 0; i < NIC_MAX && !n; i++)
		if (!nics[i].used)
			n = &nics[i];
	if (argc > 1 || (argc == 1 && !net_parse_mac(argv[0], mac))) {
		printf("dm: nic: %s: want a MAC such as 00:16:3e:00:08:01\n",
		       argc ? argv[0] : "");
		return 1;
	}
	if (!n) {
		printf("dm: nic: too many cards\n");
		return 1;
	}
	return nic_plug(n, d, mac);
}
