/*
 * test_evtchn.c - pv/evtchn.c and pv/vcpu.c on the host: the event
 * channel state machine (bind, send, close, unmask, status), channels
 * between two domains, exhaustion, double binds, closed ports, a dying
 * domain's ports, the delivery bits of xen.h's vcpu_info comment, the
 * upcall vector, wakeups, a few vcpu_op and sched_op rules, and pvclock's
 * arithmetic.
 *
 * Each domain's guest memory is a flat buffer: guest-linear = guest-
 * physical = an offset into it, so pv_copy_in/out and pv_map are
 * memcpy and pointer arithmetic here.
 */
#include <criterion/criterion.h>
#include <string.h>
#include <inc/types.h>
#include <inc/public/xen.h>
#include <inc/public/event_channel.h>
#include <inc/public/sched.h>
#include <inc/public/vcpu.h>
#include <kernel/kernel.h>
#include <kernel/clock.h>
#include <kernel/domain.h>
#include <kernel/mm/page.h>
#include <pv/hypercall.h>
#include <pv/pv.h>
#include "host_kernel.h"

#define GUEST_MEM   (64 * 1024)
#define SHARED_INFO 0x1000
#define ARG	    0x8000 /* where a hypercall's struct goes */
#define TSC0	    1000

struct domain domains[DOMAIN_MAX];
static uint8_t mem[2][GUEST_MEM];
static uint64_t tsc_hz = 2400000000ULL;
static int exits, crashes;
static char crash_reason[96];

/* --- what pv/ needs from the rest of the hypervisor --- */

void *pv_map(struct domain *d, gpa_t gpa, size_t len)
{
	if (d->id > 1 || gpa >= GUEST_MEM || len > GUEST_MEM - gpa ||
	    len > PAGE_SIZE - gpa % PAGE_SIZE)
		return NULL;
	return &mem[d->id][gpa];
}

long pv_copy_in(struct vcpu *v, void *dst, gva_t la, size_t len)
{
	void *p = pv_map(v->domain, la, len);

	if (!p && len)
		return -XEN_EFAULT;
	memcpy(dst, p, len);
	return 0;
}

long pv_copy_out(struct vcpu *v, gva_t la, const void *src, size_t len)
{
	void *p = pv_map(v->domain, la, len);

	if (!p && len)
		return -XEN_EFAULT;
	memcpy(p, src, len);
	return 0;
}

/* Grant tables are test_grant.c's. */
void gnttab_domain_init(struct domain *d)
{
}

uint64_t clock_tsc_hz(void)
{
	return tsc_hz;
}

uint64_t clock_tsc_ns(uint64_t tsc)
{
	return (uint64_t)((unsigned __int128)(tsc - TSC0) * 1000000000 /
			  tsc_hz);
}

uint64_t clock_unix_ns(uint64_t tsc)
{
	return clock_tsc_ns(tsc);
}

void domain_exit(struct domain *d, int status)
{
	exits++;
	d->state = DOMAIN_EXITED;
}

void domain_crash(struct domain *d, struct vcpu *v, const char *fmt, ...)
{
	crashes++;
	strncpy(crash_reason, fmt, sizeof(crash_reason) - 1);
	d->state = DOMAIN_CRASHED;
}

/* --- two running pv domains with two vcpus each --- */

static struct domain *A = &domains[0], *B = &domains[1];

static void setup_domain(struct domain *d, int id)
{
	int i;

	memset(d, 0, sizeof(*d));
	memset(mem[id], 0, GUEST_MEM);
	d->id = id;
	d->state = DOMAIN_RUNNING;
	d->pv.on = true;
	d->nvcpus = 2;
	for (i = 0; i < d->nvcpus; i++) {
		d->vcpus[i].domain = d;
		d->vcpus[i].id = i;
	}
	cr_assert_eq(pv_domain_init(d), 0);
	d->pv.shared_info = SHARED_INFO;
}

static void setup(void)
{
	setup_domain(A, 0);
	setup_domain(B, 1);
	exits = crashes = 0;
}

