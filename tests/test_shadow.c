/*
 * test_shadow.c - kernel/mm/shadow.c on the host: guest page tables built
 * in simulated guest RAM for every guest mode (paging off, 32-bit with
 * 4 MiB pages, PAE, 4-level with 2 MiB and 1 GiB pages, te's two views);
 * faults taken in; the shadow the CPU would walk (from the CR3 handed to
 * the backend) compared with a reference walk of the guest's tables.  A/D
 * semantics, the guest's own #PF error codes, write-protected guest
 * tables, shadow_written and INVLPG, the limit and LRU eviction.  The
 * backend is a fake register file that records what the shadow loads.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <inc/mmu.h>
#include <inc/x86.h>
#include <kernel/kernel.h>
#include <kernel/mm/page.h>
#include <kernel/domain.h>
#include <kernel/exit.h>
#include <kernel/dev/mmio.h>
#include <kernel/mm/gmem.h>
#include <kernel/mm/shadow.h>
#include "host_kernel.h"

#define GUEST_RAM (4 * MiB)
#define KVIEW_PTE (0x5a5aULL << 12 | PTE_P) /* te: the hypervisor's half */

hpa_t kern_pml4;

static struct boot_info *bi;
static struct domain dom;
static struct vcpu *v;
static uint64_t regs[VREG_COUNT];
static struct vseg_desc cs;
static struct paging_regs hw; /* the last load_paging */
static int flushes, emulations, gpa_faults, crashes;
static struct virt_event injected; /* the last exception */

static uint64_t test_reg_read(struct vcpu *vc, enum vreg r)
{
	return regs[r];
}

static void test_reg_write(struct vcpu *vc, enum vreg r, uint64_t val)
{
	regs[r] = val;
}

static void test_seg_read(struct vcpu *vc, enum vseg s, struct vseg_desc *out)
{
	*out = s == VSEG_CS ? cs : (struct vseg_desc){ 0, 0x93, ~0u, 0 };
}

/* The backend the wrappers in domain.h call. */
static const struct virt_ops test_ops = {
	.reg_read = test_reg_read,
	.reg_write = test_reg_write,
	.seg_read = test_seg_read,
};

void virt_load_paging(struct vcpu *vc, const struct paging_regs *guest,
		      const struct paging_regs *h)
{
	hw = *h;
}

void virt_flush_tlb(struct vcpu *vc)
{
	flushes++;
}

void virt_inject_exception(struct vcpu *vc, uint8_t vector, bool has_error,
			   uint32_t error)
{
	injected = (struct virt_event){ .vector = vector,
					.type = EVENT_EXCEPTION,
					.has_error = has_error,
					.error = error };
}

int mmio_emulate(struct vcpu *vc)
{
	emulations++;
	return 0;
}

void exit_gpa_fault(struct vcpu *vc)
{
	gpa_faults++;
}

void domain_crash(struct domain *d, struct vcpu *vc, const char *fmt, ...)
{
	crashes++;
	d->state = DOMAIN_CRASHED;
}

void domain_crash_no_mem(struct domain *d, struct vcpu *vc, gpa_t gpa)
{
	crashes++;
	d->state = DOMAIN_CRASHED;
}

static void init(unsigned limit, bool te)
{
	bi = host_page_init();
	memset(&dom, 0, sizeof(dom));
	memset(regs, 0, sizeof(regs));
	memset(&injected, 0, sizeof(injected));
	flushes = emulations = gpa_faults = crashes = 0;
	cs = (struct vseg_desc){ 0x08, 0xa9b, ~0u, 0 };
	v = &dom.vcpus[0];
	v->domain = &dom;
	dom.ops = &test_ops;
	dom.nvcpus = 1;
	dom.state = DOMAIN_RUNNING;
	cr_assert_eq(p2m_init(&dom.p2m, GUEST_RAM, true), 0);
	kern_pml4 = page_alloc();
	((uint64_t *)kva(kern_pml4))[511] = KVIEW_PTE;
	cr_assert_eq(shadow_domain_init(&dom, limit, te), 0);
	dom.shadow.maxphyaddr = 40;
	dom.shadow.page1gb = true;
}

