/*
 * vmcb.h - the Virtual Machine Control Block (AMD APM vol. 2, 15.5 "VMRUN
 * Instruction" and appendix B "Layout of VMCB"), lab 3.
 *
 * One 4 KiB page: the control area (offsets 0x000-0x3ff: intercepts, exit
 * information, nested paging, event injection) and the state save area
 * (0x400-0xfff: the guest's segment, control and system registers).  Field
 * names follow the APM; offsets are pinned by the _Static_asserts below.
 */
#ifndef SVM_VMCB_H
#define SVM_VMCB_H

#include <inc/types.h>

/* Table B-1: control area */
struct vmcb_control {
	uint16_t intercept_cr_read;	     /* 0x000 */
	uint16_t intercept_cr_write;	     /* 0x002 */
	uint16_t intercept_dr_read;	     /* 0x004 */
	uint16_t intercept_dr_write;	     /* 0x006 */
	uint32_t intercept_exceptions;	     /* 0x008 */
	uint32_t intercept_misc1;	     /* 0x00c */
	uint32_t intercept_misc2;	     /* 0x010 */
	uint8_t reserved_014[0x040 - 0x014]; /* pause filter */
	uint64_t iopm_base_pa;		     /* 0x040 */
	uint64_t msrpm_base_pa;		     /* 0x048 */
	uint64_t tsc_offset;		     /* 0x050 */
	uint32_t guest_asid;		     /* 0x058 */
	uint8_t tlb_control;		     /* 0x05c */
	uint8_t reserved_05d[3];
	uint32_t int_ctl;	   /* 0x060: V_TPR, V_IRQ, V_INTR_MASKING */
	uint32_t int_vector;	   /* 0x064 */
	uint64_t interrupt_shadow; /* 0x068 */
	uint64_t exitcode;	   /* 0x070 */
	uint64_t exitinfo1;	   /* 0x078 */
	uint64_t exitinfo2;	   /* 0x080 */
	uint64_t exitintinfo;	   /* 0x088 */
	uint64_t np_control;	   /* 0x090: NP_ENABLE, SEV */
	uint8_t reserved_098[0x0a8 - 0x098]; /* AVIC and SEV-ES */
	uint64_t eventinj;		     /* 0x0a8 */
	uint64_t n_cr3;			     /* 0x0b0 */
	uint8_t reserved_0b8[0x0c8 - 0x0b8]; /* LBR, clean bits */
	uint64_t nrip;			     /* 0x0c8 */
	uint8_t reserved_0d0[0x400 - 0x0d0]; /* decode assists */
};

/* Table B-2: a segment register in the state save area */
struct vmcb_seg {
	uint16_t selector;
	uint16_t attrib;
	uint32_t limit;
	uint64_t base;
};

/* Table B-2: state save area, at VMCB offset 0x400 */
struct vmcb_save {
	struct vmcb_seg es;   /* 0x400 */
	struct vmcb_seg cs;   /* 0x410 */
	struct vmcb_seg ss;   /* 0x420 */
	struct vmcb_seg ds;   /* 0x430 */
	struct vmcb_seg fs;   /* 0x440 */
	struct vmcb_seg gs;   /* 0x450 */
	struct vmcb_seg gdtr; /* 0x460 */
	struct vmcb_seg ldtr; /* 0x470 */
	struct vmcb_seg idtr; /* 0x480 */
	struct vmcb_seg tr;   /* 0x490 */
	uint8_t reserved_4a0[0x4cb - 0x4a0];
	uint8_t cpl; /* 0x4cb */
	uint32_t reserved_4cc;
	uint64_t efer; /* 0x4d0 */
	uint8_t reserved_4d8[0x548 - 0x4d8];
	uint64_t cr4;	 /* 0x548 */
	uint64_t cr3;	 /* 0x550 */
	uint64_t cr0;	 /* 0x558 */
	uint64_t dr7;	 /* 0x560 */
	uint64_t dr6;	 /* 0x568 */
	uint64_t rflags; /* 0x570 */
	uint64_t rip;	 /* 0x578 */
	uint8_t reserved_580[0x5d8 - 0x580];
	uint64_t rsp;			     /* 0x5d8 */
	uint8_t reserved_5e0[0x5f8 - 0x5e0]; /* CET */
	uint64_t rax;			     /* 0x5f8 */
	uint64_t star;			     /* 0x600 */
	uint64_t lstar;			     /* 0x608 */
	uint64_t cstar;			     /* 0x610 */
	uint64_t sfmask;		     /* 0x618 */
	uint64_t kernel_gs_base;	     /* 0x620 */
	uint64_t sysenter_cs;		     /* 0x628 */
	uint64_t sysenter_esp;		     /* 0x630 */
	uint64_t sysenter_eip;		     /* 0x638 */
	uint64_t cr2;			     /* 0x640 */
	uint8_t reserved_648[0x668 - 0x648];
	uint64_t g_pat;			      /* 0x668 */
	uint8_t reserved_670[0x1000 - 0x670]; /* LBR */
};

