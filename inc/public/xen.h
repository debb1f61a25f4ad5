/*
 * inc/public/xen.h - the core of Xen's public ABI (xen/include/public/
 * xen.h, errno.h, arch-x86/xen.h, arch-x86/cpuid.h) that hvlab's guests may
 * rely on: hypercall numbers, error numbers, domain ids, the shared_info
 * and vcpu_info pages, the start_info page of classic PV, and discovery
 * through CPUID.  Lab 5 has __HYPERVISOR_hvm_op; lab 6 the PV interface.
 *
 * Needs uint8_t .. uint64_t (inc/types.h or <stdint.h>) included first.
 * Layouts are x86-64's; a 32-bit hvm caller passes the same structs.
 *
 * A hypercall is VMMCALL on AMD and VMCALL on Intel, or a call into the
 * hypercall page (32 bytes per number) the guest asks for by writing its
 * guest-physical address to the MSR CPUID gives (XEN_CPUID_BASE + 2).  In
 * the te container the page holds trapping stubs instead.  From a 64-bit
 * guest, RAX holds the number and RDI, RSI, RDX, R10, R8 the arguments;
 * from a 32-bit one, EAX and EBX, ECX, EDX, ESI, EDI.  The result comes
 * back in RAX (EAX): 0 or a positive value on success, -XEN_E* on
 * failure.  Only the guest kernel may call; other registers are kept.
 *
 *	long r;
 *	asm volatile("call hypercall_page + %c[nr] * 32" : "=a"(r)
 *		     : [nr] "i"(__HYPERVISOR_sched_op), "D"(SCHEDOP_yield),
 *		       "S"(0) : "memory");
 */
#ifndef INC_PUBLIC_XEN_H
#define INC_PUBLIC_XEN_H

/* A 64-bit field aligned as x86-64 aligns it, also in a 32-bit guest
 * (i386 aligns uint64_t to 4), so both pass the same layouts. */
typedef uint64_t uint64_aligned_t __attribute__((aligned(8)));

/* Hypercall numbers (Xen's; the ones hvlab does not offer give -ENOSYS). */
#define __HYPERVISOR_memory_op	      12
#define __HYPERVISOR_set_timer_op     15
#define __HYPERVISOR_xen_version      17
#define __HYPERVISOR_console_io	      18
#define __HYPERVISOR_grant_table_op   20
#define __HYPERVISOR_vcpu_op	      24
#define __HYPERVISOR_sched_op	      29
#define __HYPERVISOR_event_channel_op 32
#define __HYPERVISOR_hvm_op	      34
#define __HYPERVISOR_sysctl	      35
#define __HYPERVISOR_domctl	      36
#define __HYPERVISOR_dm_op	      41
#define XEN_HYPERCALL_MAX	      64 /* the hypercall page's stubs */

typedef uint16_t domid_t;

/* The calling domain, wherever a domid_t is asked for. */
#define DOMID_SELF	     0x7FF0U
#define DOMID_FIRST_RESERVED 0x7FF0U

/* Error numbers (Xen's errno.h): hypercalls return their negation. */
#define XEN_EPERM  1  /* not allowed: CPL > 0, or not privileged */
#define XEN_ENOENT 2  /* no such entry */
#define XEN_ESRCH  3  /* no such domain */
#define XEN_EAGAIN 11 /* try again */
#define XEN_ENOMEM 12 /* out of memory */
#define XEN_EFAULT 14 /* an argument's memory is not mapped */
#define XEN_EBUSY  16 /* in use */
#define XEN_EEXIST 17 /* already there */
#define XEN_EINVAL 22 /* an argument is out of range */
#define XEN_ENOSPC 28 /* no free slot */
#define XEN_ENOSYS 38 /* no such hypercall or sub-operation */
#define XEN_ETIME  62 /* a deadline already past */
/* and those xenstore replies name (guests/lib/io/xs_wire.h, lab 7) */
#define XEN_EIO	      5
#define XEN_E2BIG     7
#define XEN_EISDIR    21
#define XEN_EROFS     30
#define XEN_ENOTEMPTY 39
#define XEN_EISCONN   106

