/*
 * opcodes.c - the decoder's opcode tables (SDM vol. 2, appendix A
 * "Opcode Map", tables ): an attribute word per opcode that
 * says whether a ModRM byte follows, what immediate, and which of the
 * instructions the emulator runs it is (labs 2, 3 and 5).
 */
#include <kernel/x86/opcodes.h>

/* The tables keep rows of related opcodes together. */
/* clang-format off */
#define M A_MODRM
#define I(name) A_INSN(name)
#define ALU_ROW(b, name) \
	[b + 0] = M | A_BYTE | I(name), [b + 1] = M | I(name), \
	[b + 2] = M | A_BYTE | I(name), [b + 3] = M | I(name), \
	[b + 4] = IMM_B | A_BYTE | I(name), [b + 5] = IMM_Z | I(name)

const uint32_t x86_opcodes_1byte[256] = {
	ALU_ROW(0x00, ADD), ALU_ROW(0x08, OR), ALU_ROW(0x10, OTHER),
	ALU_ROW(0x18, OTHER), ALU_ROW(0x20, AND), ALU_ROW(0x28, SUB),
	ALU_ROW(0x30, XOR), ALU_ROW(0x38, CMP),
	[0x06] = A_INV64, [0x07] = A_INV64, [0x0e] = A_INV64,
	[0x16] = A_INV64, [0x17] = A_INV64, [0x1e] = A_INV64, [0x1f] = A_INV64,
	[0x27] = A_INV64, [0x2f] = A_INV64, [0x37] = A_INV64, [0x3f] = A_INV64,
	[0x50 ... 0x5f] = A_DEF64,
	[0x60] = A_INV64, [0x61] = A_INV64, [0x62] = M | A_SPECIAL | A_INV64,
	[0x63] = M, [0x68] = IMM_Z | A_DEF64, [0x69] = M | IMM_Z,
	[0x6a] = IMM_B | A_DEF64, [0x6b] = M | IMM_B,
	[0x6c] = A_BYTE | I(INS), [0x6d] = I(INS),
	[0x6e] = A_BYTE | I(OUTS), [0x6f] = I(OUTS),
	[0x70 ... 0x7f] = IMM_B | A_FORCE64,
	[0x80] = M | IMM_B | A_BYTE, [0x81] = M | IMM_Z,
	[0x82] = M | IMM_B | A_BYTE | A_INV64, [0x83] = M | IMM_B,
	[0x84] = M | A_BYTE | I(TEST), [0x85] = M | I(TEST),
	[0x86] = M | A_BYTE | I(XCHG), [0x87] = M | I(XCHG),
	[0x88] = M | A_BYTE | I(MOV), [0x89] = M | I(MOV),
	[0x8a] = M | A_BYTE | I(MOV), [0x8b] = M | I(MOV),
	[0x8c] = M, [0x8d] = M, [0x8e] = M, [0x8f] = M | A_DEF64 | A_SPECIAL,
	[0x9a] = IMM_FAR | A_INV64,
	[0x9c] = A_DEF64 | I(PUSHF), [0x9d] = A_DEF64 | I(POPF),
	[0xa0] = IMM_MOFFS | A_BYTE | I(MOV), [0xa1] = IMM_MOFFS | I(MOV),
	[0xa2] = IMM_MOFFS | A_BYTE | I(MOV), [0xa3] = IMM_MOFFS | I(MOV),
	[0xa4] = A_BYTE | I(MOVS), [0xa5] = I(MOVS), [0xa6] = A_BYTE,
	[0xa8] = IMM_B | A_BYTE | I(TEST), [0xa9] = IMM_Z | I(TEST),
	[0xaa] = A_BYTE | I(STOS), [0xab] = I(STOS),
	[0xac] = A_BYTE | I(LODS), [0xad] = I(LODS), [0xae] = A_BYTE,
	[0xb0 ... 0xb7] = IMM_B | A_BYTE | I(MOV), [0xb8 ... 0xbf] = IMM_V | I(MOV),
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
	[0xe4] = IMM_B | A_BYTE | I(IN), [0xe5] = IMM_B | I(IN),
	[0xe6] = IMM_B | A_BYTE | I(OUT), [0xe7] = IMM_B | I(OUT),
	[0xe8] = IMM_Z | A_FORCE64, [0xe9] = IMM_Z | A_FORCE64,
	[0xea] = IMM_FAR | A_INV64, [0xeb] = IMM_B | A_FORCE64,
	[0xec] = A_BYTE | I(IN), [0xed] = I(IN),
	[0xee] = A_BYTE | I(OUT), [0xef] = I(OUT),
	[0xf4] = I(HLT), [0xf6] = M | A_BYTE | A_SPECIAL, [0xf7] = M | A_SPECIAL,
	[0xfa] = I(CLI), [0xfb] = I(STI), [0xfe] = M | A_BYTE, [0xff] = M,
};

