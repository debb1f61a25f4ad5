/*
 * lab3.c - lab 3 (VT-x / SVM): the guest ladder (real, protected and long
 * mode, CPUID, UART, MSR and timer exits), two domains at once, a guest
 * that triple-faults, one that spins forever, and bad configs and images
 * that must not stop the other domains.  Points: lab3.points.
 *
 * A long-mode rung, exits, checks the registers after each kind of exit.
 *
 * Each test runs on the selected vendor (VENDOR=svm: QEMU TCG -cpu max,
 * VENDOR=vmx: Bochs).  Boots are shared by groups of tests
 * (hv_boot_group), each test scoring its own domain, so that a Bochs run
 * needs four boots, not twelve.  Guests get the token through their
 * config's extra= line; their PASS, SUMMARY and the hypervisor's "domain
 * NAME: exit N" lines count only with it.
 *
 * Student bugs these tests catch (each applied to the reference, then
 * make grade LAB=3; "(vmx)" under Bochs), bug: the tests that fail:
 *   LOAD_GUEST_GPRS skips R15, SAVE_GUEST_GPRS skips RBP: long_mode,
 *     exit_state; vmx_vmrun does not store guest RAX (vmx): the same
 *   svm_vmrun: no VMSAVE after VMRUN, or no VMLOAD before: exit_state
 *   svm_vmrun: no VMLOAD of the host area: all (svm_vcpu_run panics)
 *   vmcb_init_control: no VMMCALL intercept; vmcs_init_controls: no #UD
 *     in the exception bitmap (vmx): exit_state
 *   vmcb_init_control: no HLT intercept: hostile_hang; no CR4 write
 *     intercept: hostile_insn; no CR0 write intercept: long_mode,
 *     hostile_insn; no INTR intercept: spin, two_domains
 *   npt_leaf: leaves without U: every rung
 *   svm_decode_io: port cut to 8 bits: uart; 32-bit size taken as
 *     8-bit: hostile_io, exit_state
 *   svm_insn_len ignores prefixes: exit_state (REX.W CPUID)
 *   exit_io: IN AL/AX zero-extends, IN EAX keeps RAX[63:32]: exit_state
 *   exit_cpuid: subleaf 0 always, or 32-bit register writes: exit_state
 * Not caught, because no guest can tell: the same ASID for every domain
 * (TCG flushes the TLB on each world switch).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include "../grader.h"

/* Seconds a spinning domain may run (timeout= on the command line). */
#define SPIN_TIMEOUT_S "5"

#define GUEST(name, image, mem)                                                \
	{                                                                      \
		name, "name   = \"" name "\"\nkernel = \"guests/" image "\"\n" \
		      "memory = " #mem "\n"                                    \
	}

/* The ladder: every rung in one boot, each domain scored by its test. */
static const struct hv_cfg ladder = {
	.needs_virt = 1,
	.domains = {
		{ "real", "name        = \"real\"\nkernel      = \"guests/real.bin\"\n"
			  "kernel_addr = 0x7c00\nboot_mode   = \"real\"\n"
			  "memory      = 4\n" },
		GUEST("hello", "hello.elf", 16),
		GUEST("long", "long.elf", 16),
		GUEST("cpuid", "cpuid.elf", 16),
		GUEST("uart", "uart.elf", 16),
		GUEST("msr", "msr.elf", 16),
		GUEST("timer", "timer.elf", 16),
		GUEST("exits", "exits.elf", 16),
	},
};

/* Two domains at once, and a third that triple-faults beside them. */
static const struct hv_cfg pair = {
	.needs_virt = 1,
	.domains = {
		{ "twin-a", "name   = \"twin-a\"\nkernel = \"guests/twin.elf\"\n"
			    "extra  = \"name=twin-a\"\nmemory = 16\n" },
		{ "twin-b", "name   = \"twin-b\"\nkernel = \"guests/twin.elf\"\n"
			    "extra  = \"name=twin-b\"\nmemory = 16\n" },
		{ "triple", "name     = \"triple\"\nkernel   = \"guests/triple.elf\"\n"
			    "memory   = 16\non_crash = \"destroy\"\n" },
	},
};

/* Line numbers of the faults below, as the hypervisor must name them. */
#define BADCFG_KEY_LINE	   "4"
#define BADELF_KERNEL_LINE "2"
static const char bad_elf[64] = "\177ELX not an ELF header";

