/*
 * power.c - powering the machine off with an exit status the test harness
 * can read (lab 1): QEMU's isa-debug-exit device, Bochs' shutdown port,
 * then UEFI ResetSystem (UEFI spec 2.10, 8.5.1) as the fallback.
 */
#include <inc/boot_info.h>
#include <inc/x86.h>
#include <kernel/kernel.h>

#define QEMU_DEBUG_EXIT_PORT 0xf4 /* QEMU exits with (v << 1) | 1 */
#define BOCHS_SHUTDOWN_PORT  0x8900

#define EFI_RUNTIME_SIGNATURE 0x56524553544e5552ULL /* "RUNTSERV" */
#define EFI_RESET_SHUTDOWN    2
#define EFI_SUCCESS	      0
#define EFI_ABORTED	      0x8000000000000015ULL

typedef uint64_t(__attribute__((ms_abi)) *
		 efi_reset_system_fn)(uint32_t type, uint64_t status,
				      uint64_t data_size, void *data);

/*
 * The head of EFI_RUNTIME_SERVICES: the table header, then ten services
 * before ResetSystem.
 */
struct efi_runtime_services {
	uint64_t signature;
	uint32_t revision;
	uint32_t header_size;
	uint32_t crc32;
	uint32_t reserved;
	uint64_t services_before_reset[10];
	efi_reset_system_fn reset_system;
};
_Static_assert(offsetof(struct efi_runtime_services, reset_system) == 104,
	       "ResetSystem is the 11th service after the 24-byte header");

static uint64_t power_efi_runtime_pa;

void power_init(const struct boot_info *bi)
{
	power_efi_runtime_pa = bi->efi_runtime_pa;
}

/*
 * Calls ResetSystem through the identity map of the runtime regions, which
 * vm_init keeps for this purpose (no SetVirtualAddressMap was ever called).
 */
static void power_efi_shutdown(int status)
{
	const struct efi_runtime_services *rt;

	if (!power_efi_runtime_pa)
		return;
	rt = (const void *)(uintptr_t)power_efi_runtime_pa;
	if (rt->signature != EFI_RUNTIME_SIGNATURE || !rt->reset_system)
		return;
	rt->reset_system(EFI_RESET_SHUTDOWN, status ? EFI_ABORTED : EFI_SUCCESS,
			 0, NULL);
}

void power_off(int status)
{
	static const char bochs_shutdown[] = "Shutdown";

	cli();
	result_printf("hvlab: exit status %d\n", status);
	outb(QEMU_DEBUG_EXIT_PORT, (uint8_t)status);
	for (const char *p = bochs_shutdown; *p; p++)
		outb(BOCHS_SHUTDOWN_PORT, (uint8_t)*p);
	power_efi_shutdown(status);
	cprintf("hvlab: power off failed; halting\n");
	for (;;)
		hlt();
}
