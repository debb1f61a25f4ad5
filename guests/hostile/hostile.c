/*
 * hostile.c - a guest that attacks the hypervisor (lab 3): attack=NAME on
 * the command line picks one family (io, msr, insn, storm, mem, mmio,
 * high, top, ptwalk, triple, halt, xsave).  Attacks the hypervisor must
 * answer with a fault report PASS; the ones that must end the domain print
 * what they do first, and the grader checks the hypervisor's "crashed (...)"
 * line.  The configs give the domain 16 MiB.
 */
#include <guests/hostile/hostile.h>

#define RAM_END	      0x1000000
#define MMIO_HOLE     0xfeb00000 /* below the IOAPIC: no device */
#define STORM_DEFAULT 1000000

/* CPUID and port-I/O exits in a tight loop: n of each (n= on the line). */
static void attack_storm(void)
{
	uint32_t n = (uint32_t)cmdline_u64("n", STORM_DEFAULT), i, sum = 0;
	for (i = 0; i < n; i++)
		sum += cpuid(0, 0).eax != 0;
	for (i = 0; i < n; i++)
		outb(0x80, (uint8_t)i);
	report(sum == n, "%u CPUID and %u OUT exits", n, n);
}

void main(void)
{
	char attack[16];

	trap_init();
	if (!cmdline_get("attack", attack, sizeof(attack)))
		attack[0] = '\0';
	if (strcmp(attack, "io") == 0)
		attack_io();
	else if (strcmp(attack, "msr") == 0)
		attack_msr();
	else if (strcmp(attack, "insn") == 0)
		attack_insn();
	else if (strcmp(attack, "storm") == 0)
		attack_storm();
	else if (strcmp(attack, "mem") == 0)
		attack_mem(RAM_END, false);
	else if (strcmp(attack, "mmio") == 0)
		attack_mem(MMIO_HOLE, true);
	else if (strcmp(attack, "high") == 0 || strcmp(attack, "top") == 0)
		attack_high(attack[0] == 't');
	else if (strcmp(attack, "ptwalk") == 0)
		attack_ptwalk(2 * RAM_END);
	else if (strcmp(attack, "triple") == 0)
		attack_rep_triple();
	else if (strcmp(attack, "halt") == 0)
		attack_halt();
	else if (strcmp(attack, "xsave") == 0)
		attack_xsave();
	else
		report(false, "attack=\"%s\": no such attack", attack);
}
