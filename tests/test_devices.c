/*
 * test_devices.c - the per-domain emulated devices of lab 3 on the host:
 * port/MMIO handler registration and the emulator's port callbacks
 * (kernel/dev/io.c), the 16550 UART with its interrupts and receive FIFO
 * (kernel/dev/uart.c), the port-0xf4 exit device (kernel/dev/debugexit.c) and the
 * local APIC's registers, timer and interrupt priorities, and its IPIs,
 * x2APIC MSRs and TSC-deadline mode on a two-vcpu domain
 * (kernel/dev/vlapic.c), and their delivery to a fake backend
 * (virt_deliver_interrupt, kernel/virt.c).  The kernel services they call
 * are stubbed here; the console output is captured.
 */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <kernel/kernel.h>
#include <kernel/clock.h>
#include <kernel/domain.h>
#include <kernel/dev/debugexit.h>
#include <kernel/bench.h>
#include <kernel/x86/emulate.h>
#include <kernel/mm/shadow.h>
#include <kernel/dev/platform.h>
#include <kernel/preempt.h>
#include <kernel/trap.h>
#include <pv/pv.h>

static char console[4096];
static int exit_status = -1000;
static char crash_reason[256];
static struct domain dom;
struct vcpu *sched_current;

int cprintf(const char *fmt, ...)
{
	size_t len = strlen(console);
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = hv_vsnprintf(console + len, sizeof(console) - len, fmt, ap);
	va_end(ap);
	return n;
}

int result_printf(const char *fmt, ...)
{
	return 0;
}

void _panic(const char *file, int line, const char *fmt, ...)
{
	abort();
}

void domain_exit(struct domain *d, int status)
{
	exit_status = status;
}

void domain_crash(struct domain *d, struct vcpu *v, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	hv_vsnprintf(crash_reason, sizeof(crash_reason), fmt, ap);
	va_end(ap);
}

void bench_console_line(struct domain *d, const char *line)
{
}

void bench_slice(struct vcpu *v, bool in)
{
}

const char *cmdline_get(const char *key)
{
	return NULL;
}

/* The TSC rate the devices are told: 1 GHz unless a test says. */
static uint64_t tsc_hz;

uint64_t clock_tsc_hz(void)
{
	return tsc_hz;
}

/* What kernel/virt.c calls besides the backend. */
const struct virt_ops *svm_probe(void)
{
	return NULL;
}

const struct virt_ops *vmx_probe(void)
{
	return NULL;
}

bool shadow_owns(struct vcpu *v, int vreg)
{
	return false;
}

uint64_t shadow_reg_read(struct vcpu *v, int vreg)
{
	abort();
}

void shadow_reg_write(struct vcpu *v, int vreg, uint64_t val)
{
	abort();
}

void platform_poll(struct domain *d)
{
}

uint64_t platform_next_event(struct domain *d)
{
	return 0;
}

void preempt_arm(uint64_t tsc)
{
}

int pv_upcall_vector(struct vcpu *v)
{
	return -1;
}

void trap_print_gprs(const uint64_t gprs[16])
{
}

static void setup(void)
{
	memset(&dom, 0, sizeof(dom));
	tsc_hz = 1000000000ULL;
	strcpy(dom.name, "guest");
	dom.vcpus[0].domain = &dom;
	console_domain_init(&dom.console);
	console[0] = 0;
	exit_status = -1000;
	crash_reason[0] = 0;
}

static uint64_t port_in(uint16_t port, unsigned size)
{
	uint64_t v = 0;

	cr_assert_eq(io_port_access(&dom, port, size, false, &v), 0);
	return v;
}

static void port_out(uint16_t port, unsigned size, uint64_t v)
{
	cr_assert_eq(io_port_access(&dom, port, size, true, &v), 0);
}

static int dummy_io(struct domain *d, void *opaque, uint64_t addr,
		    unsigned size, bool write, uint64_t *val)
{
	return 0;
}

TestSuite(io, .init = setup);

Test(io, registration_rejects_overlap_empty_and_overflow)
{
	int i;

	cr_expect_eq(io_register_port(&dom, 0x60, 4, dummy_io, NULL, "a"), 0);
	cr_expect_eq(io_register_port(&dom, 0x63, 2, dummy_io, NULL, "b"),
		     -E_EXISTS);
	cr_expect_eq(io_register_port(&dom, 0x5e, 2, dummy_io, NULL, "c"), 0);
	cr_expect_eq(io_register_port(&dom, 0x70, 0, dummy_io, NULL, "d"),
		     -E_INVAL);
	cr_expect_eq(io_register_port(&dom, 0xffff, 2, dummy_io, NULL, "e"),
		     -E_INVAL);
	for (i = 2; i < IO_MAX_PORT_RANGES; i++)
		cr_expect_eq(io_register_port(&dom, (uint16_t)(0x100 + i), 1,
					      dummy_io, NULL, "f"),
			     0);
	cr_expect_eq(io_register_port(&dom, 0x200, 1, dummy_io, NULL, "g"),
		     -E_NO_MEM);
	cr_expect_eq(io_register_mmio(&dom, ~0ULL - 10, 100, dummy_io, NULL,
				      "h"),
		     -E_INVAL);
}

