/*
 * inc/public/hvm/dm_op.h - __HYPERVISOR_dm_op(domid, nr_bufs, bufs): a
 * device model in the privileged domain serves an hvm domain's ports and
 * MMIO (xen/include/public/hvm/dm_op.h).  Needs inc/public/xen.h.
 *
 * bufs is the guest-linear address of nr_bufs struct xen_dm_op_buf; the
 * first holds a struct xen_dm_op, copied back when the call succeeds.
 * hvlab has one ioreq server per domain (id 0) and this subset:
 *
 *	create_ioreq_server		the server, its shared page of
 *					ioreq_t (inc/public/hvm/ioreq.h),
 *					mapped with XENMEM_acquire_resource
 *	map_io_range_to_ioreq_server	claims ports or MMIO [start, end],
 *					or a PCI function (start = end =
 *					XEN_DMOP_PCI_SBDF, segment 0)
 *	unmap_io_range_from_ioreq_server gives back a claim, the same
 *					range (a BAR that moves)
 *	set_ioreq_server_state		requests flow once it is enabled
 *	set_isa_irq_level		raises or lowers an ISA IRQ line
 *
 * A request the device model does not answer within a few seconds, an
 * answer that is not one (bad state, another size, address or count),
 * or the device model's domain ending crashes the domain it serves.
 *
 *	struct xen_dm_op op = { .op = XEN_DMOP_create_ioreq_server };
 *	struct xen_dm_op_buf buf = { (uint64_t)&op, sizeof(op) };
 *	hypercall(__HYPERVISOR_dm_op, domid, 1, &buf);
 */
#ifndef INC_PUBLIC_HVM_DM_OP_H
#define INC_PUBLIC_HVM_DM_OP_H

typedef uint16_t ioservid_t;

#define XEN_DMOP_create_ioreq_server		  1
#define XEN_DMOP_map_io_range_to_ioreq_server	  3
#define XEN_DMOP_unmap_io_range_from_ioreq_server 4
#define XEN_DMOP_set_ioreq_server_state		  5
#define XEN_DMOP_set_isa_irq_level		  9

struct xen_dm_op_create_ioreq_server {
	uint8_t handle_bufioreq; /* IN: must be 0 (no buffered requests) */
	uint8_t pad[3];
	ioservid_t id; /* OUT */
};

struct xen_dm_op_ioreq_server_range {
	ioservid_t id;
	uint16_t pad;
	uint32_t type; /* XEN_DMOP_IO_RANGE_* */
#define XEN_DMOP_IO_RANGE_PORT	 0
#define XEN_DMOP_IO_RANGE_MEMORY 1
#define XEN_DMOP_IO_RANGE_PCI	 2   /* configuration space of a function */
	uint64_aligned_t start, end; /* inclusive */
};

#define XEN_DMOP_PCI_SBDF(s, b, d, f)                                      \
	((((s)&0xffffu) << 16) | (((b)&0xffu) << 8) | (((d)&0x1fu) << 3) | \
	 ((f)&0x07u))

struct xen_dm_op_set_ioreq_server_state {
	ioservid_t id;
	uint8_t enabled;
	uint8_t pad;
};

struct xen_dm_op_set_isa_irq_level {
	uint8_t isa_irq; /* 0-15 */
	uint8_t level;	 /* 0 deasserted, 1 asserted */
};

struct xen_dm_op {
	uint32_t op;
	uint32_t pad;
	union {
		struct xen_dm_op_create_ioreq_server create_ioreq_server;
		struct xen_dm_op_ioreq_server_range
			map_io_range_to_ioreq_server;
		struct xen_dm_op_ioreq_server_range
			unmap_io_range_from_ioreq_server;
		struct xen_dm_op_set_ioreq_server_state set_ioreq_server_state;
		struct xen_dm_op_set_isa_irq_level set_isa_irq_level;
	} u;
};

struct xen_dm_op_buf {
	uint64_t h; /* guest-linear address */
	uint64_t size;
};

_Static_assert(sizeof(struct xen_dm_op_ioreq_server_range) == 24, "range");
_Static_assert(sizeof(struct xen_dm_op) == 32, "dm_op");
_Static_assert(sizeof(struct xen_dm_op_buf) == 16, "dm_op_buf");

#endif
