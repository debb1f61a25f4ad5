/*
 * migrate.c - save, restore and live migration of an hvm domain (lab 5,
 * kernel/migrate.h), after Xen's pre-copy migration (Clark et al., "Live
 * Migration of Virtual Machines", NSDI 2005).  The records (struct
 * mig_rec) are applied to the destination at once (live) or appended to
 * an image that restore applies (save).
 */
#include <inc/x86.h>
#include <kernel/kernel.h>
#include <kernel/clock.h>
#include <kernel/domain.h>
#include <kernel/migrate.h>
#include <kernel/mm/page.h>

#define MIGRATE_BATCH	    256			 /* frames sent per tick */
#define MIGRATE_SCAN	    (64 * MIGRATE_BATCH) /* frames looked at */
#define MIGRATE_MAX_ROUNDS  8
#define MIGRATE_STOP_FRAMES 64 /* few enough to send with the source stopped */
#define MIGRATE_SUFFIX	    "--incoming"

enum mig_rec_type {
	MIG_REC_FRAME = 1, /* sub: enum p2m_type, arg: gfn; len 0 or 4096 */
	MIG_REC_VCPU,	   /* arg: vcpu id; struct mig_vcpu */
	MIG_REC_XSAVE,	   /* arg: vcpu id; its XSAVE area */
	MIG_REC_DEVICES,   /* struct mig_devices */
	MIG_REC_END,
};

struct mig_rec {
	uint16_t type;
	uint16_t sub;
	uint32_t len; /* payload bytes that follow */
	uint64_t arg;
};

/* A vcpu's registers and local state, vendor-neutral. */
struct mig_vcpu {
	uint64_t gprs[GPR_COUNT];
	uint64_t vregs[VREG_COUNT];
	struct vseg_desc segs[VSEG_COUNT];
	bool has_event;
	struct virt_event event; /* queued for the next entry */
	struct vlapic lapic;	 /* the timer deadline is a host TSC */
	enum vcpu_state state;
	struct vcpu_xstate xs; /* XCR0 and debug registers; no area */
};

/* The guest-visible state of the domain's devices. */
struct mig_devices {
	struct uart uart; /* with a partly sent line */
	struct testdev testdev;
	struct irq_devices irq; /* its timer times are host TSCs */
	uint64_t rom_writes;
};

/* Host pages, contiguous: an image, or a bitmap of frames. */
struct mig_buf {
	hpa_t pa;
	size_t pages;
	uint8_t *p;
	size_t len; /* bytes used */
};

struct mig_job {
	char name[CONFIG_NAME_MAX]; /* the domain, by name: it moves slots */
	bool save;		    /* save and restore, else live migration */
	uint64_t due;		    /* TSC; 0: free */
	struct domain *src, *dst;   /* while a live migration runs */
	struct mig_buf buf;	    /* holding todo */
	uint64_t *todo;		    /* bitmap: frames still to send */
	uint64_t next;		    /* the next frame to look at */
	int round;
	size_t sent, total, prev;
};

static struct mig_job mig_jobs[2 * DOMAIN_MAX];

/* bytes of zeroed host pages in b, leaving the running domains' demand
 * faults P2M_HOST_RESERVE_PAGES; 0 or -E_NO_MEM. */
static int mig_buf_alloc(struct mig_buf *b, size_t bytes)
{
	memset(b, 0, sizeof(*b));
	b->pages = ROUNDUP(bytes, PAGE_SIZE) / PAGE_SIZE;
	if (page_free_count() < b->pages + P2M_HOST_RESERVE_PAGES ||
	    !(b->pa = page_alloc_contig(b->pages, 1)))
		return -E_NO_MEM;
	b->p = kva(b->pa);
	memset(b->p, 0, b->pages * PAGE_SIZE);
	return 0;
}

static void mig_buf_free(struct mig_buf *b)
{
	if (b->pa)
		page_free_contig(b->pa, b->pages);
	memset(b, 0, sizeof(*b));
}