Test(io, unowned_ports_read_all_ones)
{
	cr_expect_eq(port_in(0x80, 1), 0xff);
	cr_expect_eq(port_in(0x80, 2), 0xffff);
	cr_expect_eq(port_in(0x80, 4), 0xffffffff);
	port_out(0x80, 1, 0x12);
}

/* Reads return the port number; a write to port 0x64 fails. */
static int echo_io(struct domain *d, void *opaque, uint64_t addr, unsigned size,
		   bool write, uint64_t *val)
{
	if (write)
		return addr == 0x64 ? -E_INVAL : 0;
	*val = addr;
	return 0;
}

Test(io, emulator_port_callbacks_reach_the_domains_handlers)
{
	struct x86_emul_ctxt c = { .priv = &dom.vcpus[0] };
	uint32_t v = 0;

	cr_assert_eq(io_register_port(&dom, 0x60, 8, echo_io, NULL, "e"), 0);
	cr_expect_eq(io_emul_in(&c, 0x62, 2, &v), X86EMUL_OKAY);
	cr_expect_eq(v, 0x62);
	cr_expect_eq(io_emul_in(&c, 0x80, 4, &v), X86EMUL_OKAY);
	cr_expect_eq(v, 0xffffffff);
	cr_expect_eq(io_emul_out(&c, 0x61, 1, 0x12), X86EMUL_OKAY);
	cr_expect_eq(crash_reason[0], 0);
}

Test(io, emulator_port_callback_crashes_the_domain_on_a_device_error)
{
	struct x86_emul_ctxt c = { .priv = &dom.vcpus[0] };

	cr_assert_eq(io_register_port(&dom, 0x60, 8, echo_io, NULL, "e"), 0);
	cr_expect_eq(io_emul_out(&c, 0x64, 1, 0xfe), X86EMUL_UNHANDLEABLE);
	cr_expect_str_eq(crash_reason, "port 0x64: invalid argument");
}

TestSuite(uart, .init = setup);

Test(uart, lines_are_prefixed_and_sanitized)
{
	const char *s = "hi\r\n\x1b[2Jx";

	cr_assert_eq(uart_init(&dom, &dom.uart), 0);
	for (; *s; s++)
		port_out(COM1, 1, (uint8_t)*s);
	cr_expect_str_eq(console, "guest: hi\n");
	uart_flush(&dom, &dom.uart);
	cr_expect_str_eq(console, "guest: hi\nguest: ?[2Jx\n");
}

/* What `xl console` reads (lab 6): the lines without the prefix. */
Test(uart, lines_reach_the_console_ring)
{
	const char *s = "hi\n\nthere";
	char out[32];
	uint32_t index = 0;
	size_t n;

	cr_assert_eq(uart_init(&dom, &dom.uart), 0);
	for (; *s; s++)
		port_out(COM1, 1, (uint8_t)*s);
	uart_flush(&dom, &dom.uart);
	n = console_ring_read(&dom.console.out, &index, out, sizeof(out));
	cr_expect_eq(n, 10);
	cr_expect(memcmp(out, "hi\n\nthere\n", 10) == 0);
}

Test(uart, long_lines_are_split)
{
	int i;

	cr_assert_eq(uart_init(&dom, &dom.uart), 0);
	for (i = 0; i < UART_LINE_MAX + 3; i++)
		port_out(COM1, 1, 'a');
	port_out(COM1, 1, '\n');
	cr_expect_eq(strlen(console),
		     2 * strlen("guest: \n") + UART_LINE_MAX + 3);
}

