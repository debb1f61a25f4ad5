/*
 * hypercall.c - the hypercall dispatcher (lab 5; lab 6 adds the PV
 * interface): Xen's calling convention (inc/public/xen.h), one const
 * table from hypercall number to handler.  Only the guest kernel may call
 * (Xen's hvm_hypercall refuses CPL > 0 with -EPERM).
 */
#include <inc/types.h>
#include <inc/x86.h>
#include <inc/public/xen.h>
#include <kernel/kernel.h>
#include <kernel/domain.h>
#include <kernel/mm/gmem.h>
#include <kernel/mm/page.h>
#include <pv/hypercall.h>
#include <pv/pv.h>

long pv_copy_in(struct vcpu *v, void *dst, gva_t la, size_t len)
{
	gva_t fault_la;
	uint32_t pfec;

	if (gmem_read(v, la, dst, len, &fault_la, &pfec) < 0)
		return -XEN_EFAULT;
	return 0;
}

long pv_copy_out(struct vcpu *v, gva_t la, const void *src, size_t len)
{
	gva_t fault_la;
	uint32_t pfec;

	if (gmem_write(v, la, src, len, &fault_la, &pfec) < 0)
		return -XEN_EFAULT;
	return 0;
}

void *pv_map(struct domain *d, gpa_t gpa, size_t len)
{
	uint64_t gfn = gpa >> PAGE_SHIFT;
	hpa_t hpa;

	if (len > PAGE_SIZE - gpa % PAGE_SIZE ||
	    p2m_type_of(&d->p2m, gfn) != P2M_RAM ||
	    p2m_populate(&d->p2m, gfn, &hpa) < 0)
		return NULL;
	/* The hypervisor writes through it: migration must resend it. */
	if (d->p2m.dirty)
		p2m_dirty_mark(&d->p2m, gfn);
	return (uint8_t *)kva(hpa) + gpa % PAGE_SIZE;
}

typedef long (*hypercall_fn)(struct vcpu *v, const uint64_t *args);

static const hypercall_fn hypercall_table[XEN_HYPERCALL_MAX] = {
	[__HYPERVISOR_memory_op] = memory_op,
	[__HYPERVISOR_set_timer_op] = set_timer_op,
	[__HYPERVISOR_xen_version] = xen_version,
	[__HYPERVISOR_console_io] = console_io,
	[__HYPERVISOR_grant_table_op] = grant_table_op,
	[__HYPERVISOR_vcpu_op] = vcpu_op,
	[__HYPERVISOR_sched_op] = sched_op,
	[__HYPERVISOR_event_channel_op] = event_channel_op,
	[__HYPERVISOR_hvm_op] = hvm_op,
	[__HYPERVISOR_sysctl] = sysctl,
	[__HYPERVISOR_domctl] = domctl,
	[__HYPERVISOR_dm_op] = dm_op,
};

/*
 * The number and arguments in the registers of v's mode's convention; te
 * guests run 64-bit code whether or not their paging is on (te/te.h).
 */
static uint64_t hypercall_args(struct vcpu *v, uint64_t *args)
{
	static const enum gpr regs64[HYPERCALL_ARGS] = { GPR_RDI, GPR_RSI,
							 GPR_RDX, GPR_R10,
							 GPR_R8 };
	static const enum gpr regs32[HYPERCALL_ARGS] = { GPR_RBX, GPR_RCX,
							 GPR_RDX, GPR_RSI,
							 GPR_RDI };
	bool wide = vcpu_long_mode(v) || v->domain->shadow.te;
	int i;

	for (i = 0; i < HYPERCALL_ARGS; i++)
		args[i] = wide ? v->gprs[regs64[i]] :
				 (uint32_t)v->gprs[regs32[i]];
	return wide ? v->gprs[GPR_RAX] : (uint32_t)v->gprs[GPR_RAX];
}

/*
 * Runs hypercall nr: a domain with Xen's ABI reaches the whole table, and
 * its every call below XEN_HYPERCALL_MAX counts in d->pv.nhypercalls; any
 * other domain only hvm_op's memory types (lab 5).
 */
static long hypercall_call(struct vcpu *v, uint64_t nr, const uint64_t *args)
{
#if SOL >= 6
	struct pv_domain *pv = &v->domain->pv;

	if (!pv->on || nr >= XEN_HYPERCALL_MAX)
		return nr == __HYPERVISOR_hvm_op ? hvm_op(v, args) :
						   -XEN_ENOSYS;
	pv->nhypercalls[nr]++;
	return hypercall_table[nr] ? hypercall_table[nr](v, args) : -XEN_ENOSYS;
#else
	/* LAB 6: your code here: the table for domains with Xen's ABI */
	return nr == __HYPERVISOR_hvm_op ? hypercall_table[nr](v, args) :
					   -XEN_ENOSYS;
#endif
}

void hypercall_dispatch(struct vcpu *v)
{
	uint64_t args[HYPERCALL_ARGS];
	uint64_t nr = hypercall_args(v, args);
	long r = -XEN_EPERM;

	if (virt_reg_read(v, VREG_CPL) == 0)
		r = hypercall_call(v, nr, args);
	v->gprs[GPR_RAX] = (uint64_t)r;
	vcpu_skip_insn(v);
}
