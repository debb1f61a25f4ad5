/*
 * bench.h - `make bench-exits`, `make bench-exit-path` and `make
 * bench-linux` (kernel/bench.c): per-exit-kind counts and timings, active
 * with "bench" on the boot command line ("bench=exit-path" adds the bare
 * loop).
 */
#ifndef KERNEL_BENCH_H
#define KERNEL_BENCH_H

#include <inc/types.h>
#include <kernel/virt.h>

struct domain;
struct vcpu;

/* What `make lab8` counts per domain besides exits and hypercalls:
 * d->counts[BENCH_*]++ where each happens, printed by bench_report. */
enum bench_event {
	BENCH_EVTCHN_SEND, /* EVTCHNOP_send: notifications */
	BENCH_IOREQ,	   /* accesses forwarded to a device model */
	BENCH_GRANT_MAP,   /* GNTTABOP_map_grant_ref */
	BENCH_GRANT_COPY,  /* GNTTABOP_copy segments */
	BENCH_SHADOW_FAULT,
	BENCH_NEVENTS
};

void bench_exit(struct vcpu *v, enum exit_kind k);
void bench_console_line(struct domain *d, const char *line);
void bench_report(void);
/* exit_state=alternate (lab 8): v's slice begins (in) or ends, lazy or
 * not; counts its exits and virt_world_ops (kernel/virt.c). */
void bench_slice(struct vcpu *v, bool in);

#endif
