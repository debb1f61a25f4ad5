/*
 * pv-tick - a domU for dom0's tests (lab 6): it checks that the
 * management hypercalls refuse it, then prints "tick N" every period=MS
 * (default 100) and echoes each line of console input (what `xl console`
 * writes) as "echo: LINE", until ticks=N ticks (default: forever).
 */
#include <guests/lib/pv.h>

static volatile int input; /* VIRQ_CONSOLE since the last read */

static void on_console(evtchn_port_t port, void *arg)
{
	input = 1;
}

/* domctl and sysctl from an unprivileged domain: -XEN_EPERM. */
static void check_eperm(void)
{
	struct xen_domctl d = {
		.cmd = XEN_DOMCTL_getdomaininfo,
		.interface_version = XEN_DOMCTL_INTERFACE_VERSION
	};
	struct xen_sysctl s = {
		.cmd = XEN_SYSCTL_readconsole,
		.interface_version = XEN_SYSCTL_INTERFACE_VERSION
	};

	report(HYPERVISOR_domctl(&d) == -XEN_EPERM,
	       "domctl from a domU: EPERM");
	report(HYPERVISOR_sysctl(&s) == -XEN_EPERM,
	       "sysctl from a domU: EPERM");
}

/* Echoes whole lines of console input. */
static void echo_input(void)
{
	static char line[80];
	static size_t len;
	char buf[32];
	long n;

	input = 0;
	while ((n = HYPERVISOR_console_io(CONSOLEIO_read, sizeof(buf), buf)) >
	       0)
		for (long i = 0; i < n; i++) {
			if (buf[i] != '\r' && buf[i] != '\n') {
				if (len + 1 < sizeof(line))
					line[len++] = buf[i];
				continue;
			}
			line[len] = '\0';
			if (len)
				printf("echo: %s\n", line);
			len = 0;
		}
}

void main(void)
{
	uint64_t ticks = cmdline_u64("ticks", 0);
	uint64_t period = cmdline_u64("period", 100) * 1000000;
	uint64_t next = pv_time_ns();

	check_eperm();
	report(evtchn_bind_virq(VIRQ_CONSOLE, 0, on_console, NULL) >= 0,
	       "VIRQ_CONSOLE bound");
	for (uint64_t n = 1; !ticks || n <= ticks; n++) {
		next += period;
		while (pv_time_ns() < next) {
			pv_block_until(&input, next);
			echo_input();
		}
		printf("tick %llu\n", (unsigned long long)n);
	}
}
