/*
 * printf.c - printf for every guest, over the console's cons_putc (COM1
 * in console.c, console_io in pv.c), with "\n" sent as CRLF.
 */
#include <guests/lib/guest.h>

static void printf_putc(int ch, void *arg)
{
	if (ch == '\n')
		cons_putc('\r');
	cons_putc(ch);
}

int vprintf(const char *fmt, va_list ap)
{
	return vprintfmt(printf_putc, NULL, fmt, ap);
}

int printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}
