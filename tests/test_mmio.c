/*
 * test_mmio.c - kernel/dev/mmio.c on the host: guest instructions run
 * through the emulator with the vcpu's registers and segments, guest
 * memory through gmem and the p2m, ports through fake port handlers.
 * INS/OUTS as the I/O exit runs them: direction, segments, the REP bound,
 * a #PF in the middle of a string, memory outside guest RAM, a failing
 * device.  The test device (kernel/dev/testdev.c, lab 5) behind MMIO: one
 * access per instruction, split at its end, its control registers, and
 * the crash with the bytes of an instruction the emulator cannot run.
 * INS/OUTS to a device model's port (pv/ioreq.c, faked here): one request
 * of count elements of guest RAM, as far as the page goes, and the
 * instruction completes only once the request is answered.
 */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdlib.h>
#include <inc/mmu.h>
#include <inc/x86.h>
#include <inc/stdio.h>
#include <kernel/kernel.h>
#include <kernel/mm/page.h>
#include <kernel/domain.h>
#include <kernel/x86/emulate.h>
#include <kernel/dev/mmio.h>
#include <kernel/dev/io.h>
#include "host_kernel.h"

#define GUEST_RAM (4 * MiB)
#define CODE	  0x7000
#define PORT_BAD  0xbad
#define PORT_DM	  0x234 /* a device model's */

static struct boot_info *bi;
static struct domain dom;
static struct vcpu *v;
static uint64_t regs[VREG_COUNT];
static struct vseg_desc segs[VSEG_COUNT];
static struct {
	uint8_t vector;
	bool has_error;
	uint32_t error;
	int n;
} inj;
static uint8_t out[8192];
static unsigned nout;

static uint64_t test_reg_read(struct vcpu *vc, enum vreg r)
{
	return regs[r];
}

static void test_reg_write(struct vcpu *vc, enum vreg r, uint64_t val)
{
	regs[r] = val;
}

static void test_seg_read(struct vcpu *vc, enum vseg s, struct vseg_desc *o)
{
	*o = segs[s];
}

/* The backend the wrappers in domain.h call. */
static const struct virt_ops test_ops = {
	.reg_read = test_reg_read,
	.reg_write = test_reg_write,
	.seg_read = test_seg_read,
};

void virt_inject_exception(struct vcpu *vc, uint8_t vector, bool has_error,
			   uint32_t error)
{
	inj.vector = vector;
	inj.has_error = has_error;
	inj.error = error;
	inj.n++;
}

/* The test device's MAP_LEVEL: every address a writable 2 MiB page. */
int nested_level(struct domain *d, gpa_t gpa, bool *writable)
{
	*writable = true;
	return 2;
}

/* The test device's interrupt line leads nowhere here. */
void irq_set(struct domain *d, unsigned irq, bool high)
{
}

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

void shadow_reg_write(struct vcpu *vc, int vreg, uint64_t val)
{
	abort();
}

void domain_crash(struct domain *d, struct vcpu *vc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->crash_reason, sizeof(d->crash_reason), fmt, ap);
	va_end(ap);
	d->state = DOMAIN_CRASHED;
}

void domain_crash_no_mem(struct domain *d, struct vcpu *vc, gpa_t gpa)
{
	domain_crash(d, vc, "out of host memory at 0x%llx",
		     (unsigned long long)gpa);
}

/* The last request forwarded to the fake device model, and whether it
 * answered it. */
static struct {
	int n;
	uint16_t port;
	unsigned size;
	uint32_t count;
	bool write, is_ptr, df, answered;
	uint64_t gpa;
} dm;

/* PORT_DM's handler: the string path never calls it. */
static int dm_port(struct domain *d, void *opaque, uint64_t port, unsigned size,
		   bool write, uint64_t *val)
{
	return -E_IO;
}

void ioreq_insn_start(struct vcpu *vc)
{
}

void ioreq_insn_end(struct vcpu *vc)
{
}

bool ioreq_claims(const struct io_range *r)
{
	return r->fn == dm_port;
}

int ioreq_forward(struct vcpu *vc, uint8_t type, uint64_t addr, unsigned size,
		  uint32_t count, bool write, bool is_ptr, bool df,
		  uint64_t *data)
{
	if (dm.answered) {
		dm.answered = false;
		return 0;
	}
	dm.n++;
	dm.port = (uint16_t)addr;
	dm.size = size;
	dm.count = count;
	dm.write = write;
	dm.is_ptr = is_ptr;
	dm.df = df;
	dm.gpa = *data;
	vc->state = VCPU_IOREQ;
	return -E_AGAIN;
}

