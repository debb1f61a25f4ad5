/*
 * mmio.h - MMIO and string I/O through the emulator (kernel/dev/mmio.c,
 * lab 3): a guest access to a device's MMIO range, or an INS/OUTS, is run
 * by the x86 emulator against the devices' handlers.
 */
#ifndef KERNEL_DEV_MMIO_H
#define KERNEL_DEV_MMIO_H

struct vcpu;

/*
 * Emulates the instruction at v's CS:RIP, which accessed an MMIO range or
 * is INS/OUTS.  Returns 0 when it completed, when a REP must run again
 * (RIP unchanged) or when a fault was injected; -E_IO when it touched
 * memory outside guest RAM or a failing device, and the domain has been
 * crashed with that reason; -E_NOT_SUPP when the emulator cannot execute it.
 */
int mmio_emulate(struct vcpu *v);

#endif
