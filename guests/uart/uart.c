/*
 * uart.c - I/O to an emulated device (lab 3): the 16550 at COM1 through
 * port I/O exits, its scratch register, line status and interrupt
 * enable register (PC16550D data sheet).
 */
#include <guests/lib/guest.h>

#define UART_IER 1
#define UART_LCR 3
#define UART_LSR 5
#define UART_SCR 7
#define LSR_THRE 0x20
#define LSR_TEMT 0x40

void main(void)
{
	static const uint8_t pattern[] = { 0x00, 0x5a, 0xa5, 0xff };
	bool scr_ok = true;

	for (unsigned i = 0; i < ARRAY_SIZE(pattern); i++) {
		outb(COM1 + UART_SCR, pattern[i]);
		scr_ok &= inb(COM1 + UART_SCR) == pattern[i];
	}
	report(scr_ok, "scratch register keeps what was written");
	report((inb(COM1 + UART_LSR) & (LSR_THRE | LSR_TEMT)) ==
		       (LSR_THRE | LSR_TEMT),
	       "LSR: transmitter empty when idle");
	report(inb(COM1 + UART_LCR) == 0x03, "LCR reads back 8N1");
	outb(COM1 + UART_IER, 0x05);
	report((inb(COM1 + UART_IER) & 0x0f) == 0x05, "IER reads back 0x05");
	outb(COM1 + UART_IER, 0);
	for (const char *s = "uart: written byte by byte\r\n"; *s; s++)
		cons_putc(*s);
	report(true, "transmit through THR");
}
