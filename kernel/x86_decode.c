/*
 * x86_decode.c - x86 instruction decoding: prefixes, REX, opcode maps,
 * ModRM/SIB, displacement and immediates (SDM vol. 2, chapter 2 and
 * appendix A "Opcode Map").  Table-driven: one attribute word per opcode
 * says whether a ModRM byte follows and what immediate does; a few
 * opcodes whose shape depends on the next byte are handled by name.
 * Labs 2, 3 and 5 call it through x86_emulate() or for lengths alone.
 */
#include <kernel/x86_decode.h>
#include <inc/string.h>

/* Immediate kinds (low 3 bits of an attribute word). */
enum {
	IMM_NONE,
	IMM_B,		/* ib */
	IMM_W,		/* iw */
	IMM_Z,		/* iw or id by operand size */
	IMM_V,		/* iw, id or iq by operand size (MOV r, imm) */
	IMM_MOFFS,	/* address-size offset (MOV AL, moffs) */
	IMM_FAR,	/* ptr16:16 or ptr16:32 */
	IMM_WB,		/* iw, ib (ENTER) */
};

#define A_IMM_MASK	0x0007
#define A_MODRM		0x0008
#define A_BYTE		0x0010	/* 8-bit operands */
#define A_DEF64		0x0020	/* 64-bit operand size by default in 64-bit mode */
#define A_FORCE64	0x0040	/* 64-bit operand size, 66 ignored (near branches) */
#define A_INV64		0x0080	/* invalid in 64-bit mode */
#define A_BAD		0x0100	/* undefined */
#define A_SPECIAL	0x0200	/* shape depends on the next byte: see decode_special */
#define A_REGONLY	0x0400	/* ModRM always names registers (MOV CR/DR) */

#define M A_MODRM
#define ALU_ROW(b) \
	[b + 0] = M | A_BYTE, [b + 1] = M, [b + 2] = M | A_BYTE, [b + 3] = M, \
	[b + 4] = IMM_B | A_BYTE, [b + 5] = IMM_Z

/* SDM table A-2, the one-byte opcode map.  Prefix bytes never reach it. */
static const uint16_t map_1byte[256] = {
	ALU_ROW(0x00), ALU_ROW(0x08), ALU_ROW(0x10), ALU_ROW(0x18),
	ALU_ROW(0x20), ALU_ROW(0x28), ALU_ROW(0x30), ALU_ROW(0x38),
	[0x06] = A_INV64, [0x07] = A_INV64, [0x0e] = A_INV64,
	[0x16] = A_INV64, [0x17] = A_INV64, [0x1e] = A_INV64, [0x1f] = A_INV64,
	[0x27] = A_INV64, [0x2f] = A_INV64, [0x37] = A_INV64, [0x3f] = A_INV64,
	[0x50 ... 0x5f] = A_DEF64,
	[0x60] = A_INV64, [0x61] = A_INV64, [0x62] = M | A_SPECIAL | A_INV64,
	[0x63] = M, [0x68] = IMM_Z | A_DEF64, [0x69] = M | IMM_Z,
	[0x6a] = IMM_B | A_DEF64, [0x6b] = M | IMM_B,
	[0x6c] = A_BYTE, [0x6e] = A_BYTE,
	[0x70 ... 0x7f] = IMM_B | A_FORCE64,
	[0x80] = M | IMM_B | A_BYTE, [0x81] = M | IMM_Z,
	[0x82] = M | IMM_B | A_BYTE | A_INV64, [0x83] = M | IMM_B,
	[0x84] = M | A_BYTE, [0x85] = M, [0x86] = M | A_BYTE, [0x87] = M,
	[0x88] = M | A_BYTE, [0x89] = M, [0x8a] = M | A_BYTE, [0x8b] = M,
	[0x8c] = M, [0x8d] = M, [0x8e] = M, [0x8f] = M | A_DEF64 | A_SPECIAL,
	[0x9a] = IMM_FAR | A_INV64, [0x9c] = A_DEF64, [0x9d] = A_DEF64,
	[0xa0] = IMM_MOFFS | A_BYTE, [0xa1] = IMM_MOFFS,
	[0xa2] = IMM_MOFFS | A_BYTE, [0xa3] = IMM_MOFFS,
	[0xa4] = A_BYTE, [0xa6] = A_BYTE, [0xa8] = IMM_B | A_BYTE, [0xa9] = IMM_Z,
	[0xaa] = A_BYTE, [0xac] = A_BYTE, [0xae] = A_BYTE,
	[0xb0 ... 0xb7] = IMM_B | A_BYTE, [0xb8 ... 0xbf] = IMM_V,
	[0xc0] = M | IMM_B | A_BYTE, [0xc1] = M | IMM_B,
	[0xc2] = IMM_W | A_FORCE64, [0xc3] = A_FORCE64,
	[0xc4] = M | A_SPECIAL | A_INV64, [0xc5] = M | A_SPECIAL | A_INV64,
	[0xc6] = M | IMM_B | A_BYTE, [0xc7] = M | IMM_Z,
	[0xc8] = IMM_WB | A_DEF64, [0xc9] = A_DEF64, [0xca] = IMM_W,
	[0xcd] = IMM_B, [0xce] = A_INV64,
	[0xd0] = M | A_BYTE, [0xd1] = M, [0xd2] = M | A_BYTE, [0xd3] = M,
	[0xd4] = IMM_B | A_INV64, [0xd5] = IMM_B | A_INV64, [0xd6] = A_BAD,
	[0xd8 ... 0xdf] = M,
	[0xe0 ... 0xe3] = IMM_B | A_FORCE64,
	[0xe4] = IMM_B | A_BYTE, [0xe5] = IMM_B,
	[0xe6] = IMM_B | A_BYTE, [0xe7] = IMM_B,
	[0xe8] = IMM_Z | A_FORCE64, [0xe9] = IMM_Z | A_FORCE64,
	[0xea] = IMM_FAR | A_INV64, [0xeb] = IMM_B | A_FORCE64,
	[0xec] = A_BYTE, [0xee] = A_BYTE,
	[0xf6] = M | A_BYTE | A_SPECIAL, [0xf7] = M | A_SPECIAL,
	[0xfe] = M | A_BYTE, [0xff] = M,
};

