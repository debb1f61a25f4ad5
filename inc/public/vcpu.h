/*
 * inc/public/vcpu.h - __HYPERVISOR_vcpu_op(cmd, vcpuid, arg): per-vcpu
 * state (xen/include/public/vcpu.h).  Needs inc/public/xen.h first.
 * Time is system time in ns (vcpu_time_info).
 */
#ifndef INC_PUBLIC_VCPU_H
#define INC_PUBLIC_VCPU_H

#define VCPUOP_up			     1
#define VCPUOP_down			     2
#define VCPUOP_is_up			     3 /* returns 1 or 0 */
#define VCPUOP_get_runstate_info	     4
#define VCPUOP_register_runstate_memory_area 5
#define VCPUOP_set_periodic_timer	     6
#define VCPUOP_stop_periodic_timer	     7
#define VCPUOP_set_singleshot_timer	     8
#define VCPUOP_stop_singleshot_timer	     9
#define VCPUOP_register_vcpu_info	     10

#define RUNSTATE_running  0
#define RUNSTATE_runnable 1
#define RUNSTATE_blocked  2
#define RUNSTATE_offline  3

struct vcpu_runstate_info {
	int32_t state;			   /* RUNSTATE_* */
	uint64_aligned_t state_entry_time; /* system time it entered it */
	uint64_t time[4];		   /* ns spent in each state */
};

/* The guest-virtual address the hypervisor keeps runstate_info at. */
struct vcpu_register_runstate_memory_area {
	uint64_t addr;
};

struct vcpu_set_periodic_timer {
	uint64_t period_ns;
};

/* VIRQ_TIMER at timeout_abs_ns; with VCPU_SSHOTTMR_future, -ETIME if
 * that is already past. */
struct vcpu_set_singleshot_timer {
	uint64_t timeout_abs_ns;
	uint32_t flags;
	uint32_t pad;
};
#define VCPU_SSHOTTMR_future 1

/* Moves the vcpu's vcpu_info to guest frame mfn, offset bytes in; it
 * must not cross the page. */
struct vcpu_register_vcpu_info {
	uint64_t mfn;
	uint32_t offset;
	uint32_t rsvd;
};

_Static_assert(sizeof(struct vcpu_runstate_info) == 48, "runstate_info");
_Static_assert(sizeof(struct vcpu_set_singleshot_timer) == 16,
	       "set_singleshot_timer");
_Static_assert(sizeof(struct vcpu_register_vcpu_info) == 16,
	       "register_vcpu_info");

#endif
