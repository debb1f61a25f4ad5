/*
 * triple.c - a guest that triple-faults (lab 3): with an empty IDT, INT3
 * raises #GP, which raises #DF, which shuts the CPU down (SDM 3A 6.15,
 * "Interrupt 8 - Double Fault Exception").  The hypervisor must crash only
 * this domain, with a register dump.
 */
#include <guests/lib/guest.h>

void main(void)
{
	struct __attribute__((packed)) {
		uint16_t limit;
		uint32_t base;
	} empty = { 0, 0 };

	printf("triple: loading an empty IDT and raising #BP\n");
	__asm__ volatile("lidt %0; int3" : : "m"(empty));
	report(false, "still running after a triple fault");
}
