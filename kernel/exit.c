/*
 * exit.c - what the hypervisor does for each kind of exit (lab 3), the
 * backend's decoded v->exit dispatched through a const table.  Handlers
 * emulate the instruction and skip it, inject the fault the guest's own
 * CPU would have raised, or crash the domain: nothing a guest does may
 * panic the hypervisor.
 */
#include <inc/x86.h>
#include <kernel/kernel.h>
#include <kernel/domain.h>
#include <kernel/exit.h>
#include <kernel/mm/gmem.h>
#include <kernel/dev/mmio.h>
#include <kernel/dev/platform.h>
#include <kernel/bench.h>
#include <kernel/cpuid.h>
#include <kernel/msr.h>
#include <kernel/gdbstub.h>
#include <pv/hypercall.h>

/* Ends an emulated instruction: skipped, or #GP(0) when r refused it. */
static void exit_complete(struct vcpu *v, int r)
{
	if (r < 0)
		virt_inject_exception(v, T_GP, true, 0);
	else
		vcpu_skip_insn(v);
}

/* The 64-bit operand of WRMSR and XSETBV. */
static uint64_t exit_edx_eax(struct vcpu *v)
{
	return (uint32_t)v->gprs[GPR_RAX] | (v->gprs[GPR_RDX] << 32);
}

static void exit_cpuid(struct vcpu *v)
{
#if SOL >= 3
	cpuid_exec(v);
	vcpu_skip_insn(v);
#else
	/* LAB 3: your code here */
	panic("exit_cpuid: not implemented");
#endif
}

static void exit_msr_read(struct vcpu *v)
{
	uint64_t val;
	int r = msr_read(v, (uint32_t)v->gprs[GPR_RCX], &val);

	if (r == 0) {
		v->gprs[GPR_RAX] = (uint32_t)val;
		v->gprs[GPR_RDX] = val >> 32;
	}
	exit_complete(v, r);
}

static void exit_msr_write(struct vcpu *v)
{
	exit_complete(v, msr_write(v, (uint32_t)v->gprs[GPR_RCX],
				   exit_edx_eax(v)));
}

#if SOL >= 3
static void exit_io_simple(struct vcpu *v, const struct exit_io *io)
{
	uint64_t mask = ~0ULL >> (64 - 8 * io->size);
	uint64_t val = v->gprs[GPR_RAX] & mask;
	bool done;

	ioreq_insn_start(v);
	done = io_vcpu_port(v, io->port, io->size, !io->in, &val);
	ioreq_insn_end(v);
	if (!done)
		return;
	if (io->in && io->size == 4)
		v->gprs[GPR_RAX] = (uint32_t)val;
	else if (io->in)
		v->gprs[GPR_RAX] = (v->gprs[GPR_RAX] & ~mask) | (val & mask);
	vcpu_skip_insn(v);
}

/*
 * INS/OUTS, with or without REP, run by the x86 emulator (kernel/dev/mmio.c),
 * which takes the segment, the address size and the direction from the
 * instruction and RFLAGS.DF, and stops a long REP after a bounded number of
 * elements with RIP still on it: the guest executes it again for the rest.
 */
static void exit_io(struct vcpu *v)
{
	if (!v->exit.io.string)
		exit_io_simple(v, &v->exit.io);
	else if (mmio_emulate(v) == -E_NOT_SUPP)
		domain_crash(v->domain, v,
			     "%s at port 0x%x: cannot emulate the instruction",
			     v->exit.io.in ? "ins" : "outs", v->exit.io.port);
}
#else
static void exit_io(struct vcpu *v)
{
	/* LAB 3: your code here */
	panic("exit_io: not implemented");
}
#endif

/*
 * HLT waits for an interrupt: the vcpu's local APIC can raise one, a
 * device timer of the PC (platform_armed) can, or, in a domain with Xen's
 * ABI, an event (from any domain, at any time), and only with RFLAGS.IF
 * set can it be taken.  Otherwise nothing will ever wake the only vcpu
 * of a domain, and its domain is over; another vcpu may still send an
 * IPI, an NMI or INIT.
 */
static void exit_hlt(struct vcpu *v)
{
	vcpu_skip_insn(v);
	if (v->domain->nvcpus > 1)
		v->state = VCPU_HALTED;
	else if (!(virt_reg_read(v, VREG_RFLAGS) & X86_FLAGS_IF))
		domain_crash(v->domain, v,
			     "vcpu %d halted with interrupts disabled", v->id);
	else if (!vlapic_can_wake(v) && !v->domain->pv.on &&
		 !platform_armed(v->domain))
		domain_crash(v->domain, v,
			     "vcpu %d halted with no interrupt source armed",
			     v->id);
	else
		v->state = VCPU_HALTED;
}

