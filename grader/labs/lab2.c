/*
 * lab2.c - lab 2 (trap-and-emulate): guests of type "te" at CPL 3 with
 * their privileged instructions emulated (LLDT/LTR with their descriptor
 * checks, MOV CR with the #GP(0) of every value a 64-bit CPU refuses),
 * faults and the virtual timer reflected to their own IDT with the frame
 * a CPU builds, the Popek-Goldberg guest with and without UMIP, a guest
 * crash that stays in its domain, and all of it on a CPU model without
 * SVM.  Guests: guests/te-*.  Points: lab2.points.
 */
#include <criterion/criterion.h>
#include "../grader.h"

/* A CPU model without hardware virtualization (and without UMIP). */
#define CPU_NO_VIRT "qemu64,-svm"
/* Without SVM, with UMIP. */
#define CPU_UMIP "max,-svm"

#define TE_DOMAIN(n)                                                       \
	{                                                                  \
		"te-" n, "name = \"te-" n "\"\ntype = \"te\"\n"            \
			 "kernel = \"guests/te-" n ".elf\"\nmemory = 16\n" \
	}

Test(lab2, hello, .timeout = 400)
{
	struct hv_run *r = hv_boot(&(struct hv_cfg){
		.domains = { TE_DOMAIN("hello") }, .qemu_cpu = CPU_UMIP });

	expect_result(r, "te-hello: PASS: running at CPL 3 (cs=0x23)");
	expect_result(r, "te-hello: PASS: mov to cr0 sets TS");
	expect_result(r, "te-hello: PASS: rdmsr of an unknown MSR is #GP(0)");
	expect_domain_exit(r, "te-hello", 0);
	expect_exit(r, 0);
}

/* te_emul_load_sel: the descriptor checks of SDM 2 "LLDT" and "LTR". */
Test(lab2, descriptor_tables, .timeout = 400)
{
	struct hv_run *r = hv_boot(&(struct hv_cfg){
		.domains = { TE_DOMAIN("hello") }, .qemu_cpu = CPU_UMIP });

	expect_result(r, "te-hello: PASS: ltr 0x18 loads the TSS and marks it "
			 "busy");
	expect_result(r, "te-hello: PASS: ltr of a busy TSS is #GP(0x18)");
	expect_result(r, "te-hello: PASS: ltr of a code segment is #GP(0x8)");
	expect_result(r, "te-hello: PASS: ltr of a null selector is #GP(0)");
	expect_result(r, "te-hello: PASS: ltr of a not-present TSS is "
			 "#NP(0x38)");
	expect_result(r, "te-hello: PASS: lldt of a TSS is #GP(0x18)");
	/* SLDT, STR and SGDT are checked too where UMIP makes them trap. */
	expect_domain_exit(r, "te-hello", 0);
}

/* te_emul_read_cr/te_emul_write_cr: legal writes and every #GP(0). */
Test(lab2, control_registers, .timeout = 400)
{
	struct hv_run *r = hv_boot(&(struct hv_cfg){
		.domains = { TE_DOMAIN("cr") }, .qemu_cpu = CPU_UMIP });

	expect_result(r, "te-cr: PASS: cr0: PG without PE is #GP(0)");
	expect_result(r, "te-cr: PASS: cr0: NW without CD is #GP(0)");
	expect_result(r, "te-cr: PASS: cr3: a bit at MAXPHYADDR is #GP(0)");
	expect_result(r, "te-cr: PASS: cr4: reserved bits 15 and 63 are "
			 "#GP(0)");
	expect_result(r, "te-cr: PASS: cr4: VMXE and SMXE follow CPUID.1:ECX");
	expect_result(r, "te-cr: PASS: cr8: 16 is #GP(0)");
	expect_domain_exit(r, "te-cr", 0);
}

