/*
 * pv-hostile - a PV guest that attacks the hypercall interface (lab 6), in
 * either container, beside a bystander that must finish untouched:
 *
 *   fuzz      every hypercall number 0..127, 8 times each, with random
 *             sub-ops and pointers (into the hypervisor, beyond the
 *             domain's memory, at random, at random bytes of its own)
 *   pointers  each call that takes a pointer, given one into the
 *             hypervisor, beyond the domain's RAM or across its end
 *   exhaust   unbound ports until the domain has none left
 *   twice     a VIRQ bound twice, an unbound port bound twice
 *   closed    sends and closes on ports closed or never opened
 *   vcpuinfo  vcpu_info across a page boundary, beyond RAM, out of range
 *   storm     20000 sends to itself, then to a port it never unmasks
 *
 * Each attack must see errors, never a crash of its own domain or of the
 * hypervisor, and the domain must work afterwards.  extra="attack=NAME"
 * runs one; "seed=N" seeds the fuzzer (default 1).
 *
 * Across two domains, "role=sink peer=ID" offers an unbound port to domain
 * ID and blocks while "role=storm peer=ID port=P" binds to it and sends
 * 20000 times (P: the sink's port, by default 3, the first after the
 * domain builder's xenstore channel and the library's VIRQ_TIMER).
 */
#include <guests/lib/pv.h>

#define MS	    1000000ULL
#define HV_ADDR	    0xffff800000000000UL
#define FUZZ_MAX    128
#define FUZZ_ROUNDS 8

static uint64_t rng_state;
static uint8_t scratch[4096] __attribute__((aligned(4096)));

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* The first byte beyond the domain's memory (RAM and builder pages). */
static uint64_t mem_end(void)
{
	domid_t self = DOMID_SELF;
	long pages = HYPERVISOR_memory_op(XENMEM_maximum_reservation, &self);

	return pages > 0 ? (uint64_t)pages * 4096 : pv_boot.ram_bytes;
}

/* A pointer of a random kind; scratch is refilled with random bytes. */
static uint64_t fuzz_pointer(void)
{
	switch (rng() % 5) {
	case 0: return HV_ADDR + (rng() & 0xffffffffff);
	case 1: return mem_end() + (rng() & 0x3fffffff);
	case 2: return rng();
	case 3: return 0;
	default:
		for (unsigned i = 0; i < sizeof(scratch); i += 8)
			*(uint64_t *)(scratch + i) = rng();
		return (uintptr_t)scratch;
	}
}

/* Whether (nr, cmd) would legitimately end or stop this guest: shutdown,
 * blocking without a wakeup, taking its vcpu down, printing garbage.
 * (check_alive repairs what else it may change: a parameter, a timer.) */
static bool fuzz_self_harm(unsigned long nr, unsigned long cmd)
{
	return (nr == __HYPERVISOR_sched_op && cmd != SCHEDOP_yield &&
		cmd < 16) ||
	       (nr == __HYPERVISOR_vcpu_op && cmd == VCPUOP_down) ||
	       (nr == __HYPERVISOR_console_io && cmd == CONSOLEIO_write);
}

static bool offered(unsigned long nr)
{
	switch (nr) {
	case __HYPERVISOR_memory_op:
	case __HYPERVISOR_set_timer_op:
	case __HYPERVISOR_xen_version:
	case __HYPERVISOR_console_io:
	case __HYPERVISOR_grant_table_op:
	case __HYPERVISOR_vcpu_op:
	case __HYPERVISOR_sched_op:
	case __HYPERVISOR_event_channel_op:
	case __HYPERVISOR_hvm_op:
	case __HYPERVISOR_sysctl:
	case __HYPERVISOR_domctl:
	case __HYPERVISOR_dm_op: return true;
	}
	return false;
}

