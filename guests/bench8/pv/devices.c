/*
 * pv/devices.c - bench8's disk and NIC over Xen's split drivers: its
 * disk xvda through blkfront and its vif 0 through netfront, both served
 * by dom0's backends (guests/dom0), in a pv domain (pv/backend.c) or an
 * hvm one whose PV drivers pvhvm_init set up (hvm/backend.c).
 */
#include <guests/lib/pv.h>
#include <guests/lib/blkfront.h>
#include <guests/lib/gnttab.h>
#include <guests/lib/netfront.h>
#include <guests/lib/xs.h>
#include "../bench8.h"

#define XVDA 51712

static struct blkfront pv_blk;
static struct bench_disk pv_disk;
static struct bench_nic pv_nic;

static long pv_disk_io(void *dev, bool write, uint64_t sector, void *buf,
		       uint32_t nsect)
{
	return blkfront_io(dev, write ? BLKIF_OP_WRITE : BLKIF_OP_READ, sector,
			   buf, nsect);
}

static bool pv_nic_poll(void *dev, struct net_if *nif, volatile int *flag,
			uint64_t deadline_ns)
{
	return netfront_poll(dev, nif, flag, deadline_ns);
}

static void pv_disk_init(struct bench_env *env)
{
	long r = xs_init();

	if (r == 0)
		r = gnttab_init();
	if (r == 0)
		r = blkfront_init(&pv_blk, XVDA);
	if (r < 0) {
		env->no_disk = "xvda did not connect";
		return;
	}
	pv_disk = (struct bench_disk){ pv_blk.sectors, pv_disk_io, &pv_blk };
	env->disk = &pv_disk;
}

static void pv_nic_close(void *dev)
{
	netfront_close(dev, 5000 * BENCH8_MS);
}

/* A vif only when the command line gives the stream's peer. */
static void pv_nic_init(struct bench_env *env)
{
	char arg[20];
	struct netfront *nf;

	env->no_nic = "no peer= on the command line";
	if (!cmdline_get("peer", arg, sizeof(arg)))
		return;
	nf = netfront_init(0, 600000 * BENCH8_MS);
	env->no_nic = "vif 0 did not connect";
	if (!nf)
		return;
	memcpy(pv_nic.mac, nf->mac, ETH_ALEN);
	pv_nic.xmit = netfront_xmit;
	pv_nic.poll = pv_nic_poll;
	pv_nic.close = pv_nic_close;
	pv_nic.dev = nf;
	env->nic = &pv_nic;
}

void bench_pv_devices(struct bench_env *env)
{
	pv_disk_init(env);
	pv_nic_init(env);
}