static void setup(void)
{
	init(64, false);
}

static void teardown(void)
{
	shadow_domain_destroy(&dom);
	p2m_destroy(&dom.p2m);
	free(bi);
}

TestSuite(shadow, .init = setup, .fini = teardown);
/* Lab 5's part of the shadow: frames populated on demand, read-only RAM. */
TestSuite(shadow_p2m, .init = setup, .fini = teardown);

static void put(gpa_t gpa, uint64_t val, size_t size)
{
	cr_assert_eq(p2m_write(&dom.p2m, gpa, &val, size), 0);
}

static uint64_t get(gpa_t gpa, size_t size)
{
	uint64_t val = 0;

	cr_assert_eq(p2m_read(&dom.p2m, gpa, &val, size), 0);
	return val;
}

/* The guest writes a table entry: in memory, then as the emulator says. */
static void guest_write(gpa_t gpa, uint64_t val, size_t size)
{
	put(gpa, val, size);
	shadow_written(&dom, gpa, size);
}

static void set_paging(uint64_t cr0, uint64_t cr4, uint64_t efer, uint64_t cr3)
{
	virt_reg_write(v, VREG_CR4, cr4);
	virt_reg_write(v, VREG_EFER, efer);
	virt_reg_write(v, VREG_CR3, cr3);
	virt_reg_write(v, VREG_CR0, cr0 | CR0_PE | CR0_ET);
}

/* What the CPU would make of la on the shadow: rights and host address. */
struct xlate {
	bool present, w, u, nx;
	hpa_t hpa;
	uint64_t leaf;
};

static struct xlate shadow_xlate(gva_t la)
{
	bool four = hw.efer & EFER_LMA;
	struct xlate x = { false, true, true, false, 0, 0 };
	uint64_t *t = kva(PTE_ADDR(hw.cr3)), e;
	int level = four ? 4 : 3;

	if (!four)
		t = (uint64_t *)((uint8_t *)kva(hw.cr3 & ~0xfffULL) +
				 (hw.cr3 & 0xfe0));
	for (; level >= 1; level--) {
		e = t[!four && level == 3 ? (la >> 30) & 3 :
					    PT_INDEX(la, level)];
		if (!(e & PTE_P))
			return x;
		if (four || level < 3) {
			x.w &= !!(e & PTE_W);
			x.u &= !!(e & PTE_U);
			x.nx |= !!(e & PTE_NX);
		}
		cr_assert(!(e & PTE_PS), "shadow leaves are 4 KiB");
		t = kva(PTE_ADDR(e));
	}
	x.present = true;
	x.leaf = e;
	x.hpa = PTE_ADDR(e) | (la & 0xfff);
	return x;
}

/* The reference: la through the guest's tables, written here once more. */
static struct xlate ref_xlate(gva_t la)
{
	uint64_t cr0 = virt_reg_read(v, VREG_CR0),
		 cr3 = virt_reg_read(v, VREG_CR3);
	uint64_t cr4 = virt_reg_read(v, VREG_CR4),
		 efer = virt_reg_read(v, VREG_EFER);
	struct xlate x = { false, true, true, false, 0, 0 };
	bool pae = cr4 & CR4_PAE, lm = efer & EFER_LMA;
	int level = lm ? 4 : pae ? 3 : 2, esize = pae ? 8 : 4;
	int bits = pae ? 9 : 10;
	gpa_t table = lm  ? PTE_ADDR(cr3) :
		      pae ? cr3 & 0xffffffe0 :
			    cr3 & ~0xfffULL;
	uint64_t e, mask;

