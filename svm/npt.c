/*
 * npt.c - nested page tables (AMD APM vol. 2, 15.25 "Nested Paging"),
 * lab 3.  vmx/ept.c mirrors it.
 *
 * The nested tables have the ordinary long-mode format and translate
 * guest-physical to host-physical addresses.  They are built once from the
 * domain's p2m and map exactly its frames: any other guest-physical access
 * is a #NPF, which the core turns into MMIO emulation or a crash of that
 * domain.  Every level carries U=1: the CPU treats nested walks as user
 * accesses (APM 15.25.5).
 */
#include <inc/mmu.h>
#include <kernel/kernel.h>
#include <kernel/domain.h>
#include <svm/svm.h>

#define NPT_PERM (PTE_P | PTE_W | PTE_U)

int npt_build(struct domain *d)
{
#if SOL >= 3
	return p2m_build_tables(&d->p2m, &d->arch.svm.npt_root, NPT_PERM,
				NPT_PERM);
#else
	/* LAB 3: your code here */
	panic("npt_build: not implemented");
#endif
}

void npt_destroy(struct domain *d)
{
	p2m_free_tables(d->arch.svm.npt_root);
	d->arch.svm.npt_root = 0;
}
