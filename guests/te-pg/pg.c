/*
 * te-pg - why x86 is not classically virtualizable (Popek and Goldberg,
 * 1974; Robin and Irvine, 2000), lab 2.  POPF at CPL 3 silently leaves
 * IF alone, PUSHF shows the real IF, and without UMIP SGDT, SIDT and
 * SMSW show the hypervisor's registers instead of the guest's: sensitive
 * instructions that do not trap.  The results say what this guest saw;
 * the paravirtual forms (inc/public/te.h) and UMIP are hvlab's answers.
 */
#include <guests/te-lib/te.h>

static uint64_t gdt[3] = { 0, 0x00af9b000000ffffULL, 0x00cf93000000ffffULL };
static volatile uint64_t pf_error, pf_cr2;

__attribute__((interrupt)) static void pf_handler(struct intr_frame *f,
						  uintptr_t error)
{
	uint64_t cr2;

	__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
	pf_error = error;
	pf_cr2 = cr2;
	f->ip += 3; /* sgdt (%rax) */
}

/* An emulated SGDT that cannot store faults as the CPU's would, with CR2. */
static void test_umip_fault(void)
{
	idt_set(T_PF, pf_handler);
	__asm__ volatile(".byte 0x0f, 0x01, 0x00"
			 :
			 : "a"(0x40000000ULL)
			 : "memory");
	report(pf_error == 2 && pf_cr2 == 0x40000000,
	       "umip: sgdt beyond guest RAM: #PF error 0x%llx cr2 0x%llx",
	       (unsigned long long)pf_error, (unsigned long long)pf_cr2);
}

static void test_flags(void)
{
	__asm__ volatile("cli");
	report(te_pushf() & X86_FLAGS_IF,
	       "sensitive: pushf after cli shows IF=1 (the real flag)");
	report(!(te_pv_pushf() & X86_FLAGS_IF),
	       "paravirtual pushf shows the virtual IF=0");
	__asm__ volatile("sti");
	te_popf(te_pushf() & ~(uint64_t)X86_FLAGS_IF);
	report(te_vif(),
	       "sensitive: popf with IF=0 silently left the virtual IF set");
	te_pv_popf(te_pushf() & ~(uint64_t)X86_FLAGS_IF);
	report(!te_vif(), "paravirtual popf clears the virtual IF");
}

static void test_umip(void)
{
	struct te_dtr g = { sizeof(gdt) - 1, (uint64_t)gdt }, seen = { 0, 0 };
	bool umip = inb(TE_PORT_INFO) & TE_INFO_UMIP;
	uint64_t cr0, msw = 0;

	__asm__ volatile("lgdt %0" : : "m"(g));
	__asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
	__asm__ volatile("mov %0, %%cr0" : : "r"(cr0 | 8));
	__asm__ volatile("sgdt %0" : "=m"(seen));
	__asm__ volatile("smsw %0" : "=r"(msw));
	__asm__ volatile("mov %0, %%cr0" : : "r"(cr0));
	printf("te-pg: UMIP %s; sgdt base 0x%llx, smsw 0x%llx\n",
	       umip ? "on" : "off", (unsigned long long)seen.base,
	       (unsigned long long)msw);
	if (umip) {
		report(seen.base == (uint64_t)gdt && seen.limit == g.limit,
		       "umip: sgdt shows the guest's own GDT");
		report(msw & 8, "umip: smsw shows the virtual CR0.TS");
		test_umip_fault();
	} else {
		report(seen.base != (uint64_t)gdt,
		       "sensitive: sgdt without UMIP shows the host GDT");
		report(!(msw & 8), "sensitive: smsw without UMIP misses the "
				   "virtual CR0.TS");
	}
}

void main(void)
{
	test_flags();
	test_umip();
}
