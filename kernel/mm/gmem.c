/*
 * gmem.c - guest-linear memory access through the guest's paging (SDM 3A
 * 4.3 32-bit paging, 4.4 PAE paging, 4.5 4-level paging, 4.6 access
 * rights, 4.7 page-fault exceptions, 4.8 accessed and dirty flags), labs 3
 * and 4.
 *
 * One walk serves the emulator and the shadow MMU (shadow.c).  It reads
 * the guest's tables through its p2m, so a hostile table can point only
 * into the guest's own RAM.  Reserved bits are checked for shadow domains
 * only, whose walks no CPU has checked before.  PAE's four PDPTEs are read
 * at each walk, where the CPU reads them at each CR3 load (the shadow
 * rebuilds a root whose PDPTEs changed at a CR3 load).
 */
#include <inc/mmu.h>
#include <inc/x86.h>
#include <kernel/kernel.h>
#include <kernel/mm/page.h>
#include <kernel/domain.h>
#include <kernel/mm/gmem.h>
#include <kernel/mm/shadow.h>
#include <kernel/x86/decode.h>

#define PTE_PAT_LARGE (1ULL << 12) /* PAT bit of a 2 MiB / 1 GiB / 4 MiB leaf */

struct gctx {
	struct vcpu *v;
	uint32_t access; /* PFEC_W | PFEC_U | PFEC_I */
	uint64_t cr0, cr4, efer;
	int esize; /* entry size: 4 (32-bit paging) or 8 */
};

/* Reserved bits of a present entry at level (SDM 3A 4.7, table 4-20). */
static bool gmem_reserved(const struct gctx *c, uint64_t e, int level,
			  bool leaf)
{
	const struct shadow_domain *sd = &c->v->domain->shadow;
	uint64_t addr = PTE_ADDR_MASK & ~((1ULL << sd->maxphyaddr) - 1);

	if (!sd->on)
		return false;
	/* 4 MiB pages: bits 20:13 hold address bits 39:32 (PSE-36) up to
	 * MAXPHYADDR, bit 21 is reserved (SDM 3A 4.3, table 4-4). */
	if (c->esize == 4)
		return leaf && level == 2 &&
		       (e & 0x3fe000 &
			~((1ULL << (MIN(sd->maxphyaddr, 40) - 19)) - 1));
	if ((e & addr) || ((e & PTE_NX) && !(c->efer & EFER_NXE)))
		return true;
	if (level == 4 && (e & PTE_PS))
		return true;
	if (level == 3 && leaf && !sd->page1gb)
		return true;
	/* A large page's address is aligned: the bits below it are zero. */
	return leaf && level > 1 &&
	       (e & ((1ULL << PT_SHIFT(level)) - 1) & ~0x1fffULL);
}

/* Whether the combined rights of w allow c's access (SDM 3A 4.6). */
static bool gmem_allowed(const struct gctx *c, const struct gmem_walk *w)
{
	bool user_page = w->rights & PTE_U, wr = w->rights & PTE_W;

	if (c->access & PFEC_I) {
		if ((w->rights & PTE_NX) ||
		    (!(c->access & PFEC_U) && user_page && (c->cr4 & CR4_SMEP)))
			return false;
		return !(c->access & PFEC_U) || user_page;
	}
	if (c->access & PFEC_U)
		return user_page && (wr || !(c->access & PFEC_W));
	if (user_page && (c->cr4 & CR4_SMAP) &&
	    !(virt_reg_read(c->v, VREG_RFLAGS) & X86_FLAGS_AC))
		return false;
	return wr || !(c->access & PFEC_W) || !(c->cr0 & CR0_WP);
}

