/*
 * gdbstub.h - GDB's remote serial protocol for the one domain whose config
 * says gdb = 1 (kernel/gdbstub.c), on the machine's COM2.
 */
#ifndef KERNEL_GDBSTUB_H
#define KERNEL_GDBSTUB_H

#include <inc/types.h>

struct domain;
struct vcpu;

/*
 * Domain d, just started, is the one GDB debugs: it waits, stopped, for
 * GDB's first continue.  Without a UART at COM2 it runs undebugged.
 */
void gdbstub_attach(struct domain *d);

/* Whether d's vcpus are held, stopped for GDB: the scheduler skips d. */
bool gdbstub_holds(const struct domain *d);

/* EXIT_DEBUG (kernel/exit.c): v's #BP or #DB, GDB's or the guest's own. */
void gdbstub_exit(struct vcpu *v);

/* Serves what GDB sent on COM2; the scheduler calls it between slices. */
void gdbstub_poll(void);

#endif
