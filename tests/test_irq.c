/*
 * test_irq.c - an hvm domain's interrupt controllers and timer on the
 * host: the 8259A pair (kernel/dev/pic.c), the 8254 (kernel/dev/pit.c),
 * the IOAPIC (kernel/dev/ioapic.c) and the ISA lines between them
 * (kernel/dev/irq.c).  Time is a fake TSC at 1000 ticks per PIT clock;
 * vlapic_deliver is recorded here.
 */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <inc/apic.h>
#include <kernel/kernel.h>
#include <kernel/clock.h>
#include <kernel/domain.h>
#include <kernel/dev/irq.h>

#define TSC_PER_CLOCK 1000

static struct domain dom;
static struct pic *pic = &dom.irq.pic;
static struct pit *pit = &dom.irq.pit;

/* The messages vlapic_deliver received. */
static struct {
	uint32_t dest;
	bool logical, level;
	unsigned mode;
	uint8_t vec;
} sent[16];
static int nsent;

int cprintf(const char *fmt, ...)
{
	return 0;
}

int result_printf(const char *fmt, ...)
{
	return 0;
}

void _panic(const char *file, int line, const char *fmt, ...)
{
	abort();
}

void domain_crash(struct domain *d, struct vcpu *v, const char *fmt, ...)
{
}

uint64_t clock_tsc_hz(void)
{
	return PLATFORM_PIT_HZ * TSC_PER_CLOCK;
}

void vlapic_deliver(struct domain *d, uint32_t dest, bool logical,
		    unsigned mode, uint8_t vec, bool level)
{
	cr_assert_lt(nsent, 16);
	sent[nsent].dest = dest;
	sent[nsent].logical = logical;
	sent[nsent].mode = mode;
	sent[nsent].vec = vec;
	sent[nsent].level = level;
	nsent++;
}

static void setup(void)
{
	memset(&dom, 0, sizeof(dom));
	dom.type = DOMAIN_HVM;
	nsent = 0;
	cr_assert_eq(irq_init(&dom), 0);
}

/* The PC BIOS's initialization: vectors 0x20 and 0x28, cascade on IR2,
 * 8086 mode, everything unmasked. */
static void pic_init_pc(uint8_t icw4)
{
	pic_write(pic, 0x20, 0x11);
	pic_write(pic, 0x21, 0x20);
	pic_write(pic, 0x21, 0x04);
	pic_write(pic, 0x21, icw4);
	pic_write(pic, 0xa0, 0x11);
	pic_write(pic, 0xa1, 0x28);
	pic_write(pic, 0xa1, 0x02);
	pic_write(pic, 0xa1, icw4);
	pic_write(pic, 0x21, 0x00);
	pic_write(pic, 0xa1, 0x00);
}

TestSuite(pic, .init = setup);

Test(pic, icw4_skipped_when_icw1_says_so)
{
	pic_write(pic, 0x20, 0x10); /* no IC4 */
	pic_write(pic, 0x21, 0x40);
	pic_write(pic, 0x21, 0x04);
	pic_write(pic, 0x21, 0x5a); /* OCW1, not ICW4 */
	cr_expect_eq(pic_read(pic, 0x21), 0x5a);
	pic_write(pic, 0x20, 0x13); /* single, IC4: no ICW3 */
	pic_write(pic, 0x21, 0x48);
	pic_write(pic, 0x21, 0x03); /* ICW4: AEOI */
	pic_write(pic, 0x21, 0xa5);
	cr_expect_eq(pic_read(pic, 0x21), 0xa5);
	pic_write(pic, 0x21, 0xfe);
	pic_set_irq(pic, 0, true);
	cr_expect_eq(pic_ack(pic), 0x48);
	cr_expect_eq(pic->chip[0].isr, 0, "automatic EOI");
}

Test(pic, imr_masks_and_unmasking_delivers)
{
	pic_init_pc(0x01);
	pic_write(pic, 0x21, 0x08);
	pic_set_irq(pic, 3, true);
	cr_expect_eq(pic_ack(pic), -1, "IR3 masked");
	pic_write(pic, 0x21, 0x00);
	cr_expect_eq(pic_ack(pic), 0x23);
	cr_expect_eq(pic_ack(pic), -1);
}

