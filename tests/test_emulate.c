/*
 * test_emulate.c - kernel/x86/emulate.c against a fake guest: 64 KiB of
 * linear memory, logged ports, control registers, MSRs, descriptor-table
 * loads and a virtual IF.  Each test runs one instruction and checks its
 * effect on registers, flags and the callbacks, or the fault it raises.
 */
#include <criterion/criterion.h>
#include <kernel/x86/emulate.h>

#define MEM_SIZE 0x10000

struct port_io {
	uint16_t port;
	unsigned size;
	uint32_t val;
};

static struct fake {
	uint8_t mem[MEM_SIZE];
	uint32_t in_val;
	struct port_io out[2048];
	unsigned nout, nin;
	uint64_t cr[9];
	enum vseg dtr;
	uint64_t dtr_base;
	uint32_t dtr_limit;
	uint16_t sel;
	unsigned nwbinvd;
	unsigned nwrites; /* memory writes */
	bool vif;
	size_t fetch_limit; /* linear addresses >= this cannot be fetched */
} f;

static struct x86_emul_ctxt ctxt;

static int fake_read(struct x86_emul_ctxt *c, uint64_t la, unsigned size,
		     uint64_t *val)
{
	if (la + size > MEM_SIZE || la + size < la)
		return x86_emul_raise(c, T_PF, true, 0);
	*val = 0;
	memcpy(val, f.mem + la, size);
	return X86EMUL_OKAY;
}

static int fake_write(struct x86_emul_ctxt *c, uint64_t la, unsigned size,
		      uint64_t val)
{
	if (la + size > MEM_SIZE || la + size < la)
		return x86_emul_raise(c, T_PF, true, 2);
	memcpy(f.mem + la, &val, size);
	f.nwrites++;
	return X86EMUL_OKAY;
}

static int fake_fetch(struct x86_emul_ctxt *c, uint64_t la, uint8_t *buf,
		      size_t len, size_t *got)
{
	if (la >= f.fetch_limit)
		return x86_emul_raise(c, T_PF, true, 0x10);
	*got = MIN(len, f.fetch_limit - la);
	memcpy(buf, f.mem + la, *got);
	return X86EMUL_OKAY;
}

static int fake_in(struct x86_emul_ctxt *c, uint16_t port, unsigned size,
		   uint32_t *val)
{
	f.nin++;
	*val = f.in_val + f.nin - 1;
	return X86EMUL_OKAY;
}

static int fake_out(struct x86_emul_ctxt *c, uint16_t port, unsigned size,
		    uint32_t val)
{
	cr_assert_lt(f.nout, ARRAY_SIZE(f.out));
	f.out[f.nout++] = (struct port_io){ port, size, val };
	return X86EMUL_OKAY;
}

static int fake_read_cr(struct x86_emul_ctxt *c, unsigned cr, uint64_t *val)
{
	*val = f.cr[cr];
	return X86EMUL_OKAY;
}

static int fake_write_cr(struct x86_emul_ctxt *c, unsigned cr, uint64_t val)
{
	f.cr[cr] = val;
	return X86EMUL_OKAY;
}

static int fake_load_dtr(struct x86_emul_ctxt *c, enum vseg which,
			 uint64_t base, uint32_t limit)
{
	f.dtr = which;
	f.dtr_base = base;
	f.dtr_limit = limit;
	return X86EMUL_OKAY;
}

static int fake_load_sel(struct x86_emul_ctxt *c, enum vseg which, uint16_t sel)
{
	f.dtr = which;
	f.sel = sel;
	return X86EMUL_OKAY;
}

/* SGDT/SIDT see dtr_base/dtr_limit, SLDT/STR see sel, whichever is asked. */
static int fake_read_sys(struct x86_emul_ctxt *c, enum vseg which,
			 uint16_t *sel, uint64_t *base, uint32_t *limit)
{
	f.dtr = which;
	*sel = f.sel;
	*base = f.dtr_base;
	*limit = f.dtr_limit;
	return X86EMUL_OKAY;
}

static int fake_wbinvd(struct x86_emul_ctxt *c)
{
	f.nwbinvd++;
	return X86EMUL_OKAY;
}

static bool fake_get_if(struct x86_emul_ctxt *c)
{
	return f.vif;
}

static void fake_set_if(struct x86_emul_ctxt *c, bool on)
{
	f.vif = on;
}

static const struct x86_emul_ops ops = {
	.fetch = fake_fetch,
	.read = fake_read,
	.write = fake_write,
	.io_in = fake_in,
	.io_out = fake_out,
	.read_cr = fake_read_cr,
	.write_cr = fake_write_cr,
	.load_dtr = fake_load_dtr,
	.load_sel = fake_load_sel,
	.read_sys = fake_read_sys,
	.wbinvd = fake_wbinvd,
	.get_if = fake_get_if,
	.set_if = fake_set_if,
};

static void setup(void)
{
	memset(&f, 0, sizeof(f));
	memset(&ctxt, 0, sizeof(ctxt));
	ctxt.mode = X86_MODE_64;
	ctxt.cpl = 0;
	ctxt.regs.rip = 0x1000;
	ctxt.regs.rflags = X86_FLAGS_FIXED;
	f.fetch_limit = MEM_SIZE;
}

/* Emulates the instruction `bytes` at CS:RIP (placed in insn_bytes). */
#define RUN(mode_, ...)                                      \
	({                                                   \
		static const uint8_t b_[] = { __VA_ARGS__ }; \
		ctxt.mode = (mode_);                         \
		memcpy(ctxt.insn_bytes, b_, sizeof(b_));     \
		ctxt.insn_avail = sizeof(b_);                \
		x86_emulate(&ctxt, &ops);                    \
	})

#define GPR(r) ctxt.regs.gpr[GPR_##r]

static void expect_fault(int r, uint8_t vector, uint64_t rip)
{
	cr_expect_eq(r, X86EMUL_EXCEPTION);
	cr_expect_eq(ctxt.exc.vector, vector, "vector %u", ctxt.exc.vector);
	if (vector == T_GP)
		cr_expect(ctxt.exc.has_error_code && ctxt.exc.error_code == 0);
	cr_expect_eq(ctxt.regs.rip, rip, "rip moved to %#lx",
		     (unsigned long)ctxt.regs.rip);
}

static uint64_t mem64(uint64_t la)
{
	uint64_t v;

	memcpy(&v, f.mem + la, 8);
	return v;
}

TestSuite(emulate, .init = setup);

