/*
 * vmcs.h - the Virtual-Machine Control Structure (Intel SDM vol. 3C,
 * chapter 25 "Virtual Machine Control Structures", appendix B "Field
 * Encoding in VMCS", appendix C "VMX Basic Exit Reasons"), lab 3.
 * svm/vmcb.h is its AMD counterpart.
 *
 * Unlike the VMCB, the VMCS layout is the CPU's secret: software names a
 * field by its 32-bit encoding and goes through VMREAD/VMWRITE, which
 * report failure in RFLAGS (SDM 3C 31.2 "Conventions": CF set is
 * VMfailInvalid, ZF set is VMfailValid with the error number in the
 * VM-instruction error field).  The accessors below check both and panic
 * with the error's name: a bad field is a hypervisor bug.  vmx/entry.S
 * includes it for VMCS_HOST_RSP.
 */
#ifndef VMX_VMCS_H
#define VMX_VMCS_H

/* Appendix B.1: 16-bit fields */
#define VMCS_VPID	  0x0000
#define VMCS_GUEST_ES_SEL 0x0800 /* + 2 * vmx_seg_index */
#define VMCS_HOST_ES_SEL  0x0c00
#define VMCS_HOST_CS_SEL  0x0c02
#define VMCS_HOST_SS_SEL  0x0c04
#define VMCS_HOST_DS_SEL  0x0c06
#define VMCS_HOST_FS_SEL  0x0c08
#define VMCS_HOST_GS_SEL  0x0c0a
#define VMCS_HOST_TR_SEL  0x0c0c

/* B.2: 64-bit fields */
#define VMCS_IO_BITMAP_A	 0x2000
#define VMCS_IO_BITMAP_B	 0x2002
#define VMCS_MSR_BITMAP		 0x2004
#define VMCS_EXIT_MSR_STORE_ADDR 0x2006
#define VMCS_EXIT_MSR_LOAD_ADDR	 0x2008
#define VMCS_ENTRY_MSR_LOAD_ADDR 0x200a
#define VMCS_EPT_POINTER	 0x201a
#define VMCS_GUEST_PHYS_ADDR	 0x2400
#define VMCS_LINK_POINTER	 0x2800
#define VMCS_GUEST_DEBUGCTL	 0x2802
#define VMCS_GUEST_PAT		 0x2804
#define VMCS_GUEST_EFER		 0x2806
#define VMCS_GUEST_PDPTE0	 0x280a /* PDPTE1-3 follow, 2 apart */
#define VMCS_HOST_PAT		 0x2c00
#define VMCS_HOST_EFER		 0x2c02

/* B.3: 32-bit fields */
#define VMCS_PIN_CONTROLS	    0x4000
#define VMCS_PROC_CONTROLS	    0x4002
#define VMCS_EXCEPTION_BITMAP	    0x4004
#define VMCS_PF_ERROR_MASK	    0x4006
#define VMCS_PF_ERROR_MATCH	    0x4008
#define VMCS_CR3_TARGET_COUNT	    0x400a
#define VMCS_EXIT_CONTROLS	    0x400c
#define VMCS_EXIT_MSR_STORE_COUNT   0x400e
#define VMCS_EXIT_MSR_LOAD_COUNT    0x4010
#define VMCS_ENTRY_CONTROLS	    0x4012
#define VMCS_ENTRY_MSR_LOAD_COUNT   0x4014
#define VMCS_ENTRY_INTR_INFO	    0x4016
#define VMCS_ENTRY_EXCEPTION_ERROR  0x4018
#define VMCS_ENTRY_INSN_LEN	    0x401a
#define VMCS_PROC_CONTROLS2	    0x401e
#define VMCS_INSN_ERROR		    0x4400
#define VMCS_EXIT_REASON	    0x4402
#define VMCS_EXIT_INTR_INFO	    0x4404
#define VMCS_EXIT_INTR_ERROR	    0x4406
#define VMCS_IDT_VECTORING_INFO	    0x4408
#define VMCS_IDT_VECTORING_ERROR    0x440a
#define VMCS_EXIT_INSN_LEN	    0x440c
#define VMCS_EXIT_INSN_INFO	    0x440e
#define VMCS_GUEST_ES_LIMIT	    0x4800 /* + 2 * vmx_seg_index */
#define VMCS_GUEST_ES_AR	    0x4814 /* + 2 * vmx_seg_index */
#define VMCS_GUEST_SS_AR	    0x4818
#define VMCS_GUEST_INTERRUPTIBILITY 0x4824
#define VMCS_GUEST_ACTIVITY	    0x4826
#define VMCS_GUEST_SYSENTER_CS	    0x482a
#define VMCS_PREEMPT_TIMER	    0x482e
#define VMCS_HOST_SYSENTER_CS	    0x4c00

