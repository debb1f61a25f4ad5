/*
 * hang.c - a fake hypervisor that stops making progress after one line.
 */
#include <inc/x86.h>
#include "fake.h"

void kernel_main(struct boot_info *bi)
{
	fake_puts("hvlab: ready in 1 us\r\n");
	for (;;)
		__asm__ volatile("pause");
}
