/*
 * main.c - kernel_main: bring the hypervisor up, run the domains, power off
 * (lab 1 brings up console, descriptors, memory and the clock; domains
 * arrive in lab 2).
 */
#include <inc/boot_info.h>
#include <inc/x86.h>
#include <kernel/clock.h>
#include <kernel/domain.h>
#include <kernel/gdt.h>
#include <kernel/kernel.h>
#include <kernel/mm/page.h>
#include <kernel/symbols.h>
#include <kernel/trap.h>
#include <kernel/mm/vm.h>

#define MIN_RAM_MIB 128

/* Called by entry.S with the loader's boot_info; never returns. */
void kernel_main(struct boot_info *bi);

/* Stops with a clear message unless the loader speaks our boot_info. */
static void main_check_boot_info(const struct boot_info *bi)
{
	if ((uint64_t)bi < DIRECTMAP_BASE) {
		cprintf("hvlab: boot_info at %p is not a direct-map address\n",
			bi);
		power_off(1);
	}
	if (bi->magic != BOOT_INFO_MAGIC) {
		cprintf("hvlab: bad boot_info at %p: magic 0x%llx, expected "
			"0x%llx\n",
			bi, (unsigned long long)bi->magic,
			(unsigned long long)BOOT_INFO_MAGIC);
		power_off(1);
	}
	if (bi->size != sizeof(*bi)) {
		cprintf("hvlab: boot_info size %llu, kernel expects %zu: "
			"loader and kernel are from different builds\n",
			(unsigned long long)bi->size, sizeof(*bi));
		power_off(1);
	}
	if (bi->nregions > BOOT_MAX_REGIONS || bi->nfiles > BOOT_MAX_FILES ||
	    strnlen(bi->cmdline, sizeof(bi->cmdline)) == sizeof(bi->cmdline)) {
		cprintf("hvlab: boot_info: nregions %u (max %d), nfiles %u "
			"(max %d) or an unterminated cmdline\n",
			bi->nregions, BOOT_MAX_REGIONS, bi->nfiles,
			BOOT_MAX_FILES);
		power_off(1);
	}
}

static void main_check_ram(void)
{
	size_t mib = page_total_count() >> (20 - PAGE_SHIFT);

	if (mib < MIN_RAM_MIB) {
		cprintf("hvlab: only %zu MiB of usable RAM; hvlab needs at "
			"least %d MiB\n",
			mib, MIN_RAM_MIB);
		power_off(1);
	}
}

/*
 * selftest=fault|panic|ud: prove the failure paths work end to end.  Kept
 * out of line so the backtrace shows a frame below kernel_main.
 */
static __attribute__((noinline)) void main_selftest(const char *what)
{
	if (!what)
		return;
	cprintf("hvlab: selftest %s\n", what);
	if (strcmp(what, "fault") == 0)
		cprintf("read %llx\n",
			*(volatile unsigned long long *)0xdead000);
	else if (strcmp(what, "panic") == 0)
		panic("main_selftest: panic requested on the command line");
	else if (strcmp(what, "ud") == 0)
		__asm__ volatile("ud2");
	cprintf("hvlab: unknown selftest \"%s\" (fault, panic, ud)\n", what);
	power_off(1);
}

/* Lists the domain configs the loader found (domains are created from lab 2 on). */
static void main_list_domains(const struct boot_info *bi)
{
	int n = 0;

	for (uint32_t i = 0; i < bi->nfiles; i++) {
		if (!domain_is_config(bi->files[i].name))
			continue;
		cprintf("hvlab: domain config %s (%llu bytes)\n",
			bi->files[i].name,
			(unsigned long long)bi->files[i].size);
		n++;
	}
	cprintf("hvlab: %d domain configs\n", n);
}

void kernel_main(struct boot_info *bi)
{
	uint64_t tsc_entry = rdtsc();

	cons_init();
	main_check_boot_info(bi);
	power_init(bi);
	cmdline_init(bi);
	cprintf("hvlab: a teaching hypervisor (lab %d)\n", LAB);
	cprintf("hvlab: built with %s, SOL=%d, cmdline \"%s\"\n", __VERSION__,
		SOL, bi->cmdline);
	gdt_init();
	trap_init();
	symbols_init(bi);
	page_init(bi);
	page_print_summary(bi);
	main_check_ram();
	check_page_alloc();
	vm_init(bi);
	check_vm();
	clock_init();
	main_selftest(cmdline_get("selftest"));
	cprintf("hvlab: ready in %llu us\n",
		(unsigned long long)clock_tsc_to_us(rdtsc() - tsc_entry));
	main_list_domains(bi);
#if LAB >= 2
	power_off(domain_run_all(bi));
#else
	power_off(0);
#endif
}