/* A frame: its type, then its contents when it has any. */
static int mig_apply_frame(struct domain *d, const struct mig_rec *h,
			   const void *payload)
{
	hpa_t hpa;
	int r;

	if (h->arg >= d->p2m.nframes || (h->len && h->len != PAGE_SIZE))
		return -E_INVAL;
	if (p2m_type_of(&d->p2m, h->arg) != h->sub &&
	    (r = p2m_set_type(&d->p2m, h->arg, 1, h->sub)) < 0)
		return r;
	if (h->len && (r = p2m_populate(&d->p2m, h->arg, &hpa)) < 0)
		return r;
	if (h->len)
		memcpy(kva(hpa), payload, PAGE_SIZE);
	return 0;
}

/* Segments first: on VT-x the CPL lives in SS; RIP before the shadow. */
static void mig_vcpu_load(struct vcpu *v, const struct mig_vcpu *m)
{
	uint8_t *area = v->xs.area;
	enum vseg s;
	enum vreg r;

	for (s = 0; s < VSEG_COUNT; s++)
		virt_seg_write(v, s, &m->segs[s]);
	for (r = 0; r < VREG_COUNT; r++)
		virt_reg_write(v, r, m->vregs[r]);
	memcpy(v->gprs, m->gprs, sizeof(v->gprs));
	v->lapic = m->lapic;
	v->state = m->state;
	v->xs = m->xs;
	v->xs.area = area;
	if (m->has_event)
		virt_inject_event(v, &m->event);
}

static void mig_vcpu_get(struct vcpu *v, struct mig_vcpu *m)
{
	enum vseg s;
	enum vreg r;

	memset(m, 0, sizeof(*m));
	memcpy(m->gprs, v->gprs, sizeof(m->gprs));
	for (r = 0; r < VREG_COUNT; r++)
		m->vregs[r] = virt_reg_read(v, r);
	for (s = 0; s < VSEG_COUNT; s++)
		virt_seg_read(v, s, &m->segs[s]);
	/* Put back at once: a migration that fails leaves v as it was. */
	m->has_event = virt_take_event(v, &m->event);
	if (m->has_event)
		virt_inject_event(v, &m->event);
	m->lapic = v->lapic;
	m->state = v->state;
	m->xs = v->xs;
	m->xs.area = NULL;
}

/* Applies record h with its payload to d; 0 or -E_*. */
static int mig_apply(struct domain *d, const struct mig_rec *h,
		     const void *payload)
{
	const struct mig_devices *dev = payload;
	struct vcpu *v = &d->vcpus[h->arg < VCPU_MAX ? h->arg : 0];
	size_t want[] = { [MIG_REC_VCPU] = sizeof(struct mig_vcpu),
			  [MIG_REC_XSAVE] = xstate_vcpu_size(),
			  [MIG_REC_DEVICES] = sizeof(*dev) };

	if (h->type != MIG_REC_FRAME && h->type < ARRAY_SIZE(want) &&
	    h->len != want[h->type])
		return -E_INVAL;
	if ((h->type == MIG_REC_VCPU || h->type == MIG_REC_XSAVE) &&
	    h->arg >= (uint64_t)d->nvcpus)
		return -E_INVAL;
	switch (h->type) {
	case MIG_REC_FRAME: return mig_apply_frame(d, h, payload);
	case MIG_REC_VCPU: mig_vcpu_load(v, payload); return 0;
	case MIG_REC_XSAVE: memcpy(v->xs.area, payload, h->len); return 0;
	case MIG_REC_DEVICES:
		d->uart = dev->uart;
		d->testdev = dev->testdev;
		d->irq = dev->irq;
		d->nested.rom_writes = dev->rom_writes;
		return 0;
	case MIG_REC_END: return 0;
	default: return -E_INVAL;
	}
}

/* Where records go: applied to dst at once, or appended to img. */
struct mig_sink {
	struct domain *dst;
	struct mig_buf *img;
};

/* Sends one record; 0 or -E_* (-E_NO_MEM: the image is full). */
static int mig_put(struct mig_sink *out, uint16_t type, uint16_t sub,
		   uint64_t arg, const void *payload, uint32_t len)
{
	struct mig_rec h = { type, sub, len, arg };
	struct mig_buf *img = out->img;

	if (out->dst)
		return mig_apply(out->dst, &h, payload);
	if (img->len + sizeof(h) + len > img->pages * PAGE_SIZE)
		return -E_NO_MEM;
	memcpy(img->p + img->len, &h, sizeof(h));
	memcpy(img->p + img->len + sizeof(h), payload, len);
	img->len += sizeof(h) + len;
	return 0;
}

