/*
 * testdm.h - the test device dom0's device model serves (guests/dom0/
 * dm.c) and guests/dm drives, through the hypervisor's ioreq forwarding.
 *
 *   ports TESTDM_PORT..+15  a register file, any size at any offset
 *   port TESTDM_FIFO        a byte FIFO: OUT/OUTS push, IN/INS pop (0 when
 *                           empty)
 *   port TESTDM_IRQ         OUT n pulses ISA IRQ n; IN reads how many
 *                           pulses the device model sent
 *   MMIO TESTDM_MMIO..+4095 a register file, any size 1, 2, 4 or 8
 *
 * Both register files start as TESTDM_PATTERN(offset): a read nobody
 * answers (all ones) shows.
 */
#ifndef GUESTS_LIB_TESTDM_H
#define GUESTS_LIB_TESTDM_H

#define TESTDM_PORT	    0x700
#define TESTDM_FIFO	    0x710
#define TESTDM_IRQ	    0x714
#define TESTDM_PORT_END	    0x717 /* the last port claimed */
#define TESTDM_MMIO	    0xe0000000ULL
#define TESTDM_MMIO_SIZE    4096
#define TESTDM_PATTERN(off) ((uint8_t)(0xa0 + (off)*7))

#endif