static struct shared_info *sh(struct domain *d)
{
	return (struct shared_info *)&mem[d->id][SHARED_INFO];
}

static struct vcpu_info *vi(struct domain *d, int vcpu)
{
	return &sh(d)->vcpu_info[vcpu];
}

static bool pending(struct domain *d, uint32_t port)
{
	return sh(d)->evtchn_pending[port / 64] >> (port % 64) & 1;
}

static void mask(struct domain *d, uint32_t port)
{
	sh(d)->evtchn_mask[port / 64] |= 1ULL << (port % 64);
}

/* EVTCHNOP_cmd with *arg (len bytes) from d's vcpu 0; *arg gets the OUTs. */
static long op(struct domain *d, unsigned cmd, void *arg, size_t len)
{
	uint64_t args[HYPERCALL_ARGS] = { cmd, ARG };
	long r;

	memcpy(&mem[d->id][ARG], arg, len);
	r = event_channel_op(&d->vcpus[0], args);
	memcpy(arg, &mem[d->id][ARG], len);
	return r;
}

#define OP(d, cmd, s) op(d, cmd, &(s), sizeof(s))

static long send(struct domain *d, uint32_t port)
{
	struct evtchn_send s = { port };
	return OP(d, EVTCHNOP_send, s);
}

static long evclose(struct domain *d, uint32_t port)
{
	struct evtchn_close c = { port };
	return OP(d, EVTCHNOP_close, c);
}

static uint32_t bind_ipi(struct domain *d, uint32_t vcpu)
{
	struct evtchn_bind_ipi b = { .vcpu = vcpu };
	cr_assert_eq(OP(d, EVTCHNOP_bind_ipi, b), 0);
	return b.port;
}

static struct evtchn_status status(struct domain *d, uint32_t port)
{
	struct evtchn_status s = { .dom = DOMID_SELF, .port = port };
	cr_assert_eq(OP(d, EVTCHNOP_status, s), 0);
	return s;
}

/* A's port connected to B's; returns A's, B's in *bport. */
static uint32_t connect(uint32_t *bport)
{
	struct evtchn_alloc_unbound u = { .dom = DOMID_SELF, .remote_dom = 0 };
	struct evtchn_bind_interdomain b = { .remote_dom = 1 };

	cr_assert_eq(OP(B, EVTCHNOP_alloc_unbound, u), 0);
	b.remote_port = u.port;
	cr_assert_eq(OP(A, EVTCHNOP_bind_interdomain, b), 0);
	*bport = u.port;
	return b.local_port;
}

TestSuite(evtchn, .init = setup);

Test(evtchn, interdomain_send_marks_the_remote_port)
{
	uint32_t bport, aport = connect(&bport);
	struct evtchn_status s = status(A, aport);

	cr_expect_eq(s.status, EVTCHNSTAT_interdomain);
	cr_expect_eq(s.u.interdomain.dom, 1);
	cr_expect_eq(s.u.interdomain.port, bport);
	s = status(B, bport);
	cr_expect_eq(s.status, EVTCHNSTAT_interdomain);
	cr_expect_eq(s.u.interdomain.port, aport);
	cr_assert_eq(send(A, aport), 0);
	cr_expect(pending(B, bport));
	cr_expect(vi(B, 0)->evtchn_pending_sel & (1ULL << (bport / 64)));
	cr_expect_eq(vi(B, 0)->evtchn_upcall_pending, 1);
	cr_expect_eq(vi(A, 0)->evtchn_upcall_pending, 1,
		     "the bind marks the local port, as Xen");
	sh(A)->evtchn_pending[0] = 0;
	cr_assert_eq(send(B, bport), 0);
	cr_expect(pending(A, aport));
}

