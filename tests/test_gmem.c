/*
 * test_gmem.c - kernel/mm/gmem.c on the host: guest-linear accesses through
 * the guest's own page tables (none, 32-bit, PAE, 4-level) into a p2m
 * over simulated memory; permission faults and their error codes; page
 * tables outside guest RAM; accesses and fetches across pages; decoding
 * the instruction at CS:RIP in the vcpu's mode.  The backend is a fake
 * register file.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <inc/mmu.h>
#include <inc/x86.h>
#include <kernel/kernel.h>
#include <kernel/mm/page.h>
#include <kernel/domain.h>
#include <kernel/mm/gmem.h>
#include "host_kernel.h"

#define GUEST_RAM (4 * MiB)

static struct boot_info *bi;
static struct domain dom;
static struct vcpu *v;
static uint64_t regs[VREG_COUNT];
static struct vseg_desc cs;

static uint64_t test_reg_read(struct vcpu *vc, enum vreg r)
{
	return regs[r];
}

static void test_seg_read(struct vcpu *vc, enum vseg s, struct vseg_desc *out)
{
	*out = s == VSEG_CS ? cs : (struct vseg_desc){ 0, 0x93, ~0u, 0 };
}

/* The backend the wrappers in domain.h call. */
static const struct virt_ops test_ops = {
	.reg_read = test_reg_read,
	.seg_read = test_seg_read,
};

/* These domains do not shadow their paging: nothing to drop, and no
 * register the shadow keeps. */
void shadow_written(struct domain *d, gpa_t gpa, size_t len)
{
}

bool shadow_owns(struct vcpu *vc, int vreg)
{
	return false;
}

uint64_t shadow_reg_read(struct vcpu *vc, int vreg)
{
	abort();
}

/* The host never runs out here: every test p2m is populated eagerly. */
void domain_crash_no_mem(struct domain *d, struct vcpu *vc, gpa_t gpa)
{
	cr_assert_fail("out of host memory at 0x%llx", (unsigned long long)gpa);
}

static void setup(void)
{
	bi = host_page_init();
	memset(&dom, 0, sizeof(dom));
	memset(regs, 0, sizeof(regs));
	cs = (struct vseg_desc){ 0x08, 0xc9b, ~0u, 0 };
	v = &dom.vcpus[0];
	v->domain = &dom;
	dom.ops = &test_ops;
	cr_assert_eq(p2m_init(&dom.p2m, GUEST_RAM, true), 0);
}

static void teardown(void)
{
	p2m_destroy(&dom.p2m);
	free(bi);
}

TestSuite(gmem, .init = setup, .fini = teardown);

static void put32(gpa_t gpa, uint32_t val)
{
	cr_assert_eq(p2m_write(&dom.p2m, gpa, &val, 4), 0);
}

static void put64(gpa_t gpa, uint64_t val)
{
	cr_assert_eq(p2m_write(&dom.p2m, gpa, &val, 8), 0);
}

static int xlate(gva_t la, bool write, gpa_t *gpa, uint32_t *pfec)
{
	*pfec = 0;
	return gmem_translate(v, la, write, gpa, pfec);
}

Test(gmem, paging_off_is_identity_truncated_to_32_bits)
{
	gpa_t gpa;
	uint32_t pfec;

	regs[VREG_CR0] = CR0_PE;
	cr_expect_eq(xlate(0x1234 | (1ULL << 32), true, &gpa, &pfec), 0);
	cr_expect_eq(gpa, 0x1234);
}

/* 32-bit paging: PD at 0x10000, PT at 0x11000; 0x400000 -> 0x5000 RO. */
static void build_32bit(void)
{
	regs[VREG_CR0] = CR0_PE | CR0_PG;
	regs[VREG_CR3] = 0x10000;
	put32(0x10000 + 4 * 1, 0x11000 | PTE_P | PTE_W | PTE_U);
	put32(0x11000, 0x5000 | PTE_P);
	put32(0x11000 + 4, 0x7000 | PTE_P | PTE_W | PTE_U);
	put32(0x10000 + 4 * 2, 0x400000 | PTE_P | PTE_W | PTE_PS);
}

