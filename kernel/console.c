/*
 * console.c - the hypervisor console: COM1 (the 16550 UART at 0x3f8),
 * 115200 baud, 8 data bits, no parity, 1 stop bit (lab 1).  Lab 6 keeps
 * what it prints in a ring for dom0's `xl dmesg` (Xen's console ring,
 * sysctl readconsole) and passes the machine's serial input to dom0, or
 * without one to an hvm domain's UART (kernel/dev/uart.c).  The same
 * polled 16550 code drives COM2 for the GDB stub (kernel/gdbstub.c).
 */
#include <inc/x86.h>
#include <kernel/kernel.h>
#include <kernel/console.h>
#include <kernel/domain.h>

/* Polls at most this many times for room, so a missing UART cannot hang. */
#define COM_SPIN_MAX 100000

static bool cons_ready;
static char console_hv_buf[XEN_CONSOLE_RING];
struct console_ring console_hv_ring = { .buf = console_hv_buf,
					.size = XEN_CONSOLE_RING };

bool com_init(uint16_t port)
{
	/* A missing UART reads all ones. */
	if (inb(port + UART_LSR) == 0xff)
		return false;
	outb(port + UART_IER, 0);
	outb(port + UART_LCR, UART_LCR_DLAB);
	outb(port + UART_DLL, 1); /* 115200 / 1 */
	outb(port + UART_DLM, 0);
	outb(port + UART_LCR, UART_LCR_8N1);
	outb(port + UART_IIR_FCR, 0x07); /* enable and clear both FIFOs */
	outb(port + UART_MCR, 0x03);	 /* DTR, RTS */
	return true;
}

void com_putbyte(uint16_t port, uint8_t b)
{
	for (int i = 0; i < COM_SPIN_MAX; i++)
		if (inb(port + UART_LSR) & UART_LSR_THRE)
			break;
	outb(port + UART_RBR_THR, b);
}

int com_getbyte(uint16_t port)
{
	if (!(inb(port + UART_LSR) & UART_LSR_DR))
		return -1;
	return inb(port + UART_RBR_THR);
}

/* Programs COM1; output before this call is dropped. */
void cons_init(void)
{
	com_init(COM1);
	cons_ready = true;
}

/* Writes one character; "\n" goes out as "\r\n" for terminals and logs. */
void cons_putc(int ch)
{
	if (!cons_ready)
		return;
	console_ring_put(&console_hv_ring, &(char){ (char)ch }, 1);
	if (ch == '\n')
		com_putbyte(COM1, '\r');
	com_putbyte(COM1, (uint8_t)ch);
}

/*
 * Hands the machine's serial input to hvm domain d's UART while its
 * receiver has room.  The rest waits in the machine's UART, whose own
 * FIFO and flow control hold it (QEMU stops reading its backend), so
 * nothing typed is lost while the guest does not read.
 */
static void console_to_uart(struct domain *d)
{
	int ch;

	while (uart_rx_room(&d->uart) && (ch = com_getbyte(COM1)) >= 0)
		uart_receive(d, &d->uart, (uint8_t)ch);
}

/* Passes the input to dom0 with VIRQ_CONSOLE, or drops it (dom0 NULL). */
static void console_to_dom0(struct domain *dom0)
{
	bool got = false;
	int n, ch;

	/* Bounded: a missing UART reads all ones. */
	for (n = 0; n < CONSOLE_INPUT_RING && (ch = com_getbyte(COM1)) >= 0;
	     n++) {
		if (!dom0)
			continue;
		console_ring_put(&dom0->console.in, &(char){ (char)ch }, 1);
		got = true;
	}
	if (got)
		evtchn_send_virq(dom0, NULL, VIRQ_CONSOLE);
}

void console_poll(void)
{
	static struct domain *last;
	struct domain *d;

	if (!cons_ready)
		return;
	d = domain_console_input();
	if (d && d != last)
		cprintf("hvlab: serial input to %s\n", d->name);
	last = d;
	if (d && d->type == DOMAIN_HVM)
		console_to_uart(d);
	else
		console_to_dom0(d);
}