Test(uart, registers)
{
	cr_assert_eq(uart_init(&dom, &dom.uart), 0);
	cr_expect_eq(port_in(COM1 + 5, 1), 0x60, "LSR: THRE|TEMT");
	port_out(COM1 + 7, 1, 0xa5);
	cr_expect_eq(port_in(COM1 + 7, 1), 0xa5, "scratch");
	port_out(COM1 + 3, 1, 0x83);
	port_out(COM1, 1, 0x01);
	port_out(COM1 + 1, 1, 0x00);
	cr_expect_eq(port_in(COM1, 1), 0x01, "DLL with DLAB");
	port_out(COM1 + 3, 1, 0x03);
	cr_expect_str_eq(console, "", "divisor writes are not output");
	port_out(COM1 + 1, 1, 0x05);
	cr_expect_eq(port_in(COM1 + 1, 1), 0x05, "IER");
	cr_expect_eq(port_in(COM1 + 2, 1) & 1, 1, "no interrupt");
	port_out(COM1 + 4, 1, 0x10 | 0x03);
	cr_expect_eq(port_in(COM1 + 6, 1) & 0xf0, 0x30,
		     "loopback: DTR/RTS show as DSR/CTS");
}

/* The interrupt tests: COM1 register r, and the line the UART drives. */
#define COM(r)	    (COM1 + (r))
#define UART_LINE() (dom.uart.irq_level)
#define IIR()	    port_in(COM(2), 1)

static void uart_receive_str(const char *s)
{
	for (; *s; s++)
		uart_receive(&dom, &dom.uart, (uint8_t)*s);
}

/* Table IV: line status, then received data, THR empty, modem status. */
Test(uart, iir_priority_order)
{
	cr_assert_eq(uart_init(&dom, &dom.uart), 0);
	port_out(COM(4), 1, 0x10); /* loopback: the modem inputs change */
	port_out(COM(0), 1, 'a');
	port_out(COM(0), 1, 'b'); /* one-byte receiver: an overrun */
	port_out(COM(1), 1, 0x0f);
	cr_expect_eq(IIR(), 0x06, "line status first");
	cr_expect_eq(port_in(COM(5), 1), 0x63, "LSR: DR, OE, THRE, TEMT");
	cr_expect_eq(IIR(), 0x04, "then received data");
	cr_expect_eq(port_in(COM(0), 1), 'b', "16450 overrun keeps the last");
	cr_expect_eq(IIR(), 0x02, "then THR empty");
	cr_expect_eq(IIR(), 0x00, "then modem status");
	cr_expect_eq(port_in(COM(6), 1) & 0x0f, 0x0b, "DCTS, DDSR, DDCD");
	cr_expect_eq(IIR(), 0x01, "nothing after MSR was read");
}

Test(uart, thre_interrupt_set_and_clear)
{
	cr_assert_eq(uart_init(&dom, &dom.uart), 0);
	port_out(COM(4), 1, 0x08);
	cr_expect_eq(IIR(), 0x01, "no THRE interrupt before ETBEI");
	port_out(COM(1), 1, 0x02);
	cr_expect(UART_LINE(), "ETBEI set while THR is empty");
	cr_expect_eq(IIR(), 0x02);
	cr_expect(!UART_LINE() && IIR() == 0x01, "cleared by reading IIR");
	port_out(COM(1), 1, 0x02);
	cr_expect_eq(IIR(), 0x01, "ETBEI already set: no new interrupt");
	port_out(COM(0), 1, 'x');
	cr_expect(UART_LINE() && IIR() == 0x02, "THR written and sent again");
	port_out(COM(1), 1, 0x00);
	port_out(COM(1), 1, 0x02);
	cr_expect_eq(IIR(), 0x02, "re-enabling ETBEI raises it again");
	port_out(COM(1), 1, 0x00);
	port_out(COM(1), 1, 0x03);
	uart_receive(&dom, &dom.uart, 'r');
	cr_expect_eq(IIR(), 0x04);
	cr_expect_eq(IIR(), 0x04, "IIR read shows RX data: THRE stays");
	port_in(COM(0), 1);
	cr_expect_eq(IIR(), 0x02, "THRE once the data was read");
}

