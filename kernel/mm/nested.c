/*
 * nested.c - nested paging as the hypervisor's memory manager (AMD APM
 * vol. 2, 15.25 "Nested Paging"; Intel SDM vol. 3C, 29.3 "The Extended
 * Page Table Mechanism (EPT)"), lab 5.  The interface: nested.h.
 *
 * The tables are a cache of the p2m: nested_fault fills them one fault at
 * a time, with a leaf as large as the p2m allows, and everything else here
 * drops, splits or write-protects what they hold.  The counts in
 * d->nested.stats follow every leaf and table as it comes and goes.
 */
#include <inc/mmu.h>
#include <kernel/kernel.h>
#include <kernel/domain.h>
#include <kernel/exit.h>
#include <kernel/dev/mmio.h>
#include <kernel/mm/page.h>
#include <kernel/mm/nested.h>
#include <kernel/mm/vm.h>

#define NESTED_W (1ULL << 1) /* bit 1 allows writes in both formats */

/* Guest frames a leaf at level maps: 1, 512 or 512 * 512. */
static uint64_t nested_frames(int level)
{
	return 1ULL << (9 * (level - 1));
}

static bool nested_is_leaf(uint64_t e, int level)
{
	return level == 1 || (e & PTE_PS);
}

static size_t *nested_count(struct nested_stats *s, int level)
{
	return level == 3 ? &s->pages_1g :
	       level == 2 ? &s->pages_2m :
			    &s->pages_4k;
}

/* Clears *e at level: a leaf, or a table with everything under it. */
static void nested_drop(struct nested_domain *nd, uint64_t *e, int level)
{
	uint64_t *t;
	int i;

	if (!*e)
		return;
	if (nested_is_leaf(*e, level)) {
		(*nested_count(&nd->stats, level))--;
	} else {
		t = kva(PTE_ADDR(*e));
		for (i = 0; i < PT_ENTRIES; i++)
			nested_drop(nd, &t[i], level - 1);
		page_free(PTE_ADDR(*e));
		nd->stats.tables--;
	}
	*e = 0;
}

static void nested_drop_all(struct domain *d)
{
	uint64_t *root = kva(d->nested.root);
	int i;

	for (i = 0; i < PT_ENTRIES; i++)
		nested_drop(&d->nested, &root[i], 4);
}

int nested_init(struct domain *d, const struct nested_format *fmt)
{
	struct nested_domain *nd = &d->nested;

	memset(nd, 0, sizeof(*nd));
	nd->root = page_alloc();
	if (!nd->root)
		return -E_NO_MEM;
	nd->fmt = fmt;
	nd->stats.tables = 1;
	return 0;
}

void nested_destroy(struct domain *d)
{
	struct nested_domain *nd = &d->nested;
	struct nested_stats last = nd->stats;

	if (!nd->root)
		return;
	nested_drop_all(d);
	page_free(nd->root);
	nd->root = 0;
	nd->log_dirty = false;
	nd->stats = last;
}

/*
 * Replaces the large leaf *e at level, which maps the frames from gfn, by
 * a table of 512 leaves one level down with the rights the p2m gives each
 * (less write when *e denied it): the same translations, finer grained.
 * 0 or -E_NO_MEM.
 */
static int nested_split(struct domain *d, uint64_t *e, int level, uint64_t gfn)
{
	struct nested_domain *nd = &d->nested;
	uint64_t n = nested_frames(level - 1), *t;
	unsigned keep = (*e & NESTED_W) ? P2M_RWX : P2M_RWX & ~P2M_W;
	hpa_t pa = page_alloc(), base = PTE_ADDR(*e);
	unsigned perm;
	int i;

	if (!pa)
		return -E_NO_MEM;
	t = kva(pa);
	for (i = 0; i < PT_ENTRIES; i++) {
		perm = p2m_type_perm(p2m_type_of(&d->p2m, gfn + i * n)) & keep;
		if (!perm)
			continue;
		t[i] = nd->fmt->leaf(base + ((i * n) << PAGE_SHIFT), perm,
				     level - 1);
		(*nested_count(&nd->stats, level - 1))++;
	}
	(*nested_count(&nd->stats, level))--;
	*e = nd->fmt->table(pa);
	nd->stats.tables++;
	nd->stats.splits++;
	return 0;
}

/*
 * The entry for gfn at level, creating the tables above it and splitting
 * a larger leaf in the way; NULL when out of host memory.
 */
static uint64_t *nested_slot(struct domain *d, uint64_t gfn, int level)
{
	struct nested_domain *nd = &d->nested;
	uint64_t *t = kva(nd->root), *e;
	hpa_t pa;
	int l;

	for (l = 4; l > level; l--) {
		e = &t[PT_INDEX(gfn << PAGE_SHIFT, l)];
		if (!*e) {
			pa = page_alloc();
			if (!pa)
				return NULL;
			*e = nd->fmt->table(pa);
			nd->stats.tables++;
		} else if (nested_is_leaf(*e, l) &&
			   nested_split(d, e, l, gfn & ~(nested_frames(l) - 1)))
			return NULL;
		t = kva(PTE_ADDR(*e));
	}
	return &t[PT_INDEX(gfn << PAGE_SHIFT, level)];
}

