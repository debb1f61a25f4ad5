/*
 * decode.h - the x86 instruction decoder (Intel SDM vol. 2, chapter 2
 * "Instruction Format"; AMD APM vol. 3, chapter 1).  It measures any
 * general-purpose instruction of the one-byte, 0F, 0F38 and 0F3A maps in
 * 16-, 32- and 64-bit code, and decodes the operands of the ones the
 * emulator (emulate.h) executes.  Used by the trap-and-emulate VMM
 * (lab 2), for instruction lengths under SVM without nRIP save (lab 3) and
 * for MMIO emulation (labs 3 and 5).  Builds freestanding and on the host.
 */
#ifndef KERNEL_X86_DECODE_H
#define KERNEL_X86_DECODE_H

#include <inc/types.h>
#include <inc/error.h>
#include <inc/x86.h>

/* The architectural limit on instruction length (SDM 2.3.11). */
#define X86_MAX_INSN_LEN 15

/* The code size the CPU is executing in: default operand/address size. */
enum x86_mode {
	X86_MODE_16, /* real mode, virtual-8086, 16-bit protected mode */
	X86_MODE_32, /* 32-bit protected mode, compatibility mode CS.D=1 */
	X86_MODE_64, /* 64-bit mode (IA-32e, CS.L=1) */
};

/* Beside enum gpr and enum vseg (inc/x86.h), for memory operands. */
#define X86_REG_RIP  GPR_COUNT /* base of a RIP-relative operand */
#define X86_REG_NONE (-1)
#define X86_SEG_NONE (-1)

/* Prefix bits in x86_insn.prefixes. */
#define X86_PFX_LOCK   0x01
#define X86_PFX_REP    0x02 /* F3: REP / REPE */
#define X86_PFX_REPNE  0x04 /* F2 */
#define X86_PFX_OPSIZE 0x08 /* 66 */
#define X86_PFX_ADSIZE 0x10 /* 67 */
#define X86_PFX_SEG    0x20 /* a segment override; see seg_override */

/* REX bits (SDM 2.2.1). */
#define X86_REX_B 0x01
#define X86_REX_X 0x02
#define X86_REX_R 0x04
#define X86_REX_W 0x08

enum x86_opmap {
	X86_MAP_1BYTE,
	X86_MAP_0F,
	X86_MAP_0F38,
	X86_MAP_0F3A,
};

/*
 * The instructions the emulator knows, X86_INSN_<NAME>, with the names
 * logs give them, the emulator's handler for each (x86_emul_<handler>,
 * kernel/x86/emul_int.h) and the check x86_emulate makes before it
 * (X86_CHECK_<check>: LOCK allowed, CPL 0, CPL <= IOPL, CR4.UMIP, or a
 * REP string that may stop early); everything else is X86_INSN_OTHER.
 */
/* clang-format off */
#define X86_MNEMONICS(X) \
	X(CLI, "cli", cli_sti, IOPL) X(STI, "sti", cli_sti, IOPL) \
	X(HLT, "hlt", exit, CPL0) X(IN, "in", io, IOPL) X(OUT, "out", io, IOPL) \
	X(INS, "ins", string, REP) X(OUTS, "outs", string, REP) \
	X(MOV_FROM_CR, "mov from cr", mov_cr, NONE) \
	X(MOV_TO_CR, "mov to cr", mov_cr, NONE) X(CLTS, "clts", clts, CPL0) \
	X(LGDT, "lgdt", lgdt_lidt, CPL0) X(LIDT, "lidt", lgdt_lidt, CPL0) \
	X(LLDT, "lldt", lldt_ltr, CPL0) X(LTR, "ltr", lldt_ltr, CPL0) \
	X(SGDT, "sgdt", store_sys, UMIP) X(SIDT, "sidt", store_sys, UMIP) \
	X(SLDT, "sldt", store_sys, UMIP) X(STR, "str", store_sys, UMIP) \
	X(SMSW, "smsw", smsw, UMIP) X(RDMSR, "rdmsr", exit, CPL0) \
	X(WRMSR, "wrmsr", exit, CPL0) X(INVLPG, "invlpg", exit, CPL0) \
	X(WBINVD, "wbinvd", wbinvd, CPL0) X(INVD, "invd", wbinvd, CPL0) \
	X(PUSHF, "pushf", pushf, NONE) X(POPF, "popf", popf, NONE) \
	X(MOV, "mov", mov, NONE) X(MOVZX, "movzx", movx, NONE) \
	X(MOVSX, "movsx", movx, NONE) X(MOVSXD, "movsxd", movx, NONE) \
	X(MOVS, "movs", string, REP) X(STOS, "stos", string, REP) \
	X(LODS, "lods", string, REP) X(ADD, "add", alu, LOCK) \
	X(OR, "or", alu, LOCK) X(AND, "and", alu, LOCK) X(SUB, "sub", alu, LOCK) \
	X(XOR, "xor", alu, LOCK) X(CMP, "cmp", alu, NONE) \
	X(TEST, "test", alu, NONE) X(XCHG, "xchg", xchg, LOCK) \
	X(CMPXCHG, "cmpxchg", cmpxchg, LOCK) \
	X(CMPXCHG8B, "cmpxchg8b", cmpxchg8b, LOCK)
