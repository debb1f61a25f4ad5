/*
 * pv-store - what the hypervisor gives a domain for its toolstack (lab 7),
 * the same binary in the hvm and the te container: a xenstore ring the
 * domain builder placed outside the memory map's RAM, with an event
 * channel unbound for domain 0 (HVM_PARAM_STORE_PFN / _EVTCHN, and
 * start_info's store_mfn / store_evtchn in the te container); another
 * domain's parameters are dom0's to read.
 *
 * Boot files (XEN_SYSCTL_bootfile): with driver=1 (a config with
 * driver_domain = 1) it reads disk=PATH, a disk image of size=BYTES that
 * another domain's config gives it as backend=, and checks every byte
 * (disk_byte) and the offset rules; other=PATH, a disk it is not the
 * backend of, is -ENOENT to it.  Without driver=1 every boot file is
 * -EPERM.
 */
#include <guests/lib/pv.h>

#define E820_RESERVED 2
#define DISK_MAX      (80 * KiB)

struct e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
} __attribute__((packed));

static uint8_t disk[DISK_MAX] __attribute__((aligned(4096)));

/* The byte at offset i of the grader's disk images. */
static uint8_t disk_byte(uint64_t i)
{
	return (uint8_t)(((uint32_t)i * 2654435761u) >> 24);
}

/* XEN_SYSCTL_bootfile of count bytes at offset into buf; *size its size. */
static long bootfile(const char *path, uint64_t offset, void *buf,
		     uint32_t *count, uint64_t *size)
{
	struct xen_sysctl op = {
		.cmd = XEN_SYSCTL_bootfile,
		.interface_version = XEN_SYSCTL_INTERFACE_VERSION,
	};
	long r;

	strlcpy(op.u.bootfile.path, path, sizeof(op.u.bootfile.path));
	op.u.bootfile.buffer = (uintptr_t)buf;
	op.u.bootfile.offset = offset;
	op.u.bootfile.count = *count;
	r = HYPERVISOR_sysctl(&op);
	*count = op.u.bootfile.count;
	*size = op.u.bootfile.size;
	return r;
}

/* Whether the reserved entry of the memory map holds frame pfn. */
static bool store_reserved(uint64_t pfn)
{
	struct e820_entry map[8];
	struct xen_memory_map m = { .nr_entries = 8, .buffer = (uintptr_t)map };
	uint64_t gpa = pfn << 12;

	if (HYPERVISOR_memory_op(XENMEM_memory_map, &m) < 0)
		return false;
	for (unsigned i = 0; i < m.nr_entries; i++)
		if (gpa >= map[i].addr && gpa < map[i].addr + map[i].size)
			return map[i].type == E820_RESERVED;
	return false;
}

static void test_store(void)
{
	uint64_t pfn = 0, port = 0;
	struct evtchn_status st = { 0 };
	long r;

	/* Each call before its report: arguments have no evaluation order. */
	r = hvm_get_param(HVM_PARAM_STORE_PFN, &pfn);
	report(r == 0 && pfn, "HVM_PARAM_STORE_PFN = 0x%llx",
	       (unsigned long long)pfn);
	r = hvm_get_param(HVM_PARAM_STORE_EVTCHN, &port);
	report(r == 0 && port, "HVM_PARAM_STORE_EVTCHN = %llu",
	       (unsigned long long)port);
	report(pfn >= pv_boot.ram_bytes / 4096 && store_reserved(pfn),
	       "store frame beyond the %llu KiB of RAM, reserved in the map",
	       (unsigned long long)(pv_boot.ram_bytes / KiB));
	r = evtchn_status((evtchn_port_t)port, &st);
	report(r == 0 && st.status == EVTCHNSTAT_unbound &&
		       st.u.unbound.dom == 0,
	       "store port %llu unbound for domain 0 (status %u, dom %u)",
	       (unsigned long long)port, st.status, st.u.unbound.dom);
	if (pv_in_te())
		report(pv_boot.si->store_mfn == pfn &&
			       pv_boot.si->store_evtchn == port,
		       "start_info: store_mfn 0x%llx, store_evtchn %u",
		       (unsigned long long)pv_boot.si->store_mfn,
		       pv_boot.si->store_evtchn);
}

