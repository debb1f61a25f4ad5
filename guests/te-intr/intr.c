/*
 * te-intr - exceptions and interrupts under trap-and-emulate (lab 2):
 * #DE, #UD, #BP and #PF taken at CPL 3 are reflected to the guest's own
 * IDT with the frame and error code a CPU at CPL 0 would push, IRETQ
 * restores the virtual IF, and the virtual timer interrupt arrives only
 * while the virtual IF is set.  INT n and a #PF taken at an RSP that is
 * 8 mod 16 and at an aligned one show the whole frame: where it lies
 * (RSP aligned to 16 first), SS, RSP, RFLAGS, CS, RIP and the error code;
 * a trap gate leaves the virtual IF set.
 */
#include <guests/te-lib/te.h>

#define GUEST_CS  0x08
#define GUEST_SS  0x10
#define GATE_INTR 0x8e /* present, DPL 0, 64-bit interrupt gate */
#define GATE_TRAP 0x8f /* present, DPL 0, 64-bit trap gate */
#define VEC_INTR  0x40
#define VEC_TRAP  0x41

/* This guest's own IDT, with trap gates as well (SDM 3A 6.14.1). */
static uint64_t idt[256][2];

static void gate_set(int vec, void *handler, uint8_t type)
{
	uint64_t a = (uintptr_t)handler;
	struct te_dtr ptr = { sizeof(idt) - 1, (uint64_t)idt };

	idt[vec][0] = (a & 0xffff) | ((uint64_t)GUEST_CS << 16) |
		      ((uint64_t)type << 40) | ((a >> 16 & 0xffff) << 48);
	idt[vec][1] = a >> 32;
	__asm__ volatile("lidt %0" : : "m"(ptr));
}

static volatile int hits[256];
static volatile uint64_t last_error, last_cs, last_flags, last_rsp_align;
static volatile uint64_t ticks;

/* What the last frame handler saw: its frame, where, and the virtual IF. */
static volatile struct te_frame seen;
static volatile uint64_t seen_at, seen_error, seen_vif, frame_resume;

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

/* Inline: a handler may call only functions that save what they touch. */
static inline __attribute__((always_inline)) void
frame_record(struct intr_frame *f)
{
	const volatile struct te_frame *t = (const void *)f;

	seen.ip = t->ip;
	seen.cs = t->cs;
	seen.flags = t->flags;
	seen.sp = t->sp;
	seen.ss = t->ss;
	seen_at = (uintptr_t)f;
	seen_vif = inb(TE_PORT_VIF) & 1;
}

__attribute__((interrupt)) static void frame_handler(struct intr_frame *f)
{
	frame_record(f);
}

__attribute__((interrupt)) static void frame_pf_handler(struct intr_frame *f,
							uintptr_t error)
{
	frame_record(f);
	seen_error = error;
	f->ip = frame_resume;
}

/*
 * Runs insn with RSP = (RSP & ~15) - pad; *rsp is that RSP, *next the
 * address after insn, where a fault resumes.
 */
#define AT_RSP(insn, pad, rsp, next)                                         \
	__asm__ volatile("movq %%rsp, %%rbx; andq $-16, %%rsp;"              \
			 "subq %2, %%rsp; movq %%rsp, %0;"                   \
			 "leaq 1f(%%rip), %1; movq %1, frame_resume(%%rip);" \
			 "movq $0x40000000, %%rcx;" insn                     \
			 "\n1: movq %%rbx, %%rsp"                            \
			 : "=&r"(rsp), "=&r"(next)                           \
			 : "r"((uint64_t)(pad))                              \
			 : "rbx", "rcx", "memory")

/* The 16-byte aligned frame of a same-privilege event (SDM 3A 6.14.2). */
static bool frame_ok(uint64_t rsp, uint64_t ip, uint64_t vif)
{
	bool ok = seen_at == (rsp & ~0xfULL) - 40 && seen.sp == rsp &&
		  seen.ip == ip && seen.cs == GUEST_CS && seen.ss == GUEST_SS &&
		  !!(seen.flags & X86_FLAGS_IF) == vif;

	if (!ok)
		printf("  te_reflect: rsp 0x%llx: frame at 0x%llx: rip 0x%llx "
		       "cs 0x%llx "
		       "rflags 0x%llx rsp 0x%llx ss 0x%llx\n",
		       (unsigned long long)rsp, (unsigned long long)seen_at,
		       (unsigned long long)seen.ip, (unsigned long long)seen.cs,
		       (unsigned long long)seen.flags,
		       (unsigned long long)seen.sp,
		       (unsigned long long)seen.ss);
	return ok;
}

static void test_frames(void)
{
	static const unsigned pads[2] = { 0, 8 };
	uint64_t rsp, next;

	gate_set(VEC_INTR, frame_handler, GATE_INTR);
	gate_set(VEC_TRAP, frame_handler, GATE_TRAP);
	gate_set(T_PF, frame_pf_handler, GATE_INTR);
	for (int i = 0; i < 2; i++) {
		outb(TE_PORT_VIF, 1);
		AT_RSP("int $0x40", pads[i], rsp, next);
		if (seen_vif)
			printf("  te_reflect: an interrupt gate left IF set\n");
		report(frame_ok(rsp, next, 1) && !seen_vif && te_vif(),
		       "int $0x40 at rsp %% 16 = %u: frame and virtual IF",
		       pads[i]);
		AT_RSP("int $0x41", pads[i], rsp, next);
		if (!seen_vif)
			printf("  te_reflect: a trap gate cleared IF\n");
		report(frame_ok(rsp, next, 1) && seen_vif,
		       "trap gate at rsp %% 16 = %u: frame, IF left set",
		       pads[i]);
		outb(TE_PORT_VIF, 0);
		seen_error = ~0ULL;
		AT_RSP(".byte 0x48, 0x89, 0x01; nop", pads[i], rsp, next);
		if (seen_error != 0x2)
			printf("  te_reflect: #PF error code 0x%llx, want "
			       "0x2\n",
			       (unsigned long long)seen_error);
		report(frame_ok(rsp, next - 4, 0) && seen_error == 0x2,
		       "#PF at rsp %% 16 = %u: frame and error code 0x%llx",
		       pads[i], (unsigned long long)seen_error);
	}
}

static void test_faults(void)
{
	uint64_t q;

	gate_set(T_DE, de_handler, GATE_INTR);
	gate_set(T_UD, ud_handler, GATE_INTR);
	gate_set(T_BP, bp_handler, GATE_INTR);
	gate_set(T_PF, pf_handler, GATE_INTR);
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

	gate_set(TE_TIMER_VECTOR, timer_handler, GATE_INTR);
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
	test_frames();
	test_faults();
	test_timer();
}
