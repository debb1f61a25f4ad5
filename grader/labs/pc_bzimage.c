/*
 * pc_bzimage.c - hostile Linux kernels: bzImages whose setup header lies
 * about their sizes (kernel/load/linux.c).  Only the domain that names
 * one fails to start, with the loader's reason naming its config, its
 * file and the field; the other domains run.  The images
 * are built here from a setup header, as tests/test_image.c does for the
 * loader's unit tests, so no Linux download is needed: an honest one whose
 * 64-bit entry writes 0 to the exit port, and copies of it with one lie
 * each.  Points: pc.points.
 *
 * Bugs these tests catch, bug: the tests that fail (each measured):
 *   linux_check not comparing syssize with the file's size: bzimage_lies
 *   linux_load not checking init_size against guest memory: bzimage_lies
 */
#include <string.h>
#include <criterion/criterion.h>
#include <kernel/load/bootparam.h>
#include "../grader.h"
#include "../../tests/bzimage.h"

#define BZ_SIZE	  0x2000 /* setup: 2 sectors, then the protected-mode code */
#define BZ_SETUP  0x400
#define BZ_MEMORY "memory = 16\n"

/* One image per domain, named as the domain. */
enum {
	BZ_GOOD,
	BZ_SYSSIZE,
	BZ_SETUP_SECTS,
	BZ_INIT_SIZE,
	BZ_CMDLINE,
	BZ_N
};

static uint8_t bz_images[BZ_N][BZ_SIZE];

/*
 * An honest bzImage: protocol 2.15, 64-bit entry, loaded at 2 MiB; its
 * entry (pref_address + 0x200) is xor eax, eax; out 0xf4, al; hlt.
 */
static struct setup_header *bz_build(uint8_t *img)
{
	static const uint8_t entry[] = { 0x31, 0xc0, 0xe6, 0xf4,
					 0xf4, 0xeb, 0xfd };

	memset(img, 0, BZ_SIZE);
	memcpy(img + BZ_SETUP + BP_ENTRY64_OFFSET, entry, sizeof(entry));
	return bzimage_header(img, BZ_SETUP / 512 - 1, BZ_SIZE - BZ_SETUP);
}

/* The honest image and its liars, each one field off. */
static void bz_build_all(void)
{
	bz_build(bz_images[BZ_GOOD]);
	bz_build(bz_images[BZ_SYSSIZE])->syssize = 0x10000; /* 1 MiB */
	bz_build(bz_images[BZ_SETUP_SECTS])->setup_sects = 200;
	bz_build(bz_images[BZ_INIT_SIZE])->init_size = 64 << 20;
	bz_build(bz_images[BZ_CMDLINE])->cmdline_size = 8;
}

/* A domain booting the image of its own name, with a command line. */
#define BZ_DOMAIN(name)                                                \
	{                                                              \
		name, "name   = \"" name "\"\nkernel = \"" name "\"\n" \
		      "extra  = \"console=ttyS0\"\n" BZ_MEMORY         \
	}
#define BZ_FILE(name, i)                                 \
	{                                                \
		name, bz_images[i], sizeof(bz_images[i]) \
	}

static const struct hv_cfg bz_cfg = {
	.needs_virt = 1,
	.domains = {
		{ "hello", "name   = \"hello\"\nkernel = \"guests/hello.elf\"\n"
			   BZ_MEMORY },
		BZ_DOMAIN("bzgood"),
		BZ_DOMAIN("bzsyssize"),
		BZ_DOMAIN("bzsetup"),
		BZ_DOMAIN("bzinit"),
		BZ_DOMAIN("bzcmdline"),
	},
	.files = {
		BZ_FILE("bzgood", BZ_GOOD),
		BZ_FILE("bzsyssize", BZ_SYSSIZE),
		BZ_FILE("bzsetup", BZ_SETUP_SECTS),
		BZ_FILE("bzinit", BZ_INIT_SIZE),
		BZ_FILE("bzcmdline", BZ_CMDLINE),
	},
};

Test(pc, bzimage_lies, .timeout = 900)
{
	struct hv_run *r;

	bz_build_all();
	r = hv_boot(&bz_cfg);
	expect_output(r, "domain bzsyssize: domains/bzsyssize.cfg:2: kernel "
			 "\"bzsyssize\": truncated: setup_sects 1 and syssize "
			 "65536 need 1049600 bytes, the file has 8192");
	expect_crash_with(r, "bzsyssize", "failed to start");
	expect_output(r, "domain bzsetup: domains/bzsetup.cfg:2: kernel "
			 "\"bzsetup\": truncated: setup_sects 200 and syssize "
			 "448 need 110080 bytes, the file has 8192");
	expect_crash_with(r, "bzsetup", "failed to start");
	expect_output(r, "domain bzinit: domains/bzinit.cfg:2: kernel "
			 "\"bzinit\": kernel [0x200000, 0x4200000) outside "
			 "guest memory (16 MiB)");
	expect_crash_with(r, "bzinit", "failed to start");
	expect_output(r, "domain bzcmdline: domains/bzcmdline.cfg:2: kernel "
			 "\"bzcmdline\": extra: ");
	expect_output(r, "bytes, the kernel takes 8");
	expect_crash_with(r, "bzcmdline", "failed to start");
	expect_domain_exit(r, "bzgood", 0);
	expect_guest_passed(r, "hello", NULL);
}
