/*
 * shadow.c - shadow page tables (lab 4; SDM 3A ch. 4 "Paging", 4.10.4
 * "Invalidation of TLBs and Paging-Structure Caches"; APM vol. 2 5.3 and
 * 15.19 "Paged Real Mode").  The interface: shadow.h; the design:
 * labs/lab4.md.
 *
 * Each root owns a private tree of shadow pages: a child is found by its
 * key within the same root, so a tree is freed whole, never shared.
 * Leaves mirror the guest's G, except in te roots, whose translations must
 * die with every CR3 load.  Because shadows are always coherent, a CR3
 * write needs no invalidation: a TLB may be emptier than the tables
 * permit, never fuller (SDM 3A 4.10.4.1).  INVLPG drops its entry anyway,
 * as the guest may rely on it after writing a table that was unshadowed.
 */
#include <inc/mmu.h>
#include <inc/x86.h>
#include <kernel/kernel.h>
#include <kernel/domain.h>
#include <kernel/exit.h>
#include <kernel/mm/gmem.h>
#include <kernel/mm/page.h>
#include <kernel/mm/shadow.h>
#include <kernel/mm/vm.h>
#include <kernel/dev/mmio.h>

/* The guest's paging mode; root->mode adds the bits that change leaves. */
enum shadow_mode {
	SM_OFF,
	SM_32,
	SM_PAE,
	SM_64
};
#define SM_BASE 0x3
#define SM_NXE	0x4 /* EFER.NXE: NX is a valid bit */
#define SM_PSE	0x8 /* CR4.PSE: 32-bit PDEs may map 4 MiB */

#define UPPER_BITS	(PTE_P | PTE_W | PTE_U | PTE_PWT | PTE_PCD)
#define WRITES_UNSHADOW 3   /* writes with no fill between: a frame reused */
#define TE_HALF		256 /* te: PML4 entries from here are the hypervisor's */
#define PAE_ROOT_LIMIT	(4ULL * GiB)

struct shadow_key {
	uint64_t gfn;  /* the guest table; direct: the region's first frame */
	uint8_t level; /* 1: a page table ... 4: a PML4 */
	uint8_t quadrant; /* 32-bit guests: which part of the guest table */
	bool direct;	  /* a split guest large page, or the identity map */
	uint64_t access;  /* direct: PTE_W (with D), PTE_U, PTE_NX it grants */
};

struct shadow_page {
	hpa_t pa; /* 0: the descriptor is free */
	struct shadow_key key;
	int root;	/* index in roots[] */
	uint8_t writes; /* shadow_written since the last fill through it */
};

static unsigned shadow_base(const struct shadow_root *root)
{
	return root->mode & SM_BASE;
}

/* Levels of the hardware format: 4, or 3 (PAE). */
static int shadow_levels(const struct shadow_domain *sd, unsigned mode)
{
	return sd->te || (mode & SM_BASE) == SM_64 ? 4 : 3;
}

/* Index of la's entry in a shadow table at level (PAE: 4 PDPTEs). */
static unsigned shadow_index(int levels, gva_t la, int level)
{
	return levels == 3 && level == 3 ? (la >> 30) & 3 : PT_INDEX(la, level);
}

static struct shadow_page *shadow_find(struct shadow_domain *sd, int root,
				       const struct shadow_key *k)
{
	unsigned i;

	for (i = 0; i < sd->limit; i++) {
		const struct shadow_key *p = &sd->pages[i].key;

		if (sd->pages[i].pa && sd->pages[i].root == root &&
		    p->gfn == k->gfn && p->level == k->level &&
		    p->quadrant == k->quadrant && p->direct == k->direct &&
		    p->access == k->access)
			return &sd->pages[i];
	}
	return NULL;
}

/* The shadow page at host address pa, or NULL. */
static struct shadow_page *shadow_by_pa(struct shadow_domain *sd, hpa_t pa)
{
	unsigned i;

	for (i = 0; i < sd->limit; i++)
		if (sd->pages[i].pa == pa)
			return &sd->pages[i];
	return NULL;
}

