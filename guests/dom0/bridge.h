/*
 * bridge.h - dom0's software bridge (lab 7), Xen's xenbr0 / the seeds'
 * virbr0: a learning Ethernet switch between ports, which are the vifs
 * netback connects and dom0's own interface.  A frame goes to the port
 * its destination MAC was last seen on; broadcast, multicast and unknown
 * destinations go to every other port (flooding, IEEE 802.1D 7.7).
 *
 *	static struct bridge_port vif = { .name = "vif1.0", .deliver = fn };
 *	bridge_attach(bridge_get("xenbr0"), &vif);
 *	bridge_input(&vif, frame, len);		a frame the vif sent
 *
 * Host-testable: no hypercalls (tests/test_bridge.c).
 */
#ifndef GUESTS_DOM0_BRIDGE_H
#define GUESTS_DOM0_BRIDGE_H

#include <inc/types.h>

#define BRIDGE_MAX	 4  /* bridges, by name */
#define BRIDGE_PORTS	 16 /* ports on one bridge */
#define BRIDGE_FDB	 64 /* learnt MACs on one bridge */
#define BRIDGE_NAME_MAX	 16
#define BRIDGE_FRAME_MIN 14 /* an Ethernet header */
#define BRIDGE_FRAME_MAX 1514

struct bridge;

struct bridge_port {
	char name[BRIDGE_NAME_MAX];
	/* Hands a frame to the port's owner; false when it had to drop it
	 * (a vif with no posted receive buffer). */
	bool (*deliver)(struct bridge_port *port, const void *frame,
			size_t len);
	void *arg; /* the owner's */
	struct bridge *br;
	unsigned rx, tx, dropped; /* frames in, out, not delivered */
};

struct bridge_fdb {
	uint8_t mac[6];
	struct bridge_port *port; /* NULL: a free entry */
};

struct bridge {
	char name[BRIDGE_NAME_MAX]; /* "" while unused */
	struct bridge_port *ports[BRIDGE_PORTS];
	struct bridge_fdb fdb[BRIDGE_FDB];
	unsigned fdb_next; /* the entry a new MAC replaces when full */
};

/* The bridge called name, made on first use; NULL when all are taken or
 * the name is empty or too long. */
struct bridge *bridge_get(const char *name);

/* Connects port to br; 0, or -1 when br has no free port. */
int bridge_attach(struct bridge *br, struct bridge_port *port);

/* Disconnects port and forgets the MACs learnt on it. */
void bridge_detach(struct bridge_port *port);

/* Switches a frame port sent: learns its source MAC, then delivers it
 * to the destination's port or floods it.  Runts and giants are dropped. */
void bridge_input(struct bridge_port *from, const void *frame, size_t len);

/* Prints each bridge's ports and counters (`xl network-list`'s view). */
void bridge_show(int (*print)(const char *fmt, ...));

#endif