	if (!(cr0 & CR0_PG)) {
		x.present = true;
		x.hpa = p2m_lookup(&dom.p2m, la) | (la & 0xfff);
		return x;
	}
	for (; level >= 1; level--) {
		unsigned shift = 12 + bits * (level - 1);

		if (pae && !lm && level == 3)
			e = get(table + 8 * ((la >> 30) & 3), 8);
		else
			e = get(table + esize * ((la >> shift) &
						 ((1u << bits) - 1)),
				esize);
		if (!(e & PTE_P))
			return x;
		if (!(pae && !lm && level == 3)) {
			x.w &= !!(e & PTE_W);
			x.u &= !!(e & PTE_U);
			x.nx |= (efer & EFER_NXE) && (e & PTE_NX);
		}
		mask = (1ULL << shift) - 1;
		if (level == 1 || (e & PTE_PS)) {
			gpa_t base = esize == 4 && level == 2 ?
					     e & 0xffc00000 :
					     PTE_ADDR(e) & ~0x1000ULL;
			gpa_t gpa = level == 1 ? PTE_ADDR(e) : base & ~mask;

			gpa |= la & mask;
			x.present = true;
			x.hpa = p2m_lookup(&dom.p2m, gpa) | (gpa & 0xfff);
			x.leaf = e;
			return x;
		}
		table = esize == 4 ? e & 0xfffff000 : PTE_ADDR(e);
	}
	return x;
}

static void fault(gva_t la, uint32_t pfec)
{
	memset(&injected, 0, sizeof(injected));
	shadow_page_fault(v, la, pfec);
}

/* Faults la in for a read and checks the shadow against the reference. */
static void expect_same(gva_t la, uint32_t pfec)
{
	struct xlate r = ref_xlate(la), s;

	fault(la, pfec);
	cr_assert_eq(injected.vector, 0, "no #PF for 0x%llx",
		     (unsigned long long)la);
	s = shadow_xlate(la);
	cr_expect(s.present, "0x%llx is mapped", (unsigned long long)la);
	cr_expect_eq(s.hpa, r.hpa, "0x%llx: host page", (unsigned long long)la);
	cr_expect_eq(s.u, r.u, "0x%llx: U/S", (unsigned long long)la);
	cr_expect_eq(s.nx, r.nx, "0x%llx: NX", (unsigned long long)la);
	cr_expect(!s.w || r.w, "0x%llx: never more writable",
		  (unsigned long long)la);
}

/*
 * 4-level: PML4 0x10000, PDPT 0x11000, PD 0x12000, PT 0x13000.
 *   0x0000_0000 4 KiB pages: 0x0 -> 0x20000 RW user, 0x1000 -> 0x21000 RO,
 *               0x2000 -> 0x22000 supervisor RO NX (NX in the leaf only)
 *   0x0020_0000 a 2 MiB page -> 0x200000 supervisor RW
 *   0x4000_0000 a 1 GiB page -> 0 (only the first 4 MiB are RAM), NX
 */
static void build_long(void)
{
	uint64_t rw = PTE_P | PTE_W | PTE_U;

	put(0x10000, 0x11000 | rw, 8);
	put(0x11000, 0x12000 | rw, 8);
	put(0x11000 + 8, 0 | PTE_P | PTE_W | PTE_PS | PTE_NX, 8);
	put(0x12000, 0x13000 | rw, 8);
	put(0x12000 + 8, 0x200000 | PTE_P | PTE_W | PTE_PS, 8);
	put(0x13000, 0x20000 | rw, 8);
	put(0x13000 + 8, 0x21000 | PTE_P | PTE_U, 8);
	put(0x13000 + 16, 0x22000 | PTE_P | PTE_NX, 8);
	set_paging(CR0_PG | CR0_WP, CR4_PAE, EFER_LME | EFER_LMA | EFER_NXE,
		   0x10000);
}

Test(shadow, long_mode_4k_2m_1g_pages_match_the_guest)
{
	build_long();
	cr_expect(hw.efer & EFER_LMA);
	cr_expect_eq(hw.cr0 & (CR0_PG | CR0_WP), CR0_PG | CR0_WP);
	expect_same(0x0, 0);
	expect_same(0x1000, PFEC_U);
	expect_same(0x212345, 0);
	expect_same(0x40123456, 0);
	expect_same(0x40001000, PFEC_W);
	expect_same(0x2000, 0);
	cr_expect_eq(dom.shadow.stats.fills, 6);
}