/* SDM table A-3, the two-byte (0F) map, SSE included for lengths. */
static const uint16_t map_0f[256] = {
	[0x00 ... 0x03] = M, [0x04] = A_BAD, [0x0a] = A_BAD, [0x0c] = A_BAD,
	[0x0d] = M, [0x0f] = A_SPECIAL,
	[0x10 ... 0x1f] = M,
	[0x20 ... 0x23] = M | A_REGONLY | A_FORCE64, [0x24 ... 0x27] = A_BAD,
	[0x28 ... 0x2f] = M, [0x36] = A_BAD, [0x39] = A_BAD,
	[0x3b ... 0x3f] = A_BAD,
	[0x40 ... 0x6f] = M, [0x70 ... 0x73] = M | IMM_B, [0x74 ... 0x76] = M,
	[0x78] = M, [0x79] = M, [0x7a] = A_BAD, [0x7b] = A_BAD,
	[0x7c ... 0x7f] = M,
	[0x80 ... 0x8f] = IMM_Z | A_FORCE64,
	[0x90 ... 0x9f] = M | A_BYTE,
	[0xa0] = A_DEF64, [0xa1] = A_DEF64, [0xa3] = M, [0xa4] = M | IMM_B,
	[0xa5] = M, [0xa6] = A_BAD, [0xa7] = A_BAD, [0xa8] = A_DEF64,
	[0xa9] = A_DEF64, [0xab] = M, [0xac] = M | IMM_B, [0xad ... 0xaf] = M,
	[0xb0] = M | A_BYTE, [0xb1 ... 0xb9] = M, [0xba] = M | IMM_B,
	[0xbb ... 0xbf] = M,
	[0xc0] = M | A_BYTE, [0xc1] = M, [0xc2] = M | IMM_B, [0xc3] = M,
	[0xc4 ... 0xc6] = M | IMM_B, [0xc7] = M,
	[0xd0 ... 0xff] = M,
};

#undef M
#undef ALU_ROW

/* Decoder state: the bytes, how many may be read, and the result. */
struct dec {
	const uint8_t *bytes;
	size_t avail;
	size_t pos;
	enum x86_mode mode;
	struct x86_insn *out;
};

static int dec_fail(struct dec *d, int err, const char *why)
{
	d->out->why = why;
	return err;
}

