/*
 * guests/lib/io/ring.h - Xen's shared I/O ring (xen/include/public/io/
 * ring.h): one shared page carries requests from a frontend to a backend
 * and responses back, in the same slots.  blkif.h and netif.h instantiate
 * it with DEFINE_RING_TYPES.
 *
 * Needs uint8_t .. uint32_t and memset() declared first.  The barriers
 * xen_mb(), xen_rmb() and xen_wmb() are defined here for x86 unless the
 * includer has defined its own before including this file.
 *
 * The shared page: a 64-byte header {req_prod, req_event, rsp_prod,
 * rsp_event, pad} and then the largest power-of-two number of slots that
 * fits.  Each end keeps a private struct (front_ring / back_ring) with its
 * own producer index (req_prod_pvt or rsp_prod_pvt), published to the page
 * only by the RING_PUSH_* macros, and its consumer index.  Indices are free
 * running 32-bit counters: slot = index & (size - 1), and differences are
 * taken modulo 2^32, so wrapping is harmless.
 *
 * Notification suppression: a consumer writes into *_event the index at
 * which it wants the next event ("wake me when prod passes req_event").  A
 * producer that moves prod from old to new notifies only if req_event lies
 * in (old, new], tested without overflow as new - event < new - old.
 *
 *	DEFINE_RING_TYPES(blkif, struct blkif_request, struct blkif_response);
 *	struct blkif_sring *s = page;              (frontend, one page)
 *	struct blkif_front_ring fr;
 *	SHARED_RING_INIT(s);
 *	FRONT_RING_INIT(&fr, s, PAGE_SIZE);
 *	*RING_GET_REQUEST(&fr, fr.req_prod_pvt++) = req;
 *	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&fr, notify);
 *	if (notify)
 *		evtchn_send(port);
 */
#ifndef GUESTS_LIB_IO_RING_H
#define GUESTS_LIB_IO_RING_H

/*
 * x86 is TSO: stores are not reordered with older stores and loads are not
 * reordered with older loads, so the write and read barriers only need to
 * stop the compiler.  A store followed by a load of another location CAN
 * be reordered by the CPU (the store buffer), so the full barrier is a real
 * fence; a locked add to the stack is that fence and cheaper than mfence.
 */
#ifndef xen_mb
#if defined(__x86_64__)
#define xen_mb() asm volatile("lock; addl $0,-4(%%rsp)" ::: "memory")
#else
#define xen_mb() asm volatile("lock; addl $0,-4(%%esp)" ::: "memory")
#endif
#define xen_rmb() asm volatile("" ::: "memory")
#define xen_wmb() asm volatile("" ::: "memory")
#endif

typedef unsigned int RING_IDX;

/* Round a 32-bit number down to the nearest power of two. */
#define __RD2(_x)  (((_x)&0x00000002) ? 0x2 : ((_x)&0x1))
#define __RD4(_x)  (((_x)&0x0000000c) ? __RD2((_x) >> 2) << 2 : __RD2(_x))
#define __RD8(_x)  (((_x)&0x000000f0) ? __RD4((_x) >> 4) << 4 : __RD4(_x))
#define __RD16(_x) (((_x)&0x0000ff00) ? __RD8((_x) >> 8) << 8 : __RD8(_x))
#define __RD32(_x) (((_x)&0xffff0000) ? __RD16((_x) >> 16) << 16 : __RD16(_x))

