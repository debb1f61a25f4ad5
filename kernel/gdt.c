/*
 * gdt.c - the GDT and TSS (lab 1; SDM 3A 3.4.5 and 8.7).  UEFI leaves TR
 * zero and its own GDT in boot-services memory the allocator hands out, so
 * the kernel installs its own: flat 64-bit code and data, and a TSS whose
 * interrupt stack table gives #DF and NMI known-good stacks.
 */
#include <inc/memlayout.h>
#include <inc/x86.h>
#include <kernel/gdt.h>
#include <kernel/kernel.h>

extern char boot_stack_top[];

struct tss kern_tss;

static uint8_t ist_df_stack[KSTACK_SIZE / 4] __attribute__((aligned(16)));
static uint8_t ist_nmi_stack[KSTACK_SIZE / 4] __attribute__((aligned(16)));

/* Access and flag bits of a code/data descriptor (SDM 3A 3.4.5). */
#define SEG_P	      (1ULL << 47)
#define SEG_DPL(n)    ((uint64_t)(n) << 45)
#define SEG_S	      (1ULL << 44) /* code or data, not system */
#define SEG_CODE      (1ULL << 43)
#define SEG_RW	      (1ULL << 41) /* readable code, writable data */
#define SEG_L	      (1ULL << 53) /* 64-bit code */
#define SEG_G	      (1ULL << 55)
#define SEG_LIMIT_MAX (0xffffULL | (0xfULL << 48))
#define SEG_TSS_AVAIL (9ULL << 40) /* 64-bit TSS, available */

#define SEG_CODE64(dpl)                                                     \
	(SEG_P | SEG_DPL(dpl) | SEG_S | SEG_CODE | SEG_RW | SEG_L | SEG_G | \
	 SEG_LIMIT_MAX)
#define SEG_DATA(dpl) \
	(SEG_P | SEG_DPL(dpl) | SEG_S | SEG_RW | SEG_G | SEG_LIMIT_MAX)

static uint64_t gdt[] = {
	[0] = 0,
	[GD_KT >> 3] = SEG_CODE64(0),
	[GD_KD >> 3] = SEG_DATA(0),
	[GD_UD >> 3] = SEG_DATA(3),
	[GD_UT >> 3] = SEG_CODE64(3),
	[GD_TSS >> 3] = 0, /* filled by gdt_set_tss */
	[(GD_TSS >> 3) + 1] = 0,
};

/* A 16-byte system descriptor for the TSS (SDM 3A figure 8-4). */
static void gdt_set_tss(struct tss *tss)
{
	uint64_t base = (uint64_t)tss, limit = sizeof(*tss) - 1;

	gdt[GD_TSS >> 3] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
			   SEG_TSS_AVAIL | SEG_P |
			   (((base >> 24) & 0xff) << 56);
	gdt[(GD_TSS >> 3) + 1] = base >> 32;
}

void gdt_init(void)
{
	struct desc_ptr gdtr = { sizeof(gdt) - 1, (uint64_t)gdt };

	kern_tss.rsp[0] = (uint64_t)boot_stack_top;
	kern_tss.ist[IST_DF - 1] = (uint64_t)ist_df_stack +
				   sizeof(ist_df_stack);
	kern_tss.ist[IST_NMI - 1] = (uint64_t)ist_nmi_stack +
				    sizeof(ist_nmi_stack);
	/* No I/O permission bitmap: the base points past the limit. */
	kern_tss.iomap_base = sizeof(kern_tss);
	gdt_set_tss(&kern_tss);
	lgdt(&gdtr);
	gdt_load_segments(GD_KT, GD_KD);
	ltr(GD_TSS);
}