struct vmcb {
	struct vmcb_control control;
	struct vmcb_save save;
} __attribute__((aligned(4096)));

#define VMCB_OFFSET(f) offsetof(struct vmcb, f)
_Static_assert(sizeof(struct vmcb) == 4096, "VMCB is one page");
_Static_assert(VMCB_OFFSET(control.intercept_misc1) == 0x00c, "misc1");
_Static_assert(VMCB_OFFSET(control.iopm_base_pa) == 0x040, "IOPM_BASE_PA");
_Static_assert(VMCB_OFFSET(control.guest_asid) == 0x058, "ASID");
_Static_assert(VMCB_OFFSET(control.int_ctl) == 0x060, "V_INTR");
_Static_assert(VMCB_OFFSET(control.exitcode) == 0x070, "EXITCODE");
_Static_assert(VMCB_OFFSET(control.np_control) == 0x090, "NP_ENABLE");
_Static_assert(VMCB_OFFSET(control.eventinj) == 0x0a8, "EVENTINJ");
_Static_assert(VMCB_OFFSET(control.n_cr3) == 0x0b0, "N_CR3");
_Static_assert(VMCB_OFFSET(control.nrip) == 0x0c8, "nRIP");
_Static_assert(VMCB_OFFSET(save) == 0x400, "state save area");
_Static_assert(VMCB_OFFSET(save.cpl) == 0x4cb, "CPL");
_Static_assert(VMCB_OFFSET(save.efer) == 0x4d0, "EFER");
_Static_assert(VMCB_OFFSET(save.cr4) == 0x548, "CR4");
_Static_assert(VMCB_OFFSET(save.rflags) == 0x570, "RFLAGS");
_Static_assert(VMCB_OFFSET(save.rip) == 0x578, "RIP");
_Static_assert(VMCB_OFFSET(save.rsp) == 0x5d8, "RSP");
_Static_assert(VMCB_OFFSET(save.rax) == 0x5f8, "RAX");
_Static_assert(VMCB_OFFSET(save.cr2) == 0x640, "CR2");
_Static_assert(VMCB_OFFSET(save.g_pat) == 0x668, "G_PAT");

/* intercept_cr_read, intercept_cr_write: bit n for CRn (15.9). */
#define INTERCEPT_CR(n) (1u << (n))

/* Intercept vector 3 (misc1) and 4 (misc2) bits, APM table B-1 */
#define INTERCEPT_INTR	    (1u << 0)
#define INTERCEPT_NMI	    (1u << 1)
#define INTERCEPT_VINTR	    (1u << 4)
#define INTERCEPT_CPUID	    (1u << 18)
#define INTERCEPT_INTN	    (1u << 21)
#define INTERCEPT_HLT	    (1u << 24)
#define INTERCEPT_INVLPG    (1u << 25)
#define INTERCEPT_INVLPGA   (1u << 26)
#define INTERCEPT_IOIO_PROT (1u << 27)
#define INTERCEPT_MSR_PROT  (1u << 28)
#define INTERCEPT_SHUTDOWN  (1u << 31)

