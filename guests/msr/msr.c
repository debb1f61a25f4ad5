/*
 * msr.c - the MSR policy (lab 3): RDMSR and WRMSR of an MSR the hypervisor
 * does not know must raise #GP in the guest (SDM 2B RDMSR, "Protected Mode
 * Exceptions"), delivered through the guest's own IDT; known MSRs work.
 * QEMU's TCG returns 0 for unknown MSRs instead of #GP, so without hvlab
 * only the selector check, which proves the IDT path, passes there.
 */
#include <guests/lib/guest.h>

#define MSR_UNKNOWN 0x12345678

static volatile unsigned gp_count;
static volatile uint32_t gp_error;

/* Skips the faulting 2-byte RDMSR, WRMSR or MOV to DS. */
__attribute__((interrupt)) static void gp_handler(struct intr_frame *f,
						  uintptr_t error)
{
	gp_count++;
	gp_error = error;
	/* Volatile: clang treats the frame as a by-value copy and drops stores. */
	*(volatile uintptr_t *)&f->ip += 2;
}

void main(void)
{
	uint32_t lo, hi;

	idt_set(T_GP, gp_handler);
	__asm__ volatile("mov %0, %%ds" : : "r"((uint16_t)0x1234));
	report(gp_count == 1 && gp_error == 0x1234,
	       "IDT: #GP(0x1234) from a "
	       "bad selector reaches the guest's handler");
	gp_count = 0;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(MSR_UNKNOWN));
	report(gp_count == 1 && gp_error == 0, "rdmsr 0x%x: #GP(0) delivered",
	       MSR_UNKNOWN);
	__asm__ volatile("wrmsr" : : "a"(1), "d"(0), "c"(MSR_UNKNOWN));
	report(gp_count == 2, "wrmsr 0x%x: #GP delivered", MSR_UNKNOWN);
	uint64_t t1 = rdmsr(MSR_IA32_TSC), t2 = rdmsr(MSR_IA32_TSC);
	report(t2 >= t1, "rdmsr IA32_TIME_STAMP_COUNTER works");
	report((rdmsr(MSR_EFER) & EFER_LMA) == 0,
	       "rdmsr EFER works, LMA clear");
}
