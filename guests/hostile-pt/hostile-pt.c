/*
 * hostile-pt - a guest that attacks shadow paging (lab 4); attack=NAME on
 * the command line picks one:
 *   cr3-ram   CR3 beyond the end of guest RAM        (must crash only it)
 *   cr3-mmio  CR3 at the local APIC page             (must crash only it)
 *   loop      a page directory whose entries all point at itself, and a
 *	       PML4 entry pointing at the PML4, used as every level
 *   thrash    n= (2048) address spaces, each its own CR3, switched among
 *   rewrite   a PTE rewritten n= (20000) times, each result read back
 *   alias     page tables written through a second, ordinary mapping
 * The survivors report PASS lines that hold under any correct paging;
 * nested paging passes them trivially, shadow paging must keep up.  The
 * configs give the domain 16 MiB, 9 of them the pool of tables in the
 * image's bss.  SDM 3A 4.5 (4-level paging), 4.10.
 */
#include <guests/lib/pt.h>

#define OUTSIDE_RAM (64 * MiB) /* beyond the configs' 16 MiB */
#define LAPIC_PAGE  0xfee00000
#define VA_TEST	    0x40000000 /* PDPT entry 1 */
#define VA_ALIAS    0x50000000
#define VARIANTS    8
#define POOL_PAGES  2304
#define THRASH_MAX  (POOL_PAGES - 64)
#define REWRITE_N   20000
#define THRASH_N    2048

static uint8_t pool[POOL_PAGES * PT_PAGE] __attribute__((aligned(PT_PAGE)));
static uintptr_t as0;

static uint64_t peek64(uintptr_t va)
{
	return *(volatile uint64_t *)va;
}

static uint32_t peek(uintptr_t va)
{
	return *(volatile uint32_t *)va;
}

/* A fresh page whose first word is v. */
static uintptr_t page_with(uint32_t v)
{
	uintptr_t pa = pt_alloc();

	*(volatile uint32_t *)pa = v;
	return pa;
}

/* Loads cr3 and touches memory through it; returns only if it should
 * not have. */
static void attack_cr3(uintptr_t cr3, const char *what)
{
	printf("CR3 0x%lx (%s), then a read\n", (unsigned long)cr3, what);
	pt_load(cr3);
	peek(VA_TEST);
	pt_load(as0);
	report(false, "CR3 at 0x%lx (%s) returned", (unsigned long)cr3, what);
}

/*
 * A page directory (1 GiB at VA_TEST) whose 512 entries all point at
 * itself: every page of that GiB maps the directory.  A write through it
 * is a write to a page table.
 */
static void loop_pd(void)
{
	uintptr_t pd = pt_alloc(), pdpte, va, frame = page_with(0x100b);
	unsigned bad = 0;
	int level = 3;

	for (int i = 0; i < 512; i++)
		pte_set(pd + 8 * i, pd | PTE_P | PTE_W);
	pdpte = pt_walk(as0, VA_TEST, &level);
	pte_set(pdpte, pd | PTE_P | PTE_W);
	pt_invlpg(VA_TEST);
	for (unsigned i = 0; i < 64; i++) {
		va = VA_TEST + ((uintptr_t)(i * 37 % 512) << 21) +
		     ((uintptr_t)(i * 11 % 512) << 12) + (i % 512) * 8;
		bad += pte_addr(peek64(va)) != pd;
	}
	/* Entry 5 becomes a data page: PTE 5 under any PDE other than 5. */
	*(volatile uint64_t *)(VA_TEST + 5 * 8) = frame | PTE_P | PTE_W;
	pt_invlpg(VA_TEST + (5 << 12));
	report(bad == 0 && peek(VA_TEST + (5 << 12)) == 0x100b,
	       "loop: a PD pointing at itself 512 times reads as itself at 64 "
	       "addresses (%u wrong); an entry written through it maps",
	       bad);
	pte_set(pdpte, 0);
	pt_load(as0);
}

/* PML4 entry 255 points at the PML4: VAs of 255s map the tables. */
static void loop_pml4(void)
{
	uintptr_t win = pt_self_map(as0), top = as0 & ~(uintptr_t)0xfff;
	uintptr_t pml4 = win + (255UL << 30) + (255UL << 21) + (255UL << 12);
	uintptr_t pdpt = pte_addr(pte_get(top));
	bool ok = peek64(pml4 + 8 * 255) == pte_get(top + 8 * 255) &&
		  peek64(pml4) == pte_get(top) &&
		  peek64(pml4 - (255UL << 12)) == pte_get(pdpt);

	report(ok,
	       "loop: a PML4 entry pointing at the PML4 maps it at 0x%lx "
	       "and its PDPT below",
	       (unsigned long)pml4);
}

