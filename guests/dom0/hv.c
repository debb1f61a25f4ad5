/*
 * hv.c - what dom0's toolstack asks of the hypervisor (lab 6): the
 * management hypercalls with hvlab's interface version, and the serial
 * console, read through CONSOLEIO_read and waited for on VIRQ_CONSOLE.
 * Lab 7: dom0 is also a server, so every wait runs its services (main.c's
 * dom0_services: xenstored, the backends) until their events go quiet.
 */
#include "dom0.h"
#include <guests/lib/pv.h>

static volatile int dom0_input; /* VIRQ_CONSOLE since the last read */
static volatile int dom0_woken; /* any event since the services last ran */

static void dom0_on_console(evtchn_port_t port, void *arg)
{
	dom0_input = 1;
	dom0_woken = 1;
}

void dom0_kick(evtchn_port_t port, void *arg)
{
	dom0_woken = 1;
}

static bool dom0_input_came(void)
{
	return dom0_input;
}

void dom0_hv_init(void)
{
	long r = evtchn_bind_virq(VIRQ_CONSOLE, 0, dom0_on_console, NULL);

	if (r < 0)
		printf("dom0: VIRQ_CONSOLE: %s; input is polled\n",
		       xl_strerror(r));
}

long dom0_domctl(struct xen_domctl *op)
{
	op->interface_version = XEN_DOMCTL_INTERFACE_VERSION;
	return HYPERVISOR_domctl(op);
}

long dom0_sysctl(struct xen_sysctl *op)
{
	op->interface_version = XEN_SYSCTL_INTERFACE_VERSION;
	return HYPERVISOR_sysctl(op);
}

size_t dom0_read(char *buf, size_t len)
{
	long r;

	/* Cleared first: input arriving after the read sets it again. */
	dom0_input = 0;
	pv_console_flush();
	r = HYPERVISOR_console_io(CONSOLEIO_read, (int)len, buf);
	return r > 0 ? (size_t)r : 0;
}

bool dom0_wait_until(bool (*done)(void), uint64_t deadline_ns)
{
	for (;;) {
		/* Cleared before serving: an event during it wakes us again. */
		dom0_woken = 0;
		bool left = dom0_serve();

		if ((done && done()) || pv_time_ns() >= deadline_ns)
			return done && done();
		if (left)
			HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
		else
			pv_block_until(&dom0_woken, deadline_ns);
	}
}

void dom0_wait(unsigned ms)
{
	dom0_wait_until(dom0_input_came, pv_time_ns() + ms * 1000000ULL);
}

void dom0_poweroff(int status)
{
	guest_exit(status);
}

long dom0_frames_release(void *pages, unsigned n)
{
	static uint64_t gfns[DOM0_RELEASE_MAX];
	struct xen_memory_reservation res = {
		.extent_start = (uintptr_t)gfns,
		.nr_extents = n,
		.domid = DOMID_SELF,
	};
	long r;

	if (n > DOM0_RELEASE_MAX)
		return -XEN_EINVAL;
	for (unsigned i = 0; i < n; i++)
		gfns[i] = ((uintptr_t)pages >> 12) + i;
	r = HYPERVISOR_memory_op(XENMEM_decrease_reservation, &res);
	return r == n ? 0 : r < 0 ? r : -XEN_ENOMEM;
}

long dom0_map_foreign(domid_t dom, uint64_t gfn, void *page)
{
	uint64_t idx = gfn, gpfn = (uintptr_t)page >> 12;
	int err = 0;
	struct xen_add_to_physmap_batch b = {
		.domid = DOMID_SELF,
		.space = XENMAPSPACE_gmfn_foreign,
		.size = 1,
		.foreign_domid = dom,
		.idxs = (uintptr_t)&idx,
		.gpfns = (uintptr_t)&gpfn,
		.errs = (uintptr_t)&err,
	};
	long r = HYPERVISOR_memory_op(XENMEM_add_to_physmap_batch, &b);

	return r < 0 ? r : err;
}

void dom0_unmap(void *page)
{
	struct xen_remove_from_physmap rm = {
		.domid = DOMID_SELF,
		.gpfn = (uintptr_t)page >> 12,
	};

	HYPERVISOR_memory_op(XENMEM_remove_from_physmap, &rm);
}
