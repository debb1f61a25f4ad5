/*
 * gdt.h - the hypervisor's segments and task state (kernel/gdt.c, lab 1;
 * SDM 3A 3.4.5 segment descriptors, 8.7 the 64-bit TSS).
 */
#ifndef KERNEL_GDT_H
#define KERNEL_GDT_H

#include <inc/types.h>

/* Selectors; user segments are for the ring-3 guests of lab 2. */
#define GD_KT  0x08 /* kernel code, 64-bit */
#define GD_KD  0x10 /* kernel data */
#define GD_UD  0x18 /* user data (RPL 3 when loaded) */
#define GD_UT  0x20 /* user code, 64-bit (RPL 3 when loaded) */
#define GD_TSS 0x28 /* 64-bit TSS, two slots */

/* Interrupt stack table slots (1-based, as in the IDT gate's IST field). */
#define IST_DF	1
#define IST_NMI 2

/* The 64-bit TSS (SDM 3A figure 8-11). */
struct tss {
	uint32_t reserved0;
	uint64_t rsp[3]; /* stack for a change to ring 0, 1, 2 */
	uint64_t reserved1;
	uint64_t ist[7]; /* ist[n - 1] is IST slot n */
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));

_Static_assert(sizeof(struct tss) == 104, "64-bit TSS is 104 bytes");

extern struct tss kern_tss;

/* Loads the GDT, reloads every segment register, loads TR. */
void gdt_init(void);

/* entry.S: reloads %cs with cs and %ds, %es, %ss with ds; %fs, %gs with 0. */
void gdt_load_segments(uint16_t cs, uint16_t ds);

#endif
