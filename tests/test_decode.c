/*
 * test_decode.c - kernel/x86/decode.c against binutils: every instruction
 * of tests/decode_cases.S, with the length, memory operand, immediates and
 * branch target objdump printed (obj/tests/decode_cases.h, generated), then
 * truncation, the 15-byte limit, illegal encodings and decoded fields.
 */
#include <criterion/criterion.h>
#include <kernel/x86/decode.h>

struct decode_case {
	enum x86_mode mode;
	uint64_t addr;
	uint8_t len;
	uint8_t bytes[X86_MAX_INSN_LEN];
	const char *text;
	bool mem;
	int seg, base, index, scale;
	long long disp;
	int nimm;
	uint64_t imm[2];
	bool branch;
	uint64_t target;
};

#include "decode_cases.h"

static uint64_t mask_bytes(unsigned n)
{
	return n >= 8 ? ~0ULL : (1ULL << (8 * n)) - 1;
}

static const char *mode_name(enum x86_mode m)
{
	return m == X86_MODE_16 ? "16" : m == X86_MODE_32 ? "32" : "64";
}

static void check_mem(const struct decode_case *c, const struct x86_insn *in)
{
	int def_seg = (c->base == GPR_RSP || c->base == GPR_RBP) ? VSEG_SS :
								   VSEG_DS;
	uint64_t am = mask_bytes(in->addr_bytes);

	cr_expect_eq(in->is_mem, c->mem, "[%s] %s: is_mem %d, objdump %d",
		     mode_name(c->mode), c->text, in->is_mem, c->mem);
	if (!c->mem || !in->is_mem)
		return;
	cr_expect_eq(in->mem.base, c->base, "[%s] %s: base %d, want %d",
		     mode_name(c->mode), c->text, in->mem.base, c->base);
	cr_expect_eq(in->mem.index, c->index, "[%s] %s: index %d, want %d",
		     mode_name(c->mode), c->text, in->mem.index, c->index);
	cr_expect_eq(in->mem.scale, c->scale, "[%s] %s: scale %d, want %d",
		     mode_name(c->mode), c->text, in->mem.scale, c->scale);
	cr_expect_eq((uint64_t)in->mem.disp & am, (uint64_t)c->disp & am,
		     "[%s] %s: disp %#llx, want %#llx", mode_name(c->mode),
		     c->text, (unsigned long long)in->mem.disp,
		     (unsigned long long)c->disp);
	cr_expect_eq(in->mem.seg, c->seg >= 0 ? c->seg : def_seg,
		     "[%s] %s: seg %d", mode_name(c->mode), c->text,
		     in->mem.seg);
}

/* objdump shows an immediate extended to the operand size, or as encoded. */
static bool imm_matches(uint64_t imm, unsigned imm_bytes, unsigned op_bytes,
			uint64_t want)
{
	return (imm & mask_bytes(op_bytes)) == want ||
	       (imm & mask_bytes(imm_bytes)) == want;
}

static void check_imm(const struct decode_case *c, const struct x86_insn *in)
{
	bool far = c->nimm == 2 && in->opcode != 0xc8;

	if (c->nimm == 0)
		return;
	cr_expect(in->imm_bytes > 0, "[%s] %s: no immediate decoded",
		  mode_name(c->mode), c->text);
	cr_expect(imm_matches(in->imm, in->imm_bytes, in->op_bytes,
			      c->imm[far ? 1 : 0]),
		  "[%s] %s: imm %#llx (%u bytes)", mode_name(c->mode), c->text,
		  (unsigned long long)in->imm, in->imm_bytes);
	if (c->nimm == 2)
		cr_expect(imm_matches(in->imm2, in->imm2_bytes, in->imm2_bytes,
				      c->imm[far ? 0 : 1]),
			  "[%s] %s: second imm %#llx", mode_name(c->mode),
			  c->text, (unsigned long long)in->imm2);
}

static void check_branch(const struct decode_case *c, const struct x86_insn *in)
{
	uint64_t m = c->mode == X86_MODE_64 ? ~0ULL :
		     c->mode == X86_MODE_32 ? 0xffffffffULL :
					      0xffff;

	if (!c->branch)
		return;
	cr_expect_eq((c->addr + c->len + in->imm) & m, c->target,
		     "[%s] %s: target %#llx", mode_name(c->mode), c->text,
		     (unsigned long long)((c->addr + c->len + in->imm) & m));
}