/* Checks that n more bytes exist, within both avail and the 15-byte limit. */
static int dec_need(struct dec *d, size_t n)
{
	if (d->pos + n > X86_MAX_INSN_LEN) {
		d->out->too_long = true;
		return dec_fail(d, -E_INVAL, "instruction longer than 15 bytes");
	}
	if (d->pos + n > d->avail)
		return dec_fail(d, -E_RANGE, "instruction runs past the bytes given");
	return 0;
}

/* Reads an n-byte little-endian value, sign-extended to 64 bits. */
static int dec_fetch(struct dec *d, size_t n, uint64_t *val)
{
	int r = dec_need(d, n);
	uint64_t v = 0;

	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)d->bytes[d->pos + i] << (8 * i);
	if (n < 8 && (v >> (8 * n - 1)) & 1)
		v |= ~0ULL << (8 * n);
	d->pos += n;
	*val = v;
	return 0;
}

static int dec_byte(struct dec *d, uint8_t *b)
{
	int r = dec_need(d, 1);

	if (r < 0)
		return r;
	*b = d->bytes[d->pos++];
	return 0;
}

/* Maps a segment-override prefix byte to its segment, or X86_SEG_NONE. */
static int prefix_seg(uint8_t b)
{
	switch (b) {
	case 0x26: return X86_SEG_ES;
	case 0x2e: return X86_SEG_CS;
	case 0x36: return X86_SEG_SS;
	case 0x3e: return X86_SEG_DS;
	case 0x64: return X86_SEG_FS;
	case 0x65: return X86_SEG_GS;
	default: return X86_SEG_NONE;
	}
}

/* Records one legacy prefix; returns false when b is not a prefix. */
static bool prefix_apply(struct x86_insn *in, uint8_t b)
{
	int seg = prefix_seg(b);

	if (seg != X86_SEG_NONE) {
		in->prefixes |= X86_PFX_SEG;
		in->seg_override = (int8_t)seg;
		return true;
	}
	switch (b) {
	case 0xf0: in->prefixes |= X86_PFX_LOCK; return true;
	case 0xf2:
		in->prefixes = (in->prefixes & ~X86_PFX_REP) | X86_PFX_REPNE;
		return true;
	case 0xf3:
		in->prefixes = (in->prefixes & ~X86_PFX_REPNE) | X86_PFX_REP;
		return true;
	case 0x66: in->prefixes |= X86_PFX_OPSIZE; return true;
	case 0x67: in->prefixes |= X86_PFX_ADSIZE; return true;
	default: return false;
	}
}

/*
 * Consumes legacy prefixes and REX.  A REX byte counts only right before
 * the opcode (SDM 2.2.1): one followed by a legacy prefix is ignored.
 * In 64-bit mode the CS, DS, ES and SS overrides are ignored (SDM 3.3.7.1).
 */
static int decode_prefixes(struct dec *d)
{
	struct x86_insn *in = d->out;
	uint8_t b;
	int r;

	for (;;) {
		if ((r = dec_need(d, 1)) < 0)
			return r;
		b = d->bytes[d->pos];
		if (d->mode == X86_MODE_64 && (b & 0xf0) == 0x40) {
			in->rex = b;
		} else if (prefix_apply(in, b)) {
			in->rex = 0;
		} else {
			break;
		}
		d->pos++;
	}
	if (d->mode == X86_MODE_64 && in->seg_override < X86_SEG_FS &&
	    in->seg_override != X86_SEG_NONE) {
		in->seg_override = X86_SEG_NONE;
		in->prefixes &= ~X86_PFX_SEG;
	}
	return 0;
}

/* Reads the opcode, following the 0F, 0F38 and 0F3A escapes. */
static int decode_opcode(struct dec *d, uint16_t *attr)
{
	struct x86_insn *in = d->out;
	int r;

	if ((r = dec_byte(d, &in->opcode)) < 0)
		return r;
	in->map = X86_MAP_1BYTE;
	*attr = map_1byte[in->opcode];
	if (in->opcode != 0x0f)
		return 0;
	if ((r = dec_byte(d, &in->opcode)) < 0)
		return r;
	in->map = X86_MAP_0F;
	*attr = map_0f[in->opcode];
	if (in->opcode != 0x38 && in->opcode != 0x3a)
		return 0;
	in->map = in->opcode == 0x38 ? X86_MAP_0F38 : X86_MAP_0F3A;
	*attr = in->opcode == 0x38 ? A_MODRM : (A_MODRM | IMM_B);
	return dec_byte(d, &in->opcode);
}

