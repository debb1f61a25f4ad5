/*
 * p2m.c - guest-physical memory backed by host pages (labs 2 and 3).
 *
 * A flat array maps each guest frame number to the host page behind it.
 * Every frame comes from page_alloc, so guest memory is never shared with
 * the hypervisor or another domain; the backend's nested page tables map
 * exactly these frames and nothing else.
 */
#include <inc/mmu.h>
#include <kernel/kernel.h>
#include <kernel/mm/page.h>
#include <kernel/mm/p2m.h>

#define P2M_MAX_SIZE (4ULL * GiB)

int p2m_init(struct p2m *p, uint64_t size, bool eager)
{
	size_t i;

	memset(p, 0, sizeof(*p));
	if (size == 0 || size % PAGE_SIZE || size > P2M_MAX_SIZE)
		return -E_INVAL;
	p->nframes = size / PAGE_SIZE;
	p->table_pages = ROUNDUP(p->nframes * sizeof(hpa_t), PAGE_SIZE) /
			 PAGE_SIZE;
	p->table_pa = page_alloc_contig(p->table_pages, 1);
	if (!p->table_pa) {
		memset(p, 0, sizeof(*p));
		return -E_NO_MEM;
	}
	p->entries = kva(p->table_pa);
	for (i = 0; i < p->nframes; i++) {
		p->entries[i] = page_alloc();
		if (!p->entries[i]) {
			p2m_destroy(p);
			return -E_NO_MEM;
		}
	}
	return 0;
}

void p2m_destroy(struct p2m *p)
{
	size_t i;

	if (!p->entries)
		return;
	for (i = 0; i < p->nframes && p->entries[i]; i++)
		page_free(p->entries[i]);
	page_free_contig(p->table_pa, p->table_pages);
	memset(p, 0, sizeof(*p));
}

hpa_t p2m_lookup(const struct p2m *p, gpa_t gpa)
{
	uint64_t gfn = gpa / PAGE_SIZE;

	if (gfn >= p->nframes)
		return 0;
	return p->entries[gfn];
}

/* Whether [gpa, gpa+len) lies inside guest RAM, without overflow. */
static bool p2m_in_range(const struct p2m *p, gpa_t gpa, size_t len)
{
	return gpa <= p2m_size(p) && len <= p2m_size(p) - gpa;
}

int p2m_read(const struct p2m *p, gpa_t gpa, void *buf, size_t len)
{
	uint8_t *dst = buf;
	size_t n;

	if (!p2m_in_range(p, gpa, len))
		return -E_RANGE;
	for (; len; len -= n, gpa += n, dst += n) {
		n = MIN(len, PAGE_SIZE - gpa % PAGE_SIZE);
		memcpy(dst,
		       (uint8_t *)kva(p2m_lookup(p, gpa)) + gpa % PAGE_SIZE, n);
	}
	return 0;
}

int p2m_write(struct p2m *p, gpa_t gpa, const void *buf, size_t len)
{
	const uint8_t *src = buf;
	size_t n;

	if (!p2m_in_range(p, gpa, len))
		return -E_RANGE;
	for (; len; len -= n, gpa += n, src += n) {
		n = MIN(len, PAGE_SIZE - gpa % PAGE_SIZE);
		memcpy((uint8_t *)kva(p2m_lookup(p, gpa)) + gpa % PAGE_SIZE,
		       src, n);
	}
	return 0;
}

/* The leaf entry for gpa under root, allocating tables on the way. */
static uint64_t *p2m_walk_create(hpa_t root, gpa_t gpa, uint64_t table_bits)
{
	uint64_t *table = kva(root);
	int level;

	for (level = 4; level > 1; level--) {
		uint64_t *e = &table[PT_INDEX(gpa, level)];

		if (!*e) {
			hpa_t pa = page_alloc();

			if (!pa)
				return NULL;
			*e = pa | table_bits;
		}
		table = kva(PTE_ADDR(*e));
	}
	return &table[PT_INDEX(gpa, 1)];
}

int p2m_build_tables(const struct p2m *p, hpa_t *root, uint64_t table_bits,
		     uint64_t leaf_bits)
{
	size_t gfn;

	*root = page_alloc();
	if (!*root)
		return -E_NO_MEM;
	for (gfn = 0; gfn < p->nframes; gfn++) {
		uint64_t *e = p2m_walk_create(*root, (gpa_t)gfn * PAGE_SIZE,
					      table_bits);

		if (!e) {
			p2m_free_tables(*root);
			*root = 0;
			return -E_NO_MEM;
		}
		*e = p->entries[gfn] | leaf_bits;
	}
	return 0;
}

static void p2m_free_level(hpa_t pa, int level)
{
	uint64_t *table = kva(pa);
	int i;

	for (i = 0; level > 1 && i < PT_ENTRIES; i++)
		if (table[i])
			p2m_free_level(PTE_ADDR(table[i]), level - 1);
	page_free(pa);
}

void p2m_free_tables(hpa_t root)
{
	if (root)
		p2m_free_level(root, 4);
}

void check_p2m(void)
{
	struct p2m p;
	size_t before = page_free_count();
	uint32_t v = 0x12345678, r = 0;
	uint64_t *t;
	hpa_t root;
	int level;

	assert(p2m_init(&p, 3 * PAGE_SIZE + 1, true) == -E_INVAL);
	assert(p2m_init(&p, 3 * PAGE_SIZE, true) == 0);
	assert(p2m_lookup(&p, 0) && p2m_lookup(&p, 2 * PAGE_SIZE + 5));
	assert(p2m_lookup(&p, 3 * PAGE_SIZE) == 0);
	assert(p2m_lookup(&p, 0) != p2m_lookup(&p, PAGE_SIZE));
	assert(p2m_write(&p, PAGE_SIZE - 2, &v, 4) == 0);
	assert(p2m_read(&p, PAGE_SIZE - 2, &r, 4) == 0 && r == v);
	assert(p2m_read(&p, 3 * PAGE_SIZE - 2, &r, 4) == -E_RANGE);
	assert(p2m_read(&p, ~0ULL - 1, &r, 4) == -E_RANGE);
	assert(p2m_build_tables(&p, &root, 0x7, 0x37) == 0);
	for (t = kva(root), level = 4; level > 1; level--)
		t = kva(PTE_ADDR(t[0]));
	assert(t[2] == (p.entries[2] | 0x37) && t[3] == 0);
	p2m_free_tables(root);
	p2m_destroy(&p);
	assert(page_free_count() == before);
	cprintf("check_p2m() succeeded!\n");
}
