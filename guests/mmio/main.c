/*
 * main.c - the MMIO guest (lab 5): every addressing form the emulator
 * runs against a device, checked against the CPU.  Each instruction runs
 * on RAM and on hvlab's test device (mmio.h); the guest compares the
 * registers, the arithmetic flags and DF, and the memory afterwards, and
 * checks how many register-file accesses the device saw and what the last
 * one was: an 8-byte MOV is one 8-byte access, a LOCK ADD one read and
 * one write, a REP MOVS of N elements into the device N writes.  One
 * "mmio: FORM" report line per form.  With extra "attack=NAME" it is the
 * hostile guest instead (attack.c); extra "paging=shadow" says that the
 * domain has no nested tables to look at.
 */
#include <guests/mmio/mmio.h>
#include <guests/lib/pt.h>

struct cpu cpu;

#define FLAGS_CHECKED                                                \
	(X86_FLAGS_CF | X86_FLAGS_PF | X86_FLAGS_AF | X86_FLAGS_ZF | \
	 X86_FLAGS_SF | X86_FLAGS_OF | X86_FLAGS_DF)
/* Every flag set going in, so that an instruction that leaves them or
 * clears them is seen doing so. */
#define FLAGS_IN   (X86_FLAGS_FIXED | (FLAGS_CHECKED & ~X86_FLAGS_DF))
#define DEFAULT_CX ((uintptr_t)0x0123456789abcdefULL)

#define LAST(size, write, off)                                  \
	((size) | (uint64_t)(write) << TESTDEV_LAST_WRITE_BIT | \
	 (uint64_t)(off) << TESTDEV_LAST_OFFSET_SHIFT)

/*
 * An instruction under test: its initial RCX (DEFAULT_CX when 0), RSI
 * and RDI (offsets from the target page), extra RFLAGS (DF), and the
 * register-file accesses the device must see: n of them, the last `last`.
 */
struct mcase {
	const char *name;
	void (*fn)(bool dev);
	uintptr_t cx;
	int si, di;
	uintptr_t fl;
	unsigned n;
	uint64_t last;
};

#define INSN(fn, text)           \
	static void fn(bool dev) \
	{                        \
		(void)dev;       \
		CPU_RUN(text);   \
	}