Test(uart, rx_fifo_fill_trigger_and_overrun)
{
	char got[UART_FIFO_SIZE + 1] = "";

	cr_assert_eq(uart_init(&dom, &dom.uart), 0);
	cr_expect_eq(uart_rx_room(&dom.uart), 1, "16450 mode: one byte");
	port_out(COM(2), 1, 0x81); /* FIFO on, trigger level 8 */
	port_out(COM(1), 1, 0x01);
	cr_expect_eq(IIR(), 0xc1, "FIFO mode shows in IIR bits 7:6");
	uart_receive_str("1234567");
	cr_expect_eq(IIR(), 0xcc, "below the trigger: character timeout");
	uart_receive_str("8");
	cr_expect_eq(IIR(), 0xc4, "at the trigger: received data");
	uart_receive_str("9abcdefg");
	cr_expect_eq(uart_rx_room(&dom.uart), 0, "16 bytes fill it");
	cr_expect_eq(port_in(COM(5), 1), 0x61, "DR, no overrun yet");
	uart_receive_str("h");
	cr_expect_eq(port_in(COM(5), 1), 0x63, "the 17th byte overruns");
	cr_expect_eq(port_in(COM(5), 1), 0x61, "OE cleared by reading LSR");
	for (int i = 0; i < UART_FIFO_SIZE; i++)
		got[i] = (char)port_in(COM(0), 1);
	cr_expect_str_eq(got, "123456789abcdefg", "FIFO order, 'h' lost");
	cr_expect_eq(port_in(COM(5), 1) & 0x01, 0, "empty: DR clear");
	uart_receive_str("xy");
	port_out(COM(2), 1, 0x83);
	cr_expect_eq(port_in(COM(5), 1) & 0x01, 0, "FCR bit 1 empties it");
	uart_receive_str("xy");
	port_out(COM(2), 1, 0x00);
	cr_expect_eq(port_in(COM(5), 1) & 0x01, 0, "leaving FIFO mode too");
}

/* On a PC, OUT2 enables the interrupt's buffer onto ISA line 4. */
Test(uart, out2_gates_the_line)
{
	cr_assert_eq(uart_init(&dom, &dom.uart), 0);
	port_out(COM(1), 1, 0x01);
	uart_receive(&dom, &dom.uart, 'k');
	cr_expect_eq(IIR(), 0x04);
	cr_expect(!UART_LINE(), "no OUT2: the line stays low");
	port_out(COM(4), 1, 0x0b); /* DTR, RTS, OUT2 as Linux sets them */
	cr_expect(UART_LINE(), "OUT2 set: the line follows the interrupt");
	port_out(COM(4), 1, 0x1b);
	cr_expect(!UART_LINE(), "loopback forces OUT2 inactive");
	port_out(COM(4), 1, 0x0b);
	port_in(COM(0), 1);
	cr_expect(!UART_LINE(), "low once the byte was read");
}

Test(uart, loopback_echoes_and_disconnects_the_input)
{
	cr_assert_eq(uart_init(&dom, &dom.uart), 0);
	port_out(COM(4), 1, 0x10);
	cr_expect_eq(uart_rx_room(&dom.uart), 0, "serial input disconnected");
	port_out(COM(0), 1, 'L');
	cr_expect_eq(port_in(COM(5), 1) & 0x01, 0x01, "DR");
	cr_expect_eq(port_in(COM(0), 1), 'L', "the byte came back");
	port_out(COM(0), 1, '\n');
	uart_flush(&dom, &dom.uart);
	cr_expect_str_eq(console, "", "nothing sent out");
}

/* DLAB turns ports 0 and 1 into the divisor latch, IIR stays. */
Test(uart, dlab_hides_the_data_registers)
{
	cr_assert_eq(uart_init(&dom, &dom.uart), 0);
	uart_receive(&dom, &dom.uart, 'q');
	port_out(COM(3), 1, 0x83);
	port_out(COM(0), 1, 0x0c);
	port_out(COM(1), 1, 0x02);
	cr_expect_eq(port_in(COM(0), 1), 0x0c, "DLL");
	cr_expect_eq(IIR(), 0x01, "DLM written, not IER");
	port_out(COM(3), 1, 0x03);
	cr_expect_eq(port_in(COM(1), 1), 0x00, "IER untouched");
	cr_expect_eq(port_in(COM(0), 1), 'q', "RBR still holds the byte");
	uart_flush(&dom, &dom.uart);
	cr_expect_str_eq(console, "", "divisor writes are not output");
}

TestSuite(debugexit, .init = setup);

Test(debugexit, status_is_the_written_value)
{
	cr_assert_eq(debugexit_init(&dom), 0);
	cr_expect_eq(port_in(0xf4, 1), 0xff);
	cr_expect_eq(exit_status, -1000);
	port_out(0xf4, 1, 0x1234);
	cr_expect_eq(exit_status, 0x34, "an 8-bit write gives 8 bits");
	port_out(0xf4, 4, 7);
	cr_expect_eq(exit_status, 7);
}

static struct vcpu *lapic_vcpu(void)
{
	struct vcpu *v = &dom.vcpus[0];

	dom.nvcpus = 1;
	cr_assert_eq(vlapic_init(v), 0);
	sched_current = v;
	return v;
}

static uint64_t lapic_rw(unsigned reg, bool write, uint32_t val)
{
	const struct io_range *r = io_mmio_find(&dom, VLAPIC_BASE + reg);
	uint64_t v = val;

	cr_assert_not_null(r);
	cr_assert_eq(r->fn(&dom, r->opaque, VLAPIC_BASE + reg, 4, write, &v),
		     0);
	return v;
}