static void attack_fuzz(void)
{
	unsigned calls = 0, bad_errno = 0, not_enosys = 0, skipped = 0;

	printf("pv-hostile: fuzz, seed %llu\n", (unsigned long long)rng_state);
	for (unsigned long nr = 0; nr < FUZZ_MAX; nr++)
		for (int i = 0; i < FUZZ_ROUNDS; i++) {
			unsigned long cmd = rng() & 1 ? rng() % 16 : rng();
			unsigned long a2 = fuzz_pointer(), a3 = fuzz_pointer();
			long r;

			if (fuzz_self_harm(nr, cmd)) {
				skipped++;
				continue;
			}
			r = pv_hypercall_direct(nr, cmd, a2, a3);
			calls++;
			bad_errno += r < 0 && r < -125;
			not_enosys += !offered(nr) && r != -XEN_ENOSYS;
		}
	report(calls > 0,
	       "fuzz: %u calls to numbers 0..%d returned (%u "
	       "skipped as self-harm)",
	       calls, FUZZ_MAX - 1, skipped);
	report_eq(bad_errno, 0, "fuzz: results below -125 (not an errno)");
	report_eq(not_enosys, 0,
		  "fuzz: numbers not offered that did not give -ENOSYS");
}

/* A pointer-taking call with ptr; its result. */
static long call_with(int which, uint64_t ptr)
{
	switch (which) {
	case 0: return HYPERVISOR_xen_version(XENVER_extraversion, (void *)ptr);
	case 1: return HYPERVISOR_xen_version(XENVER_get_features, (void *)ptr);
	case 2: return HYPERVISOR_console_io(CONSOLEIO_write, 16, (char *)ptr);
	case 3: return HYPERVISOR_memory_op(XENMEM_memory_map, (void *)ptr);
	case 4:
		return HYPERVISOR_memory_op(XENMEM_current_reservation,
					    (void *)ptr);
	case 5:
		return HYPERVISOR_event_channel_op(EVTCHNOP_status,
						   (void *)ptr);
	case 6: return HYPERVISOR_event_channel_op(EVTCHNOP_send, (void *)ptr);
	case 7:
		return HYPERVISOR_vcpu_op(VCPUOP_set_singleshot_timer, 0,
					  (void *)ptr);
	case 8:
		return HYPERVISOR_vcpu_op(VCPUOP_get_runstate_info, 0,
					  (void *)ptr);
	case 9: return HYPERVISOR_sched_op(SCHEDOP_poll, (void *)ptr);
	default: return HYPERVISOR_hvm_op(HVMOP_get_param, (void *)ptr);
	}
}

static void attack_pointers(void)
{
	const uint64_t where[] = {
		HV_ADDR,	      /* the hypervisor's half */
		0xffffffff80000000UL, /* where hypervisors link */
		mem_end(),	      /* the next domain's frames, if any */
		mem_end() + 64 * MiB,
		mem_end() - 1,	      /* across the end of its memory */
		0x100000000UL,	      /* 4 GiB */
		0x00007ffffffff000UL, /* the top of the lower half */
	};
	const int ncalls = 11;

	for (unsigned i = 0; i < ARRAY_SIZE(where); i++) {
		int bad = -1;
		long r = 0;

		for (int c = 0; c < ncalls && bad < 0; c++)
			if ((r = call_with(c, where[i])) != -XEN_EFAULT)
				bad = c;
		if (bad < 0)
			report(true,
			       "pointers: %d calls with 0x%llx give "
			       "-EFAULT",
			       ncalls, (unsigned long long)where[i]);
		else
			report(false,
			       "pointers: call %d with 0x%llx gave %ld, "
			       "want -EFAULT",
			       bad, (unsigned long long)where[i], r);
	}
}

static void attack_exhaust(void)
{
	static uint16_t ports[EVTCHN_2L_NR_CHANNELS];
	unsigned n = 0;
	long r;

	while (n < ARRAY_SIZE(ports) &&
	       (r = evtchn_alloc_unbound(DOMID_SELF)) > 0)
		ports[n++] = (uint16_t)r;
	report(n > 0 && n < ARRAY_SIZE(ports) && r == -XEN_ENOSPC,
	       "exhaust: %u ports, then %ld (want -ENOSPC %d)", n, r,
	       -XEN_ENOSPC);
	for (unsigned i = 0; i < n; i++)
		evtchn_close(ports[i]);
	r = evtchn_alloc_unbound(DOMID_SELF);
	report(r > 0, "exhaust: a port again after closing them: %ld", r);
	evtchn_close((evtchn_port_t)r);
}

