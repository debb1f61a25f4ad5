/*
 * console.h - console rings (kernel/console.c, lab 6): what the hypervisor
 * printed (`xl dmesg`), each domain's console output (`xl console`) and
 * input, and the machine's serial input for the privileged domain.
 */
#ifndef KERNEL_CONSOLE_H
#define KERNEL_CONSOLE_H

#include <inc/types.h>
#include <inc/public/xen.h>
#include <inc/public/domctl.h>

struct domain;

#define CONSOLE_INPUT_RING 256

/*
 * A byte ring that never blocks its writer: head counts every byte ever
 * written, so each reader keeps its own index and a reader that fell more
 * than size bytes behind resumes at the oldest byte still held.
 */
struct console_ring {
	char *buf;
	uint32_t size; /* a power of two */
	uint32_t head;
	uint32_t held; /* bytes it holds: min(written, size) */
};

/* A domain's console: output since it started, and input not read yet. */
struct domain_console {
	struct console_ring out, in;
	uint32_t in_read; /* the reader's index into in */
	char out_buf[XEN_CONSOLE_RING];
	char in_buf[CONSOLE_INPUT_RING];
};

/* Appends s[0..len) to r, overwriting the oldest bytes when full. */
void console_ring_put(struct console_ring *r, const char *s, size_t len);

/*
 * Copies up to len bytes of r from *index to buf, advancing *index;
 * returns the count.
 */
size_t console_ring_read(const struct console_ring *r, uint32_t *index,
			 char *buf, size_t len);

/* The hypervisor's own output ring (sysctl readconsole). */
extern struct console_ring console_hv_ring;

/* Empties dc and points its rings at its buffers (domain creation). */
void console_domain_init(struct domain_console *dc);

/*
 * Passes the machine's serial input (COM1) to domain_console_input():
 * dom0's console input, raising its VIRQ_CONSOLE, or an hvm domain's
 * UART receiver as it has room; bytes are dropped while neither runs.
 */
void console_poll(void);

#endif
