/*
 * lab6.c - lab 6 (paravirtualization, Xen's ABI in pv/): the PV test
 * guests, each one ELF with both Xen entry notes, run in the hvm
 * container (PVH start, VMCALL/VMMCALL through the hypercall page) and
 * in the te container (classic PV start, INT 0x82 stubs): guests/pv-abi
 * (discovery, the hypercall page, xen_version, console_io, hvm_op
 * parameters, -ENOSYS, -EFAULT, -EPERM), guests/pv-evtchn (event
 * channels within a domain), guests/pv-vcpu (pvclock, timers, vcpu_op,
 * sched_op) and guests/pv-memory (memory_op); interdomain ping-pong (guests/pv-bench, what=ping)
 * in each container and across them; hostile PV guests beside a
 * bystander (guests/pv-hostile); an hvm guest with xen_platform = 1
 * (guests/xen-platform); and the host unit test of the ABI
 * layouts (tests/test_pv_abi.c) and of the event channels
 * (tests/test_evtchn.c).  Dom0 and the toolstack are
 * lab6_dom0.c's.  Points: lab6.points.
 *
 * Guests check themselves (kvm-unit-tests style reports through
 * console_io): a test asserts on their PASS lines by prefix, on no FAIL
 * line, on a summary with at least a minimum number of checks (a guest
 * that skips an area cannot pass) and on a clean exit, and on the
 * hypervisor's own lines (no panic).  Boots are shared by groups
 * (hv_boot_group): one per container and the hostile one, per vendor.
 *
 * Bugs these tests catch (each student region stubbed as the handout
 * has it, then make grade LAB=6), bug: the tests that fail:
 *   hypercall page left empty (pv/xen.c): every guest test, both
 *     containers (the guest's first call through the page faults)
 *   PV dispatch returning -ENOSYS (pv/hypercall.c): the same
 *   evtchn_set_pending not setting the selector or upcall_pending
 *     (pv/evtchn.c): evtchn_unit, evtchn_local, evtchn_interdomain,
 *     vcpu_timers
 *   EVTCHNOP_unmask not re-delivering a pending port: evtchn_unit
 *     (mask_selector_and_upcall_bits), evtchn_local
 *   pv_upcall_vector always -1: evtchn_unit (upcall_vector),
 *     evtchn_local, evtchn_interdomain, vcpu_timers
 *   pv_time_update not writing the record or leaving version odd:
 *     evtchn_unit (pvclock_within_a_microsecond), vcpu_timers
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include "../grader.h"

/* Guest g in container c as domain name, with extra. */
#define PV(name, c, g, extra)                                    \
	{                                                        \
		name, "name   = \"" name "\"\ntype   = \"pv\"\n" \
		      "container = \"" c "\"\n"                  \
		      "kernel = \"guests/" g ".elf\"\n"          \
		      "extra  = \"" extra "\"\nmemory = 16\n"    \
	}
#define BYSTANDER                                                \
	{                                                        \
		"bystander", "name   = \"bystander\"\nkernel = " \
			     "\"guests/hello.elf\"\n"            \
			     "memory = 16\n"                     \
	}
/* Interdomain round trips: the boot loader takes the configs in the
 * order of their names, and domain ids follow it. */
#define ROUNDS "50"
#define PING(name, c, peer) \
	PV(name, c, "pv-bench", "role=ping what=ping n=" ROUNDS " peer=" peer)
#define PONG(name, c, peer) \
	PV(name, c, "pv-bench", "role=pong n=" ROUNDS " peer=" peer)

/*
 * One boot per container: the three test guests and a ping-pong pair;
 * the hvm boot also has a pair across the containers (the hvm end binds
 * to the te end's port).  Bochs runs te and hvm guests slowly: long
 * limits.
 */
static const struct hv_cfg pv_hvm = {
	.needs_virt = 1,
	.cmdline = "timeout=3000",
	.progress_timeout = 240,
	.timeout = 1200,
	.domains = {
		PV("abi-hvm", "hvm", "pv-abi", ""),
		PV("evtchn-hvm", "hvm", "pv-evtchn", ""),
		PV("vcpu-hvm", "hvm", "pv-vcpu", ""),
		PV("memory-hvm", "hvm", "pv-memory", ""),
		PING("ping-hvm", "hvm", "5"), /* ids 3 and 5 */
		PONG("pong-hvm", "hvm", "3"),
		PING("ping-x", "hvm", "6"), /* ids 4 and 6 */
		PONG("pong-x", "te", "4"),
	},
};