Test(pic, no_second_interrupt_without_eoi)
{
	pic_init_pc(0x01);
	pic_set_irq(pic, 0, true);
	pic_set_irq(pic, 0, false);
	cr_expect_eq(pic_ack(pic), 0x20);
	pic_set_irq(pic, 0, true);
	pic_set_irq(pic, 0, false);
	cr_expect_eq(pic_ack(pic), -1, "IR0 in service");
	pic_write(pic, 0x20, 0x20);
	cr_expect_eq(pic_ack(pic), 0x20, "after EOI");
}

Test(pic, eoi_clears_the_right_bit)
{
	pic_init_pc(0x01);
	pic_set_irq(pic, 5, true);
	cr_expect_eq(pic_ack(pic), 0x25);
	pic_set_irq(pic, 1, true);
	cr_expect_eq(pic_ack(pic), 0x21, "IR1 outranks IR5 in service");
	cr_expect_eq(pic->chip[0].isr, 0x22);
	pic_write(pic, 0x20, 0x0b); /* OCW3: read ISR */
	cr_expect_eq(pic_read(pic, 0x20), 0x22);
	pic_write(pic, 0x20, 0x20); /* non-specific: the highest, IR1 */
	cr_expect_eq(pic_read(pic, 0x20), 0x20);
	pic_write(pic, 0x20, 0x65); /* specific EOI of IR5 */
	cr_expect_eq(pic_read(pic, 0x20), 0x00);
	pic_write(pic, 0x20, 0x0a); /* OCW3: read IRR, lines still high */
	cr_expect_eq(pic_read(pic, 0x20), 0x00, "edge: IRR cleared by ack");
}

Test(pic, master_and_slave_priority)
{
	pic_init_pc(0x01);
	pic_set_irq(pic, 3, true);
	pic_set_irq(pic, 10, true);
	cr_expect_eq(pic_ack(pic), 0x2a, "slave's IR2 via master IR2 first");
	cr_expect_eq(pic_ack(pic), -1, "IR3 below IR2 in service");
	pic_write(pic, 0xa0, 0x20);
	pic_write(pic, 0x20, 0x20);
	cr_expect_eq(pic_ack(pic), 0x23);
	pic_set_irq(pic, 1, true);
	pic_set_irq(pic, 8, true);
	cr_expect_eq(pic_ack(pic), 0x21, "IR1 outranks the cascade");
}

Test(pic, level_reasserts_edge_does_not)
{
	pic_init_pc(0x01);
	pic_write(pic, 0x4d1, 0x04); /* line 10 level */
	pic_set_irq(pic, 10, true);
	pic_set_irq(pic, 11, true);
	cr_expect_eq(pic_ack(pic), 0x2a);
	pic_write(pic, 0xa0, 0x20);
	pic_write(pic, 0x20, 0x20);
	cr_expect_eq(pic_ack(pic), 0x2a, "level line still high");
	pic_write(pic, 0xa0, 0x20);
	pic_write(pic, 0x20, 0x20);
	pic_set_irq(pic, 10, false);
	cr_expect_eq(pic_ack(pic), 0x2b);
	pic_write(pic, 0xa0, 0x20);
	pic_write(pic, 0x20, 0x20);
	cr_expect_eq(pic_ack(pic), -1, "edge line held high: one interrupt");
}

Test(pic, elcr_edge_only_lines)
{
	pic_write(pic, 0x4d0, 0xff);
	pic_write(pic, 0x4d1, 0xff);
	cr_expect_eq(pic_read(pic, 0x4d0), 0xf8);
	cr_expect_eq(pic_read(pic, 0x4d1), 0xde);
}

Test(pic, vanished_request_is_spurious_irq7)
{
	pic_init_pc(0x01);
	pic_write(pic, 0x4d0, 0x20);
	pic_set_irq(pic, 5, true);
	cr_expect(irq_extint_pending(&dom));
	pic_set_irq(pic, 5, false);
	cr_expect_eq(pic_ack(pic), 0x27);
	cr_expect_eq(pic->chip[0].isr, 0, "spurious IRQ 7 is not in service");
	cr_expect(!irq_extint_pending(&dom));
}

Test(pic, poll_and_rotation)
{
	pic_init_pc(0x01);
	pic_set_irq(pic, 4, true);
	pic_write(pic, 0x20, 0x0c);
	cr_expect_eq(pic_read(pic, 0x20), 0x84);
	pic_write(pic, 0x20, 0xa0); /* rotate on non-specific EOI */
	pic_set_irq(pic, 3, true);
	pic_set_irq(pic, 5, true);
	cr_expect_eq(pic_ack(pic), 0x25, "IR4 lowest: IR5 first");
}

