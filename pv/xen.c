/*
 * xen.c - finding Xen and calling it (lab 6; labs/lab6.md): the CPUID
 * leaves (xen/include/public/arch-x86/cpuid.h), the hypercall page their
 * MSR fills, __HYPERVISOR_xen_version (public/version.h, features.h) and
 * __HYPERVISOR_console_io (public/xen.h).  The te container's stubs use
 * INT 0x82, as classic PV Xen's 32-bit guests do: it faults at CPL 3 and
 * te/exit.c makes it the hypercall exit.
 */
#include <inc/types.h>
#include <inc/boot_info.h>
#include <inc/memlayout.h>
#include <inc/public/xen.h>
#include <inc/public/version.h>
#include <kernel/kernel.h>
#include <kernel/domain.h>
#include <kernel/cpuid.h>
#include <kernel/dev/uart.h>
#include <pv/hypercall.h>
#include <pv/pv.h>

#define XEN_VERSION_MAJOR 4
#define XEN_VERSION_MINOR 17
#define XEN_EXTRAVERSION  ".0-hvlab"
#define XEN_CAPABILITIES  "xen-3.0-x86_64 hvm-3.0-x86_64"
#define XEN_CPUID_LEAVES  5 /* base .. base + 4 */
#define HYPERCALL_STUB	  32
#define CONSOLE_IO_MAX	  1024 /* bytes one CONSOLEIO_write may print */

/* The instruction after "mov $nr, %eax" in v's domain's stubs. */
static void pv_stub_trap(struct domain *d, uint8_t insn[3], unsigned *len)
{
	static const uint8_t int82[] = { 0xcd, 0x82 };
	static const uint8_t vmcall[] = { 0x0f, 0x01, 0xc1 };
	static const uint8_t vmmcall[] = { 0x0f, 0x01, 0xd9 };
	const uint8_t *src = d->shadow.te		      ? int82 :
			     strcmp(d->ops->name, "vmx") == 0 ? vmcall :
								vmmcall;

	*len = src == int82 ? sizeof(int82) : sizeof(vmcall);
	memcpy(insn, src, *len);
}

int pv_hypercall_page(struct domain *d, gpa_t gpa)
{
	uint8_t *page, trap[3];
	unsigned len;

	if (gpa % PAGE_SIZE || !(page = pv_map(d, gpa, PAGE_SIZE)))
		return -E_INVAL;
	pv_stub_trap(d, trap, &len);
#if SOL >= 6
	/* INT3 behind each stub: a call into the middle of one traps. */
	memset(page, 0xcc, PAGE_SIZE);
	for (unsigned nr = 0; nr < XEN_HYPERCALL_MAX; nr++) {
		uint8_t *stub = page + nr * HYPERCALL_STUB;

		stub[0] = 0xb8; /* mov $nr, %eax */
		memcpy(stub + 1, &nr, 4);
		memcpy(stub + 5, trap, len);
		stub[5 + len] = 0xc3; /* ret */
	}
#else
	/* LAB 6: your code here: "mov $nr, %eax", trap, "ret" per number */
	memset(page, 0xcc, PAGE_SIZE);
#endif
	return 0;
}

bool pv_wrmsr(struct vcpu *v, uint32_t msr, uint64_t val, int *err)
{
	if (!v->domain->pv.on || msr != XEN_HYPERCALL_MSR)
		return false;
	*err = pv_hypercall_page(v->domain, val) < 0 ? -E_INVAL : 0;
	return true;
}

bool pv_cpuid(struct vcpu *v, uint32_t leaf, uint32_t subleaf, uint32_t regs[4])
{
	uint32_t base = v->domain->pv.cpuid_base;

	if (!v->domain->pv.on || leaf < base || leaf >= base + 0x100)
		return false;
	memset(regs, 0, 4 * sizeof(uint32_t));
	switch (leaf - base) {
	case 0:
		regs[0] = base + XEN_CPUID_LEAVES - 1;
		regs[1] = XEN_CPUID_SIGNATURE_EBX;
		regs[2] = XEN_CPUID_SIGNATURE_ECX;
		regs[3] = XEN_CPUID_SIGNATURE_EDX;
		break;
	case 1: regs[0] = XEN_VERSION_MAJOR << 16 | XEN_VERSION_MINOR; break;
	case 2:
		regs[0] = 1; /* hypercall pages */
		regs[1] = XEN_HYPERCALL_MSR;
		break;
	case 4:
		regs[0] = XEN_HVM_CPUID_VCPU_ID_PRESENT;
		regs[1] = (uint32_t)v->id;
		break;
	}
	return true;
}

/* XENFEAT_* bits of v's domain. */
static uint32_t xen_features(struct vcpu *v)
{
	uint32_t f = 1u << XENFEAT_writable_page_tables |
		     1u << XENFEAT_auto_translated_physmap |
		     1u << XENFEAT_hvm_callback_vector;

	if (v->domain->pv.privileged)
		f |= 1u << XENFEAT_dom0;
	return f;
}

/* A string out to the guest's char array at arg: each fits its array. */
static long xen_string_out(struct vcpu *v, uint64_t arg, const char *s)
{
	return pv_copy_out(v, arg, s, strlen(s) + 1);
}

_Static_assert(sizeof(XEN_EXTRAVERSION) <= 16, "xen_extraversion_t");
_Static_assert(BOOT_CMDLINE_MAX <= 1024, "xen_commandline_t");

long xen_version(struct vcpu *v, const uint64_t *args)
{
	struct xen_feature_info fi;
	long r;

	switch (args[0]) {
	case XENVER_version: return XEN_VERSION_MAJOR << 16 | XEN_VERSION_MINOR;
	case XENVER_extraversion:
		return xen_string_out(v, args[1], XEN_EXTRAVERSION);
	case XENVER_capabilities:
		return xen_string_out(v, args[1], XEN_CAPABILITIES);
	case XENVER_get_features:
		if ((r = pv_copy_in(v, &fi, args[1], sizeof(fi))) < 0)
			return r;
		if (fi.submap_idx != 0)
			return -XEN_EINVAL; /* one submap of 32 bits */
		fi.submap = xen_features(v);
		return pv_copy_out(v, args[1], &fi, sizeof(fi));
	case XENVER_pagesize: return PAGE_SIZE;
	case XENVER_commandline:
		if (!v->domain->pv.privileged)
			return -XEN_EPERM;
		return xen_string_out(v, args[1], v->domain->bi->cmdline);
	default: return -XEN_ENOSYS;
	}
}

/* CONSOLEIO_write: count bytes at buf, as the domain's console output
 * (CONSOLEIO_read is pv/domctl.c's). */
static long console_io_write(struct vcpu *v, uint64_t count, uint64_t buf)
{
	static char bytes[CONSOLE_IO_MAX];
	struct domain *d = v->domain;
	long r;

	if (count > sizeof(bytes))
		return -XEN_EINVAL;
	if ((r = pv_copy_in(v, bytes, buf, count)) < 0)
		return r;
	/* dom0's shell prompts and echoes as it goes: its bytes go out
	 * unbuffered and unprefixed, as Xen prints the hardware domain's. */
	for (uint64_t i = 0; i < count; i++)
		if (d->pv.privileged)
			cons_putc(bytes[i]);
		else
			uart_put(d, &d->uart, (uint8_t)bytes[i]);
	return 0;
}

long console_io(struct vcpu *v, const uint64_t *args)
{
	switch (args[0]) {
	case CONSOLEIO_write: return console_io_write(v, args[1], args[2]);
	case CONSOLEIO_read: return console_io_read(v, args[1], args[2]);
	default: return -XEN_ENOSYS;
	}
}
