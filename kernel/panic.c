/*
 * panic.c - _panic: report a hypervisor bug with file:line, the control
 * registers and a symbolized backtrace, then power off with status 1
 * (lab 1).  A panic raised while panicking stops at once.
 */
#include <inc/x86.h>
#include <kernel/kernel.h>
#include <kernel/symbols.h>

static bool panicking;

void _panic(const char *file, int line, const char *fmt, ...)
{
	uint64_t rbp = read_rbp();
	va_list ap;

	cli();
	if (panicking) {
		cprintf("hvlab: recursive panic at %s:%d\n", file, line);
		power_off(1);
	}
	panicking = true;
	cprintf("hvlab: panic at %s:%d: ", file, line);
	va_start(ap, fmt);
	vcprintf(fmt, ap);
	va_end(ap);
	cprintf("\n");
	cprintf("  rsp=%016llx rbp=%016llx rflags=%016llx\n",
		(unsigned long long)(uintptr_t)__builtin_frame_address(0),
		(unsigned long long)rbp, (unsigned long long)read_rflags());
	cprintf("  cr0=%016llx cr2=%016llx cr3=%016llx cr4=%016llx\n",
		(unsigned long long)read_cr0(), (unsigned long long)read_cr2(),
		(unsigned long long)read_cr3(), (unsigned long long)read_cr4());
	symbols_backtrace((uint64_t)_panic, rbp);
	power_off(1);
}