/* Another domain's parameters: dom0's toolstack reads them, a domU not. */
static void test_other_param(void)
{
	long self = pv_domid();
	struct xen_hvm_param p = { .domid = (domid_t)(self == 0 ? 1 : 0),
				   .index = HVM_PARAM_STORE_PFN };

	report(self >= 0, "own domain id %ld", self);
	report_eq(HYPERVISOR_hvm_op(HVMOP_get_param, &p), -XEN_EPERM,
		  "get_param of domain %u from a domU", p.domid);
}

/* The whole image in one call, then pieces across page boundaries. */
static void test_disk_read(const char *path, uint64_t want)
{
	uint32_t count = sizeof(disk), bad = 0;
	uint64_t size = 0, i;
	long r;

	memset(disk, 0xee, sizeof(disk));
	r = bootfile(path, 0, disk, &count, &size);
	report(r == 0 && size == want && count == want,
	       "bootfile %s: %u of %llu bytes", path, count,
	       (unsigned long long)size);
	for (i = 0; i < count && i < sizeof(disk); i++)
		bad += disk[i] != disk_byte(i);
	report(count && !bad, "bootfile: every byte as written (%u wrong)",
	       bad);
	report(count == sizeof(disk) || disk[count] == 0xee,
	       "bootfile: nothing written past the file");
	count = 5000;
	memset(disk, 0xee, sizeof(disk));
	report(bootfile(path, 4095, disk, &count, &size) == 0 &&
		       count == 5000 && disk[0] == disk_byte(4095) &&
		       disk[4999] == disk_byte(4095 + 4999) &&
		       disk[5000] == 0xee,
	       "bootfile: 5000 bytes from offset 4095");
	count = 4096;
	r = bootfile(path, want - 10, disk, &count, &size);
	report(r == 0 && count == 10 && disk[9] == disk_byte(want - 1),
	       "bootfile: the last 10 bytes (%u)", count);
	count = 4096;
	report(bootfile(path, want + 4096, disk, &count, &size) == 0 &&
		       count == 0,
	       "bootfile: past the end gives 0 bytes");
	count = 4096;
	report_eq(bootfile(path, 0, (void *)0xffff800000000000UL, &count,
			   &size),
		  -XEN_EFAULT, "bootfile into the hypervisor");
}

static void test_bootfile(void)
{
	char path[48], other[48];
	uint32_t count = 16;
	uint64_t size;
	struct xen_sysctl rc = {
		.cmd = XEN_SYSCTL_readconsole,
		.interface_version = XEN_SYSCTL_INTERFACE_VERSION,
	};

	if (!cmdline_get("disk", path, sizeof(path)))
		strlcpy(path, "domains/none.img", sizeof(path));
	if (!cmdline_u64("driver", 0)) {
		report_eq(bootfile(path, 0, disk, &count, &size), -XEN_EPERM,
			  "bootfile from a domU that is no driver domain");
		return;
	}
	test_disk_read(path, cmdline_u64("size", 0));
	if (cmdline_get("other", other, sizeof(other)))
		report_eq(bootfile(other, 0, disk, &count, &size), -XEN_ENOENT,
			  "bootfile of a disk it does not serve");
	report_eq(bootfile("domains/guests/pv-store.elf", 0, disk, &count,
			   &size),
		  -XEN_ENOENT, "bootfile of a file no disk line names");
	report_eq(HYPERVISOR_sysctl(&rc), -XEN_EPERM,
		  "readconsole from a driver domain");
}

void main(void)
{
	printf("pv-store: container %s\n", pv_in_te() ? "te" : "hvm");
	test_store();
	test_other_param();
	test_bootfile();
}
