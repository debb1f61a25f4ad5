/*
 * platform.c - the PC devices of an hvm domain (kernel/dev/platform.h).
 */
#include <kernel/kernel.h>
#include <kernel/domain.h>
#include <kernel/dev/platform.h>

int platform_init(struct domain *d)
{
	(void)d;
	return 0;
}

void platform_poll(struct domain *d)
{
	(void)d;
}
