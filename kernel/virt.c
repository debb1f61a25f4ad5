/*
 * virt.c - backend selection and the wrappers through which the core
 * reaches the backend's struct virt_ops (lab 3).  Each domain has its own
 * backend (domain->ops): the hardware one, or te/ for type "te" (lab 2).
 */
#include <inc/x86.h>
#include <kernel/kernel.h>
#include <kernel/domain.h>
#include <kernel/bench.h>
#include <kernel/dev/platform.h>
#include <kernel/preempt.h>
#include <kernel/trap.h>
#include <kernel/virt.h>
#include <kernel/mm/shadow.h>

#if LAB >= 3
/* VT-x on an Intel CPU, else SVM (CPUID leaf 0's vendor), if enabled. */
static const struct virt_ops *virt_init(void)
{
	struct cpuid_regs r = cpuid(0, 0);
	bool intel = r.ebx == 0x756e6547 && r.edx == 0x49656e69 &&
		     r.ecx == 0x6c65746e; /* "GenuineIntel" */
	const struct virt_ops *ops = intel ? vmx_probe() : svm_probe();
	int err;

	if (!ops) {
		cprintf("virt: no usable hardware virtualization\n");
		return NULL;
	}
	err = ops->cpu_enable();
	if (err < 0) {
		cprintf("virt: enabling %s failed: %s\n", ops->name,
			error_name(err));
		return NULL;
	}
	cprintf("virt: using %s\n", ops->name);
	return ops;
}
#endif

const struct virt_ops *virt_hw(void)
{
	static const struct virt_ops *virt;
#if LAB >= 3
	static bool tried;

	if (!tried) {
		tried = true;
		virt = virt_init();
	}
#endif
	return virt;
}

void virt_vcpu_run(struct vcpu *v)
{
	v->domain->ops->vcpu_run(v);
}

uint64_t virt_world_ops;

/* Whether the slice about to begin keeps the guest's state loaded:
 * never with exit_state=eager (the slow path), every other slice with
 * exit_state=alternate (for kernel/bench.c's comparison), else always.
 * The command line is read at the first slice. */
static bool virt_slice_lazy(void)
{
	static const char *mode;
	static bool lazy;

	if (!mode) {
		mode = cmdline_get("exit_state");
		if (!mode) {
			mode = "lazy";
		} else if (strcmp(mode, "eager") && strcmp(mode, "alternate")) {
			cprintf("virt: exit_state=%s: want eager or alternate; "
				"lazy\n",
				mode);
			mode = "lazy";
		}
	}
	if (!strcmp(mode, "alternate"))
		return lazy = !lazy;
	return strcmp(mode, "eager") != 0;
}

/* Lab 8: the policy sets v->lazy_state for the backend's slice op, which
 * clears it if it keeps no state loaded; bench_slice counts the world
 * switch's work in between. */
void virt_slice(struct vcpu *v, bool in)
{
	const struct virt_ops *ops = v->domain->ops;

	if (!ops->slice)
		return;
	if (in) {
		bench_slice(v, true);
		v->lazy_state = virt_slice_lazy();
		ops->slice(v, true);
		return;
	}
	ops->slice(v, false);
	bench_slice(v, false);
	v->lazy_state = false;
}

void virt_seg_write(struct vcpu *v, enum vseg s, const struct vseg_desc *in)
{
	v->domain->ops->seg_write(v, s, in);
}

void virt_inject_event(struct vcpu *v, const struct virt_event *ev)
{
	v->domain->ops->inject_event(v, ev);
}

bool virt_take_event(struct vcpu *v, struct virt_event *ev)
{
	return v->domain->ops->take_event(v, ev);
}

void virt_load_paging(struct vcpu *v, const struct paging_regs *guest,
		      const struct paging_regs *hw)
{
	v->domain->ops->load_paging(v, guest, hw);
}

void virt_flush_tlb(struct vcpu *v)
{
	v->domain->ops->flush_tlb(v);
}

int virt_bench_cpuid(struct vcpu *v, uint8_t len)
{
	if (!v->domain->ops->bench_cpuid)
		return -1;
	return v->domain->ops->bench_cpuid(v, len);
}

/* The backend's own dump, then the segments and general registers. */
void virt_dump(struct vcpu *v)
{
	static const char *const names[VSEG_COUNT] = {
		"es", "cs",   "ss",   "ds",   "fs",
		"gs", "gdtr", "ldtr", "idtr", "tr",
	};
	struct vseg_desc d;
	enum vseg s;

	v->domain->ops->dump(v);
	for (s = 0; s < VSEG_COUNT; s++) {
		virt_seg_read(v, s, &d);
		cprintf("  %-4s sel %04x attr %03x limit %08x base %016llx\n",
			names[s], d.sel, d.attr, d.limit,
			(unsigned long long)d.base);
	}
	trap_print_gprs(v->gprs);
}

