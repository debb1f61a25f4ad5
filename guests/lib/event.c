/*
 * event.c - event channels in a PV guest (lab 6): Xen's 2-level ABI
 * (inc/public/event_channel.h, xen.h's vcpu_info), delivered as the HVM
 * callback vector (HVM_PARAM_CALLBACK_IRQ, type 2) in both containers.
 * The upcall follows xen.h's protocol: clear evtchn_upcall_pending, take
 * evtchn_pending_sel with an exchange, and for each word it names handle
 * the ports pending and not masked, clearing each pending bit first.
 */
#include <guests/lib/pv.h>

#define EVTCHN_WORDS	  (EVTCHN_2L_NR_CHANNELS / 64)
#define CALLBACK_VIA_TYPE 56

static struct {
	evtchn_handler_t fn;
	void *arg;
} handlers[EVTCHN_2L_NR_CHANNELS];
static unsigned counts[EVTCHN_2L_NR_CHANNELS];
static unsigned nupcalls;
static struct vcpu_info *registered_vi;

struct vcpu_info *pv_vcpu_info(void)
{
	return registered_vi ? registered_vi :
			       &HYPERVISOR_shared_info->vcpu_info[0];
}

/* Handles the ports of word w that are pending and unmasked now. */
static void evtchn_scan_word(unsigned w)
{
	struct shared_info *s = HYPERVISOR_shared_info;
	uint64_t bits = s->evtchn_pending[w] & ~s->evtchn_mask[w];

	while (bits) {
		unsigned b = (unsigned)__builtin_ctzll(bits);
		evtchn_port_t port = w * 64 + b;

		bits &= bits - 1;
		__atomic_fetch_and(&s->evtchn_pending[w], ~(1ULL << b),
				   __ATOMIC_SEQ_CST);
		counts[port]++;
		if (handlers[port].fn)
			handlers[port].fn(port, handlers[port].arg);
	}
}

/* The upcall: one pass; events that arrive meanwhile set
 * evtchn_upcall_pending again and bring another upcall. */
static void evtchn_do_upcall(void)
{
	struct vcpu_info *vi = pv_vcpu_info();
	uint64_t sel;

	nupcalls++;
	vi->evtchn_upcall_pending = 0;
	sel = __atomic_exchange_n(&vi->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
	while (sel) {
		unsigned w = (unsigned)__builtin_ctzll(sel);

		sel &= sel - 1;
		evtchn_scan_word(w);
	}
}

/* No EOI: the callback vector bypasses the local APIC. */
__attribute__((interrupt)) static void evtchn_upcall(struct intr_frame *f)
{
	evtchn_do_upcall();
}

void evtchn_init(void)
{
	struct shared_info *s = HYPERVISOR_shared_info;
	uint64_t via = (uint64_t)HVM_PARAM_CALLBACK_TYPE_VECTOR
			       << CALLBACK_VIA_TYPE |
		       PV_UPCALL_VECTOR;
	long r;

	for (unsigned w = 0; w < EVTCHN_WORDS; w++)
		s->evtchn_mask[w] = ~0ULL;
	idt_set(PV_UPCALL_VECTOR, evtchn_upcall);
	r = hvm_set_param(HVM_PARAM_CALLBACK_IRQ, via);
	if (r != 0) {
		printf("evtchn_init: set_param(CALLBACK_IRQ) = %ld\n", r);
		guest_exit(1);
	}
	pv_vcpu_info()->evtchn_upcall_mask = 0;
}

void pv_irq_enable(void)
{
	sti();
	if (pv_vcpu_info()->evtchn_upcall_pending)
		HYPERVISOR_xen_version(XENVER_version, NULL);
}

long pv_register_vcpu_info(struct vcpu_info *vi)
{
	struct vcpu_register_vcpu_info r = {
		.mfn = (uintptr_t)vi >> 12,
		.offset = (uintptr_t)vi & 0xfff,
	};
	long err;

	/* The hypervisor marks an upcall in the new place at once: the
	 * handler must find it there, not in the old one. */
	cli();
	err = HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, 0, &r);
	if (err == 0)
		registered_vi = vi;
	pv_irq_enable();
	return err;
}

