/*
 * console.c - the HVM guest console: COM1 as a polled 16550 UART (PC16550D
 * data sheet, registers THR/LSR/LCR/DLL/DLM), the way the emulated UART of
 * lab 3 and QEMU's serial port both expect to be driven.
 */
#include <guests/lib/guest.h>

#define UART_THR 0
#define UART_IER 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define LSR_THRE 0x20
#define LCR_DLAB 0x80

void cons_init(void)
{
	outb(COM1 + UART_IER, 0);
	outb(COM1 + UART_LCR, LCR_DLAB);
	outb(COM1 + 0, 1); /* divisor 1: 115200 baud */
	outb(COM1 + 1, 0);
	outb(COM1 + UART_LCR, 0x03); /* 8N1 */
	outb(COM1 + UART_FCR, 0);
	outb(COM1 + UART_MCR, 0x03);
}

void cons_putc(int ch)
{
	/* A bounded wait: a UART that never drains must not hang the guest. */
	for (int i = 0; i < 100000 && !(inb(COM1 + UART_LSR) & LSR_THRE); i++)
		pause();
	outb(COM1 + UART_THR, ch);
}