static void shadow_page_free(struct domain *d, struct shadow_page *sp)
{
	struct shadow_domain *sd = &d->shadow;

	if (!sp->key.direct && sp->key.gfn < d->p2m.nframes)
		sd->pt_count[sp->key.gfn]--;
	page_free(sp->pa);
	sd->used--;
	memset(sp, 0, sizeof(*sp));
}

/* Frees every page of root r's tree and the root itself. */
static void shadow_root_free(struct domain *d, int r)
{
	unsigned i;

	for (i = 0; i < d->shadow.limit; i++)
		if (d->shadow.pages[i].pa && d->shadow.pages[i].root == r)
			shadow_page_free(d, &d->shadow.pages[i]);
	memset(&d->shadow.roots[r], 0, sizeof(d->shadow.roots[r]));
}

/* Whether a vcpu of d runs on root r. */
static bool shadow_root_busy(struct domain *d, int r)
{
	int i;

	for (i = 0; i < d->nvcpus; i++)
		if (d->vcpus[i].shadow.root == r)
			return true;
	return false;
}

/* Frees the least recently used root no vcpu runs on; it, or -1. */
static int shadow_evict(struct domain *d)
{
	struct shadow_domain *sd = &d->shadow;
	int r, best = -1;

	for (r = 0; r < SHADOW_ROOTS; r++)
		if (sd->roots[r].used && !shadow_root_busy(d, r) &&
		    (best < 0 ||
		     sd->roots[r].last_used < sd->roots[best].last_used))
			best = r;
	if (best >= 0) {
		shadow_root_free(d, best);
		sd->stats.evictions++;
	}
	return best;
}

/*
 * Entries of the shadow tables at level (of root r; any when r < 0) that
 * have all of bits `need` and point to pa keep only `keep`; whether any
 * changed.
 */
static bool shadow_retarget(struct shadow_domain *sd, int r, int level,
			    hpa_t pa, uint64_t need, uint64_t keep)
{
	bool changed = false;
	unsigned i, j;

	for (i = 0; i < sd->limit; i++) {
		struct shadow_page *p = &sd->pages[i];
		uint64_t *t = kva(p->pa);

		if (!p->pa || p->key.level != level || (r >= 0 && p->root != r))
			continue;
		for (j = 0; j < PT_ENTRIES; j++)
			if ((t[j] & need) == need && PTE_ADDR(t[j]) == pa) {
				t[j] &= keep;
				changed = true;
			}
	}
	return changed;
}

/*
 * A new shadow page for key k in root r, zeroed; evicts the least recently
 * used other root at the limit.  NULL when nothing is left to evict.
 */
static struct shadow_page *shadow_alloc(struct domain *d, int r,
					const struct shadow_key *k)
{
	struct shadow_domain *sd = &d->shadow;
	struct shadow_page *sp = shadow_by_pa(sd, 0);

	while (!sp && shadow_evict(d) >= 0)
		sp = shadow_by_pa(sd, 0);
	if (!sp || !(sp->pa = page_alloc()))
		return NULL;
	sp->key = *k;
	sp->root = r;
	sd->used++;
	sd->peak = MAX(sd->peak, sd->used);
	/* A frame just became a guest table: no shadow leaf may write it. */
	if (!k->direct && k->gfn < d->p2m.nframes &&
	    sd->pt_count[k->gfn]++ == 0 &&
	    shadow_retarget(sd, -1, 1, p2m_lookup(&d->p2m, (gpa_t)k->gfn << 12),
			    PTE_W, ~PTE_W))
		domain_flush_tlb(d);
	return sp;
}

/* The mode byte of root->mode for the guest's registers g. */
static unsigned shadow_mode_of(const struct paging_regs *g)
{
	unsigned nxe = (g->efer & EFER_NXE) ? SM_NXE : 0;

	if (!(g->cr0 & CR0_PG))
		return SM_OFF;
	if (g->efer & EFER_LMA)
		return SM_64 | nxe;
	if (g->cr4 & CR4_PAE)
		return SM_PAE | nxe;
	return SM_32 | ((g->cr4 & CR4_PSE) ? SM_PSE : 0);
}

/* The root key: the guest table CR3 names (PAE: its 32-byte PDPT). */
static uint64_t shadow_cr3_key(const struct paging_regs *g, unsigned mode)
{
	switch (mode & SM_BASE) {
	case SM_64: return g->cr3 & PTE_ADDR_MASK;
	case SM_PAE: return g->cr3 & 0xffffffe0;
	case SM_32: return g->cr3 & 0xfffff000;
	default: return 0;
	}
}