Test(pic, hostile_bytes_keep_vectors_sane)
{
	static const unsigned ports[] = {
		0x20, 0x21, 0xa0, 0xa1, 0x4d0, 0x4d1
	};
	int i, v;

	srand(1);
	for (i = 0; i < 100000; i++) {
		pic_write(pic, ports[rand() % 6], (uint8_t)rand());
		pic_set_irq(pic, (unsigned)rand() % 20, rand() & 1);
		v = pic_ack(pic);
		cr_assert(v >= -1 && v < 256);
	}
}

TestSuite(pit, .init = setup);

static uint64_t at(uint64_t clocks)
{
	return 100000000 + clocks * TSC_PER_CLOCK;
}

/* Channel 0 owes an interrupt at clocks: taken at once. */
static bool tick(uint64_t clocks)
{
	if (!pit_due(pit, at(clocks)))
		return false;
	pit_raised(pit, at(clocks));
	return true;
}

static uint16_t pit_read16(unsigned port, uint64_t now)
{
	uint8_t lo = pit_read(pit, port, now);

	return (uint16_t)(lo | pit_read(pit, port, now) << 8);
}

Test(pit, reload_zero_is_65536)
{
	pit_write(pit, 0x43, 0x34, at(0));
	pit_write(pit, 0x40, 0, at(0));
	pit_write(pit, 0x40, 0, at(0));
	cr_expect(!tick(65535));
	cr_expect(tick(65536));
	cr_expect(!tick(65537));
}

Test(pit, lobyte_then_hibyte)
{
	pit_write(pit, 0x43, 0x34, at(0));
	pit_write(pit, 0x40, 0x00, at(0));
	pit_write(pit, 0x40, 0x10, at(0));
	cr_expect_eq(pit_read16(0x40, at(0)), 0x1000);
	cr_expect(!tick(4095));
	cr_expect(tick(4096));
	pit_write(pit, 0x43, 0x24, at(0)); /* MSB only */
	pit_write(pit, 0x40, 0x02, at(0));
	cr_expect_eq(pit_read(pit, 0x40, at(0x100)), 0x01);
}

Test(pit, latch_freezes_the_count)
{
	pit_write(pit, 0x43, 0x30, at(0));
	pit_write(pit, 0x40, 0x00, at(0));
	pit_write(pit, 0x40, 0x20, at(0));
	pit_write(pit, 0x43, 0x00, at(100));
	cr_expect_eq(pit_read(pit, 0x40, at(500)), (0x2000 - 100) & 0xff);
	cr_expect_eq(pit_read(pit, 0x40, at(900)), (0x2000 - 100) >> 8);
	cr_expect_eq(pit_read16(0x40, at(1000)), 0x2000 - 1000, "live again");
}

Test(pit, read_back_status)
{
	pit_write(pit, 0x43, 0xb0, at(0)); /* ch2, both, mode 0 */
	pit_write(pit, 0x43, 0xe8, at(0)); /* read-back status of ch2 */
	cr_expect_eq(pit_read(pit, 0x42, at(0)), 0x70, "OUT low, null count");
	pit_write(pit, 0x61, 0x01, at(0));
	pit_write(pit, 0x42, 10, at(0));
	pit_write(pit, 0x42, 0, at(0));
	pit_write(pit, 0x43, 0xc8, at(20)); /* count and status */
	cr_expect_eq(pit_read(pit, 0x42, at(30)), 0xb0);
	cr_expect_eq(pit_read16(0x42, at(40)), (uint16_t)(10 - 20));
}

/* Channel 2's OUT as port 0x61 bit 5 shows it, clocks after loading. */
static bool out2(uint64_t clocks)
{
	return pit_read(pit, 0x61, at(clocks)) & 0x20;
}

static void ch2_load(uint8_t ctrl, uint16_t n)
{
	pit_write(pit, 0x61, 0x01, at(0));
	pit_write(pit, 0x43, ctrl, at(0));
	pit_write(pit, 0x42, (uint8_t)n, at(0));
	pit_write(pit, 0x42, (uint8_t)(n >> 8), at(0));
}

Test(pit, mode2_pulses_mode3_square_wave)
{
	int t, low = 0;

	ch2_load(0xb4, 10);
	for (t = 0; t < 100; t++)
		low += !out2((uint64_t)t);
	cr_expect_eq(low, 10, "mode 2: low one clock per period");
	cr_expect(!out2(9) && out2(10));
	ch2_load(0xb6, 10);
	for (t = low = 0; t < 100; t++)
		low += !out2((uint64_t)t);
	cr_expect_eq(low, 50, "mode 3: low half the period");
	cr_expect(out2(4) && !out2(5) && out2(10));
}

