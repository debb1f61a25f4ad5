/*
 * te-crash - a trap-and-emulate guest that faults with no IDT (lab 2):
 * the fault cannot be delivered, so its domain ends as on a triple fault
 * and only that domain.
 */
#include <guests/te-lib/te.h>

void main(void)
{
	printf("te-crash: dividing by zero without an IDT\n");
	__asm__ volatile("xorl %%edx, %%edx; movl $1, %%eax; xorl %%ecx, %%ecx;"
			 "divl %%ecx"
			 :
			 :
			 : "rax", "rcx", "rdx");
	report(false, "still running after #DE without a handler");
}
