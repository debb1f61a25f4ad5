/*
 * pv-hello - the smallest PV guest (lab 6): it starts in either container,
 * prints through console_io what the domain builder told it, and ends with
 * SCHEDOP_shutdown.  A first check of guests/lib's PV start code, and a
 * plain PV bystander.  extra="exit=crash" (or reboot, watchdog) ends it
 * with that reason instead, after its reports.
 */
#include <guests/lib/pv.h>

/* Ends with SCHEDOP_shutdown(reason named by how), if how names one. */
static void pv_exit_as(const char *how)
{
	static const char *const names[] = {
		[SHUTDOWN_reboot] = "reboot",
		[SHUTDOWN_crash] = "crash",
		[SHUTDOWN_watchdog] = "watchdog",
	};

	for (unsigned r = 0; how && r < ARRAY_SIZE(names); r++)
		if (names[r] && strcmp(how, names[r]) == 0) {
			printf("pv-hello: SCHEDOP_shutdown(%s)\n", how);
			report_summary();
			pv_shutdown(r);
		}
}

void main(void)
{
	char how[16];

	printf("pv-hello: container %s, %llu KiB RAM, cmdline \"%s\"%s\n",
	       pv_in_te() ? "te" : "hvm",
	       (unsigned long long)(pv_boot.ram_bytes / KiB), pv_boot.cmdline,
	       pv_boot.privileged ? ", privileged" : "");
	report(pv_boot.cpuid_base != 0, "Xen's CPUID leaves at 0x%x",
	       pv_boot.cpuid_base);
	report(HYPERVISOR_shared_info != NULL, "shared_info at %p",
	       (void *)HYPERVISOR_shared_info);
	pv_exit_as(cmdline_get("exit", how, sizeof(how)));
}