Test(emulate, cli_sti_virtual_if)
{
	f.vif = true;
	cr_assert_eq(RUN(X86_MODE_32, 0xfa), X86EMUL_OKAY);
	cr_expect_not(f.vif);
	cr_expect_eq(ctxt.regs.rip, 0x1001);
	cr_assert_eq(RUN(X86_MODE_32, 0xfb), X86EMUL_OKAY);
	cr_expect(f.vif);
	cr_expect(ctxt.sti_shadow);
	cr_assert_eq(RUN(X86_MODE_32, 0xfb), X86EMUL_OKAY);
	cr_expect_not(ctxt.sti_shadow,
		      "STI with IF already set opens no shadow");
	cr_expect_eq(ctxt.regs.rflags & X86_FLAGS_IF, 0, "real IF untouched");
}

Test(emulate, cli_iopl_and_cpl)
{
	ctxt.cpl = 3;
	f.vif = true;
	expect_fault(RUN(X86_MODE_32, 0xfa), T_GP, 0x1000);
	cr_expect(f.vif);
	ctxt.regs.rflags |= X86_FLAGS_IOPL;
	cr_expect_eq(RUN(X86_MODE_32, 0xfa), X86EMUL_OKAY);
	cr_expect_not(f.vif);
	ctxt.cpl = X86_CPL_UNCHECKED;
	ctxt.regs.rflags &= ~(uint64_t)X86_FLAGS_IOPL;
	cr_expect_eq(RUN(X86_MODE_32, 0xfb), X86EMUL_OKAY);
}

Test(emulate, if_in_rflags_without_callbacks)
{
	struct x86_emul_ops o = ops;

	o.get_if = NULL;
	o.set_if = NULL;
	memcpy(ctxt.insn_bytes, (uint8_t[]){ 0xfb }, 1);
	ctxt.insn_avail = 1;
	cr_assert_eq(x86_emulate(&ctxt, &o), X86EMUL_OKAY);
	cr_expect(ctxt.regs.rflags & X86_FLAGS_IF);
}

/* The callers make exits of HLT, RDMSR, WRMSR, INVLPG: only #GP is here. */
Test(emulate, exits_fault_above_cpl0)
{
	cr_expect_eq(RUN(X86_MODE_64, 0xf4), X86EMUL_UNHANDLEABLE);
	cr_expect_eq(RUN(X86_MODE_64, 0x0f, 0x32), X86EMUL_UNHANDLEABLE);
	cr_expect_eq(RUN(X86_MODE_64, 0x0f, 0x01, 0x38), X86EMUL_UNHANDLEABLE);
	cr_expect_eq(ctxt.regs.rip, 0x1000);
	ctxt.cpl = 3;
	expect_fault(RUN(X86_MODE_64, 0xf4), T_GP, 0x1000);
	expect_fault(RUN(X86_MODE_64, 0x0f, 0x30), T_GP, 0x1000);
	expect_fault(RUN(X86_MODE_64, 0x0f, 0x01, 0x38), T_GP, 0x1000);
}
Test(emulate, in_out)
{
	GPR(RAX) = 0x1122334455667788;
	f.in_val = 0xaabbccdd;
	cr_assert_eq(RUN(X86_MODE_64, 0xe4, 0x60),
		     X86EMUL_OKAY); /* in $0x60, %al */
	cr_expect_eq(GPR(RAX), 0x11223344556677dd);
	cr_expect_eq(ctxt.regs.rip, 0x1002);
	GPR(RDX) = 0x3f8;
	cr_assert_eq(RUN(X86_MODE_64, 0xed), X86EMUL_OKAY); /* in %dx, %eax */
	cr_expect_eq(GPR(RAX), 0xaabbccde, "32-bit IN zero-extends");
	cr_assert_eq(RUN(X86_MODE_64, 0x66, 0xef),
		     X86EMUL_OKAY); /* out %ax, %dx */
	cr_assert_eq(RUN(X86_MODE_64, 0xe6, 0x80),
		     X86EMUL_OKAY); /* out %al, $0x80 */
	cr_assert_eq(f.nout, 2);
	cr_expect(f.out[0].port == 0x3f8 && f.out[0].size == 2 &&
		  f.out[0].val == 0xccde);
	cr_expect(f.out[1].port == 0x80 && f.out[1].size == 1 &&
		  f.out[1].val == 0xde);
	ctxt.cpl = 3;
	expect_fault(RUN(X86_MODE_64, 0xee), T_GP, ctxt.regs.rip);
	cr_expect_eq(f.nout, 2);
}

Test(emulate, rep_outsb)
{
	memcpy(f.mem + 0x200, "hello", 5);
	GPR(RSI) = 0x200;
	GPR(RCX) = 5;
	GPR(RDX) = 0xe9;
	cr_assert_eq(RUN(X86_MODE_32, 0xf3, 0x6e), X86EMUL_OKAY);
	cr_assert_eq(f.nout, 5);
	for (int i = 0; i < 5; i++)
		cr_expect_eq(f.out[i].val, (uint32_t) "hello"[i]);
	cr_expect_eq(GPR(RCX), 0);
	cr_expect_eq(GPR(RSI), 0x205);
	cr_expect_eq(ctxt.regs.rip, 0x1002);
}

Test(emulate, rep_insw_backwards_with_es_base)
{
	ctxt.seg_base[VSEG_ES] = 0x1000;
	ctxt.regs.rflags |= X86_FLAGS_DF;
	GPR(RDI) = 0x104;
	GPR(RCX) = 3;
	f.in_val = 0x4141;
	cr_assert_eq(RUN(X86_MODE_32, 0xf3, 0x66, 0x6d), X86EMUL_OKAY);
	cr_expect_eq(f.nin, 3);
	cr_expect_eq(f.mem[0x1104], 0x41);
	cr_expect_eq(f.mem[0x1102], 0x42);
	cr_expect_eq(f.mem[0x1100], 0x43);
	cr_expect_eq(GPR(RDI), 0xfe);
}

Test(emulate, outs_segment_override)
{
	ctxt.seg_base[VSEG_FS] = 0x3000;
	f.mem[0x3010] = 0x5a;
	GPR(RSI) = 0x10;
	cr_assert_eq(RUN(X86_MODE_32, 0x64, 0x6e),
		     X86EMUL_OKAY); /* outsb %fs:(%esi) */
	cr_expect_eq(f.out[0].val, 0x5a);
	cr_expect_eq(GPR(RSI), 0x11);
}

