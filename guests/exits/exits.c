/*
 * exits.c - what a long-mode guest must find unchanged, or changed exactly
 * as the instruction says, after each exit (lab 3): every GPR across the
 * world switch, IN's merge into AL/AX and zero-extension from EAX (SDM 2A
 * IN; 3.4.1.1), CPUID clearing the upper halves and honouring its subleaf,
 * VMMCALL's -ENOSYS, and the FS/GS/KernelGSBase state the world switch
 * swaps with VMLOAD/VMSAVE (or the VMCS's guest-state area).  Each failure
 * names the student function it points at.
 */
#include <guests/lib/guest.h>

#define PORT_EMPTY	 0x80 /* no device behind it: reads all ones */
#define HYPERCALL_ENOSYS 38
#define ROUNDS		 4

/* Register slots, the order the assembly below stores them in. */
enum {
	RAX,
	RBX,
	RCX,
	RDX,
	RSI,
	RDI,
	RBP,
	R8,
	R9,
	R10,
	R11,
	R12,
	R13,
	R14,
	R15,
	NREGS
};

static const char *const reg_names[NREGS] = {
	"RAX", "RBX", "RCX", "RDX", "RSI", "RDI", "RBP", "R8",
	"R9",  "R10", "R11", "R12", "R13", "R14", "R15"
};

/*
 * exit_NAME(const uint64_t in[NREGS], uint64_t out[NREGS]): loads every
 * GPR but RSP from in, runs one exiting instruction, stores every GPR to
 * out.  A wrong RSP after the exit crashes the guest.
 */
__asm__(".macro EXIT_ROUND name, insn:vararg\n"
	"	.text\n"
	"	.globl \\name\n"
	"\\name:\n"
	"	push %rbx; push %rbp; push %r12; push %r13; push %r14; push "
	"%r15\n"
	"	push %rsi\n"
	"	mov 8(%rdi), %rbx; mov 16(%rdi), %rcx; mov 24(%rdi), %rdx\n"
	"	mov 32(%rdi), %rsi; mov 48(%rdi), %rbp\n"
	"	mov 56(%rdi), %r8; mov 64(%rdi), %r9; mov 72(%rdi), %r10\n"
	"	mov 80(%rdi), %r11; mov 88(%rdi), %r12; mov 96(%rdi), %r13\n"
	"	mov 104(%rdi), %r14; mov 112(%rdi), %r15\n"
	"	mov 0(%rdi), %rax; mov 40(%rdi), %rdi\n"
	"	\\insn\n"
	"	push %rdi\n"
	"	mov 8(%rsp), %rdi\n"
	"	mov %rax, 0(%rdi); mov %rbx, 8(%rdi); mov %rcx, 16(%rdi)\n"
	"	mov %rdx, 24(%rdi); mov %rsi, 32(%rdi); pop 40(%rdi)\n"
	"	mov %rbp, 48(%rdi); mov %r8, 56(%rdi); mov %r9, 64(%rdi)\n"
	"	mov %r10, 72(%rdi); mov %r11, 80(%rdi); mov %r12, 88(%rdi)\n"
	"	mov %r13, 96(%rdi); mov %r14, 104(%rdi); mov %r15, 112(%rdi)\n"
	"	pop %rsi\n"
	"	pop %r15; pop %r14; pop %r13; pop %r12; pop %rbp; pop %rbx\n"
	"	ret\n"
	".endm\n"
	"EXIT_ROUND exit_out, outb %al, $0x80\n"
	"EXIT_ROUND exit_inb, inb $0x80, %al\n"
	"EXIT_ROUND exit_inw, inw $0x80, %ax\n"
	"EXIT_ROUND exit_inl, inl $0x80, %eax\n"
	"EXIT_ROUND exit_cpuid, cpuid\n"
	"EXIT_ROUND exit_cpuid_rex, .byte 0x48, 0x0f, 0xa2\n"
	"EXIT_ROUND exit_vmmcall, .byte 0x0f, 0x01, 0xd9\n"
	".purgem EXIT_ROUND\n");

typedef void exit_fn(const uint64_t *in, uint64_t *out);
extern exit_fn exit_out, exit_inb, exit_inw, exit_inl, exit_cpuid,
	exit_cpuid_rex, exit_vmmcall;

static volatile unsigned ud_count;

/* A VMMCALL nobody intercepted: skip its 3 bytes. */
__attribute__((interrupt)) static void ud_handler(struct intr_frame *f)
{
	ud_count++;
	*(volatile uintptr_t *)&f->ip += 3;
}

/* A pattern different in every byte, register and round. */
static uint64_t pattern(unsigned round, unsigned reg)
{
	uint64_t x = 0x9e3779b97f4a7c15ULL * (round * NREGS + reg + 1);

	return x ^ (x >> 29);
}

/*
 * Runs fn ROUNDS times with fresh patterns; want[] gets the expected
 * value of the registers the instruction writes (the other registers must
 * come back as they went in).  Returns the number of wrong registers and
 * prints the first.
 */
static unsigned exit_check(const char *what, exit_fn *fn,
			   void (*expect)(uint64_t *regs))
{
	uint64_t in[NREGS], out[NREGS], want[NREGS];
	unsigned bad = 0;

	for (unsigned round = 0; round < ROUNDS; round++) {
		for (unsigned i = 0; i < NREGS; i++)
			in[i] = want[i] = pattern(round, i);
		if (expect)
			expect(want);
		fn(in, out);
		for (unsigned i = 0; i < NREGS; i++)
			if (out[i] != want[i] && bad++ == 0)
				printf("%s: %s 0x%lx, want 0x%lx\n", what,
				       reg_names[i], out[i], want[i]);
	}
	return bad;
}

