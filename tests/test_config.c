/*
 * test_config.c - kernel/load/config.c: the xl.cfg-style domain config parser,
 * its error messages (FILE:LINE: reason), path resolution and boot-file
 * lookup.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <inc/error.h>
#include <kernel/load/config.h>

static struct domain_config cfg;
static char err[256];

static int parse(const char *text)
{
	return config_parse("domains/t.cfg", text, strlen(text), &cfg, err,
			    sizeof(err));
}

/* Expects text to be rejected with exactly the message want. */
#define expect_reject(text, want)                                          \
	do {                                                               \
		cr_expect_eq(parse(text), -E_INVAL, "accepted: %s", text); \
		cr_expect_str_eq(err, want);                               \
	} while (0)

#define MINIMAL "name = \"t\"\nkernel = \"k.elf\"\n"

Test(config, full_example)
{
	const char *text = "# a full config\n"
			   "name    = \"hello\"\n"
			   "type    = \"hvm\"            # hvm | pv | te\n"
			   "kernel  = \"guests/hello.elf\"\n"
			   "ramdisk = \"initrd.gz\"\n"
			   "extra   = \"console=ttyS0 token=\\\"x\\\"\"\n"
			   "memory  = 0x20\n"
			   "vcpus   = 2\n"
			   "disk    = [ \"file:disk0.img,xvda,w\",\n"
			   "            \"cd.iso,xvdb,r\", ]\n"
			   "vif     = [ \"mac=00:16:3e:00:00:0A\" ]\n"
			   "on_crash = \"preserve\"; boot_mode = \"long\"\r\n"
			   "on_reboot = \"destroy\"\n";

	cr_assert_eq(parse(text), 0, "%s", err);
	cr_expect_str_eq(cfg.name, "hello");
	cr_expect_eq(cfg.type, DOMAIN_HVM);
	cr_expect_str_eq(cfg.kernel.path, "guests/hello.elf");
	cr_expect_eq(cfg.kernel.line, 4);
	cr_expect_str_eq(cfg.ramdisk.path, "initrd.gz");
	cr_expect_str_eq(cfg.extra, "console=ttyS0 token=\"x\"");
	cr_expect_eq(cfg.memory_mib, 32);
	cr_expect_eq(cfg.vcpus, 2);
	cr_expect_eq(cfg.ndisks, 2);
	cr_expect_str_eq(cfg.disks[0].file.path, "disk0.img");
	cr_expect_str_eq(cfg.disks[0].vdev, "xvda");
	cr_expect(cfg.disks[0].writable);
	cr_expect_str_eq(cfg.disks[1].file.path, "cd.iso");
	cr_expect_eq(cfg.disks[1].file.line, 10);
	cr_expect_not(cfg.disks[1].writable);
	cr_expect_eq(cfg.nvifs, 1);
	cr_expect(cfg.vifs[0].has_mac);
	cr_expect_eq(cfg.vifs[0].mac[5], 0x0a);
	cr_expect_eq(cfg.on_crash, ON_CRASH_PRESERVE);
	cr_expect_eq(cfg.on_reboot, ON_CRASH_DESTROY);
	cr_expect_eq(cfg.boot_mode, BOOT_MODE_LONG);
	cr_expect_str_eq(cfg.file, "domains/t.cfg");
}

Test(config, defaults)
{
	cr_assert_eq(parse(MINIMAL), 0, "%s", err);
	cr_expect_eq(cfg.type, DOMAIN_HVM);
	cr_expect_eq(cfg.memory_mib, CONFIG_MEMORY_DEFAULT);
	cr_expect_eq(cfg.vcpus, 1);
	cr_expect_eq(cfg.on_crash, ON_CRASH_DESTROY);
	cr_expect_eq(cfg.on_reboot, ON_CRASH_RESTART);
	cr_expect_eq(cfg.boot_mode, BOOT_MODE_DEFAULT);
	cr_expect_eq(cfg.paging, PAGING_DEFAULT);
	cr_expect_eq(cfg.shadow_pages, 0);
	cr_expect_not(cfg.testdev);
	cr_expect_eq(cfg.populate, POPULATE_DEMAND);
	cr_expect_not(cfg.has_kernel_addr);
	cr_expect_eq(cfg.ramdisk.path[0], '\0');
	cr_expect_eq(cfg.ndisks, 0);
}