Test(evtchn, bind_interdomain_checks_the_unbound_port)
{
	struct evtchn_alloc_unbound u = { .dom = DOMID_SELF, .remote_dom = 1 };
	struct evtchn_bind_interdomain b = { .remote_dom = 1 };

	cr_assert_eq(OP(B, EVTCHNOP_alloc_unbound, u), 0);
	b.remote_port = u.port;
	cr_expect_eq(OP(A, EVTCHNOP_bind_interdomain, b), -XEN_EINVAL,
		     "the port waits for domain 1, not 0");
	b.remote_port = bind_ipi(B, 0);
	cr_expect_eq(OP(A, EVTCHNOP_bind_interdomain, b), -XEN_EINVAL);
	b.remote_port = PV_EVTCHN_PORTS;
	cr_expect_eq(OP(A, EVTCHNOP_bind_interdomain, b), -XEN_EINVAL);
	b.remote_dom = 7;
	cr_expect_eq(OP(A, EVTCHNOP_bind_interdomain, b), -XEN_ESRCH);
	u = (struct evtchn_alloc_unbound){ .dom = 1, .remote_dom = 0 };
	cr_expect_eq(OP(A, EVTCHNOP_alloc_unbound, u), -XEN_EPERM,
		     "only a privileged domain allocates for another");
	A->pv.privileged = true;
	cr_expect_eq(OP(A, EVTCHNOP_alloc_unbound, u), 0);
	cr_expect_eq(B->pv.evtchn[u.port].state, EVTCHNSTAT_unbound);
}

Test(evtchn, close_leaves_the_peer_unbound)
{
	uint32_t bport, aport = connect(&bport);
	struct evtchn_status s;

	cr_assert_eq(evclose(A, aport), 0);
	cr_expect_eq(status(A, aport).status, EVTCHNSTAT_closed);
	s = status(B, bport);
	cr_expect_eq(s.status, EVTCHNSTAT_unbound);
	cr_expect_eq(s.u.unbound.dom, 0, "waits for the same domain again");
	memset(sh(A)->evtchn_pending, 0, sizeof(sh(A)->evtchn_pending));
	cr_expect_eq(send(B, bport), 0, "an unbound port drops the send");
	cr_expect(!pending(A, aport));
	cr_expect_eq(evclose(A, aport), -XEN_EINVAL, "closed already");
}

Test(evtchn, closed_and_invalid_ports)
{
	uint32_t port = bind_ipi(A, 0);
	struct evtchn_unmask u = { PV_EVTCHN_PORTS };

	cr_expect_eq(send(A, 0), -XEN_EINVAL);
	cr_expect_eq(send(A, port + 1), -XEN_EINVAL);
	cr_expect_eq(send(A, PV_EVTCHN_PORTS), -XEN_EINVAL);
	cr_expect_eq(evclose(A, 0), -XEN_EINVAL);
	cr_expect_eq(OP(A, EVTCHNOP_unmask, u), -XEN_EINVAL);
	cr_expect_eq(evclose(A, port), 0);
	cr_expect_eq(send(A, port), -XEN_EINVAL);
	cr_expect_eq(op(A, EVTCHNOP_init_control, &u, sizeof(u)), -XEN_ENOSYS);
	cr_expect_eq(op(A, 99, &u, sizeof(u)), -XEN_ENOSYS);
	uint64_t args[HYPERCALL_ARGS] = { EVTCHNOP_send, GUEST_MEM - 2 };
	cr_expect_eq(event_channel_op(&A->vcpus[0], args), -XEN_EFAULT);
}

Test(evtchn, exhaustion_then_reuse)
{
	struct evtchn_bind_ipi b = { .vcpu = 0 };
	uint32_t i;

	for (i = 1; i < PV_EVTCHN_PORTS; i++)
		cr_assert_eq(bind_ipi(A, 1), i);
	cr_expect_eq(OP(A, EVTCHNOP_bind_ipi, b), -XEN_ENOSPC);
	cr_assert_eq(evclose(A, 500), 0);
	cr_expect_eq(bind_ipi(A, 0), 500, "a closed port is reused");
	cr_expect_eq(bind_ipi(B, 0), 1, "the other domain is not affected");
}

