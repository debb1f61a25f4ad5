/*
 * dm_nic.c - the RTL8139 card of `dm NAME nic [MAC]` (issue 16): the card
 * (rtl8139.c) plugged into an hvm domain through dom0's device model
 * (dm.c) and into xenbr0, the bridge netback's vifs are on, as a port
 * named "nicN" (N the domain's id).  The card's DMA reaches the guest's
 * RAM one page at a time through a dom0 frame that shows the guest's
 * (XENMAPSPACE_gmfn_foreign): a frame that is not the guest's RAM fails
 * to map, and the card reports the error to the guest.
 */
#include "dom0.h"
#include "dm_nic.h"
#include "bridge.h"
#include "rtl8139.h"
#include <guests/lib/pv.h>

struct dm_nic {
	bool used;
	domid_t domid;
	struct rtl8139_dev card;
	struct bridge_port port;
};

static struct dm_nic dm_nics[DM_NIC_MAX];
/* The frame a guest page shows at while the card copies. */
static uint8_t dm_nic_page[4096] __attribute__((aligned(4096)));
static bool dm_nic_page_absent;

/* The card's DMA: len bytes at gpa, page by page. */
static long dm_nic_dma(void *arg, uint64_t gpa, void *buf, size_t len,
		       bool to_guest)
{
	struct dm_nic *n = arg;
	uint8_t *b = buf;

	while (len) {
		size_t off = gpa % 4096, chunk = MIN(len, 4096 - off);

		if (dom0_map_foreign(n->domid, gpa >> 12, dm_nic_page) < 0)
			return -1;
		if (to_guest)
			memcpy(dm_nic_page + off, b, chunk);
		else
			memcpy(b, dm_nic_page + off, chunk);
		dom0_unmap(dm_nic_page);
		gpa += chunk;
		b += chunk;
		len -= chunk;
	}
	return 0;
}

static void dm_nic_irq(void *arg, bool level)
{
	struct dm_nic *n = arg;

	dm_irq(n->domid, DM_NIC_IRQ, level);
}

/* The card sent a frame: onto the bridge. */
static void dm_nic_xmit(void *arg, const void *frame, size_t len)
{
	struct dm_nic *n = arg;

	bridge_input(&n->port, frame, len);
}

/* The bridge has a frame for the card. */
static bool dm_nic_deliver(struct bridge_port *port, const void *frame,
			   size_t len)
{
	struct dm_nic *n = port->arg;

	return rtl8139_input(&n->card, frame, len);
}

struct dm_nic *dm_nic_attach(domid_t domid, const uint8_t mac[6])
{
	struct dm_nic *n = NULL;

	for (int i = 0; i < DM_NIC_MAX && !n; i++)
		if (!dm_nics[i].used)
			n = &dm_nics[i];
	if (!n || (!dm_nic_page_absent &&
		   dom0_frames_release(dm_nic_page, 1) < 0))
		return NULL;
	dm_nic_page_absent = true;
	*n = (struct dm_nic){ .used = true, .domid = domid };
	n->card.dma = dm_nic_dma;
	n->card.irq = dm_nic_irq;
	n->card.xmit = dm_nic_xmit;
	n->card.arg = n;
	rtl8139_reset(&n->card, mac);
	snprintf(n->port.name, sizeof(n->port.name), "nic%u", domid);
	n->port.deliver = dm_nic_deliver;
	n->port.arg = n;
	if (bridge_attach(bridge_get("xenbr0"), &n->port) < 0) {
		n->used = false;
		return NULL;
	}
	return n;
}

bool dm_nic_port(struct dm_nic *n, uint64_t port, unsigned size, bool write,
		 uint64_t *data)
{
	uint64_t off = port - DM_NIC_PORT;

	if (!n || off >= RTL_IO_SIZE || off + size > RTL_IO_SIZE)
		return false;
	if (write)
		rtl8139_io_write(&n->card, (unsigned)off, size,
				 (uint32_t)*data);
	else
		*data = rtl8139_io_read(&n->card, (unsigned)off, size);
	return true;
}

void dm_nic_detach(struct dm_nic *n)
{
	if (!n)
		return;
	bridge_detach(&n->port);
	n->used = false;
}
