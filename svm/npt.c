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
#include <kernel/page.h>
#include <kernel/domain.h>
#include <svm/svm.h>

#define NPT_PERM	(PTE_P | PTE_W | PTE_U)

#if SOL >= 3
/* The level-1 entry for gpa under root, allocating tables on the way. */
static pte_t *npt_walk_create(hpa_t root, gpa_t gpa)
{
	pte_t *table = kva(root);
	int level;

	for (level = 4; level > 1; level--) {
		pte_t *e = &table[PT_INDEX(gpa, level)];

		if (!(*e & PTE_P)) {
			hpa_t pa = page_alloc();

			if (!pa)
				return NULL;
			*e = pa | NPT_PERM;
		}
		table = kva(PTE_ADDR(*e));
	}
	return &table[PT_INDEX(gpa, 1)];
}

int npt_build(struct domain *d)
{
	const struct p2m *p = &d->p2m;
	size_t gfn;

	d->arch.svm.npt_root = page_alloc();
	if (!d->arch.svm.npt_root)
		return -E_NO_MEM;
	for (gfn = 0; gfn < p->nframes; gfn++) {
		pte_t *pte = npt_walk_create(d->arch.svm.npt_root,
					     (gpa_t)gfn * PAGE_SIZE);

		if (!pte) {
			npt_destroy(d);
			return -E_NO_MEM;
		}
		*pte = p->frames[gfn] | NPT_PERM;
	}
	return 0;
}
#else
int npt_build(struct domain *d)
{
	/* LAB 3: your code here */
	panic("npt_build: not implemented");
}
#endif

/* Frees the table at pa and, above level 1, the tables it points to. */
static void npt_free_table(hpa_t pa, int level)
{
	pte_t *table = kva(pa);
	int i;

	for (i = 0; level > 1 && i < PT_ENTRIES; i++)
		if (table[i] & PTE_P)
			npt_free_table(PTE_ADDR(table[i]), level - 1);
	page_free(pa);
}

void npt_destroy(struct domain *d)
{
	if (d->arch.svm.npt_root)
		npt_free_table(d->arch.svm.npt_root, 4);
	d->arch.svm.npt_root = 0;
}
