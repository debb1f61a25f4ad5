/*
 * lab1.c - lab 1 (boot and memory): the self-checks of the page allocator
 * and the kernel page tables, a clean exit, the exception and panic paths,
 * and a machine too small to run in.  Points: lab1.points.
 */
#include <criterion/criterion.h>
#include <string.h>
#include "../grader.h"

/* The function kernel/main.c faults in for selftest=fault. */
#define FAULT_FUNCTION "main_selftest"
/*
 * trap_print's line for that fault: a supervisor read of the unmapped
 * address 0xdead000 (error code 0), then cr2, the address read.
 */
#define FAULT_LINE "hvlab: exception 14 (#PF) err=0x0 rip=0x"
#define FAULT_CR2  " cr2=0xdead000"
/* What the kernel says when the machine has too little memory. */
#define SMALL_MEMORY_MESSAGE "MiB of usable RAM; hvlab needs at least"

Test(lab1, page_alloc, .timeout = 400)
{
	struct hv_run *r = hv_boot(&(struct hv_cfg){ 0 });

	expect_result(r, "check_page_alloc() succeeded!");
}

/*
 * The allocator's contract beyond what the boot's self-check can see
 * (page_free panics on a page past the array, a double free, a
 * misaligned address): tests/test_page.c against the tree's page.c.
 */
Test(lab1, page_unit, .timeout = 200)
{
	expect_host_test("test_page", NULL);
}

Test(lab1, page_tables, .timeout = 400)
{
	struct hv_run *r = hv_boot(&(struct hv_cfg){ 0 });

	expect_result(r, "check_vm() succeeded!");
	expect_exit(r, 0);
}

Test(lab1, fault_dump, .timeout = 400)
{
	struct hv_run *r = hv_boot(
		&(struct hv_cfg){ .cmdline = "selftest=fault" });
	const char *first = expect_dump(r);

	cr_expect(strstr(first, "hvlab: exception") != NULL,
		  "[wrong result] want an exception dump, got \"%s\"\n    log: "
		  "%s",
		  first, r->log);
	cr_expect(strstr(first, FAULT_LINE) != NULL &&
			  strstr(first, FAULT_CR2) != NULL,
		  "[wrong result] trap_print: want \"" FAULT_LINE
		  "...%s\", got \"%s\"",
		  FAULT_CR2, first);
	expect_output(r, FAULT_FUNCTION);
	expect_failure_exit(r);
}

Test(lab1, panic_dump, .timeout = 400)
{
	struct hv_run *r = hv_boot(
		&(struct hv_cfg){ .cmdline = "selftest=panic" });
	const char *first = expect_dump(r);

	cr_expect(strstr(first, "hvlab: panic at") != NULL,
		  "[wrong result] want a panic dump, got \"%s\"\n    log: %s",
		  first, r->log);
	expect_failure_exit(r);
}

Test(lab1, small_memory, .timeout = 400)
{
	struct hv_run *r = hv_boot(&(struct hv_cfg){ .mem_mb = 64 });

	expect_output(r, SMALL_MEMORY_MESSAGE);
	expect_failure_exit(r);
}
