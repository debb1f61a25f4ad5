/*
 * uart.h - an emulated 16550A UART per domain (labs 2 and 3).  What the guest
 * transmits appears in the hypervisor log, one line at a time, prefixed by
 * the domain's name.
 */
#ifndef KERNEL_UART_H
#define KERNEL_UART_H

#include <inc/types.h>

struct domain;

#define UART_COM1_BASE 0x3f8
#define UART_LINE_MAX  160

struct uart {
	uint8_t ier, lcr, mcr, scr, dll, dlm, fcr;
	char line[UART_LINE_MAX + 1]; /* room for a NUL */
	size_t len;
};

/* Resets u and claims the 8 ports at base in d; 0 or -E_*. */
int uart_init(struct domain *d, struct uart *u, uint16_t base);

/*
 * Adds ch to d's console output as the guest's transmitter does: a line
 * at each '\n' or when full, '\r' dropped, unprintable bytes as '?'.
 * The UART's THR and PV console writes (pv/xen.c) share it.
 */
void uart_put(struct domain *d, struct uart *u, uint8_t ch);

/* Prints whatever is buffered as a last, unterminated line. */
void uart_flush(struct domain *d, struct uart *u);

#endif
