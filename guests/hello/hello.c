/*
 * hello.c - rung 2 of the lab 3 ladder: a 32-bit protected-mode guest
 * booted by Multiboot, paging off.
 */
#include <guests/lib/guest.h>

void main(void)
{
	uint32_t cr0;

	__asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
	printf("hello from a protected-mode guest (%s)\n", cmdline());
	report(cr0 & CR0_PE, "protected mode: CR0.PE set");
	report(!(cr0 & CR0_PG), "paging off: CR0.PG clear");
}
