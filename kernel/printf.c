/*
 * printf.c - formatted console output (lib/printfmt.c onto kernel/console.c)
 * and result lines, the ones the grader counts (lab 1).
 */
#include <kernel/kernel.h>

static void printf_putch(int ch, void *arg)
{
	cons_putc(ch);
}

int vcprintf(const char *fmt, va_list ap)
{
	return vprintfmt(printf_putch, NULL, fmt, ap);
}

int cprintf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vcprintf(fmt, ap);
	va_end(ap);
	return n;
}

int result_printf(const char *fmt, ...)
{
	char line[256];
	const char *token = cmdline_get("token");
	va_list ap;
	size_t len;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	len = strlen(line);
	if (len > 0 && line[len - 1] == '\n')
		line[--len] = '\0';
	if (token && *token)
		return cprintf("%s {%s}\n", line, token);
	return cprintf("%s\n", line);
}
