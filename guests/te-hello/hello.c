/*
 * te-hello - the first trap-and-emulate guest (lab 2): runs at CPL 3,
 * prints through emulated OUT to COM1, and exercises the emulated
 * privileged instructions: CLI/STI, MOV CR0/CR3/CR4/CR8, LGDT/LIDT,
 * LLDT/LTR with the descriptor checks of SDM 2 "LLDT" and "LTR",
 * RDMSR/WRMSR, INVLPG, WBINVD, and an unknown MSR (#GP).
 */
#include <guests/te-lib/te.h>

static void test_cpl(void)
{
	uint16_t cs;

	__asm__ volatile("mov %%cs, %0" : "=r"(cs));
	report((cs & 3) == 3, "running at CPL 3 (cs=0x%x)", cs);
	report(inb(TE_PORT_INFO) & TE_INFO_TE, "te paravirtual info port");
}

static void test_if(void)
{
	__asm__ volatile("cli");
	report(!te_vif(), "cli clears the virtual IF");
	__asm__ volatile("sti");
	report(te_vif(), "sti sets the virtual IF");
	__asm__ volatile("cli");
}

static void test_crs(void)
{
	uint64_t cr0 = te_read_cr(0), cr4 = te_read_cr(4);

	report((cr0 & 0x80000001) == 0x00000001,
	       "virtual cr0 0x%llx has PE, PG clear (paging off)",
	       (unsigned long long)cr0);
	__asm__ volatile("mov %0, %%cr0" : : "r"(cr0 | 8));
	report(te_read_cr(0) == (cr0 | 8), "mov to cr0 sets TS");
	__asm__ volatile("mov %0, %%cr0" : : "r"(cr0));
	__asm__ volatile("mov %0, %%cr3" : : "r"(0x5000ULL));
	report(te_read_cr(3) == 0x5000, "mov to/from cr3");
	report(cr4 & 0x20, "virtual cr4 0x%llx has PAE",
	       (unsigned long long)cr4);
	__asm__ volatile("mov %0, %%cr8" : : "r"(7ULL));
	report(te_read_cr(8) == 7, "mov to/from cr8 (TPR)");
}

/* A 64-bit system descriptor (SDM 3A 7.2.3, 9.2.3): two GDT entries. */
static void sys_desc(volatile uint64_t *d, uint64_t base, uint32_t limit,
		     uint8_t type)
{
	d[0] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
	       ((uint64_t)type << 40) | ((uint64_t)(limit >> 16) << 48) |
	       ((base >> 24 & 0xff) << 56);
	d[1] = base >> 32;
}

/*
 * The GDT: code 0x08, data 0x10, an available TSS at 0x18, an LDT at
 * 0x28 and a not-present TSS at 0x38; 0x48 is past its limit.
 */
static volatile uint64_t gdt[9] = { 0, 0x00af9b000000ffffULL,
				    0x00cf93000000ffffULL };
static uint8_t tss[0x68];
static uint64_t ldt[1];

/*
 * TE_TRY's result was vector want with error code err, or no fault; if
 * not, says so with the name of the hypervisor function that decides.
 */
static bool faulted_in(const char *who, int vec, int want, uint64_t err)
{
	bool ok = vec == want && (want == -1 || te_fault_err == err);

	if (!ok)
		printf("  %s: got vector %d error 0x%llx, want %d error "
		       "0x%llx\n",
		       who, vec, (unsigned long long)te_fault_err, want,
		       (unsigned long long)err);
	return ok;
}

#define faulted(vec, want, err) faulted_in("te_emul_load_sel", vec, want, err)

/* One LTR or LLDT of sel and the fault it must raise (vec -1: none). */
struct sel_check {
	uint16_t sel;
	int vec;
	uint32_t err;
	const char *what;
};

/* After "ltr 0x18" succeeded: 0x18 is busy now. */
static const struct sel_check ltr_checks[] = {
	{ 0x18, T_GP, 0x18, "ltr of a busy TSS is #GP(0x18)" },
	{ 0x08, T_GP, 0x08, "ltr of a code segment is #GP(0x8)" },
	{ 0x28, T_GP, 0x28, "ltr of an LDT is #GP(0x28)" },
	{ 0x1f, T_GP, 0x1c, "ltr of a selector in the LDT is #GP(0x1c)" },
	{ 0x48, T_GP, 0x48, "ltr beyond the GDT limit is #GP(0x48)" },
	{ 0x03, T_GP, 0, "ltr of a null selector is #GP(0)" },
	{ 0x38, T_NP, 0x38, "ltr of a not-present TSS is #NP(0x38)" },
};