Test(gmem, paging_32bit_permissions_and_error_codes)
{
	gpa_t gpa;
	uint32_t pfec;

	build_32bit();
	cr_expect_eq(xlate(0x400123, false, &gpa, &pfec), 0);
	cr_expect_eq(gpa, 0x5123);
	cr_expect_eq(xlate(0x400123, true, &gpa, &pfec), 0,
		     "CR0.WP clear: supervisor writes ignore R/W");
	regs[VREG_CR0] |= CR0_WP;
	cr_expect_eq(xlate(0x400123, true, &gpa, &pfec), -E_NOT_FOUND);
	cr_expect_eq(pfec, PFEC_P | PFEC_W);
	regs[VREG_CPL] = 3;
	cr_expect_eq(xlate(0x400123, false, &gpa, &pfec), -E_NOT_FOUND);
	cr_expect_eq(pfec, PFEC_P | PFEC_U, "user access to supervisor page");
	cr_expect_eq(xlate(0x401000, true, &gpa, &pfec), 0);
	cr_expect_eq(gpa, 0x7000);
	cr_expect_eq(xlate(0x402000, false, &gpa, &pfec), -E_NOT_FOUND);
	cr_expect_eq(pfec, PFEC_U, "not present");
}

Test(gmem, paging_32bit_large_pages_need_pse)
{
	gpa_t gpa;
	uint32_t pfec;

	build_32bit();
	cr_expect_eq(xlate(0x812345, false, &gpa, &pfec), -E_RANGE,
		     "without CR4.PSE the entry names a page table at 4 MiB");
	regs[VREG_CR4] = 1u << 4;
	cr_expect_eq(xlate(0x812345, false, &gpa, &pfec), 0);
	cr_expect_eq(gpa, 0x412345);
}

Test(gmem, pae_with_a_2mib_page)
{
	gpa_t gpa;
	uint32_t pfec;

	regs[VREG_CR0] = CR0_PE | CR0_PG;
	regs[VREG_CR4] = CR4_PAE;
	regs[VREG_CR3] = 0x10020;
	put64(0x10020 + 8 * 3, 0x12000 | PTE_P);
	put64(0x12000 + 8 * 1, 0x200000 | PTE_P | PTE_W | PTE_PS);
	cr_expect_eq(xlate(0xc0234567, true, &gpa, &pfec), 0);
	cr_expect_eq(gpa, 0x234567);
	cr_expect_eq(xlate(0x80000000, false, &gpa, &pfec), -E_NOT_FOUND,
		     "PDPTE 2 not present");
}

/* 4-level: PML4 0x20000, PDPT 0x21000, PD 0x22000, PT 0x23000. */
static void build_long(void)
{
	regs[VREG_CR0] = CR0_PE | CR0_PG;
	regs[VREG_CR4] = CR4_PAE;
	regs[VREG_EFER] = EFER_LME | EFER_LMA;
	regs[VREG_CR3] = 0x20000;
	cs.attr = 0xa9b;
	put64(0x20000 + 8 * 0x1ff, 0x21000 | PTE_P | PTE_W);
	put64(0x21000 + 8 * 0x1fe, 0x22000 | PTE_P | PTE_W);
	put64(0x22000, 0x23000 | PTE_P | PTE_W);
	put64(0x23000, 0x30000 | PTE_P | PTE_W);
	put64(0x23000 + 8, 0x9000 | PTE_P | PTE_W);
	put64(0x21000 + 8 * 0x1ff, 0x400000000ULL | PTE_P | PTE_W);
}