/* __HYPERVISOR_console_io(cmd, count, buffer): the hypervisor's console. */
#define CONSOLEIO_write 0 /* prints count bytes; returns 0 */
#define CONSOLEIO_read	1 /* reads up to count bytes; returns how many */

/* Virtual interrupts (event_channel.h's EVTCHNOP_bind_virq). */
#define VIRQ_TIMER   0 /* per vcpu: the singleshot / periodic timer */
#define VIRQ_DEBUG   1
#define VIRQ_CONSOLE 2 /* global, dom0: input on the hypervisor console */
#define VIRQ_DOM_EXC 3 /* global, dom0: a domain ended */
#define NR_VIRQS     24

/*
 * vcpu_time_info: pvclock.  The guest's system time in ns is
 *	system_time + (((tsc - tsc_timestamp) << tsc_shift) * mul >> 32)
 * (a right shift when tsc_shift < 0), with mul = tsc_to_system_mul.  The
 * hypervisor makes version odd, updates the fields, then makes it even
 * again, with write barriers between: a reader retries while version is
 * odd or changed across its read (read barriers around the fields).
 */
struct vcpu_time_info {
	uint32_t version;
	uint32_t pad0;
	uint64_t tsc_timestamp; /* TSC at the update */
	uint64_t system_time;	/* ns since the hypervisor booted, then */
	uint32_t tsc_to_system_mul;
	int8_t tsc_shift;
	uint8_t flags; /* XEN_PVCLOCK_TSC_STABLE_BIT */
	uint8_t pad1[2];
};
#define XEN_PVCLOCK_TSC_STABLE_BIT 1

/*
 * vcpu_info: one per vcpu, in shared_info (vcpus < XEN_LEGACY_MAX_VCPUS)
 * or wherever VCPUOP_register_vcpu_info moves it.  Event delivery:
 * the hypervisor sets the port's bit in shared_info.evtchn_pending, then,
 * if the port is not masked, bit port / 64 of evtchn_pending_sel, then
 * evtchn_upcall_pending, and upcalls (the callback vector) while
 * evtchn_upcall_pending is set, evtchn_upcall_mask is clear and the vcpu
 * takes interrupts.  The guest clears evtchn_upcall_pending first, then
 * exchanges evtchn_pending_sel with 0 and scans the words it names.
 */
struct vcpu_info {
	uint8_t evtchn_upcall_pending;
	uint8_t evtchn_upcall_mask;
	uint8_t pad[6];
	uint64_t evtchn_pending_sel;
	uint64_t cr2; /* arch_vcpu_info: unused by hvlab */
	uint64_t pad1;
	struct vcpu_time_info time;
};

#define XEN_LEGACY_MAX_VCPUS  32
#define EVTCHN_2L_NR_CHANNELS 4096

/*
 * shared_info: one page per domain, placed in the guest's physical
 * memory by XENMEM_add_to_physmap(XENMAPSPACE_shared_info) (hvm
 * container) or given by start_info.shared_info (te container).
 * wc_*: the wall clock at system time 0, with a version like pvclock's.
 */
struct shared_info {
	struct vcpu_info vcpu_info[XEN_LEGACY_MAX_VCPUS];
	uint64_t evtchn_pending[64]; /* a bit per port */
	uint64_t evtchn_mask[64];    /* a bit per port: 1 = masked */
	uint32_t wc_version;
	uint32_t wc_sec;
	uint32_t wc_nsec;
	uint32_t wc_sec_hi;
	/* arch_shared_info */
	uint64_t max_pfn;
	uint64_t pfn_to_mfn_frame_list_list;
	uint64_t nmi_reason;
	uint64_t p2m_cr3;
	uint64_t p2m_vaddr;
	uint64_t p2m_generation;
};

/*
 * start_info: what a classic PV kernel (te container) finds at RSI on
 * entry.  Addresses are guest-physical (hvlab's te guests run with
 * virtual = physical until they turn paging on).
 */
