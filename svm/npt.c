/*
 * npt.c - the entry format of nested page tables (AMD APM vol. 2, 15.25
 * "Nested Paging"; the long-mode entries of 5.3.3 "4-Kbyte Page
 * Translation" and 5.3.4 "2-Mbyte Page Translation"), labs 3 and 5.
 * vmx/ept.c mirrors it.
 *
 * Nested tables have the ordinary long-mode format and translate
 * guest-physical to host-physical addresses; kernel/mm/nested.c builds
 * and fills them, and only encodes entries here.  Every level carries
 * U=1: the CPU treats nested walks as user accesses (APM 15.25.5).  NX
 * takes effect only with the host's EFER.NXE at VMRUN, which hvlab sets
 * at boot (kernel/mm/vm_boot.c).
 */
#include <inc/mmu.h>
#include <inc/x86.h>
#include <kernel/kernel.h>
#include <kernel/domain.h>
#include <svm/svm.h>

static uint64_t npt_table(hpa_t pa)
{
#if SOL >= 3
	return pa | PTE_P | PTE_W | PTE_U;
#else
	/* LAB 3: your code here */
	panic("npt_table: not implemented");
#endif
}

static uint64_t npt_leaf(hpa_t pa, unsigned perm, int level)
{
#if SOL >= 3
	uint64_t e = pa | PTE_P | PTE_U;

	if (perm & P2M_W)
		e |= PTE_W;
	if (!(perm & P2M_X))
		e |= PTE_NX;
	if (level > 1)
		e |= PTE_PS;
	return e;
#else
	/* LAB 3: your code here */
	panic("npt_leaf: not implemented");
#endif
}

/* 2 MiB pages always; 1 GiB with CPUID 0x80000001 EDX.Page1GB. */
static int npt_max_level(void)
{
	return svm_caps.page1gb ? 3 : 2;
}

const struct nested_format npt_format = {
	.table = npt_table,
	.leaf = npt_leaf,
	.max_level = npt_max_level,
};
