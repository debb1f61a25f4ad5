/*
 * xstate.c - the CPU state each vcpu owns although neither VMRUN nor VM
 * entry switches it (lab 3; SDM 1 ch. 13 "Managing State Using the XSAVE
 * Feature Set", SDM 3A 17.2 "Debug Registers", APM 2 15.5.1 "VMRUN").
 *
 * Around each slice every XCR0 component the CPU has is restored and
 * saved (FXSAVE's 512 bytes without XSAVE), the guest's XCR0 loaded in
 * between: a register a guest can reach holds its value or the init
 * state, never another domain's, and XGETBV (not intercepted) reads the
 * guest's XCR0.  All components, not only those offered: QEMU's TCG
 * ignores the SVM XSETBV intercept, so a guest there can enable one
 * hvlab does not offer (MPX, PKRU), which is also why XCR0 is read back
 * after the slice.
 *
 * DR0-DR3 and DR6 are switched the same way rather than intercepting
 * MOV DR: one copy per slice is cheaper than an exit per access.  DR7 is
 * guest state in the VMCB and VMCS.
 */
#include <inc/x86.h>
#include <kernel/kernel.h>
#include <kernel/domain.h>
#include <kernel/mm/page.h>
#include <kernel/xstate.h>

#define L1_ECX_XSAVE	  (1u << 26)
#define XSAVE_LEGACY_SIZE 576 /* legacy region and XSAVE header */
#define FXSAVE_FCW	  0
#define FXSAVE_MXCSR	  24
#define XCR0_RESET	  XFEATURE_X87

/* Components hvlab switches (0: the CPU has no XSAVE), and their size. */
static uint64_t xstate_mask;
static uint32_t xstate_area_size = 512;

/* The components hvlab offers to guests, among those the CPU has. */
static uint64_t xstate_pick(uint64_t host)
{
	uint64_t m = host & (XFEATURE_X87 | XFEATURE_SSE | XFEATURE_AVX);

	if (!(m & XFEATURE_SSE))
		m &= ~XFEATURE_AVX;
	if ((host & XFEATURE_AVX512) == XFEATURE_AVX512 && (m & XFEATURE_AVX))
		m |= XFEATURE_AVX512;
	return m;
}

void xstate_init(void)
{
	struct cpuid_regs d;

	if (!(cpuid(1, 0).ecx & L1_ECX_XSAVE) || cpuid(0, 0).eax < 0xd) {
		cprintf("hvlab: no XSAVE: vcpus switch x87/SSE with FXSAVE\n");
		return;
	}
	d = cpuid(0xd, 0);
	write_cr4(read_cr4() | CR4_OSXSAVE);
	xstate_mask = d.eax | ((uint64_t)d.edx << 32);
	xsetbv(0, xstate_mask);
	xstate_area_size = xstate_size(xstate_mask);
	cprintf("hvlab: XSAVE: switching XCR0 0x%llx in %u bytes per vcpu, "
		"guests may set 0x%llx\n",
		(unsigned long long)xstate_mask, xstate_area_size,
		(unsigned long long)xstate_guest_mask());
}

uint64_t xstate_guest_mask(void)
{
	return xstate_pick(xstate_mask);
}

uint32_t xstate_size(uint64_t xcr0)
{
	uint32_t size = XSAVE_LEGACY_SIZE;
	unsigned i;

	for (i = 2; i < 64; i++) {
		struct cpuid_regs c;

		if (!(xcr0 & (1ULL << i)))
			continue;
		c = cpuid(0xd, i);
		if (c.ebx + c.eax > size)
			size = c.ebx + c.eax;
	}
	return size;
}

size_t xstate_vcpu_size(void)
{
	return xstate_area_size;
}

static size_t xstate_pages(void)
{
	return ROUNDUP(xstate_area_size, PAGE_SIZE) / PAGE_SIZE;
}

