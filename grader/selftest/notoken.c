/*
 * notoken.c - a fake hypervisor that prints the expected lines without
 * doing the work: it does not know the run's token, so nothing counts.
 */
#include "fake.h"

void kernel_main(struct boot_info *bi)
{
	fake_puts("check_page_alloc() succeeded!\r\n");
	fake_puts("check_vm() succeeded! {0123456789abcdef}\r\n");
	fake_puts("hvlab: exit status 0\r\n");
	fake_exit(0);
}
