/*
 * te-shadow - shadow paging under trap-and-emulate (lab 4).  The guest
 * turns 4-level paging on with its own tables (SDM 3A 4.5), takes its own
 * #PF with the error code and CR2 a CPU gives, remaps a page and drops
 * the old translation with INVLPG, and runs code in user mode (IRETQ to
 * CPL 3): there a read of a supervisor page faults with U|P, CLI is #GP(0)
 * and INT $0x80 through a DPL-3 gate comes back on the stack in RSP0 of
 * the guest's TSS.  Under te all of it runs at CPL 3 (ring compression).
 */
#include <guests/te-lib/te.h>
#include <inc/mmu.h>

#define GATE_INTR 0x8e /* present, DPL 0, 64-bit interrupt gate */
#define GATE_USER 0xee /* present, DPL 3, 64-bit interrupt gate */
#define KERNEL_CS 0x08
#define TSS_SEL	  0x18
/* Not the hypervisor's 0x1b and 0x23, so that IRETQ traps (te.h). */
#define USER_DS	   0x2b
#define USER_CS	   0x33
#define VEC_SYS	   0x80
#define USER_BASE  0x40000000ULL	/* 1 GiB: pt_user's 2 MiB */
#define USER_CODE  (USER_BASE + 0x0000) /* U, read-only */
#define USER_STACK (USER_BASE + 0x1000) /* U, writable */
#define ALIAS	   (USER_BASE + 0x2000) /* supervisor, remapped */
#define HOLE	   (USER_BASE + 0x3000) /* not present */
#define RO_PAGE	   (USER_BASE + 0x4000) /* supervisor, read-only */
#define USER_DATA  (USER_BASE + 0x5000) /* U, read-only */
#define PAGE	   4096

#define ALIGNED __attribute__((aligned(PAGE)))
#define STR(x)	#x
#define XSTR(x) STR(x)

static uint64_t pml4[512] ALIGNED, pdpt[512] ALIGNED, pd_ram[512] ALIGNED,
	pd_user[512] ALIGNED, pt_user[512] ALIGNED;
static uint8_t user_code[PAGE] ALIGNED, user_stack[PAGE] ALIGNED,
	page_a[PAGE] ALIGNED, page_b[PAGE] ALIGNED, ro_page[PAGE] ALIGNED,
	user_data[PAGE] ALIGNED, kstack[PAGE] ALIGNED;
static uint64_t idt[256][2];
static uint64_t gdt[7] = {
	0,
	0x00af9b000000ffffULL, /* 0x08 kernel code */
	0x00cf93000000ffffULL, /* 0x10 kernel data */
	0,		       /* 0x18 TSS, two slots */
	0,
	0x00cff3000000ffffULL, /* 0x2b user data */
	0x00affb000000ffffULL, /* 0x33 user code */
};
static uint8_t tss[0x68];

/* The faults the handlers saw, in order. */
#define NFAULTS 8
static volatile struct {
	int vec;
	uint64_t error, cr2, cs;
} faults[NFAULTS];
static volatile int nfaults;
static volatile uint64_t sys_cs, sys_rsp;
/* enter_user's kernel stack, for the INT $0x80 that ends user mode. */
static uint64_t saved_rsp __attribute__((used));

static void fault_seen(int vec, uint64_t error, uint64_t cs)
{
	uint64_t cr2;

	__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
	if (nfaults < NFAULTS) {
		faults[nfaults].vec = vec;
		faults[nfaults].error = error;
		faults[nfaults].cr2 = cr2;
		faults[nfaults].cs = cs;
	}
	nfaults++;
}

/* Every faulting access below is a 3-byte MOV between RAX and (RDI). */
__attribute__((interrupt)) static void pf_handler(struct intr_frame *f,
						  uintptr_t error)
{
	fault_seen(T_PF, error, f->cs);
	f->ip += 3;
}

/* TE_TRY's #GP in the kernel; in user mode, the 1-byte CLI. */
__attribute__((interrupt)) static void gp_handler(struct intr_frame *f,
						  uintptr_t error)
{
	if ((f->cs & 3) == 3) {
		fault_seen(T_GP, error, f->cs);
		f->ip += 1;
		return;
	}
	te_fault_vec = T_GP;
	te_fault_err = error;
	f->ip = te_resume;
}

/*
 * enter_user(rip, rsp, rdi, rsi, rdx): IRETQ to user mode (IF clear) with
 * those registers; returns when the user code executes INT $0x80, whose
 * handler notes its frame and goes back to the stack enter_user left.
 */
