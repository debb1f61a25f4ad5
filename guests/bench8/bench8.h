/*
 * bench8.h - the lab-8 benchmark guest (make lab8): the seeds' four
 * workloads (sysbench's primes, bonnie's many small and few large files,
 * netperf's stream) written once against the small interface below.  Each
 * way of running it links one backend that fills struct bench_env:
 *   hvm/backend.c  natively (QEMU -kernel) and as an hvm domain: the
 *                  TSC against the PIT, the PC's own disk and NIC; or,
 *                  in an hvm domain with the Xen platform device, PV
 *                  drivers as pv/backend.c's (pvhvm_init);
 *   pv/backend.c   a pv domain in either container, in dom0's care:
 *                  Xen's clock, blkfront and netfront (pv/devices.c);
 *   dom0/backend.c dom0's bench8 command: an image in blkback's store
 *                  and dom0's own port on xenbr0.
 * A backend without a disk or a NIC says why, and the workload prints
 * "bench8: skip TEST: REASON" instead of a figure.
 */
#ifndef GUESTS_BENCH8_H
#define GUESTS_BENCH8_H

#include <guests/lib/guest.h>
#include <guests/lib/net.h>

#define BENCH8_SECTOR 512
#define BENCH8_MS     1000000ULL

/* A disk of sectors sectors of BENCH8_SECTOR bytes. */
struct bench_disk {
	uint64_t sectors;
	/* Reads or writes nsect sectors from sector at buf (page-aligned,
	 * at most BENCH8_IO_MAX bytes): 0 or negative. */
	long (*io)(void *dev, bool write, uint64_t sector, void *buf,
		   uint32_t nsect);
	void *dev;
};

#define BENCH8_IO_MAX (64 * 1024)

/* A NIC: frames out through xmit, in through poll, which feeds them to
 * nif until *flag is set (flag may be NULL) or deadline_ns passes; poll
 * returns whether *flag was set.  A backend whose stack exists already
 * (dom0's own port on its bridge) gives it as nif, and its address is
 * used instead of ip=. */
struct bench_nic {
	struct net_if *nif;
	uint8_t mac[ETH_ALEN];
	net_xmit_t xmit;
	bool (*poll)(void *dev, struct net_if *nif, volatile int *flag,
		     uint64_t deadline_ns);
	void (*close)(void *dev); /* once its frames are all sent */
	void *dev;
};

struct bench_env {
	const char *name;	  /* the backend: "hvm" or "pv" */
	uint64_t (*now_ns)(void); /* monotonic time */
	struct bench_disk *disk;  /* NULL: no disk, */
	const char *no_disk;	  /* and why */
	struct bench_nic *nic;	  /* NULL: no NIC, */
	const char *no_nic;	  /* and why */
};

/* The backend: fills env, connecting the devices it has. */
void bench_backend_init(struct bench_env *env);

/* pv/devices.c: env's disk (xvda, blkfront) and NIC (vif 0, netfront,
 * when the command line gives peer=) once Xen's events, clock and grant
 * table are set up. */
void bench_pv_devices(struct bench_env *env);

/* cpu.c: the primes below n (sysbench --cpu-max-prime=n). */
uint64_t bench_primes(uint64_t n);

/* fs.c: the bonnie workloads on env->disk, each printing its result. */
void bench_small_files(struct bench_env *env, unsigned nfiles,
		       unsigned file_kib);
void bench_large_files(struct bench_env *env, unsigned nfiles,
		       unsigned file_mib);

/* stream.c: count datagrams of NET_UDP_MAX bytes to the echo peer at
 * peer (guests/pv-net mode=echo's stream protocol), from address ip. */
void bench_stream(struct bench_env *env, uint32_t ip, uint32_t peer,
		  uint32_t count);

/* main.c: the workloads the command line asks for, on the backend's
 * devices (a guest's main, dom0's bench8 command). */
void bench8_main(void);

/* main.c: "bench8: result TEST ns=NS work=W UNIT" for make lab8. */
void bench_result(const char *test, uint64_t ns, uint64_t work,
		  const char *unit);

#endif