Test(shadow, accessed_on_read_dirty_on_first_write)
{
	build_long();
	fault(0x0, PFEC_U);
	cr_expect(get(0x10000, 8) & PTE_A, "PML4E accessed");
	cr_expect(get(0x13000, 8) & PTE_A, "PTE accessed");
	cr_expect(!(get(0x13000, 8) & PTE_D), "a read leaves D clear");
	cr_expect(!shadow_xlate(0x0).w, "clean: read-only in the shadow");
	fault(0x0, PFEC_U | PFEC_W | PFEC_P);
	cr_expect(get(0x13000, 8) & PTE_D, "the write set D");
	cr_expect(shadow_xlate(0x0).w, "dirty: writable");
	cr_expect(!(get(0x12000, 8) & PTE_D), "D only on the leaf");
	fault(0x200000, PFEC_W);
	cr_expect(get(0x12000 + 8, 8) & PTE_D, "2 MiB leaf dirty");
	cr_expect(shadow_xlate(0x200000).w);
}

static void expect_pf(gva_t la, uint32_t access, uint32_t pfec)
{
	fault(la, access);
	cr_expect_eq(injected.vector, T_PF, "0x%llx faults",
		     (unsigned long long)la);
	cr_expect_eq(injected.error, pfec, "0x%llx: error 0x%x, not 0x%x",
		     (unsigned long long)la, injected.error, pfec);
	cr_expect_eq(regs[VREG_CR2], la);
}

Test(shadow, guest_faults_carry_the_cpus_error_code)
{
	build_long();
	expect_pf(0x5000, PFEC_W, PFEC_W);
	expect_pf(0x200000, PFEC_U, PFEC_P | PFEC_U);
	expect_pf(0x1000, PFEC_U | PFEC_W, PFEC_P | PFEC_W | PFEC_U);
	expect_pf(0x1000, PFEC_W, PFEC_P | PFEC_W);
	expect_pf(0x40000000, PFEC_I, PFEC_P | PFEC_I);
	put(0x13000 + 16, 0x22000 | (1ULL << 45) | PTE_P, 8);
	expect_pf(0x2000, 0, PFEC_P | PFEC_RSVD);
	put(0x10000 + 8, 0x11000 | PTE_P | PTE_PS, 8);
	expect_pf(1ULL << 39, 0, PFEC_P | PFEC_RSVD);
	dom.shadow.page1gb = false;
	expect_pf(0x40000000, 0, PFEC_P | PFEC_RSVD);
	cr_expect_eq(dom.shadow.stats.guest_faults, 8);
	cr_expect_eq(dom.shadow.stats.fills, 0);
}

Test(shadow, supervisor_write_to_read_only_page_without_wp_is_emulated)
{
	build_long();
	virt_reg_write(v, VREG_CR0, virt_reg_read(v, VREG_CR0) & ~CR0_WP);
	cr_expect(hw.cr0 & CR0_WP, "the CPU always runs with WP");
	fault(0x1000, PFEC_W);
	cr_expect_eq(injected.vector, 0);
	cr_expect_eq(emulations, 1);
	cr_expect(!shadow_xlate(0x1000).w);
}

Test(shadow, guest_tables_are_write_protected_and_writes_drop_entries)
{
	build_long();
	/* 0x3000 maps the guest's own PT at 0x13000, writable. */
	put(0x13000 + 24, 0x13000 | PTE_P | PTE_W | PTE_D, 8);
	fault(0x3000, PFEC_W);
	cr_expect_eq(emulations, 1, "a write to a page table is emulated");
	cr_expect(!shadow_xlate(0x3000).w, "and never writable");
	fault(0x0, 0);
	cr_assert(shadow_xlate(0x0).present);
	guest_write(0x13000, 0, 8);
	cr_expect(!shadow_xlate(0x0).present, "stale entry dropped");
	expect_pf(0x0, 0, 0);
}

Test(shadow, a_frame_becoming_a_table_loses_its_writable_mappings)
{
	build_long();
	fault(0x0, PFEC_W);
	cr_assert(shadow_xlate(0x0).w);
	/* 0x20000, mapped writable at 0x0, becomes the PT for 0x400000. */
	put(0x12000 + 16, 0x20000 | PTE_P | PTE_W, 8);
	put(0x20000, 0x30000 | PTE_P, 8);
	fault(0x400000, 0);
	cr_expect(!shadow_xlate(0x0).w);
	cr_expect(shadow_xlate(0x0).present);
}