Test(config, flat_binary_keys)
{
	cr_assert_eq(parse(MINIMAL
			   "kernel_addr = 0x7c00\nboot_mode = \"real\"\n"),
		     0, "%s", err);
	cr_expect(cfg.has_kernel_addr);
	cr_expect_eq(cfg.kernel_addr, 0x7c00);
	cr_expect_eq(cfg.entry, 0x7c00);
	cr_expect_eq(cfg.boot_mode, BOOT_MODE_REAL);
	cr_assert_eq(parse(MINIMAL "kernel_addr = 0x7c00\nentry = 0x7c10\n"),
		     0);
	cr_expect_eq(cfg.entry, 0x7c10);
	expect_reject("name = \"t\"\nentry = 5\nkernel = \"k\"\n",
		      "domains/t.cfg:3: entry is only for flat binaries: set "
		      "kernel_addr too");
}

Test(config, types_and_enums)
{
	cr_assert_eq(parse(MINIMAL "type = \"te\"\n"), 0);
	cr_expect_eq(cfg.type, DOMAIN_TE);
	cr_assert_eq(parse(MINIMAL "type = \"pv\"\n"), 0);
	cr_expect_eq(cfg.type, DOMAIN_PV);
	expect_reject(
		MINIMAL "type = \"kvm\"\n",
		"domains/t.cfg:3: type: \"kvm\" is not one of hvm, pv, te");
	expect_reject(MINIMAL "on_crash = \"reboot\"\n",
		      "domains/t.cfg:3: on_crash: \"reboot\" is not one of "
		      "destroy, restart, preserve");
	expect_reject(MINIMAL "boot_mode = \"default\"\n",
		      "domains/t.cfg:3: boot_mode: \"default\" is not one of "
		      "real, protected, long");
	cr_expect_str_eq(config_type_name(DOMAIN_TE), "te");
	cr_expect_str_eq(config_boot_mode_name(BOOT_MODE_PROTECTED),
			 "protected");
}

Test(config, paging)
{
	cr_assert_eq(parse(MINIMAL "paging = \"shadow\"\nshadow_pages = 16\n"),
		     0, "%s", err);
	cr_expect_eq(cfg.paging, PAGING_SHADOW);
	cr_expect_eq(cfg.shadow_pages, CONFIG_SHADOW_PAGES_MIN);
	cr_assert_eq(parse(MINIMAL "paging = \"nested\"\n"
				   "shadow_pages = 0x10000\n"),
		     0, "%s", err);
	cr_expect_eq(cfg.paging, PAGING_NESTED);
	cr_expect_eq(cfg.shadow_pages, CONFIG_SHADOW_PAGES_MAX);
	cr_assert_eq(parse(MINIMAL "type = \"te\"\npaging = \"shadow\"\n"), 0,
		     "%s", err);
	cr_expect_eq(cfg.paging, PAGING_SHADOW);
	cr_assert_eq(parse(MINIMAL "type = \"te\"\n"), 0, "%s", err);
	cr_expect_eq(cfg.paging, PAGING_DEFAULT);
}

Test(config, testdev)
{
	cr_assert_eq(parse(MINIMAL "testdev = 1\n"), 0, "%s", err);
	cr_expect(cfg.testdev);
	cr_assert_eq(parse(MINIMAL "testdev = 0\n"), 0, "%s", err);
	cr_expect_not(cfg.testdev);
	expect_reject(MINIMAL "testdev = 2\n",
		      "domains/t.cfg:3: testdev: 2 is not 0 or 1");
	expect_reject(MINIMAL "\ntestdev = \"yes\"\n",
		      "domains/t.cfg:4: testdev: expected a number, got a "
		      "string");
}