#define STR_(x) #x
#define STR(x)	STR_(x)
#ifdef __x86_64__
#define MOVABS "movabs "
#else
#define MOVABS "mov "
#endif
/* MOV with a moffs operand (A0-A3): the address is in the instruction. */
#define MOFFS(fn, pre, off, post)                                       \
	static void fn(bool dev)                                        \
	{                                                               \
		if (dev)                                                \
			CPU_RUN(MOVABS pre STR(WIN_DEV) "+" #off post); \
		else                                                    \
			CPU_RUN(MOVABS pre STR(WIN_RAM) "+" #off post); \
	}

INSN(mov_st8, "mov %%al, 0x11(" RB ")")
INSN(mov_st16, "mov %%ax, 0x22(" RB ")")
INSN(mov_st32, "mov %%eax, 0x34(" RB ")")
INSN(mov_ld8, "mov 0x13(" RB "), %%cl")
INSN(mov_ld8h, "mov 0x17(" RB "), %%ch")
INSN(mov_ld16, "mov 0x26(" RB "), %%cx")
INSN(mov_ld32, "mov 0x3c(" RB "), %%ecx")
INSN(mov_ld32_sib, "mov 0x8(" RB "," RD ",4), %%ecx")
INSN(mov_imm8, "movb $0x5a, 0x71(" RB ")")
INSN(mov_imm16, "movw $0x1234, 0x72(" RB ")")
INSN(mov_imm32, "movl $0xdeadbeef, 0x74(" RB ")")
MOFFS(mov_a0, "", 0x80, ", %%al")
MOFFS(mov_a1, "", 0x84, ", %%eax")
MOFFS(mov_a2, "%%al, ", 0x89, "")
MOFFS(mov_a3, "%%ax, ", 0x8a, "")
INSN(movzx8, "movzbl 0x81(" RB "), %%ecx")
INSN(movzx16, "movzwl 0x82(" RB "), %%ecx")
INSN(movsx8, "movsbl 0x83(" RB "), %%ecx")
INSN(movsx8_16, "movsbw 0x86(" RB "), %%cx")
INSN(movsx16, "movswl 0x8a(" RB "), %%ecx")
INSN(add_st, "add %%eax, 0x90(" RB ")")
INSN(add_ld, "add 0x90(" RB "), %%ecx")
INSN(add_imm8, "addb $0x7f, 0x93(" RB ")")
INSN(add_imm32, "addl $0x12345678, 0x94(" RB ")")
INSN(add_simm8, "addw $-1, 0x98(" RB ")")
INSN(or_imm16, "orw $0x8001, 0xa0(" RB ")")
INSN(or_st8, "orb %%dl, 0xa2(" RB ")")
INSN(and_simm8, "andl $-16, 0xa4(" RB ")")
INSN(and_ld, "and 0xa8(" RB "), %%edx")
INSN(xor_st, "xor %%eax, 0xb0(" RB ")")
INSN(xor_ld8, "xor 0xb8(" RB "), %%cl")
INSN(sub_simm8, "subl $1, 0xc0(" RB ")")
INSN(sub_st16, "sub %%ax, 0xc4(" RB ")")
INSN(sub_ld, "sub 0xc8(" RB "), %%ecx")
INSN(cmp_imm8, "cmpb $0x80, 0xd0(" RB ")")
INSN(cmp_st, "cmp %%eax, 0xd8(" RB ")")
INSN(cmp_ld, "cmp 0xd8(" RB "), %%eax")
INSN(cmp_simm8, "cmpl $5, 0xe0(" RB ")")
INSN(test_imm8, "testb $0x81, 0xe4(" RB ")")
INSN(test_imm32, "testl $0x80000000, 0xe8(" RB ")")
INSN(test_r32, "test %%eax, 0xf0(" RB ")")
INSN(test_r8, "test %%cl, 0xf8(" RB ")")
INSN(xchg32, "xchg %%eax, 0x100(" RB ")")
INSN(xchg8, "xchg %%cl, 0x108(" RB ")")
INSN(lock_add, "lock add %%eax, 0x110(" RB ")")
INSN(lock_or, "lock orl $0x100, 0x118(" RB ")")
INSN(lock_and, "lock andw $0xff0f, 0x120(" RB ")")
INSN(lock_xor, "lock xorb $0x55, 0x122(" RB ")")
INSN(lock_sub, "lock sub %%ecx, 0x128(" RB ")")
INSN(lock_cmpxchg_ne, "lock cmpxchg %%ecx, 0x130(" RB ")")
INSN(lock_cmpxchg_eq,
     "mov 0x134(" RB "), %%eax\n\tlock cmpxchg %%ecx, 0x134(" RB ")")
INSN(lock_cmpxchg16, "lock cmpxchg %%cx, 0x138(" RB ")")
INSN(lock_cmpxchg8b, "lock cmpxchg8b 0x140(" RB ")")
INSN(stosb, "stosb")
INSN(rep_stosl, "rep stosl")
INSN(rep_stosw, "rep stosw")
INSN(lodsl, "lodsl")
INSN(rep_lodsb, "rep lodsb")
INSN(movsl, "movsl")
INSN(rep_movsl, "rep movsl")
INSN(rep_movsb, "rep movsb")
INSN(rep_movsw, "rep movsw")
INSN(mov_split32, "mov %%eax, -2(" RB ")")
INSN(mov_split16, "mov 0xfff(" RB "), %%cx")
#ifdef __x86_64__
INSN(mov_st64, "mov %%rax, 0x48(%%rbx)")
INSN(mov_ld64, "mov 0x40(%%rbx), %%rcx")
INSN(mov_ld64_sib, "mov 0x8(%%rbx,%%rdx,8), %%rcx")
INSN(mov_imm64, "movq $-2, 0x78(%%rbx)")
MOFFS(mov_a1_64, "", 0x88, ", %%rax")
MOFFS(mov_a3_64, "%%rax, ", 0x8c, "")
INSN(movzx16_64, "movzwq 0x82(%%rbx), %%rcx")
INSN(movsx8_64, "movsbq 0x83(%%rbx), %%rcx")
INSN(movsxd, "movslq 0x88(%%rbx), %%rcx")
INSN(add_ld64, "add 0x90(%%rbx), %%rcx")
INSN(add_simm8_64, "addq $-1, 0x98(%%rbx)")
INSN(and_imm32_64, "andq $-0x10000, 0xa8(%%rbx)")
INSN(xor_st64, "xor %%rax, 0xb0(%%rbx)")
INSN(sub_ld64, "sub 0xc8(%%rbx), %%rcx")
INSN(cmp_st64, "cmp %%rax, 0xd8(%%rbx)")
INSN(test_r64, "test %%rax, 0xf0(%%rbx)")
INSN(xchg64, "xchg %%rax, 0x100(%%rbx)")
INSN(lock_sub64, "lock sub %%rcx, 0x128(%%rbx)")
INSN(lock_cmpxchg64,
     "mov 0x130(%%rbx), %%rax\n\tlock cmpxchg %%rcx, 0x130(%%rbx)")
INSN(stosq, "stosq")
INSN(rep_movsq, "rep movsq")
INSN(rep_stosq, "rep stosq")
INSN(lodsq, "lodsq")
INSN(mov_split64, "mov %%rax, -4(%%rbx)")
INSN(addr32_rep_stosb, "addr32 rep stosb")
INSN(addr32_mov, "mov 0x10(%%ebx,%%edx,2), %%rcx")
#endif

#define DF X86_FLAGS_DF

static const struct mcase cases[] = {
	{ "MOV m8 <- r8", mov_st8, .n = 1, .last = LAST(1, 1, 0x11) },
	{ "MOV m16 <- r16", mov_st16, .n = 1, .last = LAST(2, 1, 0x22) },
	{ "MOV m32 <- r32", mov_st32, .n = 1, .last = LAST(4, 1, 0x34) },
	{ "MOV r8 <- m8", mov_ld8, .n = 1, .last = LAST(1, 0, 0x13) },
	{ "MOV r8 (CH) <- m8", mov_ld8h, .n = 1, .last = LAST(1, 0, 0x17) },
	{ "MOV r16 <- m16", mov_ld16, .n = 1, .last = LAST(2, 0, 0x26) },
	{ "MOV r32 <- m32", mov_ld32, .n = 1, .last = LAST(4, 0, 0x3c) },
	{ "MOV r32 <- m32 (base + index*4 + disp)", mov_ld32_sib, .n = 1,
	  .last = LAST(4, 0, 0x14) },
	{ "MOV m8 <- imm8", mov_imm8, .n = 1, .last = LAST(1, 1, 0x71) },
	{ "MOV m16 <- imm16", mov_imm16, .n = 1, .last = LAST(2, 1, 0x72) },
	{ "MOV m32 <- imm32", mov_imm32, .n = 1, .last = LAST(4, 1, 0x74) },
	{ "MOV AL <- moffs8 (A0)", mov_a0, .n = 1, .last = LAST(1, 0, 0x80) },
	{ "MOV EAX <- moffs32 (A1)", mov_a1, .n = 1, .last = LAST(4, 0, 0x84) },
	{ "MOV moffs8 <- AL (A2)", mov_a2, .n = 1, .last = LAST(1, 1, 0x89) },
	{ "MOV moffs16 <- AX (A3)", mov_a3, .n = 1, .last = LAST(2, 1, 0x8a) },
	{ "MOVZX r32 <- m8", movzx8, .n = 1, .last = LAST(1, 0, 0x81) },
	{ "MOVZX r32 <- m16", movzx16, .n = 1, .last = LAST(2, 0, 0x82) },
	{ "MOVSX r32 <- m8", movsx8, .n = 1, .last = LAST(1, 0, 0x83) },
	{ "MOVSX r16 <- m8", movsx8_16, .n = 1, .last = LAST(1, 0, 0x86) },
	{ "MOVSX r32 <- m16", movsx16, .n = 1, .last = LAST(2, 0, 0x8a) },
	{ "ADD m32 <- r32", add_st, .n = 2, .last = LAST(4, 1, 0x90) },
	{ "ADD r32 <- m32", add_ld, .n = 1, .last = LAST(4, 0, 0x90) },
	{ "ADD m8 <- imm8 (80)", add_imm8, .n = 2, .last = LAST(1, 1, 0x93) },
	{ "ADD m32 <- imm32 (81)", add_imm32, .n = 2,
	  .last = LAST(4, 1, 0x94) },
	{ "ADD m16 <- simm8 (83)", add_simm8, .n = 2,
	  .last = LAST(2, 1, 0x98) },
	{ "OR m16 <- imm16 (81)", or_imm16, .n = 2, .last = LAST(2, 1, 0xa0) },
	{ "OR m8 <- r8", or_st8, .n = 2, .last = LAST(1, 1, 0xa2) },
	{ "AND m32 <- simm8 (83)", and_simm8, .n = 2,
	  .last = LAST(4, 1, 0xa4) },
	{ "AND r32 <- m32", and_ld, .n = 1, .last = LAST(4, 0, 0xa8) },
	{ "XOR m32 <- r32", xor_st, .n = 2, .last = LAST(4, 1, 0xb0) },
	{ "XOR r8 <- m8", xor_ld8, .n = 1, .last = LAST(1, 0, 0xb8) },
	{ "SUB m32 <- simm8 (83)", sub_simm8, .n = 2,
	  .last = LAST(4, 1, 0xc0) },
	{ "SUB m16 <- r16", sub_st16, .n = 2, .last = LAST(2, 1, 0xc4) },
	{ "SUB r32 <- m32", sub_ld, .n = 1, .last = LAST(4, 0, 0xc8) },
	{ "CMP m8, imm8 (80)", cmp_imm8, .n = 1, .last = LAST(1, 0, 0xd0) },
	{ "CMP m32, r32", cmp_st, .n = 1, .last = LAST(4, 0, 0xd8) },
	{ "CMP r32, m32", cmp_ld, .n = 1, .last = LAST(4, 0, 0xd8) },
	{ "CMP m32, simm8 (83)", cmp_simm8, .n = 1, .last = LAST(4, 0, 0xe0) },
	{ "TEST m8, imm8 (F6)", test_imm8, .n = 1, .last = LAST(1, 0, 0xe4) },
	{ "TEST m32, imm32 (F7)", test_imm32, .n = 1,
	  .last = LAST(4, 0, 0xe8) },
	{ "TEST m32, r32", test_r32, .n = 1, .last = LAST(4, 0, 0xf0) },
	{ "TEST m8, r8", test_r8, .n = 1, .last = LAST(1, 0, 0xf8) },
	{ "XCHG m32, r32", xchg32, .n = 2, .last = LAST(4, 1, 0x100) },
	{ "XCHG m8, r8", xchg8, .n = 2, .last = LAST(1, 1, 0x108) },
	{ "LOCK ADD m32 <- r32", lock_add, .n = 2, .last = LAST(4, 1, 0x110) },
	{ "LOCK OR m32 <- simm8", lock_or, .n = 2, .last = LAST(4, 1, 0x118) },
	{ "LOCK AND m16 <- imm16", lock_and, .n = 2,
	  .last = LAST(2, 1, 0x120) },
	{ "LOCK XOR m8 <- imm8", lock_xor, .n = 2, .last = LAST(1, 1, 0x122) },
	{ "LOCK SUB m32 <- r32", lock_sub, .n = 2, .last = LAST(4, 1, 0x128) },
	{ "LOCK CMPXCHG m32 (not equal)", lock_cmpxchg_ne, .n = 2,
	  .last = LAST(4, 1, 0x130) },
	{ "LOCK CMPXCHG m32 (equal)", lock_cmpxchg_eq, .n = 3,
	  .last = LAST(4, 1, 0x134) },
	{ "LOCK CMPXCHG m16", lock_cmpxchg16, .n = 2,
	  .last = LAST(2, 1, 0x138) },
	{ "LOCK CMPXCHG8B m64 (not equal)", lock_cmpxchg8b, .n = 2,
	  .last = LAST(8, 1, 0x140) },
	{ "STOSB", stosb, .di = 0x200, .n = 1, .last = LAST(1, 1, 0x200) },
	{ "REP STOSD", rep_stosl, .cx = 5, .di = 0x210, .n = 5,
	  .last = LAST(4, 1, 0x220) },
	{ "REP STOSW backward (DF)", rep_stosw, .cx = 4, .di = 0x240, .fl = DF,
	  .n = 4, .last = LAST(2, 1, 0x23a) },
	{ "LODSD", lodsl, .si = 0x250, .n = 1, .last = LAST(4, 0, 0x250) },
	{ "REP LODSB", rep_lodsb, .cx = 3, .si = 0x260, .n = 3,
	  .last = LAST(1, 0, 0x262) },
	{ "MOVSD RAM -> device", movsl, .si = -0x800, .di = 0x300, .n = 1,
	  .last = LAST(4, 1, 0x300) },
	{ "REP MOVSD RAM -> device", rep_movsl, .cx = 8, .si = -0x7f0,
	  .di = 0x310, .n = 8, .last = LAST(4, 1, 0x32c) },
	{ "REP MOVSB device -> RAM", rep_movsb, .cx = 7, .si = 0x340,
	  .di = 0x2040, .n = 7, .last = LAST(1, 0, 0x346) },
	{ "REP MOVSW device -> device", rep_movsw, .cx = 6, .si = 0x400,
	  .di = 0x500, .n = 12, .last = LAST(2, 1, 0x50a) },
	{ "REP MOVSD device -> device backward (DF)", rep_movsl, .cx = 4,
	  .si = 0x600, .di = 0x700, .fl = DF, .n = 8,
	  .last = LAST(4, 1, 0x6f4) },
	{ "REP STOSD crossing RAM -> device", rep_stosl, .cx = 6, .di = -8,
	  .n = 4, .last = LAST(4, 1, 0xc) },
	{ "REP MOVSB crossing device -> RAM", rep_movsb, .cx = 8, .si = 0x1ffc,
	  .di = -0x400, .n = 4, .last = LAST(1, 0, 0xfff) },
	{ "REP STOSD crossing device -> device", rep_stosl, .cx = 4,
	  .di = 0xff8, .n = 4, .last = LAST(4, 1, 0x4) },
	{ "REP MOVSD crossing RAM -> device backward (DF)", rep_movsl, .cx = 4,
	  .si = 0x2008, .di = 0x2004, .fl = DF, .n = 3,
	  .last = LAST(4, 1, 0xff8) },
	{ "MOV m32 <- r32 straddling RAM and device", mov_split32, .n = 2,
	  .last = LAST(1, 1, 0x1) },
	{ "MOV r16 <- m16 straddling the device and itself", mov_split16,
	  .n = 2, .last = LAST(1, 0, 0x0) },
#ifdef __x86_64__
	{ "MOV m64 <- r64", mov_st64, .n = 1, .last = LAST(8, 1, 0x48) },
	{ "MOV r64 <- m64", mov_ld64, .n = 1, .last = LAST(8, 0, 0x40) },
	{ "MOV r64 <- m64 (base + index*8 + disp)", mov_ld64_sib, .n = 1,
	  .last = LAST(8, 0, 0x20) },
	{ "MOV m64 <- simm32", mov_imm64, .n = 1, .last = LAST(8, 1, 0x78) },
	{ "MOV RAX <- moffs64 (A1)", mov_a1_64, .n = 1,
	  .last = LAST(8, 0, 0x88) },
	{ "MOV moffs64 <- RAX (A3)", mov_a3_64, .n = 1,
	  .last = LAST(8, 1, 0x8c) },
	{ "MOVZX r64 <- m16", movzx16_64, .n = 1, .last = LAST(2, 0, 0x82) },
	{ "MOVSX r64 <- m8", movsx8_64, .n = 1, .last = LAST(1, 0, 0x83) },
	{ "MOVSXD r64 <- m32", movsxd, .n = 1, .last = LAST(4, 0, 0x88) },
	{ "ADD r64 <- m64", add_ld64, .n = 1, .last = LAST(8, 0, 0x90) },
	{ "ADD m64 <- simm8 (83)", add_simm8_64, .n = 2,
	  .last = LAST(8, 1, 0x98) },
	{ "AND m64 <- simm32 (81)", and_imm32_64, .n = 2,
	  .last = LAST(8, 1, 0xa8) },
	{ "XOR m64 <- r64", xor_st64, .n = 2, .last = LAST(8, 1, 0xb0) },
	{ "SUB r64 <- m64", sub_ld64, .n = 1, .last = LAST(8, 0, 0xc8) },
	{ "CMP m64, r64", cmp_st64, .n = 1, .last = LAST(8, 0, 0xd8) },
	{ "TEST m64, r64", test_r64, .n = 1, .last = LAST(8, 0, 0xf0) },
	{ "XCHG m64, r64", xchg64, .n = 2, .last = LAST(8, 1, 0x100) },
	{ "LOCK SUB m64 <- r64", lock_sub64, .n = 2,
	  .last = LAST(8, 1, 0x128) },
	{ "LOCK CMPXCHG m64 (equal)", lock_cmpxchg64, .n = 3,
	  .last = LAST(8, 1, 0x130) },
	{ "STOSQ", stosq, .di = 0x208, .n = 1, .last = LAST(8, 1, 0x208) },
	{ "LODSQ", lodsq, .si = 0x258, .n = 1, .last = LAST(8, 0, 0x258) },
	{ "REP MOVSQ RAM -> device", rep_movsq, .cx = 16, .si = -0x1000,
	  .di = 0x800, .n = 16, .last = LAST(8, 1, 0x878) },
	{ "REP STOSQ backward (DF) crossing device -> RAM", rep_stosq, .cx = 5,
	  .di = 0x10, .fl = DF, .n = 3, .last = LAST(8, 1, 0x0) },
	{ "MOV m64 <- r64 straddling RAM and device", mov_split64, .n = 4,
	  .last = LAST(1, 1, 0x3) },
	{ "MOV r64 <- m64 (32-bit address size)", addr32_mov, .n = 1,
	  .last = LAST(8, 0, 0x16) },
	{ "REP STOSB (32-bit address size)", addr32_rep_stosb, .cx = 9,
	  .di = 0x900, .n = 9, .last = LAST(1, 1, 0x908) },
#endif
};

/* The windows' RAM pages and the RAM stand-in for the device. */
static uint8_t ram_win[3][PT_PAGE] __attribute__((aligned(PT_PAGE)));
static uint8_t dev_win[2][PT_PAGE] __attribute__((aligned(PT_PAGE)));
static uint8_t pt_pool[48 * PT_PAGE] __attribute__((aligned(PT_PAGE)));
/* What each window held after the instruction: pages -0x1000, 0, 0x2000. */
static uint64_t seen[2][3][PT_PAGE / 8];

static uintptr_t win_root;

void mmio_map_windows(void)
{
#ifdef __x86_64__
	pt_init(PT_4LEVEL, pt_pool, sizeof(pt_pool));
#else
	pt_init(PT_32BIT, pt_pool, sizeof(pt_pool));
#endif
	win_root = pt_new_root();
	pt_map(win_root, WIN_RAM - 0x1000, (uintptr_t)ram_win[0], PTE_W);
	pt_map(win_root, WIN_RAM, (uintptr_t)ram_win[1], PTE_W);
	pt_map(win_root, WIN_RAM + 0x1000, (uintptr_t)ram_win[1], PTE_W);
	pt_map(win_root, WIN_RAM + 0x2000, (uintptr_t)ram_win[2], PTE_W);
	pt_map(win_root, WIN_DEV - 0x1000, (uintptr_t)dev_win[0], PTE_W);
	pt_map(win_root, WIN_DEV, TESTDEV_BASE, PTE_W);
	pt_map(win_root, WIN_DEV + 0x1000, TESTDEV_BASE, PTE_W);
	pt_map(win_root, WIN_DEV + 0x2000, (uintptr_t)dev_win[1], PTE_W);
	pt_map(win_root, WIN_CTRL, TESTDEV_BASE + TESTDEV_CTRL, PTE_W);
#ifdef __x86_64__
	pt_load(win_root);
#else
	pt_paging_on(win_root, 0);
#endif
}

/* Page -0x1000, 0 or 0x2000 of a window (index 0, 1, 2). */
static volatile uint64_t *win_page(uintptr_t target, int i)
{
	return (volatile uint64_t *)(target + (i == 2 ? 0x2000 : 0) -
				     (i == 0 ? 0x1000 : 0));
}

static uint64_t pattern(int page, unsigned i)
{
	uint64_t v = 0;

	for (int b = 7; b >= 0; b--)
		v = v << 8 | (uint8_t)((8 * i + b) * 0x9d + page * 0x3b + 0x80);
	return v;
}

/*
 * Copies a page with REP MOVSD: a device page in one exit, not 512 (the
 * forms under test check MOVS on their own).
 */
static void page_copy(volatile void *dst, const volatile void *src)
{
	uintptr_t n = PT_PAGE / 4;

	__asm__ volatile("cld; rep movsl"
			 : "+D"(dst), "+S"(src), "+c"(n)
			 :
			 : "memory");
}

/* What every window holds before an instruction runs in it. */
static uint64_t patterns[3][PT_PAGE / 8];

static void win_patterns(void)
{
	for (int p = 0; p < 3; p++)
		for (unsigned i = 0; i < PT_PAGE / 8; i++)
			patterns[p][i] = pattern(p, i);
}

static void win_fill(uintptr_t target)
{
	for (int p = 0; p < 3; p++)
		page_copy(win_page(target, p), patterns[p]);
}

static void win_read(uintptr_t target, uint64_t out[3][PT_PAGE / 8])
{
	for (int p = 0; p < 3; p++)
		page_copy(out[p], win_page(target, p));
}

/* Runs c in the window at target; the result in *out, addresses as
 * offsets from target. */
static void run_in(const struct mcase *c, uintptr_t target, bool dev,
		   struct cpu *out)
{
	cpu = (struct cpu){ .ax = (uintptr_t)0x8899aabbccddeeffULL,
			    .bx = target,
			    .cx = c->cx ? c->cx : DEFAULT_CX,
			    .dx = 3,
			    .si = target + c->si,
			    .di = target + c->di,
			    .fl = FLAGS_IN | c->fl };
	c->fn(dev);
	*out = cpu;
	out->bx -= target;
	out->si -= target;
	out->di -= target;
}

/* The first difference between the two runs, or NULL. */
static const char *run_diff(const struct cpu *ram, const struct cpu *dev,
			    char *buf, size_t len)
{
	static const char *const names[] = { "rax", "rbx", "rcx",
					     "rdx", "rsi", "rdi" };
	const uintptr_t *r = &ram->ax, *d = &dev->ax;

	for (int i = 0; i < 6; i++)
		if (r[i] != d[i]) {
			snprintf(buf, len,
				 "%s 0x%lx on RAM, 0x%lx on the device",
				 names[i], (unsigned long)r[i],
				 (unsigned long)d[i]);
			return buf;
		}
	if ((ram->fl ^ dev->fl) & FLAGS_CHECKED) {
		snprintf(buf, len, "rflags 0x%lx on RAM, 0x%lx on the device",
			 (unsigned long)ram->fl, (unsigned long)dev->fl);
		return buf;
	}
	for (int p = 0; p < 3; p++)
		for (unsigned i = 0; i < PT_PAGE / 8; i++)
			if (seen[0][p][i] != seen[1][p][i]) {
				snprintf(buf, len,
					 "memory at %d: 0x%llx on RAM, 0x%llx "
					 "on the device",
					 (int)(8 * i) + (p == 2 ? 0x2000 : 0) -
						 (p == 0 ? 0x1000 : 0),
					 (unsigned long long)seen[0][p][i],
					 (unsigned long long)seen[1][p][i]);
				return buf;
			}
	return NULL;
}

static void run_case(const struct mcase *c)
{
	struct cpu ram, dev;
	uint64_t n, last;
	char why[128];
	const char *diff;

	win_fill(WIN_RAM);
	run_in(c, WIN_RAM, false, &ram);
	win_read(WIN_RAM, seen[0]);
	win_fill(WIN_DEV);
	n = testdev_ctrl(TESTDEV_ACCESSES);
	run_in(c, WIN_DEV, true, &dev);
	n = testdev_ctrl(TESTDEV_ACCESSES) - n;
	last = testdev_ctrl(TESTDEV_LAST);
	win_read(WIN_DEV, seen[1]);
	if ((diff = run_diff(&ram, &dev, why, sizeof(why))))
		;
	else if (n != c->n)
		diff = (snprintf(why, sizeof(why),
				 "%llu register-file accesses, not %u",
				 (unsigned long long)n, c->n),
			why);
	else if (last != c->last)
		diff = (snprintf(why, sizeof(why),
				 "last access 0x%llx, not 0x%llx",
				 (unsigned long long)last,
				 (unsigned long long)c->last),
			why);
	report(!diff, "mmio: %s%s%s", c->name, diff ? ": " : "",
	       diff ? diff : "");
}

/* The control registers: counted apart, other widths read 0. */
static void check_ctrl(void)
{
	uint64_t n = testdev_ctrl(TESTDEV_ACCESSES);
	uint32_t half = *(volatile uint32_t *)(uintptr_t)(WIN_CTRL +
							  TESTDEV_ACCESSES);
	uint64_t level;
	char mode[8];

	report(half == 0 && testdev_ctrl(TESTDEV_ACCESSES) == n,
	       "mmio: control registers: 4-byte read is 0, reads not "
	       "counted");
	report(testdev_ctrl(TESTDEV_HOST_PAGES) > 0,
	       "mmio: control registers: host pages %llu",
	       (unsigned long long)testdev_ctrl(TESTDEV_HOST_PAGES));
	ram_win[0][0] = 1;
	testdev_ctrl_write(TESTDEV_MAP_GPA, (uintptr_t)ram_win);
	level = testdev_ctrl(TESTDEV_MAP_LEVEL);
	if (cmdline_get("paging", mode, sizeof(mode)) &&
	    strcmp(mode, "shadow") == 0)
		report_skip("mmio: control registers: no nested tables under "
			    "shadow paging");
	else
		report(testdev_ctrl(TESTDEV_MAP_GPA) == (uintptr_t)ram_win &&
			       (level & 0xff) >= 1 && (level & 0xff) <= 3 &&
			       (level & TESTDEV_MAPPED_W),
		       "mmio: control registers: RAM just written mapped "
		       "writable (0x%llx)",
		       (unsigned long long)level);
	testdev_ctrl_write(TESTDEV_MAP_GPA, TESTDEV_BASE);
	report(testdev_ctrl(TESTDEV_MAP_LEVEL) == 0,
	       "mmio: control registers: the device is never mapped");
}

void main(void)
{
	mmio_map_windows();
	if (mmio_attack())
		return;
	check_ctrl();
	win_patterns();
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		run_case(&cases[i]);
}
