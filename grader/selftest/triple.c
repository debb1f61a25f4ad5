/*
 * triple.c - a fake hypervisor that triple-faults: with an empty IDT the
 * breakpoint escalates to #GP, #DF and a CPU shutdown.
 */
#include <inc/x86.h>
#include "fake.h"

void kernel_main(struct boot_info *bi)
{
	static const struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) empty = { 0, 0 };

	fake_puts("hvlab: ready in 1 us\r\n");
	__asm__ volatile("lidt %0; int3" : : "m"(empty));
	fake_exit(0);
}
