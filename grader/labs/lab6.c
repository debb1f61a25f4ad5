/*
 * lab6.c - lab 6 (paravirtualization, Xen's ABI in pv/): the PV test
 * guest (guests/pv-test, one ELF with both Xen entry notes) run area by
 * area in the hvm container (PVH start, VMCALL/VMMCALL through the
 * hypercall page) and in the te container (classic PV start, INT 0x82
 * stubs) from the same binary; an interdomain event channel ping-pong
 * inside each container and across them; the shutdown reasons; hostile
 * PV guests beside a bystander (guests/pv-hostile); and the host unit
 * test of the ABI layouts (tests/test_pv_abi.c).  The dom0 toolstack's
 * tests are lab6_dom0.c's.  Points: lab6.points.
 *
 * Guests check themselves (kvm-unit-tests style reports through
 * console_io): a test asserts on their PASS lines, on no FAIL line, on
 * a summary with at least a minimum number of checks (so a guest that
 * skips an area cannot pass) and on a clean exit, and on the
 * hypervisor's own lines (domain exits, crash reasons, no panic).  Boots
 * are shared by groups (hv_boot_group): four per vendor.
 *
 * Bugs these tests catch (each student region stubbed as the handout
 * has it, then make grade LAB=6), bug: the tests that fail:
 *   hypercall page left empty (pv/xen.c): every pv_* test of both
 *     containers (the guest's first call through the page faults)
 *   dispatch ignoring the PV table (pv/hypercall.c): discovery,
 *     hypercalls, event channels, pvclock: -ENOSYS everywhere
 *   evtchn_set_pending not setting the selector or upcall_pending
 *     (pv/evtchn.c): evtchn_local, evtchn_interdomain, pvclock's timer
 *   EVTCHNOP_unmask not re-delivering a pending port: evtchn_local
 *   pv_upcall_vector always -1: evtchn_local, evtchn_interdomain
 *   pv_time_update not bumping version / not writing the scale: pvclock
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include "../grader.h"

/* A PV domain running guests/pv-test's AREA in container c. */
#define PV(name, c, area)                                         \
	{                                                         \
		name, "name   = \"" name "\"\ntype   = \"pv\"\n"  \
		      "container = \"" c "\"\n"                   \
		      "kernel = \"guests/pv-test.elf\"\n"         \
		      "extra  = \"test=" area "\"\nmemory = 32\n" \
	}
#define HOSTILE(name, c, attack)                                      \
	{                                                             \
		name, "name   = \"" name "\"\ntype   = \"pv\"\n"      \
		      "container = \"" c "\"\n"                       \
		      "kernel = \"guests/pv-hostile.elf\"\n"          \
		      "extra  = \"attack=" attack "\"\nmemory = 32\n" \
	}
#define BYSTANDER                                                \
	{                                                        \
		"bystander", "name   = \"bystander\"\nkernel = " \
			     "\"guests/hello.elf\"\n"            \
			     "memory = 16\n"                     \
	}

/*
 * One boot per container for the guest's areas, one domain each.  The
 * te container needs no hardware virtualization, but the boots share the
 * machine a vendor gives (Bochs for VT-x): long limits.
 */
#define PV_AREAS(c, p)                               \
	.domains = {                                 \
		PV(p "discovery", c, "discovery"),   \
		PV(p "hypercalls", c, "hypercalls"), \
		PV(p "memory", c, "memory"),         \
		PV(p "vcpu", c, "vcpu"),             \
		PV(p "evtchn", c, "evtchn"),         \
		PV(p "pvclock", c, "pvclock"),       \
	}

static const struct hv_cfg pv_hvm = {
	.needs_virt = 1,
	.cmdline = "timeout=3000",
	.progress_timeout = 240,
	.timeout = 900,
	PV_AREAS("hvm", "hvm-"),
};

static const struct hv_cfg pv_te = {
	.needs_virt = 1,
	.cmdline = "timeout=3000",
	.progress_timeout = 240,
	.timeout = 900,
	PV_AREAS("te", "te-"),
};

/*
 * Interdomain ping-pong: a pair in each container and one across them
 * (the hvm end allocates, the te end binds), and the shutdown reasons.
 */
static const struct hv_cfg pv_pair = {
	.needs_virt = 1,
	.cmdline = "timeout=3000",
	.progress_timeout = 240,
	.timeout = 900,
	.domains = {
		PV("ping-hvm", "hvm", "ping peer=pong-hvm"),
		PV("pong-hvm", "hvm", "pong peer=ping-hvm"),
		PV("ping-te", "te", "ping peer=pong-te"),
		PV("pong-te", "te", "pong peer=ping-te"),
		PV("ping-x", "hvm", "ping peer=pong-x"),
		PV("pong-x", "te", "pong peer=ping-x"),
		PV("down-crash", "hvm", "shutdown reason=crash"),
		PV("down-code", "te", "shutdown reason=code"),
	},
};

/* Every attack of guests/pv-hostile, in both containers, beside a
 * bystander that must finish untouched. */
static const struct hv_cfg pv_hostile = {
	.needs_virt = 1,
	.cmdline = "timeout=3000",
	.progress_timeout = 240,
	.timeout = 900,
	.domains = {
		HOSTILE("fuzz-hvm", "hvm", "fuzz"),
		HOSTILE("fuzz-te", "te", "fuzz"),
		HOSTILE("pointers", "hvm", "pointers"),
		HOSTILE("ports", "te", "ports"),
		HOSTILE("storm", "hvm", "storm"),
		HOSTILE("vcpu-info", "te", "vcpu_info"),
		BYSTANDER,
	},
};