/*
 * A vcpu's state after RESET (SDM 3A 10.1.1 table 10-1 "IA-32 Processor
 * States Following Power-up, Reset, or INIT"; APM vol. 2 14.1.3 table
 * 14-1), one for both vendors.
 */
void virt_vcpu_reset(struct vcpu *v)
{
	static const uint64_t regs[VREG_COUNT] = {
		[VREG_RIP] = RIP_RESET, [VREG_RFLAGS] = RFLAGS_RESET,
		[VREG_CR0] = CR0_RESET, [VREG_PAT] = PAT_RESET,
		[VREG_DR7] = DR7_RESET,
		/* CR2-CR4, EFER, the SYSCALL/SYSENTER MSRs and CPL: 0 */
	};
	static const struct vseg_desc segs[VSEG_COUNT] = {
		[VSEG_CS] = { 0xf000, 0x09b, 0xffff, 0xffff0000 },
		[VSEG_DS] = { 0, 0x093, 0xffff, 0 },
		[VSEG_ES] = { 0, 0x093, 0xffff, 0 },
		[VSEG_SS] = { 0, 0x093, 0xffff, 0 },
		[VSEG_FS] = { 0, 0x093, 0xffff, 0 },
		[VSEG_GS] = { 0, 0x093, 0xffff, 0 },
		[VSEG_GDTR] = { 0, 0, 0xffff, 0 },
		[VSEG_IDTR] = { 0, 0, 0xffff, 0 },
		[VSEG_LDTR] = { 0, 0x082, 0xffff, 0 },
		[VSEG_TR] = { 0, 0x08b, 0xffff, 0 },
	};
	enum vseg s;
	enum vreg r;

	for (s = 0; s < VSEG_COUNT; s++)
		virt_seg_write(v, s, &segs[s]);
	for (r = 0; r < VREG_COUNT; r++)
		virt_reg_write(v, r, regs[r]);
}

void virt_inject_exception(struct vcpu *v, uint8_t vector, bool has_error,
			   uint32_t error)
{
	struct virt_event ev = { .vector = vector,
				 .type = EVENT_EXCEPTION,
				 .has_error = has_error,
				 .error = error };

	virt_inject_event(v, &ev);
}

/* The guest's next timer event, its local APIC's or its devices': the
 * host's timer makes v exit then, so that it is delivered in time. */
static void virt_arm_timer(struct vcpu *v)
{
	uint64_t t = v->lapic.deadline, dev;

	if (v->domain->type == DOMAIN_HVM &&
	    (dev = platform_next_event(v->domain)))
		t = t ? MIN(t, dev) : dev;
	preempt_arm(t);
}

static unsigned virt_deliver(struct vcpu *v, bool event_queued)
{
	struct virt_event ev = { .type = EVENT_EXTINT };
	unsigned window = 0;
	int vec;

	/* An instruction whose device access a device model answered runs
	 * again before any interrupt, as in Xen: a handler that used the
	 * device would otherwise come first and take the answer. */
	if (event_queued || v->pv.ioreq_ndone)
		return 0;
	if (v->domain->type == DOMAIN_HVM)
		platform_poll(v->domain);
	/* Most exits have nothing to deliver: no register is read then. */
	if (!v->lapic.nmi && !vlapic_pending(v) && pv_upcall_vector(v) < 0)
		return 0;
	/* VM entry refuses an NMI in a MOV SS shadow or under virtual-NMI
	 * blocking (SDM 3C 26.3.1.5); it waits for the NMI window. */
	if (v->lapic.nmi && (virt_reg_read(v, VREG_INTR_SHADOW) ||
			     virt_reg_read(v, VREG_NMI_BLOCKED)))
		window = VIRT_WINDOW_NMI;
	else if (vlapic_take_nmi(v)) {
		ev.type = EVENT_NMI;
		ev.vector = T_NMI;
		virt_inject_event(v, &ev);
		return vlapic_pending(v) ? VIRT_WINDOW_INTR : 0;
	}
	if (!(virt_reg_read(v, VREG_RFLAGS) & X86_FLAGS_IF) ||
	    virt_reg_read(v, VREG_INTR_SHADOW))
		return window | (pv_upcall_vector(v) >= 0 || vlapic_pending(v) ?
					 VIRT_WINDOW_INTR :
					 0);
	vec = vlapic_take_interrupt(v);
	if (vec < 0)
		vec = pv_upcall_vector(v);
	if (vec < 0)
		return window;
	ev.vector = (uint8_t)vec;
	virt_inject_event(v, &ev);
	return window;
}

unsigned virt_deliver_interrupt(struct vcpu *v, bool event_queued)
{
	unsigned window = virt_deliver(v, event_queued);

	virt_arm_timer(v);
	return window;
}
