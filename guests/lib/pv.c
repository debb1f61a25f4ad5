/*
 * pv.c - Xen from a guest kernel (lab 6), whichever way it started:
 * discovery of Xen's CPUID leaves as Linux does it
 * (arch/x86/include/asm/xen/hypervisor.h: "XenVMMXenVMM" at 0x40000000 +
 * n * 0x100), the hypercall page, shared_info, and the HVM parameters.
 * pvstart.c starts pv domains with them, pvhvm.c an hvm guest's PV
 * drivers.
 */
#include <guests/lib/pv.h>
#include <inc/public/te.h>

#define XEN_CPUID_FIRST 0x40000000
#define XEN_CPUID_LAST	0x4000ff00
#define XEN_CPUID_STEP	0x100

struct pv_boot pv_boot;
struct shared_info *HYPERVISOR_shared_info;
uint8_t hypercall_page[4096] __attribute__((aligned(4096)));

/* Where shared_info goes (add_to_physmap) unless the te builder put it. */
static uint8_t shared_info_page[4096] __attribute__((aligned(4096)));

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

bool pv_hypercall_init(void)
{
	uint32_t msr;

	if (!(pv_boot.cpuid_base = pv_find_xen()))
		return false;
	/* CPUID base + 2: the MSR that fills the page. */
	msr = pv_cpuid(pv_boot.cpuid_base + 2, 0).ebx;
	wrmsr(msr, (uintptr_t)hypercall_page);
	return hypercall_page[__HYPERVISOR_sched_op * 32] != 0;
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

void pv_shared_info_init(void)
{
	long r;

	if (pv_boot.si && pv_boot.si->shared_info) {
		HYPERVISOR_shared_info = (void *)(uintptr_t)
						 pv_boot.si->shared_info;
		return;
	}
	r = pv_shared_info_place(shared_info_page);
	if (r != 0) {
		printf("pv_shared_info_init: add_to_physmap = %ld\n", r);
		guest_exit(1);
	}
	HYPERVISOR_shared_info = (struct shared_info *)shared_info_page;
	HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
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
