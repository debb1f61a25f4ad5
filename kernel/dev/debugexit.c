/*
 * debugexit.c - the exit device at port 0xf4 (labs 2 and 3), after QEMU's
 * isa-debug-exit: a guest ends by writing its exit status there, and the
 * hypervisor prints "domain NAME: exit STATUS" as a result line.  Reads
 * return all ones, as from an empty port.
 */
#include <kernel/kernel.h>
#include <kernel/domain.h>
#include <kernel/dev/io.h>
#include <kernel/dev/debugexit.h>

#define DEBUGEXIT_PORT 0xf4
#define DEBUGEXIT_LEN  4

static int debugexit_io(struct domain *d, void *opaque, uint64_t port,
			unsigned size, bool write, uint64_t *val)
{
	uint64_t ones = ~0ULL >> (64 - 8 * size);

	if (!write)
		*val = ones;
	else if (port == DEBUGEXIT_PORT)
		domain_exit(d, (int)(*val & ones));
	return 0;
}

int debugexit_init(struct domain *d)
{
	return io_register_port(d, DEBUGEXIT_PORT, DEBUGEXIT_LEN, debugexit_io,
				NULL, "debug-exit");
}
