/*
 * ept.c - extended page tables (Intel SDM vol. 3C, 29.3 "The Extended
 * Page Table Mechanism (EPT)", 29.3.7 "EPT and Memory Typing"), lab 3.
 * It mirrors svm/npt.c.
 *
 * Built once from the domain's p2m (kernel/mm/p2m.c walks it; only the entry
 * format is EPT's): every guest frame is readable, writable and executable
 * with memory type WB, and nothing else is mapped, so any other
 * guest-physical access is an EPT violation, which the core turns into
 * MMIO emulation or a crash of that domain.
 */
#include <kernel/kernel.h>
#include <kernel/domain.h>
#include <vmx/vmx.h>

/* Table 29-1..29-6: permission bits, and the leaf's memory type (7:3). */
#define EPT_R	  (1ULL << 0)
#define EPT_W	  (1ULL << 1)
#define EPT_X	  (1ULL << 2)
#define EPT_RWX	  (EPT_R | EPT_W | EPT_X)
#define EPT_MT_WB (6ULL << 3)

/* 25.6.11: the EPTP's memory type (2:0) and page-walk length - 1 (5:3). */
#define EPTP_MT_WB 6ULL
#define EPTP_WALK4 (3ULL << 3)

uint64_t ept_pointer(hpa_t root)
{
	return root | EPTP_WALK4 | EPTP_MT_WB;
}

int ept_build(struct domain *d)
{
#if SOL >= 3
	int r = p2m_build_tables(&d->p2m, &d->arch.vmx.ept_root, EPT_RWX,
				 EPT_RWX | EPT_MT_WB);

	if (r < 0)
		return r;
	d->arch.vmx.eptp = ept_pointer(d->arch.vmx.ept_root);
	return 0;
#else
	/* LAB 3: your code here */
	panic("ept_build: not implemented");
#endif
}

void ept_destroy(struct domain *d)
{
	p2m_free_tables(d->arch.vmx.ept_root);
	d->arch.vmx.ept_root = 0;
	d->arch.vmx.eptp = 0;
}
