/*
 * te.c - the trap-and-emulate backend's entry points (labs 2 and 4): probe,
 * the world switch around te_enter, register access and the ops table;
 * svm/svm.c and vmx/vmx.c are its hardware-assisted counterparts.  The
 * guest runs at CPL 3 with IOPL 0 on the hypervisor's user segments,
 * under the root kernel/mm/shadow.c gives it, with host interrupts
 * enabled, so the preemption timer ends its slice like any trap.
 */
#include <inc/memlayout.h>
#include <inc/mmu.h>
#include <inc/multiboot.h>
#include <inc/public/te.h>
#include <inc/x86.h>
#include <kernel/kernel.h>
#include <kernel/cpuid.h>
#include <kernel/domain.h>
#include <kernel/gdt.h>
#include <kernel/mm/shadow.h>
#include <kernel/mm/vm.h>
#include <kernel/preempt.h>
#include <te/te.h>

/* RFLAGS bits the guest holds in hardware; IF and IOPL stay the host's. */
#define TE_RFLAGS_HW (X86_FLAGS_ARITH | X86_FLAGS_DF | X86_FLAGS_ID)

_Static_assert(TE_BOOT_MAGIC == MB_BOOT_MAGIC, "te.h boot magic");

/* struct trapframe's register order (kernel/trap.h). */
static const uint8_t te_tf_order[15] = {
	GPR_R15, GPR_R14, GPR_R13, GPR_R12, GPR_R11, GPR_R10, GPR_R9,  GPR_R8,
	GPR_RBP, GPR_RDI, GPR_RSI, GPR_RDX, GPR_RCX, GPR_RBX, GPR_RAX,
};

static bool te_umip_on;
static uint8_t te_trap_stack[KSTACK_SIZE] __attribute__((aligned(16)));

bool te_umip(void)
{
	return te_umip_on;
}

/*
 * UMIP (SDM 3A 2.5, CR4 bit 11) makes SGDT, SIDT, SMSW, SLDT and STR
 * fault at CPL > 0, so they can be emulated.  "te_umip=0" on the boot
 * command line leaves it off to show what they reveal without it.
 */
static int te_cpu_enable(void)
{
	const char *arg = cmdline_get("te_umip");
	bool has = cpuid_cr4_allowed() & CR4_UMIP;

	te_umip_on = has && !(arg && strcmp(arg, "0") == 0);
	if (te_umip_on)
		write_cr4(read_cr4() | CR4_UMIP);
	cprintf("te: trap-and-emulate, UMIP %s\n",
		te_umip_on ? "on" :
		has	   ? "off (te_umip=0)" :
			     "not supported by this CPU");
	return 0;
}

/* The Multiboot information inc/public/te.h promises, from the config. */
static int te_write_boot_info(struct domain *d)
{
	const char *extra = d->config->extra;
	uint32_t mbi[8] = { MBI_CMDLINE, 0, 0, 0, TE_BOOT_INFO + 0x100 };
	int r;

	r = p2m_write(&d->p2m, TE_BOOT_INFO, mbi, sizeof(mbi));
	if (r == 0)
		r = p2m_write(&d->p2m, TE_BOOT_INFO + 0x100, extra,
			      strlen(extra) + 1);
	return r;
}

/*
 * The core gives every te domain shadow paging (kernel/mm/shadow.h): with
 * paging off its identity root maps guest RAM for CPL 3, as te guests
 * have always seen it.
 */
static int te_domain_init(struct domain *d)
{
	int r;

	if (d->nvcpus != 1)
		return -E_NOT_SUPP;
	/* A pv domain's builder wrote its start_info (kernel/load/image_pv.c). */
	r = d->pv.on ? 0 : te_write_boot_info(d);
	if (r == 0)
		r = te_pv_init(d);
	return r;
}

static int te_vcpu_init(struct vcpu *v)
{
	memset(&v->arch.te, 0, sizeof(v->arch.te));
	return 0;
}

static void te_vcpu_destroy(struct vcpu *v)
{
}

/*
 * The boot protocol of inc/public/te.h on top of the loader's long-mode
 * state: paging off, virtual = physical.  CR4.PAE, EFER.LME and CR3 (the
 * loader's identity tables) stay, so setting CR0.PG turns 4-level paging
 * on as it does on a CPU entering long mode.  A pv domain keeps the
 * registers its builder set (RSI = start_info).
 */