/*
 * C4/C5 (LES/LDS or VEX), 62 (BOUND or EVEX) and 8F (POP r/m or XOP) are
 * told apart by the byte after the opcode; F6/F7 have an immediate only
 * for TEST (/0, /1).  Adjusts *attr or rejects the encoding.
 */
static int decode_special(struct dec *d, uint16_t *attr)
{
	struct x86_insn *in = d->out;
	uint8_t next;
	int r;

	if (in->map == X86_MAP_0F)
		return dec_fail(d, -E_NOT_SUPP, "3DNow! instructions are not supported");
	if ((r = dec_need(d, 1)) < 0)
		return r;
	next = d->bytes[d->pos];
	switch (in->opcode) {
	case 0xc4:
	case 0xc5:
	case 0x62:
		if (d->mode == X86_MODE_64 || (next & 0xc0) == 0xc0)
			return dec_fail(d, -E_NOT_SUPP, in->opcode == 0x62
					? "EVEX-encoded instructions are not supported"
					: "VEX-encoded instructions are not supported");
		return 0;
	case 0x8f:
		if ((next & 0x38) != 0)
			return dec_fail(d, -E_NOT_SUPP, "XOP-encoded instructions are not supported");
		return 0;
	default:
		if ((next & 0x38) < 0x10)
			*attr |= in->opcode == 0xf6 ? IMM_B : IMM_Z;
		return 0;
	}
}

/* Operand and address sizes from mode, prefixes, REX.W and the opcode. */
static void decode_sizes(struct dec *d, uint16_t attr)
{
	struct x86_insn *in = d->out;
	bool p66 = in->prefixes & X86_PFX_OPSIZE;
	bool p67 = in->prefixes & X86_PFX_ADSIZE;

	if (d->mode == X86_MODE_64) {
		in->addr_bytes = p67 ? 4 : 8;
		if ((attr & A_FORCE64) || (in->rex & X86_REX_W))
			in->op_bytes = 8;
		else if (p66)
			in->op_bytes = 2;
		else
			in->op_bytes = (attr & A_DEF64) ? 8 : 4;
	} else {
		bool big = d->mode == X86_MODE_32;

		in->addr_bytes = (big != p67) ? 4 : 2;
		in->op_bytes = (big != p66) ? 4 : 2;
	}
	if (attr & A_BYTE)
		in->op_bytes = 1;
}

/*
 * Operand sizes the ModRM byte or the opcode override: FF /2, /4 (near
 * CALL/JMP) and /6 (PUSH) default to 64 bits in 64-bit mode; port I/O
 * (IN, OUT, INS, OUTS) moves at most 32 bits whatever REX.W says.
 */
static void decode_size_quirks(struct dec *d)
{
	struct x86_insn *in = d->out;
	uint8_t op = (in->modrm >> 3) & 7, b = in->opcode;

	if (in->map != X86_MAP_1BYTE)
		return;
	if ((b >= 0x6c && b <= 0x6f) || (b >= 0xe4 && b <= 0xe7) || b >= 0xec) {
		if (b <= 0xef && in->op_bytes == 8)
			in->op_bytes = 4;
		return;
	}
	if (d->mode != X86_MODE_64 || b != 0xff)
		return;
	if (op == 2 || op == 4)
		in->op_bytes = 8;
	else if (op == 6 && !(in->prefixes & X86_PFX_OPSIZE))
		in->op_bytes = 8;
}

/* 16-bit ModRM addressing (SDM table 2-1): base/index pairs by r/m. */
static int decode_modrm16(struct dec *d)
{
	static const int8_t base[8] = { X86_REG_RBX, X86_REG_RBX, X86_REG_RBP,
		X86_REG_RBP, X86_REG_RSI, X86_REG_RDI, X86_REG_RBP, X86_REG_RBX };
	static const int8_t index[8] = { X86_REG_RSI, X86_REG_RDI, X86_REG_RSI,
		X86_REG_RDI, X86_REG_NONE, X86_REG_NONE, X86_REG_NONE, X86_REG_NONE };
	struct x86_insn *in = d->out;
	uint8_t rm = in->modrm & 7;

	in->mem.base = base[rm];
	in->mem.index = index[rm];
	if (in->mod == 0 && rm == 6) {
		in->mem.base = X86_REG_NONE;
		in->disp_bytes = 2;
	} else {
		in->disp_bytes = in->mod == 1 ? 1 : in->mod == 2 ? 2 : 0;
	}
	return 0;
}

