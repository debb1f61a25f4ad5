/*
 * blkback.c - the block backend's devices (lab 7): Xen's blkback protocol
 * (io/blkif.h) on the handshake of xenbus_back.h, for each backend/vbd
 * directory the toolstack makes from a disk line:
 *   open:    loads the image (XEN_SYSCTL_bootfile, once per image: later
 *            attachments share it, so writes persist), refuses a second
 *            writable attachment, writes sectors, sector-size, info and
 *            the feature-* keys;
 *   connect: maps its ring-ref, binds its event-channel; the ring is
 *            served by blkback_ring.c.
 */
#include "blkback.h"
#include <guests/lib/pv.h>
#include <guests/lib/gnttab.h>
#include <guests/lib/xs.h>

#define BLKBACK_DISKS 8
#define BLKBACK_DEVS  8
#define BLKBACK_STORE (10 * MiB)  /* every image's sectors */
#define BLKBACK_CHUNK (256 * KiB) /* bytes per bootfile call */

static struct blkback_disk blkback_disks[BLKBACK_DISKS];
static struct blkback_dev blkback_devs[BLKBACK_DEVS];
static uint8_t blkback_store[BLKBACK_STORE] __attribute__((aligned(4096)));
static size_t blkback_store_used;
static struct xb_backend blkback;

/* A bootfile sysctl of path: count bytes at offset into buf; the
 * file's size in *size.  0 or -XEN_E*. */
static long blkback_bootfile(const char *path, void *buf, uint64_t offset,
			     uint32_t count, uint64_t *size)
{
	struct xen_sysctl op = {
		.cmd = XEN_SYSCTL_bootfile,
		.interface_version = XEN_SYSCTL_INTERFACE_VERSION,
	};
	struct xen_sysctl_bootfile *b = &op.u.bootfile;
	long r;

	strlcpy(b->path, path, sizeof(b->path));
	b->buffer = (uintptr_t)buf;
	b->offset = offset;
	b->count = count;
	r = HYPERVISOR_sysctl(&op);
	*size = b->size;
	return r < 0 ? r : (b->count == count ? 0 : -XEN_EIO);
}

/* Reads image path into the store: its disk, or NULL (logged). */
static struct blkback_disk *blkback_disk_load(struct blkback_disk *k,
					      const char *path)
{
	uint64_t size, off;
	long r = blkback_bootfile(path, NULL, 0, 0, &size);

	if (r == 0 && (size % BLKIF_SECTOR_SIZE || !size ||
		       size > BLKBACK_STORE - blkback_store_used))
		r = -XEN_ENOSPC;
	for (off = 0; r == 0 && off < size; off += BLKBACK_CHUNK)
		r = blkback_bootfile(path,
				     blkback_store + blkback_store_used + off,
				     off,
				     (uint32_t)MIN(BLKBACK_CHUNK, size - off),
				     &size);
	if (r < 0) {
		printf("blkback: image %s: %s\n", path,
		       r == -XEN_ENOSPC ? "not whole sectors, or no room" :
					  "cannot be read");
		return NULL;
	}
	strlcpy(k->path, path, sizeof(k->path));
	k->data = blkback_store + blkback_store_used;
	k->sectors = size / BLKIF_SECTOR_SIZE;
	k->writer = -1;
	blkback_store_used += ROUNDUP(size, 4096);
	return k;
}

struct blkback_disk *blkback_disk_get(const char *path)
{
	for (unsigned i = 0; i < BLKBACK_DISKS; i++) {
		struct blkback_disk *k = &blkback_disks[i];
		if (k->data && !strcmp(k->path, path))
			return k;
		if (!k->data)
			return blkback_disk_load(k, path);
	}
	printf("blkback: image %s: more than %u images\n", path, BLKBACK_DISKS);
	return NULL;
}

/* Writes d's key = the number v. */
static long blkback_put(struct blkback_dev *d, const char *key, uint64_t v)
{
	char num[24];

	snprintf(num, sizeof(num), "%llu", (unsigned long long)v);
	return xb_write(&d->xb, key, num);
}

/* Attaches d's image (params, mode) and writes what Xen's blkback
 * writes; false (logged) when it cannot be attached. */