/* The number of slots in a shared ring of _sz bytes whose header is _s. */
#define __CONST_RING_SIZE(_s, _sz)                                      \
	(__RD32(((_sz) - __builtin_offsetof(struct _s##_sring, ring)) / \
		sizeof(((struct _s##_sring *)0)->ring[0])))
#define __RING_SIZE(_s, _sz)                              \
	(__RD32(((_sz) - (long)(_s)->ring + (long)(_s)) / \
		sizeof((_s)->ring[0])))

/*
 * The shared page (__name##_sring) and each end's private view.  The header
 * is 64 bytes whatever the slot type (pvt is for netif's and others' use).
 */
#define DEFINE_RING_TYPES(__name, __req_t, __rsp_t)                       \
	union __name##_sring_entry {                                      \
		__req_t req;                                              \
		__rsp_t rsp;                                              \
	};                                                                \
	struct __name##_sring {                                           \
		RING_IDX req_prod, req_event;                             \
		RING_IDX rsp_prod, rsp_event;                             \
		union {                                                   \
			struct {                                          \
				uint8_t smartpoll_active;                 \
			} netif;                                          \
			uint8_t pvt_pad[4];                               \
		} pvt;                                                    \
		uint8_t __pad[44];                                        \
		union __name##_sring_entry ring[1]; /* variable length */ \
	};                                                                \
	struct __name##_front_ring {                                      \
		RING_IDX req_prod_pvt;                                    \
		RING_IDX rsp_cons;                                        \
		unsigned int nr_ents;                                     \
		struct __name##_sring *sring;                             \
	};                                                                \
	struct __name##_back_ring {                                       \
		RING_IDX rsp_prod_pvt;                                    \
		RING_IDX req_cons;                                        \
		unsigned int nr_ents;                                     \
		struct __name##_sring *sring;                             \
	};                                                                \
	typedef struct __name##_sring __name##_sring_t;                   \
	typedef struct __name##_front_ring __name##_front_ring_t;         \
	typedef struct __name##_back_ring __name##_back_ring_t

/* The frontend initialises the shared page, before granting it.  Both
 * events start at 1: the first request or response notifies. */
#define SHARED_RING_INIT(_s)                                                   \
	do {                                                                   \
		(_s)->req_prod = (_s)->rsp_prod = 0;                           \
		(_s)->req_event = (_s)->rsp_event = 1;                         \
		(void)memset((_s)->pvt.pvt_pad, 0, sizeof((_s)->pvt.pvt_pad)); \
		(void)memset((_s)->__pad, 0, sizeof((_s)->__pad));             \
	} while (0)

/* Each end's private view of a shared ring of __size bytes at _s. */
#define FRONT_RING_INIT(_r, _s, __size)                  \
	do {                                             \
		(_r)->req_prod_pvt = (_r)->rsp_cons = 0; \
		(_r)->nr_ents = __RING_SIZE(_s, __size); \
		(_r)->sring = (_s);                      \
	} while (0)
#define BACK_RING_INIT(_r, _s, __size)                   \
	do {                                             \
		(_r)->rsp_prod_pvt = (_r)->req_cons = 0; \
		(_r)->nr_ents = __RING_SIZE(_s, __size); \
		(_r)->sring = (_s);                      \
	} while (0)

#define RING_SIZE(_r) ((_r)->nr_ents)

/* Slots the frontend may still fill: those not holding an unconsumed
 * response or a request whose response has not come. */
#define RING_FREE_REQUESTS(_r) \
	(RING_SIZE(_r) - ((_r)->req_prod_pvt - (_r)->rsp_cons))
#define RING_FULL(_r) (RING_FREE_REQUESTS(_r) == 0)

#define XEN_RING_NR_UNCONSUMED_RESPONSES(_r) \
	((_r)->sring->rsp_prod - (_r)->rsp_cons)

/* Requests the backend may consume: bounded by the free slots for their
 * responses, so a frontend that writes a wild req_prod cannot make the
 * backend produce more responses than the ring holds. */
#define XEN_RING_NR_UNCONSUMED_REQUESTS(_r)                                  \
	({                                                                   \
		unsigned int __req = (_r)->sring->req_prod - (_r)->req_cons; \
		unsigned int __rsp = RING_SIZE(_r) -                         \
				     ((_r)->req_cons - (_r)->rsp_prod_pvt);  \
		__req < __rsp ? __req : __rsp;                               \
	})

#define RING_HAS_UNCONSUMED_RESPONSES(_r) \
	(!!XEN_RING_NR_UNCONSUMED_RESPONSES(_r))
#define RING_HAS_UNCONSUMED_REQUESTS(_r) (!!XEN_RING_NR_UNCONSUMED_REQUESTS(_r))

#define RING_GET_REQUEST(_r, _idx) \
	(&((_r)->sring->ring[((_idx) & (RING_SIZE(_r) - 1))].req))
#define RING_GET_RESPONSE(_r, _idx) \
	(&((_r)->sring->ring[((_idx) & (RING_SIZE(_r) - 1))].rsp))

/* A backend copies each request out of the shared page and validates the
 * copy: the frontend may rewrite the slot between two reads of a field. */
#define RING_COPY_REQUEST(_r, _idx, _req)                                  \
	((void)(*(_req) = *(volatile __typeof__(_req))RING_GET_REQUEST(_r, \
								       _idx)))
#define RING_COPY_RESPONSE(_r, _idx, _rsp)             \
	((void)(*(_rsp) = *(volatile __typeof__(_rsp)) \
				  RING_GET_RESPONSE(_r, _idx)))

/* A producer index the other end published is impossible: more than the
 * ring holds beyond what this end has given back. */
#define RING_REQUEST_PROD_OVERFLOW(_r, _prod) \
	(((_prod) - (_r)->rsp_prod_pvt) > RING_SIZE(_r))
#define RING_RESPONSE_PROD_OVERFLOW(_r, _prod) \
	(((_prod) - (_r)->rsp_cons) > RING_SIZE(_r))

/* The write barrier: the other end must see the slots' contents before it
 * sees the producer index that covers them. */
#define RING_PUSH_REQUESTS(_r)                              \
	do {                                                \
		xen_wmb();                                  \
		(_r)->sring->req_prod = (_r)->req_prod_pvt; \
	} while (0)
#define RING_PUSH_RESPONSES(_r)                             \
	do {                                                \
		xen_wmb();                                  \
		(_r)->sring->rsp_prod = (_r)->rsp_prod_pvt; \
	} while (0)

/*
 * Publish and decide whether to notify.  The full barrier orders the store
 * of the producer index before the load of the consumer's event index: the
 * consumer does the mirror image in RING_FINAL_CHECK_FOR_* (store event,
 * full barrier, load producer), so at least one side sees the other's store
 * and an event is never lost.
 */
#define __RING_PUSH_AND_CHECK_NOTIFY(_r, _prod, _pvt, _event, _notify)       \
	do {                                                                 \
		RING_IDX __old = (_r)->sring->_prod;                         \
		RING_IDX __new = (_r)->_pvt;                                 \
		xen_wmb(); /* the slots before the index that covers them */ \
		(_r)->sring->_prod = __new;                                  \
		xen_mb(); /* the index before reading the event index */     \
		(_notify) = ((RING_IDX)(__new - (_r)->sring->_event) <       \
			     (RING_IDX)(__new - __old));                     \
	} while (0)
#define RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(_r, _notify)                    \
	__RING_PUSH_AND_CHECK_NOTIFY(_r, req_prod, req_prod_pvt, req_event, \
				     _notify)
#define RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(_r, _notify)                   \
	__RING_PUSH_AND_CHECK_NOTIFY(_r, rsp_prod, rsp_prod_pvt, rsp_event, \
				     _notify)

/*
 * A consumer that found the ring empty asks for an event at the next index
 * and looks once more: a producer that published between the first look
 * and the store of *_event did not see the new event index, so did not
 * notify.  The full barrier orders that store before the second load.
 */
#define __RING_FINAL_CHECK(_r, _has_work, _event, _cons, _work_to_do) \
	do {                                                          \
		(_work_to_do) = _has_work(_r);                        \
		if (_work_to_do)                                      \
			break;                                        \
		(_r)->sring->_event = (_r)->_cons + 1;                \
		xen_mb();                                             \
		(_work_to_do) = _has_work(_r);                        \
	} while (0)
#define RING_FINAL_CHECK_FOR_REQUESTS(_r, _work_to_do)                  \
	__RING_FINAL_CHECK(_r, RING_HAS_UNCONSUMED_REQUESTS, req_event, \
			   req_cons, _work_to_do)
#define RING_FINAL_CHECK_FOR_RESPONSES(_r, _work_to_do)                  \
	__RING_FINAL_CHECK(_r, RING_HAS_UNCONSUMED_RESPONSES, rsp_event, \
			   rsp_cons, _work_to_do)

#endif /* GUESTS_LIB_IO_RING_H */