/* Sets bits (A, D) in the guest entry of w at level, atomically. */
static inline void gmem_set_ad(const struct gctx *c, struct gmem_walk *w,
			       int level, uint64_t bits)
{
	struct p2m *p = &c->v->domain->p2m;
	gpa_t gpa = w->entry_gpa[level];

	/* A table in ROM keeps its bits: the CPU's write would be dropped. */
	if ((w->entry[level] & bits) == bits ||
	    p2m_type_ro(p2m_type_of(p, gpa >> PAGE_SHIFT)))
		return;
	__atomic_fetch_or((uint32_t *)((uint8_t *)kva(p2m_lookup(p, gpa)) +
				       gpa % PAGE_SIZE),
			  (uint32_t)bits, __ATOMIC_SEQ_CST);
	/* A migration must carry the bits over (lab 5). */
	if (p->dirty)
		p2m_dirty_mark(p, gpa >> PAGE_SHIFT);
	w->entry[level] |= bits;
}

/* The entry at gpa, within one page as a table's entries are: p2m_read's
 * range loop would cost each level of a walk more than the rest of it. */
static int gmem_entry(const struct gctx *c, gpa_t gpa, uint64_t *e)
{
	const struct p2m *p = &c->v->domain->p2m;
	hpa_t hpa = p2m_lookup(p, gpa);
	const uint8_t *at = (const uint8_t *)kva(hpa) + gpa % PAGE_SIZE;

	if (!p2m_type_mem(p2m_type_of(p, gpa >> PAGE_SHIFT)))
		return -E_RANGE;
	*e = !hpa	   ? 0 :
	     c->esize == 8 ? *(const uint64_t *)at :
			     *(const uint32_t *)at;
	return 0;
}

/* Descends from the table at gpa `table`, level `level`, to the leaf. */
static int gmem_descend(const struct gctx *c, gpa_t table, int level, gva_t la,
			struct gmem_walk *w)
{
	unsigned bits = c->esize == 4 ? 10 : 9;
	uint64_t e;
	bool leaf;

	for (; level >= 1; level--) {
		unsigned shift = 12 + bits * (level - 1);
		gpa_t gpa = table +
			    c->esize * ((la >> shift) & ((1u << bits) - 1));

		w->entry_gpa[level] = gpa;
		if (gmem_entry(c, gpa, &e)) {
			w->gpa = gpa;
			return -E_RANGE;
		}
		w->entry[level] = e;
		if (!(e & PTE_P))
			return -E_NOT_FOUND;
		/* PAE's PDPTEs have no R/W, U/S or NX bits (SDM 3A 4.4.1). */
		if (level == 3 && w->top == 3) {
			table = PTE_ADDR(e);
			continue;
		}
		leaf = level == 1 || ((e & PTE_PS) && level <= 3 &&
				      (c->esize == 8 || (c->cr4 & CR4_PSE)));
		if (gmem_reserved(c, e, level, leaf)) {
			w->pfec |= PFEC_P | PFEC_RSVD;
			return -E_NOT_FOUND;
		}
		w->rights &= e | ~(PTE_W | PTE_U);
		w->rights |= e & PTE_NX & -(uint64_t) !!(c->efer & EFER_NXE);
		if (leaf) {
			uint64_t mask = (1ULL << shift) - 1;
			uint64_t base = c->esize == 4 && level == 2 ?
						(e & 0xffc00000) |
							(e & 0x1fe000) << 19 :
						PTE_ADDR(e) & ~PTE_PAT_LARGE;

			w->level = level;
			w->gpa = level == 1 ? PTE_ADDR(e) | (la & mask) :
					      (base & ~mask) | (la & mask);
			return 0;
		}
		table = c->esize == 4 ? e & 0xfffff000 : PTE_ADDR(e);
	}
	return -E_NOT_FOUND;
}

/* The walk from CR3 in the guest's paging mode. */
static int gmem_walk_mode(struct gctx *c, gva_t la, struct gmem_walk *w)
{
	uint64_t cr3 = virt_reg_read(c->v, VREG_CR3);

	if (c->efer & EFER_LMA) {
		w->top = 4;
		return gmem_descend(c, cr3 & PTE_ADDR_MASK, 4, la, w);
	}
	la &= 0xffffffff;
	if (c->cr4 & CR4_PAE) {
		w->top = 3;
		return gmem_descend(c, cr3 & 0xffffffe0, 3, la, w);
	}
	c->esize = 4;
	w->top = 2;
	return gmem_descend(c, cr3 & 0xfffff000, 2, la, w);
}

