/*
 * pvstart.c - start-up of the pv domains (lab 6) after entrypv.S: the
 * unified boot view from hvm_start_info (hvm container) or start_info
 * (te container), Xen found and called (pv.c), the console through
 * console_io, and the end through SCHEDOP_shutdown.
 */
#include <guests/lib/pv.h>

#define E820_RAM 1

void pv_start(int container, uintptr_t info);

/*
 * Before the hypercall page works nothing can be printed: a guest that
 * cannot find Xen ends with #UD, which crashes only its domain.
 */
static void __attribute__((noreturn)) pv_early_fail(void)
{
	for (;;)
		__asm__ volatile("ud2");
}

/* Fills pv_boot from hvm_start_info (PVH, version >= 1 has the map). */
static void pv_boot_hvm(const struct hvm_start_info *si)
{
	const struct hvm_memmap_table_entry *map;

	if (si->magic != XEN_HVM_START_MAGIC_VALUE)
		pv_early_fail();
	pv_boot.hvm_si = si;
	if (si->cmdline_paddr)
		pv_boot.cmdline = (const char *)(uintptr_t)si->cmdline_paddr;
	if (si->nr_modules) {
		const struct hvm_modlist_entry *m = (const void *)(uintptr_t)
							    si->modlist_paddr;
		pv_boot.mod_start = m->paddr;
		pv_boot.mod_len = m->size;
	}
	map = (const void *)(uintptr_t)si->memmap_paddr;
	for (uint32_t i = 0; si->version >= 1 && i < si->memmap_entries; i++)
		if (map[i].type == E820_RAM)
			pv_boot.ram_bytes += map[i].size;
	pv_boot.privileged = si->flags & SIF_PRIVILEGED;
}

/* Fills pv_boot from classic PV's start_info. */
static void pv_boot_te(const struct start_info *si)
{
	if (strncmp(si->magic, XEN_START_INFO_MAGIC,
		    sizeof(XEN_START_INFO_MAGIC) - 1) != 0)
		pv_early_fail();
	pv_boot.si = si;
	pv_boot.cmdline = si->cmd_line;
	pv_boot.ram_bytes = si->nr_pages * 4096;
	pv_boot.mod_start = si->mod_start;
	pv_boot.mod_len = si->mod_len;
	pv_boot.privileged = si->flags & SIF_PRIVILEGED;
}

/* Called by entrypv.S with the container and its start structure. */
void pv_start(int container, uintptr_t info)
{
	struct xen_feature_info fi = { .submap_idx = 0 };

	pv_boot.container = container;
	pv_boot.cmdline = "";
	if (container == PV_CONTAINER_HVM)
		pv_boot_hvm((const void *)info);
	else
		pv_boot_te((const void *)info);
	if (!pv_hypercall_init())
		pv_early_fail();
	guest_init(pv_boot.cmdline, pv_boot.ram_bytes);
	if (HYPERVISOR_xen_version(XENVER_get_features, &fi) == 0 &&
	    (fi.submap & (1u << XENFEAT_dom0)))
		pv_boot.privileged = true;
	pv_shared_info_init();
	evtchn_init();
	pv_timer_init();
	pv_irq_enable();
	main();
	guest_exit(report_summary());
}

/* The console: a line buffer that console_io writes out whole. */
static char cons_buf[256];
static int cons_len;

void cons_init(void)
{
	cons_len = 0;
}

void pv_console_flush(void)
{
	if (cons_len)
		HYPERVISOR_console_io(CONSOLEIO_write, cons_len, cons_buf);
	cons_len = 0;
}

void cons_putc(int ch)
{
	cons_buf[cons_len++] = (char)ch;
	if (ch == '\n' || cons_len == sizeof(cons_buf))
		pv_console_flush();
}

long pv_shutdown(unsigned reason)
{
	struct sched_shutdown s = { .reason = reason };

	pv_console_flush();
	return HYPERVISOR_sched_op(SCHEDOP_shutdown, &s);
}

/* Status 0 powers off; any other is a failure, which Xen's ABI can only
 * say as a crash. */
void guest_exit(int status)
{
	long r = pv_shutdown(status == 0 ? SHUTDOWN_poweroff : SHUTDOWN_crash);

	printf("guest_exit: SCHEDOP_shutdown returned %ld; halting\n", r);
	pv_console_flush();
	for (;;) {
		cli();
		hlt();
	}
}
