/*
 * preempt.c - the preemption timer (labs 2 and 3): the local APIC timer
 * (SDM 3A 10.5.4 "APIC Timer") ticks every period, so a guest that spins
 * without ever exiting still gives the CPU back.
 *
 * A tick while a guest runs makes it exit (SVM's INTR intercept, VT-x's
 * external-interrupt exiting) and the host takes the interrupt itself.
 * The timer runs one-shot, set for the next tick or, when sooner, for
 * what preempt_arm asks: a guest timer due mid-slice must make it exit
 * then, or a guest that counts its timer interrupts while it spins (Linux
 * timing its APIC timer against the PIT) sees time pass at the tick's
 * rate.  The spurious vector is 255 (SDM 3A 10.9 advises low bits all
 * ones); the 8259 PICs are masked so that no firmware interrupt source
 * reaches a vector without a handler.
 */
#include <inc/apic.h>
#include <inc/x86.h>
#include <kernel/kernel.h>
#include <kernel/clock.h>
#include <kernel/domain.h>
#include <kernel/mm/page.h>
#include <kernel/trap.h>
#include <kernel/mm/vm.h>
#include <kernel/preempt.h>

#define PREEMPT_VECTOR	     32
#define PREEMPT_SPURIOUS     255
#define PREEMPT_CALIBRATE_US 1000

static volatile uint32_t *preempt_apic; /* xAPIC registers, or NULL */
static bool preempt_x2apic;
static uint64_t preempt_ticks;
static uint32_t preempt_count;	/* timer counts per period; 0: no timer */
static uint64_t preempt_period; /* TSC ticks per period */
static uint64_t preempt_next;	/* TSC of the next tick */
static uint64_t preempt_event;	/* TSC preempt_arm asked for; 0: none */
static uint64_t preempt_target; /* TSC the one-shot is set for */

static void apic_write(uint32_t reg, uint32_t val)
{
	if (preempt_x2apic)
		wrmsr(0x800 + (reg >> 4), val);
	else
		preempt_apic[reg / 4] = val;
}

static uint32_t apic_read(uint32_t reg)
{
	if (preempt_x2apic)
		return (uint32_t)rdmsr(0x800 + (reg >> 4));
	return preempt_apic[reg / 4];
}

/* Sets the one-shot for the next tick or the event asked for, whichever
 * comes first, rounding up (at once if it has passed). */
static void preempt_set(void)
{
	uint64_t now = rdtsc(), tsc = preempt_next, t;

	if (preempt_event && preempt_event < tsc)
		tsc = preempt_event;
	t = tsc > now ? MIN(tsc - now, preempt_period) : 0;
	preempt_target = tsc;
	apic_write(APIC_TMICT,
		   (uint32_t)MAX(1, (t * preempt_count + preempt_period - 1) /
					    preempt_period));
}

/* A one-shot ended: a tick if the period is up, and the next one set. */
static void preempt_tick(struct trapframe *tf)
{
	uint64_t now = rdtsc();

	if (now >= preempt_next) {
		preempt_ticks++;
		preempt_next = MAX(preempt_next + preempt_period, now + 1);
	}
	if (preempt_event <= now)
		preempt_event = 0; /* its exit has come */
	apic_write(APIC_EOI, 0);
	preempt_set();
}

static void preempt_spurious(struct trapframe *tf)
{
}

/* Maps the xAPIC page uncached into the direct map; 0 or -E_*. */
static int preempt_map_apic(hpa_t pa)
{
	uint64_t va = (uint64_t)(uintptr_t)kva(pa);
	int r = vm_map(kern_pml4, va, pa, PAGE_SIZE,
		       PTE_W | PTE_PCD | PTE_PWT | PTE_NX);

	if (r < 0 && r != -E_EXISTS)
		return r;
	preempt_apic = (volatile uint32_t *)va;
	return 0;
}

/* APIC timer counts (divided by 16) per period_us microseconds. */
static uint32_t preempt_calibrate(uint64_t period_us)
{
	uint32_t elapsed;

	apic_write(APIC_TDCR, APIC_TDCR_DIV16);
	apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED);
	apic_write(APIC_TMICT, 0xffffffff);
	clock_udelay(PREEMPT_CALIBRATE_US);
	elapsed = 0xffffffff - apic_read(APIC_TMCCT);
	apic_write(APIC_TMICT, 0);
	return (uint32_t)MAX(1, (uint64_t)elapsed * period_us /
					PREEMPT_CALIBRATE_US);
}

int preempt_init(uint64_t period_us)
{
	uint64_t base = rdmsr(MSR_IA32_APIC_BASE);
	int r;

	if (!(cpuid(1, 0).edx & (1u << 9)) || !(base & APIC_BASE_ENABLE)) {
		cprintf("preempt: no enabled local APIC; slices end by exit "
			"count only\n");
		return -E_NOT_SUPP;
	}
	preempt_x2apic = base & APIC_BASE_X2APIC;
	if (!preempt_x2apic && (r = preempt_map_apic(base & 0xfffff000)) < 0)
		return r;
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
	trap_set_handler(PREEMPT_VECTOR, preempt_tick);
	trap_set_handler(PREEMPT_SPURIOUS, preempt_spurious);
	apic_write(APIC_SVR, APIC_SVR_ENABLE | PREEMPT_SPURIOUS);
	preempt_count = preempt_calibrate(period_us);
	preempt_period = clock_tsc_hz() / 1000000 * period_us;
	preempt_next = rdtsc() + preempt_period;
	apic_write(APIC_LVT_TIMER, PREEMPT_VECTOR);
	preempt_set();
	cprintf("preempt: APIC timer every %llu us (%u counts)\n",
		(unsigned long long)period_us, preempt_count);
	return 0;
}

/* Writes the timer only when the time it is set for changes, or has
 * passed: the event asked for then survives an interrupt already due,
 * whose handler sets the one-shot again from it. */
void preempt_arm(uint64_t tsc)
{
	uint64_t now = rdtsc();

	preempt_event = tsc;
	if (!preempt_count)
		return;
	if (preempt_target <= now ||
	    (tsc ? MIN(tsc, preempt_next) : preempt_next) != preempt_target)
		preempt_set();
}

/* STI right before HLT lets no interrupt slip in between (STI blocks
 * interrupts for one instruction, SDM 2A "STI"). */
void preempt_idle(uint64_t wake_tsc)
{
	if (!preempt_count || wake_tsc <= rdtsc()) {
		pause();
		return;
	}
	preempt_arm(wake_tsc);
	__asm__ volatile("sti; hlt; cli" : : : "memory");
}

void preempt_stop(void)
{
	if (preempt_apic || preempt_x2apic)
		apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED);
	preempt_count = 0;
}

uint64_t preempt_tick_count(void)
{
	return preempt_ticks;
}
