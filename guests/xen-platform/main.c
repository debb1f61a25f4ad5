/*
 * xen-platform - an hvm guest that asks for Xen's ABI (lab 6: type hvm,
 * xen_platform = 1): hvlab's leaf stays at 0x40000000, Xen's leaves sit
 * at 0x40000100, the MSR they name fills a hypercall page with VMCALL or
 * VMMCALL stubs, and the page and the direct instruction reach Xen's
 * hypercalls.  Issue 16: the Xen platform PCI device at 00:02.0 (its
 * config space, BAR sizing), the unplug ports, and grant table frames
 * placed in its BAR1 as Linux places them.  With "xen=0" on its command
 * line (a config without xen_platform) it checks that none of this is
 * there.
 */
#include <guests/lib/guest.h>
#include <inc/public/xen.h>
#include <inc/public/version.h>
#include <inc/public/hvm/hvm_op.h>
#include <inc/public/hvm/params.h>
#include <inc/public/event_channel.h>
#include <inc/public/memory.h>
#include <inc/public/grant_table.h>
#include <kernel/dev/platform.h>

#define XEN_BASE 0x40000100
#define XEN_PCI	 (0x80000000u | 2u << 11) /* 00:02.0 */

static uint8_t page[4096] __attribute__((aligned(4096)));

static bool cpu_is_amd(void)
{
	return cpuid(0, 0).ebx == 0x68747541; /* "Auth" */
}

/* A call into stub nr of the page, arguments as the ABI's RDI, RSI. */
static long page_call(unsigned nr, unsigned long a1, unsigned long a2)
{
	long (*stub)(unsigned long, unsigned long) = (void *)(page + nr * 32);

	return stub(a1, a2);
}

static void test_leaves(void)
{
	struct cpuid_regs hv = cpuid(0x40000000, 0), xen = cpuid(XEN_BASE, 0);
	struct cpuid_regs msr = cpuid(XEN_BASE + 2, 0);
	struct cpuid_regs ids = cpuid(XEN_BASE + 4, 0);
	char sig[13];

	cpuid_signature(&hv, sig);
	report(strncmp(sig, "hvlab", 5) == 0,
	       "leaf 0x40000000: hvlab's signature \"%s\" stays", sig);
	cpuid_signature(&xen, sig);
	report(strcmp(sig, "XenVMMXenVMM") == 0 && xen.eax >= XEN_BASE + 2,
	       "leaf 0x40000100: \"%s\", last leaf 0x%x", sig, xen.eax);
	report(msr.eax == 1 && msr.ebx == XEN_HYPERCALL_MSR,
	       "leaf 0x40000102: 1 page through MSR 0x%x", msr.ebx);
	report(ids.eax & XEN_HVM_CPUID_VCPU_ID_PRESENT && ids.ebx == 0,
	       "leaf 0x40000104: vcpu id %u present", ids.ebx);
}

static void test_page(void)
{
	const uint8_t want[] = {
		0xb8, __HYPERVISOR_xen_version,	  0,   0, 0, 0x0f,
		0x01, cpu_is_amd() ? 0xd9 : 0xc1, 0xc3
	};
	struct xen_feature_info fi = { 0, 0 };
	long r;

	wrmsr(XEN_HYPERCALL_MSR, (uintptr_t)page);
	report(memcmp(page + __HYPERVISOR_xen_version * 32, want,
		      sizeof(want)) == 0,
	       "page: xen_version's stub is \"mov $17, %%eax; %s; ret\"",
	       cpu_is_amd() ? "vmmcall" : "vmcall");
	report(page_call(__HYPERVISOR_xen_version, XENVER_version, 0) ==
		       (long)cpuid(XEN_BASE + 1, 0).eax,
	       "page: XENVER_version as CPUID 0x40000101 says");
	r = page_call(__HYPERVISOR_xen_version, XENVER_get_features,
		      (uintptr_t)&fi);
	report(r == 0 && (fi.submap & (1u << XENFEAT_hvm_callback_vector)) &&
		       !(fi.submap & (1u << XENFEAT_dom0)),
	       "page: get_features 0x%x: callback vector, not dom0", fi.submap);
	report(hypercall3(__HYPERVISOR_xen_version, XENVER_pagesize, 0, 0) ==
		       4096,
	       "direct: XENVER_pagesize");
}