Test(config, paging_errors)
{
	expect_reject(MINIMAL "paging = \"ept\"\n",
		      "domains/t.cfg:3: paging: \"ept\" is not one of nested, "
		      "shadow");
	expect_reject(MINIMAL "paging = \"default\"\n",
		      "domains/t.cfg:3: paging: \"default\" is not one of "
		      "nested, shadow");
	expect_reject(MINIMAL "paging = shadow\n",
		      "domains/t.cfg:3: paging: expected a string, got a word "
		      "shadow");
	expect_reject(MINIMAL "shadow_pages = 15\n",
		      "domains/t.cfg:3: shadow_pages: 15 out of range "
		      "16..65536");
	expect_reject(MINIMAL "shadow_pages = 65537\n",
		      "domains/t.cfg:3: shadow_pages: 65537 out of range "
		      "16..65536");
	expect_reject(MINIMAL "shadow_pages = \"512\"\n",
		      "domains/t.cfg:3: shadow_pages: expected a number, got a "
		      "string");
	/* The line is the paging key's, whichever key comes first. */
	expect_reject(MINIMAL "paging = \"nested\"\n\ntype = \"te\"\n",
		      "domains/t.cfg:3: paging \"nested\": a te domain has no "
		      "hardware paging (only \"shadow\")");
	expect_reject("type = \"te\"\n" MINIMAL "paging = \"nested\"\n",
		      "domains/t.cfg:4: paging \"nested\": a te domain has no "
		      "hardware paging (only \"shadow\")");
}

Test(config, migration)
{
	cr_assert_eq(parse(MINIMAL), 0, "%s", err);
	cr_expect_eq(cfg.migrate_after, 0);
	cr_expect_eq(cfg.save_after, 0);
	cr_assert_eq(parse(MINIMAL "migrate_after = 2\nsave_after = 3600\n"), 0,
		     "%s", err);
	cr_expect_eq(cfg.migrate_after, 2);
	cr_expect_eq(cfg.save_after, 3600);
	cr_assert_eq(parse(MINIMAL "paging = \"nested\"\nsave_after = 0\n"), 0,
		     "%s", err);
	cr_assert_eq(parse(MINIMAL "type = \"te\"\nsave_after = 0\n"), 0, "%s",
		     err);
}

Test(config, migration_errors)
{
	expect_reject(MINIMAL "migrate_after = 3601\n",
		      "domains/t.cfg:3: migrate_after: 3601 s out of range "
		      "0..3600");
	expect_reject(MINIMAL "save_after = \"2\"\n",
		      "domains/t.cfg:3: save_after: expected a number, got a "
		      "string");
	expect_reject(MINIMAL "migrate_after = 1\nmigrate_after = 2\n",
		      "domains/t.cfg:4: duplicate key \"migrate_after\" (first "
		      "set on line 3)");
	/* The line is the key's, whichever key comes first. */
	expect_reject(MINIMAL "migrate_after = 2\n\ntype = \"te\"\n",
		      "domains/t.cfg:3: migrate_after: only an hvm domain with "
		      "paging \"nested\" can be moved, not a te domain");
	expect_reject("save_after = 1\npaging = \"shadow\"\n" MINIMAL,
		      "domains/t.cfg:1: save_after: only an hvm domain with "
		      "paging \"nested\" can be moved, not one with paging "
		      "\"shadow\"");
	expect_reject(MINIMAL "type = \"pv\"\nsave_after = 5\n",
		      "domains/t.cfg:4: save_after: only an hvm domain with "
		      "paging \"nested\" can be moved, not a pv domain");
}

Test(config, populate)
{
	cr_assert_eq(parse(MINIMAL "populate = \"eager\"\n"), 0, "%s", err);
	cr_expect_eq(cfg.populate, POPULATE_EAGER);
	cr_assert_eq(parse(MINIMAL "populate = \"demand\"\n"), 0, "%s", err);
	cr_expect_eq(cfg.populate, POPULATE_DEMAND);
	expect_reject(MINIMAL "\npopulate = \"lazy\"\n",
		      "domains/t.cfg:4: populate: \"lazy\" is not one of "
		      "demand, eager");
	expect_reject(MINIMAL "populate = 1\n",
		      "domains/t.cfg:3: populate: expected a string, got a "
		      "number");
	expect_reject(MINIMAL "populate = \"eager\"\npopulate = \"eager\"\n",
		      "domains/t.cfg:4: duplicate key \"populate\" (first set "
		      "on line 3)");
}

Test(config, unknown_and_duplicate_keys)
{
	expect_reject(MINIMAL "\nmemroy = 16\n",
		      "domains/t.cfg:4: unknown key \"memroy\"");
	expect_reject("name = \"a\"\nkernel = \"k\"\nname = \"b\"\n",
		      "domains/t.cfg:3: duplicate key \"name\" (first set on "
		      "line 1)");
}