/* The SIB byte (SDM table 2-3), REX.X and REX.B applied. */
static int decode_sib(struct dec *d)
{
	struct x86_insn *in = d->out;
	uint8_t idx, base;
	int r;

	if ((r = dec_byte(d, &in->sib)) < 0)
		return r;
	in->has_sib = true;
	in->mem.scale = 1 << (in->sib >> 6);
	idx = ((in->sib >> 3) & 7) | ((in->rex & X86_REX_X) ? 8 : 0);
	base = (in->sib & 7) | ((in->rex & X86_REX_B) ? 8 : 0);
	in->mem.index = idx == X86_REG_RSP ? X86_REG_NONE : (int8_t)idx;
	if ((in->sib & 7) == 5 && in->mod == 0) {
		in->mem.base = X86_REG_NONE;
		in->disp_bytes = 4;
	} else {
		in->mem.base = (int8_t)base;
	}
	return 0;
}

/* 32- and 64-bit ModRM addressing (SDM table 2-2), RIP-relative included. */
static int decode_modrm32(struct dec *d)
{
	struct x86_insn *in = d->out;
	uint8_t rm = in->modrm & 7;
	int r;

	in->disp_bytes = in->mod == 1 ? 1 : in->mod == 2 ? 4 : 0;
	if (rm == 4)
		return (r = decode_sib(d)) < 0 ? r : 0;
	if (in->mod == 0 && rm == 5) {
		in->mem.base = d->mode == X86_MODE_64 ? X86_REG_RIP : X86_REG_NONE;
		in->disp_bytes = 4;
		return 0;
	}
	in->mem.base = (int8_t)in->rm;
	return 0;
}

/* The default segment: SS for rBP/rSP-based forms, DS otherwise. */
static int8_t default_seg(const struct x86_insn *in)
{
	if (in->mem.base == X86_REG_RBP || in->mem.base == X86_REG_RSP)
		return X86_SEG_SS;
	return X86_SEG_DS;
}

/* Reads ModRM, SIB and displacement and fills in->mem. */
static int decode_modrm(struct dec *d, uint16_t attr)
{
	struct x86_insn *in = d->out;
	uint64_t disp = 0;
	int r;

	if ((r = dec_byte(d, &in->modrm)) < 0)
		return r;
	in->has_modrm = true;
	in->mod = in->modrm >> 6;
	in->reg = ((in->modrm >> 3) & 7) | ((in->rex & X86_REX_R) ? 8 : 0);
	in->rm = (in->modrm & 7) | ((in->rex & X86_REX_B) ? 8 : 0);
	if (in->mod == 3 || (attr & A_REGONLY))
		return 0;
	in->is_mem = true;
	in->mem.index = X86_REG_NONE;
	in->mem.scale = 1;
	r = in->addr_bytes == 2 ? decode_modrm16(d) : decode_modrm32(d);
	if (r < 0)
		return r;
	if (in->disp_bytes && (r = dec_fetch(d, in->disp_bytes, &disp)) < 0)
		return r;
	in->mem.disp = (int64_t)disp;
	in->mem.seg = in->seg_override != X86_SEG_NONE ? in->seg_override : default_seg(in);
	return 0;
}

/* Sizes of the immediate fields for an immediate kind. */
static void imm_sizes(const struct x86_insn *in, unsigned kind, uint8_t *n1, uint8_t *n2)
{
	uint8_t z = in->op_bytes == 2 ? 2 : 4;

	*n2 = 0;
	switch (kind) {
	case IMM_B: *n1 = 1; break;
	case IMM_W: *n1 = 2; break;
	case IMM_Z: *n1 = in->op_bytes == 1 ? 1 : z; break;
	case IMM_V: *n1 = in->op_bytes; break;
	case IMM_MOFFS: *n1 = in->addr_bytes; break;
	case IMM_FAR: *n1 = z; *n2 = 2; break;
	case IMM_WB: *n1 = 2; *n2 = 1; break;
	default: *n1 = 0; break;
	}
}