void enter_user(uint64_t rip, uint64_t rsp, uint64_t rdi, uint64_t rsi,
		uint64_t rdx);
void sys_entry(void);
__asm__(".text\n"
	"enter_user:\n"
	"	push %rbx; push %rbp; push %r12; push %r13; push %r14; push "
	"%r15\n"
	"	mov %rsp, saved_rsp(%rip)\n"
	"	pushq $" XSTR(
		USER_DS) "\n"
			 "	pushq %rsi\n"
			 "	pushq $0x2\n"
			 "	pushq $" XSTR(
				 USER_CS) "\n"
					  "	pushq %rdi\n"
					  "	mov %rdx, %rdi; mov %rcx, "
					  "%rsi; mov %r8, %rdx\n"
					  "	iretq\n"
					  "sys_entry:\n"
					  "	mov 8(%rsp), %rax\n"
					  "	mov %rax, sys_cs(%rip)\n"
					  "	mov %rsp, sys_rsp(%rip)\n"
					  "	mov saved_rsp(%rip), %rsp\n"
					  "	pop %r15; pop %r14; pop %r13; "
					  "pop %r12; pop %rbp; pop %rbx\n"
					  "	ret\n"
					  /* Copied to USER_CODE; RDI, RSI, RDX set by the kernel below. */
					  "user_start:\n"
					  "	mov (%rdi), %rax\n" /* supervisor page: #PF U|P */
					  "	mov (%rsi), %rax\n" /* user page: read */
					  "	mov %rax, %rbx\n"
					  "	cli\n" /* #GP(0) */
					  "	mov %rax, (%rdx)\n" /* user read-only page: #PF U|W|P */
					  "	int $0x80\n"
					  "user_end:\n");
extern const uint8_t user_start[], user_end[];

static void gate_set(int vec, void (*handler)(void), uint8_t type)
{
	uint64_t a = (uintptr_t)handler;
	struct te_dtr ptr = { sizeof(idt) - 1, (uint64_t)idt };

	idt[vec][0] = (a & 0xffff) | ((uint64_t)KERNEL_CS << 16) |
		      ((uint64_t)type << 40) | ((a >> 16 & 0xffff) << 48);
	idt[vec][1] = a >> 32;
	__asm__ volatile("lidt %0" : : "m"(ptr));
}

/* The GDT with user segments and a TSS whose RSP0 is kstack's top. */
static void tables_load(void)
{
	uint64_t base = (uintptr_t)tss;
	struct te_dtr g = { sizeof(gdt) - 1, (uint64_t)gdt };

	*(uint64_t *)(tss + 4) = (uintptr_t)kstack + PAGE;
	gdt[3] = (sizeof(tss) - 1) | ((base & 0xffffff) << 16) |
		 (0x89ULL << 40) | ((base >> 24 & 0xff) << 56);
	gdt[4] = base >> 32;
	__asm__ volatile("lgdt %0; ltr %w1" : : "m"(g), "r"(TSS_SEL));
	gate_set(T_PF, (void (*)(void))pf_handler, GATE_INTR);
	gate_set(T_GP, (void (*)(void))gp_handler, GATE_INTR);
	gate_set(VEC_SYS, sys_entry, GATE_USER);
}

/* RAM identity-mapped for the kernel; the user pages at 1 GiB. */
static void paging_build(void)
{
	const uint64_t up = PTE_P | PTE_W | PTE_U;

	pml4[0] = (uintptr_t)pdpt | up;
	pdpt[0] = (uintptr_t)pd_ram | up;
	pdpt[1] = (uintptr_t)pd_user | up;
	for (int i = 0; i < 8; i++)
		pd_ram[i] = ((uint64_t)i << 21) | PTE_P | PTE_W | PTE_PS;
	pd_user[0] = (uintptr_t)pt_user | up;
	pt_user[0] = (uintptr_t)user_code | PTE_P | PTE_U;
	pt_user[1] = (uintptr_t)user_stack | up;
	pt_user[2] = (uintptr_t)page_a | PTE_P | PTE_W;
	pt_user[4] = (uintptr_t)ro_page | PTE_P;
	pt_user[5] = (uintptr_t)user_data | PTE_P | PTE_U;
	memcpy(user_code, user_start, user_end - user_start);
	memcpy(page_a, "page A", 7);
	memcpy(page_b, "page B", 7);
	memcpy(user_data, "user data", 10);
}