/* 16-bit addresses: SI and CX wrap at 64 KiB, the upper halves stay. */
Test(emulate, rep_outsb_16bit_addresses_wrap)
{
	f.mem[0xffff] = 'a';
	f.mem[0] = 'b';
	GPR(RSI) = 0xabcdffff;
	GPR(RCX) = 0x10002;
	cr_assert_eq(RUN(X86_MODE_16, 0xf3, 0x6e), X86EMUL_OKAY);
	cr_assert_eq(f.nout, 2);
	cr_expect_eq(f.out[0].val, 'a');
	cr_expect_eq(f.out[1].val, 'b', "SI wrapped to 0");
	cr_expect_eq(GPR(RSI), 0xabcd0001);
	cr_expect_eq(GPR(RCX), 0x10000);
	cr_expect_eq(ctxt.regs.rip, 0x1002);
}

/* 67 in 32-bit code, backwards: SI wraps from 0 to 0xffff. */
Test(emulate, rep_outsb_addr16_backwards_wrap)
{
	ctxt.regs.rflags |= X86_FLAGS_DF;
	f.mem[0] = 'b';
	f.mem[0xffff] = 'a';
	GPR(RSI) = 0x12340000;
	GPR(RCX) = 2;
	cr_assert_eq(RUN(X86_MODE_32, 0x67, 0xf3, 0x6e), X86EMUL_OKAY);
	cr_assert_eq(f.nout, 2);
	cr_expect_eq(f.out[0].val, 'b');
	cr_expect_eq(f.out[1].val, 'a', "SI wrapped to 0xffff");
	cr_expect_eq(GPR(RSI), 0x1234fffe);
	cr_expect_eq(GPR(RCX), 0);
}

Test(emulate, rep_batches_and_zero_count)
{
	GPR(RCX) = X86_EMUL_REP_BATCH + 10;
	GPR(RDI) = 0x100;
	cr_assert_eq(RUN(X86_MODE_64, 0xf3, 0xaa),
		     X86EMUL_OKAY); /* rep stosb */
	cr_expect_eq(GPR(RCX), 10);
	cr_expect_eq(ctxt.regs.rip, 0x1000, "unfinished REP re-executes");
	cr_assert_eq(RUN(X86_MODE_64, 0xf3, 0xaa), X86EMUL_OKAY);
	cr_expect_eq(GPR(RCX), 0);
	cr_expect_eq(GPR(RDI), 0x100 + X86_EMUL_REP_BATCH + 10);
	cr_expect_eq(ctxt.regs.rip, 0x1002);
	cr_assert_eq(RUN(X86_MODE_64, 0xf3, 0x6e), X86EMUL_OKAY);
	cr_expect_eq(f.nout, 0, "REP with rCX = 0 does nothing");
	cr_expect_eq(ctxt.regs.rip, 0x1004);
}

Test(emulate, rep_movs_and_stos)
{
	memcpy(f.mem + 0x100, "abcdefgh12345678", 16);
	GPR(RSI) = 0x100;
	GPR(RDI) = 0x200;
	GPR(RCX) = 2;
	cr_assert_eq(RUN(X86_MODE_64, 0xf3, 0x48, 0xa5),
		     X86EMUL_OKAY); /* rep movsq */
	cr_expect_eq(memcmp(f.mem + 0x200, "abcdefgh12345678", 16), 0);
	cr_expect_eq(GPR(RSI), 0x110);
	GPR(RAX) = 0x61626364;
	GPR(RCX) = 0x100000002; /* 67: only ECX counts */
	GPR(RDI) = 0x300;
	cr_assert_eq(RUN(X86_MODE_64, 0x67, 0xf3, 0xab),
		     X86EMUL_OKAY); /* rep stosl */
	cr_expect_eq(memcmp(f.mem + 0x300, "dcbadcba", 8), 0);
	cr_expect_eq(GPR(RCX), 0);
}

Test(emulate, rep_fault_stops_at_element)
{
	GPR(RDI) = MEM_SIZE - 2;
	GPR(RCX) = 4;
	expect_fault(RUN(X86_MODE_64, 0xf3, 0xaa), T_PF, 0x1000);
	cr_expect_eq(GPR(RCX), 2);
	cr_expect_eq(GPR(RDI), MEM_SIZE);
}

Test(emulate, mov_cr)
{
	GPR(RAX) = 0x80050033;
	cr_assert_eq(RUN(X86_MODE_64, 0x0f, 0x22, 0xc0),
		     X86EMUL_OKAY); /* mov %rax, %cr0 */
	cr_expect_eq(f.cr[0], 0x80050033);
	f.cr[3] = 0x123000;
	cr_assert_eq(RUN(X86_MODE_64, 0x41, 0x0f, 0x20, 0xd9),
		     X86EMUL_OKAY); /* mov %cr3, %r9 */
	cr_expect_eq(GPR(R9), 0x123000);
	GPR(RBX) = 0xf;
	cr_assert_eq(RUN(X86_MODE_64, 0x44, 0x0f, 0x22, 0xc3),
		     X86EMUL_OKAY); /* mov %rbx, %cr8 */
	cr_expect_eq(f.cr[8], 0xf);
	GPR(RAX) = 0x1ffffffff;
	cr_assert_eq(RUN(X86_MODE_32, 0x0f, 0x22, 0xe0),
		     X86EMUL_OKAY); /* mov %eax, %cr4 */
	cr_expect_eq(f.cr[4], 0xffffffff, "32-bit mode moves 32 bits");
	expect_fault(RUN(X86_MODE_32, 0x0f, 0x20, 0xe8), T_UD,
		     ctxt.regs.rip); /* %cr5 */
	expect_fault(RUN(X86_MODE_32, 0x0f, 0x20, 0xc8), T_UD,
		     ctxt.regs.rip); /* %cr1 */
	expect_fault(RUN(X86_MODE_32, 0xf0, 0x0f, 0x20, 0xc0), T_UD,
		     ctxt.regs.rip);
	ctxt.cpl = 3;
	expect_fault(RUN(X86_MODE_64, 0x0f, 0x22, 0xd8), T_GP, ctxt.regs.rip);
	cr_expect_eq(f.cr[3], 0x123000);
}

Test(emulate, clts)
{
	f.cr[0] = 0x8000000b;
	cr_assert_eq(RUN(X86_MODE_64, 0x0f, 0x06), X86EMUL_OKAY);
	cr_expect_eq(f.cr[0], 0x80000003);
}

