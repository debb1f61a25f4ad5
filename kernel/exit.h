/*
 * exit.h - the vendor-neutral exit handlers (kernel/exit.c, lab 3).
 */
#ifndef KERNEL_EXIT_H
#define KERNEL_EXIT_H

#include <kernel/virt.h>

/* Handles v->exit; the vcpu's state says whether it may go on. */
void exit_dispatch(struct vcpu *v);

/* A short name for an exit kind, for logs and statistics ("cpuid"); "?". */
const char *exit_kind_name(enum exit_kind k);

/*
 * The guest accessed guest-physical v->exit.gpa, which no RAM or ROM
 * backs (nested_fault, shadow paging): an emulated device's range is
 * emulated, anything else crashes the domain.
 */
void exit_gpa_fault(struct vcpu *v);

#endif
