/*
 * lab3_hostile.c - lab 3: hostile guests can crash only themselves.  Each
 * domain runs guests/hostile with attack=NAME (port I/O sweeps and string
 * I/O off the end of RAM, MSR sweeps, reserved CR/EFER/XCR0 values and
 * SVM/VMX instructions, exit storms, wild memory and page-table accesses,
 * a triple fault mid-REP-OUTS, HLT with interrupts off; two domains that
 * keep YMM and debug-register patterns across each other's slices) beside
 * a well-behaved bystander.  Each test asserts that its attackers ended as
 * they must (their PASS lines, or the hypervisor's "crashed (...)"), that
 * the bystander exits 0 and that the hypervisor reaches its final status.
 * Points: lab3.points.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include "../grader.h"

/* Exits of each kind the storm guest makes (n= on its command line). */
#define STORM_N "100000"

#define HOSTILE(name, attack)                                            \
	{                                                                \
		"hostile-" name,                                         \
			"name   = \"hostile-" name "\"\n"                \
			"kernel = \"guests/hostile.elf\"\nmemory = 16\n" \
			"extra  = \"attack=" attack "\"\n"               \
	}
#define BYSTANDER                                                \
	{                                                        \
		"bystander", "name   = \"bystander\"\nkernel = " \
			     "\"guests/hello.elf\"\n"            \
			     "memory = 16\n"                     \
	}

/*
 * Attacks the guest survives: each reports what it saw.  Bochs makes some
 * 10000 exits a second and runs its clock fast, so the sweeps get a long
 * domain timeout and the grader a long progress limit.
 */
static const struct hv_cfg survivors = {
	.needs_virt = 1,
	.cmdline = "timeout=3000",
	.progress_timeout = 240,
	.timeout = 900,
	.domains = {
		HOSTILE("io", "io"),
		HOSTILE("msr", "msr"),
		HOSTILE("insn", "insn"),
		HOSTILE("storm", "storm n=" STORM_N),
		HOSTILE("xsave-a", "xsave seed=1"),
		HOSTILE("xsave-b", "xsave seed=2 late=1"),
		BYSTANDER,
	},
};

/* Attacks that must end the attacker. */
static const struct hv_cfg crashers = {
	.needs_virt = 1,
	.domains = {
		HOSTILE("mem", "mem"),
		HOSTILE("mmio", "mmio"),
		HOSTILE("high", "high"),
		HOSTILE("top", "top"),
		HOSTILE("ptwalk", "ptwalk"),
		HOSTILE("triple", "triple"),
		HOSTILE("halt", "halt"),
		BYSTANDER,
	},
};

/* Domain NAME printed no tokened FAIL line and each of passes. */
static void expect_passes(struct hv_run *r, const char *name,
			  const char *const passes[])
{
	char want[256];

	for (; *passes; passes++) {
		snprintf(want, sizeof(want), "%s: PASS: %s", name, *passes);
		expect_result(r, want);
	}
	snprintf(want, sizeof(want), "%s: FAIL: ", name);
	cr_expect(hv_find_result_with(r, want, "") == NULL,
		  "[wrong result] %s\n    log: %s",
		  hv_find_result_with(r, want, "") ?
			  hv_find_result_with(r, want, "")->text :
			  "",
		  r->log);
}

/* The bystander finished and the hypervisor printed its final status. */
static void expect_bystander(struct hv_run *r)
{
	static const char *const passes[] = { "protected mode: CR0.PE set",
					      NULL };

	expect_guest_passed(r, "bystander", passes);
	expect_exit(r, 1);
}

Test(lab3, hostile_io, .timeout = 900)
{
	static const char *const passes[] = {
		"IN sweep: 65536 ports x 3 sizes, empty ports read as all "
		"ones (0 did not)",
		"OUT sweep: 65536 ports x 3 sizes survived",
		"rep outsb x 1 MiB: ECX 0x0, ESI 0x200000", NULL
	};
	struct hv_run *r = hv_boot_group("hostile", &survivors);

	expect_passes(r, "hostile-io", passes);
	expect_result(r, "domain hostile-io: crashed (ins at 0x1000000: "
			 "outside guest memory)");
	expect_bystander(r);
}

Test(lab3, hostile_msr, .timeout = 900)
{
	static const char *const passes[] = {
		"wrmsr sweep: every unknown MSR faults (0 did not)",
		"rdmsr EFER hides SVME",
		"wrmsr EFER.SVME: #GP",
		"wrmsr VM_HSAVE_PA: #GP",
		"wrmsr FEATURE_CONTROL: #GP",
		"wrmsr APIC_BASE moved to 0xfed00000: #GP",
		"wrmsr PAT with types 2 and 8: #GP",
		NULL
	};
	struct hv_run *r = hv_boot_group("hostile", &survivors);

	expect_guest_passed(r, "hostile-msr", passes);
	expect_bystander(r);
}

Test(lab3, hostile_insn, .timeout = 900)
{
	static const char *const passes[] = {
		"CR0.PG without PE: #GP, CR0 unchanged",
		"CR4 reserved bit 31: #GP",
		"CR4.OSXSAVE: allowed exactly when CPUID offers XSAVE",
		"EFER.LME changed while paging: #GP",
		"XSETBV XCR0=7: #UD",
		"19 SVM/VMX/SMX instructions: each #UD (0 not)",
		NULL
	};
	struct hv_run *r = hv_boot_group("hostile", &survivors);

	expect_guest_passed(r, "hostile-insn", passes);
	expect_bystander(r);
}

