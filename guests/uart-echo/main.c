/*
 * main.c - the 16550 UART's interrupts and receiver (PC16550D data
 * sheet), tested from inside an hvm domain.
 *
 * Without echo=1 on the command line, the guest checks in loopback mode
 * (MCR bit 4: what it transmits comes back to its own receiver) the
 * interrupt identifications of Table IV, the receive FIFO's trigger
 * level, character timeout and overrun, the THRE interrupt and DLAB.
 * Nothing it prints in loopback leaves, so results are kept and
 * reported afterwards.
 *
 * With echo=1 it prints each line it receives uppercased, "echo: LINE",
 * until the line "quit", reading slowly so that input piles up behind a
 * full FIFO: none of it may be lost (LSR.OE never set).  It polls LSR.DR;
 * with the PIC and IOAPIC of the platform in place, an interrupt-driven
 * variant (IER.ERBFI, MCR.OUT2, IRQ 4 unmasked, HLT until it fires)
 * would check that the line really reaches the CPU.
 */
#include <guests/lib/guest.h>

#define UART_RBR  0
#define UART_IER  1
#define UART_IIR  2
#define UART_FCR  2
#define UART_LCR  3
#define UART_MCR  4
#define UART_LSR  5
#define UART_MSR  6
#define LSR_DR	  0x01
#define LSR_OE	  0x02
#define MCR_DTR	  0x01
#define MCR_RTS	  0x02
#define MCR_OUT2  0x08
#define MCR_LOOP  0x10
#define LCR_8N1	  0x03
#define LCR_DLAB  0x80
#define FCR_ON	  0x01
#define FCR_RESET 0x02
#define FCR_TRIG8 0x80

#define CHECKS_MAX 24

/* Loopback results, printed once the transmitter is connected again. */
static struct {
	const char *what;
	long long got, want;
} checks[CHECKS_MAX];
static unsigned nchecks;

static void check(const char *what, long long got, long long want)
{
	if (nchecks < CHECKS_MAX)
		checks[nchecks++] = (typeof(checks[0])){ what, got, want };
}

static uint8_t com_in(unsigned reg)
{
	return inb(COM1 + reg);
}

static void com_out(unsigned reg, uint8_t v)
{
	outb(COM1 + reg, v);
}

/* Transmits s, which loopback hands to the receiver. */
static void loop_send(const char *s)
{
	for (; *s; s++)
		com_out(UART_RBR, (uint8_t)*s);
}

/* Reads the receiver empty into buf[0..len); returns the count. */
static unsigned drain(char *buf, unsigned len)
{
	unsigned n = 0;

	while ((com_in(UART_LSR) & LSR_DR) && n < len)
		buf[n++] = (char)com_in(UART_RBR);
	return n;
}

/* Received data at the trigger level, the character timeout below it. */
static void check_fifo(void)
{
	char buf[32];

	com_out(UART_FCR, FCR_ON | FCR_RESET | FCR_TRIG8);
	check("FIFO mode shows in IIR bits 7:6", com_in(UART_IIR), 0xc1);
	com_out(UART_IER, 0x01);
	loop_send("abc");
	check("3 bytes, trigger 8: character timeout", com_in(UART_IIR), 0xcc);
	loop_send("defgh");
	check("8 bytes: received data available", com_in(UART_IIR), 0xc4);
	check("the bytes come back in order", drain(buf, sizeof(buf)), 8);
	check("... first 'a'", buf[0], 'a');
	check("... last 'h'", buf[7], 'h');
	check("empty: no interrupt", com_in(UART_IIR), 0xc1);
	com_out(UART_IER, 0x05);
	loop_send("0123456789abcdefX");
	check("17 bytes: overrun, line status first", com_in(UART_IIR), 0xc6);
	check("LSR: DR and OE", com_in(UART_LSR) & (LSR_DR | LSR_OE),
	      LSR_DR | LSR_OE);
	check("OE cleared by the LSR read", com_in(UART_LSR) & LSR_OE, 0);
	check("16 bytes kept", drain(buf, sizeof(buf)), 16);
	check("... the 17th lost", buf[15], 'f');
}

/* Raised by ETBEI with THR empty, cleared by an IIR read, raised by THR. */
static void check_thre(void)
{
	char buf[4];

	com_out(UART_IER, 0x02);
	check("ETBEI set: THR empty", com_in(UART_IIR), 0xc2);
	check("IIR read cleared it", com_in(UART_IIR), 0xc1);
	loop_send("t");
	com_out(UART_IER, 0x03);
	check("RX data outranks THR empty", com_in(UART_IIR), 0xcc);
	drain(buf, sizeof(buf));
	check("THR empty after the write", com_in(UART_IIR), 0xc2);
	com_out(UART_IER, 0);
}

/* Modem status: the loop connects DTR to DSR. */
static void check_modem(void)
{
	com_in(UART_MSR);
	com_out(UART_IER, 0x08);
	com_out(UART_MCR, MCR_LOOP | MCR_DTR);
	check("DTR looped: modem status", com_in(UART_IIR), 0xc0);
	check("MSR: DSR and its change", com_in(UART_MSR) & 0x22, 0x22);
	check("MSR read: no interrupt", com_in(UART_IIR), 0xc1);
	com_out(UART_IER, 0);
}

/* DLAB: port 0 is the divisor latch, nothing is sent. */
static void check_dlab(void)
{
	com_out(UART_LCR, LCR_DLAB | LCR_8N1);
	com_out(UART_RBR, 0x0c);
	check("DLL reads back", com_in(UART_RBR), 0x0c);
	com_out(UART_RBR, 1);
	com_out(UART_LCR, LCR_8N1);
	check("a divisor write sends nothing", com_in(UART_LSR) & LSR_DR, 0);
}

static void loopback_checks(void)
{
	com_out(UART_MCR, MCR_LOOP);
	com_in(UART_MSR);
	check_fifo();
	check_thre();
	check_modem();
	check_dlab();
	com_out(UART_FCR, 0);
	com_out(UART_MCR, MCR_DTR | MCR_RTS | MCR_OUT2);
	for (unsigned i = 0; i < nchecks; i++)
		report_eq(checks[i].got, checks[i].want, "%s", checks[i].what);
}

/* One line, ended by CR or LF, uppercased; *oe collects LSR.OE. */
static unsigned read_line(char *buf, unsigned len, bool *oe)
{
	unsigned n = 0;
	uint8_t lsr;
	char c;

	for (;;) {
		while (!((lsr = com_in(UART_LSR)) & LSR_DR))
			pause();
		*oe |= lsr & LSR_OE;
		c = (char)com_in(UART_RBR);
		if ((c == '\r' || c == '\n') && n)
			break;
		if (c != '\r' && c != '\n' && n + 1 < len)
			buf[n++] = c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c;
	}
	buf[n] = '\0';
	return n;
}

static void echo(void)
{
	char line[100];
	bool oe = false;
	unsigned lines = 0;
	uint64_t sum;

	com_out(UART_FCR, FCR_ON | FCR_RESET | FCR_TRIG8);
	printf("echo: ready, type lines, quit ends\n");
	while (read_line(line, sizeof(line), &oe) && strcmp(line, "QUIT")) {
		printf("echo: %s\n", line);
		lines++;
		/* A slow reader: what is typed meanwhile must wait. */
		guest_loop(20000000, &sum);
	}
	report(lines > 0, "echoed %u lines", lines);
	report(!oe, "no input lost to an overrun (LSR.OE)");
}

void main(void)
{
	if (cmdline_u64("echo", 0))
		echo();
	else
		loopback_checks();
}