static int shadow_root_find(struct shadow_domain *sd, uint64_t key,
			    unsigned mode, bool user_view)
{
	int r;

	for (r = 0; r < SHADOW_ROOTS; r++)
		if (sd->roots[r].used && sd->roots[r].key == key &&
		    sd->roots[r].mode == mode &&
		    sd->roots[r].user_view == user_view)
			return r;
	return -1;
}

/* Allocates root r's top table: te's upper half copied in, PAE's < 4 GiB. */
static int shadow_root_top(struct domain *d, int r)
{
	struct shadow_domain *sd = &d->shadow;
	struct shadow_root *root = &sd->roots[r];
	int levels = shadow_levels(sd, root->mode);
	struct shadow_key k = { root->key >> PAGE_SHIFT, levels, 0,
				shadow_base(root) != SM_64, 0 };
	struct shadow_page *sp = shadow_alloc(d, r, &k);

	if (!sp)
		return -E_NO_MEM;
	if (levels == 3 && sp->pa >= PAE_ROOT_LIMIT)
		return -E_RANGE;
	if (sd->te)
		memcpy((uint64_t *)kva(sp->pa) + TE_HALF,
		       (uint64_t *)kva(kern_pml4) + TE_HALF,
		       TE_HALF * sizeof(uint64_t));
	root->pa = sp->pa;
	return 0;
}

/* A new root for key, mode and view, in a free slot or the LRU one. */
static int shadow_root_new(struct vcpu *v, uint64_t key, unsigned mode,
			   bool user_view, const uint64_t *pdpte)
{
	struct domain *d = v->domain;
	struct shadow_domain *sd = &d->shadow;
	int r;

	for (r = 0; r < SHADOW_ROOTS && sd->roots[r].used; r++)
		;
	if (r == SHADOW_ROOTS)
		r = shadow_evict(d);
	if (r < 0)
		return -E_NO_MEM;
	sd->roots[r] = (struct shadow_root){ .key = key,
					     .mode = (uint8_t)mode,
					     .user_view = user_view,
					     .used = true };
	memcpy(sd->roots[r].pdpte, pdpte, sizeof(sd->roots[r].pdpte));
	/* v's from now on, so that making its top table cannot evict it. */
	v->shadow.root = r;
	if (shadow_root_top(d, r) < 0) {
		v->shadow.root = -1;
		shadow_root_free(d, r);
		return -E_NO_MEM;
	}
	return r;
}

static void shadow_update(struct vcpu *v);

/*
 * Frees root r's tree and puts the vcpus that ran on it, but self (whose
 * caller does it), on a fresh root.
 */
static void shadow_root_drop(struct domain *d, int r, struct vcpu *self)
{
	uint32_t on = 0;
	int i;

	for (i = 0; i < d->nvcpus; i++)
		if (d->vcpus[i].shadow.root == r) {
			d->vcpus[i].shadow.root = -1;
			on |= 1u << i;
		}
	shadow_root_free(d, r);
	d->shadow.stats.evictions++;
	for (i = 0; i < d->nvcpus; i++)
		if ((on & (1u << i)) && &d->vcpus[i] != self)
			shadow_update(&d->vcpus[i]);
}

/* The CR0, CR3, CR4 and EFER the CPU runs the guest with. */
static struct paging_regs shadow_hw_regs(const struct paging_regs *g,
					 hpa_t root)
{
	struct paging_regs hw = { g->cr0 | CR0_PG | CR0_WP, root,
				  (g->cr4 | CR4_PAE) & ~CR4_PCIDE, g->efer };

	/* Paging off: the identity map's U=1 pages must not trip SMEP/SMAP. */
	if (!(g->cr0 & CR0_PG)) {
		hw.efer &= ~(EFER_LME | EFER_LMA);
		hw.cr4 &= ~(CR4_SMEP | CR4_SMAP);
	}
	return hw;
}

/*
 * Puts v on the root for its guest registers (found, or made) and hands
 * the backend the registers; a PAE root is rebuilt when the guest's
 * PDPTEs changed, as the CPU reloads them on every CR3 load.
 */
