/*
 * reason.c - a fake hypervisor whose reason for failing is far above the
 * end of its output: te cannot deliver a #GP to one domain, which crashes,
 * another domain prints on for many lines, then the CPU triple-faults.
 * The diagnosis must still show the te line (grader/reason_comes_first).
 */
#include <inc/x86.h>
#include "fake.h"

/* Prints "other: PASS: step NN" for NN in [0, n). */
static void other_steps(int n)
{
	char line[] = "other: PASS: step 00 (a guest that says cannot)\r\n";

	for (int i = 0; i < n; i++) {
		line[18] = (char)('0' + i / 10);
		line[19] = (char)('0' + i % 10);
		fake_puts(line);
	}
}

void kernel_main(struct boot_info *bi)
{
	fake_puts("hvlab: ready in 1 us\r\n");
	fake_puts("domain te-hello: started (16 MiB, 1 vcpu)\r\n");
	fake_puts("domain other: started (16 MiB, 1 vcpu)\r\n");
	fake_puts("te: te-hello: cannot deliver vector 13: no usable gate or "
		  "stack\r\n");
	fake_puts("te: vcpu 0 rip=0000000000101000 rflags=0000000000000002 "
		  "(virtual IF 0)\r\n");
	fake_result(bi, "domain te-hello: crashed (triple fault)");
	other_steps(40);
	fake_triple_fault();
}
