/*
 * lab8.c - pv-blk's lab-8 mode (lab8=1, labs/lab8.md): scattered 4 KiB
 * I/O, the same pieces one request at a time and batched
 * (blkfront_iov), on three disks: xvda compares the two frontends over a
 * coalescing backend; xvdb and xvdc run the batched frontend alone, xvdc
 * with request-notify-each (its backend sends an event per response), so
 * dom0's "blkback: ... N requests, E events" lines for the two compare
 * the backends.  Every piece is read back and checked: a batch that
 * loses a request at ring-full shows as a wrong piece, a push that never
 * notifies as a timed-out I/O (-XEN_ETIMEDOUT, 5 s).  A request of
 * the caller's own waits on the ring during each round, so batches meet
 * a full ring before they reach the ring's size.  Prints
 *   pv-blk: lab8 xvda MODE: R requests, P pushes, E events, T us
 * for the grader's ratios (grader/labs/lab8_io.c).
 */
#include <guests/lib/pv.h>
#include "pv-blk.h"

#define XVDA	    51712
#define XVDB	    51728
#define XVDC	    51744
#define LAB8_PIECES 64	/* of 4 KiB in blk_buf: two ring-fulls */
#define LAB8_SLOTS  256 /* 4 KiB slots of a 1 MiB disk */
#define LAB8_ROUNDS 4

static struct blkfront_vec lab8_vec[LAB8_PIECES];
static uint8_t lab8_own[4096] __attribute__((aligned(4096)));

/* What one way of doing the I/O took, summed over its rounds. */
struct lab8_cost {
	unsigned requests, pushes, events;
	uint64_t ns;
};

/* Round r's pieces: 64 slots of the disk in a scattered order, no two
 * alike (29 is odd, so i * 29 runs through every slot). */
static void lab8_pieces(unsigned r)
{
	for (unsigned i = 0; i < LAB8_PIECES; i++)
		lab8_vec[i] = (struct blkfront_vec){
			.sector = (i * 29u + r * 71u) % LAB8_SLOTS * 8,
			.buf = blk_buf + 4096 * i,
			.nsect = 8,
		};
}

/* Round r of op on bf, batched or not, added to c; the first error.
 * Writes put the pattern in first; reads start from zeroes. */
static long lab8_round(struct blkfront *bf, uint8_t op, unsigned r, bool batch,
		       struct lab8_cost *c)
{
	unsigned p0 = bf->pushes, n0 = bf->notifies;
	uint64_t t0;
	long err, own;

	lab8_pieces(r);
	for (unsigned i = 0; i < LAB8_PIECES; i++)
		if (op == BLKIF_OP_WRITE)
			blk_fill(lab8_vec[i].buf, lab8_vec[i].sector, 8);
		else
			memset(lab8_vec[i].buf, 0, 4096);
	t0 = pv_time_ns();
	/* A request of the caller's own on the ring first: the batches
	 * meet a full ring (-XEN_EAGAIN) before they have 32 requests. */
	own = blkfront_submit(bf, BLKIF_OP_READ, 0, lab8_own, 8);
	err = blkfront_iov(bf, op, lab8_vec, LAB8_PIECES, batch);
	if (own >= 0)
		blkfront_push(bf), own = blkfront_complete(bf, own);
	c->ns += pv_time_ns() - t0;
	if (!err && own < 0)
		err = own;
	c->requests += LAB8_PIECES;
	c->pushes += bf->pushes - p0;
	c->events += bf->notifies - n0;
	return err;
}

/* The pieces of the last round that do not hold their pattern. */
static unsigned lab8_wrong(void)
{
	unsigned bad = 0;

	for (unsigned i = 0; i < LAB8_PIECES; i++)
		bad += !blk_check(lab8_vec[i].buf, lab8_vec[i].sector, 8);
	return bad;
}

