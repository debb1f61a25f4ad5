/*
 * config.h - domain configuration files (kernel/load/config.c, labs 2 and 3).
 *
 * One file per domain, in the style of Xen's xl.cfg: `key = value` lines,
 * '#' comments, values are "strings", numbers (decimal or 0x hex) or
 * [ "lists", "of strings" ] (lists may span lines).  Keys:
 *
 *   name        "hello"      required; 1-31 of [A-Za-z0-9_.-], starts alnum
 *   type        "hvm"        hvm | pv | te (trap-and-emulate); default hvm
 *   kernel      "guests/hello.elf"  required; ELF32/ELF64 EXEC, Multiboot v1
 *                            image, Linux bzImage, or a flat binary (when
 *                            kernel_addr is set)
 *   ramdisk     "initrd.gz"  optional; a Multiboot module or Linux initrd
 *   extra       "token=x"    optional kernel command line
 *   memory      16           MiB, 1..CONFIG_MEMORY_MAX_MIB; default 16
 *   vcpus       1            1..CONFIG_VCPUS_MAX; default 1
 *   disk        [ "file:disk0.img,xvda,w" ]   Xen's disk spec: positional
 *                            [file:]PATH,VDEV,ACCESS (ACCESS r, ro, w or
 *                            rw) and the keys target=, vdev=, access=,
 *                            backend=NAME, format=raw in any order
 *                            (target= last: it takes the rest)
 *   vif         [ "mac=00:16:3e:00:00:01,bridge=xenbr0" ]   Xen's vif
 *                            spec: "" or KEY=VALUE,... of mac=, bridge=
 *                            and backend=NAME
 *   on_crash    "destroy"    destroy | restart | preserve; default destroy
 *   on_reboot   "restart"    the same actions, when the guest resets its
 *                            machine; default restart
 *   paging      "shadow"     nested | shadow (lab 4); default nested where
 *                            the CPU has NPT/EPT, else shadow; te: shadow
 *                            only ("nested" is an error)
 *   shadow_pages 512         shadow page tables at most (4 KiB each),
 *                            CONFIG_SHADOW_PAGES_MIN..MAX; default
 *                            SHADOW_PAGES_DEFAULT of kernel/mm/shadow.h
 *   populate    "demand"     demand | eager (lab 5): when guest frames get
 *                            host pages; default demand
 *   testdev     1            0 | 1 (lab 5): hvlab's test device at
 *                            TESTDEV_BASE (inc/testdev.h); default 0
 *   migrate_after 2          seconds (lab 5): live-migrate the domain this
 *                            long after it starts (kernel/migrate.h);
 *                            0..3600, 0: never; hvm with nested paging only
 *   save_after  2            seconds (lab 5): save it to an image and
 *                            restore it, this long after it starts; the
 *                            same range and domains
 *   container   "hvm"        hvm | te (lab 6, type pv): run the PV kernel
 *                            PVH-style on VT-x/SVM, or classic PV on the
 *                            lab-2 VMM; default hvm where the CPU can
 *   privileged  1            0 | 1 (lab 6, type pv): dom0, which holds the
 *                            management hypercalls; at most one
 *   xen_platform 1           0 | 1 (type hvm): Xen's CPUID leaves at
 *                            0x40000100 and its hypercalls
 *   driver_domain 1          0 | 1 (lab 7, type pv, not privileged): may
 *                            read disk images (XEN_SYSCTL_bootfile) and be
 *                            a disk's or vif's backend=
 *   console     1            0 | 1 (type hvm): the machine's serial input
 *                            goes to this domain's UART, not to the first
 *                            hvm domain's (dom0 keeps it when one runs);
 *                            at most one
 *   gdb         1            0 | 1: the domain is debugged with GDB through
 *                            the machine's COM2 (kernel/gdbstub.c); it
 *                            starts stopped, waiting for GDB; at most one
 *
 * For kernels that are not ELF or Multiboot (hvlab's additions):
 *
 *   kernel_addr 0x7c00       load a flat binary at this guest-physical address
 *   entry       0x7c00       first instruction; default kernel_addr
 *   boot_mode   "real"       real | protected | long: the CPU mode at entry.
 *                            Flat binaries default to real, plain ELF to
 *                            protected (ELF32) or long (ELF64); Multiboot
 *                            kernels always start in protected mode.
 *
 * File paths are relative to the directory of the config.  The UEFI loader
 * reads each named file into boot_info.files as "<config dir>/<path>",
 * normalised: config "domains/hello.cfg" with kernel = "guests/hello.elf"
 * gives the boot file "domains/guests/hello.elf" (config_resolve_path).
 *
 * Everything here is plain C without kernel dependencies, so the loader,
 * the kernel and tests/test_config.c all use it.
 */
#ifndef KERNEL_CONFIG_H
#define KERNEL_CONFIG_H

#include <inc/types.h>
#include <inc/boot_info.h>

#define CONFIG_NAME_MAX	      32 /* bytes with the NUL */
#define CONFIG_PATH_MAX	      BOOT_NAME_MAX
#define CONFIG_EXTRA_MAX      256
#define CONFIG_VDEV_MAX	      16
#define CONFIG_BRIDGE_MAX     16
#define CONFIG_MAX_DISKS      4
#define CONFIG_MAX_VIFS	      4
#define CONFIG_MEMORY_MAX_MIB 1024
#define CONFIG_VCPUS_MAX      8
#define CONFIG_MEMORY_DEFAULT 16
/* shadow_pages bounds, which kernel/mm/shadow.h enforces too */
#define CONFIG_SHADOW_PAGES_MIN 16
#define CONFIG_SHADOW_PAGES_MAX 65536

enum domain_type {
	DOMAIN_HVM,
	DOMAIN_PV,
	DOMAIN_TE,
};