Test(config, missing_required)
{
	expect_reject("name = \"a\"\n\n",
		      "domains/t.cfg:3: missing required key \"kernel\"");
	expect_reject("kernel = \"k\"",
		      "domains/t.cfg:1: missing required key \"name\"");
	expect_reject("", "domains/t.cfg:1: missing required key \"name\"");
}

Test(config, wrong_types)
{
	expect_reject(
		MINIMAL "memory = \"16\"\n",
		"domains/t.cfg:3: memory: expected a number, got a string");
	expect_reject(
		MINIMAL "extra = 5\n",
		"domains/t.cfg:3: extra: expected a string, got a number");
	expect_reject(MINIMAL "name2 = hvm\n",
		      "domains/t.cfg:3: unknown key \"name2\"");
	expect_reject(
		"name = hello\n",
		"domains/t.cfg:1: name: expected a string, got a word hello");
	expect_reject(
		MINIMAL "disk = \"a,b,w\"\n",
		"domains/t.cfg:3: disk: expected a list [ ... ], got a string");
	expect_reject(MINIMAL "vif = [ 5 ]\n",
		      "domains/t.cfg:3: vif: expected a string or ']' in the "
		      "list, got a number");
	expect_reject(
		MINIMAL "memory =\n",
		"domains/t.cfg:3: memory: expected a number, got end of line");
}

Test(config, bad_numbers)
{
	expect_reject(MINIMAL "memory = 12x\n",
		      "domains/t.cfg:3: bad number \"12x\"");
	expect_reject(MINIMAL "memory = 0x\n",
		      "domains/t.cfg:3: bad number \"0x\"");
	expect_reject(MINIMAL "memory = 99999999999999999999999\n",
		      "domains/t.cfg:3: number \"99999999999999999999999\" too "
		      "large");
	expect_reject(MINIMAL "memory = -1\n",
		      "domains/t.cfg:3: unexpected character '-' (0x2d)");
}

Test(config, syntax_errors)
{
	expect_reject("name = \"abc\nkernel = \"k\"\n",
		      "domains/t.cfg:1: unterminated string");
	expect_reject(
		MINIMAL "extra = \"a\\tb\"\n",
		"domains/t.cfg:3: bad escape in string (only \\\" and \\\\)");
	expect_reject(MINIMAL "memory = 16 32\n",
		      "domains/t.cfg:3: memory: trailing junk after the value: "
		      "a number");
	expect_reject(MINIMAL "memory\n",
		      "domains/t.cfg:3: memory: expected '=', "
		      "got end of line");
	expect_reject(MINIMAL "vif = [ \"\" \"\" ]\n",
		      "domains/t.cfg:3: vif: expected ',' or ']' in the list, "
		      "got a string");
	expect_reject(MINIMAL "= 5\n",
		      "domains/t.cfg:3: expected a key, got '='");
	expect_reject(MINIMAL "disk = [ \"a,b,w\"\n",
		      "domains/t.cfg:4: disk: expected ',' or ']' in the list, "
		      "got end of file");
}

Test(config, memory_and_vcpus_limits)
{
	cr_assert_eq(parse(MINIMAL "memory = 1024\nvcpus = 8\n"), 0, "%s", err);
	cr_expect_eq(cfg.memory_mib, 1024);
	expect_reject(
		MINIMAL "memory = 1025\n",
		"domains/t.cfg:3: memory: 1025 MiB too large (limit 1024 MiB)");
	expect_reject(MINIMAL "memory = 0\n",
		      "domains/t.cfg:3: memory: 0 MiB, need at least 1");
	expect_reject(MINIMAL "vcpus = 0\n",
		      "domains/t.cfg:3: vcpus: 0 out of range 1..8");
	expect_reject(MINIMAL "vcpus = 9\n",
		      "domains/t.cfg:3: vcpus: 9 out of range 1..8");
}

