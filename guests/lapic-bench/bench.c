/*
 * bench.c - the emulated local APIC timer's latency (make bench-pv, lab
 * 6): the reference an hvm guest pays for a timer interrupt, next to
 * guests/pv-bench's VIRQ_TIMER.  Each of n rounds arms the one-shot
 * timer (SDM 3A 11.5.4 "APIC Timer") with the smallest count, halts with
 * interrupts on and takes the TSC in the handler; the median of the n
 * arm-to-handler times is printed as "pv-bench: lapic median C cycles".
 */
#include <guests/lib/guest.h>
#include <inc/apic.h>

#define TIMER_VECTOR 0x40
#define MAX_ROUNDS   4096

static volatile uint64_t fired_tsc;
static uint64_t samples[MAX_ROUNDS];

static void apic_write(uint32_t reg, uint32_t v)
{
	*(volatile uint32_t *)(uintptr_t)(APIC_DEFAULT_PA + reg) = v;
}

__attribute__((interrupt)) static void timer_handler(struct intr_frame *f)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	fired_tsc = (uint64_t)hi << 32 | lo;
	*(volatile uint32_t *)(uintptr_t)(APIC_DEFAULT_PA + APIC_EOI) = 0;
}

void main(void)
{
	unsigned n = cmdline_u64("n", 1000), missed = 0;

	if (n == 0 || n > MAX_ROUNDS)
		n = MAX_ROUNDS;
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
	idt_set(TIMER_VECTOR, timer_handler);
	apic_write(APIC_SVR, APIC_SVR_ENABLE | 0xff);
	apic_write(APIC_TDCR, 0xb); /* divide by 1 */
	apic_write(APIC_LVT_TIMER, TIMER_VECTOR);
	for (unsigned i = 0; i < n; i++) {
		uint64_t t0;
		int tries;

		fired_tsc = 0;
		t0 = rdtsc();
		apic_write(APIC_TMICT, 1);
		for (tries = 0; tries < 3 && !fired_tsc; tries++)
			__asm__ volatile("sti; hlt; cli" : : : "memory");
		if (!fired_tsc)
			missed++;
		samples[i] = fired_tsc ? fired_tsc - t0 : 0;
	}
	report(missed == 0, "%u one-shot timers armed, %u missed", n, missed);
	printf("pv-bench: lapic median %llu cycles (%u rounds)\n",
	       (unsigned long long)median(samples, n), n);
}