static void shadow_update(struct vcpu *v)
{
	struct domain *d = v->domain;
	struct shadow_domain *sd = &d->shadow;
	const struct paging_regs *g = &v->shadow.guest;
	unsigned mode = shadow_mode_of(g);
	uint64_t key = shadow_cr3_key(g, mode), pdpte[4] = { 0 };
	bool view = sd->te && v->shadow.user_view;
	int old = v->shadow.root, r;
	struct paging_regs hw;

	if ((mode & SM_BASE) == SM_PAE)
		p2m_read(&d->p2m, key, pdpte, sizeof(pdpte));
	r = shadow_root_find(sd, key, mode, view);
	if (r >= 0 && memcmp(sd->roots[r].pdpte, pdpte, sizeof(pdpte))) {
		shadow_root_drop(d, r, v);
		r = -1;
	}
	v->shadow.root = -1;
	if (r < 0)
		r = shadow_root_new(v, key, mode, view, pdpte);
	if (r < 0) {
		domain_crash(d, v, "shadow: no room for a root (limit %u)",
			     sd->limit);
		return;
	}
	v->shadow.root = r;
	sd->roots[r].last_used = ++sd->clock;
	if (r != old) {
		sd->stats.root_switches++;
		virt_flush_tlb(v);
	}
	hw = shadow_hw_regs(g, sd->roots[r].pa);
	virt_load_paging(v, g, &hw);
}

/*
 * The key of the table the shadow entry at level for la points to, and in
 * *g the guest entry whose rights it mirrors.
 */
static struct shadow_key shadow_child(unsigned mode, gva_t la,
				      const struct gmem_walk *w, int level,
				      uint64_t *g)
{
	struct shadow_key k = { .level = (uint8_t)(level - 1) };
	uint64_t region = ~((1ULL << PT_SHIFT(level)) - 1);
	unsigned base = mode & SM_BASE;

	*g = PTE_P | PTE_W | PTE_U;
	if (base == SM_OFF || (level == 4 && base != SM_64)) {
		/* Identity map, or te's one PDPT above a legacy guest. */
		k.direct = true;
		k.access = PTE_W | PTE_U;
		k.gfn = (w->gpa & region) >> PAGE_SHIFT;
		return k;
	}
#if SOL >= 4
	if (base == SM_32 && level == 3) {
		k.gfn = w->entry_gpa[2] >> PAGE_SHIFT;
		k.quadrant = (la >> 30) & 3;
		return k;
	}
	*g = w->entry[MAX(level, w->level)];
	if (level - 1 >= w->level) {
		k.gfn = PTE_ADDR(w->entry[level]) >> PAGE_SHIFT;
		k.quadrant = base == SM_32 ? (la >> 21) & 1 : 0;
		return k;
	}
	/* A split large page: W only once dirty, as for 4 KiB leaves. */
	k.direct = true;
	k.access = (*g & PTE_U) | ((mode & SM_NXE) ? *g & PTE_NX : 0) |
		   ((*g & PTE_W) && (*g & PTE_D) ? PTE_W : 0);
	k.gfn = (w->gpa & region) >> PAGE_SHIFT;
	return k;
#else
	/* LAB 4: your code here */
	panic("shadow_child: not implemented");
#endif
}

/* A shadow entry at level pointing to pa, with the rights of guest g. */
static uint64_t shadow_upper(const struct shadow_domain *sd,
			     const struct shadow_root *root, int level,
			     uint64_t g, hpa_t pa)
{
	uint64_t e;

	/* PAE's PDPTEs have no R/W, U/S, A or NX bits (SDM 3A 4.4.1). */
	if (shadow_levels(sd, root->mode) == 3 && level == 3)
		return pa | PTE_P | (g & (PTE_PWT | PTE_PCD));
	e = pa | (g & UPPER_BITS) | PTE_A;
	if (root->mode & SM_NXE)
		e |= g & PTE_NX;
	/* te's kernel view: the guest kernel runs at CPL 3. */
	if (sd->te && !root->user_view)
		e |= PTE_U;
	return e;
}

/*
 * The shadow leaf for walk w (its frame populated): writable only when
 * dirty and neither a guest table nor ROM (lab 5), whose writes fault.
 */