enum on_crash {
	ON_CRASH_DESTROY,
	ON_CRASH_RESTART,
	ON_CRASH_PRESERVE,
};

/* Who translates guest-linear addresses (lab 4). */
enum paging_mode {
	PAGING_DEFAULT, /* chosen by the hypervisor */
	PAGING_NESTED,	/* NPT / EPT over the guest's own tables */
	PAGING_SHADOW,	/* tables built by kernel/mm/shadow.c */
};

/* When guest frames get host pages (lab 5). */
enum populate_mode {
	POPULATE_DEMAND, /* at the first touch */
	POPULATE_EAGER,	 /* all at creation */
};

/* What runs a pv domain's kernel (lab 6). */
enum pv_container {
	CONTAINER_DEFAULT, /* hvm where the CPU has VT-x or SVM, else te */
	CONTAINER_HVM,	   /* PVH-style: hardware virtualization */
	CONTAINER_TE,	   /* classic PV: the lab-2 VMM */
};

/* CPU mode at the guest's first instruction (see image.h for the state). */
enum boot_mode {
	BOOT_MODE_DEFAULT, /* chosen from the image format */
	BOOT_MODE_REAL,
	BOOT_MODE_PROTECTED,
	BOOT_MODE_LONG,
};

/* A file a config names, with the line that named it, for messages. */
struct config_file_ref {
	char path[CONFIG_PATH_MAX]; /* as written; "" when absent */
	int line;
};

struct config_disk {
	struct config_file_ref file;
	char vdev[CONFIG_VDEV_MAX]; /* "xvda" */
	bool writable;
	char backend[CONFIG_NAME_MAX]; /* "": dom0 */
};

struct config_vif {
	bool has_mac;
	uint8_t mac[6];
	char bridge[CONFIG_BRIDGE_MAX]; /* "": the default */
	char backend[CONFIG_NAME_MAX];	/* "": dom0 */
};

struct domain_config {
	char file[CONFIG_PATH_MAX]; /* the config's own name, for messages */
	char name[CONFIG_NAME_MAX];
	enum domain_type type;
	struct config_file_ref kernel;
	struct config_file_ref ramdisk;
	char extra[CONFIG_EXTRA_MAX];
	uint64_t memory_mib;
	unsigned vcpus;
	unsigned ndisks;
	struct config_disk disks[CONFIG_MAX_DISKS];
	unsigned nvifs;
	struct config_vif vifs[CONFIG_MAX_VIFS];
	enum on_crash on_crash;
	enum on_crash on_reboot;
	bool has_kernel_addr;
	gpa_t kernel_addr;
	bool has_entry;
	gpa_t entry;
	enum boot_mode boot_mode;
	enum paging_mode paging;
	unsigned shadow_pages; /* 0: the default */
	enum populate_mode populate;
	bool testdev;
	unsigned migrate_after;	     /* seconds; 0: never */
	unsigned save_after;	     /* seconds; 0: never */
	enum pv_container container; /* type pv */
	bool xen_platform;	     /* type hvm */
	bool privileged;	     /* type pv */
	int privileged_line;	     /* where it was set, for messages */
	bool driver_domain;	     /* type pv: may run backends (lab 7) */
	bool console;		     /* type hvm: gets the serial input */
	int console_line;	     /* where it was set, for messages */
	bool gdb;		     /* debugged through kernel/gdbstub.c */
	int gdb_line;		     /* where it was set, for messages */
};

/*
 * Parses text[0..len) of the config called file into *out.  Returns 0, or
 * -E_INVAL with "FILE:LINE: reason" in err[0..errlen): unknown key, bad
 * value, duplicate key, missing name or kernel, memory or vcpus out of
 * range, bad name characters, unterminated string, trailing junk,
 * paging "nested" for a te domain, migrate_after or save_after for a
 * domain that is not hvm with nested paging, a bad disk or vif spec.
 */
int config_parse(const char *file, const char *text, size_t len,
		 struct domain_config *out, char *err, size_t errlen);

/* Name of a domain type / boot mode, e.g. "hvm". */
const char *config_type_name(enum domain_type t);
const char *config_boot_mode_name(enum boot_mode m);

/*
 * Writes the boot-file name of path, relative to the directory of the
 * config called cfg_file, to out[0..outlen), dropping "." and resolving
 * ".." components.  Returns 0, -E_INVAL if path climbs above the ESP root
 * or is empty, or -E_RANGE if the result does not fit.
 */
int config_resolve_path(const char *cfg_file, const char *path, char *out,
			size_t outlen);

/*
 * Every file *c names (kernel, ramdisk, disks), for the loader: stores at
 * most max pointers into c in refs and returns how many there are.
 */
unsigned config_files(const struct domain_config *c,
		      const struct config_file_ref **refs, unsigned max);

/* The boot file called name, or NULL. */
const struct boot_file *boot_file_find(const struct boot_info *bi,
				       const char *name);

/* Formats "FILE:LINE: " and then fmt into err[0..errlen); returns code.
 * Under the parser's config_error and the image loaders' image_error. */
int __attribute__((format(printf, 6, 7)))
config_error_at(char *err, size_t errlen, int code, const char *file, int line,
		const char *fmt, ...);

/*
 * Finds the boot file for ref, named by key ("kernel", "ramdisk", "disk")
 * in config *c.  Returns 0 with *out set, or -E_NOT_FOUND with
 * `FILE:LINE: kernel "x": not loaded` in err (-E_INVAL for a bad path).
 */
int config_file_find(const struct domain_config *c, const struct boot_info *bi,
		     const char *key, const struct config_file_ref *ref,
		     const struct boot_file **out, char *err, size_t errlen);

#endif
