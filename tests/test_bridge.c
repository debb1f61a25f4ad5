/*
 * test_bridge.c - dom0's learning bridge (guests/dom0/bridge.c, lab 7):
 * unknown and broadcast destinations flood every other port, a learnt
 * MAC gets its frames alone, a MAC that moves follows, a detached port's
 * MACs are forgotten, a frame never returns to its sender, runts and
 * giants are dropped, a full table replaces entries instead of failing,
 * and a port that drops frames drops only its own.
 */
#include <criterion/criterion.h>
#include <string.h>
#include <guests/dom0/bridge.h>

#define NPORTS 4

static struct bridge_port port[NPORTS];
static unsigned seen[NPORTS];
static bool full[NPORTS]; /* the port drops what it is given */
static struct bridge *br;

static bool deliver(struct bridge_port *p, const void *frame, size_t len)
{
	if (full[p - port])
		return false;
	seen[p - port]++;
	return true;
}

static void setup(void)
{
	br = bridge_get("xenbr0");
	cr_assert_not_null(br);
	for (int i = 0; i < NPORTS; i++) {
		port[i].deliver = deliver;
		cr_assert_eq(bridge_attach(br, &port[i]), 0);
	}
}

TestSuite(bridge, .init = setup);

/* Sends a frame from port `from`, MAC 02:00:00:00:00:src to dst (0xff:
 * broadcast), and returns the ports' new deliveries as a bit mask. */
static unsigned send(int from, uint8_t src, uint8_t dst)
{
	uint8_t f[60] = { 0x02, 0, 0, 0, 0, dst, 0x02, 0, 0, 0, 0, src };
	unsigned before[NPORTS], mask = 0;

	if (dst == 0xff)
		memset(f, 0xff, 6);
	memcpy(before, seen, sizeof(seen));
	bridge_input(&port[from], f, sizeof(f));
	for (int i = 0; i < NPORTS; i++)
		if (seen[i] != before[i])
			mask |= 1u << i;
	return mask;
}

Test(bridge, names)
{
	cr_expect_eq(bridge_get("xenbr0"), br);
	cr_expect_neq(bridge_get("virbr0"), br);
	cr_expect_null(bridge_get(""));
	cr_expect_null(bridge_get("a-name-far-too-long"));
}

Test(bridge, flood_then_learn)
{
	cr_expect_eq(send(0, 1, 2), 0xe, "unknown: flooded to the others");
	cr_expect_eq(send(2, 2, 1), 0x1, "port 0 learnt: to it alone");
	cr_expect_eq(send(0, 1, 2), 0x4, "port 2 learnt: to it alone");
	cr_expect_eq(send(1, 3, 0xff), 0xd, "broadcast: everyone but 1");
}

Test(bridge, never_back_to_sender)
{
	send(0, 1, 9);
	cr_expect_eq(send(0, 2, 1), 0, "1 is behind port 0 itself");
}

Test(bridge, mac_moves)
{
	send(0, 1, 9);
	send(3, 1, 9); /* MAC 1 now behind port 3 */
	cr_expect_eq(send(2, 2, 1), 0x8);
}

Test(bridge, detach_forgets)
{
	send(0, 1, 9);
	bridge_detach(&port[0]);
	cr_expect_eq(send(2, 2, 1), 0xa, "flooded to the remaining ports");
	cr_expect_null(port[0].br);
	memset(seen, 0, sizeof(seen));
	bridge_input(&port[0], "\xff\xff\xff\xff\xff\xffxxxxxxxxxx", 16);
	cr_expect_eq(seen[1] + seen[2] + seen[3], 0,
		     "a detached port sends nothing");
}

Test(bridge, runts_and_giants)
{
	static uint8_t f[BRIDGE_FRAME_MAX + 1];

	memset(f, 0xff, sizeof(f));
	bridge_input(&port[0], f, BRIDGE_FRAME_MIN - 1);
	bridge_input(&port[0], f, sizeof(f));
	cr_expect_eq(seen[1] + seen[2] + seen[3], 0);
	cr_expect_eq(port[0].dropped, 2);
	bridge_input(&port[0], f, BRIDGE_FRAME_MAX);
	cr_expect_eq(seen[1] + seen[2] + seen[3], 3);
}

/* More MACs than the table holds: the newest still reach their port. */
Test(bridge, table_full)
{
	uint8_t f[60] = { 0x02, 0, 0, 0, 0, 0, 0x02, 0, 0, 0, 0, 0 };

	for (int m = 0; m < BRIDGE_FDB + 10; m++) {
		f[10] = (uint8_t)(m >> 8);
		f[11] = (uint8_t)m;
		bridge_input(&port[m % 2], f, sizeof(f));
	}
	memset(seen, 0, sizeof(seen));
	memcpy(f, f + 6, 6); /* to the last source, behind port 1 */
	f[11] = 0xee;
	bridge_input(&port[2], f, sizeof(f));
	cr_expect(seen[1] == 1 && seen[0] == 0 && seen[3] == 0);
}

/* A port that cannot take frames loses them; the others do not. */
Test(bridge, full_port_drops_its_own)
{
	full[1] = true;
	cr_expect_eq(send(0, 1, 0xff), 0xc);
	cr_expect_eq(port[1].dropped, 1);
	cr_expect_eq(port[2].tx + port[3].tx, 2);
}

Test(bridge, ports_limit)
{
	static struct bridge_port more[BRIDGE_PORTS];
	int n = 0;

	for (int i = 0; i < BRIDGE_PORTS; i++)
		n += bridge_attach(br, &more[i]) == 0;
	cr_expect_eq(n, BRIDGE_PORTS - NPORTS);
}

/* Group addresses as sources are not learnt, so they evict nothing. */
Test(bridge, group_source_not_learnt)
{
	uint8_t f[60] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x03 };

	send(0, 1, 9);
	for (int m = 0; m < BRIDGE_FDB; m++) {
		f[11] = (uint8_t)m;
		bridge_input(&port[3], f, sizeof(f));
	}
	cr_expect_eq(send(2, 2, 1), 0x1, "1 is still known behind port 0");
}
