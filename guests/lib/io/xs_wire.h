/*
 * guests/lib/io/xs_wire.h - xenstore's wire protocol (lab 7), as Xen's
 * xen/include/public/io/xs_wire.h and docs/misc/xenstore.txt define it.
 * Needs <inc/types.h> (uint32_t).
 *
 * A message is a struct xsd_sockmsg header and len bytes of payload
 * (len <= XENSTORE_PAYLOAD_MAX).  Paths and values are strings; a request
 * with several arguments separates them with NULs ("PATH\0TOKEN\0").
 * A failed request is answered by XS_ERROR with Xen's errno name as the
 * payload ("ENOENT\0").  Unsolicited XS_WATCH_EVENT messages ("PATH\0
 * TOKEN\0") may arrive between a request and its reply.
 *
 * A domain talks to the daemon over one shared page, struct
 * xenstore_domain_interface: two byte rings of XENSTORE_RING_SIZE, each
 * with free-running producer and consumer indices (masked with
 * MASK_XENSTORE_IDX; prod - cons is the bytes in flight, never more than
 * the ring size), and an event channel kicked after each side moves an
 * index.  The writer fills bytes, then a write barrier, then moves prod;
 * the reader reads prod, a read barrier, then the bytes, then a full
 * barrier before it moves cons, so the writer never reuses bytes still
 * being read.
 */
#ifndef GUESTS_LIB_IO_XS_WIRE_H
#define GUESTS_LIB_IO_XS_WIRE_H

enum xsd_sockmsg_type {
	XS_CONTROL = 0, /* XS_DEBUG in older versions */
	XS_DIRECTORY = 1,
	XS_READ = 2,
	XS_GET_PERMS = 3,
	XS_WATCH = 4,
	XS_UNWATCH = 5,
	XS_TRANSACTION_START = 6,
	XS_TRANSACTION_END = 7,
	XS_INTRODUCE = 8,
	XS_RELEASE = 9,
	XS_GET_DOMAIN_PATH = 10,
	XS_WRITE = 11,
	XS_MKDIR = 12,
	XS_RM = 13,
	XS_SET_PERMS = 14,
	XS_WATCH_EVENT = 15,
	XS_ERROR = 16,
	XS_IS_DOMAIN_INTRODUCED = 17,
	XS_RESUME = 18,
	XS_SET_TARGET = 19,
	/* 20 was XS_RESTRICT */
	XS_RESET_WATCHES = 21,
	XS_DIRECTORY_PART = 22,
	XS_TYPE_COUNT,
	XS_INVALID = 0xffff
};

/* The errors a reply may name, in Xen's order; errnum is Xen's errno. */
struct xsd_errors {
	int errnum;
	const char *errstring;
};
#define XSD_ERROR(name, num) \
	{                    \
		num, #name   \
	}
#define XSD_ERRORS_INIT                                                  \
	{                                                                \
		XSD_ERROR(EINVAL, 22), XSD_ERROR(EACCES, 13),            \
			XSD_ERROR(EEXIST, 17), XSD_ERROR(EISDIR, 21),    \
			XSD_ERROR(ENOENT, 2), XSD_ERROR(ENOMEM, 12),     \
			XSD_ERROR(ENOSPC, 28), XSD_ERROR(EIO, 5),        \
			XSD_ERROR(ENOTEMPTY, 39), XSD_ERROR(ENOSYS, 38), \
			XSD_ERROR(EROFS, 30), XSD_ERROR(EBUSY, 16),      \
			XSD_ERROR(EAGAIN, 11), XSD_ERROR(EISCONN, 106),  \
			XSD_ERROR(E2BIG, 7), XSD_ERROR(EPERM, 1),        \
	}

struct xsd_sockmsg {
	uint32_t type;	 /* XS_* */
	uint32_t req_id; /* echoed in the reply */
	uint32_t tx_id;	 /* the transaction, or 0 */
	uint32_t len;	 /* payload bytes that follow */
};

/* The two strings of a watch event's payload. */
enum xs_watch_type {
	XS_WATCH_PATH = 0,
	XS_WATCH_TOKEN,
};

#define XENSTORE_RING_SIZE 1024
typedef uint32_t XENSTORE_RING_IDX;
#define MASK_XENSTORE_IDX(idx) ((idx) & (XENSTORE_RING_SIZE - 1))

struct xenstore_domain_interface {
	char req[XENSTORE_RING_SIZE]; /* requests to the daemon */
	char rsp[XENSTORE_RING_SIZE]; /* replies and watch events */
	XENSTORE_RING_IDX req_cons, req_prod;
	XENSTORE_RING_IDX rsp_cons, rsp_prod;
	uint32_t server_features; /* XENSTORE_SERVER_FEATURE_* */
	uint32_t connection;	  /* XENSTORE_CONNECTED / _RECONNECT */
	uint32_t error;		  /* XENSTORE_ERROR_*, set by the daemon */
	uint32_t evtchn_port;	  /* the daemon's end, for live update */
};

#define XENSTORE_PAYLOAD_MAX  4096
#define XENSTORE_ABS_PATH_MAX 3072
#define XENSTORE_REL_PATH_MAX 2048

#define XENSTORE_SERVER_FEATURE_RECONNECTION 1
#define XENSTORE_SERVER_FEATURE_ERROR	     2

#define XENSTORE_CONNECTED 0
#define XENSTORE_RECONNECT 1

#define XENSTORE_ERROR_COMM 1 /* a message header the daemon refused */
#define XENSTORE_ERROR_RINGIDX \
	2 /* indices that cannot be (prod - cons > size) */

_Static_assert(sizeof(struct xsd_sockmsg) == 16, "xsd_sockmsg");
_Static_assert(__builtin_offsetof(struct xenstore_domain_interface, req_cons) ==
		       2048,
	       "xenstore req_cons");
_Static_assert(__builtin_offsetof(struct xenstore_domain_interface,
				  evtchn_port) == 2076,
	       "xenstore evtchn_port");

#endif
