/*
 * pc_uart.c - the 16550 UART of hvm domains (kernel/dev/uart.c): its
 * interrupt identification, receive FIFO and loopback, checked by a guest
 * (guests/uart-echo), and the machine's serial input routed to a domain's
 * receiver (kernel/console.c).  Points: pc.points.
 *
 * uart_loopback runs the guest's loopback checks (on Bochs too), and
 * uart_console_once sees a second console = 1 config refused in that boot;
 * uart_input types into QEMU's serial port (SKIP on Bochs, which cannot)
 * while two echoing guests run: uart-a, the first hvm domain, and
 * uart-b, whose config sets console = 1.  uart-b must get the input
 * until it quits, uart-a the rest; uart-b reads slowly, so what is typed
 * meanwhile waits behind its full FIFO and must arrive whole.
 *
 * Bugs these tests catch, bug: the tests that fail:
 *   IIR priorities, the THRE rules, the FIFO trigger level, timeout or
 *     overrun, DLAB, modem status deltas: uart_loopback
 *   two configs with console = 1 both started: uart_console_once
 *   input to the first hvm domain despite console = 1, input dropped or
 *     pushed into a full FIFO (overrun), no input at all: uart_input
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include "../grader.h"

#define ECHO(name, keys)                                                      \
	{                                                                     \
		name, "name   = \"" name "\"\n"                               \
		      "kernel = \"guests/uart-echo.elf\"\nmemory = 16\n" keys \
	}

/* A second config that claims the console (configs load in name order) is
 * refused. */
static const struct hv_cfg loopback = {
	.needs_virt = 1,
	.domains = { ECHO("uart16550", "console = 1\n"),
		     ECHO("uartdup", "console = 1\n") },
};

#define LONG_LINE "The quick brown fox jumps over the lazy dog 0123456789"

/* uart-b quits with up to a FIFO of the z's unread; uart-a gets the rest. */
static const struct hv_cfg input = {
	.needs_virt = 1,
	.progress_timeout = 120,
	.timeout = 600,
	.serial_after = "uart-b: echo: ready",
	.serial_input = LONG_LINE "\rone\rquit\rzzzzzzzzzzzzzzzzzzzzzzzz\r"
				  "two\rquit\r",
	.domains = { ECHO("uart-a", "extra = \"echo=1\"\n"),
		     ECHO("uart-b", "extra = \"echo=1\"\nconsole = 1\n") },
};

Test(pc, uart_loopback, .timeout = 900)
{
	static const char *const passes[] = {
		"3 bytes, trigger 8: character timeout",
		"17 bytes: overrun, line status first",
		"IIR read cleared it",
		"RX data outranks THR empty",
		"DTR looped: modem status",
		"a divisor write sends nothing",
		NULL
	};
	struct hv_run *r = hv_boot_group("uart-loopback", &loopback);

	expect_guest_passed(r, "uart16550", passes);
}

Test(pc, uart_console_once, .timeout = 900)
{
	struct hv_run *r = hv_boot_group("uart-loopback", &loopback);

	expect_result(r, "config domains/uartdup.cfg: rejected");
	expect_output(r, "domains/uartdup.cfg:4: console: "
			 "domains/uart16550.cfg has it already");
}

Test(pc, uart_input, .timeout = 900)
{
	static const char *const passes[] = {
		"no input lost to an overrun (LSR.OE)", NULL
	};
	struct hv_run *r = hv_boot_group("uart-input", &input);
	long b = hv_line_with(r, 0, (long)r->nlines,
			      "hvlab: serial input to uart-b");

	cr_expect(b >= 0 && hv_line_with(r, 0, b, "serial input to") < 0,
		  "[wrong result] the serial input must go to uart-b first "
		  "(console = 1)\n    log: %s",
		  r->log);
	expect_output(r, "uart-b: echo: THE QUICK BROWN FOX JUMPS OVER THE "
			 "LAZY DOG 0123456789");
	expect_output(r, "uart-b: echo: ONE");
	expect_output(r, "uart-a: echo: TWO");
	cr_expect(!hv_find_output(r, "uart-a: echo: ONE") &&
			  !hv_find_output(r, "uart-b: echo: TWO"),
		  "[wrong result] a line went to the wrong domain\n    log: %s",
		  r->log);
	expect_guest_passed(r, "uart-a", passes);
	expect_guest_passed(r, "uart-b", passes);
	expect_exit(r, 0);
}
