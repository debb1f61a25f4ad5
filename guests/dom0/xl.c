/*
 * xl.c - the xl subcommands of dom0's shell (lab 6), named and shaped
 * after Xen's xl(1): list, create, destroy, pause, unpause, console,
 * dmesg, block-list, network-list.  Each is one or a few domctl / sysctl calls (inc/public/
 * domctl.h); the hypervisor checks everything, xl only formats.
 */
#include "dom0.h"
#include "netback.h"
#include <guests/lib/pv.h>

/* The ring the hypervisor keeps: `xl dmesg` reads it all, then prints. */
static char xl_dmesg_buf[XEN_CONSOLE_RING];

const char *xl_strerror(long r)
{
	switch (-r) {
	case XEN_EPERM: return "EPERM";
	case XEN_ENOENT: return "ENOENT (no such config)";
	case XEN_ESRCH: return "ESRCH (no such domain)";
	case XEN_ENOMEM: return "ENOMEM";
	case XEN_EFAULT: return "EFAULT";
	case XEN_EEXIST: return "EEXIST (the name is taken)";
	case XEN_EINVAL: return "EINVAL";
	case XEN_ENOSPC: return "ENOSPC (no free domain slot)";
	case XEN_ENOSYS: return "ENOSYS";
	case XEN_EACCES: return "EACCES (interface version)";
	default: return "error";
	}
}

/* getdomaininfo of the first domain with id >= domid into *info. */
static long xl_info(domid_t domid, struct xen_domctl_getdomaininfo *info)
{
	struct xen_domctl op = { .cmd = XEN_DOMCTL_getdomaininfo,
				 .domain = domid };
	long r = dom0_domctl(&op);

	if (r == 0)
		*info = op.u.getdomaininfo;
	return r;
}

/* The domain NAME or ID names: its id, or -XEN_ESRCH. */
long xl_lookup(const char *what)
{
	struct xen_domctl_getdomaininfo info;
	domid_t id = 0;
	const char *p;

	for (p = what; *p >= '0' && *p <= '9'; p++)
		id = (domid_t)(id * 10 + (*p - '0'));
	if (*what && !*p)
		return id;
	for (id = 0; xl_info(id, &info) == 0; id = info.domain + 1)
		if (strcmp(info.name, what) == 0)
			return info.domain;
	return -XEN_ESRCH;
}

bool xl_ended(const char *what)
{
	struct xen_domctl_getdomaininfo info;
	long id = xl_lookup(what);

	return id < 0 || xl_info((domid_t)id, &info) < 0 || info.domain != id ||
	       (info.flags & (XEN_DOMINF_shutdown | XEN_DOMINF_dying));
}

/* Xen's six state letters: running, blocked, paused, shutdown, crashed,
 * dying, each '-' when it does not hold. */
static void xl_state(uint32_t flags, char s[7])
{
	unsigned why = (flags >> XEN_DOMINF_shutdownshift) & 0xff;
	bool down = flags & XEN_DOMINF_shutdown;

	s[0] = flags & XEN_DOMINF_running ? 'r' : '-';
	s[1] = flags & XEN_DOMINF_blocked ? 'b' : '-';
	s[2] = flags & XEN_DOMINF_paused ? 'p' : '-';
	s[3] = down && why != SHUTDOWN_crash ? 's' : '-';
	s[4] = down && why == SHUTDOWN_crash ? 'c' : '-';
	s[5] = flags & XEN_DOMINF_dying ? 'd' : '-';
	s[6] = '\0';
}

static int xl_list(int argc, char **argv)
{
	struct xen_domctl_getdomaininfo info;
	char state[7];
	domid_t id;

	printf("%-32s %5s %5s %5s %8s %9s\n", "Name", "ID", "Mem", "VCPUs",
	       "State", "Time(s)");
	for (id = 0; xl_info(id, &info) == 0; id = info.domain + 1) {
		uint64_t ms = info.cpu_time / 1000000;
		/* MiB the domain holds, rounded up: a demand-populated
		 * domain that has touched a few pages shows 1, not 0. */
		uint64_t mib = (info.tot_pages + 255) / 256;

		xl_state(info.flags, state);
		printf("%-32s %5u %5llu %5u %8s %7llu.%llu\n", info.name,
		       info.domain, (unsigned long long)mib,
		       info.nr_online_vcpus, state,
		       (unsigned long long)(ms / 1000),
		       (unsigned long long)(ms % 1000 / 100));
	}
	return 0;
}

/* The domain starts paused (as Xen's does), then runs unless -p. */
static int xl_create(int argc, char **argv)
{
	struct xen_domctl op = { .cmd = XEN_DOMCTL_createdomain };
	bool paused = argc == 3 && strcmp(argv[1], "-p") == 0;
	long r;

	argc -= paused;
	argv += paused;
	if (argc != 2 || strlen(argv[1]) >= sizeof(op.u.createdomain.config)) {
		printf("usage: xl create [-p] FILE.cfg\n");
		return 1;
	}
	printf("Parsing config from %s\n", argv[1]);
	strlcpy(op.u.createdomain.config, argv[1],
		sizeof(op.u.createdomain.config));
	r = dom0_domctl(&op);
	if (r < 0) {
		printf("xl create %s: %s\n", argv[1], xl_strerror(r));
		return 1;
	}
	printf("created domain %u\n", op.domain);
	return toolstack_setup(op.domain, argv[1], op.u.createdomain.on_crash,
			       !paused);
}

