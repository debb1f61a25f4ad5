/*
 * xs_ring.h - moving bytes through one of xenstore's two byte rings
 * (guests/lib/io/xs_wire.h), for both ends: the client writes req and
 * reads rsp, dom0's daemon the other way round.  The indices live in a
 * page the other side can write at any time, so each is read once and
 * checked: prod - cons beyond the ring's size is an error, never a copy.
 */
#ifndef GUESTS_LIB_XS_RING_H
#define GUESTS_LIB_XS_RING_H

#include <inc/types.h>
#include <inc/string.h>
#include <guests/lib/io/xs_wire.h>

#define xs_mb()	 __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define xs_rmb() __asm__ volatile("" ::: "memory") /* x86: loads in order */
#define xs_wmb() __asm__ volatile("" ::: "memory") /* x86: stores in order */

/* Copies up to len bytes into ring at *prod (the peer consumes at
 * *cons); the count copied, or -1 for impossible indices. */
static inline long xs_ring_put(char *ring, volatile XENSTORE_RING_IDX *prod,
			       volatile XENSTORE_RING_IDX *cons,
			       const void *data, size_t len)
{
	XENSTORE_RING_IDX c = *cons, p = *prod;
	size_t room, chunk;

	xs_mb(); /* the consumer's reads finish before we reuse the bytes */
	if (p - c > XENSTORE_RING_SIZE)
		return -1;
	room = XENSTORE_RING_SIZE - (p - c);
	chunk = MIN(MIN(len, room), XENSTORE_RING_SIZE - MASK_XENSTORE_IDX(p));
	memcpy(ring + MASK_XENSTORE_IDX(p), data, chunk);
	xs_wmb(); /* the bytes before the index that covers them */
	*prod = p + (XENSTORE_RING_IDX)chunk;
	return (long)chunk;
}

/* Copies up to len bytes out of ring at *cons; the count, or -1. */
static inline long xs_ring_get(const char *ring,
			       volatile XENSTORE_RING_IDX *prod,
			       volatile XENSTORE_RING_IDX *cons, void *data,
			       size_t len)
{
	XENSTORE_RING_IDX c = *cons, p = *prod;
	size_t avail, chunk;

	xs_rmb(); /* the index before the bytes it covers */
	if (p - c > XENSTORE_RING_SIZE)
		return -1;
	avail = p - c;
	chunk = MIN(MIN(len, avail), XENSTORE_RING_SIZE - MASK_XENSTORE_IDX(c));
	memcpy(data, ring + MASK_XENSTORE_IDX(c), chunk);
	xs_mb(); /* done reading before the producer may reuse them */
	*cons = c + (XENSTORE_RING_IDX)chunk;
	return (long)chunk;
}

#endif
