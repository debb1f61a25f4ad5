/*
 * grant.c - __HYPERVISOR_grant_table_op (lab 7; xen/include/public/
 * grant_table.h, version 1) and foreign mappings: how one domain shares
 * its pages with another.  labs/lab7.md describes the pins, the maptrack
 * and the ends of life.
 *
 * A grant table lives in frames of its owner's RAM and is read through
 * the p2m each time (gnttab_entry), so a frame given back grants nothing.
 * A dead granter's pages are revoked: its mappers' frames show one
 * read-only page of zeros until they unmap them, so a backend reading a
 * dead frontend's ring reads zeros instead of faulting.
 */
#include <inc/types.h>
#include <inc/memlayout.h>
#include <inc/public/xen.h>
#include <inc/public/grant_table.h>
#include <kernel/kernel.h>
#include <kernel/domain.h>
#include <kernel/mm/page.h>
#include <pv/hypercall.h>
#include <pv/pv.h>

#define GNTTAB_BATCH_MAX 4096 /* structs one call may pass */

void gnttab_domain_init(struct domain *d)
{
	struct gnttab *gt = &d->pv.gnttab;

	memset(gt, 0, sizeof(*gt));
	for (int i = 0; i < GNTTAB_MAX_FRAMES; i++)
		gt->frames[i] = PV_NO_GPA;
}

/* Entry ref of d's table, through d's p2m; NULL when ref lies in no
 * placed frame. */
static struct grant_entry_v1 *gnttab_entry(struct domain *d, grant_ref_t ref)
{
	gpa_t frame;

	if (ref >= GNTTAB_MAX_REFS)
		return NULL;
	frame = d->pv.gnttab.frames[ref / GNTTAB_PER_FRAME];
	if (frame == PV_NO_GPA)
		return NULL;
	return pv_map(d,
		      frame + (ref % GNTTAB_PER_FRAME) *
				      sizeof(struct grant_entry_v1),
		      sizeof(struct grant_entry_v1));
}

long gnttab_place(struct domain *d, uint64_t idx, uint64_t gfn)
{
	void *page;

	if (idx >= GNTTAB_MAX_FRAMES || gfn >= d->p2m.nframes ||
	    !(page = pv_map(d, gfn << PAGE_SHIFT, PAGE_SIZE)))
		return -XEN_EINVAL;
	/* Pins live in entries: a table moved under mappings loses them. */
	for (size_t i = idx * GNTTAB_PER_FRAME;
	     i < (idx + 1) * GNTTAB_PER_FRAME; i++)
		if (d->pv.gnttab.active[i].readers)
			return -XEN_EBUSY;
	memset(page, 0, PAGE_SIZE);
	d->pv.gnttab.frames[idx] = gfn << PAGE_SHIFT;
	return 0;
}

/* Whether entry flags and domid let domain m use it (write: writably);
 * GNTST_*. */
static int gnttab_check(uint16_t flags, domid_t domid, domid_t m, bool write)
{
	if ((flags & GTF_type_mask) != GTF_permit_access)
		return GNTST_bad_gntref;
	if (domid != m || (write && (flags & GTF_readonly)))
		return GNTST_permission_denied;
	return GNTST_okay;
}

#if SOL >= 7
/*
 * Pins ref of granter g for a mapping by domain m, read-only or not: the
 * entry must permit access to m (and writes, unless ro).  Sets
 * GTF_reading (GTF_writing) in it with one compare-and-swap of flags and
 * domid, so the granter can neither end access nor change domid
 * underneath; gives the pinned frame in *gfn.  GNTST_*.
 */
static int gnttab_pin(struct domain *g, grant_ref_t ref, domid_t m, bool ro,
		      uint64_t *gfn)
{
	struct grant_entry_v1 *e = gnttab_entry(g, ref);
	struct gnttab_active *a = &g->pv.gnttab.active[ref % GNTTAB_MAX_REFS];
	uint32_t *fd = (uint32_t *)e, old, set;
	int st;

	if (!e)
		return GNTST_bad_gntref;
	set = GTF_reading | (ro ? 0 : GTF_writing);
	old = __atomic_load_n(fd, __ATOMIC_ACQUIRE);
	do {
		st = gnttab_check((uint16_t)old, (domid_t)(old >> 16), m, !ro);
		if (st != GNTST_okay)
			return st;
	} while (!__atomic_compare_exchange_n(fd, &old, old | set, false,
					      __ATOMIC_ACQ_REL,
					      __ATOMIC_ACQUIRE));
	/* The frame is read once pinned; later mappings share it. */
	if (!a->readers)
		a->gfn = e->frame;
	a->readers++;
	a->writers += !ro;
	*gfn = a->gfn;
	return GNTST_okay;
}
#else
/* LAB 7: your code here: a helper that checks entry ref and pins it, the
 * counterpart of gnttab_unpin below */