TestSuite(vlapic, .init = setup);

Test(vlapic, one_shot_timer_raises_its_vector_once)
{
	struct vcpu *v = lapic_vcpu();

	lapic_rw(0xf0, true, 0x1ff); /* SVR: enabled */
	lapic_rw(0x3e0, true, 0xb);  /* divide by 1 */
	lapic_rw(0x320, true, 0x40); /* one-shot, vector 0x40 */
	cr_expect(!vlapic_can_wake(v));
	lapic_rw(0x380, true, 1000); /* 10 us at 100 MHz */
	cr_expect(vlapic_can_wake(v));
	cr_expect_gt(lapic_rw(0x390, false, 0), 0);
	while (!vlapic_pending(v))
		;
	cr_expect_eq(lapic_rw(0x390, false, 0), 0);
	cr_expect_eq(vlapic_take_interrupt(v), 0x40);
	cr_expect_eq(vlapic_take_interrupt(v), -1);
	cr_expect(!vlapic_can_wake(v), "one-shot: not armed again");
	cr_expect_eq(lapic_rw(0x100 + 0x40 / 32 * 16, false, 0),
		     1u << (0x40 % 32), "vector in service");
	lapic_rw(0xb0, true, 0); /* EOI */
	cr_expect_eq(lapic_rw(0x100 + 0x40 / 32 * 16, false, 0), 0);
}

/* 2.59612 GHz is 25.9612 TSC ticks per 100 MHz clock: rounding that to
 * 25 ran the timer 3.7% fast.  Every period ends at start + k * n clocks,
 * to the tick (50 ms periods: this test is never a period late). */
Test(vlapic, timer_period_is_exact_at_any_tsc_rate)
{
	struct vcpu *v = lapic_vcpu();
	uint64_t t0, t1, period = 129806000;

	tsc_hz = 2596120000ULL;
	lapic_rw(0xf0, true, 0x1ff);
	lapic_rw(0x3e0, true, 0xb);	       /* divide by 1 */
	lapic_rw(0x320, true, 0x20000 | 0x40); /* periodic */
	t0 = rdtsc();
	lapic_rw(0x380, true, 5000000); /* 50 ms: 129806000 ticks */
	t1 = rdtsc();
	cr_expect_geq(v->lapic.deadline, t0 + period);
	cr_expect_leq(v->lapic.deadline, t1 + period);
	cr_expect_geq(lapic_rw(0x390, false, 0), 4900000);
	while (!vlapic_pending(v))
		;
	cr_expect_eq(vlapic_take_interrupt(v), 0x40);
	cr_expect_eq(v->lapic.deadline - v->lapic.start, 2 * period,
		     "the second period ends %llu ticks from the start",
		     (unsigned long long)(v->lapic.deadline - v->lapic.start));
	lapic_rw(0x3e0, true, 0x3); /* divide by 16 */
	lapic_rw(0x380, true, 3);   /* 48 clocks: 1246.1376 ticks */
	cr_expect_eq(v->lapic.deadline - v->lapic.start, 1247, "rounded up");
}

Test(vlapic, masked_or_disabled_timer_raises_nothing)
{
	struct vcpu *v = lapic_vcpu();

	lapic_rw(0xf0, true, 0xff);  /* SVR: software disabled */
	lapic_rw(0x320, true, 0x41); /* so masked */
	cr_expect_eq(lapic_rw(0x320, false, 0) & (1u << 16), 1u << 16);
	lapic_rw(0x380, true, 10);
	while (lapic_rw(0x390, false, 0))
		;
	cr_expect_eq(vlapic_take_interrupt(v), -1);
}

Test(vlapic, tpr_and_in_service_vectors_block_lower_classes)
{
	struct vcpu *v = lapic_vcpu();

	lapic_rw(0xf0, true, 0x1ff);
	lapic_rw(0x320, true, 0x20000 | 0x50); /* periodic, vector 0x50 */
	lapic_rw(0x80, true, 0x60);	       /* TPR class 6 */
	lapic_rw(0x380, true, 100);
	while (!vlapic_pending(v))
		;
	cr_expect_eq(vlapic_take_interrupt(v), -1, "TPR blocks 0x50");
	lapic_rw(0x80, true, 0);
	cr_expect_eq(vlapic_take_interrupt(v), 0x50);
	while (!vlapic_pending(v))
		;
	cr_expect_eq(vlapic_take_interrupt(v), -1, "0x50 in service");
	lapic_rw(0xb0, true, 0);
	cr_expect_eq(vlapic_take_interrupt(v), 0x50, "periodic fires again");
}