/* Reads the immediate(s); a moffs becomes a base-less memory operand. */
static int decode_imm(struct dec *d, uint16_t attr)
{
	struct x86_insn *in = d->out;
	unsigned kind = attr & A_IMM_MASK;
	int r;

	imm_sizes(in, kind, &in->imm_bytes, &in->imm2_bytes);
	if (in->imm_bytes && (r = dec_fetch(d, in->imm_bytes, &in->imm)) < 0)
		return r;
	if (in->imm2_bytes && (r = dec_fetch(d, in->imm2_bytes, &in->imm2)) < 0)
		return r;
	if (kind == IMM_MOFFS) {
		in->is_mem = true;
		in->mem.base = X86_REG_NONE;
		in->mem.index = X86_REG_NONE;
		in->mem.scale = 1;
		in->mem.disp = (int64_t)in->imm;
		in->mem.seg = in->seg_override != X86_SEG_NONE ? in->seg_override : X86_SEG_DS;
	}
	return 0;
}

/* Checks the attribute word against the mode; 0 when the opcode exists. */
static int decode_check(struct dec *d, uint16_t attr)
{
	if (attr & A_BAD)
		return dec_fail(d, -E_INVAL, "undefined opcode");
	if ((attr & A_INV64) && d->mode == X86_MODE_64)
		return dec_fail(d, -E_INVAL, "opcode invalid in 64-bit mode");
	return 0;
}

static const uint16_t alu_mnemonic[8] = {
	X86_INSN_ADD, X86_INSN_OR, X86_INSN_OTHER, X86_INSN_OTHER,
	X86_INSN_AND, X86_INSN_SUB, X86_INSN_XOR, X86_INSN_CMP,
};

/* Mnemonics of the one-byte map that the emulator knows. */
static uint16_t mnemonic_1byte(const struct x86_insn *in)
{
	uint8_t op = in->opcode, ext = (in->modrm >> 3) & 7;

	if (op < 0x40 && (op & 7) < 6)
		return alu_mnemonic[op >> 3];
	if (op >= 0x80 && op <= 0x83)
		return alu_mnemonic[ext];
	if (op >= 0xb0 && op <= 0xbf)
		return X86_INSN_MOV;
	switch (op) {
	case 0x63: return in->op_bytes == 8 ? X86_INSN_MOVSXD : X86_INSN_OTHER;
	case 0x6c: case 0x6d: return X86_INSN_INS;
	case 0x6e: case 0x6f: return X86_INSN_OUTS;
	case 0x84: case 0x85: case 0xa8: case 0xa9: return X86_INSN_TEST;
	case 0x88 ... 0x8b: case 0xa0 ... 0xa3: return X86_INSN_MOV;
	case 0x9c: return X86_INSN_PUSHF;
	case 0x9d: return X86_INSN_POPF;
	case 0xa4: case 0xa5: return X86_INSN_MOVS;
	case 0xaa: case 0xab: return X86_INSN_STOS;
	case 0xac: case 0xad: return X86_INSN_LODS;
	case 0xc6: case 0xc7: return ext == 0 ? X86_INSN_MOV : X86_INSN_OTHER;
	case 0xe4: case 0xe5: case 0xec: case 0xed: return X86_INSN_IN;
	case 0xe6: case 0xe7: case 0xee: case 0xef: return X86_INSN_OUT;
	case 0xf4: return X86_INSN_HLT;
	case 0xf6: case 0xf7: return ext < 2 ? X86_INSN_TEST : X86_INSN_OTHER;
	case 0xfa: return X86_INSN_CLI;
	case 0xfb: return X86_INSN_STI;
	default: return X86_INSN_OTHER;
	}
}