/*
 * Sends frame gfn of d when it holds anything a fresh domain lacks:
 * contents (populated) or a type other than RAM.  Returns 1 when it sent
 * contents, 0 when not, or -E_*.
 */
static int mig_send_frame(struct mig_sink *out, struct domain *d, uint64_t gfn)
{
	enum p2m_type t = p2m_type_of(&d->p2m, gfn);
	hpa_t hpa = p2m_lookup(&d->p2m, gfn * PAGE_SIZE);
	int r;

	if (!hpa && t == P2M_RAM)
		return 0;
	r = mig_put(out, MIG_REC_FRAME, t, gfn, hpa ? kva(hpa) : NULL,
		    hpa ? PAGE_SIZE : 0);
	return r < 0 ? r : hpa != 0;
}

/* The vcpus, the devices and END, after the last frames. */
static int mig_send_state(struct mig_sink *out, struct domain *d)
{
	static struct mig_vcpu m; /* off the stack, as dev (4 KiB) */
	static struct mig_devices dev;
	int i, r = 0;

	dev.uart = d->uart;
	dev.testdev = d->testdev;
	dev.irq = d->irq;
	dev.rom_writes = d->nested.rom_writes;
	for (i = 0; i < d->nvcpus && r == 0; i++) {
		mig_vcpu_get(&d->vcpus[i], &m);
		r = mig_put(out, MIG_REC_VCPU, 0, i, &m, sizeof(m));
		if (r == 0)
			r = mig_put(out, MIG_REC_XSAVE, 0, i,
				    d->vcpus[i].xs.area, xstate_vcpu_size());
	}
	if (r == 0)
		r = mig_put(out, MIG_REC_DEVICES, 0, 0, &dev, sizeof(dev));
	return r < 0 ? r : mig_put(out, MIG_REC_END, 0, 0, NULL, 0);
}

/* Applies every record of img to d; 0 or -E_*. */
static int mig_restore(struct domain *d, const struct mig_buf *img)
{
	const struct mig_rec *h;
	size_t off = 0;
	int r;

	do {
		if (off + sizeof(*h) > img->len)
			return -E_INVAL;
		h = (const void *)(img->p + off);
		off += sizeof(*h);
		if (h->len > img->len - off)
			return -E_INVAL;
		if ((r = mig_apply(d, h, img->p + off)) < 0)
			return r;
		off += h->len;
	} while (h->type != MIG_REC_END);
	return 0;
}

/* d's whole stream into img (sized for it); its frames with contents. */
static int mig_save_image(struct domain *d, struct mig_buf *img, size_t *frames)
{
	size_t h = sizeof(struct mig_rec);
	struct mig_sink out = { .img = img };
	uint64_t gfn;
	int r;

	r = mig_buf_alloc(img,
			  d->p2m.populated * PAGE_SIZE + d->p2m.nframes * h +
				  3 * h + sizeof(struct mig_devices) +
				  d->nvcpus * (2 * h + sizeof(struct mig_vcpu) +
					       xstate_vcpu_size()));
	for (gfn = 0, *frames = 0; r >= 0 && gfn < d->p2m.nframes; gfn++)
		if ((r = mig_send_frame(&out, d, gfn)) > 0)
			(*frames)++;
	return r < 0 ? r : mig_send_state(&out, d);
}

/*
 * Saves d into an image, destroys d and restores the image into a new
 * domain of the same name.  When the image cannot be made d runs on;
 * when the restore fails (after d is gone) d ends as crashed.
 */
static void mig_save(struct domain *d)
{
	struct mig_buf img;
	struct domain *nd;
	char err[160] = "";
	uint64_t t0 = rdtsc(), save_us;
	size_t frames;
	int r = mig_save_image(d, &img, &frames);

	if (r < 0) {
		cprintf("save %s: failed: image: %s; %s keeps running\n",
			d->name, error_name(r), d->name);
		mig_buf_free(&img);
		return;
	}
	save_us = clock_tsc_to_us(rdtsc() - t0);
	t0 = rdtsc();
	domain_destroy(d);
	nd = domain_create_empty(d->config, d->bi, d->name, err, sizeof(err));
	r = nd ? mig_restore(nd, &img) : -E_NO_MEM;
	if (r < 0) {
		if (nd)
			domain_release(nd);
		domain_crash(d, NULL, "restore failed: %s",
			     err[0] ? err : error_name(r));
	} else {
		cprintf("save %s: %zu frames, image %zu KiB, saved in %llu us, "
			"restored in %llu us\n",
			d->name, frames, img.len / 1024,
			(unsigned long long)save_us,
			(unsigned long long)clock_tsc_to_us(rdtsc() - t0));
		domain_release(d);
	}
	mig_buf_free(&img);
}