/*
 * Maps the level-sized region holding gfn with perm, from the host page
 * the p2m has for its first frame; a table there gives way to the leaf
 * (a merge).  0 or -E_NO_MEM.
 */
static int nested_map(struct domain *d, uint64_t gfn, int level, unsigned perm)
{
	struct nested_domain *nd = &d->nested;
	uint64_t first = gfn & ~(nested_frames(level) - 1);
	uint64_t *e = nested_slot(d, gfn, level);

	if (!e)
		return -E_NO_MEM;
	if (*e && !nested_is_leaf(*e, level)) {
		nested_drop(nd, e, level);
		nd->stats.merges++;
	} else if (*e) {
		(*nested_count(&nd->stats, level))--;
	}
	*e = nd->fmt->leaf(p2m_lookup(&d->p2m, first << PAGE_SHIFT), perm,
			   level);
	(*nested_count(&nd->stats, level))++;
	return 0;
}

#if SOL >= 5
/*
 * Whether n frames from first (n-aligned) are all of type t, populated,
 * and backed by one host run aligned to n pages: one large leaf can map
 * them.
 */
static bool nested_uniform(const struct p2m *p, uint64_t first, uint64_t n,
			   enum p2m_type t)
{
	hpa_t base = p2m_lookup(p, first << PAGE_SHIFT);
	uint64_t i;

	if (first + n > p->nframes || !base || (base >> PAGE_SHIFT) % n)
		return false;
	for (i = 0; i < n; i++)
		if (p2m_type_of(p, first + i) != t ||
		    p2m_lookup(p, (first + i) << PAGE_SHIFT) !=
			    base + (i << PAGE_SHIFT))
			return false;
	return true;
}

/*
 * The level of the leaf that maps gfn, of type t: the largest the format
 * allows whose aligned region nested_uniform accepts, and 4 KiB while
 * dirty logging write-protects frame by frame.
 */
static int nested_leaf_level(struct domain *d, uint64_t gfn, enum p2m_type t)
{
	int level;

	if (d->nested.log_dirty)
		return 1;
	for (level = d->nested.fmt->max_level(); level > 1; level--)
		if (nested_uniform(&d->p2m, gfn & ~(nested_frames(level) - 1),
				   nested_frames(level), t))
			return level;
	return 1;
}
#else
static int nested_leaf_level(struct domain *d, uint64_t gfn, enum p2m_type t)
{
	/* LAB 5: your code here */
	return 1;
}
#endif

/*
 * Populates RAM or ROM frame gfn and maps it with perm; a host out of
 * memory crashes the domain.
 */
static void nested_populate(struct vcpu *v, uint64_t gfn, enum p2m_type t,
			    unsigned perm)
{
	struct domain *d = v->domain;
	hpa_t hpa;
	int r = p2m_populate(&d->p2m, gfn, &hpa);

	if (r == 0)
		r = nested_map(d, gfn, nested_leaf_level(d, gfn, t), perm);
	if (r < 0)
		domain_crash_no_mem(d, v, v->exit.gpa.gpa);
}

#if SOL >= 5
/*
 * A write to ROM: the emulator runs the instruction and p2m_write drops
 * the bytes that go to ROM; the first one a domain makes is reported.
 */
static void nested_rom_write(struct vcpu *v)
{
	struct domain *d = v->domain;
	gpa_t gpa = v->exit.gpa.gpa;

	if (d->nested.rom_writes++ == 0)
		cprintf("domain %s: write to ROM at 0x%llx dropped\n", d->name,
			(unsigned long long)gpa);
	if (mmio_emulate(v) == -E_NOT_SUPP)
		domain_crash(d, v,
			     "write to ROM at 0x%llx: cannot emulate the "
			     "instruction",
			     (unsigned long long)gpa);
}

/* An EPT entry hvlab wrote is malformed: a hypervisor bug, this domain's. */
static void nested_misconfig(struct vcpu *v)
{
	gpa_t gpa = v->exit.gpa.gpa;
	int level;
	uint64_t *e = vm_find(v->domain->nested.root, gpa, ~0ULL, &level);

	domain_crash(v->domain, v,
		     "nested misconfiguration at 0x%llx: level-%d entry 0x%llx",
		     (unsigned long long)gpa, level, (unsigned long long)*e);
}

