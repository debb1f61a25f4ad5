/*
 * host_kernel.h - what host-side tests of kernel code need: a simulated
 * physical memory that kva() reaches, and a boot memory map to describe
 * it (tests/host_kernel.c).  kernel/kernel.h's cprintf, result_printf and
 * _panic are implemented there too; a panic aborts, so a test expecting
 * one declares .signal = SIGABRT and calls host_expect_panic.
 */
#ifndef TESTS_HOST_KERNEL_H
#define TESTS_HOST_KERNEL_H

#include <inc/boot_info.h>

/* Bytes of simulated physical memory, from physical address 0. */
#define HOST_MEM_SIZE (64ULL << 20)

/* Allocates the simulated memory and points kva_offset at it. */
void host_mem_init(void);

/* A fresh, empty boot_info (outside the simulated memory). */
struct boot_info *host_bi_new(void);

/* Appends a region of the given type to bi's memory map. */
void host_bi_add(struct boot_info *bi, uint64_t base, uint64_t size,
		 uint32_t type);

/*
 * Fresh simulated memory whose 31 MiB from 1 MiB are handed to
 * page_init; returns the boot_info, for the caller to free.
 */
struct boot_info *host_page_init(void);

/*
 * Declares that the test ends in a panic whose message starts with prefix
 * (e.g. "page_free: double free"): that panic aborts without printing.
 * Any other panic is printed and exits with status 1, failing the test.
 */
void host_expect_panic(const char *prefix);

/* The number of result lines printed so far, and the last one. */
int host_result_count(void);
const char *host_result_last(void);

#endif