Test(shadow_p2m, a_fill_populates_the_frame_on_demand)
{
	size_t before;

	p2m_destroy(&dom.p2m);
	cr_assert_eq(p2m_init(&dom.p2m, GUEST_RAM, false), 0);
	build_long();
	before = dom.p2m.populated;
	cr_assert_eq(p2m_lookup(&dom.p2m, 0x20000), 0);
	fault(0x0, PFEC_U);
	cr_expect_eq(injected.vector, 0);
	cr_expect_eq(dom.p2m.populated, before + 1, "the data page only");
	cr_expect_neq(p2m_lookup(&dom.p2m, 0x20000), 0);
	cr_expect_eq(shadow_xlate(0x0).hpa, p2m_lookup(&dom.p2m, 0x20000));
}

Test(shadow_p2m, rom_is_mapped_read_only_and_writes_emulated)
{
	build_long();
	cr_assert_eq(p2m_set_type(&dom.p2m, 0x20, 1, P2M_ROM), 0);
	fault(0x0, PFEC_U | PFEC_W);
	cr_expect_eq(injected.vector, 0, "the guest's tables allow the write");
	cr_expect(shadow_xlate(0x0).present);
	cr_expect(!shadow_xlate(0x0).w, "ROM never writable");
	cr_expect_eq(emulations, 1, "the write is emulated (and dropped)");
	cr_expect_eq(dom.nested.rom_writes, 1);
	/* RAM again: after the flush the next write maps it writable. */
	cr_assert_eq(p2m_set_type(&dom.p2m, 0x20, 1, P2M_RAM), 0);
	shadow_flush(&dom);
	fault(0x0, PFEC_U | PFEC_W);
	cr_expect(shadow_xlate(0x0).w);
	cr_expect_eq(emulations, 1);
}

Test(shadow, a_table_written_three_times_stops_being_shadowed)
{
	build_long();
	fault(0x0, 0);
	cr_assert_eq(dom.shadow.pt_count[0x13], 1);
	guest_write(0x13000 + 0x800, 1, 8);
	guest_write(0x13000 + 0x808, 2, 8);
	cr_expect_eq(dom.shadow.pt_count[0x13], 1);
	guest_write(0x13000 + 0x810, 3, 8);
	cr_expect_eq(dom.shadow.pt_count[0x13], 0, "unshadowed");
	cr_expect(!shadow_xlate(0x0).present, "and unlinked from its PD");
}

Test(shadow, invlpg_drops_the_leaf_and_split_large_pages)
{
	build_long();
	fault(0x0, 0);
	fault(0x200000, 0);
	shadow_invlpg(v, 0x0);
	cr_expect(!shadow_xlate(0x0).present);
	shadow_invlpg(v, 0x3ff000);
	cr_expect(!shadow_xlate(0x200000).present, "the whole 2 MiB page");
}

Test(shadow, paging_off_is_an_identity_map_of_ram)
{
	set_paging(0, 0, 0, 0);
	cr_expect(hw.cr0 & CR0_PG);
	cr_expect(!(hw.efer & EFER_LMA));
	cr_expect(hw.cr4 & CR4_PAE);
	expect_same(0x5123, 0);
	cr_expect(shadow_xlate(0x5123).w);
	fault(0xfee00000, PFEC_W);
	cr_expect_eq(gpa_faults, 1, "not RAM: the nested-fault path");
	cr_expect(!shadow_xlate(0xfee00000).present);
}

/* 32-bit: PD 0x10000; 0xc0000000 -> PT 0x11000; 0xc0400000 a 4 MiB page. */
static void build_32(void)
{
	put(0x10000 + 4 * 0x300, 0x11000 | PTE_P | PTE_W | PTE_U, 4);
	put(0x11000 + 4 * 0x200, 0x6000 | PTE_P | PTE_U, 4);
	put(0x11000 + 4 * 0x201, 0x7000 | PTE_P | PTE_W, 4);
	put(0x10000 + 4 * 0x301, 0x000000 | PTE_P | PTE_W | PTE_PS, 4);
	set_paging(CR0_PG | CR0_WP, CR4_PSE, 0, 0x10000);
}