static void attack_twice(void)
{
	long a = evtchn_alloc_unbound(DOMID_SELF), b, c, v;

	report_eq(evtchn_bind_virq(VIRQ_TIMER, 0, NULL, NULL), -XEN_EEXIST,
		  "twice: VIRQ_TIMER bound again");
	v = evtchn_bind_virq(VIRQ_DEBUG, 0, NULL, NULL);
	report_eq(evtchn_bind_virq(VIRQ_DEBUG, 0, NULL, NULL), -XEN_EEXIST,
		  "twice: VIRQ_DEBUG (port %ld) bound again", v);
	b = evtchn_bind_interdomain(DOMID_SELF, (evtchn_port_t)a, NULL, NULL);
	c = evtchn_bind_interdomain(DOMID_SELF, (evtchn_port_t)a, NULL, NULL);
	report(b > 0 && c == -XEN_EINVAL,
	       "twice: unbound port %ld bound twice: %ld, then %ld", a, b, c);
	evtchn_close((evtchn_port_t)b);
	evtchn_close((evtchn_port_t)a);
	evtchn_close((evtchn_port_t)v);
}

static void attack_closed(void)
{
	long p = evtchn_bind_ipi(0, NULL, NULL);
	struct evtchn_status st;
	unsigned bad = 0, n = 0;

	report_eq(evtchn_close((evtchn_port_t)p), 0, "closed: close(%ld)", p);
	report_eq(evtchn_close((evtchn_port_t)p), -XEN_EINVAL,
		  "closed: close(%ld) again", p);
	for (uint32_t port = 1; port < 1024; port++) {
		if (evtchn_status(port, &st) != 0 ||
		    st.status != EVTCHNSTAT_closed)
			continue;
		n++;
		bad += evtchn_send(port) != -XEN_EINVAL;
	}
	report(n > 1000 && bad == 0,
	       "closed: sends to %u closed ports: %u did not give -EINVAL", n,
	       bad);
}

static void attack_vcpuinfo(void)
{
	static const uint32_t offsets[] = { 4096 - 63, 4096 - 32, 4095, 4096,
					    0xffffffff };
	struct vcpu_register_vcpu_info r = { .mfn = (uintptr_t)scratch >> 12 };
	unsigned bad = 0;

	for (unsigned i = 0; i < ARRAY_SIZE(offsets); i++) {
		r.offset = offsets[i];
		bad += HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, 0, &r) !=
		       -XEN_EINVAL;
	}
	report_eq(bad, 0, "vcpuinfo: offsets across the page accepted");
	r = (struct vcpu_register_vcpu_info){ .mfn = mem_end() >> 12 };
	report_eq(HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, 0, &r),
		  -XEN_EINVAL, "vcpuinfo: the frame beyond its memory");
	r.mfn = HV_ADDR >> 12;
	report_eq(HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, 0, &r),
		  -XEN_EINVAL, "vcpuinfo: a hypervisor frame number");
	r.mfn = ~0ULL;
	report_eq(HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, 0, &r),
		  -XEN_EINVAL, "vcpuinfo: frame ~0");
}

static volatile unsigned storm_hits;

static void on_storm(evtchn_port_t port, void *arg)
{
	storm_hits++;
}

