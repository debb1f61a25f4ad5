/*
 * pc_linux.c - Debian 12's own Linux kernel (the cloud flavour) boots as
 * an hvm domain with 2 vcpus and 256 MiB through the boot protocol
 * (kernel/load/linux.c) on the PC of kernel/dev, kernel/load/acpi.c and
 * e820.c; its initramfs's /init (guests/linux/init) prints what it
 * measured as "init: KEY VALUE" lines and powers off.  One boot for all
 * tests; tools/fetch-linux downloads the kernel once into obj/linux, and
 * when it cannot (no network, no apt-get) every test SKIPs with its
 * reason.  The loader's host unit tests: tests/test_image.c.
 *
 * Bugs these tests catch, bug: the tests that fail (each measured):
 *   the RTC an hour ahead (rtc_guest_time): linux_rtc
 *   CPUID without TSC-deadline: linux_interrupts
 *   PM1 ignoring SLP_TYP S5 (pm.c): linux_poweroff
 *   the APs' SIPI ignored (sched_init_sipi): linux_two_vcpus
 *   CPUID announcing LA57, RDTSCP or TSC_ADJUST, the MADT listing one
 *     vcpu of two, an e820 map of one entry or 96 MiB short: Linux never
 *     reaches /init, all of them
 * The xen group (linux_xen_*), each bug failing all four:
 *   the platform device's BAR sizing ignored ("xen-platform-pci: no
 *     resources found", no grant table, xenbus waits for its devices)
 *   a wrong unplug magic ("unrecognised magic value"; insmod of
 *     xen-blkfront and xen-netfront: No such device)
 *   add_to_physmap refusing grant frames in BAR1 ("grant table
 *     add_to_physmap failed, err=-22", then a BUG in gnttab_map)
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <criterion/criterion.h>
#include "../grader.h"
#include "../internal.h"

#define LINUX_MIB 256

static struct hv_cfg linux_cfg = {
	.needs_virt = 1,
	.cmdline = "timeout=600",
	.timeout = 900,
	.progress_timeout = 120, /* Bochs: decompressing the kernel */
	.domains = {
		{ "linux", "name    = \"linux\"\nkernel  = \"vmlinuz\"\n"
			   "ramdisk = \"initrd.gz\"\n"
			   "extra   = \"console=ttyS0 "
			   "earlyprintk=serial,ttyS0 panic=-1\"\n"
			   "memory  = 256\nvcpus   = 2\n" },
	},
};

/* Reads path into memory as test file name; SKIPs or fails if it cannot. */
static void linux_file(struct hv_file *f, const char *name, const char *path)
{
	struct stat st;
	FILE *in = fopen(path, "rb");
	void *data;

	if (!in || fstat(fileno(in), &st) < 0)
		cr_assert_fail("[machine error] %s: cannot read", path);
	data = malloc(st.st_size);
	if (!data || fread(data, 1, st.st_size, in) != (size_t)st.st_size)
		cr_assert_fail("[machine error] %s: cannot read", path);
	fclose(in);
	*f = (struct hv_file){ name, data, st.st_size };
}

/*
 * The xen group: the same kernel as a domU of dom0 with xen_platform = 1,
 * its disk an ext4 image (tools/linux-disk) on dom0's blkback and its vif
 * on dom0's bridge (10.0.0.1).  /init (xen=1) loads xen-blkfront and
 * xen-netfront, counts its boots in a file of the disk, pings dom0 and
 * reboots once; dom0 destroys it and creates it again, as xl does.
 */
static struct hv_cfg linux_xen_cfg = {
	.needs_virt = 1,
	.cmdline = "timeout=1200",
	.timeout = 1500,
	.progress_timeout = 180,
	.domains = {
		HV_DOM0("xl create linux.cfg;wait linux;xl destroy linux;"
			"xl create linux.cfg;wait linux;poweroff"),
		{ "linux", "name    = \"linux\"\nxen_platform = 1\n"
			   "kernel  = \"vmlinuz\"\nramdisk = \"initrd.gz\"\n"
			   "extra   = \"console=ttyS0 earlyprintk=serial,ttyS0 "
			   "panic=-1 pci=noacpi xen=1\"\n"
			   "memory  = 128\n"
			   "disk    = [ \"file:data.img,xvda,w\" ]\n"
			   "vif     = [ \"mac=00:16:3e:00:07:20,bridge=xenbr0\" ]\n" },
	},
};

/* Runs tool (under tools/) with arg, SKIPping with its reason on 77. */
static void linux_tool(const char *tool, const char *arg, const char *log)
{
	char path[600], why[512] = "";
	char *argv[] = { path, (char *)arg, NULL };
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "%s/tools/%s", grader_root(), tool);
	rc = run_command(argv, log, 900);
	if (rc == 77) {
		if ((f = fopen(log, "r"))) {
			while (fgets(why, sizeof(why), f) &&
			       !strstr(why, "SKIP"))
				;
			fclose(f);
		}
		why[strcspn(why, "\n")] = '\0';
		cr_skip_test("%s", why[0] ? why : "SKIP");
	}
	if (rc != 0)
		cr_assert_fail("[build error] tools/%s failed, see %s", tool,
			       log);
}

