/*
 * exit.h - the vendor-neutral exit handlers (kernel/exit.c, lab 3).
 */
#ifndef KERNEL_EXIT_H
#define KERNEL_EXIT_H

struct vcpu;

/* Handles v->exit; the vcpu's state says whether it may go on. */
void exit_dispatch(struct vcpu *v);

#endif
