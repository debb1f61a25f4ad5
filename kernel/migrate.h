/*
 * migrate.h - save, restore and live migration of an hvm domain within
 * one hvlab (kernel/migrate.c, lab 5).
 *
 * A domain is moved as a stream of records, as Xen's save format does:
 * its frames (type and contents), then its vcpus (registers, MSRs, XSAVE
 * state, pending event, local APIC) and devices.  Live migration sends
 * every populated frame while the source runs, then in rounds the frames
 * the dirty log (kernel/mm/nested.h) says were written since, and stops
 * the source only for the last few frames and the vcpu state; the
 * destination, created empty from the same config as "NAME--incoming",
 * then takes the source's name and runs, and the source is destroyed.
 * Save writes the stream to an image in host memory, destroys the
 * domain, and restore builds a new one from the image.
 *
 * Triggered by a domain's config (migrate_after = SECONDS, save_after =
 * SECONDS) or the hypervisor command line (migrate=NAME:SECONDS,
 * save=NAME:SECONDS).  Each migration prints its rounds, the frames sent
 * in each, and the downtime.
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