Test(decode, objdump_cases)
{
	struct x86_insn in;
	int r;

	cr_assert_geq(ARRAY_SIZE(decode_cases), 200);
	for (size_t i = 0; i < ARRAY_SIZE(decode_cases); i++) {
		const struct decode_case *c = &decode_cases[i];

		r = x86_decode(c->bytes, c->len, c->mode, &in);
		cr_expect_eq(r, 0, "[%s] %s: decode returned %d (%s)",
			     mode_name(c->mode), c->text, r,
			     in.why ? in.why : "");
		if (r != 0)
			continue;
		cr_expect_eq(in.length, c->len,
			     "[%s] %s: length %u, objdump %u",
			     mode_name(c->mode), c->text, in.length, c->len);
		check_mem(c, &in);
		check_imm(c, &in);
		check_branch(c, &in);
	}
}

/* Every proper prefix of a valid instruction asks for more bytes. */
Test(decode, truncated_needs_more)
{
	struct x86_insn in;

	for (size_t i = 0; i < ARRAY_SIZE(decode_cases); i++) {
		const struct decode_case *c = &decode_cases[i];

		for (size_t n = 0; n < c->len; n++)
			cr_expect_eq(x86_decode(c->bytes, n, c->mode, &in),
				     -E_RANGE, "[%s] %s cut to %zu bytes",
				     mode_name(c->mode), c->text, n);
	}
}

/* Bytes after the instruction do not change its length. */
Test(decode, trailing_bytes_ignored)
{
	uint8_t buf[X86_MAX_INSN_LEN + 4];
	struct x86_insn in;

	for (size_t i = 0; i < ARRAY_SIZE(decode_cases); i++) {
		const struct decode_case *c = &decode_cases[i];

		memset(buf, 0x0f, sizeof(buf));
		memcpy(buf, c->bytes, c->len);
		cr_expect_eq(x86_decode(buf, sizeof(buf), c->mode, &in), 0,
			     "%s", c->text);
		cr_expect_eq(in.length, c->len, "%s", c->text);
	}
}

struct bad_case {
	enum x86_mode mode;
	int err;
	size_t len;
	uint8_t bytes[X86_MAX_INSN_LEN + 2];
};

Test(decode, illegal_and_unsupported)
{
	static const struct bad_case bad[] = {
		{ X86_MODE_64, -E_INVAL, 1, { 0x06 } }, /* push %es */
		{ X86_MODE_64, -E_INVAL, 1, { 0x27 } }, /* daa */
		{ X86_MODE_64, -E_INVAL, 1, { 0x60 } }, /* pusha */
		{ X86_MODE_64,
		  -E_INVAL,
		  7,
		  { 0x9a, 1, 2, 3, 4, 5, 6 } }, /* lcall ptr */
		{ X86_MODE_64, -E_INVAL, 3, { 0x82, 0xc0, 1 } },
		{ X86_MODE_64, -E_INVAL, 2, { 0xd4, 10 } }, /* aam */
		{ X86_MODE_32, -E_INVAL, 1, { 0xd6 } },
		{ X86_MODE_32, -E_INVAL, 2, { 0x0f, 0x04 } },
		{ X86_MODE_32, -E_INVAL, 2, { 0x0f, 0x0a } },
		{ X86_MODE_16, -E_INVAL, 3, { 0x0f, 0x24, 0xc0 } },
		{ X86_MODE_32, -E_INVAL, 2, { 0x0f, 0xa6 } },
		{ X86_MODE_64,
		  -E_NOT_SUPP,
		  3,
		  { 0xc5, 0xf8, 0x77 } }, /* vzeroupper */
		{ X86_MODE_32, -E_NOT_SUPP, 3, { 0xc5, 0xf8, 0x77 } },
		{ X86_MODE_64,
		  -E_NOT_SUPP,
		  5,
		  { 0xc4, 0xe2, 0x79, 0x18, 0x00 } },
		{ X86_MODE_64,
		  -E_NOT_SUPP,
		  6,
		  { 0x62, 0xf1, 0x7c, 0x48, 0x28, 0xc1 } },
		{ X86_MODE_64,
		  -E_NOT_SUPP,
		  5,
		  { 0x8f, 0xe9, 0x78, 0xe1, 0xc1 } },
		{ X86_MODE_32, -E_NOT_SUPP, 4, { 0x0f, 0x0f, 0xc1, 0x9e } },
		{ X86_MODE_64,
		  -E_INVAL,
		  16,
		  { 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
		    0x66, 0x66, 0x66, 0x66, 0x66, 0x90 } },
		{ X86_MODE_64,
		  -E_INVAL,
		  17,
		  { 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x48, 0xc7, 0x84,
		    0x80, 1, 2, 3, 4, 5, 6 } },
	};
	struct x86_insn in;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		int r = x86_decode(bad[i].bytes, bad[i].len, bad[i].mode, &in);

		cr_expect_eq(r, bad[i].err, "bad case %zu: got %d", i, r);
		cr_expect_not_null(in.why, "bad case %zu: no reason given", i);
		cr_expect_eq(in.too_long, bad[i].len > X86_MAX_INSN_LEN,
			     "bad case %zu", i);
	}
}