Test(emulate, lgdt_lidt)
{
	uint8_t d32[6] = { 0xff, 0x00, 0x78, 0x56, 0x34, 0x12 };
	uint8_t d64[10] = { 0x0f, 0x10, 0x88, 0x77, 0x66,
			    0x55, 0x44, 0x33, 0x22, 0x11 };

	memcpy(f.mem + 0x500, d32, 6);
	GPR(RAX) = 0x500;
	cr_assert_eq(RUN(X86_MODE_32, 0x0f, 0x01, 0x10),
		     X86EMUL_OKAY); /* lgdt (%eax) */
	cr_expect(f.dtr == VSEG_GDTR && f.dtr_base == 0x12345678 &&
		  f.dtr_limit == 0xff);
	cr_assert_eq(RUN(X86_MODE_32, 0x66, 0x0f, 0x01, 0x18),
		     X86EMUL_OKAY); /* lidtw */
	cr_expect(f.dtr == VSEG_IDTR && f.dtr_base == 0x345678,
		  "16-bit operand keeps 24 bits");
	memcpy(f.mem + 0x600, d64, 10);
	GPR(RBX) = 0x500;
	cr_assert_eq(RUN(X86_MODE_64, 0x0f, 0x01, 0x93, 0x00, 0x01, 0x00, 0x00),
		     X86EMUL_OKAY);
	cr_expect(f.dtr_base == 0x1122334455667788 && f.dtr_limit == 0x100f);
	ctxt.cpl = 1;
	expect_fault(RUN(X86_MODE_64, 0x0f, 0x01, 0x10), T_GP, ctxt.regs.rip);
}

Test(emulate, lldt_ltr)
{
	GPR(RDX) = 0x28;
	cr_assert_eq(RUN(X86_MODE_32, 0x0f, 0x00, 0xd2),
		     X86EMUL_OKAY); /* lldt %dx */
	cr_expect(f.dtr == VSEG_LDTR && f.sel == 0x28);
	f.mem[0x40] = 0x30;
	GPR(RAX) = 0x40;
	cr_assert_eq(RUN(X86_MODE_64, 0x0f, 0x00, 0x18),
		     X86EMUL_OKAY); /* ltr (%rax) */
	cr_expect(f.dtr == VSEG_TR && f.sel == 0x30);
	ctxt.real_mode = true;
	expect_fault(RUN(X86_MODE_16, 0x0f, 0x00, 0xd8), T_UD, ctxt.regs.rip);
	ctxt.real_mode = false;
	ctxt.cpl = 3;
	expect_fault(RUN(X86_MODE_32, 0x0f, 0x00, 0xd8), T_GP, ctxt.regs.rip);
}

Test(emulate, sgdt_sidt)
{
	f.dtr_base = 0x1122334455667788;
	f.dtr_limit = 0x0fff;
	GPR(RBX) = 0x200;
	cr_assert_eq(RUN(X86_MODE_64, 0x0f, 0x01, 0x03),
		     X86EMUL_OKAY); /* sgdt (%rbx) */
	cr_expect(f.dtr == VSEG_GDTR);
	cr_expect(f.mem[0x200] == 0xff && f.mem[0x201] == 0x0f);
	cr_expect_eq(mem64(0x202), 0x1122334455667788);
	cr_expect_eq(ctxt.regs.rip, 0x1003);
	memset(f.mem + 0x200, 0xaa, 16);
	cr_assert_eq(RUN(X86_MODE_32, 0x0f, 0x01, 0x0b),
		     X86EMUL_OKAY); /* sidt (%ebx) */
	cr_expect(f.dtr == VSEG_IDTR);
	cr_expect_eq(mem64(0x202), 0xaaaaaaaa55667788,
		     "a 4-byte base outside 64-bit mode");
	GPR(RBX) = MEM_SIZE - 4;
	expect_fault(RUN(X86_MODE_64, 0x0f, 0x01, 0x03), T_PF, ctxt.regs.rip);
}

Test(emulate, sldt_str_smsw)
{
	f.sel = 0x28;
	f.cr[0] = 0x80050033;
	GPR(RAX) = ~0ULL;
	cr_assert_eq(RUN(X86_MODE_64, 0x0f, 0x00, 0xc0),
		     X86EMUL_OKAY); /* sldt %eax */
	cr_expect(f.dtr == VSEG_LDTR && GPR(RAX) == 0x28);
	GPR(RAX) = ~0ULL;
	cr_assert_eq(RUN(X86_MODE_64, 0x66, 0x0f, 0x00, 0xc8),
		     X86EMUL_OKAY); /* str %ax */
	cr_expect(f.dtr == VSEG_TR && GPR(RAX) == 0xffffffffffff0028);
	GPR(RBX) = 0x300;
	memset(f.mem + 0x300, 0xaa, 8);
	cr_assert_eq(RUN(X86_MODE_64, 0x48, 0x0f, 0x01, 0x23),
		     X86EMUL_OKAY); /* smsw (%rbx) */
	cr_expect_eq(mem64(0x300), 0xaaaaaaaaaaaa0033, "two bytes to memory");
	cr_assert_eq(RUN(X86_MODE_64, 0x48, 0x0f, 0x01, 0xe1),
		     X86EMUL_OKAY); /* smsw %rcx */
	cr_expect_eq(GPR(RCX), 0x80050033);
	ctxt.real_mode = true;
	expect_fault(RUN(X86_MODE_16, 0x0f, 0x00, 0xc0), T_UD, ctxt.regs.rip);
}

Test(emulate, umip_stores_fault_above_cpl0)
{
	ctxt.cpl = 3;
	cr_expect_eq(RUN(X86_MODE_64, 0x0f, 0x01, 0xe0), X86EMUL_OKAY,
		     "no UMIP: allowed");
	f.cr[4] = CR4_UMIP;
	expect_fault(RUN(X86_MODE_64, 0x0f, 0x01, 0xe0), T_GP,
		     ctxt.regs.rip); /* smsw */
	expect_fault(RUN(X86_MODE_64, 0x0f, 0x01, 0x03), T_GP,
		     ctxt.regs.rip); /* sgdt */
	expect_fault(RUN(X86_MODE_64, 0x0f, 0x00, 0xc8), T_GP,
		     ctxt.regs.rip); /* str */
	ctxt.cpl = 0;
	cr_expect_eq(RUN(X86_MODE_64, 0x0f, 0x01, 0xe0), X86EMUL_OKAY,
		     "CPL 0 under UMIP");
}

Test(emulate, wbinvd_invd)
{
	cr_assert_eq(RUN(X86_MODE_64, 0x0f, 0x09), X86EMUL_OKAY);
	cr_assert_eq(RUN(X86_MODE_64, 0x0f, 0x08), X86EMUL_OKAY);
	cr_expect_eq(f.nwbinvd, 2);
	ctxt.cpl = 3;
	expect_fault(RUN(X86_MODE_64, 0x0f, 0x09), T_GP, ctxt.regs.rip);
}