static void te_boot(struct vcpu *v)
{
	virt_reg_write(v, VREG_CR0, virt_reg_read(v, VREG_CR0) & ~CR0_PG);
	virt_reg_write(v, VREG_EFER, virt_reg_read(v, VREG_EFER) & ~EFER_LMA);
	if (!v->domain->pv.on) {
		v->gprs[GPR_RDI] = TE_BOOT_MAGIC;
		v->gprs[GPR_RSI] = TE_BOOT_INFO;
	}
	v->arch.te.booted = true;
}

/* Enters the guest once; returns with its registers and trap saved. */
static void te_world_switch(struct vcpu *v)
{
	struct te_vcpu *t = &v->arch.te;
	uint64_t rsp0 = kern_tss.rsp[0];
	uint64_t *tfregs = &t->tf.r15;
	int i;

	for (i = 0; i < 15; i++)
		tfregs[i] = v->gprs[te_tf_order[i]];
	t->tf.rsp = v->gprs[GPR_RSP];
	t->tf.rip = t->vregs[VREG_RIP];
	t->tf.cs = GD_UT | 3;
	t->tf.ss = GD_UD | 3;
	t->tf.rflags = (t->vregs[VREG_RFLAGS] & TE_RFLAGS_HW) | X86_FLAGS_IF |
		       X86_FLAGS_FIXED;
	/* GDB's single step (kernel/virt.h): TF never reaches vregs. */
	if (v->debug & VIRT_DEBUG_STEP)
		t->tf.rflags |= X86_FLAGS_TF;
	/* A trap from CPL 3 lands on TSS.RSP0: never the live host stack. */
	kern_tss.rsp[0] = (uint64_t)te_trap_stack + sizeof(te_trap_stack);
	if (!t->root)
		panic("te_world_switch: %s has no shadow root",
		      v->domain->name);
	vm_switch(t->root);
	te_current = v;
	/* GDB's hardware breakpoints, at guest addresses the host never runs. */
	if (v->debug && (t->vregs[VREG_DR7] & DR7_ENABLES))
		write_dr7(t->vregs[VREG_DR7]);
	te_enter(&t->tf);
	if (v->debug && (t->vregs[VREG_DR7] & DR7_ENABLES))
		write_dr7(DR7_RESET);
	te_current = NULL;
	vm_switch(kern_pml4);
	kern_tss.rsp[0] = rsp0;
	for (i = 0; i < 15; i++)
		v->gprs[te_tf_order[i]] = tfregs[i];
	v->gprs[GPR_RSP] = t->tf.rsp;
	t->vregs[VREG_RIP] = t->tf.rip;
	t->vregs[VREG_RFLAGS] = (t->tf.rflags & TE_RFLAGS_HW) |
				X86_FLAGS_FIXED |
				(t->vregs[VREG_RFLAGS] & X86_FLAGS_IF);
}

/* Host idle until the next host interrupt (the preemption tick). */
static void te_idle(void)
{
	__asm__ volatile("sti; hlt; cli" : : : "memory");
}

/*
 * Runs the guest until something needs the core: an exit for
 * kernel/exit.c, a host interrupt, or the domain's end.  Traps te/ emulates
 * or reflects by itself re-enter the guest at once.
 */
static void te_vcpu_run(struct vcpu *v)
{
	struct te_vcpu *t = &v->arch.te;

	if (!t->booted)
		te_boot(v);
	memset(&v->exit, 0, sizeof(v->exit));
	for (;;) {
		uint64_t n = preempt_tick_count();

		if (n != t->ticks_seen && t->timer_on)
			t->timer_pending = true;
		t->ticks_seen = n;
		if (t->halted && !t->timer_pending && pv_upcall_vector(v) < 0) {
			te_idle();
			v->exit.kind = EXIT_INTR;
			return;
		}
		if (!te_deliver(v)) {
			v->exit.kind = EXIT_SHUTDOWN;
			return;
		}
		te_world_switch(v);
		if (!te_handle_trap(v))
			return;
		/* An emulated OUT may have ended the domain (port 0xf4). */
		if (v->state != VCPU_RUNNABLE) {
			v->exit.kind = EXIT_INTR;
			return;
		}
	}
}

/* te emulates STI and MOV SS without an interrupt shadow: it reads 0. */
static uint64_t te_reg_read(struct vcpu *v, enum vreg r)
{
	if ((unsigned)r >= VREG_COUNT)
		panic("te_reg_read: register %d", r);
	return r == VREG_INTR_SHADOW ? 0 : v->arch.te.vregs[r];
}