#endif

/* Drops one pin of ref of g; the last clears GTF_reading (GTF_writing). */
static void gnttab_unpin(struct domain *g, grant_ref_t ref, bool ro)
{
	struct gnttab_active *a = &g->pv.gnttab.active[ref];
	struct grant_entry_v1 *e;
	uint16_t clear = 0;

	if (!a->readers || (!ro && !a->writers))
		panic("gnttab_unpin: ref %u of d%d not pinned", ref, g->id);
	a->readers--;
	a->writers -= !ro;
	clear |= a->writers ? 0 : GTF_writing;
	clear |= a->readers ? 0 : GTF_reading;
	if (clear && (e = gnttab_entry(g, ref)))
		__atomic_fetch_and(&e->flags, (uint16_t)~clear,
				   __ATOMIC_RELEASE);
}

/* A free maptrack handle of d, or -1. */
static int gnttab_handle_alloc(struct domain *d)
{
	for (int h = 0; h < GNTTAB_MAPTRACK; h++)
		if (!d->pv.gnttab.maptrack[h].used)
			return h;
	return -1;
}

/* Host page of g's RAM frame gfn (populated now), or 0. */
static hpa_t gnttab_page(struct domain *g, uint64_t gfn)
{
	hpa_t hpa;

	if (p2m_type_of(&g->p2m, gfn) != P2M_RAM ||
	    p2m_populate(&g->p2m, gfn, &hpa) < 0)
		return 0;
	return hpa;
}

/* Whether host_gfn is a frame of d that can show a foreign page. */
static bool gnttab_slot_ok(struct domain *d, uint64_t host_gfn)
{
	return host_gfn < d->p2m.nframes &&
	       p2m_type_of(&d->p2m, host_gfn) == P2M_ABSENT;
}

/* Ends d's mapping h: its frame absent, the pin released; its nested or
 * shadow entries dropped unless d is going (its vcpus are gone). */
static void gnttab_release(struct domain *d, int h, bool unmap)
{
	struct gnttab_map *m = &d->pv.gnttab.maptrack[h];

	p2m_foreign_clear(&d->p2m, m->host_gfn);
	if (unmap)
		hvm_unmap(d, m->host_gfn, 1);
	if (m->ref != GNTTAB_NO_REF && !m->revoked)
		gnttab_unpin(&domains[m->dom], m->ref, m->ro);
	memset(m, 0, sizeof(*m));
}

/* The page a revoked mapping shows: zeros, mapped read-only, never
 * freed. */
static hpa_t gnttab_dead_page(void)
{
	static hpa_t page;

	if (!page)
		page = page_alloc();
	return page;
}

/* The owner of mapper's mapping h died: the frame shows the dead page
 * (absent if there is none), and the mapping stays for the mapper to
 * unmap. */
static void gnttab_revoke_one(struct domain *mapper, int h)
{
	struct gnttab_map *m = &mapper->pv.gnttab.maptrack[h];
	hpa_t dead = gnttab_dead_page();

	p2m_foreign_clear(&mapper->p2m, m->host_gfn);
	if (dead)
		p2m_foreign_set(&mapper->p2m, m->host_gfn, dead, true);
	hvm_unmap(mapper, m->host_gfn, 1);
	m->revoked = true;
	m->dom = DOMID_FIRST_RESERVED; /* no domain's: ends its owner check */
}

/*
 * GNTTABOP_map_grant_ref for mapper d: GNTMAP_host_map of (op->dom,
 * op->ref) at d's absent frame op->host_addr (guest-physical, page
 * aligned), read-only with GNTMAP_readonly.  Sets op->status (GNTST_*),
 * and op->handle on success.
 */
