/*
 * inc/public/hvm/ioreq.h - the I/O request a device model in another
 * domain answers (xen/include/public/hvm/ioreq.h): Xen's ioreq_t and the
 * shared page of one per vcpu.  Needs uint8_t .. uint64_t.
 *
 * The hypervisor fills vcpu v's slot (addr, size, count, data, dir, df,
 * type, data_is_ptr), sets state STATE_IOREQ_READY last and signals
 * vp_eport; the device model may set STATE_IOREQ_INPROCESS while it
 * works, writes data for a read, and sets STATE_IORESP_READY last, after
 * a write barrier, then signals vp_eport back.  The hypervisor takes the
 * answer and sets STATE_IOREQ_NONE.
 *
 * With data_is_ptr, count elements of size bytes are at guest-physical
 * address data (downwards with df): the device model reads (OUTS) or
 * writes (INS) them in the guest's memory itself.
 *
 * hvlab: vp_eport is the device model's own port, bound when the server
 * was created (Xen's is the guest's end, which the device model binds
 * to with EVTCHNOP_bind_interdomain).
 */
#ifndef INC_PUBLIC_HVM_IOREQ_H
#define INC_PUBLIC_HVM_IOREQ_H

#define IOREQ_READ  1
#define IOREQ_WRITE 0

#define STATE_IOREQ_NONE      0
#define STATE_IOREQ_READY     1
#define STATE_IOREQ_INPROCESS 2
#define STATE_IORESP_READY    3

#define IOREQ_TYPE_PIO	0 /* port I/O */
#define IOREQ_TYPE_COPY 1 /* MMIO */
/* A configuration access (CONFIG_DATA, 0xcfc-0xcff) to a claimed PCI
 * function: addr is its SBDF << 32 | the register's byte offset (CONFIG_
 * ADDRESS's dword plus the port's byte lane), size the access's. */
#define IOREQ_TYPE_PCI_CONFIG 2

struct ioreq {
	uint64_t addr;	   /* port, or guest-physical address */
	uint64_t data;	   /* the value, or the guest-physical address of it */
	uint32_t count;	   /* elements of a REP string */
	uint32_t size;	   /* bytes per element: 1, 2, 4 or 8 */
	uint32_t vp_eport; /* the event channel of this vcpu's requests */
	uint16_t _pad0;
	uint8_t state : 4;
	uint8_t data_is_ptr : 1;
	uint8_t dir : 1; /* IOREQ_READ or IOREQ_WRITE */
	uint8_t df : 1;
	uint8_t _pad1 : 1;
	uint8_t type; /* IOREQ_TYPE_* */
};
typedef struct ioreq ioreq_t;

/* One page: vcpu_ioreq[v] is vcpu v's. */
struct shared_iopage {
	struct ioreq vcpu_ioreq[1];
};
typedef struct shared_iopage shared_iopage_t;

_Static_assert(sizeof(struct ioreq) == 32, "ioreq");
_Static_assert(__builtin_offsetof(struct ioreq, type) == 31, "ioreq.type");

#endif
