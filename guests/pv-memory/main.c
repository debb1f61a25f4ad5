/*
 * pv-memory - __HYPERVISOR_memory_op (lab 6), the same binary in the hvm
 * and the te container: the memory map with the domain builder's pages
 * reserved, shared_info's placement rules, and ballooning: a frame given
 * back and taken again reads zero, the reservation counts follow, partial
 * progress is the count done, bad arguments change nothing.
 */
#include <guests/lib/pv.h>

#define E820_RAM      1
#define E820_RESERVED 2
#define NO_DOMAIN     0x7fef /* below DOMID_FIRST_RESERVED, never a domain */

struct e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
} __attribute__((packed));

static uint8_t balloon[2][4096] __attribute__((aligned(4096)));

static uint64_t gfn_of(const void *p)
{
	return (uintptr_t)p >> 12;
}

static long reservation(unsigned cmd, uint64_t *gfns, uint64_t n,
			uint32_t order, domid_t domid)
{
	struct xen_memory_reservation r = { .extent_start = (uintptr_t)gfns,
					    .nr_extents = n,
					    .extent_order = order,
					    .domid = domid };

	return HYPERVISOR_memory_op(cmd, &r);
}

static long pages(unsigned cmd)
{
	domid_t self = DOMID_SELF;

	return HYPERVISOR_memory_op(cmd, &self);
}

static void test_memory_map(void)
{
	struct e820_entry map[8];
	struct xen_memory_map m = { .nr_entries = 8, .buffer = (uintptr_t)map };
	uintptr_t info = pv_in_te() ? (uintptr_t)pv_boot.si :
				      (uintptr_t)pv_boot.hvm_si;

	report_eq(HYPERVISOR_memory_op(XENMEM_memory_map, &m), 0,
		  "memory_map: the call");
	report_eq(m.nr_entries, 2, "memory_map: RAM and the builder's pages");
	report(map[0].addr == 0 && map[0].type == E820_RAM &&
		       map[0].size == pv_boot.ram_bytes,
	       "memory_map: RAM [0, 0x%llx)", (unsigned long long)map[0].size);
	report(map[1].addr == map[0].size && map[1].type == E820_RESERVED &&
		       info >= map[1].addr && info < map[1].addr + map[1].size,
	       "memory_map: start info 0x%lx in the reserved [0x%llx, +0x%llx)",
	       (unsigned long)info, (unsigned long long)map[1].addr,
	       (unsigned long long)map[1].size);
	m.nr_entries = 1;
	report(HYPERVISOR_memory_op(XENMEM_memory_map, &m) == 0 &&
		       m.nr_entries == 1,
	       "memory_map: room for one entry gives one");
	m.nr_entries = 2;
	m.buffer = 0xffff800000000000UL;
	report_eq(HYPERVISOR_memory_op(XENMEM_memory_map, &m), -XEN_EFAULT,
		  "memory_map: into the hypervisor");
}

static void test_add_to_physmap(void)
{
	struct xen_add_to_physmap a = { .domid = DOMID_SELF,
					.space = XENMAPSPACE_shared_info,
					.idx = 1,
					.gpfn = gfn_of(balloon[0]) };

	report_eq(HYPERVISOR_memory_op(XENMEM_add_to_physmap, &a), -XEN_EINVAL,
		  "add_to_physmap: shared_info idx 1");
	a.idx = 0;
	a.gpfn = 1ULL << 40;
	report_eq(HYPERVISOR_memory_op(XENMEM_add_to_physmap, &a), -XEN_EINVAL,
		  "add_to_physmap: a frame beyond RAM");
	a.gpfn = gfn_of(balloon[0]);
	a.domid = NO_DOMAIN;
	report_eq(HYPERVISOR_memory_op(XENMEM_add_to_physmap, &a), -XEN_ESRCH,
		  "add_to_physmap: another domain");
	a.domid = DOMID_SELF;
	a.space = XENMAPSPACE_grant_table;
	a.idx = 4;
	report_eq(HYPERVISOR_memory_op(XENMEM_add_to_physmap, &a), -XEN_EINVAL,
		  "add_to_physmap: grant table frame 4 of 0..3 (lab 7)");
	a.space = 99;
	report_eq(HYPERVISOR_memory_op(XENMEM_add_to_physmap, &a), -XEN_ENOSYS,
		  "add_to_physmap: a space not offered");
}

