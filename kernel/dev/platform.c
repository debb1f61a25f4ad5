/*
 * platform.c - the PC devices of an hvm domain (kernel/dev/platform.h).
 */
#include <inc/x86.h>
#include <kernel/kernel.h>
#include <kernel/domain.h>
#include <kernel/dev/platform.h>
#include <kernel/dev/irq.h>
#include <kernel/dev/fw_cfg.h>
#include <pv/pv.h>

int platform_init(struct domain *d)
{
	int r = irq_init(d);

	if (r == 0)
		r = rtc_init(d);
	if (r == 0)
		r = pci_init(d);
	if (r == 0)
		r = pm_init(d);
	if (r == 0)
		r = fw_cfg_init(d);
	if (r == 0 && d->config->xen_platform)
		r = hvm_platform_init(d);
	return r;
}

/* The PIT's owed ticks wait until its line's last edge was taken. */
void platform_poll(struct domain *d)
{
	uint64_t now;

	if (pit_armed(&d->irq.pit) && pit_due(&d->irq.pit, now = rdtsc()) &&
	    !irq_waiting(d, PLATFORM_IRQ_PIT)) {
		pit_raised(&d->irq.pit, now);
		irq_pulse(d, PLATFORM_IRQ_PIT);
	}
	/* A flag whose interrupt is off comes due when register C is read. */
	if (d->chipset.rtc.ram[RTC_B] & (RTC_B_PIE | RTC_B_AIE | RTC_B_UIE))
		rtc_poll(d);
}

uint64_t platform_next_event(struct domain *d)
{
	if (!pit_armed(&d->irq.pit) || irq_waiting(d, PLATFORM_IRQ_PIT))
		return 0;
	return pit_next(&d->irq.pit, rdtsc());
}

bool platform_armed(struct domain *d)
{
	return d->type == DOMAIN_HVM && (pit_armed(&d->irq.pit) ||
					 (d->chipset.rtc.ram[RTC_B] &
					  (RTC_B_PIE | RTC_B_AIE | RTC_B_UIE)));
}