Test(emulate, pushf_popf_cpl0)
{
	GPR(RSP) = 0x800;
	f.vif = true;
	ctxt.regs.rflags = X86_FLAGS_FIXED | X86_FLAGS_CF | X86_FLAGS_RF;
	cr_assert_eq(RUN(X86_MODE_64, 0x9c), X86EMUL_OKAY);
	cr_expect_eq(GPR(RSP), 0x7f8);
	cr_expect_eq(mem64(0x7f8),
		     X86_FLAGS_FIXED | X86_FLAGS_CF | X86_FLAGS_IF);
	uint64_t img = X86_FLAGS_ZF | X86_FLAGS_IOPL | X86_FLAGS_DF;

	memcpy(f.mem + 0x7f8, &img, 8);
	cr_assert_eq(RUN(X86_MODE_64, 0x9d), X86EMUL_OKAY);
	cr_expect_eq(GPR(RSP), 0x800);
	cr_expect_eq(ctxt.regs.rflags, X86_FLAGS_FIXED | X86_FLAGS_ZF |
					       X86_FLAGS_IOPL | X86_FLAGS_DF |
					       X86_FLAGS_RF);
	cr_expect_not(f.vif, "IF cleared through the callback");
}

/* At CPL 3 with IOPL 0, POPF silently keeps IF and IOPL: no trap at all. */
Test(emulate, popf_cpl3_silently_ignores_if)
{
	uint32_t img = X86_FLAGS_CF | X86_FLAGS_IOPL;

	ctxt.cpl = 3;
	f.vif = true;
	GPR(RSP) = 0x800;
	memcpy(f.mem + 0x800, &img, 4);
	cr_assert_eq(RUN(X86_MODE_32, 0x9d), X86EMUL_OKAY);
	cr_expect(f.vif);
	cr_expect_eq(ctxt.regs.rflags, X86_FLAGS_FIXED | X86_FLAGS_CF);
}

Test(emulate, pushf_popf_16bit_ss_base)
{
	ctxt.real_mode = true;
	ctxt.seg_base[VSEG_SS] = 0x2000;
	GPR(RSP) = 0x10100; /* SP = 0x100; the upper bits are not the stack's */
	ctxt.regs.rflags = X86_FLAGS_FIXED | X86_FLAGS_SF;
	cr_assert_eq(RUN(X86_MODE_16, 0x9c), X86EMUL_OKAY);
	cr_expect_eq(GPR(RSP), 0x100fe);
	cr_expect_eq(f.mem[0x20fe], X86_FLAGS_FIXED | X86_FLAGS_SF);
	f.mem[0x20fe] = X86_FLAGS_CF;
	f.mem[0x20ff] = 0x02; /* IF */
	cr_assert_eq(RUN(X86_MODE_16, 0x9d), X86EMUL_OKAY);
	cr_expect_eq(ctxt.regs.rflags, X86_FLAGS_FIXED | X86_FLAGS_CF);
	cr_expect(f.vif);
}

Test(emulate, mov_sizes)
{
	GPR(RAX) = 0x1122334455667788;
	GPR(RBX) = 0x100;
	cr_assert_eq(RUN(X86_MODE_64, 0x48, 0x89, 0x03),
		     X86EMUL_OKAY); /* mov %rax, (%rbx) */
	cr_expect_eq(mem64(0x100), 0x1122334455667788);
	cr_assert_eq(RUN(X86_MODE_64, 0x88, 0x63, 0x08),
		     X86EMUL_OKAY); /* mov %ah, 8(%rbx) */
	cr_expect_eq(f.mem[0x108], 0x77);
	cr_assert_eq(RUN(X86_MODE_64, 0x66, 0x89, 0x43, 0x10), X86EMUL_OKAY);
	cr_expect_eq(mem64(0x110), 0x7788);
	GPR(RCX) = ~0ULL;
	cr_assert_eq(RUN(X86_MODE_64, 0x8b, 0x0b),
		     X86EMUL_OKAY); /* mov (%rbx), %ecx */
	cr_expect_eq(GPR(RCX), 0x55667788, "32-bit load zero-extends");
	GPR(RCX) = ~0ULL;
	cr_assert_eq(RUN(X86_MODE_64, 0x66, 0x8b, 0x0b), X86EMUL_OKAY);
	cr_expect_eq(GPR(RCX), 0xffffffffffff7788, "16-bit load merges");
	cr_assert_eq(RUN(X86_MODE_64, 0x8a, 0x2b),
		     X86EMUL_OKAY); /* mov (%rbx), %ch */
	cr_expect_eq(GPR(RCX), 0xffffffffffff8888);
	cr_assert_eq(RUN(X86_MODE_64, 0x40, 0x8a, 0x33),
		     X86EMUL_OKAY); /* mov (%rbx), %sil */
	cr_expect_eq(GPR(RSI) & 0xff, 0x88);
}

Test(emulate, mov_imm_and_moffs)
{
	GPR(RDI) = 0x200;
	cr_assert_eq(RUN(X86_MODE_64, 0x48, 0xc7, 0x07, 0xff, 0xff, 0xff, 0xff),
		     X86EMUL_OKAY);
	cr_expect_eq(mem64(0x200), ~0ULL, "imm32 sign-extended to 64 bits");
	cr_assert_eq(RUN(X86_MODE_64, 0xc6, 0x47, 0x08, 0x5a), X86EMUL_OKAY);
	cr_expect_eq(f.mem[0x208], 0x5a);
	cr_expect_eq(f.mem[0x209], 0);
	cr_assert_eq(RUN(X86_MODE_32, 0xa1, 0x00, 0x02, 0x00, 0x00),
		     X86EMUL_OKAY); /* moffs */
	cr_expect_eq(GPR(RAX), 0xffffffff);
	GPR(RAX) = 0xab;
	cr_assert_eq(RUN(X86_MODE_64, 0xa2, 0x10, 0x03, 0, 0, 0, 0, 0, 0),
		     X86EMUL_OKAY);
	cr_expect_eq(f.mem[0x310], 0xab);
	cr_assert_eq(RUN(X86_MODE_64, 0x49, 0xbb, 1, 2, 3, 4, 5, 6, 7, 8),
		     X86EMUL_OKAY);
	cr_expect_eq(GPR(R11), 0x0807060504030201);
	cr_assert_eq(RUN(X86_MODE_64, 0xb4, 0x99),
		     X86EMUL_OKAY); /* mov $0x99, %ah */
	cr_expect_eq(GPR(RAX), 0x99ab);
}

