/*
 * p2m.h - a domain's guest-physical memory (labs 2, 3 and 5): what each
 * guest frame is, and which host page backs it.  The nested tables
 * (nested.c) and the shadow (shadow.c) are caches built from it and never
 * map anything it does not list.  Frame types, eager and demand
 * population: labs/lab5.md; foreign frames: labs/lab7.md.  A foreign
 * frame's host page is never allocated, counted or freed here.
 */
#ifndef KERNEL_P2M_H
#define KERNEL_P2M_H

#include <inc/memlayout.h>
#include <inc/mmu.h>
#include <inc/types.h>

/* A guest frame's type (the low bits of a p2m entry). */
enum p2m_type {
	P2M_ABSENT,  /* nothing: an access crashes the domain */
	P2M_RAM,     /* guest RAM, read/write/execute */
	P2M_ROM,     /* read-only RAM: reads and fetches work, writes dropped */
	P2M_MMIO,    /* an emulated device's registers (p2m_type only) */
	P2M_FOREIGN, /* another domain's page, read/write (lab 7) */
	P2M_FOREIGN_RO, /* another domain's page, writes dropped (lab 7) */
};

/* Whether writes to frames of type t are dropped (emulated, reported). */
static inline bool p2m_type_ro(enum p2m_type t)
{
	return t == P2M_ROM || t == P2M_FOREIGN_RO;
}

/* Whether frames of type t are memory the guest may touch. */
static inline bool p2m_type_mem(enum p2m_type t)
{
	return t == P2M_RAM || t == P2M_ROM || t == P2M_FOREIGN ||
	       t == P2M_FOREIGN_RO;
}

/* Access rights of a frame (p2m_perm), as nested tables encode them. */
#define P2M_R	1u
#define P2M_W	2u
#define P2M_X	4u
#define P2M_RWX (P2M_R | P2M_W | P2M_X)

/*
 * An entry: the backing host page's address (bits 51:12, 0 while a RAM
 * frame is not yet populated) | the enum p2m_type in bits 2:0.
 */
typedef uint64_t p2m_entry_t;
#define P2M_TYPE_MASK 7ULL

/* Host pages populating never takes: the hypervisor's own reserve. */
#define P2M_HOST_RESERVE_PAGES 1024

struct p2m {
	p2m_entry_t *entries; /* entries[gfn], gfn < nframes */
	size_t nframes;	      /* frames typed here: [0, nframes) */
	hpa_t table_pa;	      /* the pages holding entries[] */
	size_t table_pages;
	size_t populated; /* host pages backing guest frames */
	size_t peak;	  /* most ever populated at once */
	/* Dirty logging (lab 5): bit gfn set when the frame was written
	 * since the last p2m_dirty_collect; NULL while logging is off. */
	uint64_t *dirty;
	hpa_t dirty_pa;
	size_t dirty_pages;
};

/*
 * Gives p size bytes of guest RAM (a multiple of PAGE_SIZE, at most 4 GiB)
 * at guest-physical 0.  eager: every frame gets a zeroed host page now,
 * in 2 MiB-aligned contiguous runs where the allocator has them (so that
 * nested paging can map large pages); else frames are populated at first
 * touch.  Returns 0, -E_INVAL or -E_NO_MEM (nothing kept).
 */
int p2m_init(struct p2m *p, uint64_t size, bool eager);

/* Returns every page p holds to the allocator. */
void p2m_destroy(struct p2m *p);

/* Guest RAM size in bytes (what the guest was given). */
static inline uint64_t p2m_size(const struct p2m *p)
{
	return (uint64_t)p->nframes << 12;
}

/* The type of guest frame gfn below nframes; P2M_ABSENT above. */
static inline enum p2m_type p2m_type_of(const struct p2m *p, uint64_t gfn)
{
	return gfn < p->nframes ?
		       (enum p2m_type)(p->entries[gfn] & P2M_TYPE_MASK) :
		       P2M_ABSENT;
}