static void test_paging_on(void)
{
	uint64_t cr0 = te_read_cr(0);

	paging_build();
	__asm__ volatile("mov %0, %%cr3" : : "r"((uintptr_t)pml4) : "memory");
	__asm__ volatile("mov %0, %%cr0" : : "r"(cr0 | CR0_PG) : "memory");
	report((te_read_cr(0) & CR0_PG) && (rdmsr(MSR_EFER) & EFER_LMA) &&
		       te_read_cr(3) == (uintptr_t)pml4,
	       "paging on with the guest's tables: CR0.PG, EFER.LMA, CR3");
	report(TE_TRY("mov %0, %%cr0", "r"(cr0)) == T_GP && te_fault_err == 0,
	       "cr0: clearing PG is #GP(0)");
	report(strcmp((const char *)USER_DATA, "user data") == 0,
	       "a page mapped away from its frame reads the frame");
}

/* One access through the guest's tables; whether it faulted. */
static bool kernel_access(uint64_t la, bool write)
{
	int n = nfaults;
	uint64_t val = 0;

	if (write)
		__asm__ volatile("mov %%rax, (%%rdi)"
				 :
				 : "a"(val), "D"(la)
				 : "memory");
	else
		__asm__ volatile("mov (%%rdi), %%rax"
				 : "+a"(val)
				 : "D"(la)
				 : "memory");
	return nfaults != n;
}

static bool fault_was(int i, int vec, uint64_t error, uint64_t cr2)
{
	if (nfaults > i && faults[i].vec == vec && faults[i].error == error &&
	    (vec != T_PF || faults[i].cr2 == cr2))
		return true;
	printf("  fault %d: vector %d error 0x%llx cr2 0x%llx (of %d)\n", i,
	       nfaults > i ? faults[i].vec : -1,
	       (unsigned long long)faults[i].error,
	       (unsigned long long)faults[i].cr2, nfaults);
	return false;
}

static void test_kernel_faults(void)
{
	uint64_t cr0 = te_read_cr(0);

	nfaults = 0;
	report(kernel_access(HOLE, false) && fault_was(0, T_PF, 0, HOLE),
	       "read of a not-present page: #PF error 0x0, CR2");
	report(!kernel_access(RO_PAGE, true),
	       "supervisor write to a read-only page without CR0.WP");
	__asm__ volatile("mov %0, %%cr0" : : "r"(cr0 | CR0_WP));
	report(kernel_access(RO_PAGE, true) && fault_was(1, T_PF, 3, RO_PAGE),
	       "with CR0.WP: #PF error 0x3 (W|P)");
	__asm__ volatile("mov %0, %%cr0" : : "r"(cr0));
}

static void test_invlpg(void)
{
	volatile const char *p = (volatile const char *)ALIAS;

	report(p[5] == 'A' && (pt_user[2] & PTE_A),
	       "a mapped page reads its frame and sets the accessed bit");
	pt_user[2] = (uintptr_t)page_b | PTE_P | PTE_W;
	__asm__ volatile("invlpg (%0)" : : "r"(ALIAS) : "memory");
	report(p[5] == 'B', "invlpg: the remapped page reads its new frame");
	pt_user[2] = 0;
	__asm__ volatile("invlpg (%0)" : : "r"(ALIAS) : "memory");
	nfaults = 0;
	report(kernel_access(ALIAS, false) && fault_was(0, T_PF, 0, ALIAS),
	       "invlpg: the unmapped page faults");
}

static void test_user_mode(void)
{
	uint64_t kvar = (uintptr_t)&nfaults;

	nfaults = 0;
	enter_user(USER_CODE, USER_STACK + PAGE, kvar, USER_DATA, USER_DATA);
	report(fault_was(0, T_PF, 5, kvar) && faults[0].cs == USER_CS,
	       "user read of a supervisor page: #PF error 0x5 (U|P)");
	report(fault_was(1, T_GP, 0, 0), "cli in user mode: #GP(0)");
	report(fault_was(2, T_PF, 7, USER_DATA),
	       "user write to a read-only user page: #PF error 0x7");
	report(sys_cs == USER_CS && sys_rsp == (uintptr_t)kstack + PAGE - 40,
	       "int $0x80 from user mode: frame CS 0x%llx on the TSS.RSP0 "
	       "stack",
	       (unsigned long long)sys_cs);
	report(TE_TRY("mov %%cr0, %%rax", "r"(0)) == -1,
	       "back in kernel mode after int $0x80");
}

void main(void)
{
	tables_load();
	test_paging_on();
	test_kernel_faults();
	test_invlpg();
	test_user_mode();
}
