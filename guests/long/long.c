/*
 * long.c - rung 3 of the lab 3 ladder: a guest that switches to long mode
 * with its own page tables (guests/lib/entry64.S) and checks it got there.
 */
#include <guests/lib/guest.h>

void main(void)
{
	uint64_t efer = rdmsr(MSR_EFER), cr0 = read_cr0(), cr4 = read_cr4();
	volatile uint64_t *high = (volatile uint64_t *)(uintptr_t)(8 * MiB - 8);

	printf("hello from a long-mode guest, CR3 0x%lx\n", read_cr3());
	report(efer & EFER_LMA, "EFER.LMA set (EFER 0x%lx)", efer);
	report((cr0 & (CR0_PG | CR0_PE)) == (CR0_PG | CR0_PE) &&
		       (cr4 & CR4_PAE),
	       "CR0.PG, CR0.PE and CR4.PAE set");
	*high = 0x1122334455667788;
	report(*high == 0x1122334455667788, "identity-mapped RAM at 8 MiB");
	report(sizeof(void *) == 8, "64-bit code");
}