Test(vlapic, apic_base_msr)
{
	struct vcpu *v = lapic_vcpu();

	cr_expect_eq(vlapic_base_msr(v), VLAPIC_BASE | (1 << 11) | (1 << 8));
	cr_expect_eq(vlapic_set_base_msr(v, 0xfec00000 | (1 << 11)), -E_INVAL);
	cr_expect_eq(vlapic_set_base_msr(v, VLAPIC_BASE | (1 << 8)), 0);
	cr_expect_eq(vlapic_take_interrupt(v), -1);
}

/* Two vcpus of an hvm domain: the BSP running, the AP waiting for SIPI. */
static void smp_setup(void)
{
	setup();
	dom.type = DOMAIN_HVM;
	dom.nvcpus = 2;
	for (int i = 0; i < 2; i++) {
		dom.vcpus[i].domain = &dom;
		dom.vcpus[i].id = i;
		cr_assert_eq(vlapic_init(&dom.vcpus[i]), 0);
	}
	dom.vcpus[1].state = VCPU_WAIT_SIPI;
	sched_current = &dom.vcpus[0];
}

/* An xAPIC register access by vcpu id. */
static uint64_t smp_rw(int id, unsigned reg, bool write, uint32_t val)
{
	sched_current = &dom.vcpus[id];
	return lapic_rw(reg, write, val);
}

static void smp_ipi(int from, uint32_t dest, uint32_t icr)
{
	smp_rw(from, 0x310, true, dest << 24);
	smp_rw(from, 0x300, true, icr);
}

/* The vector vcpu id takes, and its EOI. */
static int smp_take(int id)
{
	int vec = vlapic_take_interrupt(&dom.vcpus[id]);

	smp_rw(id, 0xb0, true, 0);
	return vec;
}

TestSuite(smp, .init = smp_setup);

Test(smp, each_vcpu_sees_its_own_apic)
{
	cr_expect_eq(smp_rw(0, 0x20, false, 0), 0);
	cr_expect_eq(smp_rw(1, 0x20, false, 0), 1u << 24);
	smp_rw(1, 0x80, true, 0x30);
	cr_expect_eq(smp_rw(0, 0x80, false, 0), 0, "TPR is per vcpu");
	cr_expect_eq(smp_rw(0, 0x350, false, 0), 0x700, "BSP LINT0: ExtINT");
	cr_expect_eq(smp_rw(0, 0x360, false, 0), 0x400, "BSP LINT1: NMI");
	cr_expect_eq(smp_rw(1, 0x350, false, 0), 1u << 16, "AP LINT0 masked");
}

Test(smp, fixed_ipi_physical_and_shorthands)
{
	smp_ipi(0, 1, 0x40);
	cr_expect_eq(smp_take(1), 0x40);
	cr_expect_eq(smp_take(0), -1);
	cr_expect_eq(smp_rw(0, 0x300, false, 0) & (1u << 12), 0, "idle");
	smp_ipi(0, 0, 0x41 | 1u << 18); /* self */
	cr_expect_eq(smp_take(0), 0x41);
	cr_expect_eq(smp_take(1), -1);
	smp_ipi(1, 0, 0x42 | 3u << 18); /* all but self */
	cr_expect_eq(smp_take(0), 0x42);
	cr_expect_eq(smp_take(1), -1);
	smp_ipi(1, 0, 0x43 | 2u << 18); /* all */
	cr_expect_eq(smp_take(0), 0x43);
	cr_expect_eq(smp_take(1), 0x43);
	smp_ipi(0, 0xff, 0x44); /* physical broadcast */
	cr_expect_eq(smp_take(1), 0x44);
}

Test(smp, logical_flat_cluster_and_lowest_priority)
{
	smp_rw(0, 0xd0, true, 0x01000000);
	smp_rw(1, 0xd0, true, 0x02000000);
	smp_ipi(0, 0x02, 0x50 | 1u << 11);
	cr_expect_eq(smp_take(1), 0x50, "flat: bit 1");
	cr_expect_eq(smp_take(0), -1);
	smp_rw(0, 0xe0, true, 0x0fffffff); /* cluster model */
	smp_rw(1, 0xe0, true, 0x0fffffff);
	smp_rw(0, 0xd0, true, 0x11000000);
	smp_rw(1, 0xd0, true, 0x21000000);
	smp_ipi(0, 0x21, 0x51 | 1u << 11);
	cr_expect_eq(smp_take(1), 0x51, "cluster 2, member 1");
	cr_expect_eq(smp_take(0), -1);
	smp_rw(1, 0x80, true, 0x20);
	smp_ipi(1, 0xff, 0x62 | 1u << 8); /* lowest priority to both */
	cr_expect_eq(smp_take(0), 0x62, "the lower TPR wins");
	cr_expect_eq(smp_take(1), -1, "and only it");
}

