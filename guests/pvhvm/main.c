/*
 * pvhvm - PV drivers in an hvm domain (lab 7): a guest of the Multiboot
 * start code, booted with xen_platform = 1, sets up Xen as Linux's PVHVM
 * start does (pvhvm_init, guests/lib/pvhvm.c), then uses its disk xvda
 * through blkfront and its vif 0 through netfront, both served by
 * dom0's backends, every event on the callback vector.  Command line:
 *   ip=IP      this domain's address on dom0's bridge (dom0 is 10.0.0.1)
 */
#include <guests/lib/pv.h>
#include <guests/lib/blkfront.h>
#include <guests/lib/gnttab.h>
#include <guests/lib/netfront.h>
#include <guests/lib/xs.h>

#define XVDA		 51712
#define XEN_PLATFORM_BDF 0x10 /* 00:02.0 */
#define PCI_BAR1	 0x14
#define MS		 1000000ULL
#define DOM0_IP		 0x0a000001
#define PING_ID		 0x4856
#define PING_DATA	 32
#define PINGS		 5
#define DISK_SECT	 256 /* 128 KiB: requests of 11 pages and less */

static uint8_t wbuf[DISK_SECT * 512] __attribute__((aligned(4096)));
static uint8_t rbuf[DISK_SECT * 512] __attribute__((aligned(4096)));

/* Xen's leaves above hvlab's, and the grant table in BAR1. */
static void check_platform(void)
{
	uint32_t bar1 = pci_conf_read(XEN_PLATFORM_BDF, PCI_BAR1) & ~0xfu;

	report(pv_boot.cpuid_base == 0x40000100,
	       "Xen's CPUID leaves above hvlab's, at 0x%x", pv_boot.cpuid_base);
	report((uintptr_t)gnttab_entry(0) == bar1,
	       "the grant table in the platform device's BAR1 (0x%x)", bar1);
}

/* A pattern written to xvda and read back, each way through the ring. */
static void check_disk(void)
{
	static struct blkfront bf;
	unsigned upcalls = evtchn_upcalls();
	long r;

	if (!report_eq(xs_init(), 0, "xenstore from HVM_PARAM_STORE_*") ||
	    !report_eq(blkfront_init(&bf, XVDA), 0, "xvda connected"))
		return;
	for (size_t i = 0; i < sizeof(wbuf); i++)
		wbuf[i] = (uint8_t)(i * 7 + i / 512);
	r = blkfront_io(&bf, BLKIF_OP_WRITE, 8, wbuf, DISK_SECT);
	report_eq(r, 0, "wrote %u sectors through blkfront", DISK_SECT);
	r = blkfront_io(&bf, BLKIF_OP_READ, 8, rbuf, DISK_SECT);
	report(r == 0 && memcmp(wbuf, rbuf, sizeof(rbuf)) == 0,
	       "read them back intact");
	report(evtchn_count(bf.port) > 0 && evtchn_upcalls() > upcalls,
	       "the disk's events came on vector 0x%x (%u upcalls)",
	       PV_UPCALL_VECTOR, evtchn_upcalls() - upcalls);
	blkfront_close(&bf);
}

static volatile int pong;
static uint16_t pong_seq;

static void on_echo(struct net_if *n, uint32_t src, uint16_t id, uint16_t seq,
		    const uint8_t *data, size_t len)
{
	if (src == DOM0_IP && id == PING_ID && len == PING_DATA &&
	    data[0] == (uint8_t)seq) {
		pong_seq = seq;
		pong = 1;
	}
}

/* Echo request seq to dom0; whether its reply came within 20 s (ARP
 * first, on a slow emulator). */
static bool ping_dom0(struct netfront *nf, struct net_if *nif, uint16_t seq)
{
	uint8_t data[PING_DATA];
	uint64_t end = pv_time_ns() + 20000 * MS;

	memset(data, (uint8_t)seq, sizeof(data));
	pong = 0;
	while (net_ping_send(nif, DOM0_IP, PING_ID, seq, data, sizeof(data)) ==
		       -XEN_EAGAIN &&
	       pv_time_ns() < end)
		netfront_poll(nf, nif, NULL, pv_time_ns() + 20 * MS);
	while (netfront_poll(nf, nif, &pong, end))
		if (pong_seq == seq)
			return true;
		else
			pong = 0;
	return false;
}

/* Pings dom0 through netfront and its bridge. */
static void check_net(void)
{
	static struct net_if nif;
	struct netfront *nf;
	unsigned upcalls = evtchn_upcalls(), got = 0;
	char arg[20];
	uint32_t ip;

	if (!report(cmdline_get("ip", arg, sizeof(arg)) &&
			    net_parse_ip(arg, &ip),
		    "ip= gives this domain's address"))
		return;
	nf = netfront_init(0, 60000 * MS);
	if (!report(nf, "vif 0 connected"))
		return;
	net_if_init(&nif, nf->mac, ip, netfront_xmit, nf);
	nif.on_echo = on_echo;
	for (uint16_t seq = 0; seq < PINGS; seq++)
		got += ping_dom0(nf, &nif, seq);
	report_eq(got, PINGS, "ping dom0 10.0.0.1 through netfront");
	report(evtchn_count(nf->port) > 0 && evtchn_upcalls() > upcalls,
	       "the vif's events came on vector 0x%x (%u upcalls)",
	       PV_UPCALL_VECTOR, evtchn_upcalls() - upcalls);
	netfront_close(nf, 5000 * MS);
}

void main(void)
{
	long r = pvhvm_init();

	if (!report_eq(r, 0, "PV drivers set up on the Xen platform"))
		return;
	check_platform();
	check_disk();
	check_net();
}