/* B.4: natural-width fields */
#define VMCS_CR0_MASK		0x6000
#define VMCS_CR4_MASK		0x6002
#define VMCS_CR0_SHADOW		0x6004
#define VMCS_CR4_SHADOW		0x6006
#define VMCS_EXIT_QUALIFICATION 0x6400
#define VMCS_GUEST_LINEAR_ADDR	0x640a
#define VMCS_GUEST_CR0		0x6800
#define VMCS_GUEST_CR3		0x6802
#define VMCS_GUEST_CR4		0x6804
#define VMCS_GUEST_ES_BASE	0x6806 /* + 2 * vmx_seg_index */
#define VMCS_GUEST_DR7		0x681a
#define VMCS_GUEST_RSP		0x681c
#define VMCS_GUEST_RIP		0x681e
#define VMCS_GUEST_RFLAGS	0x6820
#define VMCS_GUEST_PENDING_DBG	0x6822
#define VMCS_GUEST_SYSENTER_ESP 0x6824
#define VMCS_GUEST_SYSENTER_EIP 0x6826
#define VMCS_HOST_CR0		0x6c00
#define VMCS_HOST_CR3		0x6c02
#define VMCS_HOST_CR4		0x6c04
#define VMCS_HOST_FS_BASE	0x6c06
#define VMCS_HOST_GS_BASE	0x6c08
#define VMCS_HOST_TR_BASE	0x6c0a
#define VMCS_HOST_GDTR_BASE	0x6c0c
#define VMCS_HOST_IDTR_BASE	0x6c0e
#define VMCS_HOST_SYSENTER_ESP	0x6c10
#define VMCS_HOST_SYSENTER_EIP	0x6c12
#define VMCS_HOST_RSP		0x6c14
#define VMCS_HOST_RIP		0x6c16

/* SDM 3C 25.6.1 table 25-5: pin-based VM-execution controls */
#define PIN_EXT_INTR_EXITING (1u << 0)
#define PIN_NMI_EXITING	     (1u << 3)
#define PIN_VIRTUAL_NMIS     (1u << 5)
#define PIN_PREEMPT_TIMER    (1u << 6)

/* Table 25-6: primary processor-based controls */
#define PROC_INTR_WINDOW_EXITING (1u << 2)
#define PROC_HLT_EXITING	 (1u << 7)
#define PROC_NMI_WINDOW_EXITING	 (1u << 22)
#define PROC_INVLPG_EXITING	 (1u << 9)
#define PROC_MWAIT_EXITING	 (1u << 10)
#define PROC_CR3_LOAD_EXITING	 (1u << 15)
#define PROC_CR3_STORE_EXITING	 (1u << 16)
#define PROC_USE_IO_BITMAPS	 (1u << 25)
#define PROC_MONITOR_TRAP_FLAG	 (1u << 27)
#define PROC_USE_MSR_BITMAPS	 (1u << 28)
#define PROC_MONITOR_EXITING	 (1u << 29)
#define PROC_SECONDARY		 (1u << 31)

/* Table 25-7: secondary processor-based controls */
#define PROC2_ENABLE_EPT	 (1u << 1)
#define PROC2_ENABLE_VPID	 (1u << 5)
#define PROC2_UNRESTRICTED_GUEST (1u << 7)
#define PROC2_ENABLE_INVPCID	 (1u << 12)

/* Table 25-13 / 25-15: VM-exit and VM-entry controls */
#define EXIT_SAVE_DEBUG_CONTROLS  (1u << 2)
#define EXIT_HOST_ADDR_SPACE_SIZE (1u << 9)
#define EXIT_SAVE_PAT		  (1u << 18)
#define EXIT_LOAD_PAT		  (1u << 19)
#define EXIT_SAVE_EFER		  (1u << 20)
#define EXIT_LOAD_EFER		  (1u << 21)
#define ENTRY_LOAD_DEBUG_CONTROLS (1u << 2)
#define ENTRY_IA32E_MODE	  (1u << 9)
#define ENTRY_LOAD_PAT		  (1u << 14)
#define ENTRY_LOAD_EFER		  (1u << 15)

/* 25.4.1: guest segment access rights (the VMCB's attr, bits 8-11 moved
 * to 12-15, plus "unusable") */
#define VMX_AR_UNUSABLE (1u << 16)

/* 24.8.3 table 25-17 and 27.2.2: interruption information */
#define INTR_INFO_VECTOR_MASK	 0xffu
#define INTR_INFO_TYPE_SHIFT	 8
#define INTR_INFO_TYPE_MASK	 (7u << 8)
#define INTR_INFO_DELIVER_CODE	 (1u << 11)
#define INTR_INFO_NMI_UNBLOCKING (1u << 12) /* reserved at entry */
#define INTR_INFO_VALID		 (1u << 31)
#define INTR_TYPE_NMI		 2
#define INTR_TYPE_SOFT_INT	 4
#define INTR_TYPE_PRIV_SOFT_EXC	 5
#define INTR_TYPE_SOFT_EXC	 6