Test(lab3, hostile_storm, .timeout = 900)
{
	static const char *const passes[] = { STORM_N " CPUID and " STORM_N
						      " OUT exits",
					      NULL };
	struct hv_run *r = hv_boot_group("hostile", &survivors);

	expect_guest_passed(r, "hostile-storm", passes);
	expect_bystander(r);
}

Test(lab3, hostile_memory, .timeout = 900)
{
	struct hv_run *r = hv_boot_group("hostile_crash", &crashers);

	expect_result(r, "domain hostile-mem: crashed (read at 0x1000000 "
			 "outside guest memory (16 MiB))");
	expect_result(r, "domain hostile-mmio: crashed (write at 0xfeb00000 "
			 "outside guest memory (16 MiB))");
	expect_result(r, "domain hostile-high: crashed (read at 0x100000000 "
			 "outside guest memory (16 MiB))");
	expect_crash_with(r, "hostile-top", "outside guest memory");
	expect_crash_with(r, "hostile-ptwalk", "0x2000000");
	cr_expect(hv_find_result_with(r, "hostile-top: PASS: MAXPHYADDR ",
				      "reserved-bit flag") != NULL,
		  "[wrong result] hostile-top: no PASS for the reserved-bit "
		  "#PF\n  %s",
		  hv_diagnose(r));
	expect_bystander(r);
}

Test(lab3, hostile_hang, .timeout = 900)
{
	struct hv_run *r = hv_boot_group("hostile_crash", &crashers);

	expect_result(r, "domain hostile-triple: crashed (triple fault)");
	expect_result(r, "domain hostile-halt: crashed (vcpu 0 halted with "
			 "interrupts disabled)");
	expect_bystander(r);
}

/*
 * What one attack=xsave domain must report: the debug-register checks
 * always, the XSAVE ones when the hypervisor switches XSAVE state (its
 * "hvlab: XSAVE:" line), the AVX ones when that includes AVX (bit 2);
 * otherwise the guest's SKIP line for them.
 */
static void expect_xsave_domain(struct hv_run *r, const char *name,
				unsigned long long mask)
{
	static const char *const dr[] = {
		"DR0-3 zero at start",
		"DR0-3 kept across 6 x 5000 exits (0 rounds lost them)", NULL
	};
	static const char *const xsave[] = {
		"XSETBV and XGETBV without CR4.OSXSAVE: #UD",
		"CR4.OSXSAVE: CPUID.1 OSXSAVE, XCR0 1, XSAVE area 576 bytes",
		"XSETBV XCR1: #GP",
		"XSETBV without x87: #GP",
		"XSETBV AVX without SSE: #GP",
		"XSETBV XCR0 bit 10: #GP",
		"XSETBV reserved bit 63: #GP",
		"XCR0 still 1 after the faults",
		NULL
	};
	static const char *const avx[] = {
		"YMM0-7 upper halves zero when AVX is enabled (0 not)",
		"YMM0-7 kept across 6 x 5000 exits (0 rounds lost them)", NULL
	};
	char want[128];

	expect_guest_passed(r, name, dr);
	if (!mask) {
		snprintf(want, sizeof(want),
			 "%s: SKIP: XSAVE: CPUID.1 does not "
			 "offer it",
			 name);
		expect_result(r, want);
		return;
	}
	expect_passes(r, name, xsave);
	if (!(mask & 4)) {
		snprintf(want, sizeof(want),
			 "%s: SKIP: AVX: CPUID does not "
			 "offer it",
			 name);
		expect_result(r, want);
		return;
	}
	expect_passes(r, name, avx);
	snprintf(want, sizeof(want), "%s: PASS: XSETBV XCR0 7: XGETBV 7", name);
	cr_expect(hv_find_result_with(r, want, "XSAVE area ") != NULL,
		  "[wrong result] no line \"%s, XSAVE area N bytes\"\n  %s",
		  want, hv_diagnose(r));
}

Test(lab3, hostile_xsave, .timeout = 900)
{
	struct hv_run *r = hv_boot_group("hostile", &survivors);
	const struct hv_line *l = hv_find_output(r, "hvlab: XSAVE: ");
	const char *sw = l ? strstr(l->text, "guests may set 0x") : NULL;
	unsigned long long mask = 0;

	cr_expect(l || hv_find_output(r, "hvlab: no XSAVE"),
		  "[wrong result] no \"hvlab: XSAVE: ...\" or \"hvlab: no "
		  "XSAVE\" line\n  %s",
		  hv_diagnose(r));
	if (sw && sscanf(sw, "guests may set 0x%llx", &mask) != 1)
		mask = 0;
	cr_expect(!l || mask, "[wrong result] unreadable line \"%s\"",
		  l ? l->text : "");
	expect_xsave_domain(r, "hostile-xsave-a", mask);
	expect_xsave_domain(r, "hostile-xsave-b", mask);
	expect_bystander(r);
}