/* destroy, pause and unpause: one domctl on the domain argv[1] names. */
static int xl_simple(int argc, char **argv, uint32_t cmd)
{
	struct xen_domctl op = { .cmd = cmd };
	long r = argc == 2 ? xl_lookup(argv[1]) : -XEN_EINVAL;

	if (argc != 2) {
		printf("usage: xl %s NAME|ID\n", argv[0]);
		return 1;
	}
	if (r >= 0) {
		op.domain = (domid_t)r;
		r = dom0_domctl(&op);
	}
	if (r < 0)
		printf("xl %s %s: %s\n", argv[0], argv[1], xl_strerror(r));
	return r < 0;
}

static int xl_destroy(int argc, char **argv)
{
	long id = argc == 2 ? xl_lookup(argv[1]) : -XEN_EINVAL;

	if (id > 0)
		toolstack_forget((domid_t)id);
	return xl_simple(argc, argv, XEN_DOMCTL_destroydomain);
}

static int xl_pause(int argc, char **argv)
{
	return xl_simple(argc, argv, XEN_DOMCTL_pausedomain);
}

static int xl_unpause(int argc, char **argv)
{
	return xl_simple(argc, argv, XEN_DOMCTL_unpausedomain);
}

/* Prints domid's console output from *index on; 0 or -XEN_E*. */
static long xl_console_out(domid_t domid, uint32_t *index)
{
	char buf[256];
	struct xen_domctl op = { .cmd = XEN_DOMCTL_console, .domain = domid };
	long r;

	do {
		op.u.console = (struct xen_domctl_console){
			.buffer = (uintptr_t)buf,
			.count = sizeof(buf),
			.index = *index,
		};
		r = dom0_domctl(&op);
		if (r < 0)
			return r;
		printf("%.*s", (int)op.u.console.count, buf);
		*index = op.u.console.index;
	} while (op.u.console.count == sizeof(buf));
	return 0;
}

/* Sends typed bytes to domid's console input; hvm domains take none. */
static void xl_console_in(domid_t domid, char *buf, size_t len)
{
	struct xen_domctl op = { .cmd = XEN_DOMCTL_console, .domain = domid };

	op.u.console = (struct xen_domctl_console){
		.buffer = (uintptr_t)buf,
		.count = (uint32_t)len,
		.write = 1,
	};
	dom0_domctl(&op);
}

/*
 * Forwards typed bytes to domid's input, one read at a time so that
 * what follows Ctrl-] stays for the shell; false once Ctrl-] came.
 */
static bool xl_console_typed(domid_t domid)
{
	char in[64];
	size_t n = 0;
	bool detach = false;

	while (n < sizeof(in) && dom0_read(&in[n], 1)) {
		detach = in[n] == CTRL(']');
		if (detach)
			break;
		n++;
	}
	if (n)
		xl_console_in(domid, in, n);
	else if (!detach)
		dom0_wait(20);
	return !detach;
}

/*
 * Attaches to a domain's console: its output since it started, then
 * whatever it prints while typed bytes go to its input, until Ctrl-]
 * or the domain is gone or shut down.
 */
static int xl_console(int argc, char **argv)
{
	struct xen_domctl_getdomaininfo info;
	uint32_t index = 0;
	long id = argc == 2 ? xl_lookup(argv[1]) : -XEN_EINVAL;

	if (id < 0) {
		printf(argc == 2 ? "xl console %s: no such domain\n" :
				   "usage: xl console NAME|ID\n",
		       argv[1]);
		return 1;
	}
	while (xl_console_out((domid_t)id, &index) == 0 &&
	       xl_info((domid_t)id, &info) == 0 && info.domain == id &&
	       !(info.flags & XEN_DOMINF_shutdown) &&
	       xl_console_typed((domid_t)id))
		;
	xl_console_out((domid_t)id, &index);
	printf("\n");
	return 0;
}

static int xl_dmesg(int argc, char **argv)
{
	struct xen_sysctl op = { .cmd = XEN_SYSCTL_readconsole };
	struct xen_sysctl_readconsole *rc = &op.u.readconsole;
	size_t len = 0;

	/* Read first: printing adds to the ring being read. */
	do {
		rc->incremental = 1;
		rc->buffer = (uintptr_t)(xl_dmesg_buf + len);
		rc->count = (uint32_t)(sizeof(xl_dmesg_buf) - len);
		if (dom0_sysctl(&op) < 0)
			break;
		len += rc->count;
	} while (rc->count && len < sizeof(xl_dmesg_buf));
	printf("%.*s", (int)len, xl_dmesg_buf);
	return 0;
}

