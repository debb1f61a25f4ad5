/*
 * smp.c - a two-vcpu guest (SDM 3A 9.4.4 "MP Initialization Example",
 * 11.6 "Issuing Interprocessor Interrupts", 11.12 "x2APIC", 11.5.4.1
 * "TSC-Deadline Mode"): the BSP starts the AP with INIT-SIPI-SIPI through
 * its xAPIC, then both ping-pong IPIs, share a spinlocked counter, run a
 * TLB shootdown, and the AP switches to x2APIC.  With hostile=1 the guest
 * sends IPIs to an APIC ID no vcpu has and then lets the AP INIT the BSP,
 * which restarts at the reset vector, outside guest RAM: the domain must
 * crash and only it.
 */
#include <guests/lib/guest.h>
#include <guests/lib/pt.h>
#include <inc/apic.h>

#define SMP_TRAMPOLINE 0x8000
#define PINGS	       100
#define COUNT	       20000
#define V_PING	       0x50
#define V_PONG	       0x51
#define V_SHOOT	       0x52
#define V_X2	       0x53
#define V_DEADLINE     0x54
#define SHOOT_VA       0x8000000000ULL /* 512 GiB: PML4 slot 1 */

extern char tramp_start[], tramp_end[], tramp_cr3[], tramp_stack[],
	tramp_entry[], tramp_cs[], tramp_ip[], tramp_here[];

static volatile unsigned ap_up, ap_id, pings, pongs, x2_irqs, deadline_irqs,
	nmis, gps, shoot_acks, stage;
static volatile uint64_t shoot_seen;
static volatile int lock;
static volatile unsigned counter;
static uint8_t ap_stack[16384] __attribute__((aligned(16)));
static uint8_t pt_pool[16 * PT_PAGE] __attribute__((aligned(PT_PAGE)));
static uint8_t frames[2][PT_PAGE] __attribute__((aligned(PT_PAGE)));
static uintptr_t root;
static uint64_t tsc_per_ms;
static struct {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed)) idtr;

static void apic_write(uint32_t reg, uint32_t v)
{
	*(volatile uint32_t *)(uintptr_t)(APIC_DEFAULT_PA + reg) = v;
}

static uint32_t apic_read(uint32_t reg)
{
	return *(volatile uint32_t *)(uintptr_t)(APIC_DEFAULT_PA + reg);
}

static void ipi(uint32_t dest, uint32_t icr)
{
	apic_write(APIC_ICR_HI, dest << 24);
	apic_write(APIC_ICR_LO, icr);
}

/*
 * The TSC's rate against the PIT's channel 2, as Linux's
 * pit_calibrate_tsc: 10 ms one-shots (mode 0, 11932 clocks at 1193182
 * Hz), the output read at port 0x61, the speaker off.  Time the vcpu
 * spends descheduled only lengthens a measurement: the shortest of five.
 */
static void calibrate_tsc(void)
{
	uint64_t t0, t;

	for (int i = 0; i < 5; i++) {
		t0 = rdtsc();
		outb(0x61, (inb(0x61) & ~0x02) | 0x01);
		outb(0x43, 0xb0);
		outb(0x42, 11932 & 0xff);
		outb(0x42, 11932 >> 8);
		while (!(inb(0x61) & 0x20))
			;
		t = (rdtsc() - t0) / 10;
		if (!tsc_per_ms || t < tsc_per_ms)
			tsc_per_ms = t;
	}
}

/* Waits up to ms for *flag to reach want, interrupts on; whether it did. */
static bool wait_for(volatile unsigned *flag, unsigned want, unsigned ms)
{
	uint64_t end = rdtsc() + ms * tsc_per_ms;

	while (*flag < want && rdtsc() < end)
		__asm__ volatile("sti; pause; cli" : : : "memory");
	return *flag >= want;
}

#define EOI() \
	(*(volatile uint32_t *)(uintptr_t)(APIC_DEFAULT_PA + APIC_EOI) = 0)

__attribute__((interrupt)) static void on_ping(struct intr_frame *f)
{
	pings++;
	apic_write(APIC_ICR_HI, 0);
	apic_write(APIC_ICR_LO, V_PONG);
	EOI();
}

__attribute__((interrupt)) static void on_pong(struct intr_frame *f)
{
	pongs++;
	EOI();
}

__attribute__((interrupt)) static void on_shoot(struct intr_frame *f)
{
	pt_invlpg(SHOOT_VA);
	shoot_seen = *(volatile uint64_t *)SHOOT_VA;
	shoot_acks++;
	EOI();
}

