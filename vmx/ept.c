/*
 * ept.c - the entry format of extended page tables (Intel SDM vol. 3C,
 * 29.3.2 "EPT Translation Mechanism", 29.3.7 "EPT and Memory Typing"),
 * labs 3 and 5.  It mirrors svm/npt.c.
 *
 * kernel/mm/nested.c builds and fills the tables; here only entries are
 * encoded.  Leaves have memory type WB with IPAT clear, so the guest's
 * PAT still chooses its own types (29.3.7.2) as on a real machine.
 */
#include <kernel/kernel.h>
#include <kernel/domain.h>
#include <vmx/vmx.h>

/* Tables 29-1..29-6: permission bits, a leaf's memory type (5:3) and the
 * large-page bit of a PDPTE or PDE leaf. */
#define EPT_R	  (1ULL << 0)
#define EPT_W	  (1ULL << 1)
#define EPT_X	  (1ULL << 2)
#define EPT_RWX	  (EPT_R | EPT_W | EPT_X)
#define EPT_MT_WB (6ULL << 3)
#define EPT_LARGE (1ULL << 7)

_Static_assert(P2M_R == EPT_R && P2M_W == EPT_W && P2M_X == EPT_X,
	       "ept_leaf: P2M rights are EPT's bits 0-2");

/* 25.6.11: the EPTP's memory type (2:0) and page-walk length - 1 (5:3). */
#define EPTP_MT_WB 6ULL
#define EPTP_WALK4 (3ULL << 3)

uint64_t ept_pointer(hpa_t root)
{
	return root | EPTP_WALK4 | EPTP_MT_WB;
}

static uint64_t ept_table(hpa_t pa)
{
#if SOL >= 3
	return pa | EPT_RWX;
#else
	/* LAB 3: your code here */
	panic("ept_table: not implemented");
#endif
}

/* P2M_R/W/X are EPT's bits 0-2. */
static uint64_t ept_leaf(hpa_t pa, unsigned perm, int level)
{
#if SOL >= 3
	uint64_t e = pa | (perm & EPT_RWX) | EPT_MT_WB;

	if (level > 1)
		e |= EPT_LARGE;
	return e;
#else
	/* LAB 3: your code here */
	panic("ept_leaf: not implemented");
#endif
}

static int ept_max_level(void)
{
	return vmx_caps.ept_max_level;
}

const struct nested_format ept_format = {
	.table = ept_table,
	.leaf = ept_leaf,
	.max_level = ept_max_level,
};
