/*
 * insn.c - privileged-instruction attacks (lab 3): reserved and
 * inconsistent CR0/CR4/EFER values (SDM 3A 2.5, 2.2.1), XSETBV/XGETBV
 * (SDM 3A 13.3), MOV to DR4, and every SVM and VMX instruction, which a
 * guest must see as #UD (or VMCALL/VMMCALL as a failing hypercall).
 */
#include <guests/hostile/hostile.h>

#define HYPERCALL_ENOSYS ((uint32_t)-38)

static uint32_t insn_cr0(void)
{
	uint32_t v;

	__asm__ volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

static uint32_t insn_cr4(void)
{
	uint32_t v;

	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static int insn_write_cr0(uint32_t val)
{
	uint32_t c = 0, d = 0;

	return PROBE("mov %%eax, %%cr0", val, c, d);
}

static int insn_write_cr4(uint32_t val)
{
	uint32_t c = 0, d = 0;

	return PROBE("mov %%eax, %%cr4", val, c, d);
}

static void insn_cr(void)
{
	uint32_t cr0 = insn_cr0(), cr4 = insn_cr4();
	uint32_t a, c, d;
	uint64_t efer;

	report(insn_write_cr0((cr0 & ~CR0_PE) | CR0_PG) == T_GP &&
		       insn_cr0() == cr0,
	       "CR0.PG without PE: #GP, CR0 unchanged");
	report(insn_write_cr0((cr0 & ~CR0_CD) | CR0_NW) == T_GP,
	       "CR0.NW without CD: #GP");
	report(insn_write_cr4(cr4 | (1u << 31)) == T_GP,
	       "CR4 reserved bit 31: #GP");
	report(insn_write_cr4(cr4 | CR4_LA57) == T_GP, "CR4.LA57: #GP");
	report(insn_write_cr4(cr4 | (uint32_t)CR4_VMXE) == T_GP,
	       "CR4.VMXE: #GP");
	report(insn_write_cr4(cr4 | CR4_SMXE) == T_GP, "CR4.SMXE: #GP");
	report(insn_write_cr4(cr4 | (uint32_t)CR4_OSXSAVE) ==
		       ((cpuid(1, 0).ecx & (1u << 26)) ? NO_TRAP : T_GP),
	       "CR4.OSXSAVE: allowed exactly when CPUID offers XSAVE");
	insn_write_cr4(cr4);
	report(insn_write_cr4(cr4 | CR4_PKE) == T_GP,
	       "CR4.PKE: #GP (PKU is not offered)");

	efer = rdmsr(MSR_EFER);
	wrmsr(MSR_EFER, efer | EFER_LME);
	report(insn_write_cr0(cr0 | CR0_PG) == T_GP && !(insn_cr0() & CR0_PG),
	       "CR0.PG with EFER.LME and CR4.PAE clear: #GP");
	wrmsr(MSR_EFER, efer);
	paging_on_4m();
	a = (uint32_t)(efer | EFER_LME);
	c = MSR_EFER;
	d = efer >> 32;
	report(PROBE("wrmsr", a, c, d) == T_GP,
	       "EFER.LME changed while paging: #GP");
	paging_off();

	insn_write_cr4(cr4 | CR4_DE);
	a = 0;
	report(PROBE("mov %%eax, %%dr4", a, c, d) == T_UD,
	       "MOV to DR4 with CR4.DE set: #UD");
	insn_write_cr4(cr4);
}

/* With CR4.OSXSAVE clear; attack=xsave tests them with it set. */
static void insn_xsave(void)
{
	uint32_t a = 7, c = 0, d = 0;

	report(!(cpuid(7, 0).ecx & (1u << 3)), "CPUID.7: PKU hidden");
	report(PROBE(".byte 0x0f, 0x01, 0xd1", a, c, d) == T_UD,
	       "XSETBV XCR0=7: #UD");
	a = 0;
	report(PROBE(".byte 0x0f, 0x01, 0xd0", a, c, d) == T_UD, "XGETBV: #UD");
}

#define INSN(name, bytes)   \
	{                   \
		name, bytes \
	}
static const struct {
	const char *name;
	const char *bytes;
} insn_virt[] = {
	INSN("VMRUN", "\x0f\x01\xd8"),
	INSN("VMLOAD", "\x0f\x01\xda"),
	INSN("VMSAVE", "\x0f\x01\xdb"),
	INSN("STGI", "\x0f\x01\xdc"),
	INSN("CLGI", "\x0f\x01\xdd"),
	INSN("SKINIT", "\x0f\x01\xde"),
	INSN("INVLPGA", "\x0f\x01\xdf"),
	INSN("VMLAUNCH", "\x0f\x01\xc2"),
	INSN("VMRESUME", "\x0f\x01\xc3"),
	INSN("VMXOFF", "\x0f\x01\xc4"),
	INSN("VMXON [eax]", "\xf3\x0f\xc7\x30"),
	INSN("VMPTRLD [eax]", "\x0f\xc7\x30"),
	INSN("VMCLEAR [eax]", "\x66\x0f\xc7\x30"),
	INSN("VMPTRST [eax]", "\x0f\xc7\x38"),
	INSN("VMREAD eax, ecx", "\x0f\x78\xc1"),
	INSN("VMWRITE ecx, eax", "\x0f\x79\xc8"),
	INSN("INVEPT ecx, [eax]", "\x66\x0f\x38\x80\x08"),
	INSN("INVVPID ecx, [eax]", "\x66\x0f\x38\x81\x08"),
	INSN("GETSEC", "\x0f\x37"),
};

/* Buffer the instruction under test is copied into, then executed. */
static uint8_t insn_buf[16] __attribute__((aligned(16)));

/*
 * Runs the bytes of one instruction, EAX pointing at zeroed memory; the
 * buffer ends in JMP *%EBX back to the probe's end.
 */
static int insn_run(const char *bytes)
{
	static uint8_t scratch[4096] __attribute__((aligned(4096)));
	size_t n = strlen(bytes);
	uint32_t a = (uint32_t)(uintptr_t)scratch, c = 0, d = 0;

	memcpy(insn_buf, bytes, n);
	insn_buf[n] = 0xff;
	insn_buf[n + 1] = 0xe3;
	probe_vec = NO_TRAP;
	__asm__ volatile("movl $1f, %3\n\t"
			 "movl $1f, %%ebx\n\t"
			 "jmp *%4\n"
			 "1:"
			 : "+a"(a), "+c"(c), "+d"(d), "=m"(probe_fixup)
			 : "r"(insn_buf)
			 : "ebx", "memory");
	return probe_vec;
}

static void insn_virt_sweep(void)
{
	unsigned i, bad = 0;

	for (i = 0; i < ARRAY_SIZE(insn_virt); i++) {
		int vec = insn_run(insn_virt[i].bytes);

		if (vec != T_UD) {
			bad++;
			printf("%s: vector %d, not #UD\n", insn_virt[i].name,
			       vec);
		}
	}
	report(bad == 0, "%u SVM/VMX/SMX instructions: each #UD (%u not)",
	       (unsigned)ARRAY_SIZE(insn_virt), bad);
}

/* A hypercall with junk registers ends in #UD or -ENOSYS, nothing more. */
static void insn_hypercall(const char *name, int vec, uint32_t eax)
{
	report(vec == T_UD || (vec == NO_TRAP && eax == HYPERCALL_ENOSYS),
	       "%s with EAX=0xffffffff: %s", name,
	       vec == T_UD    ? "#UD" :
	       vec == NO_TRAP ? "returns" :
				"other fault");
}

static void insn_hypercalls(void)
{
	uint32_t a = 0xffffffff, c = 0xdeadbeef, d = 0x80000000;
	int vec;

	vec = PROBE(".byte 0x0f, 0x01, 0xc1", a, c, d);
	insn_hypercall("VMCALL", vec, a);
	a = 0xffffffff;
	vec = PROBE(".byte 0x0f, 0x01, 0xd9", a, c, d);
	insn_hypercall("VMMCALL", vec, a);
}

void attack_insn(void)
{
	insn_cr();
	insn_xsave();
	insn_virt_sweep();
	insn_hypercalls();
}
