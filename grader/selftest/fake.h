/*
 * fake.h - support for the grader's deliberately broken hypervisors: tiny
 * freestanding hv.elf kernels booted through the real loader, each failing
 * in one way the grader must classify (selftest.c).
 */
#ifndef GRADER_SELFTEST_FAKE_H
#define GRADER_SELFTEST_FAKE_H

#include <inc/boot_info.h>

void kernel_main(struct boot_info *bi);

/* Writes s to COM1. */
void fake_puts(const char *s);
/* Writes s, then " {TOKEN}" if the command line has token=, then CRLF. */
void fake_result(const struct boot_info *bi, const char *s);
/* Powers off: QEMU isa-debug-exit, then the Bochs shutdown port. */
void fake_exit(int status) __attribute__((noreturn));
/*
 * Triple-faults: with an empty IDT a breakpoint escalates to #GP, #DF
 * and a CPU shutdown.
 */
void fake_triple_fault(void) __attribute__((noreturn));

#endif
