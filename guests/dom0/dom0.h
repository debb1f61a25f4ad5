/*
 * dom0.h - the privileged domain's toolstack (lab 6): a shell on the
 * hypervisor console with Xen's `xl` commands, over the management
 * hypercalls of inc/public/domctl.h.
 *
 *   main.c   start-up: the command line's commands, then the prompt
 *   shell.c  line editing and the command table
 *   xl.c     the xl subcommands
 *   hv.c     the hypercalls and console I/O they rest on
 */
#ifndef GUESTS_DOM0_DOM0_H
#define GUESTS_DOM0_DOM0_H

#include <inc/types.h>
#include <inc/public/xen.h>
#include <inc/public/domctl.h>

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

/* Ends dom0 (SCHEDOP_shutdown), and with it the machine. */
void dom0_poweroff(int status) __attribute__((noreturn));

/* shell.c */

/* Runs one command line ("xl list"); false for "poweroff". */
bool shell_run(char *line);

/* Reads and runs lines typed at the "dom0# " prompt, until poweroff. */
void shell_loop(void);

/* xl.c */

/* `xl ARGS...`: 0 or 1 (the error printed). */
int xl_main(int argc, char **argv);

/* A short name for hypercall error r ("ENOENT"). */
const char *xl_strerror(long r);

#endif
