/*
 * fake.c - console, token and power-off for the fake hypervisors; kept
 * apart from the real kernel so a broken kernel cannot break these tests.
 */
#include <inc/x86.h>
#include "fake.h"

#define COM1 0x3f8

static void fake_putc(char c)
{
	while (!(inb(COM1 + 5) & 0x20))
		;
	outb(COM1, (uint8_t)c);
}

void fake_puts(const char *s)
{
	for (; *s; s++)
		fake_putc(*s);
}

static void fake_token(const struct boot_info *bi)
{
	const char *p = bi->cmdline;

	for (; *p; p++) {
		if ((p == bi->cmdline || p[-1] == ' ') && p[0] == 't' &&
		    p[1] == 'o' && p[2] == 'k' && p[3] == 'e' && p[4] == 'n' &&
		    p[5] == '=')
			break;
	}
	if (!*p)
		return;
	fake_puts(" {");
	for (p += 6; *p && *p != ' ' && *p != '\n' && *p != '\r'; p++)
		fake_putc(*p);
	fake_putc('}');
}

void fake_result(const struct boot_info *bi, const char *s)
{
	fake_puts(s);
	fake_token(bi);
	fake_puts("\r\n");
}

void fake_exit(int status)
{
	const char *bochs = "Shutdown";

	outb(0xf4, (uint8_t)status);
	for (; *bochs; bochs++)
		outb(0x8900, (uint8_t)*bochs);
	for (;;)
		hlt();
}

void fake_triple_fault(void)
{
	static const struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) empty = { 0, 0 };

	__asm__ volatile("lidt %0; int3" : : "m"(empty));
	fake_exit(0);
}