/* The AP is in x2APIC mode: EOI through its MSR. */
__attribute__((interrupt)) static void on_x2(struct intr_frame *f)
{
	x2_irqs++;
	if (rdmsr(MSR_IA32_APIC_BASE) & APIC_BASE_X2APIC)
		wrmsr(0x80b, 0);
	else
		EOI();
}

__attribute__((interrupt)) static void on_deadline(struct intr_frame *f)
{
	deadline_irqs++;
	EOI();
}

__attribute__((interrupt)) static void on_nmi(struct intr_frame *f)
{
	nmis++;
}

/* #GP from RDMSR/WRMSR (2 bytes): counted and skipped. */
__attribute__((interrupt)) static void on_gp(struct intr_frame *f, uint64_t err)
{
	gps++;
	f->ip += 2;
}

static void lock_acquire(void)
{
	while (__atomic_exchange_n(&lock, 1, __ATOMIC_ACQUIRE))
		__asm__ volatile("pause");
}

static void lock_release(void)
{
	__atomic_store_n(&lock, 0, __ATOMIC_RELEASE);
}

static void count(void)
{
	for (int i = 0; i < COUNT; i++) {
		lock_acquire();
		counter = counter + 1;
		lock_release();
	}
}

static void ap_x2apic(void)
{
	unsigned before = gps;
	uint64_t v;

	wrmsr(MSR_IA32_APIC_BASE, rdmsr(MSR_IA32_APIC_BASE) | APIC_BASE_X2APIC);
	ap_id = (unsigned)rdmsr(0x802);
	v = rdmsr(0x80d);
	rdmsr(0x831);	     /* ICR high: xAPIC only */
	wrmsr(0x802, 5);     /* ID: read-only */
	wrmsr(0x83f, 0x100); /* SELF IPI: reserved bits */
	if (gps - before == 3 && v == 2)
		stage = 10;
	wrmsr(0x830, V_X2); /* to APIC ID 0, physical */
	wrmsr(0x83f, V_X2); /* SELF IPI */
}

static void ap_main(void)
{
	__asm__ volatile("lidt %0" : : "m"(idtr));
	ap_id = apic_read(APIC_ID) >> 24;
	apic_write(APIC_SVR, APIC_SVR_ENABLE | 0xff);
	ap_up = 1;
	wait_for(&stage, 1, 10000);
	if (cmdline_u64("hostile", 0)) {
		wait_for(&stage, 5, 20000);
		ipi(0, APIC_DM_INIT << 8 | APIC_ICR_ASSERT);
		for (;;)
			__asm__ volatile("sti; hlt");
	}
	(void)*(volatile uint64_t *)SHOOT_VA; /* the old mapping in its TLB */
	stage = 2;
	wait_for(&stage, 3, 10000);
	count();
	stage = 4;
	wait_for(&stage, 5, 20000);
	ap_x2apic();
	for (;;)
		__asm__ volatile("sti; hlt");
}

static bool start_ap(void)
{
	memcpy((void *)SMP_TRAMPOLINE, tramp_start, tramp_end - tramp_start);
	*(uint64_t *)(SMP_TRAMPOLINE +
		      (tramp_cr3 - tramp_start)) = pt_read_cr3();
	*(uint64_t *)(SMP_TRAMPOLINE +
		      (tramp_stack - tramp_start)) = (uintptr_t)ap_stack +
						     sizeof(ap_stack);
	*(uint64_t *)(SMP_TRAMPOLINE +
		      (tramp_entry - tramp_start)) = (uintptr_t)ap_main;
	ipi(1, APIC_DM_INIT << 8 | APIC_ICR_ASSERT | APIC_ICR_LEVEL);
	ipi(1, APIC_DM_INIT << 8 | APIC_ICR_LEVEL); /* de-assert */
	for (int i = 0; i < 2; i++)
		ipi(1, APIC_DM_STARTUP << 8 | SMP_TRAMPOLINE >> 12);
	return wait_for(&ap_up, 1, 5000);
}

static void test_hostile(void)
{
	unsigned before = pongs + x2_irqs;

	apic_write(APIC_ESR, 0);
	ipi(200, V_PONG);
	ipi(200, APIC_DM_NMI << 8);
	ipi(200, APIC_DM_INIT << 8 | APIC_ICR_ASSERT);
	ipi(200, APIC_DM_STARTUP << 8 | 0xff);
	apic_write(APIC_ESR, 0);
	report(apic_read(APIC_ESR) == 0 && pongs + x2_irqs == before,
	       "IPIs to APIC ID 200 dropped, no error");
	report(true, "the AP sends INIT to the BSP");
	stage = 5;
	for (;;)
		__asm__ volatile("sti; pause; cli");
}