/* A config and an image that are wrong, and a bystander that must run. */
static const struct hv_cfg faults = {
	.needs_virt = 1,
	.domains = {
		{ "badcfg", "name   = \"badcfg\"\nkernel = \"guests/hello.elf\"\n"
			    "memory = 16\ncolour = \"blue\"\n" },
		{ "badelf", "name   = \"badelf\"\nkernel = \"badelf.elf\"\n"
			    "memory = 16\n" },
		GUEST("bystander", "hello.elf", 16),
	},
	.files = { { "badelf.elf", bad_elf, sizeof(bad_elf) } },
};

/* A guest that spins with interrupts off, and one that must still finish. */
static const struct hv_cfg spinning = {
	.needs_virt = 1,
	.cmdline = "timeout=" SPIN_TIMEOUT_S,
	.domains = {
		GUEST("spin", "spin.elf", 16),
		GUEST("bystander", "hello.elf", 16),
	},
};

/* Index of the first line, tokened or not, that equals text; -1 if none. */
static long line_index(const struct hv_run *r, const char *text)
{
	for (size_t i = 0; i < r->nlines; i++)
		if (strcmp(r->lines[i].text, text) == 0)
			return (long)i;
	return -1;
}

/*
 * Guest NAME passed: each of its PASS lines, no FAIL line, a SUMMARY with
 * no failure, and "domain NAME: exit 0", all tokened.
 */
static void expect_guest(struct hv_run *r, const char *name,
			 const char *const passes[])
{
	char want[256], fail[64], summary[64];
	size_t flen, slen;

	for (; *passes; passes++) {
		snprintf(want, sizeof(want), "%s: PASS: %s", name, *passes);
		expect_result(r, want);
	}
	flen = (size_t)snprintf(fail, sizeof(fail), "%s: FAIL: ", name);
	slen = (size_t)snprintf(summary, sizeof(summary),
				"%s: SUMMARY: ", name);
	int summary_ok = 0;
	for (size_t i = 0; i < r->nlines; i++) {
		const struct hv_line *l = &r->lines[i];
		if (!l->tokened)
			continue;
		cr_expect(strncmp(l->text, fail, flen) != 0,
			  "[wrong result] %s\n    log: %s", l->text, r->log);
		if (strncmp(l->text, summary, slen) == 0 &&
		    strstr(l->text, " tests, 0 failed"))
			summary_ok = 1;
	}
	if (!summary_ok)
		cr_assert_fail(
			"expected result line \"%sN tests, 0 failed\"\n  %s",
			summary, hv_diagnose(r));
	expect_domain_exit(r, name, 0);
}

Test(lab3, real_mode, .timeout = 900)
{
	struct hv_run *r = hv_boot_group("ladder", &ladder);

	expect_domain_exit(r, "real", 0);
	/* The 512-byte boot sector prints no token; its exit status counts. */
	expect_output(r, "real: PASS: real mode: CR0.PE clear");
}

Test(lab3, protected_mode, .timeout = 900)
{
	static const char *const passes[] = { "protected mode: CR0.PE set",
					      "paging off: CR0.PG clear",
					      NULL };

	expect_guest(hv_boot_group("ladder", &ladder), "hello", passes);
}

Test(lab3, long_mode, .timeout = 900)
{
	static const char *const passes[] = { "CR0.PG, CR0.PE and CR4.PAE set",
					      "identity-mapped RAM at 8 MiB",
					      "64-bit code", NULL };

	expect_guest(hv_boot_group("ladder", &ladder), "long", passes);
}

Test(lab3, cpuid, .timeout = 900)
{
	static const char *const passes[] = { "leaf 1: hypervisor bit set",
					      "leaf 1: VMX hidden",
					      "leaf 1: MONITOR/MWAIT hidden",
					      NULL };

	expect_guest(hv_boot_group("ladder", &ladder), "cpuid", passes);
}

Test(lab3, uart, .timeout = 900)
{
	static const char *const passes[] = {
		"scratch register keeps what was written", "LCR reads back 8N1",
		"IER reads back 0x05", "transmit through THR", NULL
	};

	expect_guest(hv_boot_group("ladder", &ladder), "uart", passes);
}

Test(lab3, msr, .timeout = 900)
{
	static const char *const passes[] = {
		"rdmsr 0x12345678: #GP(0) delivered",
		"wrmsr 0x12345678: #GP delivered",
		"rdmsr IA32_TIME_STAMP_COUNTER works", NULL
	};

	expect_guest(hv_boot_group("ladder", &ladder), "msr", passes);
}

