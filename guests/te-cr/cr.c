/*
 * te-cr - the virtual control registers under trap-and-emulate (lab 2).
 * Every MOV to CR0, CR3, CR4 or CR8 that a 64-bit CPU refuses is #GP(0)
 * and leaves the register as it was (SDM 2, "MOV - Move to/from Control
 * Registers"; SDM 3A 2.5); the writes it takes read back.  The guest
 * leaves paging off (te-paging turns it on), so CR3 is only recorded.  CR4 feature
 * bits follow CPUID behind the emulation prefix, the CPU the hypervisor
 * describes.
 */
#include <guests/te-lib/te.h>

#define CR4_BIT_RESERVED (1ULL << 15)
#define CR4_TSD		 (1ULL << 2)

/* The vector MOV to CRn raised, or -1. */
static int cr_write(int n, uint64_t v)
{
	if (n == 0)
		return TE_TRY("mov %0, %%cr0", "r"(v));
	if (n == 3)
		return TE_TRY("mov %0, %%cr3", "r"(v));
	if (n == 4)
		return TE_TRY("mov %0, %%cr4", "r"(v));
	return TE_TRY("mov %0, %%cr8", "r"(v));
}

/* A write the CPU refuses: #GP(0), and CRn keeps its value. */
static bool refused(int n, uint64_t v)
{
	uint64_t old = te_read_cr(n), now;
	int vec = cr_write(n, v);

	now = te_read_cr(n);
	if (vec == T_GP && te_fault_err == 0 && now == old)
		return true;
	printf("  te_emul_write_cr: cr%d <- 0x%llx: vector %d error 0x%llx, "
	       "cr%d 0x%llx -> "
	       "0x%llx\n",
	       n, (unsigned long long)v, vec, (unsigned long long)te_fault_err,
	       n, (unsigned long long)old, (unsigned long long)now);
	cr_write(n, old);
	return false;
}

/* A write the CPU takes: no fault, and CRn reads back as want. */
static bool taken(int n, uint64_t v, uint64_t want)
{
	int vec = cr_write(n, v);
	uint64_t now = te_read_cr(n);

	if (vec == -1 && now == want)
		return true;
	printf("  te_emul_write_cr: cr%d <- 0x%llx: vector %d, reads 0x%llx, "
	       "want 0x%llx\n",
	       n, (unsigned long long)v, vec, (unsigned long long)now,
	       (unsigned long long)want);
	return false;
}

static void test_cr0(void)
{
	uint64_t cr0 = te_read_cr(0);

	report(refused(0, cr0 | (1ULL << 32)), "cr0: bit 32 is #GP(0)");
	report(refused(0, cr0 & ~CR0_PE), "cr0: clearing PE is #GP(0)");
	report(refused(0, (cr0 | CR0_PG) & ~CR0_PE),
	       "cr0: PG without PE is #GP(0)");
	report(refused(0, (cr0 | CR0_NW) & ~CR0_CD),
	       "cr0: NW without CD is #GP(0)");
	report(taken(0, cr0 | CR0_TS | CR0_MP, cr0 | CR0_TS | CR0_MP) &&
		       taken(0, cr0 | CR0_CD | CR0_NW, cr0 | CR0_CD | CR0_NW) &&
		       taken(0, cr0 & ~CR0_ET, cr0 | CR0_ET),
	       "cr0: TS, MP, CD with NW taken; ET stays 1");
	__asm__ volatile("mov %0, %%cr0; clts" : : "r"(cr0 | CR0_TS));
	report(te_read_cr(0) == cr0, "cr0: clts clears TS");
}

/* MAXPHYADDR, CPUID.80000008H:EAX[7:0] (36 without the leaf). */
static unsigned maxphyaddr(void)
{
	if (te_pv_cpuid(0x80000000, 0).eax < 0x80000008)
		return 36;
	return te_pv_cpuid(0x80000008, 0).eax & 0xff;
}

static void test_cr3(void)
{
	uint64_t cr3 = te_read_cr(3), top = 1ULL << (maxphyaddr() - 1);

	report(refused(3, 1ULL << maxphyaddr()),
	       "cr3: a bit at MAXPHYADDR is #GP(0)");
	report(refused(3, 1ULL << 63), "cr3: bit 63 without PCIDE is #GP(0)");
	report(taken(3, top | 0x18, top | 0x18),
	       "cr3: bits below MAXPHYADDR taken");
	cr_write(3, cr3);
}

/* A CR4 bit is taken exactly when CPUID says the CPU has its feature. */
static bool cr4_feature(uint64_t bit, bool has)
{
	uint64_t cr4 = te_read_cr(4);
	bool ok = has ? taken(4, cr4 | bit, cr4 | bit) : refused(4, cr4 | bit);

	cr_write(4, cr4);
	return ok;
}

static void test_cr4(void)
{
	struct cpuid_regs l1 = te_pv_cpuid(1, 0), l7 = te_pv_cpuid(7, 0);
	uint64_t cr4 = te_read_cr(4);

	report(refused(4, cr4 & ~CR4_PAE), "cr4: clearing PAE is #GP(0)");
	report(refused(4, cr4 | CR4_BIT_RESERVED) &&
		       refused(4, cr4 | (1ULL << 63)),
	       "cr4: reserved bits 15 and 63 are #GP(0)");
	report(refused(4, cr4 ^ CR4_LA57), "cr4: changing LA57 is #GP(0)");
	report(cr4_feature(CR4_VMXE, l1.ecx & (1u << 5)) &&
		       cr4_feature(CR4_SMXE, l1.ecx & (1u << 6)),
	       "cr4: VMXE and SMXE follow CPUID.1:ECX");
	report(cr4_feature(CR4_PGE, l1.edx & (1u << 13)) &&
		       cr4_feature(CR4_PCIDE, l1.ecx & (1u << 17)),
	       "cr4: PGE and PCIDE follow CPUID.1");
	report(cr4_feature(CR4_FSGSBASE, l7.ebx & (1u << 0)) &&
		       cr4_feature(CR4_SMEP, l7.ebx & (1u << 7)) &&
		       cr4_feature(CR4_SMAP, l7.ebx & (1u << 20)) &&
		       cr4_feature(CR4_UMIP, l7.ecx & (1u << 2)),
	       "cr4: FSGSBASE, SMEP, SMAP and UMIP follow CPUID.7");
	cr_write(3, 0x18);
	report(refused(4, cr4 | CR4_PCIDE), "cr4: PCIDE with CR3[11:0] != 0 "
					    "is #GP(0)");
	cr_write(3, 0);
	report(taken(4, cr4 ^ CR4_TSD, cr4 ^ CR4_TSD) && taken(4, cr4, cr4),
	       "cr4: TSD toggled");
}

static void test_cr8(void)
{
	report(refused(8, 16), "cr8: 16 is #GP(0)");
	report(taken(8, 15, 15) && taken(8, 0, 0), "cr8: 15 and 0 taken");
}

/* CPUID behind the emulation prefix answers from the hypervisor. */
static void test_cpuid(void)
{
	struct cpuid_regs r = te_pv_cpuid(0x40000000, 0);
	char sig[13];

	cpuid_signature(&r, sig);
	report(strcmp(sig, "hvlabhvlabhv") == 0 && r.eax >= 0x40000000,
	       "prefixed cpuid: leaf 0x40000000 is \"%s\"", sig);
}

void main(void)
{
	te_catch_faults();
	test_cpuid();
	test_cr0();
	test_cr3();
	test_cr4();
	test_cr8();
}