static const struct sel_check lldt_checks[] = {
	{ 0x28, -1, 0, "lldt 0x28 loads the LDT" },
	{ 0x18, T_GP, 0x18, "lldt of a TSS is #GP(0x18)" },
	{ 0x10, T_GP, 0x10, "lldt of a data segment is #GP(0x10)" },
	{ 0x48, T_GP, 0x48, "lldt beyond the GDT limit is #GP(0x48)" },
};

static void load_sel_checks(bool ltr, const struct sel_check *c, size_t n)
{
	for (size_t i = 0; i < n; i++, c++) {
		int vec = ltr ? TE_TRY("ltr %w0", "r"(c->sel)) :
				TE_TRY("lldt %w0", "r"(c->sel));

		report(faulted(vec, c->vec, c->err), "%s", c->what);
	}
}

static void test_ltr(void)
{
	report(faulted(TE_TRY("ltr %w0", "r"(0x18)), -1, 0) &&
		       ((gdt[3] >> 40) & 0xf) == 0xb,
	       "ltr 0x18 loads the TSS and marks it busy");
	load_sel_checks(true, ltr_checks, ARRAY_SIZE(ltr_checks));
}

static void test_lldt(void)
{
	load_sel_checks(false, lldt_checks, ARRAY_SIZE(lldt_checks));
}

/* SLDT, STR and SGDT trap only under UMIP; without it they show the host. */
static void test_stores(void)
{
	struct te_dtr g = { 0x1234, 0x123456789000ULL }, out;
	struct te_dtr mine = { sizeof(gdt) - 1, (uint64_t)gdt };
	uint16_t ldtr, tr;

	if (!(inb(TE_PORT_INFO) & TE_INFO_UMIP)) {
		report_skip("sldt, str and sgdt need UMIP to be emulated");
		return;
	}
	__asm__ volatile("sldt %w0; str %w1" : "=r"(ldtr), "=r"(tr));
	report(ldtr == 0x28 && tr == 0x18, "sldt 0x%x and str 0x%x", ldtr, tr);
	__asm__ volatile("lgdt %1; sgdt %0; lgdt %2"
			 : "=m"(out)
			 : "m"(g), "m"(mine));
	if (out.limit != 0x1234 || out.base != 0x123456789000ULL)
		printf("  te_emul_load_dtr: sgdt shows 0x%llx/0x%x\n",
		       (unsigned long long)out.base, out.limit);
	report(out.limit == 0x1234 && out.base == 0x123456789000ULL,
	       "lgdt takes a 16-bit limit and a 64-bit base");
}

static void test_tables(void)
{
	struct te_dtr g = { sizeof(gdt) - 1, (uint64_t)gdt };

	sys_desc(&gdt[3], (uint64_t)tss, sizeof(tss) - 1, 0x89);
	sys_desc(&gdt[5], (uint64_t)ldt, sizeof(ldt) - 1, 0x82);
	sys_desc(&gdt[7], (uint64_t)tss, sizeof(tss) - 1, 0x09);
	__asm__ volatile("lgdt %0" : : "m"(g));
	report(faulted(TE_TRY("lldt %w0", "r"(0)), -1, 0),
	       "lldt of a null selector");
	test_ltr();
	test_lldt();
	test_stores();
	__asm__ volatile("invlpg (%0)" : : "r"(gdt) : "memory");
	__asm__ volatile("wbinvd");
	report(true, "invlpg and wbinvd emulated");
}

static void test_msrs(void)
{
	uint32_t lo, hi;

	__asm__ volatile("wrmsr"
			 :
			 : "c"(MSR_STAR), "a"(0x12345678), "d"(0x00230010));
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(MSR_STAR));
	report(lo == 0x12345678 && hi == 0x00230010, "wrmsr/rdmsr STAR");
	report(faulted_in("rdmsr", TE_TRY("rdmsr", "c"(0x12345678)), T_GP, 0),
	       "rdmsr of an unknown MSR is #GP(0)");
}

void main(void)
{
	printf("te-hello: hello from CPL 3\n");
	te_catch_faults();
	test_cpl();
	test_if();
	test_crs();
	test_tables();
	test_msrs();
}
