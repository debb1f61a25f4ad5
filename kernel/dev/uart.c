/*
 * uart.c - the emulated 16550A on COM1 each domain sees (labs 2 and 3).
 *
 * After the National Semiconductor PC16550D data sheet: the registers
 * (Table II), the interrupts and their priorities (Interrupt
 * Identification Register, Table IV), the receiver FIFO (FIFO Control
 * Register, FIFO Interrupt Mode Operation) and loopback (Modem Control
 * Register).  The transmitter sends a byte the moment THR is written, so
 * THR and the transmitter are always empty (LSR.THRE|TEMT).  The receiver
 * gets the machine's serial input (kernel/console.c), which arrives in
 * bursts with far more than four character times between them: the FIFO
 * character timeout is therefore reported as soon as the FIFO holds fewer
 * bytes than its trigger level.
 *
 * On a PC the UART's interrupt output reaches ISA line 4 through a buffer
 * enabled by the OUT2 modem output (MCR bit 3); loopback forces the
 * output pins inactive, so no interrupt leaves then.
 *
 * Output is line-buffered into the hypervisor log as "NAME: text" and
 * into the domain's console ring for `xl console` (lab 6); bytes outside
 * printable ASCII are shown as '?' so a guest cannot forge hypervisor
 * lines or send terminal escapes.
 */
#include <kernel/kernel.h>
#include <kernel/domain.h>
#include <kernel/dev/io.h>
#include <kernel/dev/irq.h>
#include <kernel/dev/platform.h>
#include <kernel/dev/uart.h>
#include <kernel/bench.h>

#define UART_FCR_KEPT 0xc9 /* enable, DMA mode, trigger level */

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

/* The receiver holds 16 bytes in FIFO mode, one in 16450 mode. */
static unsigned uart_rx_size(const struct uart *u)
{
	return (u->fcr & UART_FCR_ENABLE) ? UART_FIFO_SIZE : 1;
}

/* FCR bits 7:6 pick 1, 4, 8 or 14 bytes; 16450 mode interrupts at one. */
static unsigned uart_rx_trigger(const struct uart *u)
{
	static const uint8_t level[] = { 1, 4, 8, 14 };

	return (u->fcr & UART_FCR_ENABLE) ? level[u->fcr >> 6] : 1;
}

unsigned uart_rx_room(const struct uart *u)
{
	return (u->mcr & UART_MCR_LOOP) ? 0 : uart_rx_size(u) - u->rx_count;
}

/*
 * A byte that finds the receiver full is an overrun (LSR.OE): in FIFO
 * mode it is lost and the FIFO kept, in 16450 mode it replaces the unread
 * one.
 */
static void uart_rx_push(struct uart *u, uint8_t ch)
{
	if (u->rx_count == uart_rx_size(u)) {
		u->lsr_err |= UART_LSR_OE;
		if (!(u->fcr & UART_FCR_ENABLE))
			u->rx[u->rx_head] = ch;
		return;
	}
	u->rx[(u->rx_head + u->rx_count++) % UART_FIFO_SIZE] = ch;
}

static uint8_t uart_rx_pop(struct uart *u)
{
	uint8_t ch = u->rx[u->rx_head];

	if (!u->rx_count)
		return 0;
	u->rx_head = (u->rx_head + 1) % UART_FIFO_SIZE;
	u->rx_count--;
	return ch;
}

/* The pending interrupt of highest priority (Table IV), or UART_IIR_NONE. */
static uint8_t uart_iir_id(const struct uart *u)
{
	if ((u->ier & UART_IER_ELSI) && u->lsr_err)
		return UART_IIR_LINE;
	if ((u->ier & UART_IER_ERBFI) && u->rx_count >= uart_rx_trigger(u))
		return UART_IIR_RX_DATA;
	if ((u->ier & UART_IER_ERBFI) && u->rx_count)
		return UART_IIR_RX_TIMEOUT;
	if ((u->ier & UART_IER_ETBEI) && u->thre_pending)
		return UART_IIR_THRE;
	if ((u->ier & UART_IER_EDSSI) && u->msr_delta)
		return UART_IIR_MODEM;
	return UART_IIR_NONE;
}

/*
 * Drives the ISA line as the interrupt output and OUT2 say.  Only hvm
 * domains have the PC's interrupt lines; te and pv domains poll.
 */
static void uart_update(struct domain *d, struct uart *u)
{
	bool level = uart_iir_id(u) != UART_IIR_NONE &&
		     (u->mcr & (UART_MCR_OUT2 | UART_MCR_LOOP)) ==
			     UART_MCR_OUT2;

	if (level == u->irq_level)
		return;
	u->irq_level = level;
	if (d->type == DOMAIN_HVM)
		irq_set(d, PLATFORM_IRQ_COM1, level);
}

void uart_receive(struct domain *d, struct uart *u, uint8_t ch)
{
	uart_rx_push(u, ch);
	uart_update(d, u);
}