/* In 16/32-bit code C4/C5/62 with a memory ModRM are LES/LDS/BOUND. */
Test(decode, les_lds_bound_not_vex)
{
	static const uint8_t les[] = { 0xc4, 0x07 }, bound[] = { 0x62, 0x03 };
	struct x86_insn in;

	cr_assert_eq(x86_decode(les, 2, X86_MODE_32, &in), 0);
	cr_expect_eq(in.length, 2);
	cr_assert_eq(x86_decode(bound, 2, X86_MODE_16, &in), 0);
	cr_expect_eq(in.length, 2);
}

Test(decode, fields_rex_prefixes_sizes)
{
	/* lock addq $1, %fs:0x10(%r8,%r9,4) */
	static const uint8_t b[] = { 0x64, 0xf0, 0x4b, 0x83,
				     0x44, 0x88, 0x10, 0x01 };
	struct x86_insn in;

	cr_assert_eq(x86_decode(b, sizeof(b), X86_MODE_64, &in), 0);
	cr_expect_eq(in.length, 8);
	cr_expect_eq(in.prefixes, X86_PFX_LOCK | X86_PFX_SEG);
	cr_expect_eq(in.seg_override, VSEG_FS);
	cr_expect_eq(in.rex, 0x4b);
	cr_expect_eq(in.map, X86_MAP_1BYTE);
	cr_expect_eq(in.opcode, 0x83);
	cr_expect_eq(in.op_bytes, 8);
	cr_expect_eq(in.addr_bytes, 8);
	cr_expect(in.has_sib);
	cr_expect_eq(in.mem.base, GPR_R8);
	cr_expect_eq(in.mem.index, GPR_R9);
	cr_expect_eq(in.mem.scale, 4);
	cr_expect_eq(in.mem.seg, VSEG_FS);
	cr_expect_eq(in.disp_bytes, 1);
	cr_expect_eq(in.imm, 1);
	cr_expect_eq(in.mnemonic, X86_INSN_ADD);
	cr_expect_str_eq(x86_mnemonic_name(in.mnemonic), "add");
}

Test(decode, rex_before_legacy_prefix_is_ignored)
{
	/* 48 66 89 c8: REX.W then 66, so REX is dropped: mov %cx, %ax. */
	static const uint8_t b[] = { 0x48, 0x66, 0x89, 0xc8 };
	struct x86_insn in;

	cr_assert_eq(x86_decode(b, sizeof(b), X86_MODE_64, &in), 0);
	cr_expect_eq(in.rex, 0);
	cr_expect_eq(in.op_bytes, 2);
}

Test(decode, ds_override_ignored_in_64bit)
{
	static const uint8_t b[] = { 0x3e, 0x8b, 0x45,
				     0x08 }; /* mov %ds:8(%rbp),%eax */
	struct x86_insn in;

	cr_assert_eq(x86_decode(b, sizeof(b), X86_MODE_64, &in), 0);
	cr_expect_eq(in.mem.seg, VSEG_SS);
	cr_assert_eq(x86_decode(b, sizeof(b), X86_MODE_32, &in), 0);
	cr_expect_eq(in.mem.seg, VSEG_DS);
}

Test(decode, mov_cr_ignores_mod)
{
	/* 0F 20 with mod=00 still names registers: no SIB/displacement. */
	static const uint8_t b[] = { 0x0f, 0x20, 0x05 };
	struct x86_insn in;

	cr_assert_eq(x86_decode(b, sizeof(b), X86_MODE_32, &in), 0);
	cr_expect_eq(in.length, 3);
	cr_expect_not(in.is_mem);
	cr_expect_eq(in.mnemonic, X86_INSN_MOV_FROM_CR);
	cr_expect_eq(in.reg, 0);
	cr_expect_eq(in.rm, 5);
}