static void gnttab_map_one(struct domain *d, struct gnttab_map_grant_ref *op)
{
#if SOL >= 7
	bool ro = op->flags & GNTMAP_readonly;
	uint64_t host_gfn = op->host_addr >> PAGE_SHIFT, gfn = 0;
	struct domain *g = pv_domain(d, op->dom);
	int h = gnttab_handle_alloc(d);
	hpa_t hpa;

	op->dev_bus_addr = 0;
	if (!(op->flags & GNTMAP_host_map) ||
	    (op->flags & (GNTMAP_device_map | GNTMAP_contains_pte)))
		op->status = GNTST_general_error;
	else if (!g)
		op->status = GNTST_bad_domain;
	else if (op->host_addr % PAGE_SIZE || !gnttab_slot_ok(d, host_gfn))
		op->status = GNTST_bad_virt_addr;
	else if (h < 0)
		op->status = GNTST_no_device_space;
	else
		op->status = gnttab_pin(g, op->ref, (domid_t)d->id, ro, &gfn);
	if (op->status != GNTST_okay)
		return;
	if (!(hpa = gnttab_page(g, gfn))) {
		gnttab_unpin(g, op->ref, ro);
		op->status = GNTST_bad_page;
		return;
	}
	p2m_foreign_set(&d->p2m, host_gfn, hpa, ro);
	d->pv.gnttab.maptrack[h] = (struct gnttab_map){
		.used = true,
		.ro = ro,
		.dom = (domid_t)g->id,
		.ref = op->ref,
		.gfn = gfn,
		.host_gfn = host_gfn,
	};
	op->handle = (grant_handle_t)h;
#else
	/* LAB 7: your code here: check, pin, and show the page at host_addr */
	op->status = GNTST_general_error;
#endif
}

/*
 * GNTTABOP_unmap_grant_ref for d: ends the grant mapping op->handle
 * (whose frame op->host_addr must be, unless 0).  Sets op->status.
 */
static void gnttab_unmap_one(struct domain *d,
			     struct gnttab_unmap_grant_ref *op)
{
#if SOL >= 7
	struct gnttab_map *m = op->handle < GNTTAB_MAPTRACK ?
				       &d->pv.gnttab.maptrack[op->handle] :
				       NULL;

	if (!m || !m->used || m->ref == GNTTAB_NO_REF)
		op->status = GNTST_bad_handle;
	else if (op->host_addr && op->host_addr != m->host_gfn << PAGE_SHIFT)
		op->status = GNTST_bad_virt_addr;
	else {
		gnttab_release(d, (int)op->handle, true);
		op->status = GNTST_okay;
	}
#else
	/* LAB 7: your code here: undo gnttab_map_one's mapping */
	op->status = GNTST_general_error;
#endif
}

/* Shows host page hpa, fd's frame gfn (~0: not in fd's p2m), at d's
 * absent frame host_gfn; 0 or -XEN_E*. */
static long gnttab_map_host(struct domain *d, struct domain *fd, uint64_t gfn,
			    hpa_t hpa, uint64_t host_gfn)
{
	int h = gnttab_handle_alloc(d);

	if (!gnttab_slot_ok(d, host_gfn) || !hpa)
		return -XEN_EINVAL;
	if (h < 0)
		return -XEN_ENOSPC;
	p2m_foreign_set(&d->p2m, host_gfn, hpa, false);
	d->pv.gnttab.maptrack[h] = (struct gnttab_map){
		.used = true,
		.dom = (domid_t)fd->id,
		.ref = GNTTAB_NO_REF,
		.gfn = gfn,
		.host_gfn = host_gfn,
	};
	return 0;
}

long gnttab_map_foreign(struct domain *d, struct domain *fd, uint64_t gfn,
			uint64_t host_gfn)
{
	return gnttab_map_host(d, fd, gfn, gnttab_page(fd, gfn), host_gfn);
}

long gnttab_map_page(struct domain *d, struct domain *owner, hpa_t hpa,
		     uint64_t host_gfn)
{
	return gnttab_map_host(d, owner, ~0ULL, hpa, host_gfn);
}