Test(gmem, long_mode_walk_and_tables_outside_ram)
{
	gpa_t gpa;
	uint32_t pfec;

	build_long();
	cr_expect_eq(xlate(0xffffffff80000010ULL, true, &gpa, &pfec), 0);
	cr_expect_eq(gpa, 0x30010);
	cr_expect_eq(xlate(0xffffffff80001010ULL, false, &gpa, &pfec), 0);
	cr_expect_eq(gpa, 0x9010);
	cr_expect_eq(xlate(0xffffffff80002000ULL, false, &gpa, &pfec),
		     -E_NOT_FOUND);
	cr_expect_eq(xlate(0xffffffffc0000000ULL, false, &gpa, &pfec), -E_RANGE,
		     "a table at 16 GiB is not guest RAM");
}

static uint64_t get64(gpa_t gpa)
{
	uint64_t val;

	cr_assert_eq(p2m_read(&dom.p2m, gpa, &val, 8), 0);
	return val;
}

Test(gmem, accessed_and_dirty_bits_are_logged_for_migration)
{
	uint64_t dirty[GUEST_RAM / PAGE_SIZE / 64] = { 0 };
	gpa_t gpa;
	uint32_t pfec;

	build_long();
	cr_assert_eq(p2m_dirty_start(&dom.p2m), 0);
	cr_expect_eq(xlate(0xffffffff80000010ULL, true, &gpa, &pfec), 0);
	cr_expect_eq(p2m_dirty_collect(&dom.p2m, dirty), 4,
		     "the four tables whose A (and D) bits were set");
	cr_expect_eq(dirty[0x20000 / PAGE_SIZE / 64], 0xfULL << 32);
	cr_expect_eq(xlate(0xffffffff80000010ULL, true, &gpa, &pfec), 0);
	cr_expect_eq(p2m_dirty_collect(&dom.p2m, dirty), 0,
		     "bits already set: nothing written");
	p2m_dirty_stop(&dom.p2m);
}

Test(gmem, translate_sets_accessed_and_dirty_as_the_cpu)
{
	gpa_t gpa;
	uint32_t pfec;

	build_long();
	cr_assert_eq(xlate(0xffffffff80001010ULL, false, &gpa, &pfec), 0);
	cr_expect(get64(0x20000 + 8 * 0x1ff) & PTE_A, "PML4E accessed");
	cr_expect_eq(get64(0x23000 + 8) & (PTE_A | PTE_D), PTE_A,
		     "a read sets A only");
	cr_assert_eq(xlate(0xffffffff80001010ULL, true, &gpa, &pfec), 0);
	cr_expect_eq(get64(0x23000 + 8) & (PTE_A | PTE_D), PTE_A | PTE_D);
	cr_expect(!(get64(0x22000) & PTE_D), "D on the leaf only");
}

Test(gmem, copies_cross_discontiguous_pages)
{
	char out[8] = "ABCDEFGH", in[8] = { 0 };
	gva_t fault_la;
	uint32_t pfec;
	char c;

	build_long();
	cr_assert_eq(gmem_write(v, 0xffffffff80000ffcULL, out, 8, &fault_la,
				&pfec),
		     0);
	cr_assert_eq(p2m_read(&dom.p2m, 0x9000, &c, 1), 0);
	cr_expect_eq(c, 'E', "second half landed in the second frame");
	cr_assert_eq(gmem_read(v, 0xffffffff80000ffcULL, in, 8, &fault_la,
			       &pfec),
		     0);
	cr_expect_arr_eq(in, out, 8);
	cr_expect_eq(gmem_read(v, 0xffffffff80001ffcULL, in, 8, &fault_la,
			       &pfec),
		     -E_NOT_FOUND);
	cr_expect_eq(fault_la, 0xffffffff80002000ULL, "fault at the page");
}

Test(gmem, fetch_stops_at_an_unmapped_page)
{
	uint8_t buf[15];

	build_long();
	regs[VREG_RIP] = 0xffffffff80001ff8ULL;
	cr_expect_eq(gmem_fetch_insn(v, buf), 8);
	regs[VREG_RIP] = 0xffffffff80002000ULL;
	cr_expect_eq(gmem_fetch_insn(v, buf), 0);
	regs[VREG_RIP] = 0xffffffff80000ff8ULL;
	cr_expect_eq(gmem_fetch_insn(v, buf), 15);
}