static uint64_t shadow_leaf(struct domain *d, const struct shadow_root *root,
			    const struct gmem_walk *w)
{
	uint64_t gfn = w->gpa >> PAGE_SHIFT;
	bool ro = d->shadow.pt_count[gfn] ||
		  p2m_type_ro(p2m_type_of(&d->p2m, gfn));
	uint64_t e = p2m_lookup(&d->p2m, w->gpa) | PTE_P | PTE_A | PTE_U;

	/* Paging off: the identity map, read-only over the guest's tables. */
	if (!w->level)
		return e | (ro ? 0 : PTE_W | PTE_D);
#if SOL >= 4
	uint64_t g = w->entry[w->level];

	e = (e & ~PTE_U) | (g & (PTE_U | PTE_PWT | PTE_PCD));
	/* te: a global entry would outlive te's CR3 switch to the host. */
	if (!d->shadow.te)
		e |= g & PTE_G;
	if ((g & PTE_W) && (g & PTE_D) && !ro)
		e |= PTE_W | PTE_D;
	if (root->mode & SM_NXE)
		e |= g & PTE_NX;
	if (d->shadow.te && !root->user_view)
		e |= PTE_U;
	return e;
#else
	/* LAB 4: your code here */
	panic("shadow_leaf: not implemented");
#endif
}

/* Stores e at *slot; whether a present entry changed (the TLB may hold it). */
static bool shadow_set(uint64_t *slot, uint64_t e)
{
	bool changed = (*slot & PTE_P) && *slot != e;

	*slot = e;
	return changed;
}

/*
 * Fills v's current tree along la from the guest walk w.  Returns the
 * leaf, or NULL when the limit left no room for the path.
 */
static uint64_t *shadow_fill(struct vcpu *v, gva_t la,
			     const struct gmem_walk *w)
{
	struct domain *d = v->domain;
	struct shadow_domain *sd = &d->shadow;
	int r = v->shadow.root;
	const struct shadow_root *root = &sd->roots[r];
	int levels = shadow_levels(sd, root->mode), level;
	uint64_t *t = kva(root->pa), *slot, g;
	bool changed = false;

	for (level = levels; level > 1; level--) {
		struct shadow_key k = shadow_child(root->mode, la, w, level,
						   &g);
		struct shadow_page *sp = shadow_find(sd, r, &k);

		if (!sp && !(sp = shadow_alloc(d, r, &k)))
			return NULL;
		sp->writes = 0;
		slot = &t[shadow_index(levels, la, level)];
		changed |= shadow_set(slot,
				      shadow_upper(sd, root, level, g, sp->pa));
		t = kva(sp->pa);
	}
	slot = &t[PT_INDEX(la, 1)];
	changed |= shadow_set(slot, shadow_leaf(d, root, w));
	if (changed)
		virt_flush_tlb(v);
	return slot;
}

/* shadow_fill, dropping v's own tree once if the path did not fit. */
static uint64_t *shadow_fill_room(struct vcpu *v, gva_t la,
				  const struct gmem_walk *w)
{
	uint64_t *leaf = shadow_fill(v, la, w);
	int r = v->shadow.root;

	if (leaf || v->domain->state != DOMAIN_RUNNING)
		return leaf;
	shadow_root_drop(v->domain, r, v);
	shadow_update(v);
	if (v->shadow.root < 0)
		return NULL;
	leaf = shadow_fill(v, la, w);
	if (!leaf)
		domain_crash(v->domain, v, "shadow: limit %u too small",
			     v->domain->shadow.limit);
	return leaf;
}

/* Stops shadowing sp's guest table: the entries linking to it go. */
static void shadow_unshadow(struct domain *d, struct shadow_page *sp)
{
	shadow_retarget(&d->shadow, sp->root, sp->key.level + 1, sp->pa, PTE_P,
			0);
	shadow_page_free(d, sp);
}

/*
 * A write the shadow forbids hit the CPU's delivery of an event (its frame
 * pushed on a stack that shares a page with a guest table): the emulator
 * runs instructions, not deliveries, so the frame stops being shadowed
 * and the delivery, requeued by the backend, retries on a writable leaf.
 */
