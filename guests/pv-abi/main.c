/*
 * pv-abi - discovery and the simple hypercalls of Xen's ABI (lab 6), the
 * same binary in the hvm and the te container: Xen's CPUID leaves, the
 * hypercall page's stubs, xen_version's sub-ops, console_io, hvm_op
 * parameters, numbers that are not offered (-ENOSYS), bad pointers
 * (-EFAULT), the management calls of an unprivileged domain (-EPERM),
 * and the direct VMCALL/VMMCALL (hvm) or INT 0x82 (te) without the page.
 */
#include <guests/lib/pv.h>

/* An address in the hypervisor's half: no guest may pass it. */
#define HV_ADDR 0xffff800000000000UL

/* Whether s (NUL-terminated within len) contains word. */
static bool str_has(const char *s, size_t len, const char *word)
{
	size_t n = strnlen(s, len), w = strlen(word);

	for (size_t i = 0; n < len && i + w <= n; i++)
		if (strncmp(s + i, word, w) == 0)
			return true;
	return false;
}

static bool cpu_is_amd(void)
{
	struct cpuid_regs r = cpuid(0, 0);

	return r.ebx == 0x68747541; /* "Auth" */
}

static void test_cpuid(void)
{
	uint32_t base = pv_boot.cpuid_base;
	struct cpuid_regs r = pv_cpuid(base, 0);
	struct cpuid_regs ver = pv_cpuid(base + 1, 0);
	struct cpuid_regs page = pv_cpuid(base + 2, 0);

	report_eq(base, 0x40000000, "cpuid: Xen's leaves of a pv domain");
	report(r.eax >= base + 2,
	       "cpuid: base eax 0x%x (last leaf) >= base + 2", r.eax);
	report(ver.eax >> 16 >= 3, "cpuid: base + 1 version %u.%u",
	       ver.eax >> 16, ver.eax & 0xffff);
	report_eq(page.eax, 1, "cpuid: base + 2 eax (hypercall pages)");
	report_eq(page.ebx, XEN_HYPERCALL_MSR, "cpuid: base + 2 ebx (MSR)");
	if (r.eax >= base + 4) {
		struct cpuid_regs hvm = pv_cpuid(base + 4, 0);

		report(hvm.eax & XEN_HVM_CPUID_VCPU_ID_PRESENT,
		       "cpuid: base + 4 eax 0x%x has VCPU_ID_PRESENT", hvm.eax);
		report_eq(hvm.ebx, 0, "cpuid: base + 4 ebx (vcpu id)");
	} else {
		report_skip("cpuid: no leaf base + 4 (eax 0x%x)", r.eax);
	}
}

/* Stub nr as the container's page must hold it (inc/public/xen.h). */
static bool stub_ok(unsigned nr)
{
	const uint8_t *s = hypercall_page + nr * 32;
	static const uint8_t vmmcall[] = { 0x0f, 0x01, 0xd9, 0xc3 };
	static const uint8_t vmcall[] = { 0x0f, 0x01, 0xc1, 0xc3 };
	static const uint8_t int82[] = { 0xcd, 0x82, 0xc3 };
	uint32_t imm = s[1] | s[2] << 8 | s[3] << 16 | (uint32_t)s[4] << 24;

	if (s[0] != 0xb8 || imm != nr)
		return false;
	if (pv_in_te())
		return memcmp(s + 5, int82, sizeof(int82)) == 0;
	return memcmp(s + 5, cpu_is_amd() ? vmmcall : vmcall, sizeof(vmcall)) ==
	       0;
}

static void test_page(void)
{
	unsigned bad = XEN_HYPERCALL_MAX;

	for (unsigned nr = 0; nr < XEN_HYPERCALL_MAX; nr++)
		if (!stub_ok(nr)) {
			bad = nr;
			break;
		}
	report(bad == XEN_HYPERCALL_MAX,
	       "page: %u stubs \"mov $nr, %%eax; %s; ret\" (first bad: %u)",
	       XEN_HYPERCALL_MAX,
	       pv_in_te()   ? "int $0x82" :
	       cpu_is_amd() ? "vmmcall" :
			      "vmcall",
	       bad);
}

static void test_version(void)
{
	char extra[16], caps[1024];
	struct xen_feature_info fi = { .submap_idx = 0 };
	long v = HYPERVISOR_xen_version(XENVER_version, NULL);
	long r;

	report_eq(v, (long)pv_cpuid(pv_boot.cpuid_base + 1, 0).eax,
		  "xen_version: XENVER_version = cpuid base + 1");
	memset(extra, 0x7f, sizeof(extra));
	r = HYPERVISOR_xen_version(XENVER_extraversion, extra);
	report(r == 0 && strnlen(extra, sizeof(extra)) < sizeof(extra),
	       "xen_version: XENVER_extraversion = %ld, \"%.15s\"", r, extra);
	memset(caps, 0x7f, sizeof(caps));
	r = HYPERVISOR_xen_version(XENVER_capabilities, caps);
	report(r == 0 && str_has(caps, sizeof(caps), "xen-3.0-x86_64"),
	       "xen_version: XENVER_capabilities = %ld, \"%.60s\"", r, caps);
	r = HYPERVISOR_xen_version(XENVER_get_features, &fi);
	report(r == 0 && (fi.submap >> XENFEAT_hvm_callback_vector & 1) &&
		       (fi.submap >> XENFEAT_auto_translated_physmap & 1),
	       "xen_version: get_features(0) = %ld, submap 0x%x has "
	       "hvm_callback_vector and auto_translated_physmap",
	       r, fi.submap);
	report_eq(fi.submap >> XENFEAT_dom0 & 1, pv_boot.privileged,
		  "xen_version: XENFEAT_dom0 is the privileged flag");
	/* Xen has one submap; Linux stops at the first error or reads 0. */
	fi = (struct xen_feature_info){ .submap_idx = 5 };
	r = HYPERVISOR_xen_version(XENVER_get_features, &fi);
	report(r == -XEN_EINVAL || (r == 0 && fi.submap == 0),
	       "xen_version: get_features(5) = %ld, submap 0x%x: -EINVAL or "
	       "empty",
	       r, fi.submap);
	report_eq(HYPERVISOR_xen_version(XENVER_pagesize, NULL), 4096,
		  "xen_version: XENVER_pagesize");
	if (!pv_boot.privileged)
		report_eq(HYPERVISOR_xen_version(XENVER_commandline, caps),
			  -XEN_EPERM,
			  "xen_version: XENVER_commandline of a domU");
	report_eq(HYPERVISOR_xen_version(1000, extra), -XEN_ENOSYS,
		  "xen_version: sub-op 1000");
	report_eq(HYPERVISOR_xen_version(XENVER_extraversion, (void *)HV_ADDR),
		  -XEN_EFAULT, "xen_version: extraversion into the hypervisor");
}

