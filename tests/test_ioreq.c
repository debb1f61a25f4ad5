/*
 * test_ioreq.c - pv/ioreq.c on the host: dm_op's checks, the request an
 * access to a claimed port becomes on the shared page, the vcpu waiting
 * until the answer and the retried access completing with it, the
 * accesses of a read-modify-write answered one per run, PCI functions
 * claimed and their configuration accesses forwarded, claims given back,
 * and the crashes: no answer before the deadline, an answer of another
 * size or a state that is none, the device model's domain gone.  Event channels,
 * grant mappings and the interrupt controllers are faked.
 */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdlib.h>
#include <inc/stdio.h>
#include <inc/public/xen.h>
#include <inc/public/hvm/dm_op.h>
#include <kernel/kernel.h>
#include <kernel/domain.h>
#include <kernel/sched.h>
#include <kernel/clock.h>
#include <kernel/mm/page.h>
#include <pv/hypercall.h>
#include <pv/pv.h>
#include "host_kernel.h"

#define DM_PORT 0x700

struct domain domains[DOMAIN_MAX];
struct vcpu *sched_current;
static struct boot_info *bi;
static struct domain *dom0 = &domains[0], *g = &domains[1];
static uint32_t next_port, notified, irq_level[16];

uint64_t clock_tsc_hz(void)
{
	return 1000000000ULL;
}

long evtchn_new_unbound(struct domain *d, domid_t remote)
{
	return ++next_port;
}

void evtchn_set_pending(struct domain *d, uint32_t port)
{
	cr_assert_eq(d, dom0, "the device model's domain is told");
	notified = port;
}

void evtchn_close_port(struct domain *d, uint32_t port)
{
}

long gnttab_map_page(struct domain *d, struct domain *owner, hpa_t hpa,
		     uint64_t host_gfn)
{
	return 0;
}

void irq_set(struct domain *d, unsigned irq, bool high)
{
	irq_level[irq] = high;
}

/* Guest-linear addresses are host pointers here. */
long pv_copy_in(struct vcpu *v, void *dst, gva_t la, size_t len)
{
	memcpy(dst, (const void *)la, len);
	return 0;
}

long pv_copy_out(struct vcpu *v, gva_t la, const void *src, size_t len)
{
	memcpy((void *)la, src, len);
	return 0;
}

void domain_crash(struct domain *d, struct vcpu *vc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->crash_reason, sizeof(d->crash_reason), fmt, ap);
	va_end(ap);
	d->state = DOMAIN_CRASHED;
}

/* dm_op from dom0's vcpu on domain domid; its result. */
static long dm(domid_t domid, struct xen_dm_op *op)
{
	struct xen_dm_op_buf buf = { (uintptr_t)op, sizeof(*op) };
	uint64_t args[5] = { domid, 1, (uintptr_t)&buf };

	return dm_op(&dom0->vcpus[0], args);
}

static long dm_claim(bool map, uint32_t type, uint64_t start, uint64_t end)
{
	struct xen_dm_op op = {
		.op = map ? XEN_DMOP_map_io_range_to_ioreq_server :
			    XEN_DMOP_unmap_io_range_from_ioreq_server
	};

	op.u.map_io_range_to_ioreq_server.type = type;
	op.u.map_io_range_to_ioreq_server.start = start;
	op.u.map_io_range_to_ioreq_server.end = end;
	return dm(1, &op);
}

static long dm_range(uint32_t type, uint64_t start, uint64_t end)
{
	return dm_claim(true, type, start, end);
}

static long dm_enable(bool on)
{
	struct xen_dm_op op = { .op = XEN_DMOP_set_ioreq_server_state };

	op.u.set_ioreq_server_state.enabled = on;
	return dm(1, &op);
}