/* The kernel and initramfs (tools/fetch-linux, once: under a lock) into
 * cfg's first files. */
static void linux_fetch(struct hv_cfg *cfg)
{
	char cache[600], lock[700], log[700], kernel[700], initrd[700];
	int fd;

	snprintf(cache, sizeof(cache), "%s/obj/linux", grader_root());
	snprintf(lock, sizeof(lock), "%s.lock", cache);
	snprintf(log, sizeof(log), "%s.fetch.log", cache);
	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0 || flock(fd, LOCK_EX) < 0)
		cr_assert_fail("[machine error] %s: cannot lock", lock);
	linux_tool("fetch-linux", cache, log);
	close(fd);
	snprintf(kernel, sizeof(kernel), "%s/vmlinuz", cache);
	snprintf(initrd, sizeof(initrd), "%s/initrd.gz", cache);
	linux_file(&cfg->files[0], "vmlinuz", kernel);
	linux_file(&cfg->files[1], "initrd.gz", initrd);
}

static struct hv_run *linux_boot(void)
{
	linux_fetch(&linux_cfg);
	return hv_boot_group("linux", &linux_cfg);
}

/* The xen group's run, its disk made fresh for it. */
static struct hv_run *linux_xen_boot(void)
{
	char img[600], log[700];

	linux_fetch(&linux_xen_cfg);
	snprintf(img, sizeof(img), "%s/obj/linux/data-%d.img", grader_root(),
		 (int)getpid());
	snprintf(log, sizeof(log), "%s.log", img);
	linux_tool("linux-disk", img, log);
	linux_file(&linux_xen_cfg.files[2], "data.img", img);
	unlink(img);
	unlink(log);
	return hv_boot_group("linux-xen", &linux_xen_cfg);
}

/* The number after "linux: init: KEY " (the nth after it, from 0). */
static long long linux_value(struct hv_run *r, const char *key, int nth)
{
	char prefix[64];
	const struct hv_line *l;
	const char *p;

	snprintf(prefix, sizeof(prefix), "linux: init: %s ", key);
	l = hv_find_result_with(r, prefix, "");
	if (!l)
		cr_assert_fail(
			"[wrong result] /init printed no \"%s\" line\n  %s",
			key, hv_diagnose(r));
	p = l->text + strlen(prefix);
	while (nth-- > 0 && (p = strchr(p, ' ')))
		p++;
	cr_assert(p != NULL, "[wrong result] \"%s\": too few values", l->text);
	return strtoll(p, NULL, 10);
}

Test(pc, linux_init, .timeout = 1200)
{
	struct hv_run *r = linux_boot();

	expect_output(r, "linux: [");
	expect_output(r, "Run /init as init process");
	expect_result(r, "linux: init: reached /init");
}

Test(pc, linux_problems, .timeout = 1200)
{
	struct hv_run *r = linux_boot();
	long long n = linux_value(r, "problems", 0);

	cr_assert(n == 0,
		  "[wrong result] dmesg has %lld lines with BUG:, WARNING: "
		  "CPU or Call Trace (see %s)",
		  n, r->log);
}

Test(pc, linux_memory, .timeout = 1200)
{
	struct hv_run *r = linux_boot();
	long long kb = linux_value(r, "memtotal_kb", 0);

	expect_output(r, "BIOS-e820: [mem 0x0000000000100000-"
			 "0x000000000fffffff] usable");
	expect_output(r, "ACPI: RSDP 0x00000000000F0000");
	cr_assert(kb > LINUX_MIB * 1024 * 3 / 4 && kb < LINUX_MIB * 1024,
		  "[wrong result] MemTotal %lld kB for a %d MiB domain", kb,
		  LINUX_MIB);
}

Test(pc, linux_rtc, .timeout = 1200)
{
	struct hv_run *r = linux_boot();
	long long t = linux_value(r, "rtc", 0), hv;
	const struct hv_line *l = hv_find_output(r, "hvlab: RTC ");
	struct stat st;
	double end;

	cr_assert(l, "[wrong result] no \"hvlab: RTC\" line\n  %s",
		  hv_diagnose(r));
	hv = strtoll(l->text + strlen("hvlab: RTC "), NULL, 10);
	cr_assert(t >= hv && t < hv + r->seconds + 60,
		  "[wrong result] the guest's clock says %lld, the machine's "
		  "RTC said %lld when hvlab started, %.0f s earlier",
		  t, hv, r->seconds);
	/* Bochs's RTC, as OVMF leaves it, is not the host's time of day. */
	if (strncmp(r->machine, "bochs", 5) == 0)
		return;
	/* The log was last written when the machine stopped. */
	cr_assert(stat(r->log, &st) == 0, "[machine error] %s", r->log);
	end = (double)st.st_mtime;
	cr_assert(t > end - r->seconds - 60 && t < end + 60,
		  "[wrong result] the guest's clock says %lld, the host's "
		  "was %.0f-%.0f",
		  t, end - r->seconds, end);
}