Test(emulate, movzx_movsx_movsxd)
{
	f.mem[0x100] = 0x80;
	f.mem[0x101] = 0xff;
	GPR(RSI) = 0x100;
	cr_assert_eq(RUN(X86_MODE_64, 0x48, 0x0f, 0xb6, 0x06),
		     X86EMUL_OKAY); /* movzbq */
	cr_expect_eq(GPR(RAX), 0x80);
	cr_assert_eq(RUN(X86_MODE_64, 0x0f, 0xbe, 0x06),
		     X86EMUL_OKAY); /* movsbl */
	cr_expect_eq(GPR(RAX), 0xffffff80);
	cr_assert_eq(RUN(X86_MODE_64, 0x48, 0x0f, 0xbf, 0x06),
		     X86EMUL_OKAY); /* movswq */
	cr_expect_eq(GPR(RAX), 0xffffffffffffff80);
	cr_assert_eq(RUN(X86_MODE_64, 0x0f, 0xb7, 0x06),
		     X86EMUL_OKAY); /* movzwl */
	cr_expect_eq(GPR(RAX), 0xff80);
	f.mem[0x103] = 0x80;
	cr_assert_eq(RUN(X86_MODE_64, 0x48, 0x63, 0x06),
		     X86EMUL_OKAY); /* movslq */
	cr_expect_eq(GPR(RAX), 0xffffffff8000ff80);
}

Test(emulate, addressing_16bit_real_mode)
{
	ctxt.real_mode = true;
	ctxt.seg_base[VSEG_DS] = 0x1000;
	ctxt.seg_base[VSEG_SS] = 0x2000;
	GPR(RBX) = 0xfff0;
	GPR(RSI) = 0x20;
	GPR(RBP) = 0x30;
	GPR(RAX) = 0x1234;
	cr_assert_eq(RUN(X86_MODE_16, 0x89, 0x40, 0x04),
		     X86EMUL_OKAY); /* mov %ax, 4(%bx,%si) */
	cr_expect_eq(f.mem[0x1014], 0x34, "offset wraps at 64 KiB");
	cr_assert_eq(RUN(X86_MODE_16, 0x89, 0x46, 0xfe),
		     X86EMUL_OKAY); /* mov %ax, -2(%bp) */
	cr_expect_eq(f.mem[0x202e], 0x34, "BP-based forms use SS");
	cr_assert_eq(RUN(X86_MODE_16, 0x89, 0x06, 0x00, 0x05),
		     X86EMUL_OKAY); /* mov %ax, 0x500 */
	cr_expect_eq(f.mem[0x1500], 0x34);
	cr_expect_eq(ctxt.regs.rip, 0x100a);
}

Test(emulate, addressing_rip_relative_and_67)
{
	ctxt.regs.rip = 0x4000;
	GPR(RAX) = 0x42;
	cr_assert_eq(RUN(X86_MODE_64, 0x88, 0x05, 0x10, 0x00, 0x00, 0x00),
		     X86EMUL_OKAY);
	cr_expect_eq(f.mem[0x4016], 0x42,
		     "RIP-relative counts from the next instruction");
	GPR(RBX) = 0x1fffffff0;
	cr_assert_eq(RUN(X86_MODE_64, 0x67, 0x88, 0x43, 0x20), X86EMUL_OKAY);
	cr_expect_eq(f.mem[0x10], 0x42, "32-bit address size wraps at 4 GiB");
	ctxt.seg_base[VSEG_GS] = 0x5000;
	GPR(RBX) = 0x8;
	cr_assert_eq(RUN(X86_MODE_64, 0x65, 0x88, 0x03), X86EMUL_OKAY);
	cr_expect_eq(f.mem[0x5008], 0x42, "GS base applies in 64-bit mode");
}

Test(emulate, fetch_through_callback)
{
	ctxt.regs.rip = 0x7ffc;
	ctxt.seg_base[VSEG_CS] = 0x8000; /* ignored in 64-bit mode */
	memcpy(f.mem + 0x7ffc, (uint8_t[]){ 0x48, 0x89, 0x03 }, 3);
	f.fetch_limit = 0x7fff;
	GPR(RBX) = 0x100;
	GPR(RAX) = 7;
	cr_assert_eq(x86_emulate(&ctxt, &ops), X86EMUL_OKAY);
	cr_expect_eq(mem64(0x100), 7);
	cr_expect_eq(ctxt.regs.rip, 0x7fff);
	/* The instruction crosses into bytes that cannot be fetched: #PF. */
	ctxt.insn_avail = 0;
	ctxt.regs.rip = 0x7ffe;
	f.mem[0x7ffe] = 0x03;
	expect_fault(x86_emulate(&ctxt, &ops), T_PF, 0x7ffe);
	cr_expect_eq(ctxt.exc.error_code, 0x10);
}

Test(emulate, alu_add_flags)
{
	uint64_t arith = X86_FLAGS_ARITH;

	GPR(RBX) = 0x100;
	f.mem[0x100] = 0xff;
	cr_assert_eq(RUN(X86_MODE_64, 0x80, 0x03, 0x01),
		     X86EMUL_OKAY); /* addb $1, (%rbx) */
	cr_expect_eq(f.mem[0x100], 0);
	cr_expect_eq(ctxt.regs.rflags & arith,
		     X86_FLAGS_CF | X86_FLAGS_ZF | X86_FLAGS_PF | X86_FLAGS_AF);
	f.mem[0x100] = 0x7f;
	cr_assert_eq(RUN(X86_MODE_64, 0x80, 0x03, 0x01), X86EMUL_OKAY);
	cr_expect_eq(ctxt.regs.rflags & arith,
		     X86_FLAGS_OF | X86_FLAGS_SF | X86_FLAGS_AF);
	GPR(RAX) = 3;
	memset(f.mem + 0x100, 0, 8);
	f.mem[0x100] = 4;
	cr_assert_eq(RUN(X86_MODE_64, 0x48, 0x01, 0x03),
		     X86EMUL_OKAY); /* add %rax, (%rbx) */
	cr_expect_eq(mem64(0x100), 7);
	cr_expect_eq(ctxt.regs.rflags & arith, 0);
	cr_assert_eq(RUN(X86_MODE_64, 0x48, 0x03, 0x03),
		     X86EMUL_OKAY); /* add (%rbx), %rax */
	cr_expect_eq(GPR(RAX), 10);
	cr_expect_eq(ctxt.regs.rflags & arith, X86_FLAGS_PF);
}