/* In long mode the exiting instruction's bytes come from a bare descent
 * (gmem_fetch_exiting): the same bytes as the full walk's, through 4 KiB,
 * 2 MiB (PAT bit set: not an address bit) and 1 GiB pages. */
Test(gmem, fetch_in_long_mode_through_every_page_size)
{
	static const struct {
		gva_t la;
		gpa_t gpa;
	} at[] = {
		{ 0xffffffff80000010ULL, 0x30010 },
		{ 0xffffffff80201234ULL, 0x201234 },
		{ 0xffffffff40005678ULL, 0x5678 },
	};
	uint8_t code[15], buf[15], full[15];

	build_long();
	put64(0x22000 + 8, 0x200000 | 0x1000 /* PAT */ | PTE_P | PTE_PS);
	put64(0x21000 + 8 * 0x1fd, PTE_P | PTE_PS);
	for (size_t i = 0; i < ARRAY_SIZE(at); i++) {
		for (size_t j = 0; j < sizeof(code); j++)
			code[j] = (uint8_t)(0x10 * i + j + 1);
		cr_assert_eq(p2m_write(&dom.p2m, at[i].gpa, code, 15), 0);
		regs[VREG_RIP] = at[i].la;
		cr_expect_eq(gmem_fetch_insn(v, buf), 15);
		cr_expect_arr_eq(buf, code, 15, "fetch at %#llx",
				 (unsigned long long)at[i].la);
		cr_expect_eq(gmem_fetch(v, at[i].la, full), 15);
		cr_expect_arr_eq(full, code, 15, "the full walk agrees");
	}
}

Test(gmem, fetch_adds_the_code_segment_base_outside_64_bit_mode)
{
	uint8_t buf[15];
	uint8_t code = 0xf4;

	regs[VREG_CR0] = CR0_PE;
	cs.base = 0x7000;
	regs[VREG_RIP] = 0x10;
	cr_assert_eq(p2m_write(&dom.p2m, 0x7010, &code, 1), 0);
	cr_expect_eq(gmem_fetch_insn(v, buf), 15);
	cr_expect_eq(buf[0], 0xf4);
}

/* Places code at guest-physical (= linear, paging off) address 0x7000. */
static void put_code(const uint8_t *code, size_t len)
{
	cr_assert_eq(p2m_write(&dom.p2m, 0x7000, code, len), 0);
	regs[VREG_RIP] = 0x7000;
}

Test(gmem, insn_mode_follows_efer_cr0_and_cs)
{
	cr_expect_eq(gmem_insn_mode(v), X86_MODE_16, "CR0.PE clear: real mode");
	regs[VREG_CR0] = CR0_PE;
	cr_expect_eq(gmem_insn_mode(v), X86_MODE_32, "CS.D set");
	cs.attr &= ~SEG_ATTR_DB;
	cr_expect_eq(gmem_insn_mode(v), X86_MODE_16, "CS.D clear");
	regs[VREG_EFER] = EFER_LMA;
	cs.attr |= SEG_ATTR_L;
	cr_expect_eq(gmem_insn_mode(v), X86_MODE_64);
}

Test(gmem, decode_insn_in_the_vcpus_mode)
{
	static const uint8_t outs[] = { 0x26, 0x67, 0xf3, 0x6f };
	struct x86_insn in;

	put_code(outs, sizeof(outs));
	regs[VREG_CR0] = CR0_PE;
	cr_assert_eq(gmem_decode_insn(v, &in), 0);
	cr_expect_eq(in.length, 4);
	cr_expect_eq(in.mnemonic, X86_INSN_OUTS);
	cr_expect_eq(in.seg_override, VSEG_ES);
	cr_expect_eq(in.addr_bytes, 2, "67 in 32-bit code: 16-bit addresses");
	cr_expect_eq(in.op_bytes, 4);
	regs[VREG_CR0] = 0;
	cr_assert_eq(gmem_decode_insn(v, &in), 0);
	cr_expect_eq(in.addr_bytes, 4, "67 in real mode: 32-bit addresses");
	cr_expect_eq(in.op_bytes, 2);
}

