/*
 * stdio.h - formatted output for freestanding code (lib/printfmt.c).
 *
 * Conversions: %d %i %u %x %X %o %p %s %c %%, with the flags '-' and '0',
 * a width, a precision (strings: at most that many bytes; integers: at least
 * that many digits), and the length modifiers hh h l ll z j t.
 */
#ifndef INC_STDIO_H
#define INC_STDIO_H

#include <stdarg.h>
#include <inc/types.h>

/*
 * Host-side tests link this file next to the C library, whose snprintf
 * Criterion itself uses: there the two are renamed.
 */
#ifdef HOST_TEST
#define vsnprintf hv_vsnprintf
#define snprintf  hv_snprintf
#endif

/* Output sink: called once per byte. */
typedef void (*putch_fn)(int ch, void *arg);

/* Formats fmt through putch; returns the number of bytes produced. */
int vprintfmt(putch_fn putch, void *arg, const char *fmt, va_list ap);

/* As C99: always NUL-terminates when size > 0; returns the full length. */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