/* Ends live migration j: the destination (if any) goes, the source stays. */
static void mig_end(struct mig_job *j, const char *why)
{
	if (why)
		cprintf("migrate %s: failed: %s; %s keeps running\n", j->name,
			why, j->name);
	if (j->dst)
		domain_release(j->dst);
	if (j->src && j->src->state == DOMAIN_RUNNING)
		nested_log_dirty(j->src, false);
	mig_buf_free(&j->buf);
	memset(j, 0, sizeof(*j));
}

/*
 * Starts live migration j of d: an empty destination from d's config,
 * the dirty log on, every frame to send in round 0.
 */
static void mig_start(struct mig_job *j, struct domain *d)
{
	char name[CONFIG_NAME_MAX], err[160];

	snprintf(name, sizeof(name), "%.*s" MIGRATE_SUFFIX,
		 (int)(sizeof(name) - sizeof(MIGRATE_SUFFIX)), d->name);
	j->src = d;
	j->dst = domain_create_empty(d->config, d->bi, name, err, sizeof(err));
	if (!j->dst) {
		cprintf("migrate %s: failed: destination: %s; %s keeps "
			"running\n",
			d->name, err, d->name);
		mig_end(j, NULL);
		return;
	}
	if (mig_buf_alloc(&j->buf, ROUNDUP(d->p2m.nframes, 64) / 8) < 0 ||
	    nested_log_dirty(d, true) < 0) {
		mig_end(j, "no host memory for the dirty log");
		return;
	}
	j->todo = (uint64_t *)j->buf.p;
	memset(j->todo, 0xff, j->buf.pages * PAGE_SIZE);
	j->prev = SIZE_MAX;
}

/*
 * Stop-and-copy: the last dirty frames (and any whose type changed
 * without a write), then the vcpus and devices; the destination takes
 * the source's name and the source goes.  t0: when the source stopped.
 */
static void mig_finish(struct mig_job *j, uint64_t t0)
{
	struct domain *src = j->src, *dst = j->dst;
	struct mig_sink out = { .dst = dst };
	size_t last = 0;
	uint64_t gfn;
	int r = 0;

	for (gfn = 0; gfn < src->p2m.nframes && r >= 0; gfn++)
		if ((j->todo[gfn / 64] & (1ULL << (gfn % 64))) ||
		    p2m_type_of(&src->p2m, gfn) != p2m_type_of(&dst->p2m, gfn))
			last += (r = mig_send_frame(&out, src, gfn)) > 0;
	if (r >= 0)
		r = mig_send_state(&out, src);
	if (r < 0) {
		mig_end(j, error_name(r));
		return;
	}
	strlcpy(dst->name, src->name, sizeof(dst->name));
	j->dst = NULL;
	domain_release(src);
	j->src = NULL;
	cprintf("migrate %s: round %d: %zu frames, source stopped\n", j->name,
		j->round + 1, last);
	cprintf("migrate %s: done: %d rounds, %zu frames, downtime %llu us\n",
		j->name, j->round + 2, j->total + last,
		(unsigned long long)clock_tsc_to_us(rdtsc() - t0));
	mig_end(j, NULL);
}