struct start_info {
	char magic[32];	      /* "xen-3.0-x86_64" */
	uint64_t nr_pages;    /* guest RAM in 4 KiB pages */
	uint64_t shared_info; /* guest-physical address of shared_info */
	uint32_t flags;	      /* SIF_* */
	uint32_t pad;
	uint64_t store_mfn; /* xenstore ring page (lab 7) */
	uint32_t store_evtchn;
	uint32_t pad2;
	union {
		struct {
			uint64_aligned_t mfn; /* console ring (unused) */
			uint32_t evtchn;
		} domU;
		struct {
			uint32_t info_off, info_size;
		} dom0;
	} console;
	uint64_t pt_base; /* unused: the guest starts with paging off */
	uint64_t nr_pt_frames;
	uint64_t mfn_list;
	uint64_t mod_start; /* the ramdisk's guest-physical address, or 0 */
	uint64_t mod_len;
	char cmd_line[1024];
	uint64_t first_p2m_pfn;
	uint64_t nr_p2m_frames;
};
#define SIF_PRIVILEGED	     1 /* the domain holds the management hypercalls */
#define SIF_INITDOMAIN	     2 /* dom0 */
#define XEN_START_INFO_MAGIC "xen-3.0-x86_64"

/*
 * Discovery: CPUID leaf XEN_CPUID_BASE (0x40000000 in pv domains,
 * 0x40000100 in hvm domains with xen_platform = 1) returns EAX = the last
 * Xen leaf and EBX, ECX, EDX = "XenV" "MMXe" "nVMM".  base + 1: EAX =
 * major << 16 | minor.  base + 2: EAX = hypercall pages (1), EBX = the
 * MSR that installs them.  base + 4: EAX = XEN_HVM_CPUID_* flags, EBX the
 * vcpu id.
 */
#define XEN_CPUID_SIGNATURE_EBX	      0x566e6558 /* "XenV" */
#define XEN_CPUID_SIGNATURE_ECX	      0x65584d4d /* "MMXe" */
#define XEN_CPUID_SIGNATURE_EDX	      0x4d4d566e /* "nVMM" */
#define XEN_HYPERCALL_MSR	      0x40000000
#define XEN_HVM_CPUID_VCPU_ID_PRESENT (1u << 3)

/* XENVER_get_features bits (features.h). */
#define XENFEAT_writable_page_tables	0
#define XENFEAT_auto_translated_physmap 2
#define XENFEAT_hvm_callback_vector	8
#define XENFEAT_dom0			11

_Static_assert(sizeof(struct vcpu_time_info) == 32, "vcpu_time_info");
_Static_assert(sizeof(struct vcpu_info) == 64, "vcpu_info");
_Static_assert(__builtin_offsetof(struct vcpu_info, evtchn_pending_sel) == 8,
	       "vcpu_info.evtchn_pending_sel");
_Static_assert(__builtin_offsetof(struct vcpu_info, time) == 32,
	       "vcpu_info.time");
_Static_assert(__builtin_offsetof(struct shared_info, evtchn_pending) == 2048,
	       "shared_info.evtchn_pending");
_Static_assert(__builtin_offsetof(struct shared_info, evtchn_mask) == 2560,
	       "shared_info.evtchn_mask");
_Static_assert(__builtin_offsetof(struct shared_info, wc_version) == 3072,
	       "shared_info.wc_version");
_Static_assert(__builtin_offsetof(struct shared_info, max_pfn) == 3088,
	       "shared_info.max_pfn");
_Static_assert(__builtin_offsetof(struct start_info, nr_pages) == 32,
	       "start_info.nr_pages");
_Static_assert(__builtin_offsetof(struct start_info, store_mfn) == 56,
	       "start_info.store_mfn");
_Static_assert(__builtin_offsetof(struct start_info, console) == 72,
	       "start_info.console");
_Static_assert(__builtin_offsetof(struct start_info, cmd_line) == 128,
	       "start_info.cmd_line");
_Static_assert(sizeof(struct start_info) == 1168, "start_info");

#endif
