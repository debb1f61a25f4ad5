/*
 * host_kernel.c - the kernel services host-side tests link against instead
 * of kernel/console.c, printf.c and panic.c, and a simulated physical
 * memory for kernel/mm/page.c and kernel/mm/vm.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <kernel/kernel.h>
#include <kernel/mm/page.h>
#include "host_kernel.h"

static uint8_t *host_mem;
static char host_last_result[256];
static int host_nresults;
static const char *host_panic_prefix; /* the panic the test expects */

void host_mem_init(void)
{
	if (!host_mem)
		host_mem = aligned_alloc(LARGE_PAGE_SIZE, HOST_MEM_SIZE);
	if (!host_mem)
		abort();
	memset(host_mem, 0xa5, HOST_MEM_SIZE); /* pages must be zeroed */
	kva_offset = (uintptr_t)host_mem;
}

struct boot_info *host_bi_new(void)
{
	struct boot_info *bi = calloc(1, sizeof(*bi));

	if (!bi)
		abort();
	bi->magic = BOOT_INFO_MAGIC;
	bi->size = sizeof(*bi);
	return bi;
}

void host_bi_add(struct boot_info *bi, uint64_t base, uint64_t size,
		 uint32_t type)
{
	struct boot_mem_region *r = &bi->regions[bi->nregions++];

	r->base = base;
	r->npages = size / PAGE_SIZE;
	r->type = type;
}

int host_result_count(void)
{
	return host_nresults;
}

const char *host_result_last(void)
{
	return host_last_result;
}

int vcprintf(const char *fmt, va_list ap)
{
	return getenv("HOST_KERNEL_VERBOSE") ? vfprintf(stderr, fmt, ap) : 0;
}

int cprintf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vcprintf(fmt, ap);
	va_end(ap);
	return n;
}

int result_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(host_last_result, sizeof(host_last_result), fmt, ap);
	va_end(ap);
	host_nresults++;
	return (int)strlen(host_last_result);
}

void host_expect_panic(const char *prefix)
{
	host_panic_prefix = prefix;
}

/*
 * The expected panic aborts quietly; any other prints its message, and
 * ends a test that expected a different one with exit status 1 instead of
 * SIGABRT, so that test fails.
 */
void _panic(const char *file, int line, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (host_panic_prefix &&
	    strncmp(msg, host_panic_prefix, strlen(host_panic_prefix)) == 0)
		abort();
	fprintf(stderr, "panic at %s:%d: %s\n", file, line, msg);
	if (host_panic_prefix) {
		fprintf(stderr,
			"  (the test expected a panic starting \"%s\")\n",
			host_panic_prefix);
		exit(1);
	}
	abort();
}

void power_off(int status)
{
	fprintf(stderr, "power_off(%d)\n", status);
	abort();
}

const char *cmdline_get(const char *key)
{
	return NULL;
}

struct boot_info *host_page_init(void)
{
	struct boot_info *bi;

	host_mem_init();
	bi = host_bi_new();
	host_bi_add(bi, 1 * MiB, 31 * MiB, BOOT_MEM_CONVENTIONAL);
	page_init(bi);
	return bi;
}