/*
 * Lab 7: the xenstore ring is the page right above the RAM Multiboot
 * reports, and its port is unbound for domain 0 (dom0's xenstored).
 */
static void test_store(void)
{
	struct xen_hvm_param p = { .domid = DOMID_SELF,
				   .index = HVM_PARAM_STORE_PFN };
	struct evtchn_status st = { .dom = DOMID_SELF };
	long r = page_call(__HYPERVISOR_hvm_op, HVMOP_get_param, (uintptr_t)&p);

	report(r == 0 && p.value == guest_memory() / 4096,
	       "store ring at frame 0x%llx, above the %llu KiB of RAM",
	       (unsigned long long)p.value,
	       (unsigned long long)(guest_memory() / KiB));
	p.index = HVM_PARAM_STORE_EVTCHN;
	r = page_call(__HYPERVISOR_hvm_op, HVMOP_get_param, (uintptr_t)&p);
	st.port = (evtchn_port_t)p.value;
	report(r == 0 && p.value &&
		       page_call(__HYPERVISOR_event_channel_op, EVTCHNOP_status,
				 (uintptr_t)&st) == 0 &&
		       st.status == EVTCHNSTAT_unbound && st.u.unbound.dom == 0,
	       "store port %llu unbound for domain 0",
	       (unsigned long long)p.value);
}

/* Dword reg of the platform device's config space (mechanism #1). */
static uint32_t pci_read(unsigned reg)
{
	outl(PLATFORM_PCI_CONF, XEN_PCI | reg);
	return inl(PLATFORM_PCI_CONF + 4);
}

static void pci_write(unsigned reg, uint32_t val)
{
	outl(PLATFORM_PCI_CONF, XEN_PCI | reg);
	outl(PLATFORM_PCI_CONF + 4, val);
}

/* BAR1: the 16 MiB above RAM and the xenstore ring. */
static uint32_t bar1_base(void)
{
	return (uint32_t)(guest_memory() + 4096);
}

/* Writes all ones to the BAR at reg: what it reads then, restored. */
static uint32_t pci_bar_size(unsigned reg)
{
	uint32_t old = pci_read(reg), size;

	pci_write(reg, ~0u);
	size = pci_read(reg);
	pci_write(reg, old);
	return size;
}

static void test_pci(void)
{
	uint32_t bar0 = pci_read(0x10), bar1 = pci_read(0x14);

	report(pci_read(0x00) == 0x00015853 && pci_read(0x2c) == 0x00015853,
	       "00:02.0: Xen platform device 5853:0001, subsystem 0x%x",
	       pci_read(0x2c));
	report(pci_read(0x08) >> 8 == 0xff8000 && (pci_read(0x0c) >> 16) == 0,
	       "00:02.0: class ff80, header type 0");
	report(bar0 == (PLATFORM_XEN_IO | 1) && bar1 == (bar1_base() | 8),
	       "BARs 0x%x (I/O) 0x%x (prefetchable memory above RAM)", bar0,
	       bar1);
	report(pci_bar_size(0x10) ==
			       (~(uint32_t)(PLATFORM_XEN_IO_SIZE - 1) | 1) &&
		       pci_bar_size(0x14) == 0xff000008 &&
		       pci_read(0x10) == bar0 && pci_read(0x14) == bar1,
	       "BAR sizing: 0x100 ports, 16 MiB, then back");
	pci_write(0x14, 0x10000008);
	report(pci_read(0x14) == bar1, "BAR1 stays where it is");
	pci_write(0x04, 0x7);
	report((pci_read(0x3c) & 0xff00) == 0 && (pci_read(0x04) & 0xffff) == 7,
	       "no interrupt pin; command 0x%x", pci_read(0x04) & 0xffff);
}

/* Xen's unplug ports, before and after Linux's writes to them. */
static void test_unplug(void)
{
	report(inw(PLATFORM_XEN_UNPLUG) == 0x49d2 &&
		       inb(PLATFORM_XEN_UNPLUG + 2) == 1,
	       "unplug ports: magic 0x%x, protocol %u",
	       inw(PLATFORM_XEN_UNPLUG), inb(PLATFORM_XEN_UNPLUG + 2));
	outw(PLATFORM_XEN_UNPLUG + 2, 3);
	outl(PLATFORM_XEN_UNPLUG, 0x60100);
	outw(PLATFORM_XEN_UNPLUG, 3);
	report(inw(PLATFORM_XEN_UNPLUG) == 0x49d2,
	       "unplug ports: magic again after the driver's writes");
}