static void shadow_unprotect(struct vcpu *v, gva_t la,
			     const struct gmem_walk *w)
{
	struct domain *d = v->domain;
	struct shadow_domain *sd = &d->shadow;
	uint64_t gfn = w->gpa >> PAGE_SHIFT, *leaf;
	unsigned i;

	for (i = 0; i < sd->limit; i++) {
		struct shadow_page *sp = &sd->pages[i];

		if (sp->pa && !sp->key.direct && sp->key.gfn == gfn &&
		    sp->pa != sd->roots[sp->root].pa)
			shadow_unshadow(d, sp);
	}
	domain_flush_tlb(d);
	leaf = shadow_fill_room(v, la, w);
	if (leaf && !(*leaf & PTE_W))
		domain_crash(d, v,
			     "event delivery writes to 0x%llx (0x%llx), "
			     "which the shadow must keep read-only",
			     (unsigned long long)la,
			     (unsigned long long)w->gpa);
}

/* The access at la goes to gpa, which no RAM backs: MMIO or a crash. */
static void shadow_not_ram(struct vcpu *v, gpa_t gpa, uint32_t access)
{
	v->domain->shadow.stats.mmio++;
	v->exit.gpa = (struct exit_gpa_fault){ .gpa = gpa,
					       .write = access & PFEC_W,
					       .fetch = access & PFEC_I };
	exit_gpa_fault(v);
}

/*
 * Backs the frame at gpa before a fill maps it (lab 5): an address outside
 * guest memory goes to shadow_not_ram, a host out of memory crashes the
 * domain.  Whether the fill may go on.
 */
static bool shadow_populate(struct vcpu *v, gpa_t gpa, uint32_t access)
{
	hpa_t hpa;
	int r = p2m_populate(&v->domain->p2m, gpa >> PAGE_SHIFT, &hpa);

	if (r == -E_RANGE)
		shadow_not_ram(v, gpa, access);
	else if (r < 0)
		domain_crash_no_mem(v->domain, v, gpa);
	return r == 0;
}

/*
 * A write to ROM (lab 5): the instruction runs in the emulator, whose
 * p2m_write drops the bytes for ROM, so that it completes as the nested
 * tables' path makes it complete.
 */
static void shadow_rom_write(struct vcpu *v, gva_t la, gpa_t gpa)
{
	v->domain->nested.rom_writes++;
	if (mmio_emulate(v) == -E_NOT_SUPP)
		domain_crash(v->domain, v,
			     "write to ROM at 0x%llx (0x%llx): cannot emulate "
			     "the instruction",
			     (unsigned long long)la, (unsigned long long)gpa);
}

void shadow_page_fault(struct vcpu *v, gva_t la, uint32_t pfec)
{
	struct domain *d = v->domain;
	uint32_t access = pfec & (PFEC_W | PFEC_U | PFEC_I);
	struct gmem_walk w;
	uint64_t *leaf;
	int r;

	d->counts[BENCH_SHADOW_FAULT]++;
	if (d->shadow.te && PT_INDEX(la, 4) >= TE_HALF) {
		domain_crash(d, v, "access to 0x%llx, the hypervisor's half",
			     (unsigned long long)la);
		return;
	}
	r = gmem_walk(v, la, access, &w);
	if (r == -E_RANGE)
		domain_crash(d, v,
			     "page table at 0x%llx outside guest memory "
			     "(%llu MiB)",
			     (unsigned long long)w.gpa,
			     (unsigned long long)(p2m_size(&d->p2m) >> 20));
	else if (r < 0) {
		d->shadow.stats.guest_faults++;
		virt_reg_write(v, VREG_CR2, la);
		virt_inject_exception(v, T_PF, true, w.pfec);
	} else if (!shadow_populate(v, w.gpa, access))
		return;
	else if (!(leaf = shadow_fill_room(v, la, &w)))
		return;
	else if (!(access & PFEC_W) || (*leaf & PTE_W))
		d->shadow.stats.fills++;
	else if (v->exit.vectoring)
		shadow_unprotect(v, la, &w);
	else if (p2m_type_ro(p2m_type_of(&d->p2m, w.gpa >> PAGE_SHIFT)))
		shadow_rom_write(v, la, w.gpa);
	else {
		/* A guest table, or a read-only page under CR0.WP = 0. */
		d->shadow.stats.pt_writes++;
		if (mmio_emulate(v) == -E_NOT_SUPP)
			domain_crash(d, v,
				     "write to 0x%llx (page table 0x%llx): "
				     "cannot emulate the instruction",
				     (unsigned long long)la,
				     (unsigned long long)w.gpa);
	}
}