/* More than a config's disks and vifs together. */
#define XL_DEVICES_MAX 16

/* Device i of domid's config (getdevice) into *g; 0 or -XEN_E*. */
static long xl_device(domid_t domid, uint32_t i, struct xen_domctl_getdevice *g)
{
	struct xen_domctl op = { .cmd = XEN_DOMCTL_getdevice, .domain = domid };
	long r;

	op.u.getdevice.index = i;
	r = dom0_domctl(&op);
	*g = op.u.getdevice;
	return r;
}

/* One `xl block-list` row: the disk and its image's size (bootfile). */
static void xl_disk_row(const struct xen_domctl_getdevice *g)
{
	struct xen_sysctl op = { .cmd = XEN_SYSCTL_bootfile };
	long r;

	strlcpy(op.u.bootfile.path, g->target, sizeof(op.u.bootfile.path));
	r = dom0_sysctl(&op);
	printf("%-6s %3u %-4s %10llu %s%s%s\n", g->vdev, g->backend,
	       g->writable ? "w" : "r",
	       (unsigned long long)(r < 0 ? 0 : op.u.bootfile.size), g->target,
	       r < 0 ? " " : "", r < 0 ? xl_strerror(r) : "");
}

static void xl_vif_row(unsigned idx, const struct xen_domctl_getdevice *g)
{
	const uint8_t *m = g->mac;

	printf("%-3u %3u ", idx, g->backend);
	if (g->has_mac)
		printf("%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3],
		       m[4], m[5]);
	else
		printf("%-17s", "-");
	printf(" %s\n", g->bridge);
}

/*
 * block-list and network-list: the disk or vif lines of a domain's
 * config as getdevice reports them, with the backend's domain id.
 */
static int xl_devices(int argc, char **argv, uint32_t type)
{
	struct xen_domctl_getdevice g;
	long id = argc == 2 ? xl_lookup(argv[1]) : -XEN_EINVAL, r;
	unsigned i, n = 0;

	if (id < 0) {
		printf(argc == 2 ? "xl %s %s: no such domain\n" :
				   "usage: xl %s NAME|ID\n",
		       argv[0], argv[1]);
		return 1;
	}
	printf(type == XEN_DEVICE_disk ? "Vdev    BE Mode       Size Target\n" :
					 "Idx  BE Mac Addr.         Bridge\n");
	/* Bounded: a domain destroyed meanwhile fails every index. */
	for (i = 0; i < XL_DEVICES_MAX &&
		    (r = xl_device((domid_t)id, i, &g)) != -XEN_ENOENT;
	     i++) {
		if (r < 0)
			printf("xl %s %s: device %u: %s\n", argv[0], argv[1], i,
			       xl_strerror(r));
		else if (g.type == type && type == XEN_DEVICE_disk)
			xl_disk_row(&g);
		else if (g.type == type)
			xl_vif_row(n++, &g);
	}
	return 0;
}

static int xl_block_list(int argc, char **argv)
{
	return xl_devices(argc, argv, XEN_DEVICE_disk);
}

/* Without a domain: netback's bridges and vifs, with their counters. */
static int xl_network_list(int argc, char **argv)
{
	if (argc == 1) {
		netback_show();
		return 0;
	}
	return xl_devices(argc, argv, XEN_DEVICE_vif);
}

static const struct xl_cmd {
	const char *name, *args, *help;
	int (*fn)(int argc, char **argv);
} xl_cmds[] = {
	{ "list", "", "the domains: id, memory, vcpus, state, time", xl_list },
	{ "create", "[-p] FILE.cfg",
	  "a domain from a boot-disk config (-p: left paused)", xl_create },
	{ "destroy", "NAME|ID", "end a domain and forget it", xl_destroy },
	{ "pause", "NAME|ID", "stop running a domain", xl_pause },
	{ "unpause", "NAME|ID", "run it again", xl_unpause },
	{ "console", "NAME|ID", "attach to its console (Ctrl-] detaches)",
	  xl_console },
	{ "dmesg", "", "the hypervisor's console ring", xl_dmesg },
	{ "block-list", "NAME|ID", "its disks: vdev, backend, mode, size",
	  xl_block_list },
	{ "network-list", "[NAME|ID]",
	  "its vifs: backend, mac, bridge; "
	  "without: the bridges",
	  xl_network_list },
};

static int xl_help(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(xl_cmds); i++)
		printf("  xl %-12s %-13s %s\n", xl_cmds[i].name,
		       xl_cmds[i].args, xl_cmds[i].help);
	return 0;
}

int xl_main(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "help") == 0)
		return xl_help();
	for (size_t i = 0; i < ARRAY_SIZE(xl_cmds); i++)
		if (strcmp(argv[1], xl_cmds[i].name) == 0)
			return xl_cmds[i].fn(argc - 1, argv + 1);
	printf("xl: unknown command \"%s\" (xl help lists them)\n", argv[1]);
	return 1;
}