static void attack_storm(void)
{
	long p = evtchn_bind_ipi(0, on_storm, NULL), deaf;
	unsigned up, handled;

	for (int i = 0; i < 20000; i++)
		evtchn_send((evtchn_port_t)p);
	pv_block_until(NULL, pv_time_ns() + 5 * MS);
	report(storm_hits >= 1 && storm_hits <= 20000,
	       "storm: 20000 sends, %u upcalls to the handler", storm_hits);
	evtchn_close((evtchn_port_t)p);
	deaf = evtchn_bind_ipi(0, NULL, NULL);
	handled = evtchn_count((evtchn_port_t)deaf);
	up = evtchn_upcalls();
	for (int i = 0; i < 20000; i++)
		evtchn_send((evtchn_port_t)deaf);
	pv_block_until(NULL, pv_time_ns() + 5 * MS);
	report(evtchn_is_pending((evtchn_port_t)deaf) &&
		       evtchn_count((evtchn_port_t)deaf) == handled,
	       "storm: a port never unmasked stays pending, unhandled (%u "
	       "upcalls meanwhile, the timer's)",
	       evtchn_upcalls() - up);
}

static void on_sink(evtchn_port_t port, void *arg)
{
	storm_hits++;
}

/* Blocks for 3 s of system time while the peer storms its port. */
static void role_sink(domid_t peer)
{
	long p = evtchn_alloc_unbound(peer);
	uint64_t end = pv_time_ns() + 3000 * MS;

	report(p > 0, "sink: port %ld offered to domain %u", p, peer);
	evtchn_bind((evtchn_port_t)p, on_sink, NULL);
	pv_block_until(NULL, end);
	report(storm_hits >= 1,
	       "sink: %u upcalls from the storm, still "
	       "running",
	       storm_hits);
}

/* Binds to the sink's port (it may start later) and sends 20000 times. */
static void role_storm(domid_t peer, evtchn_port_t port)
{
	uint64_t end = pv_time_ns() + 5000 * MS;
	long p;
	unsigned bad = 0;

	while ((p = evtchn_bind_interdomain(peer, port, NULL, NULL)) < 0 &&
	       pv_time_ns() < end)
		HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
	if (!report(p > 0, "storm: bound to domain %u port %u: %ld", peer, port,
		    p))
		return;
	for (int i = 0; i < 20000; i++)
		bad += evtchn_send((evtchn_port_t)p) != 0;
	report_eq(bad, 0, "storm: of 20000 sends to domain %u, failed", peer);
}

/* The domain still works: a hypercall, a timer, an IPI. */
static void check_alive(const char *after)
{
	unsigned n = evtchn_count(pv_timer_port);
	uint64_t via = (uint64_t)HVM_PARAM_CALLBACK_TYPE_VECTOR << 56 |
		       PV_UPCALL_VECTOR;

	/* The fuzzer may have set a periodic timer or a parameter. */
	HYPERVISOR_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL);
	hvm_set_param(HVM_PARAM_CALLBACK_IRQ, via);
	pv_sleep(2 * MS);
	report(HYPERVISOR_xen_version(XENVER_version, NULL) > 0 &&
		       evtchn_count(pv_timer_port) > n,
	       "after %s: hypercalls and VIRQ_TIMER still work", after);
}

static const struct {
	const char *name;
	void (*run)(void);
} attacks[] = {
	{ "fuzz", attack_fuzz },       { "pointers", attack_pointers },
	{ "exhaust", attack_exhaust }, { "twice", attack_twice },
	{ "closed", attack_closed },   { "vcpuinfo", attack_vcpuinfo },
	{ "storm", attack_storm },
};

void main(void)
{
	char want[16];
	bool one = cmdline_get("attack", want, sizeof(want)) != NULL;

	char role[8];
	domid_t peer = (domid_t)cmdline_u64("peer", DOMID_SELF);

	rng_state = cmdline_u64("seed", 1) | 1;
	printf("pv-hostile: %s container\n", pv_in_te() ? "te" : "hvm");
	if (cmdline_get("role", role, sizeof(role))) {
		if (strcmp(role, "sink") == 0)
			role_sink(peer);
		else
			role_storm(peer, (evtchn_port_t)cmdline_u64("port", 3));
		check_alive(role);
		return;
	}
	for (unsigned i = 0; i < ARRAY_SIZE(attacks); i++) {
		if (one && strcmp(want, attacks[i].name) != 0)
			continue;
		attacks[i].run();
		check_alive(attacks[i].name);
	}
}
