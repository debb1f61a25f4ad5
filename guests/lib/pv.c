/*
 * pv.c - start-up of the PV guests (lab 6) after entrypv.S: the unified
 * boot view from hvm_start_info (hvm container) or start_info (te
 * container), discovery of Xen's CPUID leaves as Linux does it
 * (arch/x86/include/asm/xen/hypervisor.h: "XenVMMXenVMM" at 0x40000000 +
 * n * 0x100), the hypercall page, shared_info, the console through
 * console_io, and the end through SCHEDOP_shutdown.
 */
#include <guests/lib/pv.h>
#include <inc/public/te.h>

#define XEN_CPUID_FIRST 0x40000000
#define XEN_CPUID_LAST	0x4000ff00
#define XEN_CPUID_STEP	0x100
#define E820_RAM	1

struct pv_boot pv_boot;
struct shared_info *HYPERVISOR_shared_info;
uint8_t hypercall_page[4096] __attribute__((aligned(4096)));

/* The page the hvm container's shared_info goes to (add_to_physmap). */
static uint8_t shared_info_page[4096] __attribute__((aligned(4096)));

void pv_start(int container, uintptr_t info);

struct cpuid_regs pv_cpuid(uint32_t leaf, uint32_t subleaf)
{
	struct cpuid_regs r;

	if (!pv_in_te())
		return cpuid(leaf, subleaf);
	__asm__ volatile(TE_EMULATE_PREFIX "cpuid"
			 : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
			 : "a"(leaf), "c"(subleaf));
	return r;
}

/*
 * Before the hypercall page works nothing can be printed: a guest that
 * cannot find Xen ends with #UD, which crashes only its domain.
 */
static void __attribute__((noreturn)) pv_early_fail(void)
{
	for (;;)
		__asm__ volatile("ud2");
}

/* The first base whose leaf holds Xen's signature with base + 2 in
 * range, or 0. */
static uint32_t pv_find_xen(void)
{
	for (uint32_t base = XEN_CPUID_FIRST; base <= XEN_CPUID_LAST;
	     base += XEN_CPUID_STEP) {
		struct cpuid_regs r = pv_cpuid(base, 0);

		if (r.ebx == XEN_CPUID_SIGNATURE_EBX &&
		    r.ecx == XEN_CPUID_SIGNATURE_ECX &&
		    r.edx == XEN_CPUID_SIGNATURE_EDX && r.eax >= base + 2)
			return base;
	}
	return 0;
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

/* Asks for the hypercall page (CPUID base + 2: the MSR) and checks the
 * hypervisor filled it. */
static void pv_hypercall_page_init(void)
{
	uint32_t msr = pv_cpuid(pv_boot.cpuid_base + 2, 0).ebx;

	wrmsr(msr, (uintptr_t)hypercall_page);
	if (hypercall_page[__HYPERVISOR_sched_op * 32] == 0)
		pv_early_fail();
}

/* XENMEM_add_to_physmap of shared_info at page (the hypervisor zeroes
 * it and writes the wall clock there); 0 or -XEN_E*. */
static long pv_shared_info_place(void *page)
{
	struct xen_add_to_physmap xatp = {
		.domid = DOMID_SELF,
		.space = XENMAPSPACE_shared_info,
		.idx = 0,
		.gpfn = (uintptr_t)page >> 12,
	};

	return HYPERVISOR_memory_op(XENMEM_add_to_physmap, &xatp);
}

long pv_shared_info_move(void *page)
{
	struct shared_info *old = HYPERVISOR_shared_info, *new = page;
	long r;

	cli();
	r = pv_shared_info_place(page);
	if (r == 0) {
		memcpy(new->evtchn_mask, old->evtchn_mask,
		       sizeof(new->evtchn_mask));
		HYPERVISOR_shared_info = new;
		/* pvclock is written when the vcpu is scheduled in. */
		HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
	}
	pv_irq_enable();
	return r;
}

/* shared_info: where the te builder put it, or one of our own pages. */
static void pv_shared_info_init(void)
{
	long r;

	if (pv_boot.si && pv_boot.si->shared_info) {
		HYPERVISOR_shared_info = (void *)(uintptr_t)
						 pv_boot.si->shared_info;
		return;
	}
	r = pv_shared_info_place(shared_info_page);
	if (r != 0) {
		printf("pv_start: add_to_physmap(shared_info) = %ld\n", r);
		guest_exit(1);
	}
	HYPERVISOR_shared_info = (struct shared_info *)shared_info_page;
	HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
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
	pv_boot.cpuid_base = pv_find_xen();
	if (!pv_boot.cpuid_base)
		pv_early_fail();
	pv_hypercall_page_init();
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

long pv_hypercall_direct(unsigned long nr, unsigned long a1, unsigned long a2,
			 unsigned long a3)
{
	long r;

	if (!pv_in_te())
		return hypercall3((unsigned)nr, a1, a2, a3);
	__asm__ volatile("int $0x82"
			 : "=a"(r), "+D"(a1), "+S"(a2), "+d"(a3)
			 : "a"(nr)
			 : "memory");
	return r;
}

long pv_domid(void)
{
	struct evtchn_status st;
	long port = evtchn_alloc_unbound(DOMID_SELF), r;

	if (port < 0)
		return port;
	r = evtchn_status((evtchn_port_t)port, &st);
	evtchn_close((evtchn_port_t)port);
	return r < 0 ? r : st.u.unbound.dom;
}

long hvm_get_param(uint32_t index, uint64_t *value)
{
	struct xen_hvm_param p = { .domid = DOMID_SELF, .index = index };
	long r = HYPERVISOR_hvm_op(HVMOP_get_param, &p);

	if (r == 0)
		*value = p.value;
	return r;
}

long hvm_set_param(uint32_t index, uint64_t value)
{
	struct xen_hvm_param p = { .domid = DOMID_SELF,
				   .index = index,
				   .value = value };

	return HYPERVISOR_hvm_op(HVMOP_set_param, &p);
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