#define X86_MNEMONIC_ENUM(name, str, handler, check) X86_INSN_##name,
enum x86_mnemonic {
	X86_INSN_OTHER,
	X86_MNEMONICS(X86_MNEMONIC_ENUM) X86_INSN_NMNEMONICS
};
#undef X86_MNEMONIC_ENUM
/* clang-format on */

/* A memory operand: seg:[base + index*scale + disp], addr_bytes wide. */
struct x86_mem {
	int8_t base;   /* enum gpr, X86_REG_RIP or X86_REG_NONE */
	int8_t index;  /* enum gpr or X86_REG_NONE */
	uint8_t scale; /* 1, 2, 4 or 8 */
	int8_t seg;    /* effective segment, override applied */
	int64_t disp;  /* sign-extended displacement */
};

struct x86_insn {
	uint8_t length;
	uint8_t prefixes;    /* X86_PFX_* */
	int8_t seg_override; /* enum vseg or X86_SEG_NONE */
	uint8_t rex;	     /* 0 when absent */
	uint8_t map;	     /* enum x86_opmap */
	uint8_t opcode;	     /* the byte after the escape bytes */
	bool has_modrm;
	bool has_sib;
	uint8_t modrm, mod, reg, rm; /* reg and rm include REX.R/REX.B */
	uint8_t sib;
	uint8_t disp_bytes; /* 0, 1, 2 or 4 */
	uint8_t imm_bytes;  /* 0, 1, 2, 4 or 8 */
	uint8_t imm2_bytes; /* ENTER's second immediate, far pointers' selector */
	uint8_t op_bytes;   /* effective operand size: 1, 2, 4 or 8 */
	uint8_t addr_bytes; /* effective address size: 2, 4 or 8 */
	bool is_mem;	    /* the ModRM r/m operand (or moffs) is memory */
	bool too_long;	    /* the error was the 15-byte limit (#GP, not #UD) */
	uint16_t mnemonic;  /* enum x86_mnemonic */
	struct x86_mem mem;
	uint64_t imm; /* sign-extended from imm_bytes to 64 bits */
	uint64_t imm2;
	const char *why; /* on error: what was wrong with the bytes */
};

/*
 * Decodes the instruction at bytes[0..avail) executed in `mode` into *out.
 * Returns 0; -E_RANGE when the instruction continues past avail (fetch
 * more bytes, up to X86_MAX_INSN_LEN, and call again); -E_INVAL for an
 * undefined or illegal encoding, or one longer than 15 bytes (out->too_long);
 * -E_NOT_SUPP for VEX, EVEX, XOP and 3DNow! encodings.  On every error
 * out->why names the reason.  Never reads bytes[avail] or beyond.
 */
int x86_decode(const uint8_t *bytes, size_t avail, enum x86_mode mode,
	       struct x86_insn *out);

/*
 * Whether in is `opcode` of opcode map `map` with ModRM byte `modrm` (the
 * 0F 01 forms such as VMMCALL, 0F 01 D9), or with any ModRM when modrm < 0.
 */
static inline bool x86_insn_is(const struct x86_insn *in, enum x86_opmap map,
			       uint8_t opcode, int modrm)
{
	return in->map == map && in->opcode == opcode &&
	       (modrm < 0 || (in->has_modrm && in->modrm == modrm));
}

/* The ModRM reg field as an opcode extension: the /digit of SDM 3.1.1.1. */
static inline unsigned x86_insn_ext(const struct x86_insn *in)
{
	return (in->modrm >> 3) & 7;
}

/* The name of a mnemonic id, for messages ("mov", "lgdt", ...). */
const char *x86_mnemonic_name(unsigned mnemonic);

#endif