Test(lab3, timer, .timeout = 900)
{
	static const char *const passes[] = {
		"one-shot APIC timer woke the HLT (1 interrupts)",
		"current count reached 0", NULL
	};

	expect_guest(hv_boot_group("ladder", &ladder), "timer", passes);
}

/*
 * Registers after exits, from a long-mode guest: a bug in the world switch
 * or an exit handler that the other rungs never see (one lost GPR, IN AL
 * clearing RAX, CPUID leaving junk above EAX, a missing intercept).
 */
Test(lab3, exit_state, .timeout = 900)
{
	static const char *const passes[] = {
		"world switch (svm_vmrun / vmx_vmrun, LOAD_GUEST_GPRS, "
		"SAVE_GUEST_GPRS): RAX-R15 kept across 4 OUT exits",
		"exit_io: IN AL merges into RAX, other GPRs kept",
		"exit_io: IN AX merges into RAX, other GPRs kept",
		"exit_io: IN EAX zero-extends into RAX, other GPRs kept",
		"exit_cpuid: CPUID clears the upper halves of RAX-RDX, other "
		"GPRs kept",
		"svm_insn_len: REX.W CPUID (48 0F A2) skipped as 3 bytes",
		"VMMCALL intercepted (vmcb_init_control / vmcs_init_controls): "
		"RAX = -ENOSYS, other GPRs kept (0 #UD)",
		"world switch (VMLOAD/VMSAVE, or the VMCS): GS base and "
		"KernelGSBase follow SWAPGS across exits (0 wrong)",
		NULL
	};

	expect_guest(hv_boot_group("ladder", &ladder), "exits", passes);
}

Test(lab3, two_domains, .timeout = 900)
{
	static const char *const a[] = { "twin-a printed 5 lines", NULL };
	static const char *const b[] = { "twin-b printed 5 lines", NULL };
	struct hv_run *r = hv_boot_group("pair", &pair);

	expect_guest(r, "twin-a", a);
	expect_guest(r, "twin-b", b);
	long a1 = line_index(r, "twin-a: twin-a: line 1 of 5");
	long a5 = line_index(r, "twin-a: twin-a: line 5 of 5");
	long b1 = line_index(r, "twin-b: twin-b: line 1 of 5");
	long b5 = line_index(r, "twin-b: twin-b: line 5 of 5");
	cr_expect(a1 >= 0 && b1 >= 0 && b1 < a5 && a1 < b5,
		  "[wrong result] twin-a and twin-b did not run at the same "
		  "time: each printed all its lines before the other's first "
		  "(or lines are missing)\n    log: %s",
		  r->log);
}

Test(lab3, triple_fault, .timeout = 900)
{
	static const char *const a[] = { "twin-a printed 5 lines", NULL };
	struct hv_run *r = hv_boot_group("pair", &pair);

	expect_result(r, "domain triple: crashed (triple fault)");
	expect_guest(r, "twin-a", a);
	expect_exit(r, 1);
}

Test(lab3, spin, .timeout = 900)
{
	static const char *const passes[] = { "protected mode: CR0.PE set",
					      NULL };
	struct hv_run *r = hv_boot_group("spin", &spinning);

	expect_result(r, "domain spin: crashed (timed out after " SPIN_TIMEOUT_S
			 " s)");
	expect_guest(r, "bystander", passes);
	expect_exit(r, 1);
}

Test(lab3, bad_config, .timeout = 900)
{
	static const char *const passes[] = { "protected mode: CR0.PE set",
					      NULL };
	struct hv_run *r = hv_boot_group("faults", &faults);

	expect_result(r, "config domains/badcfg.cfg: rejected");
	expect_output(r, "domains/badcfg.cfg:" BADCFG_KEY_LINE
			 ": unknown key \"colour\"");
	expect_guest(r, "bystander", passes);
}

Test(lab3, bad_image, .timeout = 900)
{
	static const char *const passes[] = { "protected mode: CR0.PE set",
					      NULL };
	struct hv_run *r = hv_boot_group("faults", &faults);
	const struct hv_line *why;

	expect_result(r, "domain badelf: crashed (failed to start)");
	expect_output(r, "domains/badelf.cfg:" BADELF_KERNEL_LINE
			 ": kernel \"badelf.elf\": ");
	why = hv_find_output(r, "domains/badelf.cfg:" BADELF_KERNEL_LINE);
	cr_expect(strstr(why->text, "ELF") != NULL,
		  "[wrong result] the reason does not mention ELF: \"%s\"\n"
		  "    log: %s",
		  why->text, r->log);
	expect_guest(r, "bystander", passes);
}