Test(evtchn, virq_binds_once)
{
	struct evtchn_bind_virq v = { .virq = VIRQ_TIMER, .vcpu = 1 };
	uint32_t port;

	cr_assert_eq(OP(A, EVTCHNOP_bind_virq, v), 0);
	port = v.port;
	cr_expect_eq(A->vcpus[1].pv.virq_port[VIRQ_TIMER], port);
	cr_expect_eq(OP(A, EVTCHNOP_bind_virq, v), -XEN_EEXIST);
	v.vcpu = 0;
	cr_expect_eq(OP(A, EVTCHNOP_bind_virq, v), 0, "per vcpu");
	v = (struct evtchn_bind_virq){ .virq = NR_VIRQS };
	cr_expect_eq(OP(A, EVTCHNOP_bind_virq, v), -XEN_EINVAL);
	v = (struct evtchn_bind_virq){ .virq = VIRQ_TIMER, .vcpu = 2 };
	cr_expect_eq(OP(A, EVTCHNOP_bind_virq, v), -XEN_EINVAL);
	v = (struct evtchn_bind_virq){ .virq = VIRQ_DOM_EXC, .vcpu = 1 };
	cr_expect_eq(OP(A, EVTCHNOP_bind_virq, v), -XEN_EINVAL, "global: 0");
	v.vcpu = 0;
	cr_expect_eq(OP(A, EVTCHNOP_bind_virq, v), 0);
	cr_expect_eq(A->pv.virq_port[VIRQ_DOM_EXC], v.port);
	cr_expect_eq(status(A, port).u.virq, VIRQ_TIMER);
	cr_expect_eq(send(A, port), -XEN_EINVAL, "a VIRQ is not sent");
	evtchn_send_virq(A, &A->vcpus[1], VIRQ_TIMER);
	cr_expect(pending(A, port));
	cr_expect_eq(vi(A, 1)->evtchn_upcall_pending, 1);
	cr_expect_eq(vi(A, 0)->evtchn_upcall_pending, 0);
	cr_assert_eq(evclose(A, port), 0);
	cr_expect(!pending(A, port), "close clears the pending bit");
	cr_expect_eq(A->vcpus[1].pv.virq_port[VIRQ_TIMER], 0);
	v = (struct evtchn_bind_virq){ .virq = VIRQ_TIMER, .vcpu = 1 };
	cr_expect_eq(OP(A, EVTCHNOP_bind_virq, v), 0, "free again");
}

Test(evtchn, ipi_and_bind_vcpu)
{
	uint32_t port = bind_ipi(A, 1);
	struct evtchn_bind_vcpu bv = { .port = port, .vcpu = 0 };
	uint32_t bport, aport;

	cr_assert_eq(send(A, port), 0);
	cr_expect(pending(A, port));
	cr_expect_eq(vi(A, 1)->evtchn_upcall_pending, 1, "to its vcpu");
	cr_expect_eq(OP(A, EVTCHNOP_bind_vcpu, bv), -XEN_EINVAL, "not IPIs");
	aport = connect(&bport);
	bv = (struct evtchn_bind_vcpu){ .port = bport, .vcpu = 1 };
	cr_expect_eq(OP(B, EVTCHNOP_bind_vcpu, bv), 0);
	cr_expect_eq(status(B, bport).vcpu, 1);
	cr_assert_eq(send(A, aport), 0);
	cr_expect_eq(vi(B, 1)->evtchn_upcall_pending, 1);
	cr_expect_eq(vi(B, 0)->evtchn_upcall_pending, 0);
	bv.vcpu = 2;
	cr_expect_eq(OP(B, EVTCHNOP_bind_vcpu, bv), -XEN_ENOENT);
}

Test(evtchn, a_dying_domain_leaves_no_stale_port)
{
	uint32_t bport, aport = connect(&bport);
	uint8_t before[GUEST_MEM];

	cr_assert_eq(send(A, aport), 0);
	B->state = DOMAIN_EXITED;
	pv_domain_destroy(B);
	cr_expect_eq(status(A, aport).status, EVTCHNSTAT_unbound);
	cr_expect_eq(status(A, aport).u.unbound.dom, 1);
	cr_expect_eq(B->pv.evtchn[bport].state, EVTCHNSTAT_closed);
	memcpy(before, mem[1], GUEST_MEM);
	cr_expect_eq(send(A, aport), 0);
	cr_expect(memcmp(before, mem[1], GUEST_MEM) == 0,
		  "nothing reaches the dead domain");
	struct evtchn_bind_interdomain b = { .remote_dom = 1,
					     .remote_port = 1 };
	cr_expect_eq(OP(A, EVTCHNOP_bind_interdomain, b), -XEN_ESRCH);
}

