/*
 * xstate.h - the per-vcpu CPU state that neither VMRUN nor VM entry
 * switches (kernel/xstate.c, lab 3): x87/SSE/AVX registers, XCR0, DR0-DR3
 * and DR6.
 */
#ifndef KERNEL_XSTATE_H
#define KERNEL_XSTATE_H

#include <inc/types.h>

/* XCR0 state components (SDM 1 13.1 "XSAVE-Supported Features"). */
#define XFEATURE_X87	   (1ULL << 0)
#define XFEATURE_SSE	   (1ULL << 1)
#define XFEATURE_AVX	   (1ULL << 2)
#define XFEATURE_OPMASK	   (1ULL << 5)
#define XFEATURE_ZMM_HI256 (1ULL << 6)
#define XFEATURE_HI16_ZMM  (1ULL << 7)
#define XFEATURE_AVX512 \
	(XFEATURE_OPMASK | XFEATURE_ZMM_HI256 | XFEATURE_HI16_ZMM)

struct vcpu_xstate {
	/* XSAVE area (FXSAVE's 512 bytes without XSAVE), xstate_area_size()
	 * bytes, 64-byte aligned, from the page allocator. */
	uint8_t *area;
	uint64_t xcr0;	/* the guest's XCR0; 1 after RESET */
	uint64_t dr[4]; /* DR0-DR3 */
	uint64_t dr6;
};

struct vcpu;

/*
 * Turns XSAVE on for the hypervisor (CR4.OSXSAVE, XCR0 = every component
 * hvlab switches) when the CPU has it, and prints what it found.  Call
 * once before any vcpu is created.
 */
void xstate_init(void);

/* XCR0 bits a guest may set: 0 when XSAVE is not offered to guests. */
uint64_t xstate_guest_mask(void);

/* Bytes of the XSAVE area for the components in xcr0 (standard format). */
uint32_t xstate_size(uint64_t xcr0);

/* Bytes of every vcpu's area: what migration copies (kernel/migrate.c). */
size_t xstate_vcpu_size(void);

/* Gives v the state after RESET; 0 or -E_NO_MEM. */
int xstate_vcpu_init(struct vcpu *v);
void xstate_vcpu_free(struct vcpu *v);

/*
 * Loads v's state into the CPU before its slice / saves it after.  The
 * hypervisor uses none of it in between, so exit handlers run with v's
 * registers and XCR0 live.
 */
void xstate_load(struct vcpu *v);
void xstate_save(struct vcpu *v);

/*
 * XSETBV for v (SDM 2B "XSETBV"): sets XCR[index] to val.  Returns 0, or
 * -E_INVAL for what raises #GP(0).  The caller checks CR4.OSXSAVE (#UD)
 * and CPL.
 */
int xstate_xsetbv(struct vcpu *v, uint32_t index, uint64_t val);

#endif
