/*
 * uart.h - an emulated 16550A UART per domain (kernel/dev/uart.c, labs 2
 * and 3).
 */
#ifndef KERNEL_UART_H
#define KERNEL_UART_H

#include <inc/types.h>

struct domain;

#define UART_LINE_MAX  160
#define UART_FIFO_SIZE 16

struct uart {
	uint8_t ier, lcr, mcr, scr, dll, dlm, fcr;
	uint8_t lsr_err;   /* LSR.OE until LSR is read */
	uint8_t msr_delta; /* MSR bits 3:0 until MSR is read */
	bool thre_pending; /* the THRE interrupt, until IIR or THR clears it */
	bool irq_level;	   /* what it drives onto its ISA line */
	uint8_t rx[UART_FIFO_SIZE];
	uint8_t rx_head, rx_count;
	char line[UART_LINE_MAX + 1]; /* room for a NUL */
	size_t len;
};

/* Resets u and claims the 8 ports at COM1 in d; 0 or -E_*. */
int uart_init(struct domain *d, struct uart *u);

/*
 * Adds ch to d's console output as the guest's transmitter does: a line
 * at each '\n' or when full, '\r' dropped, unprintable bytes as '?'.
 * The UART's THR and PV console writes (pv/xen.c) share it.
 */
void uart_put(struct domain *d, struct uart *u, uint8_t ch);

/* Prints whatever is buffered as a last, unterminated line. */
void uart_flush(struct domain *d, struct uart *u);

/* How many bytes u's receiver takes from its serial input now: 0 in
 * loopback mode, where the input is disconnected. */
unsigned uart_rx_room(const struct uart *u);

/* Byte ch arrives at u's serial input; the caller checked uart_rx_room. */
void uart_receive(struct domain *d, struct uart *u, uint8_t ch);

#endif
