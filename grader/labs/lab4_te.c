/*
 * lab4_te.c - lab 4 in the trap-and-emulate VMM: a te guest turns 4-level
 * paging on with its own tables, which te runs on the shadow's tables
 * (kernel/mm/shadow.c); its own #PF come with the CPU's error code and
 * CR2, INVLPG drops a remapped page, and its user mode, which runs at
 * CPL 3 like its kernel, sees only user pages (ring compression: the
 * shadow's user view).  Guest: guests/te-shadow.  Points: lab4.points.
 */
#include <criterion/criterion.h>
#include "../grader.h"

#define TE_SHADOW                                                    \
	{                                                            \
		"te-shadow", "name = \"te-shadow\"\ntype = \"te\"\n" \
			     "kernel = \"guests/te-shadow.elf\"\n"   \
			     "memory = 16\n"                         \
	}

Test(lab4, te_shadow, .timeout = 400)
{
	struct hv_run *r = hv_boot(&(struct hv_cfg){ .domains = { TE_SHADOW },
						     .qemu_cpu = "max,-svm" });

	expect_result(r, "te-shadow: PASS: paging on with the guest's tables: "
			 "CR0.PG, EFER.LMA, CR3");
	expect_result(r, "te-shadow: PASS: with CR0.WP: #PF error 0x3 (W|P)");
	expect_result(r, "te-shadow: PASS: invlpg: the remapped page reads "
			 "its new frame");
	expect_result(r, "te-shadow: PASS: user read of a supervisor page: "
			 "#PF error 0x5 (U|P)");
	expect_result(r, "te-shadow: PASS: cli in user mode: #GP(0)");
	expect_result(r, "te-shadow: PASS: int $0x80 from user mode: frame CS "
			 "0x33 on the TSS.RSP0 stack");
	expect_domain_exit(r, "te-shadow", 0);
	expect_exit(r, 0);
}