Test(evtchn, a_domain_that_is_over_gets_no_events)
{
	uint32_t bport, aport = connect(&bport);

	B->state = DOMAIN_CRASHED; /* on_crash = preserve keeps its ports */
	cr_assert_eq(send(A, aport), 0);
	cr_expect(!pending(B, bport));
}

Test(evtchn, mask_selector_and_upcall_bits)
{
	uint32_t port = bind_ipi(A, 0), p2 = bind_ipi(A, 0);
	struct evtchn_unmask u = { port };

	mask(A, port);
	cr_assert_eq(send(A, port), 0);
	cr_expect(pending(A, port), "pending even while masked");
	cr_expect_eq(vi(A, 0)->evtchn_pending_sel, 0);
	cr_expect_eq(vi(A, 0)->evtchn_upcall_pending, 0);
	cr_assert_eq(OP(A, EVTCHNOP_unmask, u), 0);
	cr_expect_eq(sh(A)->evtchn_mask[0], 0);
	cr_expect_eq(vi(A, 0)->evtchn_pending_sel, 1, "unmask delivers");
	cr_expect_eq(vi(A, 0)->evtchn_upcall_pending, 1);
	/* The guest took the upcall but has not scanned word 0 yet: a
	 * second port in that word raises no second upcall. */
	vi(A, 0)->evtchn_upcall_pending = 0;
	cr_assert_eq(send(A, p2), 0);
	cr_expect(pending(A, p2));
	cr_expect_eq(vi(A, 0)->evtchn_upcall_pending, 0);
	/* Sending a port that is pending already changes nothing. */
	vi(A, 0)->evtchn_pending_sel = 0;
	cr_assert_eq(send(A, p2), 0);
	cr_expect_eq(vi(A, 0)->evtchn_pending_sel, 0);
}

Test(evtchn, upcall_vector)
{
	struct vcpu *v = &A->vcpus[0];
	uint32_t port = bind_ipi(A, 0);

	cr_expect_eq(pv_upcall_vector(v), -1, "nothing pending");
	cr_assert_eq(send(A, port), 0);
	cr_expect_eq(pv_upcall_vector(v), -1, "no callback vector set");
	A->pv.callback_vector = 0xf3;
	cr_expect_eq(pv_upcall_vector(v), 0xf3);
	vi(A, 0)->evtchn_upcall_mask = 1;
	cr_expect_eq(pv_upcall_vector(v), -1, "masked");
	vi(A, 0)->evtchn_upcall_mask = 0;
	vi(A, 0)->evtchn_upcall_pending = 0;
	cr_expect_eq(pv_upcall_vector(v), -1, "taken");
	cr_expect_eq(pv_upcall_vector(&B->vcpus[0]), -1);
}

Test(evtchn, registered_vcpu_info_moves_delivery)
{
	struct vcpu_register_vcpu_info r = { .mfn = 3, .offset = 64 };
	uint64_t args[3] = { VCPUOP_register_vcpu_info, 1, ARG };
	struct vcpu_info *moved = (struct vcpu_info *)&mem[0][3 * 4096 + 64];
	uint32_t port = bind_ipi(A, 1);

	memcpy(&mem[0][ARG], &r, sizeof(r));
	cr_assert_eq(vcpu_op(&A->vcpus[0], args), 0);
	cr_expect_eq(moved->evtchn_upcall_pending, 1, "forces a rescan");
	cr_expect_eq(vcpu_op(&A->vcpus[0], args), -XEN_EINVAL, "only once");
	moved->evtchn_upcall_pending = 0;
	moved->evtchn_pending_sel = 0;
	cr_assert_eq(send(A, port), 0);
	cr_expect_eq(moved->evtchn_upcall_pending, 1);
	cr_expect_eq(vi(A, 1)->evtchn_upcall_pending, 0);
	r = (struct vcpu_register_vcpu_info){ .mfn = 4, .offset = 4096 - 32 };
	memcpy(&mem[0][ARG], &r, sizeof(r));
	args[1] = 0;
	cr_expect_eq(vcpu_op(&A->vcpus[0], args), -XEN_EINVAL,
		     "across a page boundary");
	r = (struct vcpu_register_vcpu_info){ .mfn = 3, .offset = 4096 };
	memcpy(&mem[0][ARG], &r, sizeof(r));
	cr_expect_eq(vcpu_op(&A->vcpus[0], args), -XEN_EINVAL,
		     "an offset beyond the frame");
	r = (struct vcpu_register_vcpu_info){ .mfn = 1000 };
	memcpy(&mem[0][ARG], &r, sizeof(r));
	cr_expect_eq(vcpu_op(&A->vcpus[0], args), -XEN_EINVAL, "not RAM");
}

