/*
 * x86.h - one-instruction privileged operations as static inline wrappers,
 * and the architectural constants the hypervisor and guests share
 * (Intel SDM vol. 3A; AMD APM vol. 2).
 */
#ifndef INC_X86_H
#define INC_X86_H

#include <inc/const.h>
#include <inc/msr.h>

/* RFLAGS (SDM 1 3.4.3; SDM 3A 2.3). */
#define X86_FLAGS_CF	(UL(1) << 0)
#define X86_FLAGS_FIXED (UL(1) << 1) /* reserved, always 1 */
#define X86_FLAGS_PF	(UL(1) << 2)
#define X86_FLAGS_AF	(UL(1) << 4)
#define X86_FLAGS_ZF	(UL(1) << 6)
#define X86_FLAGS_SF	(UL(1) << 7)
#define X86_FLAGS_TF	(UL(1) << 8)
#define X86_FLAGS_IF	(UL(1) << 9)
#define X86_FLAGS_DF	(UL(1) << 10)
#define X86_FLAGS_OF	(UL(1) << 11)
#define X86_FLAGS_IOPL	(UL(3) << 12)
#define X86_FLAGS_NT	(UL(1) << 14)
#define X86_FLAGS_RF	(UL(1) << 16)
#define X86_FLAGS_VM	(UL(1) << 17)
#define X86_FLAGS_AC	(UL(1) << 18)
#define X86_FLAGS_ID	(UL(1) << 21)
#define X86_FLAGS_ARITH                                              \
	(X86_FLAGS_CF | X86_FLAGS_PF | X86_FLAGS_AF | X86_FLAGS_ZF | \
	 X86_FLAGS_SF | X86_FLAGS_OF)

/* Control registers (SDM 3A 2.5) */
#define CR0_PE (UL(1) << 0)
#define CR0_MP (UL(1) << 1)
#define CR0_EM (UL(1) << 2)
#define CR0_TS (UL(1) << 3)
#define CR0_ET (UL(1) << 4)
#define CR0_WP (UL(1) << 16)
#define CR0_NW (UL(1) << 29)
#define CR0_CD (UL(1) << 30)
#define CR0_PG (UL(1) << 31)

/* Values after RESET or INIT (SDM 3A 10.1.1 table 10-1; APM 2 14.1.3). */
#define RFLAGS_RESET X86_FLAGS_FIXED
#define CR0_RESET    (CR0_CD | CR0_NW | CR0_ET) /* 0x60000010 */
#define DR6_RESET    UL(0xffff0ff0)
#define DR7_RESET    UL(0x400)
#define DR6_BS	     (UL(1) << 14) /* a single step */
#define DR7_ENABLES  UL(0xff)	   /* L0, G0 ... L3, G3 */
#define RIP_RESET    UL(0xfff0)	   /* with CS.base 0xffff0000 */

#define CR4_DE	     (UL(1) << 3)
#define CR4_PSE	     (UL(1) << 4)
#define CR4_PAE	     (UL(1) << 5)
#define CR4_PGE	     (UL(1) << 7)
#define CR4_OSFXSR   (UL(1) << 9)
#define CR4_UMIP     (UL(1) << 11)
#define CR4_LA57     (UL(1) << 12)
#define CR4_VMXE     (UL(1) << 13)
#define CR4_SMXE     (UL(1) << 14)
#define CR4_FSGSBASE (UL(1) << 16)
#define CR4_PCIDE    (UL(1) << 17)
#define CR4_OSXSAVE  (UL(1) << 18)
#define CR4_SMEP     (UL(1) << 20)
#define CR4_SMAP     (UL(1) << 21)
#define CR4_PKE	     (UL(1) << 22)

#ifndef __ASSEMBLER__
#include <inc/types.h>

/* Exception vectors (SDM 3A 6.3.1) */
enum {
	T_DE = 0,
	T_DB = 1,
	T_NMI = 2,
	T_BP = 3,
	T_OF = 4,
	T_BR = 5,
	T_UD = 6,
	T_NM = 7,
	T_DF = 8,
	T_TS = 10,
	T_NP = 11,
	T_SS = 12,
	T_GP = 13,
	T_PF = 14,
	T_MF = 16,
	T_AC = 17,
	T_MC = 18,
	T_XM = 19,
	T_VE = 20,
	T_CP = 21,
	T_HV = 28,
	T_VC = 29,
	T_SX = 30,
	T_NEXCEPTIONS = 32
};
#define IDT_NVECTORS 256 /* exceptions, then interrupts 32-255 */

/* General registers as x86 encodes them in ModRM, SIB and REX. */
enum gpr {
	GPR_RAX,
	GPR_RCX,
	GPR_RDX,
	GPR_RBX,
	GPR_RSP,
	GPR_RBP,
	GPR_RSI,
	GPR_RDI,
	GPR_R8,
	GPR_R9,
	GPR_R10,
	GPR_R11,
	GPR_R12,
	GPR_R13,
	GPR_R14,
	GPR_R15,
	GPR_COUNT
};

