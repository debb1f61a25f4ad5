/*
 * lab8_exit.c - lab 8's third option, the cost of a hardware exit: on
 * SVM the state VMLOAD and VMSAVE switch is switched once per scheduler
 * slice instead of at every exit (svm/svm.c's svm_slice and
 * svm_state_sync).  Points: lab8.points, exit section.
 *
 * One boot with "bench exit_state=alternate": slices alternate between
 * the eager world switch and the lazy one, and kernel/bench.c times
 * guests/bench's CPUID exits in each, the fastest chunk of 100 in a row
 * of each kind (the machine's other work falls in the slower ones);
 * under Bochs the TSC counts instructions.  Beside it two guests/lazy
 * fill that state with values of their own and read it back across
 * thousands of exits and slices, and lab 3's guests/exits checks every
 * register across the world switch.  VT-x has no such option in hvlab:
 * the tests SKIP there.
 *
 * Bugs these tests catch, bug: the tests that fail:
 *   the handout's stub (never lazy): state_cost
 *   the guest's state not loaded at a lazy slice's start: state_leak
 *     (a guest reads the host's or another guest's values), state_exits
 *   the guest's state not saved at its end: state_leak
 *   no sync before a read (RDMSR after SWAPGS reads the VMCB's stale
 *     copy): state_leak, state_exits
 *   the host's state not given back (TR): the hypervisor panics, every
 *     test fails with it
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../grader.h"

#define LAZY(name, seed)                                          \
	{                                                         \
		name, "name   = \"" name "\"\n"                   \
		      "kernel = \"guests/lazy.elf\"\n"            \
		      "extra  = \"seed=" seed "\"\nmemory = 16\n" \
	}

static const struct hv_cfg state = {
	.needs_virt = 1,
	.progress_timeout = 240,
	.timeout = 1200,
	.cmdline = "bench exit_state=alternate",
	.domains = {
		{ "bench", "name   = \"bench\"\n"
			   "kernel = \"guests/bench.elf\"\n"
			   "extra  = \"n=10000 vmmcall=1 loop=1\"\n"
			   "memory = 16\n" },
		LAZY("lazy-a", "17"),
		LAZY("lazy-b", "34"),
		{ "exits", "name   = \"exits\"\n"
			   "kernel = \"guests/exits.elf\"\nmemory = 16\n" },
	},
};

/* SKIPs the test on VT-x, which has no lazy option here. */
static struct hv_run *boot_state(void)
{
	struct hv_run *r = hv_boot_group("state", &state);

	if (strstr(r->machine, "vmx"))
		cr_skip_test("the lazy VMLOAD state is SVM's (%s)", r->machine);
	return r;
}

/* Both guests keep their own values across slices of each other. */
Test(lab8, state_leak, .timeout = 1800)
{
	static const char *const passes[] = { "lazy state: ", NULL };
	struct hv_run *r = boot_state();

	expect_guest_passed(r, "lazy-a", passes);
	expect_guest_passed(r, "lazy-b", passes);
}

/* Lab 3's register checks across the world switch, lazy or eager. */
Test(lab8, state_exits, .timeout = 1800)
{
	expect_guest_passed(boot_state(), "exits", NULL);
}

/*
 * A CPUID exit in a lazy slice against one in an eager slice, the same
 * boot: the fastest chunk of each, lazy/eager at most 0.9 (QEMU TCG
 * measured 0.6 to 0.7: four VMLOAD and VMSAVE fewer per exit).
 */
Test(lab8, state_cost, .timeout = 1800)
{
	struct hv_run *r = boot_state();
	const struct hv_line *l = hv_find_output(r, "bench-exit-state: bench:");
	unsigned long long eager = 0, lazy = 0;
	const char *p = l ? strstr(l->text, "fastest chunk eager ") : NULL;

	cr_assert(p && sscanf(p, "fastest chunk eager %llu, lazy %llu",
			      &eager, &lazy) == 2 &&
			  eager > 0,
		  "[wrong result] no \"bench-exit-state: bench: ... fastest "
		  "chunk eager N, lazy M\" line: no lazy slice ran CPUID exits "
		  "(svm_slice sets v->lazy_state): %s\n    log: %s",
		  hv_diagnose(r), r->log);
	cr_expect(lazy * 10 <= eager * 9,
		  "[wrong result] a CPUID exit costs %llu cycles in a lazy "
		  "slice against %llu in an eager one: want at most 0.9 of "
		  "it\n    log: %s",
		  lazy, eager, r->log);
}
