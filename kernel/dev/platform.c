/*
 * platform.c - the PC devices of an hvm domain (kernel/dev/platform.h).
 */
#include <kernel/kernel.h>
#include <kernel/domain.h>
#include <kernel/dev/platform.h>

int platform_init(struct domain *d)
{
	int r = rtc_init(d);

	if (r == 0)
		r = pci_init(d);
	if (r == 0)
		r = pm_init(d);
	return r;
}

void platform_poll(struct domain *d)
{
	rtc_poll(d);
}
