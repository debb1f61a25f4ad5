/*
 * mem.c - memory attacks (lab 3; SDM 3A 4.3 32-bit paging, 4.4 PAE):
 * accesses past the end of guest RAM, to MMIO-looking ranges, at 4 GiB
 * and at the top of the physical address space through PAE paging, a
 * guest page table outside RAM, and a REP OUTS that runs into an unmapped
 * page with no IDT.  Each ends the domain; nothing may end the hypervisor.
 */
#include <guests/hostile/hostile.h>
#include <inc/mmu.h>

#define HIGH_VA	       0x40000000 /* PDPT entry 1 */
#define VLAPIC_VERSION 0xfee00030

static uint32_t pd32[1024] __attribute__((aligned(4096)));
static uint64_t pdpt[4] __attribute__((aligned(32)));
static uint64_t pd_low[512] __attribute__((aligned(4096)));
static uint64_t pd_high[512] __attribute__((aligned(4096)));

static void mem_paging(uint32_t cr3, uint32_t cr4_bits)
{
	uint32_t r;

	__asm__ volatile("mov %%cr4, %0; or %1, %0; mov %0, %%cr4"
			 : "=&r"(r)
			 : "r"(cr4_bits));
	__asm__ volatile("mov %0, %%cr3" : : "r"(cr3) : "memory");
	__asm__ volatile("mov %%cr0, %0; or %1, %0; mov %0, %%cr0"
			 : "=&r"(r)
			 : "r"((uint32_t)CR0_PG)
			 : "memory");
}

void paging_on_4m(void)
{
	pd32[0] = PTE_P | PTE_W | PTE_PS;
	mem_paging((uint32_t)(uintptr_t)pd32, CR4_PSE);
}

void paging_off(void)
{
	uint32_t r;

	__asm__ volatile("mov %%cr0, %0; and %1, %0; mov %0, %%cr0"
			 : "=&r"(r)
			 : "r"(~(uint32_t)CR0_PG)
			 : "memory");
}

/* PAE paging: 0-4 MiB identity, and HIGH_VA through pd_high. */
static void mem_pae(uint64_t pd_high_gpa)
{
	pd_low[0] = PTE_P | PTE_W | PTE_PS;
	pd_low[1] = (2u << 20) | PTE_P | PTE_W | PTE_PS;
	pdpt[0] = (uint32_t)(uintptr_t)pd_low | PTE_P;
	pdpt[1] = pd_high_gpa | PTE_P;
	mem_paging((uint32_t)(uintptr_t)pdpt, CR4_PAE);
}

/* One access at a guest-physical address below 4 GiB, paging off. */
void attack_mem(uint32_t gpa, bool write)
{
	volatile uint32_t *vl = (volatile uint32_t *)VLAPIC_VERSION;

	report((*vl & 0xff) != 0 && (*vl & 0xff) != 0xff,
	       "local APIC version register reads 0x%x", *vl);
	printf("%s at 0x%x\n", write ? "write" : "read", gpa);
	if (write)
		*(volatile uint32_t *)(uintptr_t)gpa = 0xdeadbeef;
	else
		(void)*(volatile uint32_t *)(uintptr_t)gpa;
	report(false, "access at 0x%x returned", gpa);
}

/* Reads HIGH_VA through a 2-MiB PAE mapping of gpa; the vector or NO_TRAP. */
static int mem_read_high(uint64_t gpa)
{
	uint32_t a = 0, c = 0, d = 0;
	int vec;

	pd_high[0] = gpa | PTE_P | PTE_W | PTE_PS;
	mem_pae((uint32_t)(uintptr_t)pd_high);
	printf("read at 0x%llx through PAE\n", (unsigned long long)gpa);
	vec = PROBE("movl 0x40000000, %%eax", a, c, d);
	paging_off();
	return vec;
}

/*
 * top: a mapping at 2^MAXPHYADDR must #PF with the reserved-bit flag, then
 * the last 2 MiB below it end the domain; otherwise 4 GiB ends it.
 */
void attack_high(bool top)
{
	uint32_t maxphy = cpuid(0x80000008, 0).eax & 0xff;
	uint64_t limit = 1ULL << maxphy;
	int vec;

	if (top) {
		vec = mem_read_high(limit);
		report(vec == T_PF && (probe_err & PFEC_RSVD),
		       "MAXPHYADDR %u: a "
		       "mapping at 2^%u faults with the reserved-bit flag "
		       "(vector %d, error 0x%x)",
		       maxphy, maxphy, vec, probe_err);
		mem_read_high(limit - (2u << 20));
	} else {
		mem_read_high(1ULL << 32);
	}
	report(false, "read outside guest RAM returned");
}

/* PAE paging whose page directory lies outside guest RAM. */
void attack_ptwalk(uint64_t pd_gpa)
{
	mem_pae(pd_gpa);
	printf("read through a page directory at 0x%llx\n",
	       (unsigned long long)pd_gpa);
	(void)*(volatile uint32_t *)HIGH_VA;
	paging_off();
	report(false, "page walk outside RAM returned");
}

/* REP OUTSB from the last bytes of the mapped 4 MiB into the unmapped
 * next page, with an empty IDT: #PF mid-string, then a triple fault. */
void attack_rep_triple(void)
{
	static const struct __attribute__((packed)) {
		uint16_t limit;
		uint32_t base;
	} no_idt = { 0, 0 };
	uint32_t n = 64, src = (4u << 20) - 16;

	paging_on_4m();
	printf("rep outsb from 0x%x into an unmapped page, IDT empty\n", src);
	__asm__ volatile("lidt %0" : : "m"(no_idt));
	__asm__ volatile("cld; rep outsb"
			 : "+c"(n), "+S"(src)
			 : "d"(0x80)
			 : "memory");
	report(false, "rep outsb into an unmapped page returned");
}

void attack_halt(void)
{
	printf("hlt with interrupts disabled\n");
	cli();
	hlt();
	report(false, "hlt with interrupts disabled returned");
}
