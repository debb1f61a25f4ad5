/*
 * opcodes.c - the decoder's opcode tables (SDM vol. 2, appendix A
 * "Opcode Map", tables ): an attribute word per opcode that
 * says whether a ModRM byte follows and what immediate does, and the
 * mnemonics of the instructions the emulator runs (labs 2, 3 and 5).
 */
#include <kernel/x86/opcodes.h>

/* The tables keep rows of related opcodes together. */
/* clang-format off */
#define M A_MODRM
#define ALU_ROW(b) \
	[b + 0] = M | A_BYTE, [b + 1] = M, [b + 2] = M | A_BYTE, [b + 3] = M, \
	[b + 4] = IMM_B | A_BYTE, [b + 5] = IMM_Z

const uint16_t x86_opcodes_1byte[256] = {
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

const uint16_t x86_opcodes_0f[256] = {
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

/*
 * The mnemonics of the instructions the emulator knows, where the opcode
 * alone names them; the rest (X86_INSN_OTHER, 0) depend on ModRM.
 */
static const uint8_t by_opcode_1byte[256] = {
	[0x00 ... 0x05] = X86_INSN_ADD, [0x08 ... 0x0d] = X86_INSN_OR,
	[0x20 ... 0x25] = X86_INSN_AND, [0x28 ... 0x2d] = X86_INSN_SUB,
	[0x30 ... 0x35] = X86_INSN_XOR, [0x38 ... 0x3d] = X86_INSN_CMP,
	[0x6c ... 0x6d] = X86_INSN_INS, [0x6e ... 0x6f] = X86_INSN_OUTS,
	[0x84 ... 0x85] = X86_INSN_TEST, [0xa8 ... 0xa9] = X86_INSN_TEST,
	[0x86 ... 0x87] = X86_INSN_XCHG,
	[0x88 ... 0x8b] = X86_INSN_MOV, [0xa0 ... 0xa3] = X86_INSN_MOV,
	[0xb0 ... 0xbf] = X86_INSN_MOV,
	[0x9c] = X86_INSN_PUSHF, [0x9d] = X86_INSN_POPF,
	[0xa4 ... 0xa5] = X86_INSN_MOVS, [0xaa ... 0xab] = X86_INSN_STOS,
	[0xac ... 0xad] = X86_INSN_LODS,
	[0xe4 ... 0xe5] = X86_INSN_IN, [0xec ... 0xed] = X86_INSN_IN,
	[0xe6 ... 0xe7] = X86_INSN_OUT, [0xee ... 0xef] = X86_INSN_OUT,
	[0xf4] = X86_INSN_HLT, [0xfa] = X86_INSN_CLI, [0xfb] = X86_INSN_STI,
};

static const uint8_t by_opcode_0f[256] = {
	[0x06] = X86_INSN_CLTS, [0x08] = X86_INSN_INVD, [0x09] = X86_INSN_WBINVD,
	[0x20] = X86_INSN_MOV_FROM_CR, [0x22] = X86_INSN_MOV_TO_CR,
	[0x30] = X86_INSN_WRMSR, [0x32] = X86_INSN_RDMSR,
	[0xb0 ... 0xb1] = X86_INSN_CMPXCHG,
	[0xb6 ... 0xb7] = X86_INSN_MOVZX, [0xbe ... 0xbf] = X86_INSN_MOVSX,
};

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
	default: return by_opcode_1byte[in->opcode];
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
	default: return by_opcode_0f[in->opcode];
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
