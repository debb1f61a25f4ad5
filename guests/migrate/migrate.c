/*
 * migrate.c - a guest to live-migrate, save and restore (lab 5): it does
 * a fixed amount of work on a buffer of a few MiB, printing "migrate: seq
 * N" as it goes, then checks the whole buffer against the pattern it
 * must hold and prints "migrate: checksum 0x...".  A domain moved mid-run
 * must print the very same lines as one left alone: no sequence number
 * missing or repeated, the same checksum.
 *
 * Command line (the config's extra):
 *   mode=write   keeps rewriting the whole buffer with a pattern that
 *                depends on the sequence number (a dirty set that never
 *                shrinks); mode=read reads it and writes one word per step
 *   loops=N      steps (default 40); mib=M buffer size (default 4)
 *   pace=T       a step lasts at least T ticks of the 1 ms APIC timer
 *                (default 20), so that a run spans the same TSC time on
 *                a fast machine as on a slow one
 *
 * Around the work a periodic local APIC timer ticks; at each step the
 * guest also keeps interrupts off until a tick is pending in the APIC's
 * IRR, then checks it arrives once they are on, and sleeps in HLT for the
 * rest of the step: the APIC's state (IRR, ISR, the timer), the queued
 * event, a halted vcpu must survive the move, and the TSC must never run
 * backwards; XMM7 keeps a value all along (the XSAVE state).
 */
#include <guests/lib/guest.h>
#include <inc/apic.h>

#define TIMER_VECTOR 0x40
#define TIMER_COUNT  100000 /* 1 ms at hvlab's 100 MHz APIC clock */
/* The buffer: guest RAM above the image, touched only as far as mib
 * says, so that the rest is never populated (memory >= 4 + mib MiB). */
#define BUF_BASE    (4 * MiB)
#define BUF_MAX_MIB 8

static uint64_t *const buf = (uint64_t *)BUF_BASE;
static uint64_t sums[1024]; /* mode=read: the sum each step read */
static volatile uint64_t ticks;

__attribute__((interrupt)) static void timer_handler(struct intr_frame *f)
{
	ticks++;
	*(volatile uint32_t *)(uintptr_t)(APIC_DEFAULT_PA + APIC_EOI) = 0;
}

static void apic_write(uint32_t reg, uint32_t v)
{
	*(volatile uint32_t *)(uintptr_t)(APIC_DEFAULT_PA + reg) = v;
}

/*
 * XMM7 holds xmm_want the whole run: the vcpu's XSAVE state must move
 * with it.  The guest is built without SSE, so nothing else touches it.
 */
static const uint64_t xmm_want[2] = { 0x0123456789abcdefULL,
				      0xfedcba9876543210ULL };

static void xmm_set(void)
{
	uint64_t cr4;

	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	__asm__ volatile("mov %0, %%cr4" : : "r"(cr4 | CR4_OSFXSR));
	__asm__ volatile("movdqu %0, %%xmm7" : : "m"(xmm_want));
}

static bool xmm_kept(void)
{
	uint64_t got[2];

	__asm__ volatile("movdqu %%xmm7, %0" : "=m"(got));
	return got[0] == xmm_want[0] && got[1] == xmm_want[1];
}

/* What word i holds after step seq rewrote it (seq 0: the first fill). */
static uint64_t pattern(uint64_t seq, uint64_t i)
{
	uint64_t x = (i + 1) * 0x9e3779b97f4a7c15ULL ^
		     seq * 0xd1b54a32d192ed03ULL;

	return x ^ (x >> 29);
}

/* Rewrites the buffer for step seq; the words that did not hold the
 * previous step's pattern (a write lost on the way). */
static size_t fill(uint64_t seq, size_t n)
{
	size_t lost = 0;

	for (size_t i = 0; i < n; i++) {
		lost += seq && buf[i] != pattern(seq - 1, i);
		buf[i] = pattern(seq, i);
	}
	return lost;
}

static uint64_t sum(size_t n)
{
	uint64_t s = 0;

	for (size_t i = 0; i < n; i++)
		s += buf[i] * (i | 1);
	return s;
}

static uint32_t apic_read(uint32_t reg)
{
	return *(volatile uint32_t *)(uintptr_t)(APIC_DEFAULT_PA + reg);
}