static void test_balloon(void)
{
	long max = pages(XENMEM_maximum_reservation);
	uint64_t gfns[2] = { gfn_of(balloon[0]), gfn_of(balloon[1]) };
	uint64_t beyond[2] = { gfn_of(balloon[1]), 1ULL << 40 };
	bool zero = true;

	/* The builder's pages: start_info (te: and shared_info), then the
	 * xenstore ring (lab 7). */
	report_eq(max, pv_boot.ram_bytes / 4096 + (pv_in_te() ? 3 : 2),
		  "maximum_reservation: the config's memory in pages");
	report_eq(pages(XENMEM_current_reservation), max,
		  "current_reservation: all of it at start");
	memset(balloon, 0x5a, sizeof(balloon));
	report_eq(reservation(XENMEM_decrease_reservation, gfns, 2, 0,
			      DOMID_SELF),
		  2, "decrease_reservation: two frames given back");
	report_eq(pages(XENMEM_current_reservation), max - 2,
		  "current_reservation: two fewer");
	report_eq(reservation(XENMEM_decrease_reservation, gfns, 1, 0,
			      DOMID_SELF),
		  0, "decrease_reservation: a frame already given back");
	report_eq(reservation(XENMEM_increase_reservation, gfns, 2, 0,
			      DOMID_SELF),
		  2, "increase_reservation: both taken again");
	report_eq(reservation(XENMEM_increase_reservation, gfns, 1, 0,
			      DOMID_SELF),
		  0, "increase_reservation: not beyond the config's memory");
	for (size_t i = 0; i < sizeof(balloon); i++)
		zero &= ((uint8_t *)balloon)[i] == 0;
	report(zero, "balloon: frames taken again read zero");
	report_eq(reservation(XENMEM_decrease_reservation, beyond, 2, 0,
			      DOMID_SELF),
		  1, "decrease_reservation: stops at a frame beyond RAM");
	report_eq(reservation(XENMEM_increase_reservation, beyond, 2, 0,
			      DOMID_SELF),
		  1, "increase_reservation: the one given back");
	report_eq(pages(XENMEM_current_reservation), max,
		  "current_reservation: back to all of it");
}

static void test_bad_reservations(void)
{
	uint64_t gfn = gfn_of(balloon[0]);

	report_eq(reservation(XENMEM_decrease_reservation, &gfn, 1, 1,
			      DOMID_SELF),
		  -XEN_EINVAL, "decrease_reservation: extent order 1");
	report_eq(reservation(XENMEM_decrease_reservation, &gfn, 1, 0,
			      NO_DOMAIN),
		  -XEN_ESRCH, "decrease_reservation: another domain");
	report_eq(reservation(XENMEM_decrease_reservation,
			      (uint64_t *)0xffff800000000000UL, 1, 0,
			      DOMID_SELF),
		  -XEN_EFAULT, "decrease_reservation: list in the hypervisor");
	report_eq(pages(XENMEM_current_reservation),
		  pages(XENMEM_maximum_reservation),
		  "current_reservation: unchanged by refused calls");
	report_eq(HYPERVISOR_memory_op(1000, NULL), -XEN_ENOSYS,
		  "memory_op: cmd 1000");
}

void main(void)
{
	printf("pv-memory: %s container\n", pv_in_te() ? "te" : "hvm");
	test_memory_map();
	test_add_to_physmap();
	test_balloon();
	test_bad_reservations();
}
