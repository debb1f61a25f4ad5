/*
 * p2m.c - guest-physical memory (labs 2, 3 and 5): a flat array
 * entries[gfn] of typed entries (p2m.h).
 *
 * Every host page comes from page_alloc, so guest memory is never shared
 * with the hypervisor or another domain.  Populating keeps
 * P2M_HOST_RESERVE_PAGES free: a guest that touches more than the host has
 * runs out, not the hypervisor.  The dirty log serves live migration
 * (kernel/migrate.c).
 */
#include <inc/mmu.h>
#include <kernel/kernel.h>
#include <kernel/mm/page.h>
#include <kernel/mm/p2m.h>

#define P2M_MAX_SIZE	(4ULL * GiB)
#define P2M_LARGE_PAGES (LARGE_PAGE_SIZE / PAGE_SIZE)

static hpa_t p2m_entry_hpa(p2m_entry_t e)
{
	return e & PTE_ADDR_MASK;
}

/* Bytes of a bitmap of p's frames, whole uint64_t words. */
static size_t p2m_bitmap_bytes(const struct p2m *p)
{
	return ROUNDUP(p->nframes, 64) / 8;
}

static size_t p2m_pages(size_t bytes)
{
	return ROUNDUP(bytes, PAGE_SIZE) / PAGE_SIZE;
}

/* Whether the host can give a domain n more pages and keep its reserve. */
static bool p2m_host_has(size_t n)
{
	return page_free_count() >= n + P2M_HOST_RESERVE_PAGES;
}

/* Records hpa as the page backing unpopulated RAM or ROM frame gfn. */
static void p2m_back(struct p2m *p, uint64_t gfn, hpa_t hpa)
{
	p->entries[gfn] |= hpa;
	p->populated++;
	p->peak = MAX(p->peak, p->populated);
}

/*
 * Backs every frame: a 2 MiB-aligned run for each full 2 MiB while the
 * allocator has one, single pages for the rest.  0 or -E_NO_MEM.
 */
static int p2m_fill(struct p2m *p)
{
	bool runs = true;
	uint64_t gfn, i;
	hpa_t hpa;

	for (gfn = 0; gfn < p->nframes; gfn++) {
		if (p2m_entry_hpa(p->entries[gfn]))
			continue;
		if (runs && gfn % P2M_LARGE_PAGES == 0 &&
		    p->nframes - gfn >= P2M_LARGE_PAGES) {
			hpa = p2m_host_has(P2M_LARGE_PAGES) ?
				      page_alloc_contig(P2M_LARGE_PAGES,
							P2M_LARGE_PAGES) :
				      0;
			/* The allocator only fragments further: stop asking. */
			runs = hpa != 0;
			for (i = 0; hpa && i < P2M_LARGE_PAGES; i++)
				p2m_back(p, gfn + i, hpa + i * PAGE_SIZE);
			if (hpa)
				continue;
		}
		hpa = p2m_host_has(1) ? page_alloc() : 0;
		if (!hpa)
			return -E_NO_MEM;
		p2m_back(p, gfn, hpa);
	}
	return 0;
}

/* Whether gfn shows another domain's page (lab 7). */
static bool p2m_is_foreign(const struct p2m *p, uint64_t gfn)
{
	enum p2m_type t = p2m_type_of(p, gfn);

	return t == P2M_FOREIGN || t == P2M_FOREIGN_RO;
}

