/*
 * inc/public/te.h - what a guest of hvlab's trap-and-emulate VMM (lab 2,
 * domain type "te") may rely on.  Stands alone: constants only, nothing
 * to include first; inb/outb in the examples are the guest's own port-I/O
 * helpers.
 *
 * Boot: the guest is a 64-bit ELF entered at its entry point at CPL 3
 * with paging off, virtual = physical, RDI = TE_BOOT_MAGIC (the Multiboot
 * boot magic) and RSI = the guest-physical address of a Multiboot
 * information structure whose only field is the command line (flags bit
 * 2).  CR4.PAE and EFER.LME are set and CR3 points to identity tables of
 * the first 4 GiB, so setting CR0.PG turns 4-level paging on (EFER.LMA),
 * with these tables or the guest's own; it cannot be turned off again.
 * With paging on, the upper half of the address space (bit 47 set) is
 * the hypervisor's: a guest access there ends the domain.
 *
 * Every privileged instruction traps and is emulated; the guest's virtual
 * CPL is 0.  Interrupt and exception frames are built as a 64-bit CPU at
 * CPL 0 would; IRETQ with such a frame traps (its CS has RPL 0) and is
 * emulated, which is how the virtual IF comes back after a handler.
 *
 * IRETQ to a CS with RPL 3 enters the guest's user mode (virtual CPL 3),
 * where privileged instructions raise the guest's own #GP, INT n needs a
 * gate of DPL 3, and with paging on the guest's supervisor pages are out
 * of reach (#PF with U set).  Events from user mode switch to the stack
 * in RSP0 of the guest's TSS (loaded by LTR).  The CPU runs the guest on
 * the hypervisor's GDT, whose user selectors are 0x1b (data) and 0x23
 * (code): an IRETQ to exactly those does not trap, so guest user
 * selectors must differ from them (Linux's 0x2b and 0x33 do).
 *
 * POPF cannot change IF at CPL 3 and PUSHF shows the real IF: a guest
 * that wants the virtual IF uses the paravirtual interface below.
 *
 *	uint8_t vif = inb(TE_PORT_VIF);		  "pushf": the virtual IF
 *	outb(TE_PORT_VIF, 1);			  "sti"
 *
 * or puts TE_EMULATE_PREFIX (ud2; "te") in front of PUSHF, POPF or CPUID
 * to have that one instruction emulated, as Xen's forced-emulation prefix
 * does: PUSHF and POPF with the virtual IF, CPUID with the CPU the
 * hypervisor describes (a bare CPUID does not trap and shows the real
 * one):
 *
 *	asm volatile(TE_EMULATE_PREFIX "pushfq; popq %0" : "=r"(flags));
 *	asm volatile(TE_EMULATE_PREFIX "cpuid"
 *		     : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(leaf), "c"(0));
 */
#ifndef INC_PUBLIC_TE_H
#define INC_PUBLIC_TE_H

#define TE_BOOT_MAGIC 0x2BADB002
#define TE_BOOT_INFO  0x9000 /* Multiboot info; command line after */

/* The paravirtual ports (each 1 byte wide). */
#define TE_PORT_BASE  0x5e0
#define TE_PORT_TIMER 0x5e0 /* w: 1 start, 0 stop the virtual timer */
#define TE_PORT_VIF   0x5e1 /* r/w: the virtual IF (0 or 1) */
#define TE_PORT_INFO  0x5e2 /* r: TE_INFO_* bits */
#define TE_PORT_COUNT 3

#define TE_INFO_TE   0x01 /* running under the te backend */
#define TE_INFO_UMIP 0x02 /* SGDT/SIDT/SMSW/STR/SLDT trap (UMIP) */

/* The vector of the virtual timer interrupt (a host tick, every 10 ms). */
#define TE_TIMER_VECTOR 32

/* ud2; .ascii "te": emulate the next instruction. */
#define TE_EMULATE_PREFIX     ".byte 0x0f, 0x0b, 0x74, 0x65; "
#define TE_EMULATE_PREFIX_LEN 4

#endif
