/*
 * p2m.h - a domain's guest-physical memory (labs 2 and 3): which host page backs
 * each guest frame.  The core owns it; backends build their nested page
 * tables (NPT, EPT) from it and never map anything it does not list.
 */
#ifndef KERNEL_P2M_H
#define KERNEL_P2M_H

#include <inc/types.h>

struct p2m {
	hpa_t *frames;	/* frames[gfn] = backing host page */
	size_t nframes; /* guest RAM is [0, nframes * PAGE_SIZE) */
	hpa_t table_pa; /* the pages holding frames[] */
	size_t table_pages;
};

/*
 * Gives p a guest RAM of size bytes (a multiple of PAGE_SIZE), each frame a
 * zeroed host page.  Returns 0, -E_INVAL or -E_NO_MEM (nothing kept).
 */
int p2m_init(struct p2m *p, uint64_t size);

/* Returns every page p holds to the allocator. */
void p2m_destroy(struct p2m *p);

/* Host page backing guest frame of gpa, or 0 when gpa is not guest RAM. */
hpa_t p2m_lookup(const struct p2m *p, gpa_t gpa);

/* Guest RAM size in bytes. */
static inline uint64_t p2m_size(const struct p2m *p)
{
	return (uint64_t)p->nframes << 12;
}

/*
 * Copy between guest-physical memory and a hypervisor buffer, across page
 * boundaries.  Return 0, or -E_RANGE if any byte lies outside guest RAM
 * (then nothing is copied).
 */
int p2m_read(const struct p2m *p, gpa_t gpa, void *buf, size_t len);
int p2m_write(const struct p2m *p, gpa_t gpa, const void *buf, size_t len);

/*
 * Builds a 4-level table at a fresh *root that maps every frame of p at its
 * guest-physical address, for a backend's nested paging (NPT, EPT): table
 * entries are the next table | table_bits, leaves the frame | leaf_bits,
 * in the backend's format; an entry is present when it is nonzero.
 * Returns 0, or -E_NO_MEM (then nothing is kept and *root is 0).
 */
int p2m_build_tables(const struct p2m *p, hpa_t *root, uint64_t table_bits,
		     uint64_t leaf_bits);

/* Frees a table p2m_build_tables built. */
void p2m_free_tables(hpa_t root);

/* Boot-time self-check; prints "check_p2m() succeeded!". */
void check_p2m(void);

#endif