Test(pit, port61_gate_holds_channel2)
{
	pit_write(pit, 0x43, 0xb0, at(0));
	pit_write(pit, 0x42, 100, at(0));
	pit_write(pit, 0x42, 0, at(0));
	cr_expect(!out2(1000), "gate low: not counting");
	pit_write(pit, 0x61, 0x01, at(1000));
	cr_expect(!out2(1099));
	pit_write(pit, 0x61, 0x00, at(1050));
	cr_expect(!out2(2000), "held at 50");
	pit_write(pit, 0x61, 0x01, at(2000));
	cr_expect(!out2(2049));
	cr_expect(out2(2050));
	cr_expect_eq(pit_read(pit, 0x61, at(2050)) & 0x0f, 0x01);
}

Test(pit, periodic_rate_holds_and_missed_ticks_merge)
{
	uint64_t t, n = 0;

	pit_write(pit, 0x43, 0x34, at(0));
	pit_write(pit, 0x40, 0x9c, at(0)); /* 11932: 100 Hz */
	pit_write(pit, 0x40, 0x2e, at(0));
	for (t = 1; t <= 1000000; t += 7)
		n += tick(t);
	cr_expect_eq(n, 1000000 / 11932);
	for (t = 100 * 11932, n = 0; tick(t); t += 1200)
		n++;
	cr_expect_eq(n, 100 - 1000000 / 11932 + 1,
		     "owed ticks raised one by one, 1 ms apart");
	for (t = 1000 * 11932, n = 0; tick(t); t += 1200)
		n++;
	cr_expect(n >= 64 && n <= 72, "beyond 64 owed, ticks merge (%llu)",
		  (unsigned long long)n);
	cr_expect(pit_armed(pit));
}

Test(pit, mode0_and_mode4_fire_once)
{
	pit_write(pit, 0x43, 0x30, at(0));
	pit_write(pit, 0x40, 10, at(0));
	pit_write(pit, 0x40, 0, at(0));
	cr_expect(pit_armed(pit));
	cr_expect(!tick(9));
	cr_expect(tick(10));
	cr_expect(!tick(100000));
	cr_expect(!pit_armed(pit));
	pit_write(pit, 0x43, 0x38, at(2000));
	pit_write(pit, 0x40, 10, at(2000));
	pit_write(pit, 0x40, 0, at(2000));
	cr_expect(tick(2020));
	cr_expect(!tick(4000));
}

Test(pit, count_one_clamped_to_1ms)
{
	pit_write(pit, 0x43, 0x34, at(0));
	pit_write(pit, 0x40, 1, at(0));
	pit_write(pit, 0x40, 0, at(0));
	cr_expect(tick(1000000));
	cr_expect(!tick(1000000));
	cr_expect(!tick(1001000), "within 1 ms of the last");
	cr_expect(tick(1001200));
}

/* pit_next, which the host's timer is set for, is the first TSC at which
 * pit_due holds: the period's end, or 1 ms after the last tick raised. */
Test(pit, next_is_the_first_due_time)
{
	uint64_t next = 0;

	pit_write(pit, 0x43, 0x34, at(0));
	pit_write(pit, 0x40, 0x9c, at(0)); /* 11932: 100 Hz */
	pit_write(pit, 0x40, 0x2e, at(0));
	for (int i = 1; i <= 3; i++) {
		next = pit_next(pit, at(5));
		cr_expect_eq(next, at(i * 11932ULL), "period %d", i);
		cr_expect(!pit_due(pit, next - 1) && pit_due(pit, next));
		pit_raised(pit, next);
	}
	cr_expect_eq(pit_next(pit, at(10 * 11932)), at(10 * 11932),
		     "owed: due now");
	pit_write(pit, 0x43, 0x34, at(1000000)); /* count 1: 1 ms apart */
	pit_write(pit, 0x40, 1, at(1000000));
	pit_write(pit, 0x40, 0, at(1000000));
	pit_raised(pit, at(1000001));
	next = pit_next(pit, at(1000002));
	cr_expect(!pit_due(pit, next - 1) && pit_due(pit, next),
		  "1 ms after the last");
	pit_write(pit, 0x43, 0x30, at(2000000)); /* mode 0: fires once */
	pit_write(pit, 0x40, 10, at(2000000));
	pit_write(pit, 0x40, 0, at(2000000));
	cr_expect(tick(2000010));
	cr_expect_eq(pit_next(pit, at(2000011)), 0, "mode 0 fired: none");
}