Test(gmem, decode_insn_exit_instructions)
{
	static const uint8_t code[] = {
		0x66, 0x0f, 0x01, 0xd9, /* vmmcall, with a prefix */
		0x0f, 0x01, 0xd1,	/* xsetbv */
		0x41, 0x0f, 0x01, 0xf3, /* lmsw %r11w */
		0x0f, 0x01, 0x30,	/* lmsw (%rax) */
		0x41, 0x0f, 0x22, 0xc1, /* mov %r9, %cr0 */
		0x0f, 0x06,		/* clts */
	};
	struct x86_insn in;

	put_code(code, sizeof(code));
	regs[VREG_EFER] = EFER_LMA;
	cs.attr |= SEG_ATTR_L;
	cr_assert_eq(gmem_decode_insn(v, &in), 0);
	cr_expect(x86_insn_is(&in, X86_MAP_0F, 0x01, 0xd9));
	cr_expect_eq(in.length, 4);
	regs[VREG_RIP] += in.length;
	cr_assert_eq(gmem_decode_insn(v, &in), 0);
	cr_expect(x86_insn_is(&in, X86_MAP_0F, 0x01, 0xd1));
	cr_expect(!x86_insn_is(&in, X86_MAP_0F, 0x01, 0xd9));
	regs[VREG_RIP] += in.length;
	cr_assert_eq(gmem_decode_insn(v, &in), 0);
	cr_expect_eq(x86_insn_ext(&in), 6);
	cr_expect(!in.is_mem);
	cr_expect_eq(in.rm, 11, "REX.B extends the register");
	cr_expect_eq(in.length, 4);
	regs[VREG_RIP] += in.length;
	cr_assert_eq(gmem_decode_insn(v, &in), 0);
	cr_expect(x86_insn_ext(&in) == 6 && in.is_mem);
	regs[VREG_RIP] += in.length;
	cr_assert_eq(gmem_decode_insn(v, &in), 0);
	cr_expect(x86_insn_is(&in, X86_MAP_0F, 0x22, -1));
	cr_expect_eq(in.rm, 9);
	cr_expect_eq(in.length, 4);
	regs[VREG_RIP] += in.length;
	cr_assert_eq(gmem_decode_insn(v, &in), 0);
	cr_expect(x86_insn_is(&in, X86_MAP_0F, 0x06, -1));
	cr_expect_eq(in.length, 2);
}

Test(gmem, decode_insn_stops_at_an_unmapped_page)
{
	static const uint8_t cpuid[] = { 0x0f, 0xa2 };
	struct x86_insn in;

	build_long();
	cr_assert_eq(p2m_write(&dom.p2m, 0x9fff, cpuid, 1), 0);
	cr_assert_eq(p2m_write(&dom.p2m, 0x30fff, cpuid, 1), 0);
	cr_assert_eq(p2m_write(&dom.p2m, 0x9000, cpuid + 1, 1), 0);
	regs[VREG_RIP] = 0xffffffff80002000ULL;
	cr_expect_eq(gmem_decode_insn(v, &in), -E_NOT_FOUND);
	regs[VREG_RIP] = 0xffffffff80001fffULL;
	cr_expect_eq(gmem_decode_insn(v, &in), -E_RANGE,
		     "0F at the end of a page, the next one unmapped");
	regs[VREG_RIP] = 0xffffffff80000fffULL;
	cr_assert_eq(gmem_decode_insn(v, &in), 0, "CPUID across two pages");
	cr_expect(x86_insn_is(&in, X86_MAP_0F, 0xa2, -1));
	cr_expect_eq(in.length, 2);
}
