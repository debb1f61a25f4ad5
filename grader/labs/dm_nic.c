/*
 * dm_nic.c - the RTL8139 card of dom0's device model (issue 16:
 * guests/dom0/rtl8139.c, dm_nic.c) driven by an hvm guest with the guest
 * library's driver (guests/lib/rtl8139.c, guests/nic), talking through
 * dom0's bridge to a netfront domU (guests/pv-net, mode=echo).
 * Points: dm.points (make grade SUITE=dm).
 *
 * One boot: dom0 creates the echo domU e and the pinger p, creates nic
 * paused, plugs the card in (`dm nic nic MAC`), unpauses it; nic answers
 * p's pings until p says stop, pings and UDP-echoes e, then plays a
 * hostile driver; dom0 lists the bridge and powers off.
 *
 * Bugs these tests catch, bug: the tests that fail:
 *   any of the card's bugs below, RCR's accept bits, the 9346CR lock, a
 *     full ring overwritten: nic_unit
 *   the function not on the bus, a BAR that sizes wrong, its ports
 *     answering before the command register enables them, IDR not the
 *     MAC dom0 gave, TCR without the chip's version: nic_pci
 *   ISR written as a value instead of write-1-to-clear, IMR not masking
 *     the line, the line not following ISR & IMR: nic_isr_imr
 *   CAPR without the 16-byte lag (driver or card: BUFE never set, a
 *     header read where none is): nic_isr_imr, nic_ring_wrap
 *   the ring not wrapped at its end, a frame split at the end not
 *     joined: nic_ring_wrap (payloads wrong, bad headers)
 *   the next frame not at a 32-bit boundary: nic_ring_wrap
 *   the 4-byte receive header or the CRC left in the frame: nic_ring_wrap
 *     (lengths), nic_frames
 *   ROK/TOK never acknowledged (the line stays high, no further edge):
 *     nic_frames, nic_ring_wrap
 *   frames not on the bridge, either way: nic_frames, nic_from_netfront
 *   TSAD or RBSTART not checked against the guest's RAM, a TSD size over
 *     1792 taken, DMA without bus mastering: nic_hostile (or dom0 dies:
 *     every test)
 */
#include <criterion/criterion.h>
#include <string.h>
#include "../grader.h"

#define NIC_MAC "00:16:3e:00:08:08"

static const struct hv_cfg nic = {
	.needs_virt = 1,
	.progress_timeout = 240,
	.timeout = 1500,
	.mem_mb = 320,
	.domains = {
		HV_DOM0("xl create e.cfg;xl create p.cfg;xl create -p nic.cfg;"
			"dm nic nic " NIC_MAC ";xl unpause nic;"
			"wait nic e p;wait nic e p;xl network-list;xl list;"
			"poweroff"),
		{ "nic", "name   = \"nic\"\ntype   = \"hvm\"\n"
			 "kernel = \"guests/nic.elf\"\nmemory = 16\n"
			 "extra  = \"ip=10.0.0.8 peer=10.0.0.9 mac=" NIC_MAC
			 "\"\n" },
		{ "e", "name   = \"e\"\ntype   = \"pv\"\n"
		       "container = \"hvm\"\n"
		       "kernel = \"guests/pv-net.elf\"\nmemory = 8\n"
		       "extra  = \"mode=echo ip=10.0.0.9\"\n"
		       "vif    = [ \"mac=00:16:3e:00:08:09,bridge=xenbr0\" ]\n" },
		{ "p", "name   = \"p\"\ntype   = \"pv\"\n"
		       "container = \"hvm\"\n"
		       "kernel = \"guests/pv-net.elf\"\nmemory = 8\n"
		       "extra  = \"mode=ping ip=10.0.0.10 peer=10.0.0.8 count=5\"\n"
		       "vif    = [ \"mac=00:16:3e:00:08:0a,bridge=xenbr0\" ]\n" },
	},
};

