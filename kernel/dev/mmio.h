/*
 * mmio.h - MMIO and string I/O through the emulator (kernel/dev/mmio.c,
 * lab 3).
 */
#ifndef KERNEL_DEV_MMIO_H
#define KERNEL_DEV_MMIO_H

#include <inc/types.h>
#include <kernel/x86/decode.h>

struct vcpu;
struct io_range;

/*
 * Emulates the instruction at v's CS:RIP, which accessed an MMIO range, a
 * guest page table the shadow write-protects (kernel/mm/shadow.c), or is
 * INS/OUTS; its writes to guest RAM are reported to shadow_written.  Returns 0 when it completed, when a REP must run again
 * (RIP unchanged) or when a fault was injected; -E_IO when it touched
 * memory outside guest RAM or a failing device, and the domain has been
 * crashed with that reason; -E_NOT_SUPP when the emulator cannot execute it.
 */
int mmio_emulate(struct vcpu *v);

/*
 * Emulates v's instruction that accessed device dev at gpa (a nested
 * fault, or the shadow's non-RAM path), as mmio_emulate; when the
 * emulator cannot run it (SSE, x87, undecodable), crashes the domain with
 * its bytes: "MMIO to testdev at 0xfe000000: cannot emulate 66 0f 6f 00".
 */
void mmio_fault(struct vcpu *v, const struct io_range *dev, gpa_t gpa);

/*
 * The linear address of decoded instruction in's memory operand as v
 * executes it (segment base, address size).  Returns 0, or -E_INVAL when
 * the operand is a register.
 */
int mmio_mem_linear(struct vcpu *v, const struct x86_insn *in, gva_t *la);

#endif