static void te_reg_write(struct vcpu *v, enum vreg r, uint64_t val)
{
	if ((unsigned)r >= VREG_COUNT)
		panic("te_reg_write: register %d", r);
	if (r == VREG_RFLAGS)
		val = (val & (TE_RFLAGS_HW | X86_FLAGS_IF)) | X86_FLAGS_FIXED;
	v->arch.te.vregs[r] = val;
	/* Ring compression: guest user mode may not reach supervisor pages. */
	if (r == VREG_CPL)
		shadow_set_user_view(v, val == 3);
}

static void te_seg_read(struct vcpu *v, enum vseg s, struct vseg_desc *out)
{
	if ((unsigned)s >= VSEG_COUNT)
		panic("te_seg_read: segment %d", s);
	*out = v->arch.te.segs[s];
}

static void te_seg_write(struct vcpu *v, enum vseg s,
			 const struct vseg_desc *in)
{
	if ((unsigned)s >= VSEG_COUNT)
		panic("te_seg_write: segment %d", s);
	v->arch.te.segs[s] = *in;
}

static void te_inject_event(struct vcpu *v, const struct virt_event *ev)
{
	v->arch.te.event = *ev;
	v->arch.te.event_valid = true;
	v->arch.te.event_seen = true;
}

static bool te_take_event(struct vcpu *v, struct virt_event *ev)
{
	if (!v->arch.te.event_valid)
		return false;
	*ev = v->arch.te.event;
	v->arch.te.event_valid = false;
	return true;
}

/*
 * The guest's CR0, CR3, CR4 and EFER are the shadow's (virt_reg_read);
 * of the hardware values te needs only CR3, the shadow root, since the
 * guest runs on the host's CR0, CR4 and EFER.
 */
static void te_load_paging(struct vcpu *v, const struct paging_regs *guest,
			   const struct paging_regs *hw)
{
	v->arch.te.root = hw->cr3;
}

/*
 * te_world_switch loads CR3 at every entry, which drops every
 * translation of the guest: the shadow sets no global bit in te roots.
 */
static void te_flush_tlb(struct vcpu *v)
{
}

/*
 * The host trap is what the guest did; the event is what te made of it
 * for the guest (a #GP(sel) from LTR, say), queued or last delivered.
 */
static void te_dump(struct vcpu *v)
{
	const struct te_vcpu *t = &v->arch.te;

	cprintf("te: vcpu %d rip=%016llx rflags=%016llx (virtual IF %d) "
		"last host trap %llu err=0x%llx\n",
		v->id, (unsigned long long)t->vregs[VREG_RIP],
		(unsigned long long)t->vregs[VREG_RFLAGS],
		!!(t->vregs[VREG_RFLAGS] & X86_FLAGS_IF),
		(unsigned long long)t->tf.trapno,
		(unsigned long long)t->tf.err);
	if (t->event_seen && t->event.has_error)
		cprintf("  %s for the guest: vector %u err=0x%x\n",
			t->event_valid ? "queued" : "last event",
			t->event.vector, t->event.error);
	else if (t->event_seen)
		cprintf("  %s for the guest: vector %u\n",
			t->event_valid ? "queued" : "last event",
			t->event.vector);
	cprintf("  virtual cpl %llu cr0=%llx cr3=%llx cr4=%llx efer=%llx "
		"idtr=%llx/%x; shadow root %llx\n",
		(unsigned long long)t->vregs[VREG_CPL],
		(unsigned long long)virt_reg_read(v, VREG_CR0),
		(unsigned long long)virt_reg_read(v, VREG_CR3),
		(unsigned long long)virt_reg_read(v, VREG_CR4),
		(unsigned long long)virt_reg_read(v, VREG_EFER),
		(unsigned long long)t->segs[VSEG_IDTR].base,
		t->segs[VSEG_IDTR].limit, (unsigned long long)t->root);
}

static const struct virt_ops te_virt_ops = {
	.name = "te",
	.cpu_enable = te_cpu_enable,
	.domain_init = te_domain_init,
	.vcpu_init = te_vcpu_init,
	.vcpu_destroy = te_vcpu_destroy,
	.vcpu_run = te_vcpu_run,
	.reg_read = te_reg_read,
	.reg_write = te_reg_write,
	.seg_read = te_seg_read,
	.seg_write = te_seg_write,
	.inject_event = te_inject_event,
	.take_event = te_take_event,
	.load_paging = te_load_paging,
	.flush_tlb = te_flush_tlb,
	.dump = te_dump,
};

/* Needs nothing of the CPU: any x86-64 runs te guests. */
const struct virt_ops *te_ops(void)
{
	static bool enabled;

	if (!enabled) {
		te_cpu_enable();
		trap_set_user_handler(te_trap);
		enabled = true;
	}
	return &te_virt_ops;
}