/* Address spaces that differ only in what VA_TEST maps: variant i % 8. */
static void attack_thrash(void)
{
	unsigned n = (unsigned)cmdline_u64("n", THRASH_N), bad = 0;
	uintptr_t variant[VARIANTS], root;
	uintptr_t first = 0;

	if (n > THRASH_MAX)
		n = THRASH_MAX;
	for (unsigned k = 0; k < VARIANTS; k++) {
		variant[k] = pt_new_root();
		pt_map(variant[k], VA_TEST, page_with(0x700 + k), PTE_W);
	}
	for (unsigned i = 0; i < n; i++) {
		root = pt_alloc();
		first = first ? first : root;
		pte_set(root, pte_get(variant[i % VARIANTS]));
	}
	for (unsigned r = 0; r < 2; r++)
		for (unsigned i = 0; i < n; i++) {
			pt_load(first + i * PT_PAGE);
			bad += peek(VA_TEST) != 0x700 + i % VARIANTS;
		}
	pt_load(as0);
	report(bad == 0,
	       "thrash: %u address spaces, each loaded twice, see their own "
	       "page (%u wrong)",
	       n, bad);
}

/* One PTE rewritten n times between two pages, each read back. */
static void attack_rewrite(void)
{
	unsigned n = (unsigned)cmdline_u64("n", REWRITE_N), bad = 0;
	uintptr_t page[2] = { page_with(0xa0), page_with(0xa1) }, pte;
	int level = 1;

	pt_map(as0, VA_TEST, page[0], PTE_W);
	pte = pt_walk(as0, VA_TEST, &level);
	for (unsigned i = 0; i < n; i++) {
		pte_set(pte, page[i & 1] | PTE_P | PTE_W);
		pt_invlpg(VA_TEST);
		bad += peek(VA_TEST) != 0xa0 + (i & 1);
	}
	report(bad == 0, "rewrite: a PTE rewritten %u times (%u wrong reads)",
	       n, bad);
}

/*
 * The page table that maps VA_TEST, mapped again at VA_ALIAS: PTEs
 * written there take effect after INVLPG, as written through the
 * identity map.
 */
static void attack_alias(void)
{
	uintptr_t pt, alias_pte;
	unsigned bad = 0;
	int level = 1;

	pt_map(as0, VA_TEST, page_with(0xb0), PTE_W);
	pt = pt_walk(as0, VA_TEST, &level) & ~(uintptr_t)0xfff;
	pt_map(as0, VA_ALIAS, pt, PTE_W);
	for (uint32_t i = 0; i < 64; i++) {
		alias_pte = VA_ALIAS + 8 * (i % 512);
		*(volatile uint64_t *)alias_pte = page_with(0xb00 + i) | PTE_P |
						  PTE_W;
		pt_invlpg(VA_TEST + (i % 512) * PT_PAGE);
		bad += peek(VA_TEST + (i % 512) * PT_PAGE) != 0xb00 + i;
	}
	report(bad == 0,
	       "alias: 64 PTEs written through a second mapping of their "
	       "page table (%u wrong reads)",
	       bad);
}

void main(void)
{
	char attack[16];

	pt_init(PT_4LEVEL, pool, sizeof(pool));
	as0 = pt_new_root();
	pt_load(as0);
	/* te guests start with paging off (inc/public/te.h). */
	pt_write_cr0(pt_read_cr0() | CR0_PG);
	if (!cmdline_get("attack", attack, sizeof(attack)))
		attack[0] = '\0';
	if (strcmp(attack, "cr3-ram") == 0)
		attack_cr3(OUTSIDE_RAM, "outside guest RAM");
	else if (strcmp(attack, "cr3-mmio") == 0)
		attack_cr3(LAPIC_PAGE, "the local APIC");
	else if (strcmp(attack, "loop") == 0) {
		loop_pd();
		loop_pml4();
	} else if (strcmp(attack, "thrash") == 0)
		attack_thrash();
	else if (strcmp(attack, "rewrite") == 0)
		attack_rewrite();
	else if (strcmp(attack, "alias") == 0)
		attack_alias();
	else
		report(false, "attack=\"%s\": no such attack", attack);
}
