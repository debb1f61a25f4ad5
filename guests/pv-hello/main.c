/*
 * pv-hello - the smallest PV guest (lab 6): it starts in either container,
 * prints through console_io what the domain builder told it, and ends with
 * SCHEDOP_shutdown.  A first check of guests/lib's PV start code.
 */
#include <guests/lib/pv.h>

void main(void)
{
	printf("pv-hello: container %s, %llu KiB RAM, cmdline \"%s\"%s\n",
	       pv_in_te() ? "te" : "hvm",
	       (unsigned long long)(pv_boot.ram_bytes / KiB), pv_boot.cmdline,
	       pv_boot.privileged ? ", privileged" : "");
	report(pv_boot.cpuid_base != 0, "Xen's CPUID leaves at 0x%x",
	       pv_boot.cpuid_base);
	report(HYPERVISOR_shared_info != NULL, "shared_info at %p",
	       (void *)HYPERVISOR_shared_info);
}
