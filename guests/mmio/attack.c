/*
 * attack.c - the MMIO guest's hostile modes (lab 5), chosen by extra
 * "attack=NAME".  Each must end only this domain, with a clear reason,
 * or finish without starving its neighbours:
 *
 *   sse    MOVDQA from the device: the emulator has no SSE, the domain
 *          crashes with the instruction's bytes
 *   x87    FILD from the device: likewise
 *   exec   a jump into the device's page: crashed for executing MMIO
 *   rep    REP STOSB of millions of bytes (extra "bytes=N": fewer) over
 *          a window aliasing the device: emulated a bounded batch per
 *          exit, it completes
 */
#include <guests/mmio/mmio.h>
#include <guests/lib/pt.h>

#define FLOOD_BYTES (4u << 20)

static void attack_sse(void)
{
	pt_write_cr4(pt_read_cr4() | CR4_OSFXSR);
	pt_write_cr0(pt_read_cr0() & ~(uintptr_t)(CR0_EM | CR0_TS));
	__asm__ volatile("movdqa (%0), %%xmm0"
			 :
			 : "r"((uintptr_t)WIN_DEV)
			 : "memory");
}

static void attack_x87(void)
{
	pt_write_cr0(pt_read_cr0() & ~(uintptr_t)(CR0_EM | CR0_TS));
	__asm__ volatile("fninit; fildl (%0)"
			 :
			 : "r"((uintptr_t)WIN_DEV)
			 : "memory");
}

static void attack_exec(void)
{
	((void (*)(void))(uintptr_t)WIN_DEV)();
}

/*
 * FLOOD_BYTES of linear addresses, every page the device's register file:
 * one page table of 512 aliases, under as many directory entries as
 * needed.
 */
static void flood_map(uintptr_t root)
{
	uintptr_t pde, pt;
	int level = 2;

	for (uintptr_t off = 0; off < pt_large_size(); off += PT_PAGE)
		pt_map(root, WIN_FLOOD + off, TESTDEV_BASE, PTE_W);
	pde = pt_walk(root, WIN_FLOOD, &level);
	pt = pte_get(pde);
	for (uintptr_t off = pt_large_size(); off < FLOOD_BYTES;
	     off += pt_large_size()) {
		level = 2;
		pte_set(pt_walk(root, WIN_FLOOD + off, &level), pt);
	}
	pt_load(root);
}

/* extra "bytes=N" (at most FLOOD_BYTES) sets the length. */
static void attack_rep(void)
{
	uint64_t n = testdev_ctrl(TESTDEV_ACCESSES);
	uint64_t len = MIN(cmdline_u64("bytes", FLOOD_BYTES), FLOOD_BYTES);

	flood_map(pt_read_cr3());
	cpu = (struct cpu){ .ax = 0xa5,
			    .cx = (uintptr_t)len,
			    .di = WIN_FLOOD,
			    .fl = X86_FLAGS_FIXED };
	CPU_RUN("rep stosb");
	n = testdev_ctrl(TESTDEV_ACCESSES) - n;
	report(cpu.cx == 0 && n == len,
	       "mmio: REP STOSB of %llu bytes into the device: %llu accesses",
	       (unsigned long long)len, (unsigned long long)n);
}

bool mmio_attack(void)
{
	static const struct {
		const char *name;
		void (*fn)(void);
		bool returns; /* else the domain must have been crashed */
	} attacks[] = {
		{ "sse", attack_sse, false },
		{ "x87", attack_x87, false },
		{ "exec", attack_exec, false },
		{ "rep", attack_rep, true },
	};
	char name[16];

	if (!cmdline_get("attack", name, sizeof(name)))
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(attacks); i++)
		if (strcmp(name, attacks[i].name) == 0) {
			printf("mmio: attack %s\n", name);
			attacks[i].fn();
			if (!attacks[i].returns)
				report(false, "mmio: attack %s: still running",
				       name);
			return true;
		}
	report(false, "mmio: unknown attack \"%s\"", name);
	return true;
}