const uint32_t x86_opcodes_0f[256] = {
	[0x00 ... 0x03] = M, [0x04] = A_BAD, [0x06] = I(CLTS),
	[0x08] = I(INVD), [0x09] = I(WBINVD), [0x0a] = A_BAD, [0x0c] = A_BAD,
	[0x0d] = M, [0x0f] = A_SPECIAL,
	[0x10 ... 0x1f] = M,
	[0x20] = M | A_REGONLY | A_FORCE64 | I(MOV_FROM_CR),
	[0x21] = M | A_REGONLY | A_FORCE64,
	[0x22] = M | A_REGONLY | A_FORCE64 | I(MOV_TO_CR),
	[0x23] = M | A_REGONLY | A_FORCE64, [0x24 ... 0x27] = A_BAD,
	[0x28 ... 0x2f] = M, [0x30] = I(WRMSR), [0x32] = I(RDMSR),
	[0x36] = A_BAD, [0x39] = A_BAD, [0x3b ... 0x3f] = A_BAD,
	[0x40 ... 0x6f] = M, [0x70 ... 0x73] = M | IMM_B, [0x74 ... 0x76] = M,
	[0x78] = M, [0x79] = M, [0x7a] = A_BAD, [0x7b] = A_BAD,
	[0x7c ... 0x7f] = M,
	[0x80 ... 0x8f] = IMM_Z | A_FORCE64,
	[0x90 ... 0x9f] = M | A_BYTE,
	[0xa0] = A_DEF64, [0xa1] = A_DEF64, [0xa3] = M, [0xa4] = M | IMM_B,
	[0xa5] = M, [0xa6] = A_BAD, [0xa7] = A_BAD, [0xa8] = A_DEF64,
	[0xa9] = A_DEF64, [0xab] = M, [0xac] = M | IMM_B, [0xad ... 0xaf] = M,
	[0xb0] = M | A_BYTE | I(CMPXCHG), [0xb1] = M | I(CMPXCHG),
	[0xb2 ... 0xb5] = M, [0xb6] = M | I(MOVZX), [0xb7] = M | I(MOVZX),
	[0xb8 ... 0xb9] = M, [0xba] = M | IMM_B, [0xbb ... 0xbd] = M,
	[0xbe] = M | I(MOVSX), [0xbf] = M | I(MOVSX),
	[0xc0] = M | A_BYTE, [0xc1] = M, [0xc2] = M | IMM_B, [0xc3] = M,
	[0xc4 ... 0xc6] = M | IMM_B, [0xc7] = M,
	[0xd0 ... 0xff] = M,
};

#undef M
#undef I
#undef ALU_ROW

/* Groups 1 (80-83), 6 (0F 00) and 7 (0F 01, memory forms) by ModRM.reg. */
static const uint8_t mnemonic_grp1[8] = {
	X86_INSN_ADD, X86_INSN_OR, X86_INSN_OTHER, X86_INSN_OTHER,
	X86_INSN_AND, X86_INSN_SUB, X86_INSN_XOR, X86_INSN_CMP,
};
static const uint8_t mnemonic_grp6[8] = {
	X86_INSN_SLDT, X86_INSN_STR, X86_INSN_LLDT, X86_INSN_LTR,
};
static const uint8_t mnemonic_grp7[8] = {
	X86_INSN_SGDT, X86_INSN_SIDT, X86_INSN_LGDT, X86_INSN_LIDT,
	X86_INSN_SMSW, X86_INSN_OTHER, X86_INSN_OTHER, X86_INSN_INVLPG,
};

/* clang-format on */

/* The X86_INSN_* of a one-byte opcode: by the table, or by ModRM or size. */
static uint16_t mnemonic_1byte(const struct x86_insn *in)
{
	uint8_t ext = (in->modrm >> 3) & 7;

	switch (in->opcode) {
	case 0x63: return in->op_bytes == 8 ? X86_INSN_MOVSXD : X86_INSN_OTHER;
	case 0x80 ... 0x83: return mnemonic_grp1[ext];
	case 0xc6:
	case 0xc7: return ext == 0 ? X86_INSN_MOV : X86_INSN_OTHER;
	case 0xf6:
	case 0xf7: return ext < 2 ? X86_INSN_TEST : X86_INSN_OTHER;
	default: return x86_opcodes_1byte[in->opcode] >> A_INSN_SHIFT;
	}
}

/* The X86_INSN_* of a 0F opcode: by the table, or by ModRM or REX. */
static uint16_t mnemonic_0f(const struct x86_insn *in)
{
	uint8_t ext = (in->modrm >> 3) & 7;

	switch (in->opcode) {
	case 0x00: return mnemonic_grp6[ext];
	case 0x01:
		if (!in->is_mem)
			return ext == 4 ? X86_INSN_SMSW : X86_INSN_OTHER;
		return mnemonic_grp7[ext];
	case 0xc7: /* CMPXCHG16B (REX.W) is left alone */
		return ext == 1 && in->is_mem && !(in->rex & X86_REX_W) ?
			       X86_INSN_CMPXCHG8B :
			       X86_INSN_OTHER;
	default: return x86_opcodes_0f[in->opcode] >> A_INSN_SHIFT;
	}
}

uint16_t x86_opcodes_mnemonic(const struct x86_insn *in)
{
	if (in->map == X86_MAP_1BYTE)
		return mnemonic_1byte(in);
	if (in->map == X86_MAP_0F)
		return mnemonic_0f(in);
	return X86_INSN_OTHER;
}

const char *x86_mnemonic_name(unsigned mnemonic)
{
#define X86_MNEMONIC_NAME(name, str, handler, check) [X86_INSN_##name] = str,
	static const char *const names[] = { [X86_INSN_OTHER] = "(other)",
					     X86_MNEMONICS(X86_MNEMONIC_NAME) };
#undef X86_MNEMONIC_NAME

	return mnemonic < X86_INSN_NMNEMONICS ? names[mnemonic] : "(bad)";
}