Test(evtchn, no_shared_info_sets_nothing)
{
	uint32_t port = bind_ipi(A, 0);

	A->pv.shared_info = PV_NO_GPA;
	cr_expect_eq(send(A, port), 0);
	cr_expect(!pending(A, port));
	cr_expect_eq(vi(A, 0)->evtchn_upcall_pending, 0);
}

Test(evtchn, events_wake_blocked_and_polling_vcpus)
{
	struct vcpu *v = &A->vcpus[0];
	uint32_t port = bind_ipi(A, 0), p2 = bind_ipi(A, 0);
	uint64_t args[2] = { SCHEDOP_block, 0 };
	struct sched_poll poll = { .ports = ARG + 64, .nr_ports = 1 };

	cr_assert_eq(sched_op(v, args), 0);
	cr_expect_eq(v->state, VCPU_HALTED);
	cr_expect(!pv_can_wake(v));
	mask(A, port);
	cr_assert_eq(send(A, port), 0);
	cr_expect_eq(v->state, VCPU_HALTED, "a masked port does not wake");
	cr_assert_eq(send(A, p2), 0);
	cr_expect_eq(v->state, VCPU_RUNNABLE);
	/* The guest polls port, masked, after clearing what it saw. */
	memset(sh(A)->evtchn_pending, 0, sizeof(sh(A)->evtchn_pending));
	vi(A, 0)->evtchn_upcall_pending = 0;
	vi(A, 0)->evtchn_pending_sel = 0;
	memcpy(&mem[0][ARG], &poll, sizeof(poll));
	memcpy(&mem[0][ARG + 64], &port, sizeof(port));
	args[0] = SCHEDOP_poll;
	args[1] = ARG;
	cr_assert_eq(sched_op(v, args), 0);
	cr_expect_eq(v->state, VCPU_HALTED);
	cr_assert_eq(send(A, port), 0);
	cr_expect_eq(v->state, VCPU_RUNNABLE, "poll wakes on masked ports");
	memcpy(&mem[0][ARG], &poll, sizeof(poll)); /* send used ARG */
	cr_expect_eq(sched_op(v, args), 0, "pending: returns at once");
	cr_expect_eq(v->state, VCPU_RUNNABLE);
	poll.nr_ports = 129;
	memcpy(&mem[0][ARG], &poll, sizeof(poll));
	cr_expect_eq(sched_op(v, args), -XEN_EINVAL);
}

Test(evtchn, shutdown_reasons)
{
	uint32_t reason = SHUTDOWN_crash;
	uint64_t args[2] = { SCHEDOP_shutdown, ARG };

	memcpy(&mem[0][ARG], &reason, sizeof(reason));
	cr_assert_eq(sched_op(&A->vcpus[0], args), 0);
	cr_expect_eq(crashes, 1);
	cr_expect_str_eq(crash_reason,
			 "the guest crashed itself (SCHEDOP_shutdown)");
	cr_expect_eq(A->pv.shutdown_reason, SHUTDOWN_crash);
	reason = SHUTDOWN_poweroff;
	memcpy(&mem[1][ARG], &reason, sizeof(reason));
	args[0] = SCHEDOP_shutdown_code;
	cr_assert_eq(sched_op(&B->vcpus[0], args), 0);
	cr_expect_eq(exits, 0, "shutdown_code only records");
	args[0] = SCHEDOP_shutdown;
	cr_assert_eq(sched_op(&B->vcpus[0], args), 0);
	cr_expect_eq(exits, 1);
	reason = 99;
	memcpy(&mem[1][ARG], &reason, sizeof(reason));
	cr_expect_eq(sched_op(&B->vcpus[0], args), -XEN_EINVAL);
	args[1] = GUEST_MEM;
	cr_expect_eq(sched_op(&B->vcpus[0], args), -XEN_EFAULT);
}