static void setup(void)
{
	struct xen_dm_op op = { .op = XEN_DMOP_create_ioreq_server };

	bi = host_page_init();
	memset(domains, 0, sizeof(domains));
	next_port = notified = 0;
	for (int i = 0; i < 2; i++) {
		domains[i].id = i;
		domains[i].state = DOMAIN_RUNNING;
		domains[i].nvcpus = 1;
		domains[i].vcpus[0].domain = &domains[i];
	}
	dom0->type = DOMAIN_PV;
	dom0->pv.privileged = true;
	g->type = DOMAIN_HVM;
	cr_assert_eq(p2m_init(&g->p2m, 1 << 20, false), 0);
	cr_assert_eq(dm(1, &op), 0);
	cr_assert_eq(dm_range(XEN_DMOP_IO_RANGE_PORT, DM_PORT, DM_PORT + 15),
		     0);
	cr_assert_eq(dm_enable(true), 0);
	sched_current = &g->vcpus[0];
}

static void teardown(void)
{
	ioreq_domain_destroy(g);
	p2m_destroy(&g->p2m);
	free(bi);
}

TestSuite(ioreq, .init = setup, .fini = teardown);

static volatile struct ioreq *slot(void)
{
	return (volatile struct ioreq *)kva(g->pv.ioreq.page);
}

/* One run of the guest's 2-byte IN from DM_PORT + 1, as the I/O exit
 * makes it; io_port_access's result. */
static int guest_inw(uint64_t *val)
{
	int r;

	*val = 0;
	ioreq_insn_start(&g->vcpus[0]);
	r = io_port_access(g, DM_PORT + 1, 2, false, val);
	ioreq_insn_end(&g->vcpus[0]);
	return r;
}

/* The device model answers the slot's request with data. */
static void answer(uint64_t data)
{
	slot()->data = data;
	slot()->state = STATE_IORESP_READY;
}

/* The next poll crashes the guest, the reason naming why. */
static void expect_crash(const char *why)
{
	ioreq_poll(&g->vcpus[0]);
	cr_expect_eq(g->state, DOMAIN_CRASHED);
	cr_expect(strstr(g->crash_reason, why), "%s", g->crash_reason);
}

Test(ioreq, dm_op_checks_its_caller_and_ranges)
{
	struct xen_dm_op op = { .op = XEN_DMOP_create_ioreq_server };

	cr_expect_eq(dm(0, &op), -XEN_ESRCH, "not on the device model itself");
	cr_expect_eq(dm(1, &op), -XEN_EEXIST, "one server per domain");
	cr_expect_eq(dm_range(XEN_DMOP_IO_RANGE_PORT, DM_PORT + 4, DM_PORT + 4),
		     -XEN_EEXIST);
	cr_expect_eq(dm_range(XEN_DMOP_IO_RANGE_PORT, 0xffff, 0x10000),
		     -XEN_EINVAL);
	cr_expect_eq(dm_range(XEN_DMOP_IO_RANGE_MEMORY, 0x1000, 0x1fff),
		     -XEN_EINVAL, "guest RAM is no MMIO");
	cr_expect_eq(dm_range(XEN_DMOP_IO_RANGE_MEMORY, 0xe0000000, 0xe0000fff),
		     0);
	dom0->pv.privileged = false;
	cr_expect_eq(dm_enable(false), -XEN_EPERM);
}

Test(ioreq, access_becomes_a_request_and_waits)
{
	uint64_t val;

	cr_assert_eq(guest_inw(&val), -E_AGAIN);
	cr_expect_eq(g->vcpus[0].state, VCPU_IOREQ);
	cr_expect(slot()->addr == DM_PORT + 1 && slot()->size == 2 &&
		  slot()->count == 1 && slot()->dir == IOREQ_READ &&
		  slot()->type == IOREQ_TYPE_PIO && !slot()->data_is_ptr);
	cr_expect_eq(slot()->state, STATE_IOREQ_READY);
	cr_expect_eq(notified, slot()->vp_eport, "the slot's port signalled");
	ioreq_poll(&g->vcpus[0]);
	cr_expect_eq(g->vcpus[0].state, VCPU_IOREQ, "no answer yet");
}

Test(ioreq, answer_wakes_the_vcpu_and_the_retry_completes)
{
	uint64_t val;

	cr_assert_eq(guest_inw(&val), -E_AGAIN);
	answer(0xdead1234);
	ioreq_poll(&g->vcpus[0]);
	cr_expect_eq(g->vcpus[0].state, VCPU_RUNNABLE);
	cr_expect_eq(slot()->state, STATE_IOREQ_NONE);
	cr_assert_eq(guest_inw(&val), 0);
	cr_expect_eq(val, 0x1234, "a 2-byte read keeps 2 bytes");
	cr_expect_eq(guest_inw(&val), -E_AGAIN, "the next access asks again");
}

