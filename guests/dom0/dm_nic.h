/*
 * dm_nic.h - the RTL8139 card dom0's device model gives an hvm domain
 * (issue 16, dm_nic.c): its registers at ports DM_NIC_PORT..+255, its
 * interrupt on ISA IRQ DM_NIC_IRQ, its frames on xenbr0.
 */
#ifndef GUESTS_DOM0_DM_NIC_H
#define GUESTS_DOM0_DM_NIC_H

#include <inc/types.h>
#include <inc/public/xen.h>

#define DM_NIC_MAX  4
#define DM_NIC_PORT 0xc100 /* BAR0 */
#define DM_NIC_IRQ  11

struct dm_nic;

/* A card with EEPROM address mac for domid, on xenbr0; NULL when all
 * are taken or the bridge is full. */
struct dm_nic *dm_nic_attach(domid_t domid, const uint8_t mac[6]);

/* A port access; false when port is not the card's (n may be NULL). */
bool dm_nic_port(struct dm_nic *n, uint64_t port, unsigned size, bool write,
		 uint64_t *data);

/* Takes the card off the bridge (its domain ended); n may be NULL. */
void dm_nic_detach(struct dm_nic *n);

/* dm.c: raises or lowers domid's ISA IRQ line (set_isa_irq_level). */
long dm_irq(domid_t domid, unsigned irq, bool level);

#endif
