/*
 * mmio.h - MMIO through the emulator (kernel/dev/mmio.c, lab 3): a guest
 * access to a device's MMIO range is run by the x86 emulator against the
 * range's handler.
 */
#ifndef KERNEL_DEV_MMIO_H
#define KERNEL_DEV_MMIO_H

struct vcpu;

/*
 * Emulates the instruction at v's CS:RIP, which accessed an MMIO range.
 * Returns 0 when it completed or a fault was injected, or -E_NOT_SUPP
 * when the emulator cannot execute it.
 */
int mmio_emulate(struct vcpu *v);

#endif