/* Sends the next batch of j's round; at its end, collects the dirty log. */
static void mig_step(struct mig_job *j, uint64_t t0)
{
	struct mig_sink out = { .dst = j->dst };
	struct domain *src = j->src;
	size_t batch = 0, scanned = 0, dirty;
	int r;

	if (src->state != DOMAIN_RUNNING) {
		mig_end(j, "the domain stopped");
		return;
	}
	for (; j->next < src->p2m.nframes && batch < MIGRATE_BATCH &&
	       scanned < MIGRATE_SCAN;
	     j->next++, scanned++) {
		uint64_t *w = &j->todo[j->next / 64],
			 bit = 1ULL << (j->next % 64);

		if (!(*w & bit))
			continue;
		*w &= ~bit;
		if ((r = mig_send_frame(&out, src, j->next)) < 0) {
			mig_end(j, error_name(r));
			return;
		}
		batch += r;
	}
	j->sent += batch;
	if (j->next < src->p2m.nframes)
		return;
	cprintf("migrate %s: round %d: %zu frames\n", j->name, j->round,
		j->sent);
	j->total += j->sent;
	dirty = p2m_dirty_collect(&src->p2m, j->todo);
	nested_protect(src, j->todo);
	if (dirty <= MIGRATE_STOP_FRAMES || dirty >= j->prev ||
	    j->round + 2 >= MIGRATE_MAX_ROUNDS) {
		mig_finish(j, t0);
		return;
	}
	j->prev = dirty;
	j->round++;
	j->next = 0;
	j->sent = 0;
}

bool migrate_incoming(const struct domain *d)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(mig_jobs); i++)
		if (mig_jobs[i].dst == d)
			return true;
	return false;
}

/* The running domain called name that no migration is moving; NULL. */
static struct domain *mig_find(const char *name)
{
	struct domain *d;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(mig_jobs); i++)
		if (mig_jobs[i].src && strcmp(mig_jobs[i].name, name) == 0)
			return NULL;
	for (d = domains; d < domains + DOMAIN_MAX; d++)
		if (d->state == DOMAIN_RUNNING && strcmp(d->name, name) == 0)
			return d;
	return NULL;
}

void migrate_tick(void)
{
	uint64_t now = rdtsc();
	struct domain *d;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(mig_jobs); i++) {
		struct mig_job *j = &mig_jobs[i];

		if (j->src)
			mig_step(j, now);
		/* Due while the domain moves or ends: armed until it runs. */
		if (!j->due || j->src || now < j->due ||
		    !(d = mig_find(j->name)))
			continue;
		j->due = 0;
		if (gnttab_busy(d))
			cprintf("%s %s: refused: it has grant or foreign "
				"mappings; %s keeps running\n",
				j->save ? "save" : "migrate", d->name, d->name);
		else if (j->save)
			mig_save(d);
		else
			mig_start(j, d);
	}
}

/* Adds a job for the domain called name, due in seconds; 0 or -E_RANGE. */
static int mig_add(const char *name, bool save, unsigned seconds)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(mig_jobs); i++) {
		struct mig_job *j = &mig_jobs[i];

		if (j->due || j->src)
			continue;
		strlcpy(j->name, name, sizeof(j->name));
		j->save = save;
		j->due = rdtsc() + seconds * clock_tsc_hz();
		return 0;
	}
	return -E_RANGE;
}

/*
 * The boot command line's KEY=NAME:SECONDS for the domain called name:
 * its seconds into *seconds; a malformed value is reported and ignored.
 */
static void mig_cmdline(const char *key, const char *name, unsigned *seconds)
{
	const char *arg = cmdline_get(key),
		   *colon = arg ? strrchr(arg, ':') : 0;
	size_t len = colon ? (size_t)(colon - arg) : 0;
	const char *p = colon + 1;
	uint64_t s;

	if (!colon || len != strlen(name) || strncmp(arg, name, len) != 0)
		return;
	if (strtou64(&p, &s) < 0 || *p || !s || s > 1000000) {
		cprintf("hvlab: %s=%s: not NAME:SECONDS; ignored\n", key, arg);
		return;
	}
	*seconds = s;
}

int migrate_arm(struct domain *d)
{
	unsigned migrate = d->config->migrate_after,
		 save = d->config->save_after;

	mig_cmdline("migrate", d->name, &migrate);
	mig_cmdline("save", d->name, &save);
	if (!migrate && !save)
		return 0;
	if (d->type != DOMAIN_HVM || d->paging != PAGING_NESTED) {
		cprintf("%s %s: refused: only an hvm domain with nested paging "
			"can be moved\n",
			migrate ? "migrate" : "save", d->name);
		return -E_NOT_SUPP;
	}
	if ((migrate && mig_add(d->name, false, migrate) < 0) ||
	    (save && mig_add(d->name, true, save) < 0)) {
		cprintf("migrate %s: refused: too many migrations\n", d->name);
		return -E_RANGE;
	}
	return 0;
}
