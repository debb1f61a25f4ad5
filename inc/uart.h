/*
 * uart.h - the 16550 UART's registers and bits (PC16550D data sheet,
 * Table II): the machine's COM ports and each domain's (kernel/dev/uart.c).
 */
#ifndef INC_UART_H
#define INC_UART_H

#define COM1 0x3f8 /* the PC's I/O port bases */
#define COM2 0x2f8

/* Offsets from the base; LCR.DLAB switches offsets 0 and 1. */
#define UART_RBR_THR 0 /* receive buffer, transmit holding (DLAB=0) */
#define UART_DLL     0 /* divisor latch low (DLAB=1) */
#define UART_IER     1 /* interrupt enable (DLAB=0) */
#define UART_DLM     1 /* divisor latch high (DLAB=1) */
#define UART_IIR_FCR 2 /* interrupt identification (read), FIFO control */
#define UART_LCR     3 /* line control */
#define UART_MCR     4 /* modem control */
#define UART_LSR     5 /* line status */
#define UART_MSR     6 /* modem status */
#define UART_SCR     7 /* scratch */

#define UART_IER_ERBFI	     0x01 /* received data available */
#define UART_IER_ETBEI	     0x02 /* THR empty */
#define UART_IER_ELSI	     0x04 /* receiver line status */
#define UART_IER_EDSSI	     0x08 /* modem status */
#define UART_IIR_MODEM	     0x00
#define UART_IIR_NONE	     0x01
#define UART_IIR_THRE	     0x02
#define UART_IIR_RX_DATA     0x04
#define UART_IIR_LINE	     0x06
#define UART_IIR_RX_TIMEOUT  0x0c
#define UART_IIR_FIFO	     0xc0
#define UART_FCR_ENABLE	     0x01
#define UART_FCR_RX_RESET    0x02
#define UART_LCR_8N1	     0x03
#define UART_LCR_DLAB	     0x80
#define UART_MCR_OUT2	     0x08
#define UART_MCR_LOOP	     0x10
#define UART_LSR_DR	     0x01 /* data ready */
#define UART_LSR_OE	     0x02 /* overrun */
#define UART_LSR_THRE	     0x20 /* transmit holding register empty */
#define UART_LSR_TEMT	     0x40 /* transmitter empty */
#define UART_MSR_RI	     0x40
#define UART_MSR_DCD_DSR_CTS 0xb0

#endif