Test(pit, owed_tick_waits_until_the_last_was_taken)
{
	pic_init_pc(0x01);
	pic_set_irq(pic, 0, true);
	pic_set_irq(pic, 0, false);
	cr_expect(irq_waiting(&dom, 0), "IRR0 pending, unmasked");
	pic_write(pic, 0x21, 0x01);
	cr_expect(!irq_waiting(&dom, 0), "masked: ticks merge");
	pic_write(pic, 0x21, 0x00);
	cr_expect_eq(pic_ack(pic), 0x20);
	cr_expect(!irq_waiting(&dom, 0), "taken");
}

TestSuite(ioapic, .init = setup);

/* Pin's redirection entry: low and high dwords. */
static void redir(unsigned pin, uint32_t lo, uint32_t hi)
{
	ioapic_reg_write(&dom, 0x11 + 2 * pin, hi);
	ioapic_reg_write(&dom, 0x10 + 2 * pin, lo);
}

Test(ioapic, id_version_and_masked_pins)
{
	cr_expect_eq(ioapic_reg_read(&dom, 1), 0x00170011);
	ioapic_reg_write(&dom, 0, 0xff000000);
	cr_expect_eq(ioapic_reg_read(&dom, 0), 0x0f000000);
	cr_expect_eq(ioapic_reg_read(&dom, 0x10) & (1u << 16), 1u << 16);
	irq_pulse(&dom, 4);
	cr_expect_eq(nsent, 0, "masked at reset");
	redir(4, 0x34, 0x01000000);
	irq_pulse(&dom, 4);
	cr_expect_eq(nsent, 1);
	cr_expect_eq(sent[0].vec, 0x34);
	cr_expect_eq(sent[0].dest, 1);
	cr_expect(!sent[0].level && !sent[0].logical);
	redir(4, 0x10934, 0x02000000);
	irq_pulse(&dom, 4);
	cr_expect_eq(nsent, 1, "masked again");
}

Test(ioapic, pit_line_reaches_pin2)
{
	redir(0, 0x30, 0);
	redir(2, 0x32, 0);
	irq_pulse(&dom, PLATFORM_IRQ_PIT);
	cr_expect_eq(nsent, 1);
	cr_expect_eq(sent[0].vec, 0x32);
}

Test(ioapic, edge_delivers_on_rising_edge_only)
{
	redir(5, 0x835, 0x03000000); /* logical */
	irq_set(&dom, 5, true);
	irq_set(&dom, 5, true);
	cr_expect_eq(nsent, 1);
	cr_expect(sent[0].logical);
	irq_set(&dom, 5, false);
	irq_set(&dom, 5, true);
	cr_expect_eq(nsent, 2);
}

Test(ioapic, level_remote_irr_and_redelivery)
{
	redir(9, 0x8039, 0);
	irq_set(&dom, 9, true);
	cr_expect_eq(nsent, 1);
	cr_expect(sent[0].level);
	cr_expect(ioapic_reg_read(&dom, 0x22) & (1u << 14), "remote IRR");
	irq_set(&dom, 9, false);
	irq_set(&dom, 9, true);
	cr_expect_eq(nsent, 1, "not again before the EOI");
	irq_eoi(&dom, 0x38);
	cr_expect_eq(nsent, 1, "another vector's EOI");
	irq_eoi(&dom, 0x39);
	cr_expect_eq(nsent, 2, "still asserted at EOI: delivered again");
	irq_set(&dom, 9, false);
	irq_eoi(&dom, 0x39);
	cr_expect_eq(nsent, 2);
	cr_expect(!(ioapic_reg_read(&dom, 0x22) & (1u << 14)));
}

Test(ioapic, unmasking_an_asserted_level_pin_delivers)
{
	redir(10, 0x1803a, 0);
	irq_set(&dom, 10, true);
	cr_expect_eq(nsent, 0);
	redir(10, 0x803a, 0);
	cr_expect_eq(nsent, 1);
	redir(10, 0x3a, 0); /* to edge: remote IRR cleared */
	cr_expect(!(ioapic_reg_read(&dom, 0x24) & (1u << 14)));
	ioapic_reg_write(&dom, 0x24, 0xffffffff);
	cr_expect_eq(ioapic_reg_read(&dom, 0x24), 0x1afff);
}