/* Every port but PORT_BAD and PORT_DM: reads give 0x41, 0x42, ...; writes are recorded. */
static int test_port(struct domain *d, void *opaque, uint64_t port,
		     unsigned size, bool write, uint64_t *val)
{
	static uint8_t next = 0x41;

	if (!write)
		*val = next++;
	else if (nout < sizeof(out))
		out[nout++] = (uint8_t)*val;
	return 0;
}

/* PORT_BAD: a device that fails every access. */
static int bad_port(struct domain *d, void *opaque, uint64_t port,
		    unsigned size, bool write, uint64_t *val)
{
	return -E_IO;
}

static void setup(void)
{
	int i;

	bi = host_page_init();
	memset(&dom, 0, sizeof(dom));
	memset(regs, 0, sizeof(regs));
	memset(&inj, 0, sizeof(inj));
	nout = 0;
	for (i = 0; i < VSEG_COUNT; i++)
		segs[i] = (struct vseg_desc){ 0x10, 0xc93, ~0u, 0 };
	segs[VSEG_CS] = (struct vseg_desc){ 0x08, 0xc9b, ~0u, 0 };
	regs[VREG_CR0] = CR0_PE;
	regs[VREG_RFLAGS] = X86_FLAGS_FIXED;
	regs[VREG_RIP] = CODE;
	dom.state = DOMAIN_RUNNING;
	v = &dom.vcpus[0];
	v->domain = &dom;
	dom.ops = &test_ops;
	cr_assert_eq(p2m_init(&dom.p2m, GUEST_RAM, true), 0);
	memset(&dm, 0, sizeof(dm));
	dom.pv.ioreq.enabled = true;
	cr_assert_eq(io_register_port(&dom, 0, PORT_DM, test_port, NULL,
				      "test"),
		     0);
	cr_assert_eq(io_register_port(&dom, PORT_DM, 1, dm_port, NULL, "dm"),
		     0);
	cr_assert_eq(io_register_port(&dom, PORT_DM + 1, PORT_BAD - PORT_DM - 1,
				      test_port, NULL, "test"),
		     0);
	cr_assert_eq(io_register_port(&dom, PORT_BAD, 1, bad_port, NULL, "bad"),
		     0);
	cr_assert_eq(testdev_init(&dom, &dom.testdev), 0);
	cr_assert_eq(io_register_port(&dom, PORT_BAD + 1,
				      0x10000 - PORT_BAD - 1, test_port, NULL,
				      "test"),
		     0);
}

static void teardown(void)
{
	p2m_destroy(&dom.p2m);
	free(bi);
}

TestSuite(mmio, .init = setup, .fini = teardown);

static void put(gpa_t gpa, const void *p, size_t len)
{
	cr_assert_eq(p2m_write(&dom.p2m, gpa, p, len), 0);
}

/* Places the instruction bytes at CS:RIP = CODE and runs them. */
#define RUN(...)                                             \
	({                                                   \
		static const uint8_t b_[] = { __VA_ARGS__ }; \
		put(CODE, b_, sizeof(b_));                   \
		mmio_emulate(v);                             \
	})

Test(mmio, rep_outsb_backwards_from_an_overridden_segment)
{
	segs[VSEG_FS].base = 0x20000;
	put(0x20100, "abc", 3);
	regs[VREG_RFLAGS] |= X86_FLAGS_DF;
	v->gprs[GPR_RSI] = 0x102;
	v->gprs[GPR_RCX] = 3;
	v->gprs[GPR_RDX] = 0x3f8;
	cr_assert_eq(RUN(0x64, 0xf3, 0x6e), 0); /* rep outsb %fs:(%esi) */
	cr_assert_eq(nout, 3);
	cr_expect_arr_eq(out, "cba", 3);
	cr_expect_eq(v->gprs[GPR_RSI], 0xff);
	cr_expect_eq(v->gprs[GPR_RCX], 0);
	cr_expect_eq(regs[VREG_RIP], CODE + 3);
}

