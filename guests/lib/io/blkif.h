/*
 * guests/lib/io/blkif.h - Xen's block device interface (xen/include/public/
 * io/blkif.h): the requests a frontend (blkfront) puts on the shared ring
 * and the responses its backend (blkback) returns.  Needs
 * inc/public/grant_table.h (grant_ref_t) and guests/lib/io/ring.h first.
 *
 * A request names up to BLKIF_MAX_SEGMENTS_PER_REQUEST segments, each a
 * granted page of the frontend and the sectors of it (first_sect ..
 * last_sect, 512-byte units, inclusive) that carry data; the data run
 * from sector_number on the disk in segment order.  The backend answers
 * every request it consumed with one response carrying the request's id.
 * Sector numbers are always in 512-byte units, whatever sector-size says.
 *
 * The xenstore keys (LINUX-XEN.md §3): the backend writes sectors,
 * sector-size, info (VDISK_*) and feature-flush-cache, feature-barrier,
 * feature-discard; the frontend ring-ref, event-channel and protocol.
 */
#ifndef GUESTS_LIB_IO_BLKIF_H
#define GUESTS_LIB_IO_BLKIF_H

typedef uint16_t blkif_vdev_t;
typedef uint64_t blkif_sector_t;

#define BLKIF_OP_READ		 0
#define BLKIF_OP_WRITE		 1
#define BLKIF_OP_WRITE_BARRIER	 2 /* a write ordered after all before it */
#define BLKIF_OP_FLUSH_DISKCACHE 3 /* earlier writes reach stable storage */
#define BLKIF_OP_RESERVED_1	 4
#define BLKIF_OP_DISCARD	 5 /* the sectors' contents are not needed */
#define BLKIF_OP_INDIRECT	 6 /* not offered by hvlab's backend */

#define BLKIF_MAX_SEGMENTS_PER_REQUEST 11

/* Sectors of 512 bytes in a 4 KiB page: first/last_sect are 0..7. */
#define BLKIF_SECTOR_SIZE  512
#define BLKIF_SECTORS_PAGE 8

struct blkif_request_segment {
	grant_ref_t gref;   /* the frontend's grant of the page */
	uint8_t first_sect; /* the first sector of the page used */
	uint8_t last_sect;  /* the last one, inclusive */
};

struct blkif_request {
	uint8_t operation;   /* BLKIF_OP_* */
	uint8_t nr_segments; /* 1..BLKIF_MAX_SEGMENTS_PER_REQUEST */
	blkif_vdev_t handle; /* only for a backend's own use */
	uint64_t id;	     /* echoed in the response */
	blkif_sector_t sector_number;
	struct blkif_request_segment seg[BLKIF_MAX_SEGMENTS_PER_REQUEST];
};

/* BLKIF_OP_DISCARD reuses the request's slot with this layout. */
struct blkif_request_discard {
	uint8_t operation;	      /* BLKIF_OP_DISCARD */
	uint8_t flag;		      /* BLKIF_DISCARD_* */
#define BLKIF_DISCARD_SECURE (1 << 0) /* the data must be unreadable after */
	blkif_vdev_t handle;
	uint64_t id;
	blkif_sector_t sector_number;
	uint64_t nr_sectors;
};

struct blkif_response {
	uint64_t id;	   /* the request's */
	uint8_t operation; /* the request's */
	int16_t status;	   /* BLKIF_RSP_* */
};

#define BLKIF_RSP_EOPNOTSUPP -2 /* the operation is not supported */
#define BLKIF_RSP_ERROR	     -1 /* the request failed or was malformed */
#define BLKIF_RSP_OKAY	     0

DEFINE_RING_TYPES(blkif, struct blkif_request, struct blkif_response);

/* The info key's bits. */
#define VDISK_CDROM	0x1
#define VDISK_REMOVABLE 0x2
#define VDISK_READONLY	0x4

/* The protocol key's value for x86-64's layouts (io/protocols.h). */
#define XEN_IO_PROTO_ABI_X86_64 "x86_64-abi"

#endif /* GUESTS_LIB_IO_BLKIF_H */