Test(lab2, interrupts, .timeout = 400)
{
	struct hv_run *r = hv_boot(&(struct hv_cfg){
		.domains = { TE_DOMAIN("intr") }, .qemu_cpu = CPU_UMIP });

	expect_result(r, "te-intr: PASS: #PF beyond guest RAM: error 0x0 cr2 "
			 "0x40000000");
	expect_result(
		r, "te-intr: PASS: hlt with IF set wakes on the virtual timer");
	expect_result(r, "te-intr: PASS: iretq restored the virtual IF");
	expect_domain_exit(r, "te-intr", 0);
}

/* te_reflect: where the frame goes and what it holds, gate by gate. */
Test(lab2, reflection_frame, .timeout = 400)
{
	struct hv_run *r = hv_boot(&(struct hv_cfg){
		.domains = { TE_DOMAIN("intr") }, .qemu_cpu = CPU_UMIP });

	expect_result(r, "te-intr: PASS: int $0x40 at rsp % 16 = 8: frame and "
			 "virtual IF");
	expect_result(r, "te-intr: PASS: trap gate at rsp % 16 = 0: frame, IF "
			 "left set");
	expect_result(r, "te-intr: PASS: #PF at rsp % 16 = 8: frame and error "
			 "code 0x2");
	expect_domain_exit(r, "te-intr", 0);
}

Test(lab2, popek_goldberg, .timeout = 400)
{
	struct hv_run *r = hv_boot(
		&(struct hv_cfg){ .domains = { TE_DOMAIN("pg") },
				  .cmdline = "te_umip=0",
				  .qemu_cpu = CPU_UMIP });

	expect_result(r, "te-pg: PASS: sensitive: popf with IF=0 silently left "
			 "the virtual IF set");
	expect_result(
		r,
		"te-pg: PASS: sensitive: sgdt without UMIP shows the host GDT");
	expect_domain_exit(r, "te-pg", 0);
}

Test(lab2, popek_goldberg_umip, .timeout = 400)
{
	struct hv_run *r = hv_boot(
		&(struct hv_cfg){ .domains = { TE_DOMAIN("pg") },
				  .qemu_cpu = CPU_UMIP,
				  .needs_qemu_cpu = 1 });

	expect_result(r, "te-pg: PASS: umip: sgdt shows the guest's own GDT");
	expect_result(r, "te-pg: PASS: umip: smsw shows the virtual CR0.TS");
	expect_result(r, "te-pg: PASS: umip: sgdt beyond guest RAM: #PF error "
			 "0x2 cr2 0x40000000");
	expect_domain_exit(r, "te-pg", 0);
}

Test(lab2, crash_isolated, .timeout = 400)
{
	struct hv_run *r = hv_boot(&(struct hv_cfg){
		.domains = { TE_DOMAIN("crash"), TE_DOMAIN("hello") },
		.qemu_cpu = CPU_UMIP });

	expect_result(r, "domain te-crash: crashed (triple fault)");
	expect_domain_exit(r, "te-hello", 0);
	expect_failure_exit(r);
}

Test(lab2, no_hardware, .timeout = 400)
{
	struct hv_run *r = hv_boot(&(struct hv_cfg){
		.domains = { TE_DOMAIN("hello"),
			     TE_DOMAIN("intr"),
			     TE_DOMAIN("cr"),
			     TE_DOMAIN("pg"),
			     { "hvm", "name = \"hvm\"\n"
				      "kernel = \"guests/hello.elf\"\n"
				      "memory = 16\n" } },
		.qemu_cpu = CPU_NO_VIRT,
		.needs_qemu_cpu = 1 });

	/* The hvm domain cannot start without VT-x or SVM; te runs anyway. */
	expect_result(r, "domain hvm: crashed (failed to start)");
	expect_output(r, "needs VT-x or SVM");
	expect_domain_exit(r, "te-hello", 0);
	expect_domain_exit(r, "te-intr", 0);
	expect_domain_exit(r, "te-cr", 0);
	expect_domain_exit(r, "te-pg", 0);
	expect_failure_exit(r);
}