/*
 * After RESET: FCW 0x37f and MXCSR 0x1f80 (FXRSTOR loads them from here;
 * XRSTOR takes MXCSR from here and, with XSTATE_BV zero, puts every
 * component in its init state).
 */
int xstate_vcpu_init(struct vcpu *v)
{
	const uint16_t fcw = 0x37f;
	const uint32_t mxcsr = 0x1f80;
	hpa_t pa = page_alloc_contig(xstate_pages(), 1);

	if (!pa)
		return -E_NO_MEM;
	v->xs.area = kva(pa);
	memcpy(v->xs.area + FXSAVE_FCW, &fcw, sizeof(fcw));
	memcpy(v->xs.area + FXSAVE_MXCSR, &mxcsr, sizeof(mxcsr));
	v->xs.xcr0 = XCR0_RESET;
	memset(v->xs.dr, 0, sizeof(v->xs.dr));
	v->xs.dr6 = DR6_RESET;
	return 0;
}

void xstate_vcpu_free(struct vcpu *v)
{
	if (!v->xs.area)
		return;
	page_free_contig(kpa(v->xs.area), xstate_pages());
	v->xs.area = NULL;
}

static void xstate_load_dr(const struct vcpu_xstate *xs)
{
	__asm__ volatile("mov %0, %%db0" : : "r"(xs->dr[0]));
	__asm__ volatile("mov %0, %%db1" : : "r"(xs->dr[1]));
	__asm__ volatile("mov %0, %%db2" : : "r"(xs->dr[2]));
	__asm__ volatile("mov %0, %%db3" : : "r"(xs->dr[3]));
	__asm__ volatile("mov %0, %%db6" : : "r"(xs->dr6));
}

static void xstate_save_dr(struct vcpu_xstate *xs)
{
	__asm__ volatile("mov %%db0, %0" : "=r"(xs->dr[0]));
	__asm__ volatile("mov %%db1, %0" : "=r"(xs->dr[1]));
	__asm__ volatile("mov %%db2, %0" : "=r"(xs->dr[2]));
	__asm__ volatile("mov %%db3, %0" : "=r"(xs->dr[3]));
	__asm__ volatile("mov %%db6, %0" : "=r"(xs->dr6));
}

void xstate_load(struct vcpu *v)
{
	if (!xstate_mask) {
		__asm__ volatile("fxrstor64 (%0)"
				 :
				 : "r"(v->xs.area)
				 : "memory");
	} else {
		xrstor(v->xs.area, xstate_mask);
		if (v->xs.xcr0 != xstate_mask)
			xsetbv(0, v->xs.xcr0);
	}
	xstate_load_dr(&v->xs);
}

void xstate_save(struct vcpu *v)
{
	if (!xstate_mask) {
		__asm__ volatile("fxsave64 (%0)"
				 :
				 : "r"(v->xs.area)
				 : "memory");
	} else {
		v->xs.xcr0 = xgetbv(0);
		if (v->xs.xcr0 != xstate_mask)
			xsetbv(0, xstate_mask);
		xsave(v->xs.area, xstate_mask);
	}
	xstate_save_dr(&v->xs);
}

/* SDM 2B "XSETBV": the XCR0 values the CPU itself would refuse. */
static bool xstate_xcr0_valid(uint64_t val)
{
	uint64_t avx512 = val & XFEATURE_AVX512;

	if (!(val & XFEATURE_X87) || (val & ~xstate_guest_mask()))
		return false;
	if ((val & XFEATURE_AVX) && !(val & XFEATURE_SSE))
		return false;
	return !avx512 || (avx512 == XFEATURE_AVX512 && (val & XFEATURE_AVX));
}

/* Runs inside v's slice: the CPU's XCR0 is v's, so it is set at once. */
int xstate_xsetbv(struct vcpu *v, uint32_t index, uint64_t val)
{
	if (index != 0 || !xstate_mask || !xstate_xcr0_valid(val))
		return -E_INVAL;
	v->xs.xcr0 = val;
	xsetbv(0, val);
	return 0;
}