Test(ioreq, no_answer_by_the_deadline_crashes_the_guest)
{
	uint64_t val;

	cr_assert_eq(guest_inw(&val), -E_AGAIN);
	slot()->state = STATE_IOREQ_INPROCESS;
	g->vcpus[0].pv.ioreq_deadline = 0;
	ioreq_poll(&g->vcpus[0]);
	cr_expect_eq(g->state, DOMAIN_CRASHED);
	cr_expect_str_eq(g->crash_reason, "port 0x701 (2-byte read): device "
					  "model did not answer in 4 s");
	cr_expect_eq(dom0->state, DOMAIN_RUNNING);
}

Test(ioreq, answer_of_another_size_crashes_the_guest)
{
	uint64_t val;

	cr_assert_eq(guest_inw(&val), -E_AGAIN);
	slot()->size = 4;
	answer(0);
	expect_crash("device model answered garbage");
}

Test(ioreq, a_state_that_is_none_crashes_the_guest)
{
	uint64_t val;

	cr_assert_eq(guest_inw(&val), -E_AGAIN);
	slot()->state = 9;
	expect_crash("garbage (state 9");
}

Test(ioreq, device_model_gone_crashes_the_guest)
{
	uint64_t val;

	cr_assert_eq(guest_inw(&val), -E_AGAIN);
	dom0->state = DOMAIN_CRASHED;
	expect_crash("device model's domain has ended");
}

Test(ioreq, disabled_server_reads_all_ones)
{
	uint64_t val;

	cr_assert_eq(dm_enable(false), 0);
	cr_expect_eq(guest_inw(&val), 0);
	cr_expect_eq(val, 0xffff);
	cr_expect_eq(g->vcpus[0].state, VCPU_RUNNABLE);
}

Test(ioreq, isa_irq_level)
{
	struct xen_dm_op op = { .op = XEN_DMOP_set_isa_irq_level };

	op.u.set_isa_irq_level.isa_irq = 5;
	op.u.set_isa_irq_level.level = 1;
	cr_expect_eq(dm(1, &op), 0);
	cr_expect_eq(irq_level[5], 1);
	op.u.set_isa_irq_level.isa_irq = 16;
	cr_expect_eq(dm(1, &op), -XEN_EINVAL);
}

/* One run of a read-modify-write of the byte at port DM_PORT: a read and
 * a write; 0 once both are answered, -E_AGAIN while one waits. */
static int guest_rmw(uint32_t *asked)
{
	uint64_t val = 0;
	int r;

	ioreq_insn_start(&g->vcpus[0]);
	r = io_port_access(g, DM_PORT, 1, false, &val);
	if (r == 0) {
		val |= 0x80;
		r = io_port_access(g, DM_PORT, 1, true, &val);
	}
	ioreq_insn_end(&g->vcpus[0]);
	*asked += r == -E_AGAIN;
	return r;
}

Test(ioreq, read_modify_write_asks_once_per_access)
{
	uint32_t asked = 0;

	cr_assert_eq(guest_rmw(&asked), -E_AGAIN);
	cr_expect_eq(slot()->dir, IOREQ_READ);
	answer(0x05);
	ioreq_poll(&g->vcpus[0]);
	cr_assert_eq(guest_rmw(&asked), -E_AGAIN);
	cr_expect(slot()->dir == IOREQ_WRITE && slot()->data == 0x85,
		  "the write of the answer read, 0x%llx",
		  (unsigned long long)slot()->data);
	answer(0);
	ioreq_poll(&g->vcpus[0]);
	cr_expect_eq(guest_rmw(&asked), 0, "both answers taken");
	cr_expect_eq(asked, 2, "one request per access, none again");
	cr_expect_eq(g->vcpus[0].pv.ioreq_ndone, 0, "forgotten once done");
}

/* An interrupt taken before the answered instruction runs again: the
 * handler's exits reach no device model and keep the answer. */
