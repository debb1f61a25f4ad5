/*
 * console.c - the hypervisor console: COM1 (the 16550 UART at 0x3f8),
 * 115200 baud, 8 data bits, no parity, 1 stop bit (lab 1).  Lab 6 keeps
 * what it prints in a ring for dom0's `xl dmesg` (Xen's console ring,
 * sysctl readconsole) and passes the machine's serial input to dom0, or
 * without one to an hvm domain's UART (kernel/dev/uart.c).
 */
#include <inc/x86.h>
#include <kernel/kernel.h>
#include <kernel/console.h>
#include <kernel/domain.h>

#define COM1	     0x3f8
#define COM_DATA     0 /* data register (DLAB=0) */
#define COM_DLL	     0 /* divisor latch low (DLAB=1) */
#define COM_IER	     1 /* interrupt enable (DLAB=0) */
#define COM_DLM	     1 /* divisor latch high (DLAB=1) */
#define COM_FCR	     2 /* FIFO control */
#define COM_LCR	     3 /* line control */
#define COM_LCR_DLAB 0x80
#define COM_LCR_8N1  0x03
#define COM_MCR	     4	  /* modem control */
#define COM_LSR	     5	  /* line status */
#define COM_LSR_DR   0x01 /* data ready */
#define COM_LSR_THRE 0x20 /* transmit holding register empty */

/* Polls at most this many times for room, so a missing UART cannot hang. */
#define COM_SPIN_MAX 100000

static bool cons_ready;
static char console_hv_buf[XEN_CONSOLE_RING];
struct console_ring console_hv_ring = { .buf = console_hv_buf,
					.size = XEN_CONSOLE_RING };

/* Programs COM1; output before this call is dropped. */
void cons_init(void)
{
	outb(COM1 + COM_IER, 0);
	outb(COM1 + COM_LCR, COM_LCR_DLAB);
	outb(COM1 + COM_DLL, 1); /* 115200 / 1 */
	outb(COM1 + COM_DLM, 0);
	outb(COM1 + COM_LCR, COM_LCR_8N1);
	outb(COM1 + COM_FCR, 0x07); /* enable and clear both FIFOs */
	outb(COM1 + COM_MCR, 0x03); /* DTR, RTS */
	cons_ready = true;
}

static void cons_putbyte(uint8_t b)
{
	for (int i = 0; i < COM_SPIN_MAX; i++)
		if (inb(COM1 + COM_LSR) & COM_LSR_THRE)
			break;
	outb(COM1 + COM_DATA, b);
}

/* Writes one character; "\n" goes out as "\r\n" for terminals and logs. */
void cons_putc(int ch)
{
	if (!cons_ready)
		return;
	console_ring_put(&console_hv_ring, &(char){ (char)ch }, 1);
	if (ch == '\n')
		cons_putbyte('\r');
	cons_putbyte((uint8_t)ch);
}

/*
 * Hands the machine's serial input to hvm domain d's UART while its
 * receiver has room.  The rest waits in the machine's UART, whose own
 * FIFO and flow control hold it (QEMU stops reading its backend), so
 * nothing typed is lost while the guest does not read.
 */
static void console_to_uart(struct domain *d)
{
	while (uart_rx_room(&d->uart) && (inb(COM1 + COM_LSR) & COM_LSR_DR))
		uart_receive(d, &d->uart, inb(COM1 + COM_DATA));
}

/* Passes the input to dom0 with VIRQ_CONSOLE, or drops it (dom0 NULL). */
static void console_to_dom0(struct domain *dom0)
{
	bool got = false;
	char ch;
	int n;

	/* Bounded: a missing UART reads all ones. */
	for (n = 0;
	     n < CONSOLE_INPUT_RING && (inb(COM1 + COM_LSR) & COM_LSR_DR);
	     n++) {
		ch = (char)inb(COM1 + COM_DATA);
		if (!dom0)
			continue;
		console_ring_put(&dom0->console.in, &ch, 1);
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
