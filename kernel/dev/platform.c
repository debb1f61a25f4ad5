/*
 * platform.c - the PC devices of an hvm domain (kernel/dev/platform.h).
 */
#include <kernel/kernel.h>
#include <kernel/domain.h>
#include <kernel/dev/platform.h>
#include <kernel/dev/fw_cfg.h>

int platform_init(struct domain *d)
{
	return fw_cfg_init(d);
}

void platform_poll(struct domain *d)
{
	(void)d;
}
