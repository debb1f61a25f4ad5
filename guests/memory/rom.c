/*
 * rom.c - read-only RAM (lab 5): the guest makes one of its own pages
 * HVMMEM_ram_ro with Xen's HVMOP_set_mem_type.  Reads and instruction
 * fetches from it still work; a MOV to it, and the tail of a REP STOSB
 * that starts in the RAM page below, leave it unchanged (the RAM part is
 * written) and are counted by TESTDEV_ROM_WRITES; HVMOP_get_mem_type
 * says ram_ro; made ram_rw again, it takes writes.  Bad arguments get
 * Xen's -EINVAL.
 */
#include <guests/memory/memory.h>

#define ROM_PAGE (TEST_BASE + MIB(8))
#define ROM_DATA (ROM_PAGE + 0x800)
#define ROM_FILL 0xa5
#define STOS_LEN 32 /* bytes: half below ROM_PAGE, half in it */

/* mov $0x1234, %eax; ret */
static const uint8_t rom_code[] = { 0xb8, 0x34, 0x12, 0x00, 0x00, 0xc3 };

static uint32_t call_rom(void)
{
	return ((uint32_t(*)(void))(uintptr_t)ROM_PAGE)();
}

/* Bytes of [gpa, gpa + n) that differ from v. */
static unsigned count_not(uint64_t gpa, size_t n, uint8_t v)
{
	unsigned bad = 0;

	for (size_t i = 0; i < n; i++)
		bad += ((volatile uint8_t *)(uintptr_t)gpa)[i] != v;
	return bad;
}

static void rom_fill(void)
{
	memset((void *)(uintptr_t)(ROM_PAGE - PAGE), ROM_FILL, 2 * PAGE);
	memcpy((void *)(uintptr_t)ROM_PAGE, rom_code, sizeof(rom_code));
	poke64(ROM_DATA, 0x1122334455667788ULL);
}

/* REP STOSB of STOS_LEN bytes of v across the RAM/ROM boundary. */
static void stos_across(uint8_t v)
{
	uint64_t dst = ROM_PAGE - STOS_LEN / 2, n = STOS_LEN;

	__asm__ volatile("rep stosb" : "+D"(dst), "+c"(n) : "a"(v) : "memory");
}

static void rom_writes(void)
{
	uint64_t w0 = testdev_get(TESTDEV_ROM_WRITES), w1, w2;
	unsigned ram_bad;

	poke64(ROM_DATA, 0xdeadbeef);
	w1 = testdev_get(TESTDEV_ROM_WRITES);
	report(peek64(ROM_DATA) == 0x1122334455667788ULL && w1 == w0 + 1,
	       "rom: a MOV to read-only RAM is dropped and counted "
	       "(%lu dropped)",
	       w1 - w0);
	stos_across(0x5a);
	w2 = testdev_get(TESTDEV_ROM_WRITES);
	ram_bad = count_not(ROM_PAGE - STOS_LEN / 2, STOS_LEN / 2, 0x5a);
	report(ram_bad == 0 &&
		       memcmp((void *)(uintptr_t)ROM_PAGE, rom_code,
			      sizeof(rom_code)) == 0 &&
		       count_not(ROM_PAGE + sizeof(rom_code),
				 STOS_LEN / 2 - sizeof(rom_code),
				 ROM_FILL) == 0 &&
		       w2 > w1,
	       "rom: REP STOSB from RAM into read-only RAM writes the RAM "
	       "part only (%u wrong RAM bytes, %lu more dropped)",
	       ram_bad, w2 - w1);
}

static void rom_args(void)
{
	uint64_t pages = guest_memory() / PAGE;

	report(hvm_set_mem_type(pages, 1, HVMMEM_ram_ro) == -XEN_EINVAL,
	       "rom: set_mem_type beyond the domain's memory: -EINVAL");
	report(hvm_set_mem_type(pages - 1, 2, HVMMEM_ram_ro) == -XEN_EINVAL,
	       "rom: set_mem_type of a range crossing the end: -EINVAL");
	report(hvm_set_mem_type(ROM_PAGE / PAGE, 1, 0x7777) == -XEN_EINVAL,
	       "rom: set_mem_type to an unknown type: -EINVAL");
}

void test_rom(void)
{
	uint64_t pfn = ROM_PAGE / PAGE, w;

	rom_fill();
	report(hvm_get_mem_type(pfn) == HVMMEM_ram_rw,
	       "rom: get_mem_type of RAM: ram_rw");
	if (!report(hvm_set_mem_type(pfn, 1, HVMMEM_ram_ro) == 0,
		    "rom: set_mem_type ram_ro"))
		return;
	report(hvm_get_mem_type(pfn) == HVMMEM_ram_ro,
	       "rom: get_mem_type: ram_ro");
	report(peek64(ROM_DATA) == 0x1122334455667788ULL &&
		       call_rom() == 0x1234,
	       "rom: reads and instruction fetches from read-only RAM work");
	rom_writes();
	report(hvm_set_mem_type(pfn, 1, HVMMEM_ram_rw) == 0 &&
		       hvm_get_mem_type(pfn) == HVMMEM_ram_rw,
	       "rom: set_mem_type back to ram_rw");
	w = testdev_get(TESTDEV_ROM_WRITES);
	poke64(ROM_DATA, 0xfeedf00d);
	report(peek64(ROM_DATA) == 0xfeedf00d &&
		       testdev_get(TESTDEV_ROM_WRITES) == w,
	       "rom: RAM again takes writes");
	rom_args();
}