/* A new CR0 value, checked as MOV to CR0 would (SDM 3A 2.5, APM 2 3.1.1). */
static int exit_cr0_write(struct vcpu *v, uint64_t val)
{
	uint64_t efer = virt_reg_read(v, VREG_EFER);
	uint64_t old = virt_reg_read(v, VREG_CR0);

	if ((val >> 32) || ((val & CR0_PG) && !(val & CR0_PE)) ||
	    ((val & CR0_NW) && !(val & CR0_CD)))
		return -E_INVAL;
	if ((val & CR0_PG) && !(old & CR0_PG) && (efer & EFER_LME)) {
		if (!(virt_reg_read(v, VREG_CR4) & CR4_PAE))
			return -E_INVAL;
		efer |= EFER_LMA;
	}
	if (!(val & CR0_PG) && (old & CR0_PG) && (efer & EFER_LMA)) {
		if (vcpu_long_mode(v))
			return -E_INVAL;
		efer &= ~EFER_LMA;
	}
	virt_reg_write(v, VREG_EFER, efer);
	virt_reg_write(v, VREG_CR0, val | CR0_ET);
	return 0;
}

static int exit_cr4_write(struct vcpu *v, uint64_t val)
{
	bool lma = virt_reg_read(v, VREG_EFER) & EFER_LMA;
	uint64_t allowed = cpuid_cr4_allowed() |
			   (xstate_guest_mask() ? CR4_OSXSAVE : 0);

	/* Shadow roots are not tagged by PCID (kernel/cpuid.c hides it). */
	if (v->domain->shadow.on)
		allowed &= ~CR4_PCIDE;

	if ((val & ~allowed) || (lma && !(val & CR4_PAE)) ||
	    (!lma && (val & CR4_PCIDE)))
		return -E_INVAL;
	virt_reg_write(v, VREG_CR4, val);
	return 0;
}

/* The value a CR-writing instruction stores, from its operands. */
static uint64_t exit_cr_value(struct vcpu *v, const struct exit_cr *x)
{
	uint64_t cr0 = virt_reg_read(v, VREG_CR0);
	uint64_t src = v->gprs[x->gpr];

	switch (x->op) {
	case CR_OP_CLTS: return cr0 & ~CR0_TS;
	case CR_OP_LMSW: /* LMSW sets PE but never clears it */
		return (cr0 & ~0xfULL) | (src & 0xf) | (cr0 & CR0_PE);
	default: return vcpu_long_mode(v) ? src : (uint32_t)src;
	}
}

/*
 * MOV to CR3 (shadow paging only): in 64-bit mode the bits above the
 * guest's MAXPHYADDR are reserved (SDM 3A 4.5); elsewhere the upper half
 * was dropped with the operand.
 */
static int exit_cr3_write(struct vcpu *v, uint64_t val)
{
	if (vcpu_long_mode(v) && (val >> v->domain->shadow.maxphyaddr))
		return -E_INVAL;
	virt_reg_write(v, VREG_CR3, val);
	return 0;
}

/* MOV from CRn: the value the guest wrote (shadow paging keeps it). */
static void exit_cr_read(struct vcpu *v, const struct exit_cr *x)
{
	uint64_t val;

	if (x->cr != 0 && x->cr != 3 && x->cr != 4) {
		domain_crash(v->domain, v, "unexpected read of CR%d", x->cr);
		return;
	}
	val = virt_reg_read(v, x->cr == 0 ? VREG_CR0 :
			       x->cr == 3 ? VREG_CR3 :
					    VREG_CR4);
	v->gprs[x->gpr] = vcpu_long_mode(v) ? val : (uint32_t)val;
	vcpu_skip_insn(v);
}

static void exit_cr_access(struct vcpu *v)
{
	const struct exit_cr *x = &v->exit.cr;
	int r;

	if (!x->write) {
		exit_cr_read(v, x);
		return;
	}
	if (x->cr == 0)
		r = exit_cr0_write(v, exit_cr_value(v, x));
	else if (x->cr == 3 && v->domain->shadow.on)
		r = exit_cr3_write(v, exit_cr_value(v, x));
	else if (x->cr == 4)
		r = exit_cr4_write(v, exit_cr_value(v, x));
	else
		r = -E_NOT_SUPP;
	if (r == -E_NOT_SUPP)
		domain_crash(v->domain, v, "unexpected write to CR%d", x->cr);
	else
		exit_complete(v, r);
}

static void exit_shutdown(struct vcpu *v)
{
	domain_crash(v->domain, v, "triple fault");
}

