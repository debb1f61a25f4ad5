/*
 * main.c - kernel_main: bring the hypervisor up, run the domains, power off.
 */
#include <inc/boot_info.h>
#include <inc/x86.h>

void kernel_main(struct boot_info *bi);

static void com1_puts(const char *s)
{
	for (; *s; s++) {
		while (!(inb(0x3f8 + 5) & 0x20))
			;
		outb(0x3f8, (uint8_t)*s);
	}
}

void kernel_main(struct boot_info *bi)
{
	com1_puts(bi->magic == BOOT_INFO_MAGIC ? "hvlab: hello\r\n"
					       : "hvlab: bad boot_info\r\n");
	outb(0xf4, 0);
	for (;;)
		hlt();
}