Test(shadow, paging_32bit_with_4mib_pages)
{
	build_32();
	cr_expect(!(hw.efer & EFER_LMA));
	expect_same(0xc0200000, PFEC_U);
	expect_same(0xc0201000, 0);
	expect_same(0xc0612345, 0);
	expect_pf(0xc0201000, PFEC_U, PFEC_P | PFEC_U);
	put(0x10000 + 4 * 0x302, 0x400000 | (1u << 21) | PTE_P | PTE_PS, 4);
	expect_pf(0xc0800000, 0, PFEC_P | PFEC_RSVD);
	/* The PTE for 0xc0201000 is guest entry 0x201 of the PT: the
	 * second 2 MiB half, so the second shadow PT. */
	guest_write(0x11000 + 4 * 0x201, 0, 4);
	cr_expect(!shadow_xlate(0xc0201000).present);
	cr_expect(shadow_xlate(0xc0200000).present, "its neighbour stays");
	/* PDE 0x301 is shadowed by entries 2 and 3 of the fourth shadow PD. */
	guest_write(0x10000 + 4 * 0x301, 0, 4);
	cr_expect(!shadow_xlate(0xc0612345).present);
	cr_expect(shadow_xlate(0xc0200000).present, "PDE 0x300 stays");
}

Test(shadow, pae_paging)
{
	put(0x10020 + 8 * 3, 0x12000 | PTE_P, 8);
	put(0x12000 + 8, 0x200000 | PTE_P | PTE_W | PTE_U | PTE_PS | PTE_NX, 8);
	put(0x12000, 0x13000 | PTE_P | PTE_W, 8);
	put(0x13000 + 8 * 5, 0x9000 | PTE_P | PTE_W, 8);
	set_paging(CR0_PG, CR4_PAE, EFER_NXE, 0x10020);
	expect_same(0xc0234567, PFEC_U);
	expect_same(0xc0005000, 0);
	expect_pf(0xc0234567, PFEC_U | PFEC_I, PFEC_P | PFEC_U | PFEC_I);
	expect_pf(0x80000000, 0, 0);
}

Test(shadow, pae_pdptes_are_loaded_with_cr3)
{
	put(0x10020 + 8 * 3, 0x12000 | PTE_P, 8);
	put(0x12000, 0x13000 | PTE_P | PTE_W, 8);
	put(0x13000, 0x9000 | PTE_P | PTE_W, 8);
	put(0x14000, 0x15000 | PTE_P | PTE_W, 8);
	put(0x15000, 0xa000 | PTE_P | PTE_W, 8);
	set_paging(CR0_PG, CR4_PAE, 0, 0x10020);
	expect_same(0xc0000000, 0);
	put(0x10020 + 8 * 3, 0x14000 | PTE_P, 8);
	cr_expect_eq(shadow_xlate(0xc0000000).hpa, p2m_lookup(&dom.p2m, 0x9000),
		     "the CPU keeps the PDPTEs it loaded");
	virt_reg_write(v, VREG_CR3, 0x10020);
	cr_expect(!shadow_xlate(0xc0000000).present,
		  "a MOV to CR3 with new PDPTEs drops the old translation");
	expect_same(0xc0000000, 0);
	cr_expect_eq(shadow_xlate(0xc0000000).hpa,
		     p2m_lookup(&dom.p2m, 0xa000));
}

/* Makes n distinct 4-level address spaces at 0x100000 + 0x4000 * i. */
static void build_spaces(int n)
{
	int i;

	for (i = 0; i < n; i++) {
		gpa_t b = 0x100000 + 0x4000 * i;

		put(b, (b + 0x1000) | PTE_P | PTE_W, 8);
		put(b + 0x1000, (b + 0x2000) | PTE_P | PTE_W, 8);
		put(b + 0x2000, (b + 0x3000) | PTE_P | PTE_W, 8);
		put(b + 0x3000, 0x5000 | PTE_P | PTE_W, 8);
	}
}

