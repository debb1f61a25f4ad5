/*
 * msr.h - model-specific register numbers and their bits, shared by the
 * hypervisor and the guests (Intel SDM vol. 4 table 2-2 "IA-32
 * Architectural MSRs", SDM 3D appendix A "VMX Capability Reporting
 * Facility"; AMD APM vol. 2 appendix A "MSR Cross-Reference").
 *
 * Names are the manuals' with an MSR_ prefix: IA32_* for the MSRs Intel
 * numbers below 0xc0000000; the AMD names (EFER, STAR, SFMASK, VM_CR ...)
 * for the rest, as both manuals use them for the long-mode set.
 */
#ifndef INC_MSR_H
#define INC_MSR_H

#include <inc/const.h>

#define MSR_IA32_TSC		 0x00000010 /* IA32_TIME_STAMP_COUNTER */
#define MSR_IA32_APIC_BASE	 0x0000001b
#define MSR_IA32_FEATURE_CONTROL 0x0000003a
#define MSR_IA32_BIOS_SIGN_ID	 0x0000008b /* microcode revision */
#define MSR_IA32_MISC_ENABLE	 0x000001a0
#define MSR_IA32_SYSENTER_CS	 0x00000174
#define MSR_IA32_SYSENTER_ESP	 0x00000175
#define MSR_IA32_SYSENTER_EIP	 0x00000176
#define MSR_IA32_PAT		 0x00000277
#define MSR_IA32_TSC_DEADLINE	 0x000006e0

/* VMX capabilities (SDM 3D A.1-A.10). */
#define MSR_IA32_VMX_BASIC		0x00000480
#define MSR_IA32_VMX_PINBASED_CTLS	0x00000481
#define MSR_IA32_VMX_PROCBASED_CTLS	0x00000482
#define MSR_IA32_VMX_EXIT_CTLS		0x00000483
#define MSR_IA32_VMX_ENTRY_CTLS		0x00000484
#define MSR_IA32_VMX_MISC		0x00000485
#define MSR_IA32_VMX_CR0_FIXED0		0x00000486
#define MSR_IA32_VMX_CR0_FIXED1		0x00000487
#define MSR_IA32_VMX_CR4_FIXED0		0x00000488
#define MSR_IA32_VMX_CR4_FIXED1		0x00000489
#define MSR_IA32_VMX_PROCBASED_CTLS2	0x0000048b
#define MSR_IA32_VMX_EPT_VPID_CAP	0x0000048c
#define MSR_IA32_VMX_TRUE_PINBASED_CTLS 0x0000048d

#define MSR_EFER	    0xc0000080
#define MSR_STAR	    0xc0000081
#define MSR_LSTAR	    0xc0000082
#define MSR_CSTAR	    0xc0000083
#define MSR_SFMASK	    0xc0000084 /* Intel: IA32_FMASK */
#define MSR_FS_BASE	    0xc0000100
#define MSR_GS_BASE	    0xc0000101
#define MSR_KERNEL_GS_BASE  0xc0000102
#define MSR_AMD_INT_PENDING 0xc0010055 /* interrupt pending message */
#define MSR_VM_CR	    0xc0010114
#define MSR_VM_HSAVE_PA	    0xc0010117

/* IA32_APIC_BASE (SDM 3A 11.4.4). */
#define APIC_BASE_BSP	 (ULL(1) << 8)
#define APIC_BASE_X2APIC (ULL(1) << 10)
#define APIC_BASE_ENABLE (ULL(1) << 11)

/* IA32_FEATURE_CONTROL (SDM 3C 24.7 "Enabling and Entering VMX Operation"). */
#define FEATURE_CONTROL_LOCK  (ULL(1) << 0)
#define FEATURE_CONTROL_VMXON (ULL(1) << 2) /* outside SMX */

/* IA32_PAT after power-up or reset (SDM 3A 12.12.4, table 12-12). */
#define PAT_RESET ULL(0x0007040600070406)

/* EFER (APM 2 3.1.7; SDM 3A 2.2.1). */
#define EFER_SCE   (ULL(1) << 0)
#define EFER_LME   (ULL(1) << 8)
#define EFER_LMA   (ULL(1) << 10)
#define EFER_NXE   (ULL(1) << 11)
#define EFER_SVME  (ULL(1) << 12)
#define EFER_FFXSR (ULL(1) << 14)

/* VM_CR (APM 2 15.30.1). */
#define VM_CR_SVMDIS (ULL(1) << 4)

#endif