Test(config, names)
{
	cr_assert_eq(parse("name = \"a-1_b.c\"\nkernel = \"k\"\n"), 0, "%s",
		     err);
	cr_expect_str_eq(cfg.name, "a-1_b.c");
	expect_reject(
		"name = \"bad name\"\n",
		"domains/t.cfg:1: name: bad character ' ' in \"bad name\" "
		"(letters, digits, '_', '.', '-'; starting with a letter "
		"or digit)");
	expect_reject("name = \"-x\"\n",
		      "domains/t.cfg:1: name: bad character '-' in \"-x\" "
		      "(letters, digits, '_', '.', '-'; starting with a letter "
		      "or digit)");
	expect_reject("name = \"\"\n", "domains/t.cfg:1: name: empty");
	expect_reject("name = \"abcdefghijabcdefghijabcdefghij12\"\n",
		      "domains/t.cfg:1: name: value longer than 31 bytes");
}

Test(config, disks_and_vifs)
{
	expect_reject(
		MINIMAL "disk = [ \"file:a,xvda\" ]\n",
		"domains/t.cfg:3: disk: \"file:a,xvda\": a field missing: "
		"expected \"[file:]PATH,VDEV,r|w\" and backend=NAME");
	expect_reject(MINIMAL "disk = [ \"a,xvda,x\" ]\n",
		      "domains/t.cfg:3: disk: \"a,xvda,x\": access \"x\" is "
		      "not r, ro, w or rw");
	expect_reject(MINIMAL "disk = [ \"a,b,w\", \"a,b,w\", \"a,b,w\", "
			      "\"a,b,w\", \"a,b,w\" ]\n",
		      "domains/t.cfg:3: disk: more than 4 entries");
	expect_reject(MINIMAL "vif = [ \"mac=00:16:3e:00:00\" ]\n",
		      "domains/t.cfg:3: vif: bad mac \"00:16:3e:00:00\"");
	expect_reject(
		MINIMAL "vif = [ \"model=e1000\" ]\n",
		"domains/t.cfg:3: vif: \"model=e1000\": \"model=e1000\" is "
		"not mac=xx:xx:xx:xx:xx:xx, bridge=NAME (1-15 bytes) or "
		"backend=NAME");
	cr_assert_eq(parse(MINIMAL "vif = [ \"\" ]\ndisk = []\n"), 0, "%s",
		     err);
	cr_expect_eq(cfg.nvifs, 1);
	cr_expect_not(cfg.vifs[0].has_mac);
	cr_expect_eq(cfg.vifs[0].bridge[0], '\0');
	cr_expect_eq(cfg.vifs[0].backend[0], '\0');
	cr_expect_eq(cfg.ndisks, 0);
}

/* Xen's disk spec: positional fields and KEY=value ones in any order. */
Test(config, disk_spec_keys)
{
	cr_assert_eq(parse(MINIMAL
			   "disk = [ \"backend=dd,file:a.img,xvda,rw\",\n"
			   "  \"vdev=xvdb,access=ro,format=raw,"
			   "target=b,c.img\",\n"
			   "  \"d.img,access=r,xvdc\" ]\n"),
		     0, "%s", err);
	cr_expect_eq(cfg.ndisks, 3);
	cr_expect_str_eq(cfg.disks[0].file.path, "a.img");
	cr_expect_str_eq(cfg.disks[0].vdev, "xvda");
	cr_expect(cfg.disks[0].writable);
	cr_expect_str_eq(cfg.disks[0].backend, "dd");
	cr_expect_str_eq(cfg.disks[1].file.path, "b,c.img");
	cr_expect_str_eq(cfg.disks[1].vdev, "xvdb");
	cr_expect_not(cfg.disks[1].writable);
	cr_expect_eq(cfg.disks[1].backend[0], '\0');
	cr_expect_str_eq(cfg.disks[2].file.path, "d.img");
	cr_expect_str_eq(cfg.disks[2].vdev, "xvdc");
	cr_expect_eq(cfg.disks[2].file.line, 5);
	expect_reject(MINIMAL "disk = [ \"a,xvda,w,backend=-x\" ]\n",
		      "domains/t.cfg:3: disk: backend: bad character '-' in "
		      "\"-x\" (letters, digits, '_', '.', '-'; starting with "
		      "a letter or digit)");
	expect_reject(MINIMAL "disk = [ \"a,xvda,w,devtype=cdrom\" ]\n",
		      "domains/t.cfg:3: disk: \"a,xvda,w,devtype=cdrom\": "
		      "unknown key: expected \"[file:]PATH,VDEV,r|w\" and "
		      "backend=NAME");
	expect_reject(MINIMAL "disk = [ \"a,xvda,w,x\" ]\n",
		      "domains/t.cfg:3: disk: \"a,xvda,w,x\": too many fields: "
		      "expected \"[file:]PATH,VDEV,r|w\" and backend=NAME");
	expect_reject(MINIMAL "disk = [ \"a,xvda,w,vdev=xvdb\" ]\n",
		      "domains/t.cfg:3: disk: \"a,xvda,w,vdev=xvdb\": a field "
		      "given twice: expected \"[file:]PATH,VDEV,r|w\" and "
		      "backend=NAME");
	expect_reject(MINIMAL "disk = [ \"a,,w\" ]\n",
		      "domains/t.cfg:3: disk: vdev \"\" empty or too long");
}