int p2m_init(struct p2m *p, uint64_t size, bool eager)
{
	size_t gfn;

	memset(p, 0, sizeof(*p));
	if (size == 0 || size % PAGE_SIZE || size > P2M_MAX_SIZE)
		return -E_INVAL;
	p->nframes = size / PAGE_SIZE;
	p->table_pages = p2m_pages(p->nframes * sizeof(p2m_entry_t));
	/* Refuse at once what cannot fit, rather than fill and give back. */
	if (!p2m_host_has(p->table_pages + (eager ? p->nframes : 0)) ||
	    !(p->table_pa = page_alloc_contig(p->table_pages, 1))) {
		memset(p, 0, sizeof(*p));
		return -E_NO_MEM;
	}
	p->entries = kva(p->table_pa);
	for (gfn = 0; gfn < p->nframes; gfn++)
		p->entries[gfn] = P2M_RAM;
#if SOL >= 5
	if (eager && p2m_fill(p) < 0) {
#else
	/* LAB 5: your code here: a demand domain's frames wait for a touch */
	if (p2m_fill(p) < 0) {
#endif
		p2m_destroy(p);
		return -E_NO_MEM;
	}
	return 0;
}

void p2m_destroy(struct p2m *p)
{
	size_t gfn;
	hpa_t hpa;

	if (!p->entries)
		return;
	for (gfn = 0; gfn < p->nframes; gfn++)
		if ((hpa = p2m_entry_hpa(p->entries[gfn])) &&
		    !p2m_is_foreign(p, gfn))
			page_free(hpa);
	p2m_dirty_stop(p);
	page_free_contig(p->table_pa, p->table_pages);
	memset(p, 0, sizeof(*p));
}

unsigned p2m_type_perm(enum p2m_type t)
{
	switch (t) {
	case P2M_RAM: return P2M_RWX;
	case P2M_ROM: return P2M_R | P2M_X;
	case P2M_FOREIGN: return P2M_R | P2M_W;
	case P2M_FOREIGN_RO: return P2M_R;
	default: return 0;
	}
}

int p2m_populate(struct p2m *p, uint64_t gfn, hpa_t *hpa)
{
	if (!p2m_type_mem(p2m_type_of(p, gfn)))
		return -E_RANGE;
	*hpa = p2m_entry_hpa(p->entries[gfn]);
	if (*hpa)
		return 0;
#if SOL >= 5
	*hpa = p2m_host_has(1) ? page_alloc() : 0;
	if (!*hpa)
		return -E_NO_MEM;
	p2m_back(p, gfn, *hpa);
	return 0;
#else
	/* LAB 5: your code here */
	panic("p2m_populate: not implemented");
#endif
}

int p2m_set_type(struct p2m *p, uint64_t gfn, uint64_t n, enum p2m_type t)
{
	uint64_t i;

	if ((t != P2M_RAM && t != P2M_ROM) || gfn > p->nframes ||
	    n > p->nframes - gfn)
		return -E_INVAL;
	for (i = gfn; i < gfn + n; i++)
		if (p2m_type_of(p, i) != P2M_RAM &&
		    p2m_type_of(p, i) != P2M_ROM)
			return -E_INVAL;
	for (i = gfn; i < gfn + n; i++)
		p->entries[i] = (p->entries[i] & ~P2M_TYPE_MASK) | t;
	return 0;
}

int p2m_balloon(struct p2m *p, uint64_t gfn, bool in)
{
	hpa_t hpa;

	if (gfn >= p->nframes ||
	    p2m_type_of(p, gfn) != (in ? P2M_ABSENT : P2M_RAM))
		return -E_INVAL;
	if (in) {
		p->entries[gfn] = P2M_RAM;
		return 0;
	}
	if ((hpa = p2m_entry_hpa(p->entries[gfn]))) {
		page_free(hpa);
		p->populated--;
	}
	p->entries[gfn] = P2M_ABSENT;
	return 0;
}

int p2m_foreign_set(struct p2m *p, uint64_t gfn, hpa_t hpa, bool ro)
{
	if (p2m_type_of(p, gfn) != P2M_ABSENT || gfn >= p->nframes || !hpa ||
	    hpa % PAGE_SIZE)
		return -E_INVAL;
	p->entries[gfn] = hpa | (ro ? P2M_FOREIGN_RO : P2M_FOREIGN);
	return 0;
}

int p2m_foreign_clear(struct p2m *p, uint64_t gfn)
{
	if (!p2m_is_foreign(p, gfn))
		return -E_INVAL;
	p->entries[gfn] = P2M_ABSENT;
	return 0;
}

/* Whether every byte of [gpa, gpa+len) is memory, without overflow. */
static bool p2m_in_range(const struct p2m *p, gpa_t gpa, size_t len)
{
	uint64_t gfn;

	if (gpa > p2m_size(p) || len > p2m_size(p) - gpa)
		return false;
	for (gfn = gpa >> PAGE_SHIFT; len && gfn <= (gpa + len - 1) >> 12;
	     gfn++)
		if (!p2m_type_mem(p2m_type_of(p, gfn)))
			return false;
	return true;
}

int p2m_read(const struct p2m *p, gpa_t gpa, void *buf, size_t len)
{
	uint8_t *dst = buf;
	size_t n;
	hpa_t hpa;

	if (!p2m_in_range(p, gpa, len))
		return -E_RANGE;
	for (; len; len -= n, gpa += n, dst += n) {
		n = MIN(len, PAGE_SIZE - gpa % PAGE_SIZE);
		hpa = p2m_lookup(p, gpa);
		if (hpa)
			memcpy(dst, (uint8_t *)kva(hpa) + gpa % PAGE_SIZE, n);
		else
			memset(dst, 0, n);
	}
	return 0;
}

int p2m_write(struct p2m *p, gpa_t gpa, const void *buf, size_t len)
{
	const uint8_t *src = buf;
	uint64_t gfn;
	size_t n;
	hpa_t hpa;
	int r;

	if (!p2m_in_range(p, gpa, len))
		return -E_RANGE;
	for (; len; len -= n, gpa += n, src += n) {
		n = MIN(len, PAGE_SIZE - gpa % PAGE_SIZE);
		gfn = gpa >> PAGE_SHIFT;
		if (p2m_type_ro(p2m_type_of(p, gfn)))
			continue;
		r = p2m_populate(p, gfn, &hpa);
		if (r < 0)
			return r;
		memcpy((uint8_t *)kva(hpa) + gpa % PAGE_SIZE, src, n);
		if (p->dirty)
			p2m_dirty_mark(p, gfn);
	}
	return 0;
}

int p2m_dirty_start(struct p2m *p)
{
	if (!p->dirty) {
		p->dirty_pages = p2m_pages(p2m_bitmap_bytes(p));
		p->dirty_pa = page_alloc_contig(p->dirty_pages, 1);
		if (!p->dirty_pa)
			return -E_NO_MEM;
		p->dirty = kva(p->dirty_pa);
	}
	memset(p->dirty, 0, p2m_bitmap_bytes(p));
	return 0;
}

void p2m_dirty_stop(struct p2m *p)
{
	if (!p->dirty)
		return;
	page_free_contig(p->dirty_pa, p->dirty_pages);
	p->dirty = NULL;
	p->dirty_pa = 0;
	p->dirty_pages = 0;
}

void p2m_dirty_mark(struct p2m *p, uint64_t gfn)
{
#if SOL >= 5
	if (p->dirty && gfn < p->nframes)
		__atomic_fetch_or(&p->dirty[gfn / 64], 1ULL << (gfn % 64),
				  __ATOMIC_RELAXED);
#else
	/* LAB 5: your code here */
	panic("p2m_dirty_mark: not implemented");
#endif
}

size_t p2m_dirty_collect(struct p2m *p, uint64_t *out)
{
#if SOL >= 5
	size_t i, n = 0;
	uint64_t w;

	for (i = 0; p->dirty && i < p2m_bitmap_bytes(p) / 8; i++) {
		/* A vcpu may mark the word meanwhile: take it atomically. */
		w = __atomic_exchange_n(&p->dirty[i], 0, __ATOMIC_RELAXED);
		out[i] |= w;
		for (; w; w &= w - 1)
			n++;
	}
	return n;
#else
	/* LAB 5: your code here */
	panic("p2m_dirty_collect: not implemented");
#endif
}

void check_p2m(void)
{
	size_t before = page_free_count();
	uint32_t v = 0x12345678, r = 0;
	struct p2m p;

	assert(p2m_init(&p, 3 * PAGE_SIZE + 1, true) == -E_INVAL);
	assert(p2m_init(&p, 3 * PAGE_SIZE, true) == 0);
	assert(p2m_lookup(&p, 0) && p2m_lookup(&p, 2 * PAGE_SIZE + 5));
	assert(p2m_lookup(&p, 3 * PAGE_SIZE) == 0);
	assert(p2m_lookup(&p, 0) != p2m_lookup(&p, PAGE_SIZE));
	assert(p2m_type_of(&p, 2) == P2M_RAM &&
	       p2m_type_of(&p, 3) == P2M_ABSENT);
	assert(p2m_write(&p, PAGE_SIZE - 2, &v, 4) == 0);
	assert(p2m_read(&p, PAGE_SIZE - 2, &r, 4) == 0 && r == v);
	assert(p2m_read(&p, 3 * PAGE_SIZE - 2, &r, 4) == -E_RANGE);
	assert(p2m_read(&p, ~0ULL - 1, &r, 4) == -E_RANGE);
	/* ROM keeps its bytes and can become RAM again. */
	assert(p2m_set_type(&p, 2, 1, P2M_ROM) == 0);
	assert(p2m_set_type(&p, 2, 2, P2M_RAM) == -E_INVAL);
	assert(p2m_write(&p, 2 * PAGE_SIZE - 2, &v, 4) == 0);
	assert(p2m_read(&p, 2 * PAGE_SIZE - 2, &r, 4) == 0);
	assert(r == (v & 0xffff) && p2m_type_of(&p, 2) == P2M_ROM);
	assert(p2m_set_type(&p, 2, 1, P2M_RAM) == 0);
	p2m_destroy(&p);
	assert(page_free_count() == before);
	cprintf("check_p2m() succeeded!\n");
}