static const struct hv_cfg pv_te = {
	.needs_virt = 1,
	.cmdline = "timeout=3000",
	.progress_timeout = 240,
	.timeout = 1200,
	.domains = {
		PV("abi-te", "te", "pv-abi", ""),
		PV("evtchn-te", "te", "pv-evtchn", ""),
		PV("vcpu-te", "te", "pv-vcpu", ""),
		PV("memory-te", "te", "pv-memory", ""),
		PING("ping-te", "te", "4"), /* ids 3 and 4 */
		PONG("pong-te", "te", "3"),
	},
};

/* guests/pv-hostile's attacks in both containers, beside a bystander
 * that must finish untouched; an hvm guest with Xen's ABI
 * (xen_platform = 1) and one without. */
static const struct hv_cfg pv_hostile = {
	.needs_virt = 1,
	.cmdline = "timeout=3000",
	.progress_timeout = 240,
	.timeout = 1200,
	.domains = {
		PV("hostile-hvm", "hvm", "pv-hostile", ""),
		PV("hostile-te", "te", "pv-hostile", ""),
		BYSTANDER,
		{ "xen-platform", "name   = \"xen-platform\"\n"
				  "kernel = \"guests/xen-platform.elf\"\n"
				  "xen_platform = 1\nmemory = 16\n" },
		{ "xen-off", "name   = \"xen-off\"\n"
			     "kernel = \"guests/xen-platform.elf\"\n"
			     "extra  = \"xen=0\"\nmemory = 16\n" },
	},
};

/*
 * Domain name passed (expect_guest_passed: these PASS prefixes, no FAIL,
 * exit 0) with at least min checks in its summary.
 */
static void expect_pv_passed(struct hv_run *r, const char *name,
			     const char *const passes[], unsigned min)
{
	char prefix[96];
	const struct hv_line *l;
	unsigned n = 0;

	expect_guest_passed(r, name, passes);
	snprintf(prefix, sizeof(prefix), "%s: SUMMARY: ", name);
	l = hv_find_result_with(r, prefix, "");
	cr_expect(l && sscanf(l->text + strlen(prefix), "%u tests", &n) == 1 &&
			  n >= min,
		  "[wrong result] %s: want at least %u checks, got \"%s\"\n"
		  "    log: %s",
		  name, min, l ? l->text : "no summary", r->log);
}

/* No panic and no exception dump in the hypervisor's output. */
static void expect_no_panic(struct hv_run *r)
{
	const struct hv_line *l = hv_find_output(r, "hvlab: panic");

	if (!l)
		l = hv_find_output(r, "hvlab: exception ");
	cr_expect(l == NULL, "[panic] %s\n    log: %s", l ? l->text : "",
		  r->log);
}

/* Guest g's PASS prefixes in both containers ("G-hvm" and "G-te"). */
static void expect_both(const char *g, const char *const passes[], unsigned min)
{
	char name[64];

	snprintf(name, sizeof(name), "%s-hvm", g);
	expect_pv_passed(hv_boot_group("pv-hvm", &pv_hvm), name, passes, min);
	snprintf(name, sizeof(name), "%s-te", g);
	expect_pv_passed(hv_boot_group("pv-te", &pv_te), name, passes, min);
}

Test(lab6, abi_unit, .timeout = 300)
{
	expect_host_test("test_pv_abi", NULL);
}

/* The event channel state machine, delivery bits, the upcall vector,
 * wakeups, timers and pvclock on the host (tests/test_evtchn.c). */
Test(lab6, evtchn_unit, .timeout = 300)
{
	expect_host_test("test_evtchn", NULL);
}

/* Xen's CPUID leaves, the hypercall page's stubs for the container and
 * vendor, the direct VMCALL/VMMCALL or INT 0x82. */
Test(lab6, discovery, .timeout = 1800)
{
	static const char *const passes[] = {
		"cpuid: Xen's leaves of a pv domain",
		"cpuid: base + 2 eax (hypercall pages)",
		"cpuid: base + 2 ebx (MSR)",
		"page: 64 stubs",
		"xen_version by ",
		NULL,
	};

	expect_both("abi", passes, 30);
}

/* xen_version, console_io, hvm_op parameters; -ENOSYS, -EFAULT and the
 * management calls' -EPERM for a domU. */
