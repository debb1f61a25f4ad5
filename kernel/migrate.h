/*
 * migrate.h - save, restore and live migration of an hvm domain within
 * one hvlab (kernel/migrate.c, lab 5; labs/lab5.md tells the design): a
 * stream of records, as Xen's save format, of its frames, then its vcpus
 * and devices.  The destination is created empty from the same config as
 * "NAME--incoming"; save writes the stream to an image in host memory,
 * destroys the domain, and restore builds a new one from the image.
 */
#ifndef KERNEL_MIGRATE_H
#define KERNEL_MIGRATE_H

#include <inc/types.h>

struct domain;

/*
 * Arms the migration or save that d's config or the command line asks
 * for, due that many seconds from now.  Returns 0, or -E_NOT_SUPP when d
 * cannot be moved (not hvm with nested paging) or -E_RANGE when too many
 * are armed, with the reason printed.
 */
int migrate_arm(struct domain *d);

/*
 * Called by the scheduler between slices: starts the migrations that are
 * due and runs one bounded step (a batch of frames, or the final
 * stop-and-copy) of each in progress, so that the guests keep running.
 */
void migrate_tick(void);

/* Whether d is a destination still waiting for its state (not run). */
bool migrate_incoming(const struct domain *d);

#endif
