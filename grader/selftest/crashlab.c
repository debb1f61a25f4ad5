/*
 * crashlab.c - a fake lab whose tests die in every way a test process can
 * (abort, SIGSEGV, exit, Criterion's timeout, a crash in setup or
 * teardown) or skip; grader/crash_is_failure (selftest.c) grades it with
 * crashlab.points and checks each one costs its points, and
 * grader/test_narrows_suite grades one or two of them.  Outside those
 * self-tests (HV_CRASHLAB unset) every test SKIPs with the reason.
 */
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>
#include <criterion/criterion.h>

static int crashlab_on(void)
{
	return getenv("HV_CRASHLAB") != NULL;
}

static void crashlab_only(void)
{
	if (!crashlab_on())
		cr_skip_test("runs only when a grader self-test grades "
			     "crashlab");
}

static void crashlab_abort(void)
{
	if (crashlab_on())
		abort();
}

Test(crashlab, passes)
{
	crashlab_only();
}

Test(crashlab, aborts)
{
	crashlab_only();
	abort();
}

Test(crashlab, segfaults)
{
	crashlab_only();
	raise(SIGSEGV);
}

Test(crashlab, exits)
{
	crashlab_only();
	exit(3);
}

Test(crashlab, times_out, .timeout = 1)
{
	crashlab_only();
	for (;;)
		pause();
}

Test(crashlab, crashes_in_setup, .init = crashlab_abort)
{
	crashlab_only();
}

Test(crashlab, crashes_in_teardown, .fini = crashlab_abort)
{
	crashlab_only();
}

Test(crashlab, skips_with_reason)
{
	cr_skip_test("this host has no such capability");
}

Test(crashlab, skips_silently)
{
	crashlab_only();
	cr_skip_test("%s", "");
}

Test(crashlab, disabled, .disabled = true)
{
}