Test(smp, init_sipi_and_nmi)
{
	struct vcpu *ap = &dom.vcpus[1], *bsp = &dom.vcpus[0];

	smp_ipi(0, 0, 0x608 | 1u << 18); /* SIPI to itself: not waiting */
	cr_expect_eq(bsp->lapic.sipi, -1);
	cr_expect_eq(bsp->state, VCPU_RUNNABLE);
	smp_ipi(0, 1, 0x500 | 1u << 15); /* INIT level de-assert: no-op */
	cr_expect(!ap->lapic.init);
	ap->state = VCPU_RUNNABLE;
	smp_rw(1, 0xf0, true, 0x1ff);
	smp_ipi(0, 1, 0x4500);
	cr_expect(ap->lapic.init);
	cr_expect_eq(ap->state, VCPU_WAIT_SIPI);
	cr_expect_eq(smp_rw(1, 0xf0, false, 0), 0xff, "INIT resets the APIC");
	smp_ipi(0, 1, 0x608);
	smp_ipi(0, 1, 0x609);
	cr_expect_eq(ap->lapic.sipi, 8, "the first STARTUP counts");
	cr_expect(!vlapic_take_nmi(ap));
	smp_ipi(0, 1, 0x400);
	cr_expect(vlapic_can_wake(ap));
	cr_expect(vlapic_take_nmi(ap));
	cr_expect(!vlapic_take_nmi(ap));
}

Test(smp, missing_ids_and_illegal_vectors)
{
	smp_ipi(0, 200, 0x40);
	smp_ipi(0, 200, 0x4500);
	cr_expect_eq(smp_take(1), -1);
	cr_expect(!dom.vcpus[1].lapic.init);
	smp_rw(0, 0x280, true, 0);
	cr_expect_eq(smp_rw(0, 0x280, false, 0), 0, "no error for ID 200");
	smp_ipi(0, 1, 0x05);
	cr_expect_eq(smp_take(1), -1);
	cr_expect_eq(smp_rw(0, 0x280, false, 0), 0, "seen at the next write");
	smp_rw(0, 0x280, true, 0);
	cr_expect_eq(smp_rw(0, 0x280, false, 0), 1u << 5, "send illegal");
	smp_rw(0, 0x280, true, 0);
	cr_expect_eq(smp_rw(0, 0x280, false, 0), 0);
}

Test(smp, x2apic_msrs)
{
	struct vcpu *v = &dom.vcpus[1], *bsp = &dom.vcpus[0];
	uint64_t val;

	cr_expect_eq(vlapic_msr_read(v, 0x802, &val), -E_INVAL, "xAPIC mode");
	cr_expect_eq(vlapic_set_base_msr(v, VLAPIC_BASE | (1 << 10)), -E_INVAL,
		     "EXTD without EN");
	cr_assert_eq(vlapic_set_base_msr(v, VLAPIC_BASE | 3 << 10), 0);
	cr_expect_eq(vlapic_base_msr(v), VLAPIC_BASE | 3 << 10);
	cr_expect_eq(smp_rw(1, 0x20, false, 0), 0, "no MMIO in x2APIC mode");
	cr_expect_eq(vlapic_msr_read(v, 0x802, &val), 0);
	cr_expect_eq(val, 1);
	cr_expect_eq(vlapic_msr_read(v, 0x80d, &val), 0);
	cr_expect_eq(val, 2, "LDR from the ID");
	cr_expect_eq(vlapic_msr_read(v, 0x831, &val), -E_INVAL, "ICR high");
	cr_expect_eq(vlapic_msr_read(v, 0x80b, &val), -E_INVAL,
		     "EOI: write-only");
	cr_expect_eq(vlapic_msr_write(v, 0x802, 5), -E_INVAL, "ID: read-only");
	cr_expect_eq(vlapic_msr_write(v, 0x80b, 1), -E_INVAL, "EOI of 1");
	cr_expect_eq(vlapic_msr_write(v, 0x808, 1ULL << 32), -E_INVAL);
	cr_expect_eq(vlapic_msr_write(v, 0x80e, 0), -E_INVAL, "no DFR");
	cr_expect_eq(vlapic_msr_write(v, 0x83f, 0x100), -E_INVAL);
	cr_expect_eq(vlapic_msr_write(v, 0x80f, 0x1ff), 0);
	cr_expect_eq(vlapic_msr_write(v, 0x830, 0x60), 0, "ICR: to ID 0");
	cr_expect_eq(vlapic_take_interrupt(bsp), 0x60);
	cr_expect_eq(vlapic_msr_read(v, 0x830, &val), 0);
	cr_expect_eq(val, 0x60);
	cr_expect_eq(vlapic_msr_write(v, 0x83f, 0x61), 0, "SELF IPI");
	cr_expect_eq(vlapic_take_interrupt(v), 0x61);
	cr_expect_eq(vlapic_msr_write(v, 0x80b, 0), 0);
	cr_expect_eq(v->lapic.isr[0x61 / 32], 0);
	cr_expect_eq(vlapic_set_base_msr(v, VLAPIC_BASE | (1 << 11)), -E_INVAL,
		     "x2APIC to xAPIC");
	cr_expect_eq(vlapic_set_base_msr(v, VLAPIC_BASE), 0);
	cr_expect_eq(vlapic_set_base_msr(v, VLAPIC_BASE | 3 << 10), -E_INVAL,
		     "disabled to x2APIC");
}