Test(emulate, alu_sub_cmp_flags)
{
	uint64_t arith = X86_FLAGS_ARITH;

	GPR(RBX) = 0x100;
	f.mem[0x100] = 1;
	cr_assert_eq(RUN(X86_MODE_32, 0x83, 0x3b, 0x02),
		     X86EMUL_OKAY); /* cmpl $2, (%ebx) */
	cr_expect_eq(f.mem[0x100], 1, "CMP writes nothing");
	cr_expect_eq(ctxt.regs.rflags & arith,
		     X86_FLAGS_CF | X86_FLAGS_SF | X86_FLAGS_AF | X86_FLAGS_PF);
	memcpy(f.mem + 0x100, (uint32_t[]){ 0x80000000 }, 4);
	cr_assert_eq(RUN(X86_MODE_32, 0x83, 0x2b, 0x01),
		     X86EMUL_OKAY); /* subl $1, (%ebx) */
	cr_expect_eq(*(uint32_t *)(f.mem + 0x100), 0x7fffffff);
	cr_expect_eq(ctxt.regs.rflags & arith,
		     X86_FLAGS_OF | X86_FLAGS_AF | X86_FLAGS_PF);
	GPR(RAX) = 0x7fffffff;
	cr_assert_eq(RUN(X86_MODE_32, 0x2b, 0x03),
		     X86EMUL_OKAY); /* sub (%ebx), %eax */
	cr_expect_eq(GPR(RAX), 0);
	cr_expect_eq(ctxt.regs.rflags & arith, X86_FLAGS_ZF | X86_FLAGS_PF);
}

Test(emulate, alu_logic_and_test)
{
	uint64_t arith = X86_FLAGS_ARITH;

	ctxt.regs.rflags |= X86_FLAGS_CF | X86_FLAGS_OF;
	GPR(RBX) = 0x100;
	memcpy(f.mem + 0x100, (uint32_t[]){ 0xf0f0 }, 4);
	cr_assert_eq(RUN(X86_MODE_32, 0x81, 0x33, 0xff, 0x00, 0x00, 0x80),
		     X86EMUL_OKAY);
	cr_expect_eq(*(uint32_t *)(f.mem + 0x100), 0x8000f00f); /* xorl */
	cr_expect_eq(ctxt.regs.rflags & arith, X86_FLAGS_SF | X86_FLAGS_PF);
	cr_assert_eq(RUN(X86_MODE_32, 0x81, 0x23, 0x00, 0x00, 0x00, 0x00),
		     X86EMUL_OKAY);
	cr_expect_eq(*(uint32_t *)(f.mem + 0x100), 0); /* andl $0 */
	cr_expect_eq(ctxt.regs.rflags & arith, X86_FLAGS_ZF | X86_FLAGS_PF);
	GPR(RCX) = 0x3;
	cr_assert_eq(RUN(X86_MODE_32, 0x09, 0x0b),
		     X86EMUL_OKAY); /* or %ecx, (%ebx) */
	cr_expect_eq(f.mem[0x100], 3);
	cr_expect_eq(ctxt.regs.rflags & arith, X86_FLAGS_PF);
	cr_assert_eq(RUN(X86_MODE_32, 0xf6, 0x03, 0x04),
		     X86EMUL_OKAY); /* testb $4, (%ebx) */
	cr_expect_eq(f.mem[0x100], 3);
	cr_expect_eq(ctxt.regs.rflags & arith, X86_FLAGS_ZF | X86_FLAGS_PF);
	cr_assert_eq(RUN(X86_MODE_32, 0x85, 0x0b),
		     X86EMUL_OKAY); /* test %ecx, (%ebx) */
	cr_expect_eq(ctxt.regs.rflags & arith, X86_FLAGS_PF);
}

Test(emulate, lock_prefix)
{
	GPR(RBX) = 0x100;
	cr_assert_eq(RUN(X86_MODE_64, 0xf0, 0x83, 0x03, 0x05),
		     X86EMUL_OKAY); /* lock addl */
	cr_expect_eq(f.mem[0x100], 5);
	expect_fault(RUN(X86_MODE_64, 0xf0, 0x89, 0x03), T_UD,
		     ctxt.regs.rip); /* lock mov */
	expect_fault(RUN(X86_MODE_64, 0xf0, 0x83, 0xc3, 0x05), T_UD,
		     ctxt.regs.rip);
	expect_fault(RUN(X86_MODE_64, 0xf0, 0x39, 0x03), T_UD,
		     ctxt.regs.rip); /* lock cmp */
}

Test(emulate, xchg)
{
	GPR(RAX) = 0x1111111122222222;
	GPR(RBX) = 0x100;
	f.mem[0x100] = 0x33;
	cr_assert_eq(RUN(X86_MODE_64, 0x48, 0x87, 0x03),
		     X86EMUL_OKAY); /* xchg %rax, (%rbx) */
	cr_expect_eq(mem64(0x100), 0x1111111122222222);
	cr_expect_eq(GPR(RAX), 0x33);
	GPR(RCX) = 0xffffffffffffff44;
	cr_assert_eq(RUN(X86_MODE_64, 0x86, 0x2b),
		     X86EMUL_OKAY); /* xchg %ch, (%rbx) */
	cr_expect_eq(f.mem[0x100], 0xff);
	cr_expect_eq(GPR(RCX), 0xffffffffffff2244);
	cr_assert_eq(RUN(X86_MODE_64, 0xf0, 0x87, 0x03), X86EMUL_OKAY,
		     "lock xchg with memory");
	expect_fault(RUN(X86_MODE_64, 0xf0, 0x87, 0xc3), T_UD,
		     ctxt.regs.rip); /* lock xchg %eax, %ebx */
}

Test(emulate, cmpxchg)
{
	GPR(RBX) = 0x100;
	GPR(RCX) = 0xabcd;
	GPR(RAX) = 0xffffffff00000005;
	f.mem[0x100] = 5;
	cr_assert_eq(RUN(X86_MODE_64, 0xf0, 0x0f, 0xb1, 0x0b),
		     X86EMUL_OKAY); /* lock cmpxchg %ecx, (%rbx) */
	cr_expect_eq(mem64(0x100), 0xabcd, "equal: the source is stored");
	cr_expect(ctxt.regs.rflags & X86_FLAGS_ZF);
	cr_expect_eq(GPR(RAX), 0xffffffff00000005, "equal: RAX untouched");
	cr_assert_eq(RUN(X86_MODE_64, 0x0f, 0xb1, 0x0b), X86EMUL_OKAY);
	cr_expect(!(ctxt.regs.rflags & X86_FLAGS_ZF));
	cr_expect_eq(GPR(RAX), 0xabcd, "differ: EAX loaded, zero-extended");
	cr_expect_eq(mem64(0x100), 0xabcd, "differ: memory unchanged");
	cr_expect_eq(f.nwrites, 2, "differ: memory written back");
	GPR(RAX) = 0x10;
	GPR(RDX) = 0x7;
	cr_assert_eq(RUN(X86_MODE_64, 0x0f, 0xb0, 0xd0),
		     X86EMUL_OKAY); /* cmpxchg %dl, %al */
	cr_expect_eq(GPR(RAX), 0x7, "equal with itself: AL = DL");
	expect_fault(RUN(X86_MODE_64, 0xf0, 0x0f, 0xb1, 0xc8), T_UD,
		     ctxt.regs.rip); /* lock cmpxchg %ecx, %eax */
}

