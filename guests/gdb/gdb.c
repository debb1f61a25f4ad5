/*
 * gdb.c - the guest GDB debugs through hvlab's stub (kernel/gdbstub.c,
 * gdb = 1 in its config), built as an hvm guest (gdb) and as a te guest
 * (te-gdb).  tools/test-gdb-guest breaks in gdb_target by name, steps,
 * reads gdb_magic through the guest's page tables, stops in gdb_hw_target
 * at a hardware breakpoint and compares $cr3 with what the guest prints.
 */
#include <guests/lib/guest.h>

volatile uint64_t gdb_magic = 0x6864626c61627668; /* "hvlabdbh" */
volatile int gdb_calls;

/* Not static: GDB breaks in them by name. */
void gdb_target(int n);
void gdb_hw_target(void);

__attribute__((noinline)) void gdb_target(int n)
{
	gdb_calls += n;
}

__attribute__((noinline)) void gdb_hw_target(void)
{
	gdb_calls++;
}

void main(void)
{
	/* What GDB's $cr3 must show (tools/test-gdb-guest). */
	printf("cr3 0x%lx\n", read_cr3());
	for (int i = 1; i <= 3; i++)
		gdb_target(i);
	gdb_hw_target();
	report(gdb_calls == 7, "gdb_target and gdb_hw_target ran (%d calls)",
	       gdb_calls);
}
