/*
 * gmem.c - guest-linear memory access through the guest's paging (SDM 3A
 * 4.3 32-bit paging, 4.4 PAE paging, 4.5 4-level paging), lab 3.
 *
 * The walk reads the guest's page tables from its p2m, so a hostile table
 * can point only into the guest's own RAM.  It checks P, R/W (with
 * CR0.WP) and U/S, enough to decide whether the guest's own access would
 * have faulted; A/D bits are not set (the guest's access was not executed
 * by the CPU, only emulated).  The instruction at CS:RIP is fetched through
 * it and decoded by kernel/x86/decode.c for the exit decoders.
 */
#include <inc/mmu.h>
#include <inc/x86.h>
#include <kernel/kernel.h>
#include <kernel/mm/page.h>
#include <kernel/domain.h>
#include <kernel/mm/gmem.h>
#include <kernel/x86/decode.h>

#define PTE32_PS (1u << 7)

struct gwalk {
	struct vcpu *v;
	bool write, user, wp;
	uint32_t pfec;
};

/* Checks one entry; false (with w->pfec) if it forbids the access. */
static bool gmem_check(struct gwalk *w, uint64_t e)
{
	if (!(e & PTE_P))
		return false;
	if (w->user && !(e & PTE_U)) {
		w->pfec |= PFEC_P;
		return false;
	}
	if (w->write && !(e & PTE_W) && (w->user || w->wp)) {
		w->pfec |= PFEC_P;
		return false;
	}
	return true;
}

/* Walks 8-byte-entry tables from table at level down to a page. */
static int gmem_walk64(struct gwalk *w, gpa_t table, int level, gva_t la,
		       gpa_t *gpa)
{
	uint64_t e;

	for (; level >= 1; level--) {
		if (p2m_read(&w->v->domain->p2m,
			     table + 8 * PT_INDEX(la, level), &e, 8))
			return -E_RANGE;
		if (!gmem_check(w, e))
			return -E_NOT_FOUND;
		if (level == 1 || (level <= 3 && (e & PTE_PS))) {
			uint64_t mask = (1ULL << PT_SHIFT(level)) - 1;

			*gpa = (PTE_ADDR(e) & ~mask) | (la & mask);
			return 0;
		}
		table = PTE_ADDR(e);
	}
	return -E_NOT_FOUND;
}

/* PAE: CR3 points to four PDPTEs, which have no R/W or U/S bits. */
static int gmem_walk_pae(struct gwalk *w, uint64_t cr3, gva_t la, gpa_t *gpa)
{
	uint64_t pdpte;

	if (p2m_read(&w->v->domain->p2m,
		     (cr3 & 0xffffffe0) + 8 * ((la >> 30) & 3), &pdpte, 8))
		return -E_RANGE;
	if (!(pdpte & PTE_P))
		return -E_NOT_FOUND;
	return gmem_walk64(w, PTE_ADDR(pdpte), 2, la, gpa);
}

static int gmem_walk_32(struct gwalk *w, uint64_t cr3, gva_t la, gpa_t *gpa)
{
	uint32_t pde, pte;
	const struct p2m *p = &w->v->domain->p2m;

	if (p2m_read(p, (cr3 & 0xfffff000) + 4 * ((la >> 22) & 0x3ff), &pde, 4))
		return -E_RANGE;
	if (!gmem_check(w, pde))
		return -E_NOT_FOUND;
	if ((pde & PTE32_PS) && (virt_reg_read(w->v, VREG_CR4) & (1u << 4))) {
		*gpa = (pde & 0xffc00000) | (la & 0x3fffff);
		return 0;
	}
	if (p2m_read(p, (pde & 0xfffff000) + 4 * ((la >> 12) & 0x3ff), &pte, 4))
		return -E_RANGE;
	if (!gmem_check(w, pte))
		return -E_NOT_FOUND;
	*gpa = (pte & 0xfffff000) | (la & 0xfff);
	return 0;
}

int gmem_translate(struct vcpu *v, gva_t la, bool write, gpa_t *gpa,
		   uint32_t *pfec)
{
	uint64_t cr0 = virt_reg_read(v, VREG_CR0);
	uint64_t cr3 = virt_reg_read(v, VREG_CR3);
	uint64_t cr4 = virt_reg_read(v, VREG_CR4);
	struct gwalk w = { v, write, virt_reg_read(v, VREG_CPL) == 3,
			   cr0 & CR0_WP, 0 };
	int r;

	if (!(cr0 & CR0_PG)) {
		*gpa = la & 0xffffffff;
		return 0;
	}
	if (virt_reg_read(v, VREG_EFER) & EFER_LMA)
		r = gmem_walk64(&w, cr3 & PTE_ADDR_MASK, 4, la, gpa);
	else if (cr4 & CR4_PAE)
		r = gmem_walk_pae(&w, cr3, la & 0xffffffff, gpa);
	else
		r = gmem_walk_32(&w, cr3, la & 0xffffffff, gpa);
	*pfec = w.pfec | (write ? PFEC_W : 0) | (w.user ? PFEC_U : 0);
	return r;
}

/* Copies page by page; to_guest picks the direction. */
static int gmem_copy(struct vcpu *v, gva_t la, void *buf, size_t len,
		     bool to_guest, gva_t *fault_la, uint32_t *pfec)
{
	uint8_t *b = buf;
	gpa_t gpa;
	size_t n;
	int r;

	for (; len; len -= n, la += n, b += n) {
		n = MIN(len, PAGE_SIZE - la % PAGE_SIZE);
		r = gmem_translate(v, la, to_guest, &gpa, pfec);
		if (r == -E_NOT_FOUND)
			*fault_la = la;
		if (r)
			return r;
		r = to_guest ? p2m_write(&v->domain->p2m, gpa, b, n) :
			       p2m_read(&v->domain->p2m, gpa, b, n);
		if (r)
			return -E_RANGE;
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

size_t gmem_fetch_insn(struct vcpu *v, uint8_t *buf)
{
	struct vseg_desc cs;
	gva_t la, fault_la;
	uint32_t pfec;
	size_t n;

	virt_seg_read(v, VSEG_CS, &cs);
	la = virt_reg_read(v, VREG_RIP);
	if (!vcpu_long_mode(v))
		la = (la + cs.base) & 0xffffffff;
	n = MIN(15, PAGE_SIZE - la % PAGE_SIZE);
	if (gmem_read(v, la, buf, n, &fault_la, &pfec))
		return 0;
	if (n < 15 && !gmem_read(v, la + n, buf + n, 15 - n, &fault_la, &pfec))
		n = 15;
	return n;
}

enum x86_mode gmem_insn_mode(struct vcpu *v)
{
	struct vseg_desc cs;

	if (vcpu_long_mode(v))
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