void nested_fault(struct vcpu *v)
{
	struct domain *d = v->domain;
	const struct exit_gpa_fault *f = &v->exit.gpa;
	uint64_t gfn = f->gpa >> PAGE_SHIFT;
	enum p2m_type t = p2m_type_of(&d->p2m, gfn);
	unsigned perm = p2m_type_perm(t);

	if (f->misconfig) {
		nested_misconfig(v);
	} else if (p2m_type_mem(t)) {
		/* Logging: a clean frame is read-only until its first write. */
		if (d->nested.log_dirty && f->write && t == P2M_RAM)
			p2m_dirty_mark(&d->p2m, gfn);
		else if (d->nested.log_dirty)
			perm &= ~P2M_W;
		nested_populate(v, gfn, t, perm);
		/* ROM is mapped for reads; a write still needs the emulator. */
		if (p2m_type_ro(t) && f->write && d->state == DOMAIN_RUNNING)
			nested_rom_write(v);
	} else if (f->fetch && io_mmio_find(d, f->gpa)) {
		domain_crash(d, v, "execute from MMIO at 0x%llx",
			     (unsigned long long)f->gpa);
	} else {
		exit_gpa_fault(v);
	}
}
#else
void nested_fault(struct vcpu *v)
{
	/* LAB 5: your code here */
	uint64_t gfn = v->exit.gpa.gpa >> PAGE_SHIFT;
	enum p2m_type t = p2m_type_of(&v->domain->p2m, gfn);

	if (t == P2M_RAM)
		nested_populate(v, gfn, t, p2m_type_perm(t));
	else
		exit_gpa_fault(v);
}
#endif

/*
 * Drops the mappings of frames [gfn, end) under table t at level, whose
 * first entry maps the frames from base; a large leaf partly inside is
 * split first.  0 or -E_NO_MEM.
 */
static int nested_drop_range(struct domain *d, uint64_t *t, int level,
			     uint64_t base, uint64_t gfn, uint64_t end)
{
	uint64_t n = nested_frames(level), lo;
	int i, r;

	for (i = 0; i < PT_ENTRIES; i++) {
		lo = base + i * n;
		if (!t[i] || lo + n <= gfn || lo >= end)
			continue;
		if (gfn <= lo && lo + n <= end) {
			nested_drop(&d->nested, &t[i], level);
			continue;
		}
		if (nested_is_leaf(t[i], level) &&
		    (r = nested_split(d, &t[i], level, lo)) < 0)
			return r;
		r = nested_drop_range(d, kva(PTE_ADDR(t[i])), level - 1, lo,
				      gfn, end);
		if (r < 0)
			return r;
	}
	return 0;
}

int nested_invalidate(struct domain *d, uint64_t gfn, uint64_t n)
{
	int r = nested_drop_range(d, kva(d->nested.root), 4, 0, gfn, gfn + n);

	if (r < 0)
		nested_drop_all(d);
	domain_flush_tlb(d);
	return r;
}

/*
 * Write-protects the leaves under table t at level (first frame base):
 * every one when bitmap is NULL, else the 4 KiB ones of frames set in it
 * (while logging, a large leaf is read-only already).
 */
static void nested_wp_table(struct domain *d, uint64_t *t, int level,
			    uint64_t base, const uint64_t *bitmap)
{
	uint64_t n = nested_frames(level), gfn;
	unsigned perm;
	int i;

	for (i = 0; i < PT_ENTRIES; i++) {
		gfn = base + i * n;
		if (!t[i] || (bitmap && level == 1 &&
			      !(bitmap[gfn / 64] & (1ULL << (gfn % 64)))))
			continue;
		perm = p2m_type_perm(p2m_type_of(&d->p2m, gfn)) & ~P2M_W;
		if (!nested_is_leaf(t[i], level))
			nested_wp_table(d, kva(PTE_ADDR(t[i])), level - 1, gfn,
					bitmap);
		else if ((t[i] & NESTED_W) && perm)
			t[i] = d->nested.fmt->leaf(PTE_ADDR(t[i]), perm, level);
	}
}

int nested_log_dirty(struct domain *d, bool on)
{
	int r;

	if (on == d->nested.log_dirty)
		return 0;
	if (on) {
		r = p2m_dirty_start(&d->p2m);
		if (r < 0)
			return r;
		nested_wp_table(d, kva(d->nested.root), 4, 0, NULL);
	} else {
		nested_drop_all(d);
		p2m_dirty_stop(&d->p2m);
	}
	d->nested.log_dirty = on;
	domain_flush_tlb(d);
	return 0;
}

void nested_protect(struct domain *d, const uint64_t *bitmap)
{
	nested_wp_table(d, kva(d->nested.root), 4, 0, bitmap);
	domain_flush_tlb(d);
}

int nested_level(struct domain *d, gpa_t gpa, bool *writable)
{
	int level;
	uint64_t *e = vm_find(d->nested.root, gpa, ~0ULL, &level);

	if (!*e)
		level = 0;
	*writable = level && (*e & NESTED_W);
	return level;
}

void nested_print(struct domain *d)
{
	const struct nested_stats *s = &d->nested.stats;

	if (!d->nested.root)
		return;
	cprintf("  nested: 4K %zu 2M %zu 1G %zu, %zu tables, %zu splits, "
		"%zu merges, %llu ROM writes; host %zu pages (peak %zu)\n",
		s->pages_4k, s->pages_2m, s->pages_1g, s->tables, s->splits,
		s->merges, (unsigned long long)d->nested.rom_writes,
		d->p2m.populated, d->p2m.peak);
}
