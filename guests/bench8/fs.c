/*
 * fs.c - bonnie's two runs over a tiny file layer on raw sectors:
 *   sector 0                  the superblock (magic, next free sector),
 *   sectors 1..FS_ITABLE      the inode table, 16 inodes a sector,
 *   sectors FS_DATA..         file data, allocated contiguously.
 * Metadata goes to the disk as each operation changes it (read the
 * inode's sector, change it, write it back), as a file system that syncs
 * would: bonnie1's many small files are mostly these small I/Os, bonnie2's
 * few large files mostly data in BENCH8_IO_MAX chunks.  Every byte read
 * back is checked, so a fast but wrong disk gives no figure.
 */
#include "bench8.h"

#define FS_MAGIC    0x53463842 /* "B8FS" */
#define FS_ITABLE   16
#define FS_PER_SECT (BENCH8_SECTOR / sizeof(struct fs_inode))
#define FS_INODES   (FS_ITABLE * FS_PER_SECT)
#define FS_DATA	    64
#define FS_IO_SECTS (BENCH8_IO_MAX / BENCH8_SECTOR)

struct fs_inode {
	uint32_t used;
	uint32_t sectors;
	uint64_t start;
	char name[16];
};

struct fs_super {
	uint32_t magic, inodes;
	uint64_t next_free;
};

_Static_assert(sizeof(struct fs_inode) == 32, "fs_inode");

static uint8_t fs_data[BENCH8_IO_MAX] __attribute__((aligned(4096)));
static uint8_t fs_meta[4096] __attribute__((aligned(4096)));
static struct bench_disk *fs_disk;
static uint64_t fs_next_free;
static unsigned fs_next_inode;

static long fs_io(bool write, uint64_t sector, void *buf, uint32_t nsect)
{
	return fs_disk->io(fs_disk->dev, write, sector, buf, nsect);
}

/* Word i of file sector s of file ino. */
static uint32_t fs_pattern(unsigned ino, uint64_t s, unsigned i)
{
	return (uint32_t)(s * 2654435761u) ^ (ino * 40503u) ^ i;
}

/* Fills (or, check, compares) n sectors of file ino from file sector s. */
static bool fs_fill(unsigned ino, uint64_t s, uint32_t n, bool check)
{
	uint32_t *w = (uint32_t *)fs_data;

	for (uint32_t k = 0; k < n; k++)
		for (unsigned i = 0; i < BENCH8_SECTOR / 4; i++, w++) {
			uint32_t want = fs_pattern(ino, s + k, i);

			if (!check)
				*w = want;
			else if (*w != want)
				return false;
		}
	return true;
}

/* An empty file system: a zeroed inode table and the superblock. */
static long fs_format(void)
{
	struct fs_super *sb = (struct fs_super *)fs_meta;
	long r = 0;

	memset(fs_meta, 0, BENCH8_SECTOR);
	for (unsigned s = 1; s <= FS_ITABLE && !r; s++)
		r = fs_io(true, s, fs_meta, 1);
	*sb = (struct fs_super){ FS_MAGIC, FS_INODES, FS_DATA };
	fs_next_free = FS_DATA;
	fs_next_inode = 0;
	return r ? r : fs_io(true, 0, fs_meta, 1);
}

/* Reads inode ino's sector into fs_meta; the inode or NULL. */
static struct fs_inode *fs_inode_read(unsigned ino)
{
	if (fs_io(false, 1 + ino / FS_PER_SECT, fs_meta, 1))
		return NULL;
	return (struct fs_inode *)fs_meta + ino % FS_PER_SECT;
}

static long fs_inode_write(unsigned ino)
{
	return fs_io(true, 1 + ino / FS_PER_SECT, fs_meta, 1);
}

/* Creates file ino of n sectors written with its pattern; 0 or < 0. */
static long fs_create(unsigned ino, uint64_t n)
{
	struct fs_super *sb = (struct fs_super *)fs_meta;
	uint64_t start = fs_next_free;
	struct fs_inode *in;
	long r = 0;

	if (ino >= FS_INODES || start + n > fs_disk->sectors)
		return -1;
	for (uint64_t s = 0; s < n && !r; s += FS_IO_SECTS) {
		uint32_t k = (uint32_t)MIN(n - s, FS_IO_SECTS);

		fs_fill(ino, s, k, false);
		r = fs_io(true, start + s, fs_data, k);
	}
	if (r || !(in = fs_inode_read(ino)))
		return -1;
	*in = (struct fs_inode){ 1, (uint32_t)n, start, "" };
	snprintf(in->name, sizeof(in->name), "f%u", ino);
	if (fs_inode_write(ino))
		return -1;
	fs_next_free = start + n;
	*sb = (struct fs_super){ FS_MAGIC, FS_INODES, fs_next_free };
	return fs_io(true, 0, fs_meta, 1);
}

/* Reads file ino back through its inode; whether it is all there. */
static bool fs_read(unsigned ino)
{
	struct fs_inode *in = fs_inode_read(ino);
	uint64_t start, n;

	if (!in || !in->used)
		return false;
	start = in->start;
	n = in->sectors;
	for (uint64_t s = 0; s < n; s += FS_IO_SECTS) {
		uint32_t k = (uint32_t)MIN(n - s, FS_IO_SECTS);

		if (fs_io(false, start + s, fs_data, k) ||
		    !fs_fill(ino, s, k, true))
			return false;
	}
	return true;
}

static bool fs_delete(unsigned ino)
{
	struct fs_inode *in = fs_inode_read(ino);

	if (!in || !in->used)
		return false;
	in->used = 0;
	return fs_inode_write(ino) == 0;
}

/* Whether env has a disk with an empty file system on it, saying why
 * not ("bench8: skip" without a disk, a failed report when it fails). */
static bool fs_mount(struct bench_env *env, const char *test)
{
	long r;

	fs_disk = env->disk;
	if (!fs_disk) {
		printf("bench8: skip %s: %s\n", test, env->no_disk);
		return false;
	}
	r = fs_format();
	return report(r == 0, "%s: the disk formatted (%ld)", test, r);
}

void bench_small_files(struct bench_env *env, unsigned nfiles,
		       unsigned file_kib)
{
	uint64_t t0, n = (uint64_t)file_kib * 2;
	bool ok = true;
	unsigned i;

	if (!fs_mount(env, "small"))
		return;
	nfiles = MIN(nfiles, FS_INODES);
	t0 = env->now_ns();
	for (i = 0; i < nfiles && ok; i++)
		ok = fs_create(i, n) == 0;
	for (i = 0; i < nfiles && ok; i++)
		ok = fs_read(i);
	for (i = 0; i < nfiles && ok; i++)
		ok = fs_delete(i);
	report(ok, "small: %u files of %u KiB created, read back and deleted",
	       nfiles, file_kib);
	bench_result("small", ok ? env->now_ns() - t0 : 0, nfiles, "files");
}

void bench_large_files(struct bench_env *env, unsigned nfiles,
		       unsigned file_mib)
{
	uint64_t t0, n = (uint64_t)file_mib * 2048;
	bool ok = true;
	unsigned i;

	if (!fs_mount(env, "large"))
		return;
	t0 = env->now_ns();
	for (i = 0; i < nfiles && ok; i++)
		ok = fs_create(i, n) == 0;
	for (i = 0; i < nfiles && ok; i++)
		ok = fs_read(i);
	report(ok, "large: %u files of %u MiB written and read back", nfiles,
	       file_mib);
	bench_result("large", ok ? env->now_ns() - t0 : 0,
		     2ull * nfiles * file_mib * MiB, "bytes");
}