Test(mmio, rep_insb_into_es_in_16_bit_code)
{
	uint8_t buf[3];

	regs[VREG_CR0] = 0;
	segs[VSEG_ES].base = 0x30000;
	segs[VSEG_DS].base = 0x50000;
	v->gprs[GPR_RDI] = 0x7777fffe;
	v->gprs[GPR_RCX] = 3;
	v->gprs[GPR_RDX] = 0x3ff;
	cr_assert_eq(RUN(0xf3, 0x6c), 0); /* rep insb */
	cr_assert_eq(p2m_read(&dom.p2m, 0x3fffe, buf, 2), 0);
	cr_assert_eq(p2m_read(&dom.p2m, 0x30000, buf + 2, 1), 0);
	cr_expect(buf[1] == buf[0] + 1 && buf[2] == buf[0] + 2,
		  "ES:DI, DI wrapping at 64 KiB");
	cr_expect_eq(v->gprs[GPR_RDI], 0x77770001);
	cr_expect_eq(regs[VREG_RIP], CODE + 2);
}

Test(mmio, long_rep_stops_with_rip_on_the_instruction)
{
	v->gprs[GPR_RSI] = 0x100000;
	v->gprs[GPR_RCX] = X86_EMUL_REP_BATCH + 1;
	v->gprs[GPR_RDX] = 0x80;
	cr_assert_eq(RUN(0xf3, 0x6e), 0);
	cr_expect_eq(v->gprs[GPR_RCX], 1);
	cr_expect_eq(regs[VREG_RIP], CODE, "the guest executes it again");
	cr_assert_eq(mmio_emulate(v), 0);
	cr_expect_eq(v->gprs[GPR_RCX], 0);
	cr_expect_eq(regs[VREG_RIP], CODE + 2);
}

/* 32-bit paging: pages 0-7 identity-mapped except page 6. */
static void paging_without_page_6(void)
{
	uint32_t pde = 0x11000 | PTE_P | PTE_W, pte;
	int i;

	put(0x10000, &pde, 4);
	for (i = 0; i < 8; i++) {
		pte = i == 6 ? 0 : (i << 12) | PTE_P | PTE_W;
		put(0x11000 + 4 * i, &pte, 4);
	}
	regs[VREG_CR3] = 0x10000;
	regs[VREG_CR0] |= CR0_PG;
}

Test(mmio, page_fault_mid_string_keeps_the_elements_done)
{
	paging_without_page_6();
	v->gprs[GPR_RSI] = 0x5ffe;
	v->gprs[GPR_RCX] = 4;
	v->gprs[GPR_RDX] = 0x80;
	cr_assert_eq(RUN(0xf3, 0x6e), 0);
	cr_expect_eq(nout, 2);
	cr_expect_eq(inj.n, 1);
	cr_expect_eq(inj.vector, T_PF);
	cr_expect(inj.has_error && inj.error == 0, "not present, read");
	cr_expect_eq(regs[VREG_CR2], 0x6000);
	cr_expect_eq(v->gprs[GPR_RSI], 0x6000, "rSI at the faulting element");
	cr_expect_eq(v->gprs[GPR_RCX], 2);
	cr_expect_eq(regs[VREG_RIP], CODE);
}

Test(mmio, ins_outside_guest_ram_crashes_the_domain)
{
	v->gprs[GPR_RDI] = GUEST_RAM - 2;
	v->gprs[GPR_RCX] = 4;
	v->gprs[GPR_RDX] = 0x80;
	cr_assert_eq(RUN(0xf3, 0x66, 0x6d), -E_IO); /* rep insw */
	cr_expect_eq(dom.state, DOMAIN_CRASHED);
	cr_expect_str_eq(dom.crash_reason,
			 "ins at 0x400000: outside guest memory");
	cr_expect_eq(v->gprs[GPR_RCX], 4, "registers untouched");
}

Test(mmio, failing_device_crashes_the_domain)
{
	v->gprs[GPR_RSI] = 0x100;
	v->gprs[GPR_RDX] = PORT_BAD;
	cr_assert_eq(RUN(0x6e), -E_IO);
	cr_expect_str_eq(dom.crash_reason, "port 0xbad: I/O error");
}

Test(mmio, code_outside_guest_ram_is_not_emulated)
{
	regs[VREG_RIP] = GUEST_RAM + 0x100;
	cr_expect_eq(mmio_emulate(v), -E_NOT_SUPP);
	cr_expect_eq(regs[VREG_RIP], GUEST_RAM + 0x100);
}

#define TESTDEV_LAST_IS(size, write, off)                       \
	((size) | (uint64_t)(write) << TESTDEV_LAST_WRITE_BIT | \
	 (uint64_t)(off) << TESTDEV_LAST_OFFSET_SHIFT)