static void expect_inb(uint64_t *r)
{
	r[RAX] |= 0xff;
}

static void expect_inw(uint64_t *r)
{
	r[RAX] |= 0xffff;
}

static void expect_inl(uint64_t *r)
{
	r[RAX] = 0xffffffff;
}

/* Leaf 0x40000000 with a junk subleaf: hvlab's signature, zero-extended. */
static void expect_cpuid(uint64_t *r)
{
	struct cpuid_regs c = cpuid(0x40000000, 0);

	r[RAX] = c.eax;
	r[RBX] = c.ebx;
	r[RCX] = c.ecx;
	r[RDX] = c.edx;
}

static void expect_vmmcall(uint64_t *r)
{
	r[RAX] = (uint64_t)-HYPERCALL_ENOSYS;
}

static void check_gprs(void)
{
	report(exit_check("out", exit_out, NULL) == 0,
	       "world switch (svm_vmrun / vmx_vmrun, LOAD_GUEST_GPRS, "
	       "SAVE_GUEST_GPRS): RAX-R15 kept across %d OUT exits",
	       ROUNDS);
	report(exit_check("inb", exit_inb, expect_inb) == 0,
	       "exit_io: IN AL merges into RAX, other GPRs kept");
	report(exit_check("inw", exit_inw, expect_inw) == 0,
	       "exit_io: IN AX merges into RAX, other GPRs kept");
	report(exit_check("inl", exit_inl, expect_inl) == 0,
	       "exit_io: IN EAX zero-extends into RAX, other GPRs kept");
}

/* cpuid with RAX = 0x40000000 and junk above it, via exit_cpuid. */
static void cpuid_hv_round(const uint64_t *in, uint64_t *out)
{
	uint64_t regs[NREGS];

	memcpy(regs, in, sizeof(regs));
	regs[RAX] = (in[RAX] & ~0xffffffffULL) | 0x40000000;
	exit_cpuid(regs, out);
}

/* The same with a REX.W prefix: a 3-byte CPUID the hypervisor must skip
 * whole. */
static void cpuid_rex_round(const uint64_t *in, uint64_t *out)
{
	uint64_t regs[NREGS];

	memcpy(regs, in, sizeof(regs));
	regs[RAX] = (in[RAX] & ~0xffffffffULL) | 0x40000000;
	exit_cpuid_rex(regs, out);
}

static void check_cpuid(void)
{
	struct cpuid_regs l1 = cpuid(1, 0);

	report(exit_check("cpuid", cpuid_hv_round, expect_cpuid) == 0,
	       "exit_cpuid: CPUID clears the upper halves of RAX-RDX, other "
	       "GPRs kept");
	report(exit_check("rex.w cpuid", cpuid_rex_round, expect_cpuid) == 0,
	       "svm_insn_len: REX.W CPUID (48 0F A2) skipped as 3 bytes");
	if (!(l1.ecx & (1u << 26))) {
		report_skip("exit_cpuid: subleaf: CPUID.1 offers no XSAVE");
		return;
	}
	/* Leaf 0xd: subleaf 0 sizes the area, subleaf 1 has no size in ECX
	 * (IA32_XSS is hidden), subleaf 63 is no state component. */
	struct cpuid_regs s0 = cpuid(0xd, 0), s1 = cpuid(0xd, 1),
			  s63 = cpuid(0xd, 63);
	report(s0.ecx >= 576 && s1.ecx == 0 && s63.eax == 0 && s63.ebx == 0,
	       "exit_cpuid: leaf 0xd honours the subleaf in ECX (ECX %u, %u; "
	       "subleaf 63 EAX %u)",
	       s0.ecx, s1.ecx, s63.eax);
}

static void check_vmmcall(void)
{
	idt_set(T_UD, ud_handler);
	unsigned bad = exit_check("vmmcall", exit_vmmcall, expect_vmmcall);
	report(bad == 0 && ud_count == 0,
	       "VMMCALL intercepted (vmcb_init_control / vmcs_init_controls): "
	       "RAX = -ENOSYS, other GPRs kept (%u #UD)",
	       ud_count);
}

static uint64_t rdgs(void)
{
	uint64_t v;

	__asm__ volatile("mov %%gs:0, %0" : "=r"(v));
	return v;
}

/*
 * GS base and KernelGSBase live where VMLOAD/VMSAVE (or the VMCS) keep
 * them: SWAPGS runs natively, so only the world switch carries its effect
 * to the next exit.
 */
static void check_segment_state(void)
{
	static uint64_t a = 0x1111222233334444, b = 0x5555666677778888;
	unsigned bad = 0;

	wrmsr(MSR_GS_BASE, (uintptr_t)&a);
	wrmsr(MSR_KERNEL_GS_BASE, (uintptr_t)&b);
	bad += rdgs() != a;
	for (unsigned i = 0; i < ROUNDS; i++) {
		__asm__ volatile("swapgs" ::: "memory");
		outb(PORT_EMPTY, 0);
		bad += rdgs() != (i % 2 ? a : b);
		bad += rdmsr(MSR_GS_BASE) != (uintptr_t)(i % 2 ? &a : &b);
		bad += rdmsr(MSR_KERNEL_GS_BASE) !=
		       (uintptr_t)(i % 2 ? &b : &a);
	}
	wrmsr(MSR_GS_BASE, 0);
	wrmsr(MSR_KERNEL_GS_BASE, 0);
	report(bad == 0,
	       "world switch (VMLOAD/VMSAVE, or the VMCS): GS base and "
	       "KernelGSBase follow SWAPGS across exits (%u wrong)",
	       bad);
}

void main(void)
{
	check_gprs();
	check_cpuid();
	check_vmmcall();
	check_segment_state();
}
