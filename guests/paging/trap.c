/*
 * trap.c - the paging workload's #PF handler, its probes, and ring 3: a
 * GDT with user segments and a TSS whose stack takes the CPU back to
 * CPL 0, the virtual one under te (SDM 3A 4.7 page-fault exceptions, 7.7
 * the 64-bit TSS, 6.12.1 handlers at another privilege level).
 */
#include <guests/paging/paging.h>

#ifdef __x86_64__
#define MOVP "movq"
#else
#define MOVP "movl"
#endif

volatile uint32_t pf_err;
volatile uintptr_t pf_cr2;
volatile unsigned pf_count;
bool (*volatile pf_hook)(uintptr_t cr2, uint32_t err);
static volatile uintptr_t pf_fixup; /* where a probed fault resumes */

static void __attribute__((noreturn)) pf_unexpected(uintptr_t ip)
{
	report(false, "unexpected #PF 0x%x at 0x%lx, ip 0x%lx", pf_err,
	       (unsigned long)pf_cr2, (unsigned long)ip);
	guest_exit(report_summary());
}

/* Volatile store: the compiler may treat the frame as a by-value copy. */
__attribute__((interrupt)) static void trap_pf(struct intr_frame *f,
					       uintptr_t err)
{
	pf_err = (uint32_t)err;
	pf_cr2 = pt_read_cr2();
	pf_count++;
	if (pf_hook && pf_hook(pf_cr2, pf_err))
		return;
	if (!pf_fixup)
		pf_unexpected(f->ip);
	*(volatile uintptr_t *)&f->ip = pf_fixup;
}

/* Clears the record before a probe; returns the fault count. */
static unsigned probe_start(void)
{
	pf_err = PF_NONE;
	pf_cr2 = 0;
	return pf_count;
}

bool probe_read(uintptr_t va, uint32_t *val)
{
	unsigned n = probe_start();
	uint32_t v = 0;

	__asm__ volatile(MOVP " $1f, %[fix]\n\tmovl (%[va]), %[v]\n1:"
			 : [v] "+r"(v), [fix] "=m"(pf_fixup)
			 : [va] "r"(va)
			 : "memory");
	pf_fixup = 0;
	if (val)
		*val = v;
	return pf_count != n;
}

bool probe_write(uintptr_t va, uint32_t val)
{
	unsigned n = probe_start();

	__asm__ volatile(MOVP " $1f, %[fix]\n\tmovl %[v], (%[va])\n1:"
			 : [fix] "=m"(pf_fixup)
			 : [va] "r"(va), [v] "r"(val)
			 : "memory");
	pf_fixup = 0;
	return pf_count != n;
}

bool probe_exec(uintptr_t va)
{
	unsigned n = probe_start();

	__asm__ volatile(MOVP " $1f, %[fix]\n\tmovl $1f, %%ecx\n\t"
			      "jmp *%[va]\n1:"
			 : [fix] "=m"(pf_fixup)
			 : [va] "r"(va)
			 : "ecx", "memory");
	pf_fixup = 0;
	return pf_count != n;
}

#define USER_STACK 4096
#define TSS_SEL	   0x18

uint32_t user_run(void (*fn)(void), uintptr_t va, void *stack);
void user_back(void), user_read(void), user_write(void), user_fixup(void);

static uint8_t user_stack[USER_STACK] __attribute__((aligned(16)));
static uint8_t trap_stack[USER_STACK] __attribute__((aligned(16)));
static uint32_t tss[26]; /* 104 bytes: RSP0 (64-bit) or ESP0/SS0 at 4 */
static uint64_t gdt[7] = {
#ifdef __x86_64__
	[1] = 0x00af9a000000ffff, /* 0x08: kernel code, 64-bit */
	[6] = 0x00affa000000ffff, /* 0x33: user code, 64-bit */
#else
	[1] = 0x00cf9a000000ffff, /* 0x08: kernel code */
	[6] = 0x00cffa000000ffff, /* 0x33: user code */
#endif
	[2] = 0x00cf92000000ffff, /* 0x10: kernel data */
	[5] = 0x00cff2000000ffff, /* 0x2b: user data */
};

/* A 104-byte available TSS at 0x18 (SDM 3A "TSS Descriptor"), 16 bytes in
 * 64-bit mode. */
static void trap_tss(void)
{
	uint64_t base = (uintptr_t)tss, limit = sizeof(tss) - 1;
	uintptr_t sp = (uintptr_t)trap_stack + sizeof(trap_stack);

	gdt[3] = (limit & 0xffff) | (base & 0xffffff) << 16 | 0x89ULL << 40 |
		 (base >> 24 & 0xff) << 56;
	gdt[4] = base >> 32;
	tss[1] = (uint32_t)sp;
	tss[2] = sizeof(sp) == 8 ? (uint32_t)((uint64_t)sp >> 32) : 0x10;
	tss[25] = sizeof(tss) << 16; /* I/O map base: none */
}

void trap_init(void)
{
	struct desc_ptr gdtr = { sizeof(gdt) - 1, (uintptr_t)gdt };

	trap_tss();
	lgdt(&gdtr);
	ltr(TSS_SEL);
	idt_set(T_PF, trap_pf);
	idt_set_user(USER_VEC, user_back);
}

bool probe_user(bool write, uintptr_t va, uint32_t *val)
{
	unsigned n = probe_start();
	uint32_t v;

	pf_fixup = (uintptr_t)user_fixup;
	v = user_run(write ? user_write : user_read, va,
		     user_stack + sizeof(user_stack));
	pf_fixup = 0;
	if (val)
		*val = v;
	return pf_count != n;
}