void evtchn_mask(evtchn_port_t port)
{
	__atomic_fetch_or(&HYPERVISOR_shared_info->evtchn_mask[port / 64],
			  1ULL << (port % 64), __ATOMIC_SEQ_CST);
}

/* The hypervisor clears the mask bit: clearing it here first would hide
 * a pending event from its re-delivery. */
long evtchn_unmask(evtchn_port_t port)
{
	struct evtchn_unmask u = { .port = port };

	return HYPERVISOR_event_channel_op(EVTCHNOP_unmask, &u);
}

bool evtchn_is_pending(evtchn_port_t port)
{
	return HYPERVISOR_shared_info->evtchn_pending[port / 64] >>
		       (port % 64) &
	       1;
}

void evtchn_clear_pending(evtchn_port_t port)
{
	__atomic_fetch_and(&HYPERVISOR_shared_info->evtchn_pending[port / 64],
			   ~(1ULL << (port % 64)), __ATOMIC_SEQ_CST);
}

unsigned evtchn_count(evtchn_port_t port)
{
	return port < EVTCHN_2L_NR_CHANNELS ? counts[port] : 0;
}

unsigned evtchn_upcalls(void)
{
	return nupcalls;
}

void evtchn_bind(evtchn_port_t port, evtchn_handler_t handler, void *arg)
{
	if (port >= EVTCHN_2L_NR_CHANNELS)
		return;
	handlers[port].fn = handler;
	handlers[port].arg = arg;
	evtchn_unmask(port);
}

/* A new port from op: bound to handler when one is given, else masked
 * (a closed port keeps its mask bit, which may be clear). */
static long evtchn_new(long r, evtchn_port_t port, evtchn_handler_t handler,
		       void *arg)
{
	if (r < 0)
		return r;
	if (handler)
		evtchn_bind(port, handler, arg);
	else
		evtchn_mask(port);
	return port;
}

long evtchn_bind_virq(uint32_t virq, uint32_t vcpu, evtchn_handler_t handler,
		      void *arg)
{
	struct evtchn_bind_virq b = { .virq = virq, .vcpu = vcpu };
	long r = HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &b);

	return evtchn_new(r, b.port, handler, arg);
}

long evtchn_bind_ipi(uint32_t vcpu, evtchn_handler_t handler, void *arg)
{
	struct evtchn_bind_ipi b = { .vcpu = vcpu };
	long r = HYPERVISOR_event_channel_op(EVTCHNOP_bind_ipi, &b);

	return evtchn_new(r, b.port, handler, arg);
}

long evtchn_alloc_unbound(domid_t remote_dom)
{
	struct evtchn_alloc_unbound a = { .dom = DOMID_SELF,
					  .remote_dom = remote_dom };
	long r = HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &a);

	return r < 0 ? r : a.port;
}

long evtchn_bind_interdomain(domid_t remote_dom, evtchn_port_t remote_port,
			     evtchn_handler_t handler, void *arg)
{
	struct evtchn_bind_interdomain b = { .remote_dom = remote_dom,
					     .remote_port = remote_port };
	long r = HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &b);

	return evtchn_new(r, b.local_port, handler, arg);
}

long evtchn_send(evtchn_port_t port)
{
	struct evtchn_send s = { .port = port };

	return HYPERVISOR_event_channel_op(EVTCHNOP_send, &s);
}

long evtchn_close(evtchn_port_t port)
{
	struct evtchn_close c = { .port = port };
	long r = HYPERVISOR_event_channel_op(EVTCHNOP_close, &c);

	if (r == 0) {
		evtchn_mask(port);
		handlers[port].fn = NULL;
	}
	return r;
}

long evtchn_status(evtchn_port_t port, struct evtchn_status *st)
{
	*st = (struct evtchn_status){ .dom = DOMID_SELF, .port = port };
	return HYPERVISOR_event_channel_op(EVTCHNOP_status, st);
}