int gmem_walk(struct vcpu *v, gva_t la, uint32_t access, struct gmem_walk *w)
{
	struct gctx c = { v,
			  access,
			  virt_reg_read(v, VREG_CR0),
			  virt_reg_read(v, VREG_CR4),
			  virt_reg_read(v, VREG_EFER),
			  8 };
	int r, l;

	*w = (struct gmem_walk){ .rights = PTE_W | PTE_U };
	if (!(c.cr0 & CR0_PG)) {
		w->gpa = la & 0xffffffff;
		return 0;
	}
	r = gmem_walk_mode(&c, la, w);
	if (r == 0 && !gmem_allowed(&c, w)) {
		w->pfec |= PFEC_P;
		r = -E_NOT_FOUND;
	}
	if (r == -E_NOT_FOUND) {
		w->pfec |= access & (PFEC_W | PFEC_U);
		if ((access & PFEC_I) &&
		    ((c.efer & EFER_NXE) || (c.cr4 & CR4_SMEP)))
			w->pfec |= PFEC_I;
	}
	if (r)
		return r;
	/* PAE's PDPTEs have no accessed flag. */
	for (l = w->top == 3 ? 2 : w->top; l > w->level; l--)
		gmem_set_ad(&c, w, l, PTE_A);
	gmem_set_ad(&c, w, w->level, PTE_A | ((access & PFEC_W) ? PTE_D : 0));
	return 0;
}

int gmem_translate(struct vcpu *v, gva_t la, bool write, gpa_t *gpa,
		   uint32_t *pfec)
{
	uint32_t access = (write ? PFEC_W : 0) |
			  (virt_reg_read(v, VREG_CPL) == 3 ? PFEC_U : 0);
	struct gmem_walk w;
	int r = gmem_walk(v, la, access, &w);

	*gpa = w.gpa;
	*pfec = w.pfec;
	return r;
}

/*
 * Copies page by page; to_guest picks the direction.  te runs 64-bit code
 * with paging off too (te/te.h), where the walk would wrap at 4 GiB:
 * there the whole range must lie in guest RAM.
 */
static int gmem_copy(struct vcpu *v, gva_t la, void *buf, size_t len,
		     bool to_guest, gva_t *fault_la, uint32_t *pfec)
{
	uint64_t size = p2m_size(&v->domain->p2m);
	uint8_t *b = buf;
	gpa_t gpa;
	size_t n;
	int r;

	if (v->domain->shadow.te && !(virt_reg_read(v, VREG_CR0) & CR0_PG) &&
	    (la >= size || len > size - la))
		return -E_RANGE;
	for (; len; len -= n, la += n, b += n) {
		n = MIN(len, PAGE_SIZE - la % PAGE_SIZE);
		r = gmem_translate(v, la, to_guest, &gpa, pfec);
		if (r == -E_NOT_FOUND)
			*fault_la = la;
		if (r)
			return r;
		r = to_guest ? p2m_write(&v->domain->p2m, gpa, b, n) :
			       p2m_read(&v->domain->p2m, gpa, b, n);
		if (r == -E_NO_MEM)
			domain_crash_no_mem(v->domain, v, gpa);
		if (r)
			return -E_RANGE;
		if (to_guest)
			shadow_written(v->domain, gpa, n);
	}
	return 0;
}

int gmem_read(struct vcpu *v, gva_t la, void *buf, size_t len, gva_t *fault_la,
	      uint32_t *pfec)
{
	return gmem_copy(v, la, buf, len, false, fault_la, pfec);
}