static bool blkback_open(struct xb_dev *x)
{
	struct blkback_dev *d = (struct blkback_dev *)x;
	char params[48], mode[4];

	if (!xb_read(&blkback, x->dir, "params", params, sizeof(params)) ||
	    !xb_read(&blkback, x->dir, "mode", mode, sizeof(mode)) ||
	    !(d->disk = blkback_disk_get(params)))
		return false;
	d->writable = mode[0] == 'w';
	if (d->writable && d->disk->writer >= 0 &&
	    d->disk->writer != x->front_id) {
		printf("blkback: dom %u vbd %u: %s is attached writable by dom "
		       "%d: refused\n",
		       x->front_id, x->id, params, d->disk->writer);
		d->disk = NULL;
		return false;
	}
	if (d->writable)
		d->disk->writer = x->front_id;
	blkback_put(d, "sectors", d->disk->sectors);
	blkback_put(d, "sector-size", BLKIF_SECTOR_SIZE);
	blkback_put(d, "info", d->writable ? 0 : VDISK_READONLY);
	blkback_put(d, "feature-flush-cache", 1);
	blkback_put(d, "feature-barrier", 1);
	blkback_put(d, "feature-discard", 1);
	return true;
}

/* Maps the frontend's ring and binds its channel; false (logged). */
static bool blkback_connect(struct xb_dev *x)
{
	struct blkback_dev *d = (struct blkback_dev *)x;
	char path[XB_PATH_MAX + 16], proto[16] = "";

	snprintf(path, sizeof(path), "%s/protocol", x->front);
	if (xs_read(0, path, proto, sizeof(proto)) >= 0 &&
	    strcmp(proto, XEN_IO_PROTO_ABI_X86_64)) {
		printf("blkback: %s: protocol %s: only %s\n", x->front, proto,
		       XEN_IO_PROTO_ABI_X86_64);
		return false;
	}
	if (!xb_map(&blkback, x, "ring-ref", &d->ring_slot, &d->ring_handle))
		return false;
	if (!xb_bind(&blkback, x)) {
		xb_unmap(&d->ring_slot, d->ring_handle);
		return false;
	}
	BACK_RING_INIT(&d->ring, (struct blkif_sring *)d->ring_slot, 4096);
	d->broken = false;
	/* Lab 8's slow path, asked for by the frontend: an event per
	 * response instead of one per batch. */
	snprintf(path, sizeof(path), "%s/request-notify-each", x->front);
	d->notify_each = xs_read(0, path, proto, sizeof(proto)) >= 0 &&
			 proto[0] == '1';
	d->requests = d->events = 0;
	return true;
}

/* Unbinds and unmaps a connected d. */
static void blkback_disconnect(struct xb_dev *x)
{
	struct blkback_dev *d = (struct blkback_dev *)x;

	printf("blkback: dom %u vbd %u: %lu requests, %lu events%s\n",
	       x->front_id, x->id, d->requests, d->events,
	       d->notify_each ? " (request-notify-each)" : "");
	evtchn_close(x->port);
	xb_unmap(&d->ring_slot, d->ring_handle);
}

/* Lets another domain attach d's image writable. */
static void blkback_release(struct xb_dev *x)
{
	struct blkback_dev *d = (struct blkback_dev *)x;

	if (d->disk && d->writable && d->disk->writer == x->front_id)
		d->disk->writer = -1;
}

static bool blkback_broken(const struct xb_dev *x)
{
	return ((const struct blkback_dev *)x)->broken;
}

/* Serves d's ring while its frontend is there. */
static bool blkback_serve(struct xb_dev *x)
{
	struct blkback_dev *d = (struct blkback_dev *)x;

	if (xb_alive(x))
		return blkback_ring_serve(d);
	d->broken = true;
	return false;
}

static struct xb_backend blkback = {
	.name = "blkback",
	.type = "vbd",
	.devs = blkback_devs,
	.size = sizeof(blkback_devs[0]),
	.n = BLKBACK_DEVS,
	.open = blkback_open,
	.connect = blkback_connect,
	.disconnect = blkback_disconnect,
	.release = blkback_release,
	.broken = blkback_broken,
	.serve = blkback_serve,
};

bool blkback_poll(void)
{
	return xb_poll(&blkback);
}
