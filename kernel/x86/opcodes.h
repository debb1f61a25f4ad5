/*
 * opcodes.h - the opcode tables the decoder (kernel/x86/decode.c)
 * reads, in kernel/x86/opcodes.c: one attribute word per opcode of the
 * one-byte and 0F maps, and the mnemonics the emulator knows.  Private
 * to the decoder: the public interface is kernel/x86/decode.h.
 */
#ifndef KERNEL_X86_OPCODES_H
#define KERNEL_X86_OPCODES_H

#include <kernel/x86/decode.h>

/* Immediate kinds (low 3 bits of an attribute word). */
enum {
	IMM_NONE,
	IMM_B,	   /* ib */
	IMM_W,	   /* iw */
	IMM_Z,	   /* iw or id by operand size */
	IMM_V,	   /* iw, id or iq by operand size (MOV r, imm) */
	IMM_MOFFS, /* address-size offset (MOV AL, moffs) */
	IMM_FAR,   /* ptr16:16 or ptr16:32 */
	IMM_WB,	   /* iw, ib (ENTER) */
};

#define A_IMM_MASK 0x0007
#define A_MODRM	   0x0008
#define A_BYTE	   0x0010 /* 8-bit operands */
#define A_DEF64	   0x0020 /* 64-bit operand size by default in 64-bit mode */
#define A_FORCE64  0x0040 /* 64-bit operand size, 66 ignored (near branches) */
#define A_INV64	   0x0080 /* invalid in 64-bit mode */
#define A_BAD	   0x0100 /* undefined */
#define A_SPECIAL \
	0x0200 /* shape depends on the next byte: see decode_special */
#define A_REGONLY 0x0400 /* ModRM always names registers (MOV CR/DR) */
/* The X86_INSN_* mnemonic where the opcode alone names it. */
#define A_INSN_SHIFT 16
#define A_INSN(name) ((uint32_t)X86_INSN_##name << A_INSN_SHIFT)

/* SDM table A-2, the one-byte opcode map.  Prefix bytes never reach it. */
extern const uint32_t x86_opcodes_1byte[256];

/* SDM table A-3, the two-byte (0F) map, SSE included for lengths. */
extern const uint32_t x86_opcodes_0f[256];

/* The X86_INSN_* mnemonic of a decoded instruction, X86_INSN_OTHER if none. */
uint16_t x86_opcodes_mnemonic(const struct x86_insn *in);

#endif
