/*
 * blkback.c - the block backend's devices (lab 7): Xen's blkback protocol
 * (io/blkif.h; xenbus states io/xenbus.h).  It watches its own
 * backend/vbd directory, where the toolstack puts a directory
 * FRONTEND/DEVID per disk line, and for each:
 *   new:   loads the image (XEN_SYSCTL_bootfile, once per image: later
 *          attachments share it, so writes persist), refuses a second
 *          writable attachment, writes sectors, sector-size, info and the
 *          feature-* keys, and goes to InitWait;
 *   frontend Initialised: maps its ring-ref, binds its event-channel,
 *          goes to Connected and serves the ring (blkback_ring.c);
 *   frontend Closing/Closed/gone, or a broken ring: unmaps, unbinds and
 *          goes to Closed; InitWait again when the frontend restarts;
 *   directory removed (the domain died): forgets the device.
 * Every watch event rescans everything: simple, and a lost event cannot
 * leave a device behind.
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
static char blkback_base[BLKBACK_PATH_MAX]; /* .../backend/vbd */
static bool blkback_rescan;
static uint64_t blkback_scanned_ns;

/* Rescans at least this often: the watch queue is shared by everyone in
 * the domain and drops events when full, so an event may be missed. */
#define BLKBACK_RESCAN_NS 200000000ull

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

/* The disk of image path, loaded at its first attachment; NULL if it
 * cannot be. */
static struct blkback_disk *blkback_disk_get(const char *path)
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

/* Reads d->dir/key into buf; false (logged) when missing. */
static bool blkback_key(struct blkback_dev *d, const char *key, char *buf,
			size_t len)
{
	char path[BLKBACK_PATH_MAX + 16];

	snprintf(path, sizeof(path), "%s/%s", d->dir, key);
	if (xs_read(0, path, buf, len) >= 0)
		return true;
	printf("blkback: %s: no %s\n", d->dir, key);
	return false;
}

/* Writes d->dir/key = the number v. */
static long blkback_put(struct blkback_dev *d, const char *key, uint64_t v)
{
	char path[BLKBACK_PATH_MAX + 24];

	snprintf(path, sizeof(path), "%s/%s", d->dir, key);
	return xs_printf(0, path, "%llu", (unsigned long long)v);
}

/* Attaches d's image (params, mode) and offers it: InitWait, or Closed
 * with a log line when it cannot be attached. */
static void blkback_dev_open(struct blkback_dev *d)
{
	char params[48], mode[4], path[BLKBACK_PATH_MAX + 8];

	if (!blkback_key(d, "frontend", d->front, sizeof(d->front)) ||
	    !blkback_key(d, "params", params, sizeof(params)) ||
	    !blkback_key(d, "mode", mode, sizeof(mode)) ||
	    !(d->disk = blkback_disk_get(params)))
		goto fail;
	d->writable = mode[0] == 'w';
	if (d->writable && d->disk->writer >= 0 &&
	    d->disk->writer != d->front_id) {
		printf("blkback: dom %u vbd %u: %s is attached writable by dom "
		       "%d: refused\n",
		       d->front_id, d->devid, params, d->disk->writer);
		d->disk = NULL;
		goto fail;
	}
	if (d->writable)
		d->disk->writer = d->front_id;
	blkback_put(d, "sectors", d->disk->sectors);
	blkback_put(d, "sector-size", BLKIF_SECTOR_SIZE);
	blkback_put(d, "info", d->writable ? 0 : VDISK_READONLY);
	blkback_put(d, "feature-flush-cache", 1);
	blkback_put(d, "feature-barrier", 1);
	blkback_put(d, "feature-discard", 1);
	snprintf(path, sizeof(path), "%s/state", d->front);
	xs_watch(path, "vbd");
	xenbus_switch_state(d->dir, XenbusStateInitWait);
	return;
fail:
	xenbus_switch_state(d->dir, XenbusStateClosed);
}

/* Maps the frontend's ring and binds its channel: Connected, or Closed
 * (logged). */
