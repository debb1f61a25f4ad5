/*
 * driver-domain - a non-privileged pv domain that runs dom0's backends
 * (lab 7), as Xen's driver domains do: its config says driver_domain = 1
 * (the hypervisor lets it read disk images with XEN_SYSCTL_bootfile), and
 * a frontend's disk line with backend=NAME puts the device's backend
 * directory under this domain's xenstore path, where blkback finds it.
 * It serves until it is destroyed; a frontend then sees its I/O fail and
 * reconnects when a new driver domain comes up.
 */
#include <guests/lib/pv.h>
#include <guests/lib/gnttab.h>
#include <guests/lib/xs.h>
#include <guests/dom0/blkback.h>
#include <guests/dom0/netback.h>

#define DD_IDLE_NS 10000000ull /* xenstore's events wait at most this */

static volatile int dd_kicked;

/* The backends' event handler, as in dom0. */
void dom0_kick(evtchn_port_t port, void *arg)
{
	dd_kicked = 1;
}

void main(void)
{
	long r = xs_init();

	if (r == 0)
		r = gnttab_init();
	if (!report(r == 0, "driver domain: xenstore and grant table (%ld)", r))
		return;
	printf("driver-domain: serving\n");
	for (;;) {
		dd_kicked = 0;
		if (blkback_poll() | netback_poll())
			continue;
		/* Takes what the store sent without waiting; then sleeps
		 * until a ring's event, or a while for the store's. */
		xs_wait_event(pv_time_ns());
		pv_block_until(&dd_kicked, pv_time_ns() + DD_IDLE_NS);
	}
}
