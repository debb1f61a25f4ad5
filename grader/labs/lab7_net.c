/*
 * lab7_net.c - lab 7's network split driver: netfront (guests/lib) and
 * netback with its bridge (guests/dom0) over Xen's netif rings, MACs
 * from the configs' vif lines.  Points: lab7.points, network section.
 *
 * One boot scores the guest tests: dom0 creates an echo domain in each
 * container, a pinger in each container that pings both echoes and dom0
 * (10.0.0.1), a UDP stream each way across the containers, and a hostile
 * frontend that abuses its own vif meanwhile; once they have ended, dom0
 * lists the bridge and vifs.  The stack, the bridge and netback's data
 * path are also unit-tested on the host.
 *
 * Bugs these tests catch, bug: the tests that fail:
 *   a checksum or a length not checked in net.c: net_unit
 *   flooding back to the sender, learning group addresses: net_unit
 *   netback validating nothing, or copying before checking: netback_unit,
 *     net_hostile
 *   the producer never publishing req_prod: every guest test
 *   no feature-rx-copy, a handshake stuck before Connected: net_ping_hvm,
 *     net_ping_te
 *   frames to an unknown MAC not flooded (ARP never answered): net_ping_*
 *   rx responses out of their request's slot, buffers not posted again:
 *     net_udp_* (the stream outlasts the ring)
 *   dom0 not a port on the bridge: net_dom0
 *   a MAC invented instead of the vif line's: net_mac
 *   a bad request crashing dom0 or stalling the bridge: net_hostile
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include "../grader.h"

/* pv-net as name in container c with extra and MAC 00:16:3e:00:07:mac. */
#define NET(name, c, mac, extra)                                 \
	{                                                        \
		name, "name   = \"" name "\"\ntype   = \"pv\"\n" \
		      "container = \"" c "\"\n"                  \
		      "kernel = \"guests/pv-net.elf\"\n"         \
		      "extra  = \"" extra "\"\nmemory = 8\n"     \
		      "vif    = [ \"mac=00:16:3e:00:07:" mac     \
		      ",bridge=xenbr0\" ]\n"                     \
	}

static const struct hv_cfg net = {
	.needs_virt = 1,
	.progress_timeout = 240,
	.timeout = 1200,
	.mem_mb = 320,
	.domains = {
		HV_DOM0("xl create e-hvm.cfg;xl create e-te.cfg;"
		     "xl create p-te.cfg;xl create p-hvm.cfg;"
		     "xl create s-hvm.cfg;xl create s-te.cfg;"
		     "xl create hostile.cfg;"
		     "wait p-te p-hvm s-hvm s-te hostile;wait e-hvm e-te;"
		     "xl network-list;xl list;poweroff"),
		NET("e-hvm", "hvm", "03", "mode=echo ip=10.0.0.3 stops=3"),
		NET("e-te", "te", "05", "mode=echo ip=10.0.0.5 stops=3"),
		NET("p-te", "te", "02",
		    "mode=ping ip=10.0.0.2 peer=10.0.0.3 peer2=10.0.0.5 count=10"),
		NET("p-hvm", "hvm", "04",
		    "mode=ping ip=10.0.0.4 peer=10.0.0.3 peer2=10.0.0.5 count=10"),
		NET("s-hvm", "hvm", "06",
		    "mode=udp-send ip=10.0.0.6 peer=10.0.0.5 count=1000"),
		NET("s-te", "te", "07",
		    "mode=udp-send ip=10.0.0.7 peer=10.0.0.3 count=1000"),
		NET("hostile", "hvm", "66", "mode=hostile ip=10.0.0.66"),
	},
};

/* The stack (ARP, IPv4, ICMP, UDP, checksums, malformed frames) and the
 * learning bridge, on the host. */
Test(lab7, net_unit, .timeout = 300)
{
	expect_host_test("test_net", "net");
	expect_host_test("test_bridge", "bridge");
}

/* netback's data path against a fake grant table: frames both ways,
 * slots, budgets, and every hostile request field. */
Test(lab7, netback_unit, .timeout = 300)
{
	expect_host_test("test_netback", "netback");
}

static const char *const ping_passes[] = {
	"vif 0 connected",
	"ping peer 10.0.0.3: ",
	"ping peer 10.0.0.5: ",
	NULL,
};

/* A te domU pings an hvm and a te one through dom0's bridge. */
Test(lab7, net_ping_te, .timeout = 1800)
{
	expect_guest_passed(hv_boot_group("net", &net), "p-te", ping_passes);
}

