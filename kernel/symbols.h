/*
 * symbols.h - function names for kernel addresses, from hv.elf's own
 * .symtab/.strtab (the loader hands the whole file over as "hv.elf"),
 * and the %rbp-chain backtrace that uses them (kernel/symbols.c, lab 1).
 */
#ifndef KERNEL_SYMBOLS_H
#define KERNEL_SYMBOLS_H

#include <inc/types.h>

struct boot_info;

/* Finds hv.elf among the boot files; without it backtraces show no names. */
void symbols_init(const struct boot_info *bi);

/*
 * Prints "  #N 0x... name+0xoff" for rip and then for each return address
 * on the %rbp chain starting at rbp, stopping at a bounded depth or at the
 * first frame pointer or return address outside the kernel.
 */
void symbols_backtrace(uint64_t rip, uint64_t rbp);

#endif