Test(shadow, the_limit_holds_and_the_lru_space_goes)
{
	int i, r;

	teardown();
	init(SHADOW_PAGES_MIN, false);
	build_spaces(8);
	set_paging(CR0_PG, CR4_PAE, EFER_LME | EFER_LMA, 0x100000);
	for (i = 0; i < 8; i++) {
		virt_reg_write(v, VREG_CR3, 0x100000 + 0x4000 * i);
		fault(0x0, 0);
		cr_expect(shadow_xlate(0x0).present, "space %d", i);
		cr_expect_leq(dom.shadow.used, SHADOW_PAGES_MIN);
	}
	cr_expect_eq(dom.shadow.peak, SHADOW_PAGES_MIN);
	cr_expect_gt(dom.shadow.stats.evictions, 0);
	r = v->shadow.root;
	virt_reg_write(v, VREG_CR3, 0x100000 + 0x4000 * 6);
	virt_reg_write(v, VREG_CR3, 0x100000 + 0x4000 * 7);
	cr_expect_eq(v->shadow.root, r, "a kept space is found again");
	cr_expect(shadow_xlate(0x0).present, "with its shadow");
	virt_reg_write(v, VREG_CR3, 0x100000);
	cr_expect(!shadow_xlate(0x0).present, "the oldest was evicted");
	cr_expect_eq(crashes, 0);
}

Test(shadow, a_space_too_big_for_the_limit_restarts_on_every_vcpu)
{
	struct vcpu *v1 = &dom.vcpus[1];
	int i, r;

	teardown();
	init(SHADOW_PAGES_MIN, false);
	dom.nvcpus = 2;
	v1->domain = &dom;
	/* One space whose first 20 2 MiB regions each have their own PT. */
	put(0x10000, 0x11000 | PTE_P | PTE_W, 8);
	put(0x11000, 0x12000 | PTE_P | PTE_W, 8);
	for (i = 0; i < 20; i++) {
		put(0x12000 + 8 * i, (0x20000 + 0x1000 * i) | PTE_P | PTE_W, 8);
		put(0x20000 + 0x1000 * i, 0x5000 | PTE_P | PTE_W, 8);
	}
	v = v1;
	set_paging(CR0_PG, CR4_PAE, EFER_LME | EFER_LMA, 0x10000);
	v = &dom.vcpus[0];
	set_paging(CR0_PG, CR4_PAE, EFER_LME | EFER_LMA, 0x10000);
	cr_assert_eq(v->shadow.root, v1->shadow.root, "one space, one root");
	for (i = 0; i < 20; i++) {
		fault((gva_t)i << 21, 0);
		cr_expect(shadow_xlate((gva_t)i << 21).present, "region %d", i);
	}
	cr_expect_eq(crashes, 0);
	cr_expect_leq(dom.shadow.peak, SHADOW_PAGES_MIN);
	r = v1->shadow.root;
	cr_assert(r >= 0 && dom.shadow.roots[r].used,
		  "the other vcpu is on a live root");
	cr_expect_eq(dom.shadow.roots[r].key, 0x10000);
}

Test(shadow, te_views_and_the_hypervisors_half)
{
	uint64_t *top;

	teardown();
	init(64, true);
	build_long();
	cr_expect_eq(((uint64_t *)kva(PTE_ADDR(hw.cr3)))[511], KVIEW_PTE);
	fault(0x200000, 0);
	cr_expect(shadow_xlate(0x200000).u,
		  "kernel view: supervisor pages reachable at CPL 3");
	shadow_set_user_view(v, true);
	top = kva(PTE_ADDR(hw.cr3));
	cr_expect_eq(top[511], KVIEW_PTE);
	expect_pf(0x200000, PFEC_U, PFEC_P | PFEC_U);
	fault(0x0, PFEC_U);
	cr_expect(shadow_xlate(0x0).u);
	guest_write(0x10000 + 8 * 511, 0, 8);
	cr_expect_eq(top[511], KVIEW_PTE, "guest writes never clear it");
}

Test(shadow, cr3_outside_ram_crashes_at_the_first_fault)
{
	set_paging(CR0_PG, CR4_PAE, EFER_LME | EFER_LMA, 0x40000000);
	cr_expect_eq(crashes, 0);
	fault(0x1000, 0);
	cr_expect_eq(crashes, 1);
}