static void test_deadline(void)
{
	struct cpuid_regs c = cpuid(1, 0);

	report((c.ecx & (1u << 21)) && (c.ecx & (1u << 24)),
	       "CPUID: x2APIC and TSC-deadline");
	apic_write(APIC_LVT_TIMER, APIC_LVT_DEADLINE | V_DEADLINE);
	wrmsr(MSR_IA32_TSC_DEADLINE, rdtsc() + tsc_per_ms);
	for (int i = 0; i < 100 && !deadline_irqs; i++)
		__asm__ volatile("sti; hlt; cli" : : : "memory");
	report(deadline_irqs == 1 && rdmsr(MSR_IA32_TSC_DEADLINE) == 0,
	       "TSC-deadline timer fired once");
}

void main(void)
{
	unsigned i;

	outb(0x21, 0xff);
	outb(0xa1, 0xff);
	calibrate_tsc();
	idt_set(V_PING, on_ping);
	idt_set(V_PONG, on_pong);
	idt_set(V_SHOOT, on_shoot);
	idt_set(V_X2, on_x2);
	idt_set(V_DEADLINE, on_deadline);
	idt_set(2, on_nmi);
	idt_set(13, on_gp);
	__asm__ volatile("sidt %0" : "=m"(idtr));
	apic_write(APIC_SVR, APIC_SVR_ENABLE | 0xff);
	report(apic_read(APIC_LVT_TIMER + 0x30) == APIC_DM_EXTINT << 8 &&
		       apic_read(APIC_LVT_TIMER + 0x40) == APIC_DM_NMI << 8,
	       "firmware state: LINT0 ExtINT, LINT1 NMI");
	/* A 4 KiB mapping of its own for the shootdown. */
	pt_init(PT_4LEVEL, pt_pool, sizeof(pt_pool));
	root = pt_read_cr3();
	*(uint64_t *)frames[0] = 0xaaaa;
	*(uint64_t *)frames[1] = 0xbbbb;
	pt_map(root, SHOOT_VA, (uintptr_t)frames[0], PTE_W);

	if (!report(start_ap(), "AP started by INIT-SIPI-SIPI"))
		return;
	report(*(uint16_t *)(SMP_TRAMPOLINE + (tramp_cs - tramp_start)) ==
			       SMP_TRAMPOLINE >> 4 &&
		       *(uint16_t *)(SMP_TRAMPOLINE +
				     (tramp_ip - tramp_start)) ==
			       tramp_here - tramp_start,
	       "AP started in real mode at 0800:0000");
	report_eq(ap_id, 1, "AP reads its own APIC ID");
	report_eq(apic_read(APIC_ID) >> 24, 0, "BSP reads its own APIC ID");
	stage = 1;
	if (cmdline_u64("hostile", 0))
		test_hostile();
	for (i = 0; i < PINGS; i++) {
		ipi(1, V_PING);
		if (!wait_for(&pongs, i + 1, 1000))
			break;
	}
	report(pings == PINGS && pongs == PINGS, "IPI ping-pong %u times",
	       pongs);
	wait_for(&stage, 2, 5000);
	pt_map(root, SHOOT_VA, (uintptr_t)frames[1], PTE_W);
	ipi(1, V_SHOOT);
	report(wait_for(&shoot_acks, 1, 1000) && shoot_seen == 0xbbbb,
	       "TLB shootdown: the AP sees the new mapping");
	stage = 3;
	count();
	wait_for(&stage, 4, 20000);
	report_eq(counter, 2 * COUNT, "spinlocked counter");
	ipi(1, APIC_DM_NMI << 8);
	report(wait_for(&nmis, 1, 1000), "NMI delivered to the AP");
	apic_write(APIC_ESR, 0);
	ipi(1, 3); /* a fixed IPI with vector 3 */
	apic_write(APIC_ESR, 0);
	report_eq(apic_read(APIC_ESR), APIC_ESR_SEND_ILLEGAL,
		  "ESR: send illegal vector");
	rdmsr(0x802);
	report_eq(gps, 1, "x2APIC MSR in xAPIC mode: #GP");
	stage = 5;
	report(wait_for(&x2_irqs, 2, 2000) && wait_for(&stage, 10, 1000),
	       "x2APIC: AP's ID 1, LDR 2, #GP rules, IPI to the BSP");
	test_deadline();
}
