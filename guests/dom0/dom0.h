/*
 * dom0.h - the privileged domain's toolstack (lab 6): a shell on the
 * hypervisor console with Xen's `xl` commands, over the management
 * hypercalls of inc/public/domctl.h.
 *
 *   main.c   start-up: the command line's commands, then the prompt
 *   shell.c  line editing and the command table
 *   xl.c     the xl subcommands
 *   hv.c     the hypercalls and console I/O they rest on, the waits
 *   toolstack.c  lab 7: xenstore entries of the domains xl creates,
 *            their deaths and restarts; the xenstore-* commands
 *   xenstored*.c, xs_local.c  lab 7: the xenstore daemon
 *   dm*.c    the device model of hvm domains (ioreq forwarding; dm.h)
 */
#ifndef GUESTS_DOM0_DOM0_H
#define GUESTS_DOM0_DOM0_H

#include <inc/types.h>
#include <inc/public/xen.h>
#include <inc/public/domctl.h>
#include <inc/public/event_channel.h>

#define DOM0_ARGS_MAX 8
#define CTRL(c)	      ((c)&0x1f)

/* hv.c */

/* Sets up the console's input event; call once before the rest. */
void dom0_hv_init(void);

/* __HYPERVISOR_domctl / __HYPERVISOR_sysctl with the interface version
 * filled in; 0 or -XEN_E*. */
long dom0_domctl(struct xen_domctl *op);
long dom0_sysctl(struct xen_sysctl *op);

/* Up to len bytes of serial input without waiting; the count. */
size_t dom0_read(char *buf, size_t len);

/* Waits until serial input arrives or ms milliseconds pass. */
void dom0_wait(unsigned ms);

/* Serves until done() (NULL: never) holds or deadline_ns (system time)
 * passes; whether done() held. */
bool dom0_wait_until(bool (*done)(void), uint64_t deadline_ns);

/* An event handler for the services' ports: ends the current wait so
 * that the services run. */
void dom0_kick(evtchn_port_t port, void *arg);

/* Gives back dom0's n frames from page-aligned pages, so that foreign
 * frames can be shown there; 0 or -XEN_E*. */
#define DOM0_RELEASE_MAX 32
long dom0_frames_release(void *pages, unsigned n);

/* Shows frame gfn of domain dom at dom0's absent frame page
 * (XENMAPSPACE_gmfn_foreign); 0 or -XEN_E*. */
long dom0_map_foreign(domid_t dom, uint64_t gfn, void *page);

/* Makes dom0's frame page absent again (XENMEM_remove_from_physmap). */
void dom0_unmap(void *page);

/* main.c */

/* Runs the services (xenstored, the backends) until none has work, or
 * DOM0_SERVE_ROUNDS times; whether work is left.  A service with work
 * left has not asked for an event (a backend's budget ran out before it
 * set req_event), so the caller must not block until it ran again. */
bool dom0_serve(void);

/* xenstored_ring.c: serves the domains' xenstore rings; true if it did
 * work. */
bool xenstored_poll(void);

/* toolstack.c */

/* Starts xenstored and binds VIRQ_DOM_EXC; 0 or -XEN_E*. */
long toolstack_init(void);

/* Handles domains that died since the last call; true if any did. */
bool toolstack_poll(void);

/* Whether a domain died and toolstack_poll has not handled it yet: its
 * shared pages may be gone from dom0's memory. */
bool toolstack_deaths_pending(void);

/* After XEN_DOMCTL_createdomain of domid from config: introduces it to
 * xenstored, writes its entries and devices, unpauses it when asked
 * (not for xl create -p); 0 or 1 (the error printed). */
int toolstack_setup(domid_t domid, const char *config, uint32_t on_crash,
		    bool unpause);

/* Forgets domid's xenstore entries (xl destroy). */
void toolstack_forget(domid_t domid);

/* xenstore-ls, -read, -write, -rm ARGS: 0 or 1; -1 if argv[0] is none
 * of them. */
int toolstack_xenstore_cmd(int argc, char **argv);

/* Ends dom0 (SCHEDOP_shutdown), and with it the machine. */
void dom0_poweroff(int status) __attribute__((noreturn));

/* dm.c: the device model (issue 16, dm.h) */

/* `dm NAME [hang|garbage|DEVICE ARGS...]`: serves a device of NAME (the
 * test device when none is named); 0 or 1. */
int dm_main(int argc, char **argv);

/* Answers the requests of the domains it serves; true if it did work. */
bool dm_poll(void);

/* domid ended: its shared page goes (toolstack_forget). */
void dm_forget(domid_t domid);

/* shell.c */

/* Runs one command line ("xl list"); false for "poweroff". */
bool shell_run(char *line);

/* Reads and runs lines typed at the "dom0# " prompt, until poweroff. */
void shell_loop(void);

/* xl.c */

/* `xl ARGS...`: 0 or 1 (the error printed). */
int xl_main(int argc, char **argv);

/* The domain NAME or ID names: its id, or -XEN_ESRCH. */
long xl_lookup(const char *what);

/* Whether the domain NAME or ID names has ended (or never was). */
bool xl_ended(const char *what);

/* A short name for hypercall error r ("ENOENT"). */
const char *xl_strerror(long r);

#endif
