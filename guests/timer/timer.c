/*
 * timer.c - HLT with a timer wakeup (lab 3): the guest arms the local APIC
 * timer in one-shot mode through the xAPIC MMIO page (SDM 3A 11.5.4
 * "APIC Timer"), halts with interrupts on, and must be woken by the
 * timer interrupt.
 */
#include <guests/lib/guest.h>
#include <inc/apic.h>

#define TIMER_VECTOR 0x40
#define TIMER_COUNT  1000000

static volatile unsigned ticks;

static void apic_write(uint32_t reg, uint32_t v)
{
	*(volatile uint32_t *)(uintptr_t)(APIC_DEFAULT_PA + reg) = v;
}

static uint32_t apic_read(uint32_t reg)
{
	return *(volatile uint32_t *)(uintptr_t)(APIC_DEFAULT_PA + reg);
}

__attribute__((interrupt)) static void timer_handler(struct intr_frame *f)
{
	ticks++;
	/* Inline: an interrupt handler may not call code that clobbers registers. */
	*(volatile uint32_t *)(uintptr_t)(APIC_DEFAULT_PA + APIC_EOI) = 0;
}

void main(void)
{
	uint64_t t0, t1;

	/* The legacy PIC stays masked so only the APIC timer can wake us. */
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
	idt_set(TIMER_VECTOR, timer_handler);
	apic_write(APIC_SVR, APIC_SVR_ENABLE | 0xff);
	apic_write(APIC_TDCR, 0xb);
	apic_write(APIC_LVT_TIMER, TIMER_VECTOR);
	t0 = rdtsc();
	apic_write(APIC_TMICT, TIMER_COUNT);
	for (int i = 0; i < 3 && !ticks; i++)
		__asm__ volatile("sti; hlt; cli" : : : "memory");
	t1 = rdtsc();
	report(ticks == 1, "one-shot APIC timer woke the HLT (%u interrupts)",
	       ticks);
	report(apic_read(APIC_TMCCT) == 0, "current count reached 0");
	printf("timer: woke after %llu TSC cycles\n",
	       (unsigned long long)(t1 - t0));
}
