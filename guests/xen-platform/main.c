/*
 * xen-platform - an hvm guest that asks for Xen's ABI (lab 6: type hvm,
 * xen_platform = 1): hvlab's leaf stays at 0x40000000, Xen's leaves sit
 * at 0x40000100, the MSR they name fills a hypercall page with VMCALL or
 * VMMCALL stubs, and the page and the direct instruction reach Xen's
 * hypercalls.  With "xen=0" on its command line (a config without
 * xen_platform) it checks that none of this is there.
 */
#include <guests/lib/guest.h>
#include <inc/public/xen.h>
#include <inc/public/version.h>
#include <inc/public/hvm/hvm_op.h>
#include <inc/public/hvm/params.h>
#include <inc/public/event_channel.h>

#define XEN_BASE 0x40000100

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
}

void main(void)
{
	if (cmdline_u64("xen", 1)) {
		test_leaves();
		test_page();
		test_store();
	} else {
		test_absent();
	}
}