Test(lab6, hypercalls, .timeout = 1800)
{
	static const char *const passes[] = {
		"xen_version: XENVER_version = cpuid base + 1",
		"xen_version: get_features(0)",
		"xen_version: extraversion into the hypervisor",
		"console_io: CONSOLEIO_write of a line",
		"console_io: CONSOLEIO_write from the hypervisor",
		"hvm_op: get_param(CALLBACK_IRQ)",
		"hvm_op: get_param(index HVM_NR_PARAMS)",
		"number 0 (set_trap_table, not offered)",
		"number 4294967295 without the page",
		"domctl: getdomaininfo from a domU",
		"sysctl: readconsole from a domU",
		NULL,
	};

	expect_both("abi", passes, 30);
}

/* Event channels within a domain: loopback, IPI, VIRQ_TIMER, status,
 * close, mask and unmask, evtchn_upcall_mask, the callback vector. */
Test(lab6, evtchn_local, .timeout = 1800)
{
	expect_both("evtchn", NULL, 20);
}

/* memory_op: the memory map with the builder's pages reserved,
 * shared_info placement, ballooning and reservations, bad arguments. */
Test(lab6, memory_op, .timeout = 1800)
{
	expect_both("memory", NULL, 10);
}

/* pvclock and the wall clock, then timers, vcpu_op and sched_op. */
Test(lab6, vcpu_timers, .timeout = 1800)
{
	expect_both("vcpu", NULL, 20);
}

/* Interdomain round trips in each container and across them. */
Test(lab6, evtchn_interdomain, .timeout = 1800)
{
	static const char *const ping[] = { "bound to domain ",
					    ROUNDS " round trips to domain ",
					    NULL };
	static const char *const pong[] = {
		"port ", "answered " ROUNDS " of " ROUNDS " events", NULL
	};
	struct hv_run *hvm = hv_boot_group("pv-hvm", &pv_hvm),
		      *te = hv_boot_group("pv-te", &pv_te);

	expect_pv_passed(hvm, "ping-hvm", ping, 2);
	expect_pv_passed(hvm, "pong-hvm", pong, 2);
	expect_pv_passed(hvm, "ping-x", ping, 2);
	expect_pv_passed(hvm, "pong-x", pong, 2);
	expect_pv_passed(te, "ping-te", ping, 2);
	expect_pv_passed(te, "pong-te", pong, 2);
}

/* The same ELFs report the same number of checks in both containers,
 * and neither boot saw a panic. */
Test(lab6, same_binary, .timeout = 1800)
{
	static const char *const guests[] = { "abi", "evtchn", "vcpu",
					      "memory" };
	struct hv_run *hvm = hv_boot_group("pv-hvm", &pv_hvm),
		      *te = hv_boot_group("pv-te", &pv_te);

	for (size_t i = 0; i < sizeof(guests) / sizeof(guests[0]); i++) {
		char a[64], b[64];
		const struct hv_line *la, *lb;

		snprintf(a, sizeof(a), "%s-hvm: SUMMARY: ", guests[i]);
		snprintf(b, sizeof(b), "%s-te: SUMMARY: ", guests[i]);
		la = hv_find_result_with(hvm, a, "");
		lb = hv_find_result_with(te, b, "");
		cr_expect(la && lb &&
				  strcmp(la->text + strlen(a),
					 lb->text + strlen(b)) == 0 &&
				  strstr(la->text, " tests, 0 failed"),
			  "[wrong result] %s: the containers differ: \"%s\" "
			  "vs \"%s\"\n    logs: %s, %s",
			  guests[i], la ? la->text : "no summary",
			  lb ? lb->text : "no summary", hvm->log, te->log);
	}
	expect_no_panic(hvm);
	expect_no_panic(te);
}

/* An hvm domain with xen_platform = 1: Xen's leaves at 0x40000100 beside
 * hvlab's, the hypercall page, Xen's calls; without it, none of that. */
Test(lab6, xen_platform, .timeout = 1800)
{
	struct hv_run *r = hv_boot_group("pv-hostile", &pv_hostile);

	expect_pv_passed(r, "xen-platform", NULL, 5);
	expect_pv_passed(r, "xen-off", NULL, 2);
}

/* Random hypercalls, bad pointers, port exhaustion, storms: each
 * attacker sees errors, the bystander finishes, nothing panics. */
Test(lab6, hostile, .timeout = 1800)
{
	static const char *const bystander[] = { "protected mode: CR0.PE set",
						 NULL };
	struct hv_run *r = hv_boot_group("pv-hostile", &pv_hostile);

	expect_pv_passed(r, "hostile-hvm", NULL, 5);
	expect_pv_passed(r, "hostile-te", NULL, 5);
	expect_guest_passed(r, "bystander", bystander);
	expect_no_panic(r);
}