/* Drops la's leaf in root, or the whole split large page it lies in. */
static void shadow_drop_la(struct vcpu *v, const struct shadow_root *root,
			   gva_t la)
{
#if SOL >= 4
	struct shadow_domain *sd = &v->domain->shadow;
	int levels = shadow_levels(sd, root->mode), level;
	uint64_t *t = kva(root->pa), *slot;
	struct shadow_page *child;

	for (level = levels; level >= 1; level--) {
		slot = &t[shadow_index(levels, la, level)];
		if (!(*slot & PTE_P))
			break;
		child = level > 1 ? shadow_by_pa(sd, PTE_ADDR(*slot)) : NULL;
		/* A split large page goes whole, as the TLB entry would. */
		if (level == 1 || (level <= 3 && child && child->key.direct)) {
			*slot = 0;
			break;
		}
		t = kva(PTE_ADDR(*slot));
	}
	virt_flush_tlb(v);
#else
	/* LAB 4: your code here */
	panic("shadow_drop_la: not implemented");
#endif
}

void shadow_invlpg(struct vcpu *v, gva_t la)
{
	struct shadow_domain *sd = &v->domain->shadow;
	const struct shadow_root *root;

	sd->stats.invlpg++;
	if (v->shadow.root < 0)
		return;
	root = &sd->roots[v->shadow.root];
	/* Paging off: the identity map never goes stale. */
	if (shadow_base(root) == SM_OFF)
		return;
	if (shadow_base(root) != SM_64)
		la &= 0xffffffff;
	if (sd->te && PT_INDEX(la, 4) >= TE_HALF)
		return;
	shadow_drop_la(v, root, la);
}

/*
 * Clears the entries of sp made from guest bytes [first, last] of its
 * frame (32-bit guests: 4-byte entries, mapped through the quadrant).
 */
static void shadow_page_written(struct shadow_domain *sd,
				struct shadow_page *sp, unsigned first,
				unsigned last)
{
#if SOL >= 4
	const struct shadow_root *root = &sd->roots[sp->root];
	unsigned esize = shadow_base(root) == SM_32 ? 4 : 8, gi, si, n, q;
	uint64_t *t = kva(sp->pa);

	q = sp->key.quadrant;
	for (gi = first / esize; gi <= last / esize; gi++) {
		si = gi;
		n = 1;
		if (esize == 4 && sp->key.level == 2) {
			if (gi / 256 != q)
				continue;
			si = 2 * (gi % 256);
			n = 2;
		} else if (esize == 4) {
			if (gi / 512 != q)
				continue;
			si = gi % 512;
		}
		if (sd->te && sp->key.level == 4 && si >= TE_HALF)
			continue;
		memset(&t[si], 0, n * sizeof(*t));
	}
#else
	/* LAB 4: your code here */
	panic("shadow_page_written: not implemented");
#endif
}

void shadow_written(struct domain *d, gpa_t gpa, size_t len)
{
	struct shadow_domain *sd = &d->shadow;
	uint64_t gfn = gpa >> PAGE_SHIFT;
	unsigned i, off = gpa % PAGE_SIZE;

	if (!sd->on || !len || gfn >= d->p2m.nframes || !sd->pt_count[gfn])
		return;
	for (i = 0; i < sd->limit; i++) {
		struct shadow_page *sp = &sd->pages[i];

		if (!sp->pa || sp->key.direct || sp->key.gfn != gfn)
			continue;
		shadow_page_written(sd, sp, off, MIN(off + len, PAGE_SIZE) - 1);
		if (++sp->writes >= WRITES_UNSHADOW &&
		    sp->pa != sd->roots[sp->root].pa)
			shadow_unshadow(d, sp);
	}
	domain_flush_tlb(d);
}