static void blkback_connect(struct blkback_dev *d)
{
	char path[BLKBACK_PATH_MAX + 16], proto[16] = "";
	long ref = -1, evtchn = -1, r;

	snprintf(path, sizeof(path), "%s/ring-ref", d->front);
	xs_read_int(0, path, &ref);
	snprintf(path, sizeof(path), "%s/event-channel", d->front);
	xs_read_int(0, path, &evtchn);
	snprintf(path, sizeof(path), "%s/protocol", d->front);
	if (xs_read(0, path, proto, sizeof(proto)) >= 0 &&
	    strcmp(proto, XEN_IO_PROTO_ABI_X86_64)) {
		printf("blkback: %s: protocol %s: only %s\n", d->front, proto,
		       XEN_IO_PROTO_ABI_X86_64);
		goto fail;
	}
	if (ref < 0 || evtchn <= 0) {
		printf("blkback: %s: no ring-ref or event-channel\n", d->front);
		goto fail;
	}
	if (!(d->ring_slot = gnttab_slot_alloc()) ||
	    (r = gnttab_map(d->front_id, (grant_ref_t)ref, d->ring_slot, false,
			    &d->ring_handle)) != GNTST_okay) {
		printf("blkback: %s: ring-ref %ld cannot be mapped (%ld)\n",
		       d->front, ref, d->ring_slot ? r : -XEN_ENOSPC);
		goto fail;
	}
	r = evtchn_bind_interdomain(d->front_id, (evtchn_port_t)evtchn,
				    dom0_kick, NULL);
	if (r < 0) {
		printf("blkback: %s: event-channel %ld cannot be bound\n",
		       d->front, evtchn);
		gnttab_unmap(d->ring_handle, d->ring_slot);
		goto fail;
	}
	d->port = (evtchn_port_t)r;
	BACK_RING_INIT(&d->ring, (struct blkif_sring *)d->ring_slot, 4096);
	d->connected = true;
	d->broken = false;
	xenbus_switch_state(d->dir, XenbusStateConnected);
	return;
fail:
	if (d->ring_slot)
		gnttab_slot_free(d->ring_slot);
	d->ring_slot = NULL;
	xenbus_switch_state(d->dir, XenbusStateClosed);
}

/* Unmaps and unbinds a connected d. */
static void blkback_disconnect(struct blkback_dev *d)
{
	if (!d->connected)
		return;
	evtchn_close(d->port);
	gnttab_unmap(d->ring_handle, d->ring_slot);
	gnttab_slot_free(d->ring_slot);
	d->ring_slot = NULL;
	d->connected = false;
}

/* Follows d's frontend: connects, disconnects, reopens.  Writes nothing
 * once d's directory is gone: a write would create it again. */
static void blkback_dev_step(struct blkback_dev *d)
{
	long front = xenbus_read_state(d->front);
	long mine = xenbus_read_state(d->dir);

	if (d->connected &&
	    (d->broken || front < 0 || front >= XenbusStateClosing)) {
		blkback_disconnect(d);
		if (mine >= 0)
			xenbus_switch_state(d->dir, XenbusStateClosed);
	} else if (!d->connected && mine == XenbusStateInitWait &&
		   (front == XenbusStateInitialised ||
		    front == XenbusStateConnected)) {
		blkback_connect(d);
	} else if (!d->connected && mine == XenbusStateClosed && d->disk &&
		   front == XenbusStateInitialising) {
		xenbus_switch_state(d->dir, XenbusStateInitWait);
	}
}

/* Forgets d, whose directory is gone. */
static void blkback_dev_free(struct blkback_dev *d)
{
	char path[BLKBACK_PATH_MAX + 8];

	blkback_disconnect(d);
	if (d->disk && d->writable && d->disk->writer == d->front_id)
		d->disk->writer = -1;
	snprintf(path, sizeof(path), "%s/state", d->front);
	if (d->front[0])
		xs_unwatch(path, "vbd");
	memset(d, 0, sizeof(*d));
}

/* The device of frontend front, devid id: existing or new; NULL when
 * the table is full. */
static struct blkback_dev *blkback_dev_find(unsigned front, unsigned id)
{
	struct blkback_dev *free = NULL;

