/*
 * paging.h - what the parts of the paging workload share (lab 4): the
 * address space the tests run in, their addresses, the #PF handler's
 * record, and probes that run one access which may fault, in supervisor
 * or user mode.
 */
#ifndef GUESTS_PAGING_PAGING_H
#define GUESTS_PAGING_PAGING_H

#include <guests/lib/pt.h>

/* Test pages: one 4 KiB page each from VA_BASE, large pages above. */
#define VA_BASE	      0x40000000
#define TEST_VA(n)    (VA_BASE + (n)*PT_PAGE)
#define VA_LARGE      (VA_BASE + 8 * MiB)
#define VA_LARGE_RSVD (VA_BASE + 12 * MiB)
#define PA_LARGE      (8 * MiB) /* 4 MiB of RAM above the guest's image */
#define USER_VEC      0x80	/* INT from CPL 3 back to the kernel */
#define PF_NONE	      0xffffffffu

/* The address space the tests run in (main.c). */
extern uintptr_t as0;

/* What the last #PF was; pf_hook may fix a fault so it is retried. */
extern volatile uint32_t pf_err;
extern volatile uintptr_t pf_cr2;
extern volatile unsigned pf_count;
extern bool (*volatile pf_hook)(uintptr_t cr2, uint32_t err);

/* Installs the #PF handler and ring 3 (GDT, TSS, the INT gate back). */
void trap_init(void);

/*
 * Each runs one access at va and returns whether it faulted (pf_err and
 * pf_cr2 then say how).  probe_exec jumps to va, where the page holds
 * PROBE_JMP_RCX ("jmp *%rcx", back to the probe).  probe_user reads or
 * writes va at CPL 3.
 */
#define PROBE_JMP_RCX 0xe1ff
bool probe_read(uintptr_t va, uint32_t *val);
bool probe_write(uintptr_t va, uint32_t val);
bool probe_exec(uintptr_t va);
bool probe_user(bool write, uintptr_t va, uint32_t *val);

/* The tests (tests.c), each one or more report lines. */
void test_fork(void);
void test_invlpg(void);
void test_cow(void);
void test_accessed_dirty(void);
void test_nx(void);
void test_user(void);
void test_wp(void);
void test_large(void);
void test_global(void);
void test_rsvd(void);
void test_recursive(void);
void test_stack_on_table(void);
void test_atomic_pte(void);

/* bench.c: make bench-paging's rounds and loop (bench=N, loop=L). */
void paging_bench(uint64_t rounds, uint64_t loop);

#endif