void shadow_flush(struct domain *d)
{
	int r;

	for (r = 0; d->shadow.on && r < SHADOW_ROOTS; r++)
		if (d->shadow.roots[r].used)
			shadow_root_drop(d, r, NULL);
}

bool shadow_owns(struct vcpu *v, int vreg)
{
	return v->domain->shadow.on && (vreg == VREG_CR0 || vreg == VREG_CR3 ||
					vreg == VREG_CR4 || vreg == VREG_EFER);
}

static uint64_t *shadow_reg(struct vcpu *v, int vreg)
{
	struct paging_regs *g = &v->shadow.guest;

	switch (vreg) {
	case VREG_CR0: return &g->cr0;
	case VREG_CR3: return &g->cr3;
	case VREG_CR4: return &g->cr4;
	case VREG_EFER: return &g->efer;
	default: panic("shadow_reg: register %d", vreg);
	}
}

uint64_t shadow_reg_read(struct vcpu *v, int vreg)
{
	return *shadow_reg(v, vreg);
}

void shadow_reg_write(struct vcpu *v, int vreg, uint64_t val)
{
	*shadow_reg(v, vreg) = val;
	shadow_update(v);
}

void shadow_set_user_view(struct vcpu *v, bool user)
{
	if (v->shadow.user_view == user)
		return;
	v->shadow.user_view = user;
	shadow_update(v);
}

/* Pages holding pages[limit] and, after them, pt_count[guest frames]. */
static size_t shadow_meta_pages(const struct domain *d, unsigned limit)
{
	return ROUNDUP(limit * sizeof(struct shadow_page) +
			       d->p2m.nframes * sizeof(uint16_t),
		       PAGE_SIZE) /
	       PAGE_SIZE;
}

int shadow_domain_init(struct domain *d, unsigned limit, bool te)
{
	struct shadow_domain *sd = &d->shadow;
	bool ext8 = cpuid(0x80000000, 0).eax >= 0x80000008;
	hpa_t meta;
	int i;

	if (limit < SHADOW_PAGES_MIN || limit > SHADOW_PAGES_MAX)
		return -E_INVAL;
	meta = page_alloc_contig(shadow_meta_pages(d, limit), 1);
	if (!meta)
		return -E_NO_MEM;
	memset(kva(meta), 0, shadow_meta_pages(d, limit) * PAGE_SIZE);
	memset(sd, 0, sizeof(*sd));
	sd->on = true;
	sd->te = te;
	sd->limit = limit;
	sd->meta_pa = meta;
	sd->pages = kva(meta);
	sd->pt_count = (uint16_t *)(sd->pages + limit);
	/* The guest's MAXPHYADDR and 1 GiB pages: CPUID passes them on. */
	sd->maxphyaddr = ext8 ? cpuid(0x80000008, 0).eax & 0xff : 36;
	sd->page1gb = cpuid(0x80000001, 0).edx & (1u << 26);
	for (i = 0; i < VCPU_MAX; i++)
		d->vcpus[i].shadow.root = -1;
	return 0;
}

void shadow_domain_destroy(struct domain *d)
{
	struct shadow_domain *sd = &d->shadow;
	int r, i;

	if (!sd->pages)
		return;
	for (i = 0; i < VCPU_MAX; i++)
		d->vcpus[i].shadow.root = -1;
	for (r = 0; r < SHADOW_ROOTS; r++)
		shadow_root_free(d, r);
	page_free_contig(sd->meta_pa, shadow_meta_pages(d, sd->limit));
	sd->pages = NULL;
	sd->pt_count = NULL;
}

void shadow_print(struct domain *d)
{
	const struct shadow_domain *sd = &d->shadow;
	const struct shadow_stats *s = &sd->stats;

	if (!sd->on)
		return;
	cprintf("  shadow: %u of %u pages (peak %u); fills %llu, guest #PF "
		"%llu, PT writes %llu, MMIO %llu, switches %llu, evictions "
		"%llu, INVLPG %llu\n",
		sd->used, sd->limit, sd->peak, (unsigned long long)s->fills,
		(unsigned long long)s->guest_faults,
		(unsigned long long)s->pt_writes, (unsigned long long)s->mmio,
		(unsigned long long)s->root_switches,
		(unsigned long long)s->evictions,
		(unsigned long long)s->invlpg);
}
