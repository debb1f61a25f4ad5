/*
 * console.c - the loader's messages and its one way to fail.
 *
 * Before ExitBootServices text goes to ConOut (OVMF mirrors it to the
 * serial port); afterwards firmware consoles are gone and COM1 is written
 * directly.  loader_fail ends the machine with a failure status in every
 * environment hvlab runs in, so a bad ESP never hangs or drops to the
 * firmware boot menu.
 */
#include <inc/stdio.h>
#include <inc/string.h>
#include <inc/uart.h>
#include <inc/x86.h>
#include <kernel/efi/loader.h>

#define QEMU_DEBUG_EXIT 0xf4
#define BOCHS_SHUTDOWN	0x8900

static bool console_after_ebs;

void loader_console_exit_boot_services(void)
{
	console_after_ebs = true;
}

static void console_com1_putc(char c)
{
	for (int i = 0; i < 100000 && !(inb(COM1 + UART_LSR) & UART_LSR_THRE);
	     i++)
		pause();
	outb(COM1 + UART_RBR_THR, (uint8_t)c);
}

/* Writes s with '\n' expanded to "\r\n". */
static void console_write(const char *s)
{
	CHAR16 wbuf[128];
	size_t n = 0;

	for (; *s; s++) {
		if (console_after_ebs) {
			if (*s == '\n')
				console_com1_putc('\r');
			console_com1_putc(*s);
			continue;
		}
		if (*s == '\n')
			wbuf[n++] = L'\r';
		wbuf[n++] = (CHAR16)(unsigned char)*s;
		if (n >= ARRAY_SIZE(wbuf) - 3 || s[1] == '\0') {
			wbuf[n] = 0;
			loader_st->ConOut->OutputString(loader_st->ConOut,
							wbuf);
			n = 0;
		}
	}
}

static void console_vprintf(const char *fmt, va_list ap)
{
	char buf[512];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	console_write(buf);
}

void loader_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	console_vprintf(fmt, ap);
	va_end(ap);
}

/* QEMU's isa-debug-exit first, then Bochs' shutdown port, then UEFI. */
static void __attribute__((noreturn)) console_power_off_failure(void)
{
	const char *s = "Shutdown";

	outb(QEMU_DEBUG_EXIT, 1);
	for (; *s; s++)
		outb(BOCHS_SHUTDOWN, (uint8_t)*s);
	loader_st->RuntimeServices->ResetSystem(EfiResetShutdown, EFI_ABORTED,
						0, NULL);
	for (;;) {
		cli();
		hlt();
	}
}

void loader_fail(const char *fmt, ...)
{
	va_list ap;

	console_write("hvlab loader: ");
	va_start(ap, fmt);
	console_vprintf(fmt, ap);
	va_end(ap);
	console_write("\n");
	console_power_off_failure();
}

static const struct {
	EFI_STATUS st;
	const char *name;
} console_status_names[] = {
	{ EFI_SUCCESS, "EFI_SUCCESS" },
	{ EFI_LOAD_ERROR, "EFI_LOAD_ERROR" },
	{ EFI_INVALID_PARAMETER, "EFI_INVALID_PARAMETER" },
	{ EFI_UNSUPPORTED, "EFI_UNSUPPORTED" },
	{ EFI_BUFFER_TOO_SMALL, "EFI_BUFFER_TOO_SMALL" },
	{ EFI_DEVICE_ERROR, "EFI_DEVICE_ERROR" },
	{ EFI_VOLUME_CORRUPTED, "EFI_VOLUME_CORRUPTED" },
	{ EFI_OUT_OF_RESOURCES, "EFI_OUT_OF_RESOURCES" },
	{ EFI_NOT_FOUND, "EFI_NOT_FOUND" },
	{ EFI_ACCESS_DENIED, "EFI_ACCESS_DENIED" },
	{ EFI_NO_MEDIA, "EFI_NO_MEDIA" },
};

const char *loader_efi_status(EFI_STATUS st)
{
	for (size_t i = 0; i < ARRAY_SIZE(console_status_names); i++)
		if (console_status_names[i].st == st)
			return console_status_names[i].name;
	return "EFI error";
}