/* Runs the instruction at CODE again, from the start. */
#define RERUN(...)                     \
	({                             \
		regs[VREG_RIP] = CODE; \
		RUN(__VA_ARGS__);      \
	})

Test(mmio, testdev_sees_one_access_per_instruction)
{
	v->gprs[GPR_RBX] = TESTDEV_BASE + 0x10;
	v->gprs[GPR_RAX] = 0x11223344;
	cr_assert_eq(RUN(0x89, 0x03), 0); /* mov %eax, (%ebx) */
	cr_expect_eq(dom.testdev.accesses, 1);
	cr_expect_eq(dom.testdev.last, TESTDEV_LAST_IS(4, 1, 0x10));
	cr_assert_eq(RERUN(0x0f, 0xb7, 0x4b, 0x02),
		     0); /* movzwl 2(%ebx),%ecx */
	cr_expect_eq(v->gprs[GPR_RCX], 0x1122);
	cr_expect_eq(dom.testdev.accesses, 2);
	cr_expect_eq(dom.testdev.last, TESTDEV_LAST_IS(2, 0, 0x12));
}

Test(mmio, testdev_access_across_the_register_file_end_is_split)
{
	v->gprs[GPR_RBX] = TESTDEV_BASE + 0xffe;
	v->gprs[GPR_RAX] = 0x11223344;
	cr_assert_eq(RUN(0x89, 0x03), 0); /* mov %eax, (%ebx) */
	cr_expect_eq(dom.testdev.accesses, 2,
		     "the control page's half "
		     "is not the register file");
	cr_expect_eq(dom.testdev.last, TESTDEV_LAST_IS(1, 1, 0xfff));
	cr_expect_eq(dom.testdev.regfile[0xffe], 0x44);
	cr_expect_eq(dom.testdev.regfile[0xfff], 0x33);
}

Test(mmio, testdev_refuses_an_access_across_its_end)
{
	const struct io_range *r = io_mmio_find(&dom, TESTDEV_BASE);
	uint64_t val = 0;

	cr_assert_not_null(r);
	cr_expect_eq(r->fn(&dom, r->opaque, TESTDEV_BASE + 0xffd, 4, true,
			   &val),
		     -E_RANGE);
	cr_expect_eq(dom.testdev.accesses, 0);
}

/* Reads control register reg as a 32-bit guest does: CMPXCHG8B. */
static uint64_t ctrl_read(unsigned reg)
{
	v->gprs[GPR_RSI] = TESTDEV_BASE + TESTDEV_CTRL + reg;
	v->gprs[GPR_RAX] = v->gprs[GPR_RDX] = 0;
	v->gprs[GPR_RBX] = v->gprs[GPR_RCX] = 0;
	cr_assert_eq(RERUN(0x0f, 0xc7, 0x0e), 0); /* cmpxchg8b (%esi) */
	return v->gprs[GPR_RAX] | v->gprs[GPR_RDX] << 32;
}

Test(mmio, testdev_control_registers)
{
	dom.nested.rom_writes = 7;
	dom.testdev.accesses = 5;
	cr_expect_eq(ctrl_read(TESTDEV_HOST_PAGES), dom.p2m.populated);
	cr_expect_eq(ctrl_read(TESTDEV_ROM_WRITES), 7);
	cr_expect_eq(ctrl_read(TESTDEV_ACCESSES), 5, "not counted");
	v->gprs[GPR_RSI] = TESTDEV_BASE + TESTDEV_CTRL + TESTDEV_ACCESSES;
	cr_assert_eq(RERUN(0x8b, 0x06), 0); /* mov (%esi), %eax */
	cr_expect_eq(v->gprs[GPR_RAX], 0, "4-byte reads give 0");
	v->gprs[GPR_RSI] = TESTDEV_BASE + TESTDEV_CTRL + TESTDEV_MAP_GPA;
	v->gprs[GPR_RBX] = 0x200000;
	v->gprs[GPR_RAX] = v->gprs[GPR_RDX] = v->gprs[GPR_RCX] = 0;
	cr_assert_eq(RERUN(0x0f, 0xc7, 0x0e), 0); /* cmpxchg8b (%esi) */
	cr_expect_eq(dom.testdev.map_gpa, 0x200000);
	cr_expect_eq(ctrl_read(TESTDEV_MAP_LEVEL), 0, "no nested tables");
	dom.nested.root = 0x1000;
	cr_expect_eq(ctrl_read(TESTDEV_MAP_LEVEL), 2 | TESTDEV_MAPPED_W);
	dom.nested.root = 0;
}

