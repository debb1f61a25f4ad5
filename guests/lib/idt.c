/*
 * idt.c - a minimal IDT for test guests that take exceptions or
 * interrupts (SDM 3A 6.11 IDT descriptors; 6.14.1 64-bit mode gates).
 * Gates are interrupt gates in the code segment the start code loaded.
 */
#include <guests/lib/guest.h>

#define GUEST_CS  0x08
#define GATE_INTR 0x8e /* present, DPL 0, interrupt gate */
#define GATE_DPL3 0x60 /* INT n allowed from CPL 3 */

struct gate {
	uint16_t off_lo, sel;
	uint8_t ist, type;
	uint16_t off_mid;
#ifdef __x86_64__
	uint32_t off_hi, zero;
#endif
};

static struct gate idt[256];

void idt_set(int vec, void *handler)
{
	uintptr_t a = (uintptr_t)handler;
	struct __attribute__((packed)) {
		uint16_t limit;
		uintptr_t base;
	} ptr = { sizeof(idt) - 1, (uintptr_t)idt };

	idt[vec] = (struct gate){ .off_lo = a & 0xffff,
				  .sel = GUEST_CS,
				  .type = GATE_INTR,
				  .off_mid = (a >> 16) & 0xffff };
#ifdef __x86_64__
	idt[vec].off_hi = a >> 32;
#endif
	__asm__ volatile("lidt %0" : : "m"(ptr));
}

/* ICW1-ICW4 of the 8259A datasheet, master at 0x20, slave at 0xa0. */
void pic_init(uint8_t master_imr, uint8_t slave_imr)
{
	outb(0x20, 0x11); /* ICW1: edge, cascaded, ICW4 follows */
	outb(0x21, PIC_VEC);
	outb(0x21, 0x04); /* ICW3: the slave on IRQ 2 */
	outb(0x21, 0x01); /* ICW4: 8086 mode */
	outb(0xa0, 0x11);
	outb(0xa1, PIC_VEC + 8);
	outb(0xa1, 0x02); /* ICW3: its cascade identity */
	outb(0xa1, 0x01);
	outb(0x21, master_imr);
	outb(0xa1, slave_imr);
}

void idt_set_user(int vec, void *handler)
{
	idt_set(vec, handler);
	idt[vec].type |= GATE_DPL3;
}