Test(emulate, cmpxchg8b)
{
	GPR(RDI) = 0x100;
	f.mem[0x100] = 0x11;
	f.mem[0x104] = 0x22;
	GPR(RAX) = 0xffffffff00000011; /* only EDX:EAX count */
	GPR(RDX) = 0xffffffff00000022;
	GPR(RBX) = 0x33;
	GPR(RCX) = 0xffffffff00000044;
	cr_assert_eq(RUN(X86_MODE_32, 0xf0, 0x0f, 0xc7, 0x0f),
		     X86EMUL_OKAY); /* lock cmpxchg8b (%edi) */
	cr_expect_eq(mem64(0x100), 0x0000004400000033, "equal: ECX:EBX");
	cr_expect(ctxt.regs.rflags & X86_FLAGS_ZF);
	cr_assert_eq(RUN(X86_MODE_64, 0x0f, 0xc7, 0x0f), X86EMUL_OKAY);
	cr_expect(!(ctxt.regs.rflags & X86_FLAGS_ZF));
	cr_expect_eq(GPR(RAX), 0x33, "differ: EAX loaded");
	cr_expect_eq(GPR(RDX), 0x44, "differ: EDX loaded");
	cr_expect_eq(mem64(0x100), 0x0000004400000033);
	cr_expect_eq(RUN(X86_MODE_64, 0x48, 0x0f, 0xc7, 0x0f),
		     X86EMUL_UNHANDLEABLE, "cmpxchg16b is not emulated");
}

Test(emulate, garbage_and_unsupported)
{
	expect_fault(RUN(X86_MODE_64, 0xd6), T_UD, 0x1000);
	expect_fault(RUN(X86_MODE_64, 0x06), T_UD, 0x1000);
	expect_fault(RUN(X86_MODE_64, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
			 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66),
		     T_GP, 0x1000);
	cr_expect_eq(RUN(X86_MODE_64, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
			 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x90),
		     X86EMUL_UNHANDLEABLE, "15 bytes is still legal");
	cr_expect_eq(RUN(X86_MODE_64, 0x0f, 0xa2),
		     X86EMUL_UNHANDLEABLE); /* cpuid */
	cr_expect_eq(RUN(X86_MODE_64, 0xc5, 0xf8, 0x77),
		     X86EMUL_UNHANDLEABLE); /* VEX */
	f.mem[0x1002] = 0xd0;
	cr_expect_eq(RUN(X86_MODE_64, 0x0f, 0x01), X86EMUL_UNHANDLEABLE,
		     "truncated, fetched: xgetbv");
	cr_expect_eq(ctxt.regs.rip, 0x1000);
}

Test(emulate, missing_callbacks_unhandleable)
{
	static const struct x86_emul_ops none;

	memcpy(ctxt.insn_bytes, (uint8_t[]){ 0x0f, 0x32 }, 2);
	ctxt.insn_avail = 2;
	cr_expect_eq(x86_emulate(&ctxt, &none), X86EMUL_UNHANDLEABLE);
	memcpy(ctxt.insn_bytes, (uint8_t[]){ 0x89, 0x03 }, 2);
	cr_expect_eq(x86_emulate(&ctxt, &none), X86EMUL_UNHANDLEABLE);
	memcpy(ctxt.insn_bytes, (uint8_t[]){ 0x0f, 0x01, 0x03 }, 3); /* sgdt */
	ctxt.insn_avail = 3;
	cr_expect_eq(x86_emulate(&ctxt, &none), X86EMUL_UNHANDLEABLE);
	memcpy(ctxt.insn_bytes, (uint8_t[]){ 0x0f, 0x00, 0xc0 }, 3); /* sldt */
	cr_expect_eq(x86_emulate(&ctxt, &none), X86EMUL_UNHANDLEABLE);
	cr_expect_eq(ctxt.regs.rip, 0x1000);
}

Test(emulate, memory_fault_leaves_state)
{
	GPR(RBX) = MEM_SIZE;
	GPR(RAX) = 5;
	expect_fault(RUN(X86_MODE_64, 0x8b, 0x03), T_PF, 0x1000);
	cr_expect_eq(GPR(RAX), 5);
	cr_expect_eq(ctxt.exc.error_code, 0);
	expect_fault(RUN(X86_MODE_64, 0x89, 0x03), T_PF, 0x1000);
	cr_expect_eq(ctxt.exc.error_code, 2);
}

Test(emulate, alu_accumulator_imm)
{
	GPR(RAX) = 0xffffffff00000010;
	cr_assert_eq(RUN(X86_MODE_64, 0x3c, 0x10),
		     X86EMUL_OKAY); /* cmp $0x10, %al */
	cr_expect(ctxt.regs.rflags & X86_FLAGS_ZF);
	cr_assert_eq(RUN(X86_MODE_64, 0x05, 0xf0, 0xff, 0xff, 0xff),
		     X86EMUL_OKAY); /* add */
	cr_expect_eq(GPR(RAX), 0, "32-bit result zero-extends");
	cr_expect_eq(ctxt.regs.rflags & (X86_FLAGS_CF | X86_FLAGS_ZF),
		     X86_FLAGS_CF | X86_FLAGS_ZF);
	GPR(RAX) = 0x5;
	cr_assert_eq(RUN(X86_MODE_64, 0xa8, 0x04),
		     X86EMUL_OKAY); /* test $4, %al */
	cr_expect_not(ctxt.regs.rflags & X86_FLAGS_ZF);
}

Test(emulate, port_io_ignores_rex_w)
{
	GPR(RDX) = 0x60;
	GPR(RSI) = 0x100;
	f.in_val = 0x12345678;
	cr_assert_eq(RUN(X86_MODE_64, 0x48, 0xed),
		     X86EMUL_OKAY); /* rex.w in %dx, %eax */
	cr_expect_eq(GPR(RAX), 0x12345678);
	cr_assert_eq(RUN(X86_MODE_64, 0x48, 0x6f),
		     X86EMUL_OKAY); /* rex.w outsl */
	cr_expect(f.out[0].size == 4 && GPR(RSI) == 0x104);
}
