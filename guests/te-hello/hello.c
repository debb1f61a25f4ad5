/*
 * te-hello - the first trap-and-emulate guest (lab 2): runs at CPL 3,
 * prints through emulated OUT to COM1, and exercises the emulated
 * privileged instructions: CLI/STI, MOV CR0/CR3/CR4/CR8, LGDT/LIDT,
 * LLDT/LTR, RDMSR/WRMSR, INVLPG, WBINVD, and an unknown MSR (#GP).
 */
#include <guests/te-lib/te.h>

static volatile bool gp_seen;
static volatile uint64_t gp_error = ~0ULL;

__attribute__((interrupt)) static void gp_handler(struct intr_frame *f,
						  uintptr_t error)
{
	gp_seen = true;
	gp_error = error;
	f->ip += 2; /* the faulting RDMSR/WRMSR */
}

static uint64_t read_cr(int n)
{
	uint64_t v = 0;

	if (n == 0)
		__asm__ volatile("mov %%cr0, %0" : "=r"(v));
	else if (n == 3)
		__asm__ volatile("mov %%cr3, %0" : "=r"(v));
	else if (n == 4)
		__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	else
		__asm__ volatile("mov %%cr8, %0" : "=r"(v));
	return v;
}

static void test_cpl(void)
{
	uint16_t cs;

	__asm__ volatile("mov %%cs, %0" : "=r"(cs));
	report((cs & 3) == 3, "running at CPL 3 (cs=0x%x)", cs);
	report(inb(TE_PORT_INFO) & TE_INFO_TE, "te paravirtual info port");
}

static void test_if(void)
{
	__asm__ volatile("cli");
	report(!te_vif(), "cli clears the virtual IF");
	__asm__ volatile("sti");
	report(te_vif(), "sti sets the virtual IF");
	__asm__ volatile("cli");
}

static void test_crs(void)
{
	uint64_t cr0 = read_cr(0), cr4 = read_cr(4);

	report((cr0 & 0x80000001) == 0x80000001,
	       "virtual cr0 0x%llx has PE and PG", (unsigned long long)cr0);
	__asm__ volatile("mov %0, %%cr0" : : "r"(cr0 | 8));
	report(read_cr(0) == (cr0 | 8), "mov to cr0 sets TS");
	__asm__ volatile("mov %0, %%cr0" : : "r"(cr0));
	__asm__ volatile("mov %0, %%cr3" : : "r"(0x5000ULL));
	report(read_cr(3) == 0x5000, "mov to/from cr3");
	report(cr4 & 0x20, "virtual cr4 0x%llx has PAE",
	       (unsigned long long)cr4);
	__asm__ volatile("mov %0, %%cr8" : : "r"(7ULL));
	report(read_cr(8) == 7, "mov to/from cr8 (TPR)");
}

static void test_tables(void)
{
	static uint64_t gdt[4] = { 0, 0x00af9b000000ffffULL,
				   0x00cf93000000ffffULL };
	struct te_dtr g = { sizeof(gdt) - 1, (uint64_t)gdt };

	__asm__ volatile("lgdt %0" : : "m"(g));
	__asm__ volatile("lldt %w0" : : "r"(0));
	__asm__ volatile("ltr %w0" : : "r"(0x18));
	__asm__ volatile("invlpg (%0)" : : "r"(gdt) : "memory");
	__asm__ volatile("wbinvd");
	report(true, "lgdt, lldt, ltr, invlpg and wbinvd emulated");
}

static void test_msrs(void)
{
	uint32_t lo, hi;

	__asm__ volatile("wrmsr"
			 :
			 : "c"(MSR_STAR), "a"(0x12345678), "d"(0x00230010));
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(MSR_STAR));
	report(lo == 0x12345678 && hi == 0x00230010, "wrmsr/rdmsr STAR");
	idt_set(T_GP, gp_handler);
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(0x12345678));
	report(gp_seen && gp_error == 0, "rdmsr of an unknown MSR is #GP(0)");
}

void main(void)
{
	printf("te-hello: hello from CPL 3\n");
	test_cpl();
	test_if();
	test_crs();
	test_tables();
	test_msrs();
}
