/*
 * inc/public/domctl.h - __HYPERVISOR_domctl(arg) and __HYPERVISOR_sysctl
 * (arg): the management calls of the privileged domain (dom0, lab 6), in
 * the frame of Xen's domctl.h and sysctl.h.  Needs inc/public/xen.h.
 *
 * The operation numbers and the outer structs are Xen's; the payloads are
 * hvlab's subset with Xen's field names, so interface_version is hvlab's
 * own.  Any other domain gets -XEN_EPERM, a wrong version -XEN_EACCES.
 *
 * createdomain differs most: Xen's toolstack builds the domain itself
 * from its config; hvlab's passes the path of a config on the boot disk
 * (relative to the boot domains directory), which the hypervisor parses
 * and loads as it does at boot.
 */
#ifndef INC_PUBLIC_DOMCTL_H
#define INC_PUBLIC_DOMCTL_H

#define XEN_EACCES 13 /* wrong interface_version */

#define XEN_DOMCTL_INTERFACE_VERSION 0x48560001 /* "HV" 1 */
#define XEN_SYSCTL_INTERFACE_VERSION 0x48560001

#define XEN_DOMCTL_createdomain	 1
#define XEN_DOMCTL_destroydomain 2
#define XEN_DOMCTL_pausedomain	 3
#define XEN_DOMCTL_unpausedomain 4
#define XEN_DOMCTL_getdomaininfo 5	/* the first domain with id >= domain */
#define XEN_DOMCTL_console	 0x4801 /* hvlab: a domain's console */
#define XEN_DOMCTL_getdevice	 0x4802 /* hvlab: a domain's disk or vif */

/*
 * The new domain is paused, as Xen's is: the toolstack writes its
 * xenstore entries (lab 7), then unpauses it.
 */
struct xen_domctl_createdomain {
	char config[64];   /* IN: "guest.cfg"; OUT: domain holds the new id */
	uint32_t on_crash; /* OUT: XEN_ONCRASH_*, the toolstack's to apply */
	uint32_t pad;
};

/* What the toolstack does when a domain it created crashes (lab 7). */
#define XEN_ONCRASH_destroy  0
#define XEN_ONCRASH_restart  1
#define XEN_ONCRASH_preserve 2

/*
 * XEN_DOMCTL_getdevice (lab 7): device index of the domain's config,
 * its disk lines first, then its vif lines; -XEN_ENOENT past the last.
 * The toolstack writes the xenstore directories of each.
 */
#define XEN_DEVICE_disk 1
#define XEN_DEVICE_vif	2
struct xen_domctl_getdevice {
	uint32_t index;	  /* IN */
	uint32_t type;	  /* OUT: XEN_DEVICE_* */
	char target[48];  /* disk: the image's path on the boot disk */
	char vdev[16];	  /* disk: "xvda" */
	uint8_t writable; /* disk: 'w' */
	uint8_t has_mac;  /* vif: a mac= was given */
	uint8_t mac[6];	  /* vif */
	char bridge[16];  /* vif: "xenbr0" unless bridge= says */
	domid_t backend;  /* the backend's domain: 0 or a driver domain */
	uint16_t pad;
};

#define XEN_DOMINF_dying	 (1u << 0)
#define XEN_DOMINF_hvm_guest	 (1u << 1)
#define XEN_DOMINF_shutdown	 (1u << 2) /* exited or crashed */
#define XEN_DOMINF_paused	 (1u << 3)
#define XEN_DOMINF_blocked	 (1u << 4) /* every vcpu waits */
#define XEN_DOMINF_running	 (1u << 5)
#define XEN_DOMINF_shutdownshift 16 /* SHUTDOWN_* in bits 16..23 */

struct xen_domctl_getdomaininfo {
	domid_t domain; /* OUT */
	uint16_t pad;
	uint32_t flags;	    /* XEN_DOMINF_* */
	uint64_t tot_pages; /* host pages its memory holds now */
	uint64_t max_pages;
	uint64_t cpu_time; /* ns its vcpus have run */
	uint32_t nr_online_vcpus;
	uint32_t max_vcpu_id;
	char name[32]; /* hvlab: Xen keeps names in xenstore */
};

/*
 * hvlab's console access for `xl console`: the domain's output since
 * boot is a ring of XEN_CONSOLE_RING bytes; index IN is where to read
 * from (0 at first), OUT where the next read starts.  Bytes written
 * (input) go to the domain's console input: its UART (hvm) or
 * CONSOLEIO_read (pv).
 */
#define XEN_CONSOLE_RING 16384
struct xen_domctl_console {
	uint64_t buffer; /* guest address of count bytes */
	uint32_t count;	 /* IN: room or bytes to write; OUT: bytes moved */
	uint32_t index;
	uint32_t write; /* 0: read output, 1: write input */
	uint32_t pad;
};

struct xen_domctl {
	uint32_t cmd;
	uint32_t interface_version;
	domid_t domain;
	uint16_t pad[3];
	union {
		struct xen_domctl_createdomain createdomain;
		struct xen_domctl_getdomaininfo getdomaininfo;
		struct xen_domctl_console console;
		struct xen_domctl_getdevice getdevice;
		uint8_t pad[128];
	} u;
};

#define XEN_SYSCTL_readconsole 1      /* the hypervisor's console ring */
#define XEN_SYSCTL_bootfile    0x4801 /* hvlab: a file of the boot disk */

/* Like xen_domctl_console's read, from the hypervisor's own ring
 * (every line it printed, `xl dmesg`).  incremental: from index. */
struct xen_sysctl_readconsole {
	uint8_t clear;
	uint8_t incremental;
	uint8_t pad0, pad1;
	uint32_t index; /* IN/OUT */
	uint64_t buffer;
	uint32_t count; /* IN: room; OUT: bytes */
	uint32_t pad2;
};

/*
 * XEN_SYSCTL_bootfile (lab 7): up to count bytes of a boot-disk file that
 * some domain config names (a disk image), from offset, to guest address
 * buffer.  Allowed to the privileged domain and to driver domains
 * (driver_domain = 1), whose backends hold disk images in their memory.
 * -XEN_ENOENT for a file no config names.
 */
struct xen_sysctl_bootfile {
	char path[48];	 /* IN: as a disk line names it */
	uint64_t buffer; /* IN */
	uint64_t offset; /* IN */
	uint32_t count;	 /* IN: room; OUT: bytes copied */
	uint32_t pad;
	uint64_t size; /* OUT: the file's size in bytes */
};

struct xen_sysctl {
	uint32_t cmd;
	uint32_t interface_version;
	union {
		struct xen_sysctl_readconsole readconsole;
		struct xen_sysctl_bootfile bootfile;
		uint8_t pad[128];
	} u;
};

_Static_assert(__builtin_offsetof(struct xen_domctl, u) == 16, "domctl.u");
_Static_assert(sizeof(struct xen_domctl) == 144, "xen_domctl");
_Static_assert(sizeof(struct xen_domctl_getdomaininfo) == 72, "dominfo");
_Static_assert(sizeof(struct xen_domctl_getdevice) == 100, "getdevice");
_Static_assert(sizeof(struct xen_sysctl_bootfile) == 80, "bootfile");
_Static_assert(__builtin_offsetof(struct xen_sysctl, u) == 8, "sysctl.u");
_Static_assert(sizeof(struct xen_sysctl_readconsole) == 24, "readconsole");

#endif