void exit_gpa_fault(struct vcpu *v)
{
	const struct exit_gpa_fault *f = &v->exit.gpa;
	const struct io_range *r = io_mmio_find(v->domain, f->gpa);
	const char *what = f->fetch ? "fetch" : f->write ? "write" : "read";

	if (r)
		mmio_fault(v, r, f->gpa);
	else
		domain_crash(v->domain, v,
			     "%s at 0x%llx outside guest memory (%llu MiB)",
			     what, (unsigned long long)f->gpa,
			     (unsigned long long)(p2m_size(&v->domain->p2m) /
						  MiB));
}

/* Shadow paging (kernel/mm/shadow.c): a guest #PF and INVLPG. */
static void exit_page_fault(struct vcpu *v)
{
	shadow_page_fault(v, v->exit.pf.la, v->exit.pf.error);
}

static void exit_invlpg(struct vcpu *v)
{
	shadow_invlpg(v, v->exit.invlpg_la);
	vcpu_skip_insn(v);
}

/* The host took its interrupt after the exit; the scheduler decides. */
static void exit_intr(struct vcpu *v)
{
}

static void exit_invalid_insn(struct vcpu *v)
{
	virt_inject_exception(v, T_UD, false, 0);
}

/*
 * XSETBV (SDM 2B): #UD without CR4.OSXSAVE, #GP(0) outside ring 0 or for
 * an XCR0 value the CPU, or hvlab's policy, refuses.
 */
static void exit_xsetbv(struct vcpu *v)
{
	if (!(virt_reg_read(v, VREG_CR4) & CR4_OSXSAVE))
		virt_inject_exception(v, T_UD, false, 0);
	else if (virt_reg_read(v, VREG_CPL) != 0)
		exit_complete(v, -E_INVAL);
	else
		exit_complete(v, xstate_xsetbv(v, (uint32_t)v->gprs[GPR_RCX],
					       exit_edx_eax(v)));
}

static void exit_entry_fail(struct vcpu *v)
{
	domain_crash(v->domain, v, "VM entry refused the guest state");
}

static void exit_unknown(struct vcpu *v)
{
	domain_crash(v->domain, v, "unhandled exit 0x%llx (info 0x%llx 0x%llx)",
		     (unsigned long long)v->exit.hw_code,
		     (unsigned long long)v->exit.hw_info1,
		     (unsigned long long)v->exit.hw_info2);
}

/* Each kind's handler, and its name for logs and statistics. */
static const struct {
	void (*fn)(struct vcpu *v);
	const char *name;
} exit_kinds[EXIT_NKINDS] = {
	[EXIT_CPUID] = { exit_cpuid, "cpuid" },
	[EXIT_IO] = { exit_io, "io" },
	[EXIT_MSR_READ] = { exit_msr_read, "rdmsr" },
	[EXIT_MSR_WRITE] = { exit_msr_write, "wrmsr" },
	[EXIT_HLT] = { exit_hlt, "hlt" },
	[EXIT_HYPERCALL] = { hypercall_dispatch,
			     "hypercall" }, /* pv/hypercall.c */
	[EXIT_CR_ACCESS] = { exit_cr_access, "cr" },
	[EXIT_SHUTDOWN] = { exit_shutdown, "shutdown" },
	[EXIT_GPA_FAULT] = { nested_fault, "gpa-fault" },
	[EXIT_PAGE_FAULT] = { exit_page_fault, "page-fault" },
	[EXIT_INVLPG] = { exit_invlpg, "invlpg" },
	[EXIT_INTR] = { exit_intr, "intr" },
	[EXIT_INVALID_INSN] = { exit_invalid_insn, "invalid-insn" },
	[EXIT_ENTRY_FAIL] = { exit_entry_fail, "entry-fail" },
	[EXIT_XSETBV] = { exit_xsetbv, "xsetbv" },
	[EXIT_DEBUG] = { gdbstub_exit, "debug" }, /* kernel/gdbstub.c */
	[EXIT_UNKNOWN] = { exit_unknown, "unknown" },
};

const char *exit_kind_name(enum exit_kind k)
{
	return (unsigned)k < EXIT_NKINDS && exit_kinds[k].name ?
		       exit_kinds[k].name :
		       "?";
}

void exit_dispatch(struct vcpu *v)
{
	enum exit_kind k = v->exit.kind;

	if ((unsigned)k >= EXIT_NKINDS || !exit_kinds[k].fn)
		panic("exit_dispatch: backend gave exit kind %d", k);
	v->nexits++;
	v->domain->exits_by_kind[k]++;
	bench_exit(v, k);
	exit_kinds[k].fn(v);
}