Test(pc, linux_interrupts, .timeout = 1200)
{
	struct hv_run *r = linux_boot();
	long long a = linux_value(r, "timer", 0),
		  b = linux_value(r, "timer", 1);

	expect_output(r, "TSC deadline timer available");
	cr_assert(b > a,
		  "[wrong result] the local APIC timer count (LOC in "
		  "/proc/interrupts) stayed at %lld over a second",
		  a);
	cr_assert(linux_value(r, "ioapic_lines", 0) > 0,
		  "[wrong result] no IO-APIC interrupt in /proc/interrupts");
}

Test(pc, linux_poweroff, .timeout = 1200)
{
	struct hv_run *r = linux_boot();

	expect_output(r, "ACPI: PM: Preparing to enter system sleep state S5");
	expect_domain_exit(r, "linux", 0);
}

Test(pc, linux_two_vcpus, .timeout = 1200)
{
	struct hv_run *r = linux_boot();

	expect_output(r, "smp: Brought up 1 node, 2 CPUs");
	cr_assert(linux_value(r, "cpus", 0) == 2,
		  "[wrong result] /proc/cpuinfo lists %lld CPUs, not 2",
		  linux_value(r, "cpus", 0));
}

/* The nth (from 1) "linux: init: KEY ..." result line of the xen group. */
static const char *linux_xen_line(struct hv_run *r, const char *key, int nth)
{
	char prefix[64];
	long i = 0;

	snprintf(prefix, sizeof(prefix), "linux: init: %s", key);
	while (nth-- > 0 && i >= 0)
		i = hv_line_from(r, i ? i + 1 : 0, prefix);
	if (i < 0)
		cr_assert_fail("[wrong result] /init printed too few \"%s\" "
			       "lines\n  %s",
			       prefix, hv_diagnose(r));
	return r->lines[i].text + strlen(prefix);
}

/* Linux finds Xen's CPUID leaves and the platform device, and sets up
 * its grant table from that device's BAR1. */
Test(pc, linux_xen_detected, .timeout = 1800)
{
	struct hv_run *r = linux_xen_boot();

	expect_output(r, "Hypervisor detected: Xen HVM");
	expect_output(r, "Xen HVM callback vector for event delivery is "
			 "enabled");
	expect_output(r, "pci 0000:00:02.0: [5853:0001] type 00 class "
			 "0xff8000");
	expect_output(r, "Grant table initialized");
	cr_assert(!hv_find_output(r, "unrecognised magic value"),
		  "[wrong result] Linux did not find Xen's unplug ports");
	cr_assert(strcmp(linux_xen_line(r, "hypervisor", 1), " xen") == 0,
		  "[wrong result] /sys/hypervisor/type is not xen");
}

/* xen-blkfront connects to dom0's blkback: xvda, the image's size. */
Test(pc, linux_xen_blkfront, .timeout = 1800)
{
	struct hv_run *r = linux_xen_boot();

	expect_output(r, "blkfront: xvda: flush diskcache: enabled");
	cr_assert(strcmp(linux_xen_line(r, "disk", 1), " 16384 sectors") == 0,
		  "[wrong result] xvda is not the 8 MiB image: \"%s\"",
		  linux_xen_line(r, "disk", 1));
}

/* ext4 on xvda mounts, a file written in the first boot is read back
 * in the second: the guest's writes reached the disk through blkback. */
Test(pc, linux_xen_disk_reboot, .timeout = 1800)
{
	struct hv_run *r = linux_xen_boot();
	char want[160];

	cr_assert(strncmp(linux_xen_line(r, "boot", 1),
			  " 1 read hello-from-the-host last 0-", 35) == 0,
		  "[wrong result] first boot: \"%s\"",
		  linux_xen_line(r, "boot", 1));
	expect_output(r, "domain linux: rebooted");
	snprintf(want, sizeof(want),
		 " 2 read hello-from-the-host last 1-written-by-%s-boot-1",
		 r->token);
	cr_assert(strcmp(linux_xen_line(r, "boot", 2), want) == 0,
		  "[wrong result] second boot: \"%s\", want \"%s\"",
		  linux_xen_line(r, "boot", 2), want);
	expect_domain_exit(r, "linux", 0);
}

/* xen-netfront on dom0's bridge: dom0 (10.0.0.1) answers the pings. */
Test(pc, linux_xen_ping, .timeout = 1800)
{
	struct hv_run *r = linux_xen_boot();

	for (int boot = 1; boot <= 2; boot++)
		cr_assert(strcmp(linux_xen_line(r, "ping", boot),
				 " 3 packets received") == 0,
			  "[wrong result] boot %d: ping%s", boot,
			  linux_xen_line(r, "ping", boot));
	cr_assert(strcmp(linux_xen_line(r, "problems", 2), " 0") == 0,
		  "[wrong result] dmesg has BUG:, WARNING: CPU or Call Trace "
		  "lines (see %s)",
		  r->log);
}