/* Every round of op, batched or not; then each round read back and
 * checked, one by one after writes on xvda (batched writes checked by
 * the other way), batched elsewhere (the backend's counts stay those of
 * batches).  The first error, or 0. */
static long lab8_pass(struct blkfront *bf, const char *disk, uint8_t op,
		      bool batch, struct lab8_cost *c)
{
	bool cross = op == BLKIF_OP_WRITE && !strcmp(disk, "xvda");
	const char *how = batch ? "batched" : "one by one";
	struct lab8_cost check = { 0 };
	unsigned bad = 0;
	long err = 0;

	for (unsigned r = 0; r < LAB8_ROUNDS && !err; r++)
		err = lab8_round(bf, op, r, batch, c);
	report(err == 0, "%s: %u %s %s of 4 KiB (%ld%s)", disk,
	       LAB8_ROUNDS * LAB8_PIECES, how,
	       op == BLKIF_OP_WRITE ? "writes" : "reads", err,
	       err == -XEN_ETIMEDOUT ? ": timed out, a push that never "
				       "notified the backend?" :
				       "");
	for (unsigned r = 0; r < LAB8_ROUNDS && !err; r++) {
		err = lab8_round(bf, BLKIF_OP_READ, r, cross ? !batch : batch,
				 &check);
		bad += lab8_wrong();
	}
	if (report(err == 0 && bad == 0,
		   "%s: every piece %s %s holds its data: %u wrong, read "
		   "back %s (%ld)",
		   disk, op == BLKIF_OP_WRITE ? "written" : "read", how, bad,
		   cross == batch ? "one by one" : "batched", err))
		return 0;
	return err ? err : -XEN_EIO;
}

static void lab8_print(const char *disk, const char *mode,
		       const struct lab8_cost *c)
{
	printf("pv-blk: lab8 %s %s: %u requests, %u pushes, %u events, "
	       "%llu us\n",
	       disk, mode, c->requests, c->pushes, c->events,
	       (unsigned long long)(c->ns / 1000));
}

/* Connects devid (notify_each: asking for the slow backend). */
static bool lab8_connect(struct blkfront *bf, unsigned devid, bool each,
			 const char *disk)
{
	long r;

	bf->notify_each = each;
	r = blkfront_init(bf, devid);
	return report(r == 0, "%s connected%s (%ld)", disk,
		      each ? ", request-notify-each" : "", r);
}

void blk_lab8(struct blkfront *xvda)
{
	static struct blkfront xvdb, xvdc;
	struct lab8_cost each = { 0 }, batch = { 0 }, coal = { 0 },
			 noco = { 0 };

	/* The frontend: xvda one by one, then batched. */
	if (!lab8_pass(xvda, "xvda", BLKIF_OP_WRITE, false, &each))
		lab8_pass(xvda, "xvda", BLKIF_OP_READ, false, &each);
	if (!lab8_pass(xvda, "xvda", BLKIF_OP_WRITE, true, &batch))
		lab8_pass(xvda, "xvda", BLKIF_OP_READ, true, &batch);
	lab8_print("xvda", "one-by-one", &each);
	lab8_print("xvda", "batched", &batch);
	/* The backend: batched on both, xvdc with an event per response. */
	if (lab8_connect(&xvdb, XVDB, false, "xvdb") &&
	    !lab8_pass(&xvdb, "xvdb", BLKIF_OP_WRITE, true, &coal))
		lab8_pass(&xvdb, "xvdb", BLKIF_OP_READ, true, &coal);
	lab8_print("xvdb", "coalesced", &coal);
	if (lab8_connect(&xvdc, XVDC, true, "xvdc") &&
	    !lab8_pass(&xvdc, "xvdc", BLKIF_OP_WRITE, true, &noco))
		lab8_pass(&xvdc, "xvdc", BLKIF_OP_READ, true, &noco);
	lab8_print("xvdc", "notify-each", &noco);
	blkfront_close(&xvdb);
	blkfront_close(&xvdc);
}
