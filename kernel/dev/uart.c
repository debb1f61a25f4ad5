/*
 * uart.c - the emulated 16550A on COM1 each domain sees (labs 2 and 3).
 *
 * Register set after the National Semiconductor PC16550D data sheet.  The
 * transmitter is always ready (LSR.THRE|TEMT), nothing is ever received,
 * and no interrupts are raised.  Output is line-buffered into the
 * hypervisor log as "NAME: text" and into the domain's console ring for
 * `xl console` (lab 6); bytes outside printable ASCII are shown as '?' so
 * a guest cannot forge hypervisor lines or send terminal escapes.
 */
#include <kernel/kernel.h>
#include <kernel/domain.h>
#include <kernel/dev/io.h>
#include <kernel/dev/uart.h>
#include <kernel/bench.h>

enum {
	UART_RBR_THR = 0,
	UART_IER = 1,
	UART_IIR_FCR = 2,
	UART_LCR = 3,
	UART_MCR = 4,
	UART_LSR = 5,
	UART_MSR = 6,
	UART_SCR = 7,
};

#define LCR_DLAB	0x80
#define LSR_THRE	0x20
#define LSR_TEMT	0x40
#define MCR_LOOP	0x10
#define IIR_NO_INT	0x01
#define IIR_FIFO	0xc0
#define MSR_DCD_DSR_CTS 0xb0

void uart_flush(struct domain *d, struct uart *u)
{
	if (!u->len)
		return;
	cprintf("%s: %.*s\n", d->name, (int)u->len, u->line);
	console_ring_put(&d->console.out, u->line, u->len);
	console_ring_put(&d->console.out, "\n", 1);
	u->line[u->len] = 0;
	bench_console_line(d, u->line);
	u->len = 0;
}

void uart_put(struct domain *d, struct uart *u, uint8_t ch)
{
	if (ch == '\r')
		return;
	if (ch == '\n' && u->len) {
		uart_flush(d, u);
		return;
	}
	if (ch == '\n') {
		cprintf("%s:\n", d->name);
		console_ring_put(&d->console.out, "\n", 1);
		return;
	}
	if (ch != '\t' && (ch < 0x20 || ch > 0x7e))
		ch = '?';
	u->line[u->len++] = (char)ch;
	if (u->len == UART_LINE_MAX)
		uart_flush(d, u);
}

/* Modem status in loopback mode mirrors the modem control outputs. */
static uint8_t uart_msr(const struct uart *u)
{
	if (!(u->mcr & MCR_LOOP))
		return MSR_DCD_DSR_CTS;
	return (uint8_t)(((u->mcr & 0x02) << 3) | ((u->mcr & 0x01) << 5) |
			 ((u->mcr & 0x04) << 4) | ((u->mcr & 0x08) << 4));
}

static uint8_t uart_read(const struct uart *u, unsigned reg)
{
	bool dlab = u->lcr & LCR_DLAB;

	switch (reg) {
	case UART_RBR_THR: return dlab ? u->dll : 0;
	case UART_IER: return dlab ? u->dlm : u->ier;
	case UART_IIR_FCR: return IIR_NO_INT | ((u->fcr & 1) ? IIR_FIFO : 0);
	case UART_LCR: return u->lcr;
	case UART_MCR: return u->mcr;
	case UART_LSR: return LSR_THRE | LSR_TEMT;
	case UART_MSR: return uart_msr(u);
	default: return u->scr;
	}
}

static void uart_write(struct domain *d, struct uart *u, unsigned reg,
		       uint8_t v)
{
	bool dlab = u->lcr & LCR_DLAB;

	switch (reg) {
	case UART_RBR_THR:
		if (dlab)
			u->dll = v;
		else if (!(u->mcr & MCR_LOOP))
			uart_put(d, u, v);
		break;
	case UART_IER:
		if (dlab)
			u->dlm = v;
		else
			u->ier = v & 0x0f;
		break;
	case UART_IIR_FCR: u->fcr = v; break;
	case UART_LCR: u->lcr = v; break;
	case UART_MCR: u->mcr = v & 0x1f; break;
	case UART_SCR: u->scr = v; break;
	default: break;
	}
}

/* Wider accesses reach consecutive registers, one byte each. */
static int uart_io(struct domain *d, void *opaque, uint64_t port, unsigned size,
		   bool write, uint64_t *val)
{
	struct uart *u = opaque;
	unsigned reg = (unsigned)(port - UART_COM1_BASE);
	unsigned i;

	if (!write)
		*val = 0;
	for (i = 0; i < size && reg + i < 8; i++) {
		if (write)
			uart_write(d, u, reg + i, (uint8_t)(*val >> (8 * i)));
		else
			*val |= (uint64_t)uart_read(u, reg + i) << (8 * i);
	}
	return 0;
}

int uart_init(struct domain *d, struct uart *u, uint16_t base)
{
	memset(u, 0, sizeof(*u));
	if (base != UART_COM1_BASE)
		return -E_INVAL;
	return io_register_port(d, base, 8, uart_io, u, "uart");
}