/* The card against a fake RAM on the host (test_rtl8139). */
Test(dm, nic_unit, .timeout = 300)
{
	expect_host_test("test_rtl8139", NULL);
}

/* The card on the PCI bus, and its MAC through both BARs. */
Test(dm, nic_pci, .timeout = 1800)
{
	static const char *const passes[] = {
		"an RTL8139 (10ec:8139) at 00:03.0",
		"its class is an Ethernet controller",
		"BAR0: ports at 0xc100, 256 of them",
		"BAR1: MMIO at 0xfebf0000, 256 bytes",
		"interrupt pin INTA#, line 11",
		"its ports answer once the command register enables them",
		"the card's reset ends",
		"BAR1's MMIO shows the same IDR0-5",
		"IDR0-5 read the MAC dom0 gave, " NIC_MAC,
		"TCR's hardware version is an RTL8139C's",
		"after the reset: receive and transmit on",
		NULL,
	};

	expect_guest_passed(hv_boot_group("nic", &nic), "nic", passes);
}

Test(dm, nic_isr_imr, .timeout = 1800)
{
	static const char *const passes[] = {
		"IMR 0: TOK and ROK in ISR",
		"ISR write 1 to clear: TOK cleared, ROK kept",
		"IMR unmasking a pending ROK raises the interrupt",
		"the ring is empty once read (CAPR 16 behind)",
		NULL,
	};

	expect_guest_passed(hv_boot_group("nic", &nic), "nic", passes);
}

/* Both ways through xenbr0: the card's frames reach netfront and back. */
Test(dm, nic_frames, .timeout = 1800)
{
	struct hv_run *r = hv_boot_group("nic", &nic);
	static const char *const passes[] = {
		"ping 10.0.0.9 through xenbr0: 10 replies intact",
		"UDP echoes through xenbr0 back intact",
		"interrupts delivered them",
		NULL,
	};
	static const char *const echo[] = {
		"vif 0 connected", "echo: served until told to stop",
		"echo: answered", "echo: no malformed frame arrived", NULL
	};

	expect_guest_passed(r, "nic", passes);
	expect_guest_passed(r, "e", echo);
	expect_output(r, "dm: nic: rtl8139 " NIC_MAC " at 00:03.0 on xenbr0");
}

/* The other way: a netfront domU pings the card's guest. */
Test(dm, nic_from_netfront, .timeout = 1800)
{
	struct hv_run *r = hv_boot_group("nic", &nic);
	static const char *const passes[] = {
		"served a netfront pinger until it said stop",
		"answered its echo requests",
		NULL,
	};
	static const char *const ping[] = {
		"vif 0 connected", "ping peer 10.0.0.8: 5 of 5 replies",
		"told 10.0.0.8 to stop", NULL
	};

	expect_guest_passed(r, "nic", passes);
	expect_guest_passed(r, "p", ping);
}

Test(dm, nic_ring_wrap, .timeout = 1800)
{
	static const char *const passes[] = {
		"the 8 KiB ring wrapped",
		"every frame's length is its IP header's",
		"no bad receive header",
		NULL,
	};

	expect_guest_passed(hv_boot_group("nic", &nic), "nic", passes);
}

/* A hostile driver gets error bits; the card and dom0 go on. */
Test(dm, nic_hostile, .timeout = 1800)
{
	struct hv_run *r = hv_boot_group("nic", &nic);
	static const char *const passes[] = {
		"TSAD outside the guest's RAM: TABT and ISR.TER",
		"TSAD straddling the end of its RAM: TABT and ISR.TER",
		"TSD size 4000 (over 1792): TABT and ISR.TER",
		"a receive ring outside its RAM: ISR.SERR",
		"after a reset the card works again",
		"bus mastering off: a transmit aborts",
		NULL,
	};

	expect_guest_passed(r, "nic", passes);
	hv_dom0_cmd(r, "poweroff", 1);
	expect_exit(r, 0);
}