Test(mmio, instruction_the_emulator_cannot_run_crashes_with_its_bytes)
{
	static const uint8_t movdqa[] = { 0x66, 0x0f, 0x6f, 0x00 };

	v->gprs[GPR_RAX] = TESTDEV_BASE;
	put(CODE, movdqa, sizeof(movdqa));
	mmio_fault(v, io_mmio_find(&dom, TESTDEV_BASE), TESTDEV_BASE);
	cr_expect_eq(dom.state, DOMAIN_CRASHED);
	cr_expect_str_eq(dom.crash_reason,
			 "MMIO to testdev at 0xfe000000: cannot emulate "
			 "66 0f 6f 00");
	cr_expect_eq(regs[VREG_RIP], CODE);
	cr_expect_eq(dom.testdev.accesses, 0);
}

Test(mmio, emulated_mmio_does_not_crash)
{
	static const uint8_t mov[] = { 0x89, 0x00 } /* mov %eax, (%eax) */;

	v->gprs[GPR_RAX] = TESTDEV_BASE;
	put(CODE, mov, sizeof(mov));
	mmio_fault(v, io_mmio_find(&dom, TESTDEV_BASE), TESTDEV_BASE);
	cr_expect_eq(dom.state, DOMAIN_RUNNING);
	cr_expect_eq(regs[VREG_RIP], CODE + 2);
	cr_expect_eq(dom.testdev.accesses, 1);
}

/* The device model answers: v runs the instruction again. */
static int dm_answer(void)
{
	dm.answered = true;
	v->state = VCPU_RUNNABLE;
	return mmio_emulate(v);
}

Test(mmio, rep_insw_to_a_device_model_is_one_request)
{
	v->gprs[GPR_RDI] = 0x2000;
	v->gprs[GPR_RCX] = 5;
	v->gprs[GPR_RDX] = PORT_DM;
	cr_assert_eq(RUN(0xf3, 0x66, 0x6d), 0); /* rep insw */
	cr_expect_eq(v->state, VCPU_IOREQ);
	cr_expect_eq(dm.n, 1);
	cr_expect(dm.port == PORT_DM && dm.size == 2 && dm.count == 5,
		  "port 0x%x, %u bytes x %u", dm.port, dm.size, dm.count);
	cr_expect(dm.is_ptr && !dm.write && !dm.df && dm.gpa == 0x2000);
	cr_expect_eq(v->gprs[GPR_RCX], 5, "nothing done while it waits");
	cr_expect_eq(regs[VREG_RIP], CODE);
	cr_assert_eq(dm_answer(), 0);
	cr_expect_eq(dm.n, 1, "the answer completes it, no second request");
	cr_expect_eq(v->gprs[GPR_RCX], 0);
	cr_expect_eq(v->gprs[GPR_RDI], 0x200a);
	cr_expect_eq(regs[VREG_RIP], CODE + 3);
}

Test(mmio, device_model_string_stops_at_the_page_end)
{
	v->gprs[GPR_RSI] = 0x2ff8;
	v->gprs[GPR_RCX] = 10;
	v->gprs[GPR_RDX] = PORT_DM;
	cr_assert_eq(RUN(0xf3, 0x6f), 0); /* rep outsl */
	cr_expect(dm.count == 2 && dm.size == 4 && dm.write && dm.is_ptr,
		  "%u x %u", dm.count, dm.size);
	cr_assert_eq(dm_answer(), 0);
	cr_expect_eq(v->gprs[GPR_RCX], 8);
	cr_expect_eq(v->gprs[GPR_RSI], 0x3000);
	cr_expect_eq(regs[VREG_RIP], CODE, "the rest in the next page");
}

Test(mmio, device_model_string_backwards)
{
	regs[VREG_RFLAGS] |= X86_FLAGS_DF;
	v->gprs[GPR_RDI] = 0x3006;
	v->gprs[GPR_RCX] = 100;
	v->gprs[GPR_RDX] = PORT_DM;
	cr_assert_eq(RUN(0xf3, 0x66, 0x6d), 0); /* rep insw, DF=1 */
	cr_expect(dm.count == 4 && dm.df && dm.gpa == 0x3006, "%u from 0x%llx",
		  dm.count, (unsigned long long)dm.gpa);
	cr_assert_eq(dm_answer(), 0);
	cr_expect_eq(v->gprs[GPR_RCX], 96);
	cr_expect_eq(v->gprs[GPR_RDI], 0x2ffe);
}