/* The domain's id, from an unbound port's status. */
static long self_domid(void)
{
	struct evtchn_alloc_unbound a = { .dom = DOMID_SELF,
					  .remote_dom = DOMID_SELF };
	struct evtchn_status st = { .dom = DOMID_SELF };

	if (page_call(__HYPERVISOR_event_channel_op, EVTCHNOP_alloc_unbound,
		      (uintptr_t)&a) < 0)
		return -1;
	st.port = a.port;
	if (page_call(__HYPERVISOR_event_channel_op, EVTCHNOP_status,
		      (uintptr_t)&st) < 0)
		return -1;
	return st.u.unbound.dom;
}

/*
 * Grant table frame 0 at BAR1's first frame, as Linux's platform-pci
 * probe places it; an entry written there grants page to the domain
 * itself, and GNTTABOP_copy through that grant reads page.
 */
static void test_grant_bar(void)
{
	static uint8_t src[4096] __attribute__((aligned(4096)));
	static uint8_t dst[4096] __attribute__((aligned(4096)));
	struct xen_add_to_physmap a = { .domid = DOMID_SELF,
					.space = XENMAPSPACE_grant_table,
					.idx = 0,
					.gpfn = bar1_base() >> 12 };
	struct grant_entry_v1 *e = (void *)(uintptr_t)bar1_base();
	struct gnttab_copy c = { .len = 16, .flags = GNTCOPY_source_gref };
	long r = page_call(__HYPERVISOR_memory_op, XENMEM_add_to_physmap,
			   (uintptr_t)&a);

	report(r == 0, "add_to_physmap: grant frame 0 at BAR1 frame 0x%x (%ld)",
	       bar1_base() >> 12, r);
	memcpy(src, "granted at BAR1", 16);
	e[5] = (struct grant_entry_v1){ .domid = (domid_t)self_domid(),
					.frame = (uint32_t)((uintptr_t)src >>
							    12) };
	__atomic_store_n(&e[5].flags, GTF_permit_access, __ATOMIC_RELEASE);
	c.source = (struct gnttab_copy_ptr){ .u.ref = 5, .domid = DOMID_SELF };
	c.dest = (struct gnttab_copy_ptr){ .u.gmfn = (uintptr_t)dst >> 12,
					   .domid = DOMID_SELF };
	r = hypercall3(__HYPERVISOR_grant_table_op, GNTTABOP_copy,
		       (uintptr_t)&c, 1);
	report(r == 0 && c.status == GNTST_okay && memcmp(dst, src, 16) == 0,
	       "copy through ref 5 of the table in BAR1: \"%s\" (%d)", dst,
	       c.status);
}

/* Without xen_platform: hvlab's leaf only, and only lab 5's hvm_op. */
static void test_absent(void)
{
	struct cpuid_regs xen = cpuid(XEN_BASE, 0);
	struct xen_hvm_param p = { DOMID_SELF, 0, HVM_PARAM_CALLBACK_IRQ, 0 };

	report(xen.ebx != XEN_CPUID_SIGNATURE_EBX,
	       "leaf 0x40000100: no Xen without xen_platform");
	report(hypercall3(__HYPERVISOR_xen_version, XENVER_version, 0, 0) ==
		       -XEN_ENOSYS,
	       "direct: xen_version is -ENOSYS");
	report(hypercall3(__HYPERVISOR_hvm_op, HVMOP_get_param, (uintptr_t)&p,
			  0) == -XEN_ENOSYS,
	       "direct: hvm_op get_param is -ENOSYS");
	report(hvm_get_mem_type((uintptr_t)page >> 12) == HVMMEM_ram_rw,
	       "direct: lab 5's hvm_op still types memory");
	report(pci_read(0x00) == ~0u, "no device at 00:02.0");
	report(inw(PLATFORM_XEN_UNPLUG) != 0x49d2, "no unplug ports");
}

void main(void)
{
	if (cmdline_u64("xen", 1)) {
		test_leaves();
		test_page();
		test_store();
		test_pci();
		test_unplug();
		test_grant_bar();
	} else {
		test_absent();
	}
}
