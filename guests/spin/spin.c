/*
 * spin.c - a guest that never exits (lab 3): it spins with interrupts off,
 * so only the hypervisor's scheduler or its timeout can take the CPU back.
 */
#include <guests/lib/guest.h>

void main(void)
{
	printf("spin: spinning forever with interrupts off\n");
	cli();
	for (;;)
		pause();
}