/* Xen's vif spec: mac=, bridge=, backend=, comma-separated. */
Test(config, vif_spec_keys)
{
	cr_assert_eq(parse(MINIMAL "vif = [ \"bridge=br1,mac=00:16:3e:0a:0b:0c,"
				   "backend=net-dd\", \"bridge=xenbr0\" ]\n"),
		     0, "%s", err);
	cr_expect_eq(cfg.nvifs, 2);
	cr_expect(cfg.vifs[0].has_mac);
	cr_expect_eq(cfg.vifs[0].mac[3], 0x0a);
	cr_expect_str_eq(cfg.vifs[0].bridge, "br1");
	cr_expect_str_eq(cfg.vifs[0].backend, "net-dd");
	cr_expect_not(cfg.vifs[1].has_mac);
	cr_expect_str_eq(cfg.vifs[1].bridge, "xenbr0");
	expect_reject(MINIMAL "vif = [ \"bridge=\" ]\n",
		      "domains/t.cfg:3: vif: \"bridge=\": \"bridge=\" is not "
		      "mac=xx:xx:xx:xx:xx:xx, bridge=NAME (1-15 bytes) or "
		      "backend=NAME");
	expect_reject(MINIMAL "vif = [ \"bridge=abcdefghijklmnop\" ]\n",
		      "domains/t.cfg:3: vif: \"bridge=abcdefghijklmnop\": "
		      "\"bridge=abcdefghijklmnop\" is not "
		      "mac=xx:xx:xx:xx:xx:xx, bridge=NAME (1-15 bytes) or "
		      "backend=NAME");
	expect_reject(MINIMAL "vif = [ \"backend=\" ]\n",
		      "domains/t.cfg:3: vif: backend: empty");
	expect_reject(
		MINIMAL "vif = [ \"mac=00:16:3e:00:00:01,\" ]\n",
		"domains/t.cfg:3: vif: \"mac=00:16:3e:00:00:01,\": \"\" is "
		"not mac=xx:xx:xx:xx:xx:xx, bridge=NAME (1-15 bytes) or "
		"backend=NAME");
}

/* driver_domain: a pv domain, not dom0, 0 or 1. */
Test(config, driver_domain)
{
	cr_assert_eq(parse(MINIMAL "type = \"pv\"\ndriver_domain = 1\n"), 0,
		     "%s", err);
	cr_expect(cfg.driver_domain);
	cr_assert_eq(parse(MINIMAL "type = \"pv\"\n"), 0, "%s", err);
	cr_expect_not(cfg.driver_domain);
	expect_reject(MINIMAL "driver_domain = 1\n",
		      "domains/t.cfg:3: driver_domain: only for type \"pv\", "
		      "not \"hvm\"");
	expect_reject(MINIMAL "type = \"pv\"\ndriver_domain = 2\n",
		      "domains/t.cfg:4: driver_domain: 2 is not 0 or 1");
	expect_reject(MINIMAL "type = \"pv\"\nprivileged = 1\n"
			      "driver_domain = 1\n",
		      "domains/t.cfg:5: driver_domain: the privileged domain "
		      "may run backends already");
}

/* console: an hvm domain's key, 0 or 1. */
Test(config, console)
{
	cr_assert_eq(parse(MINIMAL "console = 1\n"), 0, "%s", err);
	cr_expect(cfg.console);
	cr_expect_eq(cfg.console_line, 3);
	expect_reject(MINIMAL "type = \"pv\"\nconsole = 1\n",
		      "domains/t.cfg:4: console: only for type \"hvm\", not "
		      "\"pv\"");
	expect_reject(MINIMAL "console = 2\n",
		      "domains/t.cfg:3: console: 2 is not 0 or 1");
}