/* Whether the timer's vector waits in the APIC's IRR. */
static bool tick_pending(void)
{
	return apic_read(APIC_IRR + 0x10 * (TIMER_VECTOR / 32)) &
	       (1u << (TIMER_VECTOR % 32));
}

/*
 * Interrupts off until a tick waits in the IRR, then on: true if it is
 * delivered.  Then sleeps until pace ticks have passed since start, so
 * that a step lasts as long in TSC time on a fast machine as on a slow
 * one.
 */
static bool pending_tick(uint64_t start, uint64_t pace)
{
	uint64_t before;
	bool ok;

	__asm__ volatile("cli");
	while (!tick_pending())
		__asm__ volatile("pause");
	before = ticks;
	__asm__ volatile("sti; nop; hlt" : : : "memory");
	ok = ticks != before;
	while (ticks - start < pace)
		__asm__ volatile("hlt" : : : "memory");
	return ok;
}

/* Every word against the pattern the run left; the buffer's checksum. */
static bool verify(bool write, uint64_t loops, size_t n, uint64_t *csum)
{
	uint64_t h = 0xcbf29ce484222325ULL, want = write ? loops : 0;
	uint64_t read = write ? 0 : sum(n);
	bool ok = true;

	for (size_t i = 0; i < n; i++) {
		ok &= buf[i] == pattern(want, i);
		h = (h ^ buf[i]) * 0x100000001b3ULL;
	}
	for (uint64_t s = 1; !write && s <= loops; s++) {
		ok &= sums[s % ARRAY_SIZE(sums)] == read;
		h = (h ^ sums[s % ARRAY_SIZE(sums)]) * 0x100000001b3ULL;
	}
	*csum = h;
	return ok;
}

void main(void)
{
	char mode[8] = "write";
	bool write;
	uint64_t loops = cmdline_u64("loops", 40), csum, tsc, last_tsc = 0;
	uint64_t pace = cmdline_u64("pace", 20), start;
	uint64_t half_ticks = 0, pending_ok = 0, backwards = 0, lost = 0;
	uint64_t xmm_lost = 0;
	size_t n = MIN(cmdline_u64("mib", 4), BUF_MAX_MIB) * MiB / 8;

	cmdline_get("mode", mode, sizeof(mode));
	write = strcmp(mode, "read") != 0;
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
	idt_set(TIMER_VECTOR, timer_handler);
	apic_write(APIC_SVR, APIC_SVR_ENABLE | 0xff);
	apic_write(APIC_TDCR, 0xb);
	apic_write(APIC_LVT_TIMER, APIC_LVT_PERIODIC | TIMER_VECTOR);
	apic_write(APIC_TMICT, TIMER_COUNT);
	__asm__ volatile("sti");
	xmm_set();
	fill(0, n);
	for (uint64_t seq = 1; seq <= loops; seq++) {
		start = ticks;
		if (write)
			lost += fill(seq, n);
		else
			sums[seq % ARRAY_SIZE(sums)] = sum(n);
		pending_ok += pending_tick(start, pace);
		xmm_lost += !xmm_kept();
		tsc = rdtsc();
		backwards += tsc < last_tsc;
		last_tsc = tsc;
		if (seq == loops / 2)
			half_ticks = ticks;
		printf("migrate: seq %llu\n", (unsigned long long)seq);
	}
	__asm__ volatile("cli");
	apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED);
	report(verify(write, loops, n, &csum), "%s: %llu KiB hold the pattern",
	       mode, (unsigned long long)n * 8 / 1024);
	report(!lost, "each step found the last one's writes (%llu words lost)",
	       (unsigned long long)lost);
	printf("migrate: checksum 0x%016llx\n", (unsigned long long)csum);
	report(half_ticks > 0 && ticks > half_ticks,
	       "APIC timer ticked in both halves of the run");
	report(pending_ok == loops,
	       "a tick left pending with interrupts off came after STI, "
	       "%llu of %llu times",
	       (unsigned long long)pending_ok, (unsigned long long)loops);
	report(!backwards, "the TSC never ran backwards");
	report(!xmm_lost, "XMM7 kept its value at every step");
}
