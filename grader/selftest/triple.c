/*
 * triple.c - a fake hypervisor that triple-faults: with an empty IDT the
 * breakpoint escalates to #GP, #DF and a CPU shutdown.
 */
#include <inc/x86.h>
#include "fake.h"

void kernel_main(struct boot_info *bi)
{
	fake_puts("hvlab: ready in 1 us\r\n");
	fake_triple_fault();
}