Test(smp, tsc_deadline_timer)
{
	struct vcpu *v = &dom.vcpus[0];
	uint64_t val;

	cr_expect_eq(vlapic_msr_write(v, 0x6e0, rdtsc() + 1000), 0);
	cr_expect(!v->lapic.deadline, "ignored outside TSC-deadline mode");
	smp_rw(0, 0x320, true, 2u << 17 | 0x70);
	smp_rw(0, 0x380, true, 1000);
	cr_expect(!v->lapic.deadline, "TMICT ignored in TSC-deadline mode");
	cr_expect_eq(vlapic_msr_write(v, 0x6e0, rdtsc() + 1000), 0);
	cr_expect_eq(vlapic_msr_read(v, 0x6e0, &val), 0);
	cr_expect_neq(val, 0);
	while (!vlapic_pending(v))
		;
	cr_expect_eq(vlapic_take_interrupt(v), 0x70);
	cr_expect_eq(vlapic_msr_read(v, 0x6e0, &val), 0);
	cr_expect_eq(val, 0, "reads 0 once fired");
	cr_expect_eq(vlapic_msr_write(v, 0x6e0, rdtsc() + 1000000000), 0);
	smp_rw(0, 0x320, true, 0x70);
	cr_expect(!v->lapic.deadline, "leaving the mode disarms");
}

/* A backend whose registers are an array and which records injections. */
static uint64_t fake_regs[VREG_COUNT];
static struct virt_event fake_events[4];
static int fake_nevents;

static uint64_t fake_reg_read(struct vcpu *v, enum vreg r)
{
	return fake_regs[r];
}

static void fake_inject(struct vcpu *v, const struct virt_event *ev)
{
	cr_assert_lt(fake_nevents, 4);
	fake_events[fake_nevents++] = *ev;
}

static const struct virt_ops fake_ops = { .reg_read = fake_reg_read,
					  .inject_event = fake_inject };

Test(smp, nmi_waits_for_its_window_after_a_shadow_or_blocking)
{
	struct vcpu *ap = &dom.vcpus[1];

	dom.ops = &fake_ops;
	ap->state = VCPU_RUNNABLE;
	smp_rw(1, 0xf0, true, 0x1ff);
	smp_ipi(0, 1, 0x400);
	smp_ipi(0, 1, 0x40);
	fake_regs[VREG_RFLAGS] = X86_FLAGS_IF;
	fake_regs[VREG_INTR_SHADOW] = 1;
	cr_expect_eq(virt_deliver_interrupt(ap, false),
		     VIRT_WINDOW_NMI | VIRT_WINDOW_INTR, "STI shadow");
	cr_expect_eq(fake_nevents, 0);
	fake_regs[VREG_INTR_SHADOW] = 0;
	fake_regs[VREG_NMI_BLOCKED] = 1;
	cr_expect_eq(virt_deliver_interrupt(ap, false), VIRT_WINDOW_NMI,
		     "the NMI still blocked, the interrupt goes");
	cr_expect_eq(fake_nevents, 1);
	cr_expect_eq(fake_events[0].vector, 0x40);
	fake_regs[VREG_NMI_BLOCKED] = 0;
	cr_expect_eq(virt_deliver_interrupt(ap, true), 0, "event queued");
	cr_expect_eq(virt_deliver_interrupt(ap, false), 0);
	cr_expect_eq(fake_nevents, 2);
	cr_expect_eq(fake_events[1].type, EVENT_NMI);
	cr_expect_eq(fake_events[1].vector, T_NMI);
	cr_expect(!ap->lapic.nmi);
}