	for (unsigned i = 0; i < BLKBACK_DEVS; i++) {
		struct blkback_dev *d = &blkback_devs[i];
		if (d->used && d->front_id == front && d->devid == id)
			return d;
		if (!d->used && !free)
			free = d;
	}
	if (!free) {
		static bool told;
		if (!told)
			printf("blkback: dom %u vbd %u: more than %u devices\n",
			       front, id, BLKBACK_DEVS);
		told = true;
		return NULL;
	}
	free->used = true;
	free->front_id = (domid_t)front;
	free->devid = id;
	snprintf(free->dir, sizeof(free->dir), "%s/%u/%u", blkback_base, front,
		 id);
	blkback_dev_open(free);
	return free;
}

/* The decimal number s (a domid or devid), or -1 if it is not one. */
static long blkback_num(const char *s)
{
	long v = 0;

	if (!*s || strlen(s) > 9)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v;
}

/* Marks seen every device in backend/vbd/FRONT, creating new ones. */
static void blkback_scan_front(const char *front, bool *seen)
{
	char path[BLKBACK_PATH_MAX], ids[256];
	long n;

	snprintf(path, sizeof(path), "%s/%s", blkback_base, front);
	n = xs_directory(0, path, ids, sizeof(ids));
	for (const char *id = ids; n > 0; n--, id += strlen(id) + 1) {
		long f = blkback_num(front), i = blkback_num(id);
		struct blkback_dev *d;

		if (f < 0 || f >= DOMID_FIRST_RESERVED || i < 0)
			continue;
		if ((d = blkback_dev_find((unsigned)f, (unsigned)i)))
			seen[d - blkback_devs] = true;
	}
}

/* Brings the devices in line with the directory and their frontends. */
static void blkback_scan(void)
{
	bool seen[BLKBACK_DEVS] = { 0 };
	char fronts[256];
	long n = xs_directory(0, blkback_base, fronts, sizeof(fronts));

	for (const char *f = fronts; n > 0; n--, f += strlen(f) + 1)
		blkback_scan_front(f, seen);
	for (unsigned i = 0; i < BLKBACK_DEVS; i++) {
		if (blkback_devs[i].used && !seen[i])
			blkback_dev_free(&blkback_devs[i]);
		else if (blkback_devs[i].used)
			blkback_dev_step(&blkback_devs[i]);
	}
}

/* Sets up the grant slots, finds this domain's backend/vbd and watches
 * it; 0 or -XEN_E*. */
static long blkback_start(void)
{
	char dom[48];
	long me = pv_boot.privileged ? 0 : pv_domid();
	long r = me < 0 ? me : gnttab_init();

	if (r >= 0)
		r = xs_get_domain_path((domid_t)me, dom, sizeof(dom));

	if (r >= 0) {
		snprintf(blkback_base, sizeof(blkback_base), "%s/backend/vbd",
			 dom);
		r = xs_watch(blkback_base, "vbd");
	}
	if (r < 0)
		printf("blkback: cannot watch backend/vbd: %ld\n", r);
	return r;
}

/* Whether d's frontend is still there: its channel still connects us.
 * A dead domain's pages leave our p2m with it, so its ring must not be
 * read once the channel is gone. */
static bool blkback_alive(struct blkback_dev *d)
{
	struct evtchn_status st;

	if (evtchn_status(d->port, &st) == 0 &&
	    st.status == EVTCHNSTAT_interdomain)
		return true;
	d->broken = true;
	return false;
}

bool blkback_poll(void)
{
	static int started; /* 0: not yet, 1: running, -1: failed */
	char path[BLKBACK_PATH_MAX];
	bool did = false;

	if (!started)
		started = blkback_start() < 0 ? -1 : 1;
	if (started < 0)
		return false;
	/* Only its own events: the toolstack and netback share the queue. */
	while (xs_watch_take("vbd", path, sizeof(path)))
		blkback_rescan = true;
	if (blkback_rescan ||
	    pv_time_ns() - blkback_scanned_ns > BLKBACK_RESCAN_NS) {
		blkback_rescan = false;
		blkback_scanned_ns = pv_time_ns();
		blkback_scan();
		did = true;
	}
	for (unsigned i = 0; i < BLKBACK_DEVS; i++) {
		struct blkback_dev *d = &blkback_devs[i];
		if (d->connected && !d->broken && blkback_alive(d))
			did |= blkback_ring_serve(d);
		if (d->connected && d->broken)
			blkback_rescan = true;
	}
	return did;
}