/* Mnemonics of the 0F map that the emulator knows. */
static uint16_t mnemonic_0f(const struct x86_insn *in)
{
	uint8_t ext = (in->modrm >> 3) & 7;

	switch (in->opcode) {
	case 0x00:
		return ext == 2 ? X86_INSN_LLDT : ext == 3 ? X86_INSN_LTR : X86_INSN_OTHER;
	case 0x01:
		if (!in->is_mem)
			return X86_INSN_OTHER;
		return ext == 2 ? X86_INSN_LGDT : ext == 3 ? X86_INSN_LIDT
			: ext == 7 ? X86_INSN_INVLPG : X86_INSN_OTHER;
	case 0x06: return X86_INSN_CLTS;
	case 0x08: return X86_INSN_INVD;
	case 0x09: return X86_INSN_WBINVD;
	case 0x20: return X86_INSN_MOV_FROM_CR;
	case 0x22: return X86_INSN_MOV_TO_CR;
	case 0x30: return X86_INSN_WRMSR;
	case 0x32: return X86_INSN_RDMSR;
	case 0xb6: case 0xb7: return X86_INSN_MOVZX;
	case 0xbe: case 0xbf: return X86_INSN_MOVSX;
	default: return X86_INSN_OTHER;
	}
}

static uint16_t decode_mnemonic(const struct x86_insn *in)
{
	if (in->map == X86_MAP_1BYTE)
		return mnemonic_1byte(in);
	if (in->map == X86_MAP_0F)
		return mnemonic_0f(in);
	return X86_INSN_OTHER;
}

int x86_decode(const uint8_t *bytes, size_t avail, enum x86_mode mode,
	       struct x86_insn *out)
{
	struct dec d = { .bytes = bytes, .avail = avail, .mode = mode, .out = out };
	uint16_t attr;
	int r;

	memset(out, 0, sizeof(*out));
	out->seg_override = X86_SEG_NONE;
	out->mem.base = out->mem.index = X86_REG_NONE;
	out->mem.seg = X86_SEG_NONE;
	if (mode != X86_MODE_16 && mode != X86_MODE_32 && mode != X86_MODE_64)
		return dec_fail(&d, -E_INVAL, "bad processor mode");
	if ((r = decode_prefixes(&d)) < 0 || (r = decode_opcode(&d, &attr)) < 0)
		return r;
	if ((attr & A_SPECIAL) && (r = decode_special(&d, &attr)) < 0)
		return r;
	if ((r = decode_check(&d, attr)) < 0)
		return r;
	decode_sizes(&d, attr);
	if ((attr & A_MODRM) && (r = decode_modrm(&d, attr)) < 0)
		return r;
	decode_size_quirks(&d);
	if ((r = decode_imm(&d, attr)) < 0)
		return r;
	out->length = (uint8_t)d.pos;
	out->mnemonic = decode_mnemonic(out);
	return 0;
}

const char *x86_mnemonic_name(unsigned mnemonic)
{
	static const char *const names[X86_INSN_NMNEMONICS] = {
		[X86_INSN_OTHER] = "(other)",
		[X86_INSN_CLI] = "cli", [X86_INSN_STI] = "sti", [X86_INSN_HLT] = "hlt",
		[X86_INSN_IN] = "in", [X86_INSN_OUT] = "out",
		[X86_INSN_INS] = "ins", [X86_INSN_OUTS] = "outs",
		[X86_INSN_MOV_FROM_CR] = "mov from cr", [X86_INSN_MOV_TO_CR] = "mov to cr",
		[X86_INSN_CLTS] = "clts", [X86_INSN_LGDT] = "lgdt", [X86_INSN_LIDT] = "lidt",
		[X86_INSN_LLDT] = "lldt", [X86_INSN_LTR] = "ltr",
		[X86_INSN_RDMSR] = "rdmsr", [X86_INSN_WRMSR] = "wrmsr",
		[X86_INSN_INVLPG] = "invlpg", [X86_INSN_WBINVD] = "wbinvd",
		[X86_INSN_INVD] = "invd", [X86_INSN_PUSHF] = "pushf", [X86_INSN_POPF] = "popf",
		[X86_INSN_MOV] = "mov", [X86_INSN_MOVZX] = "movzx", [X86_INSN_MOVSX] = "movsx",
		[X86_INSN_MOVSXD] = "movsxd", [X86_INSN_MOVS] = "movs",
		[X86_INSN_STOS] = "stos", [X86_INSN_LODS] = "lods",
		[X86_INSN_ADD] = "add", [X86_INSN_OR] = "or", [X86_INSN_AND] = "and",
		[X86_INSN_SUB] = "sub", [X86_INSN_XOR] = "xor", [X86_INSN_CMP] = "cmp",
		[X86_INSN_TEST] = "test",
	};

	return mnemonic < X86_INSN_NMNEMONICS ? names[mnemonic] : "(bad)";
}
