/*
 * memory.h - the lab-5 memory guest (guests/memory): nested paging as
 * the hypervisor's memory manager, checked from inside a 64-bit guest
 * through hvlab's test device (inc/testdev.h, `testdev = 1`) and Xen's
 * HVMOP_set_mem_type / HVMOP_get_mem_type.  test=NAME on the command line
 * picks one of:
 *   demand     populate on demand: host pages follow what the guest touches
 *   eager      an eager domain is backed whole from the start
 *   rom        read-only RAM: reads and fetches work, writes are dropped
 *   largepage  a 2 MiB mapping split by a read-only frame, merged back
 *   hog        touches all its memory, more than the host has (hostile)
 *   bench      RDTSC costs of a populate fault, an MMIO access and CPUID
 * entry64.S identity-maps the low 4 GiB with 2 MiB pages, so guest-physical
 * addresses are used as pointers throughout.
 */
#ifndef GUESTS_MEMORY_H
#define GUESTS_MEMORY_H

#include <guests/lib/guest.h>
#include <inc/public/xen.h>
#include <inc/public/hvm/hvm_op.h>
#include <inc/testdev.h>

/* Sizes as uint64_t, which is what %lu prints in a 64-bit guest. */
#define MIB(n)	   ((uint64_t)(n) << 20)
#define PAGE	   ((uint64_t)4096)
#define LARGE_PAGE MIB(2)
/* Memory the tests own: above the image, its bss and the loader's data. */
#define TEST_BASE MIB(32)

/* A 64-bit control register of the test device. */
static inline uint64_t testdev_get(uint64_t reg)
{
	return *(volatile uint64_t *)(TESTDEV_BASE + TESTDEV_CTRL + reg);
}

static inline void testdev_set(uint64_t reg, uint64_t val)
{
	*(volatile uint64_t *)(TESTDEV_BASE + TESTDEV_CTRL + reg) = val;
}

/* How the nested tables map gpa: TESTDEV_MAP_LEVEL's value. */
static inline uint64_t testdev_map_level(uint64_t gpa)
{
	testdev_set(TESTDEV_MAP_GPA, gpa);
	return testdev_get(TESTDEV_MAP_LEVEL);
}

static inline uint64_t peek64(uint64_t gpa)
{
	return *(volatile uint64_t *)(uintptr_t)gpa;
}

static inline void poke64(uint64_t gpa, uint64_t v)
{
	*(volatile uint64_t *)(uintptr_t)gpa = v;
}

void test_demand(void);
void test_eager(void);
void test_rom(void);
void test_largepage(void);
void test_hog(void);
void test_bench(void);

#endif