/*
 * Domain name passed (expect_guest_passed) with at least min checks in
 * its summary: a guest that skips the area cannot pass.
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

/* Area of the guest in both containers: "hvm-AREA" and "te-AREA". */
static void expect_area(const char *area, const char *const passes[],
			unsigned min)
{
	char name[64];

	snprintf(name, sizeof(name), "hvm-%s", area);
	expect_pv_passed(hv_boot_group("pv-hvm", &pv_hvm), name, passes, min);
	snprintf(name, sizeof(name), "te-%s", area);
	expect_pv_passed(hv_boot_group("pv-te", &pv_te), name, passes, min);
}

Test(lab6, abi_unit, .timeout = 300)
{
	expect_host_test("test_pv_abi", NULL);
}

/* CPUID's Xen leaves at 0x40000000, the hypercall page MSR, a first
 * call through the page. */
Test(lab6, discovery, .timeout = 1800)
{
	expect_area("discovery", NULL, 4);
}

/* xen_version, console_io, hvm_op parameters, -ENOSYS and -EFAULT. */
Test(lab6, hypercalls, .timeout = 1800)
{
	expect_area("hypercalls", NULL, 8);
}

/* memory_op: the memory map, shared_info placed, ballooning. */
Test(lab6, memory_op, .timeout = 1800)
{
	expect_area("memory", NULL, 5);
}

/* vcpu_op and sched_op: vcpu_info moved, runstate, timers, block, poll. */
Test(lab6, vcpu_sched, .timeout = 1800)
{
	expect_area("vcpu", NULL, 6);
}

/* Event channels within a domain: IPI, VIRQ_TIMER, mask and unmask,
 * status, close, the upcall through the callback vector. */
Test(lab6, evtchn_local, .timeout = 1800)
{
	expect_area("evtchn", NULL, 8);
}

/* pvclock: version protocol, monotonic, agrees with the timer; wallclock. */
Test(lab6, pvclock, .timeout = 1800)
{
	expect_area("pvclock", NULL, 4);
}

/* The same ELF passes every area in both containers with as many checks. */
Test(lab6, same_binary, .timeout = 1800)
{
	static const char *const areas[] = { "discovery", "hypercalls",
					     "memory",	  "vcpu",
					     "evtchn",	  "pvclock" };
	struct hv_run *hvm = hv_boot_group("pv-hvm", &pv_hvm),
		      *te = hv_boot_group("pv-te", &pv_te);

	for (size_t i = 0; i < sizeof(areas) / sizeof(areas[0]); i++) {
		char a[64], b[64];
		const struct hv_line *la, *lb;

		snprintf(a, sizeof(a), "hvm-%s: SUMMARY: ", areas[i]);
		snprintf(b, sizeof(b), "te-%s: SUMMARY: ", areas[i]);
		la = hv_find_result_with(hvm, a, "");
		lb = hv_find_result_with(te, b, "");
		cr_expect(la && lb &&
				  strcmp(la->text + strlen(a),
					 lb->text + strlen(b)) == 0,
			  "[wrong result] %s: the containers differ: \"%s\" "
			  "vs \"%s\"\n    logs: %s, %s",
			  areas[i], la ? la->text : "no summary",
			  lb ? lb->text : "no summary", hvm->log, te->log);
	}
	expect_no_panic(hvm);
	expect_no_panic(te);
}

/* Interdomain ping-pong in each container and across them. */
Test(lab6, evtchn_interdomain, .timeout = 1800)
{
	static const char *const pairs[][2] = { { "ping-hvm", "pong-hvm" },
						{ "ping-te", "pong-te" },
						{ "ping-x", "pong-x" } };
	struct hv_run *r = hv_boot_group("pv-pair", &pv_pair);

	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		expect_pv_passed(r, pairs[i][0], NULL, 3);
		expect_pv_passed(r, pairs[i][1], NULL, 3);
	}
}

/* SCHEDOP_shutdown(crash) crashes the domain with that reason;
 * SCHEDOP_shutdown_code then poweroff exits with the code's status. */
Test(lab6, shutdown_reasons, .timeout = 1800)
{
	struct hv_run *r = hv_boot_group("pv-pair", &pv_pair);

	expect_crash_with(r, "down-crash", "crash");
	cr_expect(hv_find_output(r, "down-crash: after shutdown") == NULL,
		  "[wrong result] down-crash ran on after SHUTDOWN_crash\n"
		  "    log: %s",
		  r->log);
	expect_domain_exit(r, "down-code", 0);
	expect_no_panic(r);
}

/* Random hypercalls, bad pointers, port exhaustion, storms: each
 * attacker sees errors, the bystander finishes, nothing panics. */
Test(lab6, hostile, .timeout = 1800)
{
	static const char *const names[] = {
		"fuzz-hvm", "fuzz-te", "pointers", "ports", "storm", "vcpu-info"
	};
	static const char *const bystander[] = { "protected mode: CR0.PE set",
						 NULL };
	struct hv_run *r = hv_boot_group("pv-hostile", &pv_hostile);

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		expect_pv_passed(r, names[i], NULL, 1);
	expect_guest_passed(r, "bystander", bystander);
	expect_no_panic(r);
}
