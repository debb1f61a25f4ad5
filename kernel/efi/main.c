/*
 * main.c - efi_main, the UEFI loader's steps in order (lab 1;
 * docs/architecture.md, "From power-on to the first guest instruction").  Every step either succeeds or ends the machine through
 * loader_fail; nothing returns to the firmware.
 */
#include <inc/error.h>
#include <inc/stdio.h>
#include <inc/string.h>
#include <inc/x86.h>
#include <kernel/efi/loader.h>

#define CMDLINE_PATH "hvlab.cmd"

EFI_SYSTEM_TABLE *loader_st;
EFI_BOOT_SERVICES *loader_bs;
EFI_HANDLE loader_image;

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st);

/* \hvlab.cmd, optional: one line, trailing newline and blanks dropped. */
static void main_read_cmdline(struct boot_info *bi)
{
	char *data;
	uint64_t size;

	if (file_read(CMDLINE_PATH, (void **)&data, &size) == -E_NOT_FOUND)
		return;
	while (size > 0 && (data[size - 1] == '\n' || data[size - 1] == '\r' ||
			    data[size - 1] == ' ' || data[size - 1] == '\t'))
		size--;
	if (size >= BOOT_CMDLINE_MAX)
		loader_fail("\\%s: %llu bytes, longer than %d", CMDLINE_PATH,
			    (unsigned long long)size, BOOT_CMDLINE_MAX - 1);
	for (uint64_t i = 0; i < size; i++)
		if (data[i] == '\n' || data[i] == '\0')
			loader_fail("\\%s: must be a single line of text",
				    CMDLINE_PATH);
	memcpy(bi->cmdline, data, size);
	bi->cmdline[size] = '\0';
	loader_bs->FreePages((uint64_t)(uintptr_t)data,
			     ROUNDUP(size + 1, PAGE_SIZE) / PAGE_SIZE);
}

static struct boot_info *main_boot_info(void)
{
	struct boot_info *bi;

	bi = alloc_pages(ROUNDUP(sizeof(*bi), PAGE_SIZE) / PAGE_SIZE,
			 "boot_info");
	bi->magic = BOOT_INFO_MAGIC;
	bi->size = sizeof(*bi);
	bi->efi_runtime_pa = (uint64_t)(uintptr_t)loader_st->RuntimeServices;
	return bi;
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_GUID li_guid = LOADED_IMAGE_PROTOCOL;
	EFI_LOADED_IMAGE *li;
	struct boot_info *bi;
	uint64_t entry, ram_end, mmio_gib;

	loader_st = st;
	loader_bs = st->BootServices;
	loader_image = image;
	loader_bs->SetWatchdogTimer(0, 0, 0, NULL);
	if (EFI_ERROR(loader_bs->HandleProtocol(image, &li_guid, (void **)&li)))
		loader_fail("no LoadedImage protocol on the loader's handle");
	loader_printf("hvlab loader: image base 0x%llx\n",
		      (unsigned long long)(uintptr_t)li->ImageBase);

	bi = main_boot_info();
	file_open_volume(li->DeviceHandle);
	entry = elfload_kernel(bi);
	main_read_cmdline(bi);
	config_load_all(bi);

	memmap_reserve(&ram_end, &mmio_gib);
	paging_reserve(ram_end, mmio_gib,
		       bi->kernel_pa_end - bi->kernel_pa_start);
	loader_printf(
		"hvlab loader: %u files, kernel at pa 0x%llx, entry 0x%llx\n",
		bi->nfiles, (unsigned long long)bi->kernel_pa_start,
		(unsigned long long)entry);
	memmap_exit_boot_services(bi);
	bi->boot_pml4_pa = paging_build(bi);
	trampoline_enter(bi->boot_pml4_pa, entry,
			 DIRECTMAP_BASE + (uint64_t)(uintptr_t)bi);
}