/* The rights a frame of type t gives: RWX for RAM, R|X for ROM, R|W and
 * R for foreign frames, 0 else. */
unsigned p2m_type_perm(enum p2m_type t);

/*
 * Host page backing gfn when it is RAM or ROM and populated, or foreign,
 * else 0.  Never allocates.
 */
static inline hpa_t p2m_lookup(const struct p2m *p, gpa_t gpa)
{
	uint64_t gfn = gpa >> PAGE_SHIFT;

	return gfn < p->nframes ? p->entries[gfn] & PTE_ADDR_MASK : 0;
}

/*
 * Host page backing gfn, populating a RAM or ROM frame with a zeroed page
 * first (lab 5); a foreign frame's page as it is.  Returns 0 with *hpa;
 * -E_RANGE when gfn is not memory (p2m_type_mem); -E_NO_MEM when the host has no page to spare (fewer than
 * P2M_HOST_RESERVE_PAGES free), for the caller to crash the domain.
 */
int p2m_populate(struct p2m *p, uint64_t gfn, hpa_t *hpa);

/*
 * Ballooning (lab 6): !in gives back RAM frame gfn's host page and makes
 * the frame absent; in makes absent frame gfn RAM again, populated
 * (zeroed) at its next touch.  0, or -E_INVAL when gfn is not RAM (out)
 * or not absent (in).  The caller drops the frame's mappings.
 */
int p2m_balloon(struct p2m *p, uint64_t gfn, bool in);

/*
 * Lab 7: makes absent frame gfn show host page hpa of another domain
 * (read-only when ro), or foreign frame gfn absent again.  0, or -E_INVAL
 * when gfn is not absent (set) or not foreign (clear).  The caller keeps
 * hpa's owner from freeing it meanwhile, and drops the frame's mappings
 * after a clear.
 */
int p2m_foreign_set(struct p2m *p, uint64_t gfn, hpa_t hpa, bool ro);
int p2m_foreign_clear(struct p2m *p, uint64_t gfn);

/*
 * Sets the type of frames [gfn, gfn+n) that are RAM or ROM to t (P2M_RAM
 * or P2M_ROM), keeping their contents.  Returns 0 or -E_INVAL (then
 * nothing changed).  The caller drops the frames' nested or shadow
 * mappings (nested_invalidate, shadow_written).
 */
int p2m_set_type(struct p2m *p, uint64_t gfn, uint64_t n, enum p2m_type t);

/*
 * Copy between guest-physical memory and a hypervisor buffer, across page
 * boundaries.  Reads of unpopulated frames give zeros without populating
 * them; writes populate, mark the frames dirty when logging, and skip
 * bytes of ROM and read-only foreign frames (0 is still returned: the guest's device or string
 * write went to ROM).  Return 0, -E_RANGE if any byte lies outside memory
 * (p2m_type_mem; then nothing is copied), or -E_NO_MEM.
 */
int p2m_read(const struct p2m *p, gpa_t gpa, void *buf, size_t len);
int p2m_write(struct p2m *p, gpa_t gpa, const void *buf, size_t len);

/* Dirty logging (lab 5); p2m_write and the nested tables mark frames. */

/* Starts logging (every frame clean); 0 or -E_NO_MEM. */
int p2m_dirty_start(struct p2m *p);

/* Stops logging and frees the bitmap. */
void p2m_dirty_stop(struct p2m *p);

/* Marks gfn written (no-op when not logging). */
void p2m_dirty_mark(struct p2m *p, uint64_t gfn);

/*
 * Moves the frames written since the last call into out (a bitmap of
 * nframes bits, which it ORs in) and clears them in p; returns how many
 * it moved.  The caller write-protects them again (nested_log_dirty).
 */
size_t p2m_dirty_collect(struct p2m *p, uint64_t *out);

/* Boot-time self-check; prints "check_p2m() succeeded!". */
void check_p2m(void);

#endif
