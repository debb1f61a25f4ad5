/*
 * dom0/backend.c - bench8 in dom0 (its shell's bench8 command): the
 * seeds' Dom0 row.  dom0 reaches the disk and the network as its
 * backends do, with no ring between: the disk is an image in blkback's
 * store (disk=PATH, an image a domain's disk line loaded), the NIC is
 * dom0's own port on xenbr0 (netback's local interface), and waiting for
 * a frame serves every backend meanwhile.
 */
#include <guests/lib/pv.h>
#include <guests/dom0/blkback.h>
#include <guests/dom0/dom0.h>
#include <guests/dom0/netback.h>
#include "../bench8.h"

static struct bench_disk d0_disk;
static struct bench_nic d0_nic;
static volatile int *d0_flag;

static long d0_disk_io(void *dev, bool write, uint64_t sector, void *buf,
		       uint32_t nsect)
{
	struct blkback_disk *k = dev;
	uint8_t *p = k->data + sector * BENCH8_SECTOR;

	if (sector + nsect > k->sectors)
		return -1;
	if (write)
		memcpy(p, buf, nsect * BENCH8_SECTOR);
	else
		memcpy(buf, p, nsect * BENCH8_SECTOR);
	return 0;
}

static bool d0_flag_set(void)
{
	return d0_flag && *d0_flag;
}

static bool d0_nic_poll(void *dev, struct net_if *nif, volatile int *flag,
			uint64_t deadline_ns)
{
	d0_flag = flag;
	return dom0_wait_until(d0_flag_set, deadline_ns);
}

void bench_backend_init(struct bench_env *env)
{
	char path[48];
	struct blkback_disk *k;

	env->name = "dom0";
	env->now_ns = pv_time_ns;
	env->no_disk = "no disk= image on the command line";
	if (cmdline_get("disk", path, sizeof(path))) {
		k = blkback_disk_get(path);
		env->no_disk = "the disk= image cannot be loaded";
		d0_disk = (struct bench_disk){ k ? k->sectors : 0, d0_disk_io,
					       k };
		env->disk = k ? &d0_disk : NULL;
	}
	dom0_serve(); /* starts the backends, xenbr0 with them */
	d0_nic.nif = netback_local();
	d0_nic.poll = d0_nic_poll;
	env->nic = d0_nic.nif ? &d0_nic : NULL;
	env->no_nic = "dom0 is not on xenbr0";
}
