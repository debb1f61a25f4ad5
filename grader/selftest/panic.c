/*
 * panic.c - a fake hypervisor that panics the way kernel/panic does:
 * a panic line, a register dump, a backtrace, exit status 1.
 */
#include "fake.h"

void kernel_main(struct boot_info *bi)
{
	fake_puts("hvlab: ready in 1 us\r\n");
	fake_puts("hvlab: panic at grader/selftest/panic.c:12: page_alloc: "
		  "free list corrupted\r\n");
	fake_puts("  rip ffffffff80101234  rsp ffffffff80120f00  rbp "
		  "ffffffff80120f20\r\n");
	fake_puts("  backtrace: page_alloc+0x24 kernel_main+0x10\r\n");
	fake_result(bi, "hvlab: exit status 1");
	fake_exit(1);
}
