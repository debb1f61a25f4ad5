/*
 * flood.c - a fake hypervisor that never stops printing.
 */
#include "fake.h"

void kernel_main(struct boot_info *bi)
{
	for (;;)
		fake_puts("flood flood flood flood flood flood flood flood "
			  "flood flood\r\n");
}