/* An hvm domU pings an hvm and a te one. */
Test(lab7, net_ping_hvm, .timeout = 1800)
{
	expect_guest_passed(hv_boot_group("net", &net), "p-hvm", ping_passes);
}

/* 1000 numbered datagrams (four rings' worth), hvm to te: all acknowledged, and the
 * receiver saw them in order with intact payloads. */
Test(lab7, net_udp_hvm_to_te, .timeout = 1800)
{
	struct hv_run *r = hv_boot_group("net", &net);
	static const char *const s[] = {
		"udp-send: 1000 datagrams of 1024 bytes acknowledged", NULL
	};
	static const char *const e[] = { "echo: streams in order and intact",
					 "echo: served until", NULL };

	expect_guest_passed(r, "s-hvm", s);
	expect_guest_passed(r, "e-te", e);
}

/* The same stream, te to hvm. */
Test(lab7, net_udp_te_to_hvm, .timeout = 1800)
{
	struct hv_run *r = hv_boot_group("net", &net);
	static const char *const s[] = {
		"udp-send: 1000 datagrams of 1024 bytes acknowledged", NULL
	};
	static const char *const e[] = { "echo: streams in order and intact",
					 "echo: served until", NULL };

	expect_guest_passed(r, "s-te", s);
	expect_guest_passed(r, "e-hvm", e);
}

/* dom0 is a port on the bridge at 10.0.0.1: pings from both containers
 * are answered, and xl network-list counts them. */
Test(lab7, net_dom0, .timeout = 1800)
{
	struct hv_run *r = hv_boot_group("net", &net);
	static const char *const p[] = { "ping dom0 10.0.0.1: 5 of 5", NULL };
	const struct hv_line *l;
	unsigned answered = 0;

	expect_guest_passed(r, "p-te", p);
	expect_guest_passed(r, "p-hvm", p);
	l = hv_find_output(r, "local 10.0.0.1: ");
	cr_assert(l,
		  "[wrong result] xl network-list printed no line for "
		  "dom0's interface\n    %s",
		  hv_diagnose(r));
	sscanf(strstr(l->text, "tx"), "tx %*u, %u pings", &answered);
	cr_expect(answered >= 10,
		  "[wrong result] dom0 answered %u pings, "
		  "want at least 10\n    log: %s",
		  answered, r->log);
}

/* Each guest's MAC is its vif line's, read from xenstore. */
Test(lab7, net_mac, .timeout = 1800)
{
	struct hv_run *r = hv_boot_group("net", &net);

	expect_output(r, "pv-net: mac 00:16:3e:00:07:02 ip 10.0.0.2");
	expect_output(r, "pv-net: mac 00:16:3e:00:07:03 ip 10.0.0.3");
	expect_output(r, "pv-net: mac 00:16:3e:00:07:06 ip 10.0.0.6");
}

/* The hostile frontend: each bad request disconnects its vif with a
 * reason in dom0's log, bad grants fail just their frame, frames beyond
 * its posted buffers are dropped; the others' traffic (the tests above,
 * same boot) never notices, and dom0 lives on to power off. */
Test(lab7, net_hostile, .timeout = 1800)
{
	struct hv_run *r = hv_boot_group("net", &net);
	static const char *const h[] = {
		"hostile: a ref never granted fails its frame",
		"hostile: a ref granted to another domain fails its frame",
		"hostile: size 0: the backend disconnected",
		"hostile: reconnected after size 1515",
		"hostile: a slot crossing its page: the backend disconnected",
		"hostile: tx req_prod beyond the ring: the backend "
		"disconnected",
		"hostile: tx req_prod running backwards: the backend "
		"disconnected",
		"hostile: rx req_prod beyond the ring: the backend "
		"disconnected",
		"hostile: the vif works again",
		NULL,
	};
	static const char *const reasons[] = {
		"size 0, want 1..1514; disconnecting",
		"size 1515, want 1..1514; disconnecting",
		"crosses its page; disconnecting",
		"slots ahead of",
		"runs backwards",
		"rx req_prod",
		"copy status",
	};

	expect_guest_passed(r, "hostile", h);
	for (size_t i = 0; i < sizeof(reasons) / sizeof(*reasons); i++)
		cr_expect(
			hv_find_output(r, reasons[i]),
			"[wrong result] dom0's log has no \"%s\"\n    log: %s",
			reasons[i], r->log);
	cr_expect(hv_find_output(r, "dom0# poweroff"),
		  "[wrong result] dom0 did not reach its poweroff\n    %s",
		  hv_diagnose(r));
}