static void test_console(void)
{
	static char line[] = "pv-abi: a line through console_io\n";
	char in[16];
	long r;

	report_eq(HYPERVISOR_console_io(CONSOLEIO_write, sizeof(line) - 1,
					line),
		  0, "console_io: CONSOLEIO_write of a line");
	report_eq(HYPERVISOR_console_io(CONSOLEIO_write, 0, line), 0,
		  "console_io: CONSOLEIO_write of 0 bytes");
	report_eq(HYPERVISOR_console_io(CONSOLEIO_write, 8, (char *)HV_ADDR),
		  -XEN_EFAULT,
		  "console_io: CONSOLEIO_write from the hypervisor");
	r = HYPERVISOR_console_io(CONSOLEIO_read, sizeof(in), in);
	report(r >= 0 && r <= (long)sizeof(in),
	       "console_io: CONSOLEIO_read = %ld (0..%zu)", r, sizeof(in));
	report_eq(HYPERVISOR_console_io(7, sizeof(in), in), -XEN_ENOSYS,
		  "console_io: cmd 7");
}

static void test_params(void)
{
	struct xen_hvm_param p = { .domid = DOMID_SELF,
				   .index = HVM_NR_PARAMS };
	uint64_t via = 0;
	long r = hvm_get_param(HVM_PARAM_CALLBACK_IRQ, &via);

	report(r == 0 &&
		       via == ((uint64_t)HVM_PARAM_CALLBACK_TYPE_VECTOR << 56 |
			       PV_UPCALL_VECTOR),
	       "hvm_op: get_param(CALLBACK_IRQ) = %ld, 0x%llx", r,
	       (unsigned long long)via);
	report_eq(HYPERVISOR_hvm_op(HVMOP_get_param, &p), -XEN_EINVAL,
		  "hvm_op: get_param(index HVM_NR_PARAMS)");
	report_eq(HYPERVISOR_hvm_op(HVMOP_set_param, &p), -XEN_EINVAL,
		  "hvm_op: set_param(index HVM_NR_PARAMS)");
	report_eq(HYPERVISOR_hvm_op(HVMOP_get_param, (void *)HV_ADDR),
		  -XEN_EFAULT, "hvm_op: get_param from the hypervisor");
	report_eq(HYPERVISOR_hvm_op(1000, &p), -XEN_ENOSYS, "hvm_op: op 1000");
}

static void test_numbers(void)
{
	static const unsigned long direct[] = { 64, 127, 1000, 0xffffffffUL };

	report_eq(_hypercall1(0, 0), -XEN_ENOSYS,
		  "number 0 (set_trap_table, not offered)");
	report_eq(_hypercall1(XEN_HYPERCALL_MAX - 1, 0), -XEN_ENOSYS,
		  "number %u", XEN_HYPERCALL_MAX - 1);
	for (unsigned i = 0; i < ARRAY_SIZE(direct); i++)
		report_eq(pv_hypercall_direct(direct[i], 0, 0, 0), -XEN_ENOSYS,
			  "number %lu without the page", direct[i]);
	report_eq(pv_hypercall_direct(__HYPERVISOR_xen_version, XENVER_version,
				      0, 0),
		  HYPERVISOR_xen_version(XENVER_version, NULL),
		  "xen_version by %s, without the page",
		  pv_in_te()   ? "int $0x82" :
		  cpu_is_amd() ? "vmmcall" :
				 "vmcall");
}

static void test_management(void)
{
	struct xen_domctl d = {
		.cmd = XEN_DOMCTL_getdomaininfo,
		.interface_version = XEN_DOMCTL_INTERFACE_VERSION
	};
	struct xen_sysctl s = {
		.cmd = XEN_SYSCTL_readconsole,
		.interface_version = XEN_SYSCTL_INTERFACE_VERSION
	};

	if (pv_boot.privileged) {
		report_skip("domctl/sysctl: this domain is privileged");
		return;
	}
	report_eq(HYPERVISOR_domctl(&d), -XEN_EPERM,
		  "domctl: getdomaininfo from a domU");
	d.cmd = XEN_DOMCTL_destroydomain;
	report_eq(HYPERVISOR_domctl(&d), -XEN_EPERM,
		  "domctl: destroydomain(0) from a domU");
	report_eq(HYPERVISOR_sysctl(&s), -XEN_EPERM,
		  "sysctl: readconsole from a domU");
}

void main(void)
{
	printf("pv-abi: %s container\n", pv_in_te() ? "te" : "hvm");
	test_cpuid();
	test_page();
	test_version();
	test_console();
	test_params();
	test_numbers();
	test_management();
}