#define INTERCEPT_VMRUN	  (1u << 0)
#define INTERCEPT_VMMCALL (1u << 1)
#define INTERCEPT_VMLOAD  (1u << 2)
#define INTERCEPT_VMSAVE  (1u << 3)
#define INTERCEPT_STGI	  (1u << 4)
#define INTERCEPT_CLGI	  (1u << 5)
#define INTERCEPT_SKINIT  (1u << 6)
#define INTERCEPT_MONITOR (1u << 10)
#define INTERCEPT_MWAIT	  (1u << 11)
#define INTERCEPT_XSETBV  (1u << 13)

/* int_ctl (offset 0x060); APM 15.21.4 "Virtual Interrupts" */
#define V_IRQ		  (1u << 8)
#define V_INTR_PRIO_SHIFT 16
#define V_IGN_TPR	  (1u << 20)
#define V_INTR_MASKING	  (1u << 24)

/* interrupt_shadow (offset 0x068): INTERRUPT_SHADOW, APM 15.21.5 */
#define VMCB_INTR_SHADOW 1ULL

/* np_control (offset 0x090) */
#define NP_ENABLE (1ULL << 0)

/* tlb_control (offset 0x05c) */
#define TLB_CONTROL_FLUSH_ALL 1

/* EVENTINJ / EXITINTINFO (APM 15.20 "Event Injection") */
#define EVENTINJ_VECTOR_MASK 0xffULL
#define EVENTINJ_TYPE_SHIFT  8
#define EVENTINJ_EV	     (1ULL << 11)
#define EVENTINJ_V	     (1ULL << 31)

/* EXITCODE values (APM appendix C "SVM Intercept Exit Codes") */
#define VMEXIT_CR0_READ	 0x000
#define VMEXIT_CR0_WRITE 0x010
#define VMEXIT_EXCP_BASE 0x040
#define VMEXIT_INTR	 0x060
#define VMEXIT_NMI	 0x061
#define VMEXIT_SMI	 0x062
#define VMEXIT_INIT	 0x063
#define VMEXIT_VINTR	 0x064
#define VMEXIT_CPUID	 0x072
#define VMEXIT_SWINT	 0x075
#define VMEXIT_HLT	 0x078
#define VMEXIT_INVLPG	 0x079
#define VMEXIT_INVLPGA	 0x07a
#define VMEXIT_IOIO	 0x07b
#define VMEXIT_MSR	 0x07c
#define VMEXIT_SHUTDOWN	 0x07f
#define VMEXIT_VMRUN	 0x080
#define VMEXIT_VMMCALL	 0x081
#define VMEXIT_VMLOAD	 0x082
#define VMEXIT_SKINIT	 0x086
#define VMEXIT_MONITOR	 0x08a
#define VMEXIT_MWAIT	 0x08b
#define VMEXIT_XSETBV	 0x08d
#define VMEXIT_NPF	 0x400
#define VMEXIT_INVALID	 ((uint64_t)-1)
/* QEMU's TCG stores VMEXIT_INVALID as a 32-bit -1. */
#define VMEXIT_INVALID_32 0xffffffffULL

/* IOIO EXITINFO1 (APM 15.10.2 "IN and OUT Behavior") */
#define IOIO_TYPE_IN	(1u << 0)
#define IOIO_STR	(1u << 2)
#define IOIO_SZ16	(1u << 5)
#define IOIO_SZ32	(1u << 6)
#define IOIO_PORT_SHIFT 16

/* EXITINFO1 of a CR access intercept with decode assists (15.8.1). */
#define EXITINFO1_CR_MOV (1ULL << 63) /* MOV CRn; else LMSW/CLTS */
#define EXITINFO1_CR_GPR 0xfULL	      /* MOV's general register */

/* #NPF EXITINFO1: a page-fault error code (APM 15.25.6) */
#define NPF_W	(1ULL << 1)
#define NPF_RSV (1ULL << 3) /* a reserved bit set in a nested entry */
#define NPF_ID	(1ULL << 4)

#endif