/* The modem inputs: fixed as connected, or in loopback the outputs. */
static uint8_t uart_msr_lines(const struct uart *u)
{
	if (!(u->mcr & UART_MCR_LOOP))
		return UART_MSR_DCD_DSR_CTS;
	return (uint8_t)(((u->mcr & 0x02) << 3) | ((u->mcr & 0x01) << 5) |
			 ((u->mcr & 0x04) << 4) | ((u->mcr & 0x08) << 4));
}

/* MSR bits 3:0: CTS, DSR or DCD changed; RI went from on to off. */
static void uart_mcr_write(struct uart *u, uint8_t v)
{
	uint8_t old = uart_msr_lines(u), now;

	u->mcr = v & 0x1f;
	now = uart_msr_lines(u);
	u->msr_delta |= (((old ^ now) >> 4) & 0x0b) |
			((old & ~now & UART_MSR_RI) >> 4);
}

/*
 * FCR bits other than FIFO enable are written only with it set; turning
 * the FIFOs on or off empties them, as the receiver reset bit does.
 */
static void uart_fcr_write(struct uart *u, uint8_t v)
{
	if (!(v & UART_FCR_ENABLE))
		v = 0;
	if (((v ^ u->fcr) & UART_FCR_ENABLE) || (v & UART_FCR_RX_RESET))
		u->rx_head = u->rx_count = 0;
	u->fcr = v & UART_FCR_KEPT;
}

/*
 * The byte leaves at once, so THR is empty again: writing it clears the
 * THRE interrupt and the transmitter raises it anew, a fresh edge on
 * the line (Linux's driver sends from its THRE handler and waits for it).
 */
static void uart_thr_write(struct domain *d, struct uart *u, uint8_t v)
{
	u->thre_pending = false;
	uart_update(d, u);
	if (u->mcr & UART_MCR_LOOP)
		uart_rx_push(u, v);
	else
		uart_put(d, u, v);
	u->thre_pending = true;
}

/* Setting ETBEI while THR is empty raises the THRE interrupt. */
static void uart_ier_write(struct uart *u, uint8_t v)
{
	if (v & ~u->ier & UART_IER_ETBEI)
		u->thre_pending = true;
	u->ier = v & 0x0f;
}

/* Reading IIR clears the THRE interrupt when it is the one shown. */
static uint8_t uart_iir_read(struct uart *u)
{
	uint8_t id = uart_iir_id(u);

	if (id == UART_IIR_THRE)
		u->thre_pending = false;
	return id | ((u->fcr & UART_FCR_ENABLE) ? UART_IIR_FIFO : 0);
}

/* Reading LSR clears its error bits, MSR its change bits. */
static uint8_t uart_read(struct uart *u, unsigned reg)
{
	bool dlab = u->lcr & UART_LCR_DLAB;
	uint8_t v;

	switch (reg) {
	case UART_RBR_THR: return dlab ? u->dll : uart_rx_pop(u);
	case UART_IER: return dlab ? u->dlm : u->ier;
	case UART_IIR_FCR: return uart_iir_read(u);
	case UART_LCR: return u->lcr;
	case UART_MCR: return u->mcr;
	case UART_LSR:
		v = UART_LSR_THRE | UART_LSR_TEMT | u->lsr_err |
		    (u->rx_count ? UART_LSR_DR : 0);
		u->lsr_err = 0;
		return v;
	case UART_MSR:
		v = uart_msr_lines(u) | u->msr_delta;
		u->msr_delta = 0;
		return v;
	default: return u->scr;
	}
}

static void uart_write(struct domain *d, struct uart *u, unsigned reg,
		       uint8_t v)
{
	bool dlab = u->lcr & UART_LCR_DLAB;

	switch (reg) {
	case UART_RBR_THR:
		if (dlab)
			u->dll = v;
		else
			uart_thr_write(d, u, v);
		break;
	case UART_IER:
		if (dlab)
			u->dlm = v;
		else
			uart_ier_write(u, v);
		break;
	case UART_IIR_FCR: uart_fcr_write(u, v); break;
	case UART_LCR: u->lcr = v; break;
	case UART_MCR: uart_mcr_write(u, v); break;
	case UART_SCR: u->scr = v; break;
	default: break;
	}
}

/* Wider accesses reach consecutive registers, one byte each. */
static int uart_io(struct domain *d, void *opaque, uint64_t port, unsigned size,
		   bool write, uint64_t *val)
{
	struct uart *u = opaque;
	unsigned reg = (unsigned)(port - COM1);
	unsigned i;

	if (!write)
		*val = 0;
	for (i = 0; i < size && reg + i < 8; i++) {
		if (write)
			uart_write(d, u, reg + i, (uint8_t)(*val >> (8 * i)));
		else
			*val |= (uint64_t)uart_read(u, reg + i) << (8 * i);
	}
	uart_update(d, u);
	return 0;
}

int uart_init(struct domain *d, struct uart *u)
{
	memset(u, 0, sizeof(*u));
	return io_register_port(d, COM1, 8, uart_io, u, "uart");
}
