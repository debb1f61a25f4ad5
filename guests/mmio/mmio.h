/*
 * mmio.h - what the MMIO guest's files share (lab 5): the register state
 * an instruction under test runs with, the windows it runs in, and the
 * test device's registers.
 *
 * Each instruction runs twice: once in a window of RAM and once in a
 * window whose middle pages are hvlab's test device (inc/testdev.h), both
 * laid out alike at a fixed linear address:
 *
 *   -0x1000   RAM
 *    0x0000   the target page: RAM, or the device's register file
 *    0x1000   the target page again (an alias: device -> device crossing)
 *    0x2000   RAM
 *
 * so that an access or a string can cross from RAM into the device, from
 * the device into RAM, and from the device into itself.
 */
#ifndef GUESTS_MMIO_MMIO_H
#define GUESTS_MMIO_MMIO_H

#include <guests/lib/guest.h>
#include <inc/testdev.h>

/* The windows' target pages (linear addresses below 4 GiB). */
#define WIN_RAM	  0x40001000
#define WIN_DEV	  0x40101000
#define WIN_CTRL  0x40200000 /* the device's control registers */
#define WIN_FLOOD 0x40400000 /* attack=rep: many aliases of the device */
#define WIN_PAGES 4
#define WIN_START (-0x1000)

/* Registers an instruction under test runs with and leaves. */
struct cpu {
	uintptr_t ax, bx, cx, dx, si, di, fl;
};
extern struct cpu cpu;

/* The suffix of PUSH and POP, and the base and index registers of the
 * instructions under test, at the guest's width. */
#ifdef __x86_64__
#define PUSH_POP_SUFFIX "q"
#define RB		"%%rbx"
#define RD		"%%rdx"
#else
#define PUSH_POP_SUFFIX "l"
#define RB		"%%ebx"
#define RD		"%%edx"
#endif

/*
 * Runs the instruction(s) text with cpu's registers and RFLAGS (DF
 * included) and stores them back; RBX holds the target page's address.
 */
#define CPU_RUN(text)                                                       \
	__asm__ volatile("push" PUSH_POP_SUFFIX " %[fl]\n\tpopf\n\t" text   \
			 "\n\tpushf\n\tpop" PUSH_POP_SUFFIX " %[fl]\n\tcld" \
			 : [fl] "+m"(cpu.fl), "+a"(cpu.ax), "+b"(cpu.bx),   \
			   "+c"(cpu.cx), "+d"(cpu.dx), "+S"(cpu.si),        \
			   "+D"(cpu.di)                                     \
			 :                                                  \
			 : "memory", "cc")

/*
 * The device's 64-bit control registers.  A 32-bit guest has no 8-byte
 * MOV: it reads and writes them with CMPXCHG8B, which the device sees as
 * one 8-byte read and one 8-byte write (of the value read, or of val).
 */
#ifdef __x86_64__
static inline uint64_t testdev_ctrl(unsigned reg)
{
	return *(volatile uint64_t *)(uintptr_t)(WIN_CTRL + reg);
}

static inline void testdev_ctrl_write(unsigned reg, uint64_t val)
{
	*(volatile uint64_t *)(uintptr_t)(WIN_CTRL + reg) = val;
}
#else
static inline uint64_t testdev_cmpxchg8b(unsigned reg, uint64_t old,
					 uint64_t val)
{
	uint32_t lo = (uint32_t)old, hi = old >> 32;

	__asm__ volatile("lock cmpxchg8b (%2)"
			 : "+a"(lo), "+d"(hi)
			 : "r"(WIN_CTRL + reg), "b"((uint32_t)val),
			   "c"((uint32_t)(val >> 32))
			 : "memory", "cc");
	return (uint64_t)hi << 32 | lo;
}

static inline uint64_t testdev_ctrl(unsigned reg)
{
	return testdev_cmpxchg8b(reg, 0, 0);
}

static inline void testdev_ctrl_write(unsigned reg, uint64_t val)
{
	testdev_cmpxchg8b(reg, testdev_ctrl(reg), val);
}
#endif

/* Maps the windows (guest page tables of guests/lib/pt.h). */
void mmio_map_windows(void);

/* extra "attack=NAME": the hostile modes (attack.c); false if none. */
bool mmio_attack(void);

#endif