int gmem_write(struct vcpu *v, gva_t la, const void *buf, size_t len,
	       gva_t *fault_la, uint32_t *pfec)
{
	return gmem_copy(v, la, (void *)buf, len, true, fault_la, pfec);
}

/* As far as it is mapped: the instruction may end before a hole. */
size_t gmem_fetch(struct vcpu *v, gva_t la, uint8_t *buf)
{
	size_t n = MIN(X86_MAX_INSN_LEN, PAGE_SIZE - la % PAGE_SIZE);
	gva_t fault_la;
	uint32_t pfec;

	if (gmem_read(v, la, buf, n, &fault_la, &pfec))
		return 0;
	if (n < X86_MAX_INSN_LEN &&
	    !gmem_read(v, la + n, buf + n, X86_MAX_INSN_LEN - n, &fault_la,
		       &pfec))
		n = X86_MAX_INSN_LEN;
	return n;
}

/*
 * The instruction that exited, in long mode: the CPU fetched it through
 * these tables just before the exit, checking the rights and setting the
 * accessed flags, so a bare descent finds its bytes.  0 leaves anything
 * else (a missing entry or frame, the page's end) to gmem_fetch: under
 * TCG its full walk would cost a CPUID exit a tenth of its time.
 */
static size_t gmem_fetch_exiting(struct vcpu *v, gva_t la, uint8_t *buf)
{
	const struct p2m *p = &v->domain->p2m;
	gpa_t gpa = virt_reg_read(v, VREG_CR3) & PTE_ADDR_MASK;
	uint64_t e, mask;
	hpa_t hpa;
	int level;

	for (level = 4;; level--) {
		hpa = p2m_lookup(p, gpa);
		e = hpa ? ((const uint64_t *)kva(hpa))[PT_INDEX(la, level)] : 0;
		if (!(e & PTE_P))
			return 0;
		gpa = PTE_ADDR(e);
		if (level == 1 || (level <= 3 && (e & PTE_PS)))
			break;
	}
	mask = (1ULL << PT_SHIFT(level)) - 1;
	gpa = (gpa & ~mask) | (la & mask); /* a large leaf's PAT bit too */
	hpa = p2m_lookup(p, gpa);
	if (!hpa || gpa % PAGE_SIZE > PAGE_SIZE - X86_MAX_INSN_LEN)
		return 0;
	__builtin_memcpy(buf, (const uint8_t *)kva(hpa) + gpa % PAGE_SIZE,
			 X86_MAX_INSN_LEN); /* inline: no call */
	return X86_MAX_INSN_LEN;
}

size_t gmem_fetch_insn(struct vcpu *v, uint8_t *buf)
{
	struct vseg_desc cs;
	gva_t la = virt_reg_read(v, VREG_RIP);
	size_t n;

	if (vcpu_long_mode(v)) {
		n = gmem_fetch_exiting(v, la, buf);
		return n ? n : gmem_fetch(v, la, buf);
	}
	virt_seg_read(v, VSEG_CS, &cs);
	return gmem_fetch(v, (la + cs.base) & 0xffffffff, buf);
}

enum x86_mode gmem_insn_mode(struct vcpu *v)
{
	struct vseg_desc cs;

	/* te runs 64-bit code with paging off too (te/te.h). */
	if (vcpu_long_mode(v) || v->domain->shadow.te)
		return X86_MODE_64;
	virt_seg_read(v, VSEG_CS, &cs);
	if ((virt_reg_read(v, VREG_CR0) & CR0_PE) && (cs.attr & SEG_ATTR_DB))
		return X86_MODE_32;
	return X86_MODE_16;
}

int gmem_decode_insn(struct vcpu *v, struct x86_insn *in)
{
	uint8_t bytes[X86_MAX_INSN_LEN];
	size_t n = gmem_fetch_insn(v, bytes);

	if (n == 0)
		return -E_NOT_FOUND;
	return x86_decode(bytes, n, gmem_insn_mode(v), in);
}
