/*
 * bridge.c - dom0's learning bridge (lab 7, bridge.h): a forwarding
 * database of source MACs (IEEE 802.1D 7.8) and flooding for the rest.
 * Entries never age: a MAC moves when it is seen on another port, and a
 * port's entries go when the port does.
 */
#include "bridge.h"
#include <inc/string.h>

static struct bridge bridges[BRIDGE_MAX];

struct bridge *bridge_get(const char *name)
{
	struct bridge *free = NULL;

	if (!*name || strlen(name) >= BRIDGE_NAME_MAX)
		return NULL;
	for (int i = 0; i < BRIDGE_MAX; i++) {
		if (strcmp(bridges[i].name, name) == 0)
			return &bridges[i];
		if (!bridges[i].name[0] && !free)
			free = &bridges[i];
	}
	if (free)
		strlcpy(free->name, name, BRIDGE_NAME_MAX);
	return free;
}

int bridge_attach(struct bridge *br, struct bridge_port *port)
{
	for (int i = 0; i < BRIDGE_PORTS; i++)
		if (!br->ports[i]) {
			br->ports[i] = port;
			port->br = br;
			port->rx = port->tx = port->dropped = 0;
			return 0;
		}
	return -1;
}

void bridge_detach(struct bridge_port *port)
{
	struct bridge *br = port->br;

	if (!br)
		return;
	for (int i = 0; i < BRIDGE_PORTS; i++)
		if (br->ports[i] == port)
			br->ports[i] = NULL;
	for (int i = 0; i < BRIDGE_FDB; i++)
		if (br->fdb[i].port == port)
			br->fdb[i].port = NULL;
	port->br = NULL;
}

/* The entry of mac, or NULL. */
static struct bridge_fdb *bridge_fdb_find(struct bridge *br, const uint8_t *mac)
{
	for (int i = 0; i < BRIDGE_FDB; i++)
		if (br->fdb[i].port && memcmp(br->fdb[i].mac, mac, 6) == 0)
			return &br->fdb[i];
	return NULL;
}

/* Records that mac is behind port: its own entry, a free one, or the
 * next one round the table. */
static void bridge_learn(struct bridge *br, const uint8_t *mac,
			 struct bridge_port *port)
{
	struct bridge_fdb *e = bridge_fdb_find(br, mac);

	if (mac[0] & 1)
		return; /* a group address is never a source */
	for (int i = 0; !e && i < BRIDGE_FDB; i++)
		if (!br->fdb[i].port)
			e = &br->fdb[i];
	if (!e)
		e = &br->fdb[br->fdb_next++ % BRIDGE_FDB];
	memcpy(e->mac, mac, 6);
	e->port = port;
}

/* Gives the frame to port, counting the outcome. */
static void bridge_deliver(struct bridge_port *port, const void *frame,
			   size_t len)
{
	if (port->deliver(port, frame, len))
		port->tx++;
	else
		port->dropped++;
}

void bridge_input(struct bridge_port *from, const void *frame, size_t len)
{
	struct bridge *br = from->br;
	const uint8_t *f = frame;
	struct bridge_fdb *e;

	if (!br)
		return;
	from->rx++;
	if (len < BRIDGE_FRAME_MIN || len > BRIDGE_FRAME_MAX) {
		from->dropped++;
		return;
	}
	bridge_learn(br, f + 6, from);
	e = f[0] & 1 ? NULL : bridge_fdb_find(br, f);
	if (e) {
		if (e->port != from)
			bridge_deliver(e->port, frame, len);
		return;
	}
	for (int i = 0; i < BRIDGE_PORTS; i++)
		if (br->ports[i] && br->ports[i] != from)
			bridge_deliver(br->ports[i], frame, len);
}

void bridge_show(int (*print)(const char *fmt, ...))
{
	for (int b = 0; b < BRIDGE_MAX; b++) {
		if (!bridges[b].name[0])
			continue;
		print("%s:\n", bridges[b].name);
		for (int i = 0; i < BRIDGE_PORTS; i++) {
			struct bridge_port *p = bridges[b].ports[i];

			if (p)
				print("  %-10s rx %u tx %u dropped %u\n",
				      p->name, p->rx, p->tx, p->dropped);
		}
	}
}