Test(decode, mnemonics)
{
	static const struct {
		enum x86_mode mode;
		uint8_t len, bytes[4];
		unsigned mnem;
	} m[] = {
		{ X86_MODE_32, 1, { 0xfa }, X86_INSN_CLI },
		{ X86_MODE_32, 1, { 0xfb }, X86_INSN_STI },
		{ X86_MODE_32, 1, { 0xf4 }, X86_INSN_HLT },
		{ X86_MODE_32, 1, { 0xec }, X86_INSN_IN },
		{ X86_MODE_32, 2, { 0xe6, 0x80 }, X86_INSN_OUT },
		{ X86_MODE_32, 1, { 0x6d }, X86_INSN_INS },
		{ X86_MODE_32, 1, { 0x6e }, X86_INSN_OUTS },
		{ X86_MODE_32, 3, { 0x0f, 0x01, 0x10 }, X86_INSN_LGDT },
		{ X86_MODE_32, 3, { 0x0f, 0x01, 0x18 }, X86_INSN_LIDT },
		{ X86_MODE_32, 3, { 0x0f, 0x01, 0x00 }, X86_INSN_SGDT },
		{ X86_MODE_32, 3, { 0x0f, 0x01, 0x08 }, X86_INSN_SIDT },
		{ X86_MODE_32, 3, { 0x0f, 0x01, 0x20 }, X86_INSN_SMSW },
		{ X86_MODE_32,
		  3,
		  { 0x0f, 0x01, 0xe0 },
		  X86_INSN_SMSW }, /* smsw %eax */
		{ X86_MODE_32,
		  3,
		  { 0x0f, 0x01, 0xc1 },
		  X86_INSN_OTHER }, /* vmcall */
		{ X86_MODE_32,
		  3,
		  { 0x0f, 0x01, 0xc8 },
		  X86_INSN_OTHER }, /* monitor */
		{ X86_MODE_32, 3, { 0x0f, 0x00, 0x00 }, X86_INSN_SLDT },
		{ X86_MODE_32,
		  3,
		  { 0x0f, 0x00, 0xc8 },
		  X86_INSN_STR }, /* str %eax */
		{ X86_MODE_32,
		  3,
		  { 0x0f, 0x00, 0x20 },
		  X86_INSN_OTHER }, /* verr */
		{ X86_MODE_32,
		  3,
		  { 0x0f, 0x01, 0xd0 },
		  X86_INSN_OTHER }, /* xgetbv */
		{ X86_MODE_32, 3, { 0x0f, 0x00, 0xd0 }, X86_INSN_LLDT },
		{ X86_MODE_32, 3, { 0x0f, 0x00, 0xd8 }, X86_INSN_LTR },
		{ X86_MODE_32, 3, { 0x0f, 0x01, 0x38 }, X86_INSN_INVLPG },
		{ X86_MODE_64,
		  3,
		  { 0x0f, 0x01, 0xf8 },
		  X86_INSN_OTHER }, /* swapgs */
		{ X86_MODE_32, 2, { 0x0f, 0x09 }, X86_INSN_WBINVD },
		{ X86_MODE_32, 2, { 0x0f, 0x32 }, X86_INSN_RDMSR },
		{ X86_MODE_32, 2, { 0x0f, 0x30 }, X86_INSN_WRMSR },
		{ X86_MODE_32, 3, { 0x0f, 0x22, 0xd8 }, X86_INSN_MOV_TO_CR },
		{ X86_MODE_32, 1, { 0x9c }, X86_INSN_PUSHF },
		{ X86_MODE_32, 1, { 0x9d }, X86_INSN_POPF },
		{ X86_MODE_64, 3, { 0x48, 0x63, 0x00 }, X86_INSN_MOVSXD },
		{ X86_MODE_64, 2, { 0x63, 0x00 }, X86_INSN_OTHER },
		{ X86_MODE_32, 3, { 0x0f, 0xb6, 0x00 }, X86_INSN_MOVZX },
		{ X86_MODE_32, 3, { 0x0f, 0xbf, 0x00 }, X86_INSN_MOVSX },
		{ X86_MODE_32, 2, { 0x10, 0x00 }, X86_INSN_OTHER }, /* adc */
		{ X86_MODE_32, 2, { 0x31, 0x00 }, X86_INSN_XOR },
		{ X86_MODE_32, 3, { 0x80, 0x38, 0x01 }, X86_INSN_CMP },
		{ X86_MODE_32, 3, { 0xf6, 0x00, 0x01 }, X86_INSN_TEST },
		{ X86_MODE_32, 2, { 0xf6, 0x10 }, X86_INSN_OTHER }, /* not */
		{ X86_MODE_32, 1, { 0xa5 }, X86_INSN_MOVS },
		{ X86_MODE_32, 1, { 0xaa }, X86_INSN_STOS },
	};
	struct x86_insn in;

	for (size_t i = 0; i < ARRAY_SIZE(m); i++) {
		cr_assert_eq(x86_decode(m[i].bytes, m[i].len, m[i].mode, &in),
			     0, "case %zu", i);
		cr_expect_eq(in.length, m[i].len, "case %zu", i);
		cr_expect_eq(in.mnemonic, m[i].mnem, "case %zu: %s", i,
			     x86_mnemonic_name(in.mnemonic));
	}
}
