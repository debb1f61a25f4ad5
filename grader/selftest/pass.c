/*
 * pass.c - a fake hypervisor that does everything right: token on every
 * result line, exit status 0.  Also the KVM probe: it reports the
 * virtualization extension CPUID shows (vmx: leaf 1 ECX bit 5; svm: leaf
 * 0x80000001 ECX bit 2).
 */
#include <inc/x86.h>
#include "fake.h"

static uint32_t fake_cpuid_ecx(uint32_t leaf)
{
	uint32_t a = leaf, b, c = 0, d;

	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	return c;
}

void kernel_main(struct boot_info *bi)
{
	fake_puts("hvlab: ready in 1 us\r\n");
	fake_puts((fake_cpuid_ecx(1) >> 5) & 1 ? "probe: vmx=1\r\n" :
						 "probe: vmx=0\r\n");
	fake_puts((fake_cpuid_ecx(0x80000001) >> 2) & 1 ? "probe: svm=1\r\n" :
							  "probe: svm=0\r\n");
	fake_result(bi, "check_page_alloc() succeeded!");
	fake_result(bi, "check_vm() succeeded!");
	fake_result(bi, "hvlab: exit status 0");
	fake_exit(0);
}
