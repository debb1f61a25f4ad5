/*
 * inc/public/sched.h - __HYPERVISOR_sched_op(cmd, arg): giving up the
 * CPU and ending the domain (xen/include/public/sched.h).  Needs
 * inc/public/event_channel.h first.
 *
 * SCHEDOP_block returns when an event is pending for the vcpu (it clears
 * evtchn_upcall_mask first, as Xen's does); SCHEDOP_poll when one of the
 * ports is pending or at timeout (system time in ns, 0: none).
 *
 *	struct sched_shutdown s = { SHUTDOWN_poweroff };
 *	hypercall(__HYPERVISOR_sched_op, SCHEDOP_shutdown, &s);
 */
#ifndef INC_PUBLIC_SCHED_H
#define INC_PUBLIC_SCHED_H

#define SCHEDOP_yield	      0 /* arg unused */
#define SCHEDOP_block	      1 /* arg unused */
#define SCHEDOP_shutdown      2 /* struct sched_shutdown */
#define SCHEDOP_poll	      3 /* struct sched_poll */
#define SCHEDOP_shutdown_code 5 /* struct sched_shutdown: the code, no end */

#define SHUTDOWN_poweroff 0 /* the domain exits with status 0 */
#define SHUTDOWN_reboot	  1
#define SHUTDOWN_suspend  2
#define SHUTDOWN_crash	  3 /* the domain crashed itself */
#define SHUTDOWN_watchdog 4

struct sched_shutdown {
	uint32_t reason; /* SHUTDOWN_* */
};

struct sched_poll {
	uint64_t ports; /* guest address of evtchn_port_t[nr_ports] */
	uint32_t nr_ports;
	uint32_t pad;
	uint64_t timeout;
};

_Static_assert(sizeof(struct sched_poll) == 24, "sched_poll");

#endif