long gnttab_remove(struct domain *d, uint64_t host_gfn)
{
	for (int h = 0; h < GNTTAB_MAPTRACK; h++)
		if (d->pv.gnttab.maptrack[h].used &&
		    d->pv.gnttab.maptrack[h].host_gfn == host_gfn) {
			gnttab_release(d, h, true);
			return 0;
		}
	return -XEN_EINVAL;
}

/* Whether mapper's mapping h shows owner's frame gfn, or any of its pages
 * (gfn ~0, no frame's number). */
static bool gnttab_shows(struct domain *mapper, int h,
			 const struct domain *owner, uint64_t gfn)
{
	const struct gnttab_map *m = &mapper->pv.gnttab.maptrack[h];

	return m->used && m->dom == owner->id &&
	       (gfn == ~0ULL || m->gfn == gfn);
}

/* Others' mappings of d's pages are revoked; d's own, of itself too, end. */
void gnttab_domain_destroy(struct domain *d)
{
	for (int i = 0; i < DOMAIN_MAX; i++)
		for (int h = 0; h < GNTTAB_MAPTRACK; h++)
			if (&domains[i] != d &&
			    gnttab_shows(&domains[i], h, d, ~0ULL))
				gnttab_revoke_one(&domains[i], h);
	for (int h = 0; h < GNTTAB_MAPTRACK; h++)
		if (d->pv.gnttab.maptrack[h].used)
			gnttab_release(d, h, false);
}

bool gnttab_frame_mapped(struct domain *d, uint64_t gfn)
{
	for (int i = 0; i < DOMAIN_MAX; i++)
		for (int h = 0; h < GNTTAB_MAPTRACK; h++)
			if (gnttab_shows(&domains[i], h, d, gfn))
				return true;
	return false;
}

bool gnttab_busy(struct domain *d)
{
	for (int h = 0; h < GNTTAB_MAPTRACK; h++)
		if (d->pv.gnttab.maptrack[h].used)
			return true;
	return gnttab_frame_mapped(d, ~0ULL);
}

/*
 * One side of a copy for domain d: a host pointer to its len bytes, or
 * NULL with *status set.  A grant must permit d (and writes, for the
 * destination); a gmfn must be d's own RAM.
 */
static uint8_t *gnttab_copy_ptr(struct domain *d,
				const struct gnttab_copy_ptr *p, bool gref,
				bool dest, uint16_t len, int16_t *status)
{
	struct domain *g = pv_domain(d, p->domid);
	struct grant_entry_v1 e, *ep;
	uint64_t gfn = p->u.gmfn;

	if (p->offset + (unsigned)len > PAGE_SIZE) {
		*status = GNTST_bad_copy_arg;
		return NULL;
	}
	if (!g || (!gref && g != d)) {
		*status = g ? GNTST_permission_denied : GNTST_bad_domain;
		return NULL;
	}
	if (gref) {
		if (!(ep = gnttab_entry(g, p->u.ref))) {
			*status = GNTST_bad_gntref;
			return NULL;
		}
		/* One snapshot: the granter may change the entry meanwhile. */
		memcpy(&e, ep, sizeof(e));
		*status = gnttab_check(e.flags, e.domid, (domid_t)d->id, dest);
		if (*status != GNTST_okay)
			return NULL;
		gfn = e.frame;
	}
	if (gfn >= g->p2m.nframes || p2m_type_of(&g->p2m, gfn) != P2M_RAM) {
		*status = GNTST_bad_page;
		return NULL;
	}
	return pv_map(g, (gfn << PAGE_SHIFT) + p->offset, len);
}

/* GNTTABOP_copy of one struct for d. */
static void gnttab_copy_one(struct domain *d, struct gnttab_copy *op)
{
	uint8_t *src, *dst;

	op->status = GNTST_okay;
	src = gnttab_copy_ptr(d, &op->source, op->flags & GNTCOPY_source_gref,
			      false, op->len, &op->status);
	dst = src ? gnttab_copy_ptr(d, &op->dest, op->flags & GNTCOPY_dest_gref,
				    true, op->len, &op->status) :
		    NULL;
	if (src && dst)
		memmove(dst, src, op->len);
	else if (op->status == GNTST_okay)
		op->status = GNTST_general_error; /* pv_map: no host page */
}

