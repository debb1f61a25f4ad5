/*
 * debugexit.h - the port-0xf4 exit device (kernel/dev/debugexit.c): a
 * guest writes its exit status there, as to QEMU's isa-debug-exit.
 */
#ifndef KERNEL_DEV_DEBUGEXIT_H
#define KERNEL_DEV_DEBUGEXIT_H

struct domain;

/* Gives d the exit device; 0 or -E_*. */
int debugexit_init(struct domain *d);

#endif