/* Segment registers in prefix/MOV Sreg order, then the system ones. */
enum vseg {
	VSEG_ES,
	VSEG_CS,
	VSEG_SS,
	VSEG_DS,
	VSEG_FS,
	VSEG_GS,
	VSEG_GDTR,
	VSEG_LDTR,
	VSEG_IDTR,
	VSEG_TR,
	VSEG_COUNT
};

struct cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};

#define DEFINE_PORT_IO(sfx, type)                                              \
	static inline type in##sfx(uint16_t port)                              \
	{                                                                      \
		type v;                                                        \
		__asm__ volatile("in" #sfx " %1, %0" : "=a"(v) : "Nd"(port));  \
		return v;                                                      \
	}                                                                      \
	static inline void out##sfx(uint16_t port, type v)                     \
	{                                                                      \
		__asm__ volatile("out" #sfx " %0, %1" : : "a"(v), "Nd"(port)); \
	}
DEFINE_PORT_IO(b, uint8_t)
DEFINE_PORT_IO(w, uint16_t)
DEFINE_PORT_IO(l, uint32_t)
#undef DEFINE_PORT_IO

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr"
			 :
			 : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
			 : "memory");
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static inline struct cpuid_regs cpuid(uint32_t leaf, uint32_t subleaf)
{
	struct cpuid_regs r;
	__asm__ volatile("cpuid"
			 : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
			 : "a"(leaf), "c"(subleaf));
	return r;
}

/* The 12-character hypervisor signature in EBX, ECX, EDX (leaf
 * 0x40000000; leaf 0's vendor string is in EBX, EDX, ECX). */
static inline void cpuid_signature(const struct cpuid_regs *r, char sig[13])
{
	__builtin_memcpy(sig, &r->ebx, 4);
	__builtin_memcpy(sig + 4, &r->ecx, 4);
	__builtin_memcpy(sig + 8, &r->edx, 4);
	sig[12] = '\0';
}

#define DEFINE_CR_ACCESSORS(n)                                             \
	static inline uint64_t read_cr##n(void)                            \
	{                                                                  \
		uint64_t v;                                                \
		__asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));          \
		return v;                                                  \
	}                                                                  \
	static inline void write_cr##n(uint64_t v)                         \
	{                                                                  \
		__asm__ volatile("mov %0, %%cr" #n : : "r"(v) : "memory"); \
	}
DEFINE_CR_ACCESSORS(0)
DEFINE_CR_ACCESSORS(2)
DEFINE_CR_ACCESSORS(3)
DEFINE_CR_ACCESSORS(4)
#undef DEFINE_CR_ACCESSORS

static inline uint64_t read_dr6(void)
{
	uint64_t v;

	__asm__ volatile("mov %%db6, %0" : "=r"(v));
	return v;
}

static inline void write_dr7(uint64_t v)
{
	__asm__ volatile("mov %0, %%db7" : : "r"(v));
}

static inline uint64_t read_rflags(void)
{
	uint64_t v;
	__asm__ volatile("pushfq; popq %0" : "=r"(v));
	return v;
}

static inline uint64_t read_rbp(void)
{
	uint64_t v;
	__asm__ volatile("mov %%rbp, %0" : "=r"(v));
	return v;
}

static inline void invlpg(uint64_t va)
{
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

static inline void cli(void)
{
	__asm__ volatile("cli" : : : "memory");
}

static inline void sti(void)
{
	__asm__ volatile("sti" : : : "memory");
}

static inline void hlt(void)
{
	__asm__ volatile("hlt" : : : "memory");
}

static inline void pause(void)
{
	__asm__ volatile("pause");
}

/* XCR access and the XSAVE feature set (SDM 1 ch. 13); need CR4.OSXSAVE. */
static inline void xsetbv(uint32_t index, uint64_t val)
{
	__asm__ volatile("xsetbv"
			 :
			 : "c"(index), "a"((uint32_t)val),
			   "d"((uint32_t)(val >> 32)));
}

static inline uint64_t xgetbv(uint32_t index)
{
	uint32_t lo, hi;

	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(index));
	return lo | ((uint64_t)hi << 32);
}

static inline void xsave(void *area, uint64_t rfbm)
{
	__asm__ volatile("xsave64 (%0)"
			 :
			 : "r"(area), "a"((uint32_t)rfbm),
			   "d"((uint32_t)(rfbm >> 32))
			 : "memory");
}

static inline void xrstor(const void *area, uint64_t rfbm)
{
	__asm__ volatile("xrstor64 (%0)"
			 :
			 : "r"(area), "a"((uint32_t)rfbm),
			   "d"((uint32_t)(rfbm >> 32))
			 : "memory");
}

struct __attribute__((packed)) desc_ptr {
	uint16_t limit;
	uint64_t base;
};

static inline void lgdt(const struct desc_ptr *p)
{
	__asm__ volatile("lgdt %0" : : "m"(*p));
}

static inline void lidt(const struct desc_ptr *p)
{
	__asm__ volatile("lidt %0" : : "m"(*p));
}

static inline void ltr(uint16_t sel)
{
	__asm__ volatile("ltr %0" : : "r"(sel));
}

#endif /* !__ASSEMBLER__ */

#endif
