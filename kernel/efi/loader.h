/*
 * loader.h - the UEFI loader's internal interfaces (kernel/efi/; main.c
 * runs the steps in order).  Every failure goes through loader_fail
 * (console.c), which never returns.
 */
#ifndef KERNEL_EFI_LOADER_H
#define KERNEL_EFI_LOADER_H

#include <efi.h>
#include <inc/boot_info.h>
#include <inc/elf.h>
#include <inc/memlayout.h>
#include <inc/types.h>

extern EFI_SYSTEM_TABLE *loader_st;
extern EFI_BOOT_SERVICES *loader_bs;
extern EFI_HANDLE loader_image;

/* console.c */
/* Prints one formatted message: on ConOut, or on COM1 once
 * loader_console_exit_boot_services() has been called. */
void loader_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints "hvlab loader: " + the message and ends the machine with a
 * failure status (isa-debug-exit, Bochs shutdown port, ResetSystem). */
void loader_fail(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));
void loader_console_exit_boot_services(void);
/* Text for an EFI_STATUS, e.g. "EFI_NOT_FOUND". */
const char *loader_efi_status(EFI_STATUS st);

/* memmap.c */
/* npages zeroed 4 KiB pages of EfiLoaderData anywhere; fails the boot
 * when memory is short.  Returns their physical (= identity) address. */
void *alloc_pages(uint64_t npages, const char *what);

/* file.c */
/* Opens the root of the file system on device, the ESP. */
void file_open_volume(EFI_HANDLE device);
/* Reads the ESP file at path ('/'-separated, relative to the root) into
 * fresh pages.  Returns 0, -E_NOT_FOUND, or -E_IO after printing why. */
int file_read(const char *path, void **data, uint64_t *size);
/* Calls fn(name) for each regular file in directory dir whose name ends
 * in suffix (case-insensitive).  A missing directory has no files. */
void file_for_each(const char *dir, const char *suffix,
		   void (*fn)(const char *name, void *arg), void *arg);
/* Appends a loaded file to bi->files; fails the boot when full. */
void file_record(struct boot_info *bi, const char *name, void *data,
		 uint64_t size);

/* elfload.c */
/* Reads and checks \hv.elf, records it as file "hv.elf", copies its
 * segments into one block of pages and returns the entry point. */
uint64_t elfload_kernel(struct boot_info *bi);

/* config.c */
/* Loads every \domains\*.cfg and every file the configs name. */
void config_load_all(struct boot_info *bi);

/* memmap.c */
/* Reserves the memory-map buffer; returns the highest end of RAM and the
 * number of extra 1 GiB identity slots runtime MMIO needs. */
void memmap_reserve(uint64_t *ram_end, uint64_t *mmio_gib);
/* Final GetMemoryMap + ExitBootServices, then fills bi->regions. */
void memmap_exit_boot_services(struct boot_info *bi);

/* paging.c */
/* Reserves the page-table pages for the mapping paging_build will make. */
void paging_reserve(uint64_t ram_end, uint64_t mmio_gib, uint64_t kern_span);
/* Builds the identity map, direct map and kernel map after
 * ExitBootServices, from bi->regions and hv.elf; returns the PML4. */
uint64_t paging_build(const struct boot_info *bi);

/* trampoline.S */
void trampoline_enter(uint64_t pml4_pa, uint64_t entry, uint64_t arg)
	__attribute__((noreturn));

#endif