/* 25.4.2 table 25-3: interruptibility state */
#define INTERRUPTIBILITY_STI	(1u << 0)
#define INTERRUPTIBILITY_MOV_SS (1u << 1)
#define INTERRUPTIBILITY_NMI	(1u << 3)

#define EXIT_REASON_BASIC(r)   ((r)&0xffff)
#define EXIT_REASON_ENTRY_FAIL (1u << 31)

/* Table 28-3: exit qualification of control-register accesses */
#define CRQ_CR(q)    ((q)&0xf)
#define CRQ_TYPE(q)  (((q) >> 4) & 3)
#define CRQ_LMSW_MEM (1u << 6)
#define CRQ_GPR(q)   (((q) >> 8) & 0xf)
#define CRQ_MOV_TO   0 /* CRQ_TYPE: then MOV from CR, CLTS, LMSW */
#define CRQ_MOV_FROM 1
#define CRQ_CLTS     2

/* Table 28-5: exit qualification of I/O instructions */
#define IOQ_SIZE(q) (((q)&7) + 1)
#define IOQ_IN	    (1u << 3)
#define IOQ_STRING  (1u << 4)
#define IOQ_PORT(q) ((uint16_t)((q) >> 16))

/* Table 28-7: exit qualification of EPT violations */
#define EPTQ_WRITE (1u << 1)
#define EPTQ_FETCH (1u << 2)

#ifndef __ASSEMBLER__
#include <inc/types.h>

/* Appendix C: basic exit reasons */
enum vmx_exit_reason {
	EXIT_REASON_EXCEPTION_NMI = 0,
	EXIT_REASON_EXTERNAL_INTR = 1,
	EXIT_REASON_TRIPLE_FAULT = 2,
	EXIT_REASON_INIT = 3,
	EXIT_REASON_SIPI = 4,
	EXIT_REASON_SMI = 6,
	EXIT_REASON_INTR_WINDOW = 7,
	EXIT_REASON_NMI_WINDOW = 8,
	EXIT_REASON_CPUID = 10,
	EXIT_REASON_GETSEC = 11,
	EXIT_REASON_HLT = 12,
	EXIT_REASON_INVLPG = 14,
	EXIT_REASON_VMCALL = 18,
	EXIT_REASON_VMCLEAR = 19,
	EXIT_REASON_VMXON = 27,
	EXIT_REASON_CR_ACCESS = 28,
	EXIT_REASON_IO = 30,
	EXIT_REASON_RDMSR = 31,
	EXIT_REASON_WRMSR = 32,
	EXIT_REASON_BAD_GUEST_STATE = 33,
	EXIT_REASON_MSR_LOADING = 34,
	EXIT_REASON_MWAIT = 36,
	EXIT_REASON_MTF = 37,
	EXIT_REASON_MONITOR = 39,
	EXIT_REASON_MACHINE_CHECK = 41,
	EXIT_REASON_EPT_VIOLATION = 48,
	EXIT_REASON_EPT_MISCONFIG = 49,
	EXIT_REASON_INVEPT = 50,
	EXIT_REASON_PREEMPT_TIMER = 52,
	EXIT_REASON_INVVPID = 53,
	EXIT_REASON_XSETBV = 55,
	EXIT_REASON_VMFUNC = 59,
};

/* Name of VM-instruction error n (SDM 3C 31.4), "?" if unknown. */
const char *vmx_insn_error_name(uint64_t n);

/* Panics naming the failed instruction, field and error (vmcs.c). */
void vmcs_fail(const char *insn, uint32_t field, bool invalid)
	__attribute__((noreturn));

/* The VM-instruction error field, without any check. */
static inline uint64_t vmcs_insn_error(void)
{
	uint64_t val = 0;

	__asm__ volatile("vmread %1, %0"
			 : "=r"(val)
			 : "r"((uint64_t)VMCS_INSN_ERROR)
			 : "cc");
	return val;
}

/* Reads field of the current VMCS. */
static inline uint64_t vmcs_read(uint32_t field)
{
	uint64_t val;
	uint8_t cf, zf;

	__asm__ volatile("vmread %3, %0; setc %1; setz %2"
			 : "=r"(val), "=qm"(cf), "=qm"(zf)
			 : "r"((uint64_t)field)
			 : "cc");
	if (cf || zf)
		vmcs_fail("vmread", field, cf);
	return val;
}

/* Writes field of the current VMCS. */
static inline void vmcs_write(uint32_t field, uint64_t val)
{
	uint8_t cf, zf;

	__asm__ volatile("vmwrite %2, %3; setc %0; setz %1"
			 : "=qm"(cf), "=qm"(zf)
			 : "rm"(val), "r"((uint64_t)field)
			 : "cc", "memory");
	if (cf || zf)
		vmcs_fail("vmwrite", field, cf);
}

#endif /* !__ASSEMBLER__ */
#endif