/* Of the caller's own table; the privileged domain's, of any. */
static void gnttab_query_size(struct vcpu *v, struct gnttab_query_size *op)
{
	struct domain *t = pv_domain(v->domain, op->dom);
	uint32_t n = 0;

	if (!t || (!pv_self(v, op->dom) && !v->domain->pv.privileged)) {
		op->status = t ? GNTST_permission_denied : GNTST_bad_domain;
		return;
	}
	while (n < GNTTAB_MAX_FRAMES && t->pv.gnttab.frames[n] != PV_NO_GPA)
		n++;
	op->nr_frames = n;
	op->max_nr_frames = GNTTAB_MAX_FRAMES;
	op->status = GNTST_okay;
}

/* The frames' gfns (0 for one not placed) to op->frame_list. */
static void gnttab_setup_table(struct vcpu *v, struct gnttab_setup_table *op)
{
	struct domain *d = v->domain;
	uint64_t gfns[GNTTAB_MAX_FRAMES];

	if (!pv_self(v, op->dom)) {
		op->status = GNTST_permission_denied;
		return;
	}
	if (op->nr_frames > GNTTAB_MAX_FRAMES) {
		op->status = GNTST_general_error;
		return;
	}
	for (uint32_t i = 0; i < op->nr_frames; i++)
		gfns[i] = d->pv.gnttab.frames[i] == PV_NO_GPA ?
				  0 :
				  d->pv.gnttab.frames[i] >> PAGE_SHIFT;
	op->status = pv_copy_out(v, op->frame_list, gfns,
				 op->nr_frames * sizeof(*gfns)) < 0 ?
			     GNTST_bad_virt_addr :
			     GNTST_okay;
}

/* Runs op cmd on one struct at buf; a negative result ends the call. */
static long gnttab_op_one(struct vcpu *v, void *buf, uint64_t cmd)
{
	struct domain *d = v->domain;

	if (cmd == GNTTABOP_map_grant_ref || cmd == GNTTABOP_copy)
		d->counts[cmd == GNTTABOP_copy ? BENCH_GRANT_COPY :
						 BENCH_GRANT_MAP]++;
	switch (cmd) {
	case GNTTABOP_map_grant_ref: gnttab_map_one(d, buf); return 0;
	case GNTTABOP_unmap_grant_ref: gnttab_unmap_one(d, buf); return 0;
	case GNTTABOP_copy: gnttab_copy_one(d, buf); return 0;
	case GNTTABOP_query_size: gnttab_query_size(v, buf); return 0;
	case GNTTABOP_setup_table: gnttab_setup_table(v, buf); return 0;
	case GNTTABOP_set_version:
		/* Version 1 only: asking for it is a no-op. */
		return *(uint32_t *)buf == 1 ? 0 : -XEN_EINVAL;
	case GNTTABOP_get_version: {
		struct gnttab_get_version *g = buf;

		if (!pv_self(v, g->dom) && !d->pv.privileged)
			return -XEN_EPERM;
		g->version = 1;
		return 0;
	}
	default: return -XEN_ENOSYS;
	}
}

static const uint8_t gnttab_op_size[] = {
	[GNTTABOP_map_grant_ref] = sizeof(struct gnttab_map_grant_ref),
	[GNTTABOP_unmap_grant_ref] = sizeof(struct gnttab_unmap_grant_ref),
	[GNTTABOP_copy] = sizeof(struct gnttab_copy),
	[GNTTABOP_query_size] = sizeof(struct gnttab_query_size),
	[GNTTABOP_setup_table] = sizeof(struct gnttab_setup_table),
	[GNTTABOP_set_version] = sizeof(struct gnttab_set_version),
	[GNTTABOP_get_version] = sizeof(struct gnttab_get_version),
};

/* Each of the count structs is read, run and written back in turn. */
long grant_table_op(struct vcpu *v, const uint64_t *args)
{
	size_t size = args[0] < ARRAY_SIZE(gnttab_op_size) ?
			      gnttab_op_size[args[0]] :
			      0;
	long r = 0;

	if (!size)
		return -XEN_ENOSYS;
	if (args[2] > GNTTAB_BATCH_MAX)
		return -XEN_EINVAL;
	for (uint64_t i = 0; i < args[2] && r == 0; i++)
		r = pv_struct_call(v, args[1] + i * size, size, true,
				   gnttab_op_one, args[0]);
	return r;
}
