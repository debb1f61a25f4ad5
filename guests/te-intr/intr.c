/*
 * te-intr - exceptions and interrupts under trap-and-emulate (lab 2):
 * #DE, #UD, #BP and #PF taken at CPL 3 are reflected to the guest's own
 * IDT with the frame and error code a CPU at CPL 0 would push, IRETQ
 * restores the virtual IF, and the virtual timer interrupt arrives only
 * while the virtual IF is set.
 */
#include <guests/te-lib/te.h>

static volatile int hits[256];
static volatile uint64_t last_error, last_cs, last_flags, last_rsp_align;
static volatile uint64_t ticks;

__attribute__((interrupt)) static void de_handler(struct intr_frame *f)
{
	hits[0]++;
	f->ip += 3; /* divq %rcx with a REX prefix */
}

__attribute__((interrupt)) static void ud_handler(struct intr_frame *f)
{
	hits[6]++;
	f->ip += 2; /* ud2 */
}

__attribute__((interrupt)) static void bp_handler(struct intr_frame *f)
{
	hits[3]++;
	last_cs = f->cs;
}

__attribute__((interrupt)) static void pf_handler(struct intr_frame *f,
						  uintptr_t error)
{
	uint64_t cr2;

	__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
	hits[14]++;
	last_error = error | (cr2 << 8);
	f->ip += 3; /* movq (%rax), %rax */
}

__attribute__((interrupt)) static void timer_handler(struct intr_frame *f)
{
	ticks++;
	/* Inline: an interrupt handler may call only functions that save
	 * every register they touch. */
	__asm__ volatile(TE_EMULATE_PREFIX "pushfq; popq %0"
			 : "=r"(last_flags));
	/* The CPU aligns RSP to 16 before pushing the 5-quadword frame. */
	last_rsp_align = ((uintptr_t)f + 5 * 8) & 0xf;
}

static void test_faults(void)
{
	uint64_t q;

	idt_set(T_DE, de_handler);
	idt_set(T_UD, ud_handler);
	idt_set(T_BP, bp_handler);
	idt_set(T_PF, pf_handler);
	__asm__ volatile("xorl %%edx, %%edx; movl $1, %%eax; xorl %%ecx, %%ecx;"
			 ".byte 0x48, 0xf7, 0xf1"
			 :
			 :
			 : "rax", "rcx", "rdx");
	report(hits[0] == 1, "#DE reflected to the guest's handler");
	__asm__ volatile("ud2");
	report(hits[6] == 1, "#UD reflected");
	__asm__ volatile("int3");
	report(hits[3] == 1 && last_cs == 0x08,
	       "#BP reflected with the virtual CS 0x%llx",
	       (unsigned long long)last_cs);
	__asm__ volatile(".byte 0x48, 0x8b, 0x00"
			 : "=a"(q)
			 : "a"(0x40000000ULL));
	report(hits[14] == 1 && (last_error & 0xff) == 0 &&
		       (last_error >> 8) == 0x40000000,
	       "#PF beyond guest RAM: error 0x%llx cr2 0x%llx",
	       (unsigned long long)(last_error & 0xff),
	       (unsigned long long)(last_error >> 8));
}

static void test_timer(void)
{
	uint64_t t0;
	volatile uint64_t spin;

	idt_set(TE_TIMER_VECTOR, timer_handler);
	outb(TE_PORT_TIMER, 1);
	t0 = ticks;
	for (spin = 0; spin < 20000000 && ticks == t0; spin++)
		;
	report(ticks == t0, "no timer interrupt while the virtual IF is clear");
	__asm__ volatile("sti; hlt");
	report(ticks > t0, "hlt with IF set wakes on the virtual timer");
	report(!(last_flags & X86_FLAGS_IF),
	       "the interrupt gate cleared the virtual IF in the handler");
	report(te_vif(), "iretq restored the virtual IF");
	report(last_rsp_align == 0, "handler frame 16-byte aligned");
	__asm__ volatile("cli");
	outb(TE_PORT_TIMER, 0);
}

void main(void)
{
	test_faults();
	test_timer();
}