Test(evtchn, timers)
{
	struct vcpu *v = &A->vcpus[0];
	struct evtchn_bind_virq b = { .virq = VIRQ_TIMER };
	struct vcpu_set_singleshot_timer t = { .flags = VCPU_SSHOTTMR_future };
	uint64_t args[3] = { VCPUOP_set_singleshot_timer, 0, ARG };

	cr_assert_eq(OP(A, EVTCHNOP_bind_virq, b), 0);
	t.timeout_abs_ns = pv_system_time() - 1000;
	memcpy(&mem[0][ARG], &t, sizeof(t));
	cr_expect_eq(vcpu_op(v, args), -XEN_ETIME);
	t.flags = 0;
	memcpy(&mem[0][ARG], &t, sizeof(t));
	cr_assert_eq(vcpu_op(v, args), 0);
	v->state = VCPU_HALTED;
	cr_expect(pv_can_wake(v), "a due timer wakes");
	cr_expect(pending(A, b.port));
	args[1] = 1;
	cr_expect_eq(vcpu_op(v, args), -XEN_EINVAL, "only its own timer");
	args[1] = 2;
	cr_expect_eq(vcpu_op(v, args), -XEN_ENOENT);
	uint64_t far[1] = { pv_system_time() + 1000000000000ULL };
	sh(A)->evtchn_pending[0] = 0;
	vi(A, 0)->evtchn_upcall_pending = 0;
	vi(A, 0)->evtchn_pending_sel = 0;
	v->state = VCPU_HALTED;
	cr_assert_eq(set_timer_op(v, far), 0);
	cr_expect(!pv_can_wake(v), "not yet due");
}

/* The guest's pvclock formula (xen.h's vcpu_time_info comment). */
static uint64_t pvclock_read(const struct vcpu_time_info *t, uint64_t tsc)
{
	uint64_t d = tsc - t->tsc_timestamp;

	d = t->tsc_shift < 0 ? d >> -t->tsc_shift : d << t->tsc_shift;
	return t->system_time +
	       (uint64_t)(((unsigned __int128)d * t->tsc_to_system_mul) >> 32);
}

Test(evtchn, pvclock_within_a_microsecond)
{
	static const uint64_t hz[] = { 2400000000ULL, 1000000000ULL,
				       3000000001ULL, 100000000ULL,
				       5600000000ULL, 999999999ULL };
	struct vcpu_time_info *t = &vi(A, 0)->time;
	unsigned i, j;

	for (i = 0; i < sizeof(hz) / sizeof(hz[0]); i++) {
		uint32_t version = t->version;

		tsc_hz = hz[i];
		pv_time_update(&A->vcpus[0]);
		cr_expect_eq(t->version, version + 2, "odd, then even again");
		for (j = 0; j < 5; j++) {
			uint64_t tsc = t->tsc_timestamp +
				       (uint64_t[]){ 0, 1, 1000003, hz[i] * 10,
						     hz[i] * 3600 }[j];
			int64_t err = (int64_t)(pvclock_read(t, tsc) -
						clock_tsc_ns(tsc));

			cr_expect(err > -1000 && err < 1000,
				  "%llu Hz, tsc +%llu: off by %lld ns",
				  (unsigned long long)hz[i],
				  (unsigned long long)(tsc - t->tsc_timestamp),
				  (long long)err);
		}
	}
	tsc_hz = 2400000000ULL;
}
