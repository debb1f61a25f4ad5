/*
 * start.c - what runs after the Multiboot start code (entry32.S,
 * entry64.S, te-lib/entry.S): the command line and memory size from the
 * Multiboot information (Multiboot 0.6.96, 3.3), the guest's main(), and
 * the exit through the isa-debug-exit port 0xf4 (lab 3).
 */
#include <guests/lib/guest.h>
#include <inc/multiboot.h>

void guest_start(uint32_t magic, uint32_t info);

void guest_exit(int status)
{
	outb(GUEST_EXIT_PORT, status);
	printf("guest_exit: port 0x%x did not stop the machine; halting\n",
	       GUEST_EXIT_PORT);
	for (;;) {
		cli();
		hlt();
	}
}

/* Called by entry32.S / entry64.S with the Multiboot registers. */
void guest_start(uint32_t magic, uint32_t info)
{
	const uint32_t *mbi = (const uint32_t *)(uintptr_t)info;
	const char *cmd = NULL;
	uint64_t mem = 0;

	cons_init();
	if (magic == MB_BOOT_MAGIC && (mbi[0] & MBI_CMDLINE))
		cmd = (const char *)(uintptr_t)mbi[4];
	/* mem_upper: KiB of RAM from 1 MiB on (Multiboot 0.6.96, 3.3). */
	if (magic == MB_BOOT_MAGIC && (mbi[0] & MBI_MEM))
		mem = ((uint64_t)mbi[2] + 1024) * KiB;
	guest_init(cmd, mem);
	main();
	guest_exit(report_summary());
}
