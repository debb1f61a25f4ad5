/*
 * pvhvm.c - PV drivers in an hvm guest (lab 7), the way Linux's PVHVM
 * start sets them up (arch/x86/xen/enlighten_hvm.c, drivers/xen/
 * platform-pci.c; LINUX-XEN.md section 2) for a guest of guest.h's
 * Multiboot start code in a domain with xen_platform = 1:
 *
 *   1. the Xen platform device at 00:02.0 (5853:0001) and Xen's unplug
 *      ports' magic (xen:docs/misc/hvm-emulated-unplug.pandoc) say PV
 *      devices are offered;
 *   2. Xen's CPUID leaves, found above hvlab's, name the MSR that fills
 *      the hypercall page (pv.c);
 *   3. shared_info goes to a page of ours (XENMAPSPACE_shared_info);
 *   4. events come as the callback vector (HVM_PARAM_CALLBACK_IRQ, type
 *      vector), which XENFEAT_hvm_callback_vector must offer (event.c);
 *   5. the grant table goes to the platform device's BAR1
 *      (XENMAPSPACE_grant_table), memory no RAM of ours overlaps.
 *
 * The xenstore ring and port are HVM params, as in a pv domain
 * (xs_ring.c).  The console stays COM1: hvlab's domain builder gives no
 * console ring (HVM_PARAM_CONSOLE_PFN reads 0), where Linux's hvc_xen
 * gives up too, and COM1's output goes where console_io's would.
 * Nothing is unplugged: a device model serves an hvm domain's emulated
 * disk and NIC only when dom0 attaches one (dm NAME ide), and this
 * guest then simply leaves them alone.
 */
#include <guests/lib/pv.h>
#include <guests/lib/gnttab.h>

#define XEN_PLATFORM_BDF 0x10 /* 00:02.0 */
#define XEN_PLATFORM_ID	 (0x0001u << 16 | 0x5853)
#define PCI_ID		 0x00
#define PCI_COMMAND	 0x04
#define PCI_BAR1	 0x14
#define PCI_CMD_MEM	 0x2
#define PCI_BAR_MEM_MASK (~0xfu)
#define XEN_UNPLUG_MAGIC 0x49d2 /* port 0x10 */
#define XEN_UNPLUG_PORT	 0x10

/* The platform device's BAR1 with its memory decoding on, or 0 when
 * the device or the unplug ports' magic is missing. */
static uintptr_t pvhvm_platform_bar1(void)
{
	uint32_t bar1;

	if (pci_conf_read(XEN_PLATFORM_BDF, PCI_ID) != XEN_PLATFORM_ID ||
	    inw(XEN_UNPLUG_PORT) != XEN_UNPLUG_MAGIC)
		return 0;
	bar1 = pci_conf_read(XEN_PLATFORM_BDF, PCI_BAR1) & PCI_BAR_MEM_MASK;
	pci_conf_write(XEN_PLATFORM_BDF, PCI_COMMAND,
		       pci_conf_read(XEN_PLATFORM_BDF, PCI_COMMAND) |
			       PCI_CMD_MEM);
	return bar1;
}

/* Whether Xen offers the callback vector (Linux's
 * xen_have_vector_callback). */
static bool pvhvm_has_vector(void)
{
	struct xen_feature_info fi = { .submap_idx = 0 };

	return HYPERVISOR_xen_version(XENVER_get_features, &fi) == 0 &&
	       (fi.submap & (1u << XENFEAT_hvm_callback_vector));
}

long pvhvm_init(void)
{
	uintptr_t bar1 = pvhvm_platform_bar1();
	long r;

	if (!bar1)
		return -XEN_ENODEV;
	pv_boot.container = PV_CONTAINER_HVM;
	pv_boot.cmdline = cmdline();
	pv_boot.ram_bytes = guest_memory();
	if (!pv_hypercall_init())
		return -XEN_ENODEV;
	if (!pvhvm_has_vector()) {
		printf("pvhvm_init: no XENFEAT_hvm_callback_vector\n");
		return -XEN_ENOSYS;
	}
	pv_shared_info_init();
	evtchn_init();
	pv_timer_init();
	pv_irq_enable();
	gnttab_frames_at((void *)bar1);
	if ((r = gnttab_init()) < 0)
		printf("pvhvm_init: grant table at 0x%lx: %ld\n",
		       (unsigned long)bar1, r);
	return r;
}