Test(ioreq, answer_survives_a_run_that_reaches_no_device_model)
{
	uint64_t val;

	cr_assert_eq(guest_inw(&val), -E_AGAIN);
	answer(0x4242);
	ioreq_poll(&g->vcpus[0]);
	ioreq_insn_start(&g->vcpus[0]);
	ioreq_insn_end(&g->vcpus[0]);
	cr_expect_eq(guest_inw(&val), 0);
	cr_expect_eq(val, 0x4242);
}

#define PCI_CF8(bdf, reg) (0x80000000u | (bdf) << 8 | (reg))

Test(ioreq, pci_function_config_access_is_forwarded)
{
	uint32_t sbdf = XEN_DMOP_PCI_SBDF(0, 0, 1, 1);
	uint64_t val = 0;

	cr_assert_eq(dm_range(XEN_DMOP_IO_RANGE_PCI, sbdf, sbdf), 0);
	cr_expect_eq(dm_range(XEN_DMOP_IO_RANGE_PCI, sbdf, sbdf), -XEN_EEXIST);
	cr_expect_eq(dm_range(XEN_DMOP_IO_RANGE_PCI, sbdf, sbdf + 1),
		     -XEN_EINVAL);
	/* A 2-byte read of register 0x0a: CONFIG_ADDRESS 0x08, port 0xcfe. */
	ioreq_insn_start(&g->vcpus[0]);
	cr_assert_eq(ioreq_pci(g, PCI_CF8(0x09, 0x08), 0xcfe, 2, false, &val),
		     -E_AGAIN);
	cr_expect_eq(slot()->type, IOREQ_TYPE_PCI_CONFIG);
	cr_expect_eq(slot()->addr, (uint64_t)sbdf << 32 | 0x0a);
	cr_expect_eq(slot()->size, 2);
	cr_expect_eq(slot()->dir, IOREQ_READ);
	answer(0x0101);
	ioreq_poll(&g->vcpus[0]);
	ioreq_insn_start(&g->vcpus[0]);
	cr_expect_eq(ioreq_pci(g, PCI_CF8(0x09, 0x08), 0xcfe, 2, false, &val),
		     0);
	cr_expect_eq(val, 0x0101);
}

Test(ioreq, unclaimed_or_given_back_pci_function_reads_all_ones)
{
	uint32_t sbdf = XEN_DMOP_PCI_SBDF(0, 0, 3, 0);
	uint64_t val = 0;

	cr_assert_eq(dm_range(XEN_DMOP_IO_RANGE_PCI, sbdf, sbdf), 0);
	cr_expect_eq(ioreq_pci(g, PCI_CF8(0x10, 0), 0xcfc, 4, false, &val), 0);
	cr_expect_eq(val, 0xffffffffu);
	cr_assert_eq(dm_claim(false, XEN_DMOP_IO_RANGE_PCI, sbdf, sbdf), 0);
	cr_expect_eq(dm_claim(false, XEN_DMOP_IO_RANGE_PCI, sbdf, sbdf),
		     -XEN_ENOENT);
	val = 0;
	cr_expect_eq(ioreq_pci(g, PCI_CF8(0x18, 0), 0xcfc, 4, false, &val), 0);
	cr_expect_eq(val, 0xffffffffu);
	cr_expect_eq(g->vcpus[0].state, VCPU_RUNNABLE);
}

Test(ioreq, port_range_given_back_is_no_longer_forwarded)
{
	uint64_t val;

	cr_expect_eq(dm_claim(false, XEN_DMOP_IO_RANGE_PORT, DM_PORT,
			      DM_PORT + 7),
		     -XEN_ENOENT, "only the range claimed, whole");
	cr_assert_eq(dm_claim(false, XEN_DMOP_IO_RANGE_PORT, DM_PORT,
			      DM_PORT + 15),
		     0);
	cr_expect_eq(guest_inw(&val), 0);
	cr_expect_eq(val, 0xffff);
	cr_expect_eq(dm_range(XEN_DMOP_IO_RANGE_PORT, DM_PORT + 8,
			      DM_PORT + 15),
		     0, "the ports are free again");
}
