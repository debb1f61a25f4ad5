/*
 * decode.c - x86 instruction decoding: prefixes, REX, opcode maps,
 * ModRM/SIB, displacement and immediates (SDM vol. 2, chapter 2 and
 * appendix A "Opcode Map").  Table-driven: one attribute word per opcode
 * (kernel/x86/opcodes.c) says whether a ModRM byte follows and what
 * immediate does; a few opcodes whose shape depends on the next byte are
 * handled by name.  Labs 2, 3 and 5 call it through x86_emulate() or for
 * lengths alone.
 */
#include <kernel/x86/opcodes.h>
#include <inc/string.h>

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
		return dec_fail(d, -E_INVAL,
				"instruction longer than 15 bytes");
	}
	if (d->pos + n > d->avail)
		return dec_fail(d, -E_RANGE,
				"instruction runs past the bytes given");
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

/*
 * Maps a segment-override prefix byte to its segment, or X86_SEG_NONE:
 * 26, 2E, 36, 3E carry ES, CS, SS, DS in bits 4:3; 64 and 65 are FS, GS.
 */
static int prefix_seg(uint8_t b)
{
	if ((b & 0xe7) == 0x26)
		return (b >> 3) & 3;
	if (b == 0x64 || b == 0x65)
		return VSEG_FS + (b & 1);
	return X86_SEG_NONE;
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
	if (d->mode == X86_MODE_64 && in->seg_override < VSEG_FS &&
	    in->seg_override != X86_SEG_NONE) {
		in->seg_override = X86_SEG_NONE;
		in->prefixes &= ~X86_PFX_SEG;
	}
	return 0;
}

/* Reads the opcode, following the 0F, 0F38 and 0F3A escapes. */
static int decode_opcode(struct dec *d, uint32_t *attr)
{
	struct x86_insn *in = d->out;
	int r;

	if ((r = dec_byte(d, &in->opcode)) < 0)
		return r;
	in->map = X86_MAP_1BYTE;
	*attr = x86_opcodes_1byte[in->opcode];
	if (in->opcode != 0x0f)
		return 0;
	if ((r = dec_byte(d, &in->opcode)) < 0)
		return r;
	in->map = X86_MAP_0F;
	*attr = x86_opcodes_0f[in->opcode];
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
static int decode_special(struct dec *d, uint32_t *attr)
{
	struct x86_insn *in = d->out;
	uint8_t next;
	int r;

	if (in->map == X86_MAP_0F)
		return dec_fail(d, -E_NOT_SUPP,
				"3DNow! instructions are not supported");
	if ((r = dec_need(d, 1)) < 0)
		return r;
	next = d->bytes[d->pos];
	switch (in->opcode) {
	case 0xc4:
	case 0xc5:
	case 0x62:
		if (d->mode == X86_MODE_64 || (next & 0xc0) == 0xc0)
			return dec_fail(d, -E_NOT_SUPP,
					in->opcode == 0x62 ?
						"EVEX-encoded instructions are "
						"not supported" :
						"VEX-encoded instructions are "
						"not supported");
		return 0;
	case 0x8f:
		if ((next & 0x38) != 0)
			return dec_fail(
				d, -E_NOT_SUPP,
				"XOP-encoded instructions are not supported");
		return 0;
	default:
		if ((next & 0x38) < 0x10)
			*attr |= in->opcode == 0xf6 ? IMM_B : IMM_Z;
		return 0;
	}
}

/* Operand and address sizes from mode, prefixes, REX.W and the opcode. */
static void decode_sizes(struct dec *d, uint32_t attr)
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
	static const int8_t base[8] = { GPR_RBX, GPR_RBX, GPR_RBP, GPR_RBP,
					GPR_RSI, GPR_RDI, GPR_RBP, GPR_RBX };
	static const int8_t index[8] = { GPR_RSI,      GPR_RDI,
					 GPR_RSI,      GPR_RDI,
					 X86_REG_NONE, X86_REG_NONE,
					 X86_REG_NONE, X86_REG_NONE };
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
	in->mem.index = idx == GPR_RSP ? X86_REG_NONE : (int8_t)idx;
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

	in->disp_bytes = in->mod == 1 ? 1 : in->mod == 2 ? 4 : 0;
	if (rm == 4)
		return decode_sib(d);
	if (in->mod == 0 && rm == 5) {
		in->mem.base = d->mode == X86_MODE_64 ? X86_REG_RIP :
							X86_REG_NONE;
		in->disp_bytes = 4;
		return 0;
	}
	in->mem.base = (int8_t)in->rm;
	return 0;
}

/* The override, else SS for rBP/rSP-based forms, else DS. */
static int8_t effective_seg(const struct x86_insn *in)
{
	if (in->seg_override != X86_SEG_NONE)
		return in->seg_override;
	if (in->mem.base == GPR_RBP || in->mem.base == GPR_RSP)
		return VSEG_SS;
	return VSEG_DS;
}

/* Reads ModRM, SIB and displacement and fills in->mem. */
static int decode_modrm(struct dec *d, uint32_t attr)
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
	r = in->addr_bytes == 2 ? decode_modrm16(d) : decode_modrm32(d);
	if (r < 0)
		return r;
	if (in->disp_bytes && (r = dec_fetch(d, in->disp_bytes, &disp)) < 0)
		return r;
	in->mem.disp = (int64_t)disp;
	in->mem.seg = effective_seg(in);
	return 0;
}

/* Sizes of the immediate fields for an immediate kind. */
static void imm_sizes(const struct x86_insn *in, unsigned kind, uint8_t *n1,
		      uint8_t *n2)
{
	uint8_t z = in->op_bytes == 2 ? 2 : 4;

	*n2 = 0;
	switch (kind) {
	case IMM_B: *n1 = 1; break;
	case IMM_W: *n1 = 2; break;
	case IMM_Z: *n1 = in->op_bytes == 1 ? 1 : z; break;
	case IMM_V: *n1 = in->op_bytes; break;
	case IMM_MOFFS: *n1 = in->addr_bytes; break;
	case IMM_FAR:
		*n1 = z;
		*n2 = 2;
		break;
	case IMM_WB:
		*n1 = 2;
		*n2 = 1;
		break;
	default: *n1 = 0; break;
	}
}

/* Reads the immediate(s); a moffs becomes a base-less memory operand. */
static int decode_imm(struct dec *d, uint32_t attr)
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
		in->mem.disp = (int64_t)in->imm;
		in->mem.seg = effective_seg(in);
	}
	return 0;
}

/* Checks the attribute word against the mode; 0 when the opcode exists. */
static int decode_check(struct dec *d, uint32_t attr)
{
	if (attr & A_BAD)
		return dec_fail(d, -E_INVAL, "undefined opcode");
	if ((attr & A_INV64) && d->mode == X86_MODE_64)
		return dec_fail(d, -E_INVAL, "opcode invalid in 64-bit mode");
	return 0;
}

int x86_decode(const uint8_t *bytes, size_t avail, enum x86_mode mode,
	       struct x86_insn *out)
{
	struct dec d = {
		.bytes = bytes, .avail = avail, .mode = mode, .out = out
	};
	uint32_t attr;
	int r;

	memset(out, 0, sizeof(*out));
	out->seg_override = X86_SEG_NONE;
	out->mem.base = out->mem.index = X86_REG_NONE;
	out->mem.scale = 1;
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
	out->mnemonic = x86_opcodes_mnemonic(out);
	return 0;
}
