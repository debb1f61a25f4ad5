/*
 * ring.h - the frontend's producer for Xen's shared rings (lab 7,
 * guests/lib/io/ring.h): blkfront and netfront publish their requests
 * through ring_push_requests, which the ABI header's
 * RING_PUSH_REQUESTS_AND_CHECK_NOTIFY describes.
 *
 *	*RING_GET_REQUEST(&fr, fr.req_prod_pvt++) = req;
 *	if (RING_PUSH_NOTIFY(&fr))
 *		evtchn_send(port);
 */
#ifndef GUESTS_LIB_RING_H
#define GUESTS_LIB_RING_H

#include <inc/types.h>
#include <guests/lib/io/ring.h>

/*
 * Makes the requests written below new_prod visible to the backend by
 * storing new_prod into the shared page's *req_prod, and returns whether
 * the backend must be notified: whether its *req_event lies in the
 * range of indices just published.  Every slot must be written before.
 */
bool ring_push_requests(volatile RING_IDX *req_prod,
			const volatile RING_IDX *req_event, RING_IDX new_prod);

/* ring_push_requests for a front ring _r of any DEFINE_RING_TYPES. */
#define RING_PUSH_NOTIFY(_r)                                                \
	ring_push_requests(&(_r)->sring->req_prod, &(_r)->sring->req_event, \
			   (_r)->req_prod_pvt)

#endif