/* gdb: 0 or 1, with its line for the "at most one" message (domain.c). */
Test(config, gdb)
{
	cr_assert_eq(parse(MINIMAL "gdb = 1\n"), 0, "%s", err);
	cr_expect(cfg.gdb);
	cr_expect_eq(cfg.gdb_line, 3);
	cr_assert_eq(parse(MINIMAL "type = \"te\"\ngdb = 1\n"), 0, "%s", err);
	expect_reject(MINIMAL "gdb = 2\n",
		      "domains/t.cfg:3: gdb: 2 is not 0 or 1");
	expect_reject(MINIMAL "gdb = 1\ngdb = 0\n",
		      "domains/t.cfg:4: duplicate key \"gdb\" (first set on "
		      "line 3)");
}

Test(config, string_length_limits)
{
	char text[600];

	snprintf(text, sizeof(text), MINIMAL "ramdisk = \"%0200d\"\n", 0);
	expect_reject(text,
		      "domains/t.cfg:3: ramdisk: value longer than 127 bytes");
	snprintf(text, sizeof(text), MINIMAL "extra = \"%0300d\"\n", 0);
	expect_reject(text, "domains/t.cfg:3: string longer than 255 bytes");
	expect_reject(MINIMAL "kernel_addr = 0x40000000\n",
		      "domains/t.cfg:3: kernel_addr: 0x40000000 beyond the "
		      "largest guest memory");
}

Test(config, resolve_path)
{
	char out[BOOT_NAME_MAX];

	cr_expect_eq(config_resolve_path("domains/hello.cfg",
					 "guests/hello.elf", out, sizeof(out)),
		     0);
	cr_expect_str_eq(out, "domains/guests/hello.elf");
	cr_expect_eq(config_resolve_path("domains/a/x.cfg", "./../g//k.bin",
					 out, sizeof(out)),
		     0);
	cr_expect_str_eq(out, "domains/g/k.bin");
	cr_expect_eq(config_resolve_path("x.cfg", "k", out, sizeof(out)), 0);
	cr_expect_str_eq(out, "k");
	cr_expect_eq(config_resolve_path("domains/x.cfg", "../../k", out,
					 sizeof(out)),
		     -E_INVAL);
	cr_expect_eq(config_resolve_path("domains/x.cfg", "k", out, 9),
		     -E_RANGE);
}

Test(config, file_find)
{
	static struct boot_info bi;
	const struct config_file_ref *refs[8];
	const struct boot_file *bf;

	strcpy(bi.files[0].name, "domains/guests/hello.elf");
	bi.files[0].size = 123;
	bi.nfiles = 1;
	cr_assert_eq(parse("name = \"t\"\n\nkernel = \"guests/hello.elf\"\n"
			   "ramdisk = \"rd\"\ndisk = [\"d,xvda,r\"]\n"),
		     0, "%s", err);
	cr_expect_eq(config_files(&cfg, refs, 8), 3);
	cr_expect_eq(refs[2], &cfg.disks[0].file);
	cr_expect_eq(config_files(&cfg, refs, 1), 1);
	cr_expect_eq(config_file_find(&cfg, &bi, "kernel", &cfg.kernel, &bf,
				      err, sizeof(err)),
		     0);
	cr_expect_eq(bf, &bi.files[0]);
	cr_expect_eq(config_file_find(&cfg, &bi, "ramdisk", &cfg.ramdisk, &bf,
				      err, sizeof(err)),
		     -E_NOT_FOUND);
	cr_expect_str_eq(err, "domains/t.cfg:4: ramdisk \"rd\": not loaded (no "
			      "boot file \"domains/rd\")");
	cr_expect_null(bf);
	cr_expect_null(boot_file_find(&bi, "domains/guests"));
}

/* xen_platform: its device's 16 MiB BAR1 sits above RAM, aligned. */
Test(config, xen_platform_memory)
{
	cr_assert_eq(parse(MINIMAL "xen_platform = 1\nmemory = 128\n"), 0, "%s",
		     err);
	cr_expect(cfg.xen_platform);
	expect_reject(MINIMAL "xen_platform = 1\nmemory = 24\n",
		      "domains/t.cfg:4: memory: 24 MiB, xen_platform needs a "
		      "multiple of 16");
}
