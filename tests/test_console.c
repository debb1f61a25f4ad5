/*
 * test_console.c - the console rings (kernel/console_ring.c, lab 6): what
 * `xl dmesg` and `xl console` read and CONSOLEIO_read consumes.  A
 * reader gets bytes in order, resumes where it stopped, and one that fell
 * behind by more than the ring (or passes a bogus index) resumes at the
 * oldest byte still held.
 */
#include <criterion/criterion.h>
#include <string.h>
#include <inc/types.h>
#include <kernel/console.h>

static char buf[16];
static struct console_ring ring = { .buf = buf, .size = sizeof(buf) };

static void reset(void)
{
	memset(buf, 0, sizeof(buf));
	ring.head = ring.held = 0;
}

TestSuite(console, .init = reset);

/* Reads up to len bytes from *index into a NUL-terminated out. */
static size_t read_str(uint32_t *index, char *out, size_t len)
{
	size_t n = console_ring_read(&ring, index, out, len);

	out[n] = '\0';
	return n;
}

Test(console, in_order_and_resumes)
{
	char out[32];
	uint32_t index = 0;

	console_ring_put(&ring, "hello ", 6);
	cr_assert_eq(read_str(&index, out, 4), 4);
	cr_assert_str_eq(out, "hell");
	console_ring_put(&ring, "world", 5);
	cr_assert_eq(read_str(&index, out, sizeof(out) - 1), 7);
	cr_assert_str_eq(out, "o world");
	cr_assert_eq(index, 11);
	cr_assert_eq(read_str(&index, out, sizeof(out) - 1), 0);
}

Test(console, wraps_around)
{
	char out[32];
	uint32_t index = 10;

	console_ring_put(&ring, "0123456789", 10);
	console_ring_put(&ring, "abcdefghij", 10);
	cr_assert_eq(read_str(&index, out, sizeof(out) - 1), 10);
	cr_assert_str_eq(out, "abcdefghij");
}

Test(console, behind_reader_gets_the_oldest_held)
{
	char out[32];
	uint32_t index = 0;

	console_ring_put(&ring, "0123456789abcdefXYZ", 19);
	cr_assert_eq(read_str(&index, out, sizeof(out) - 1), 16);
	cr_assert_str_eq(out, "3456789abcdefXYZ");
	cr_assert_eq(index, 19);
}

Test(console, index_ahead_of_head)
{
	char out[32];
	uint32_t index = 1000;

	console_ring_put(&ring, "abc", 3);
	cr_assert_eq(read_str(&index, out, sizeof(out) - 1), 3);
	cr_assert_str_eq(out, "abc");
}

Test(console, index_wraps_at_4g)
{
	char out[32];
	uint32_t index = UINT32_MAX - 1;

	ring.head = UINT32_MAX - 1;
	console_ring_put(&ring, "wxyz", 4);
	cr_assert_eq(ring.held, 4);
	cr_assert_eq(ring.head, 2);
	cr_assert_eq(read_str(&index, out, sizeof(out) - 1), 4);
	cr_assert_str_eq(out, "wxyz");
}

Test(console, domain_rings_start_empty)
{
	static struct domain_console dc;
	char out[8];
	uint32_t index = 0;

	memset(&dc, 0xff, sizeof(dc));
	console_domain_init(&dc);
	cr_assert_eq(dc.out.size, XEN_CONSOLE_RING);
	cr_assert_eq(dc.in.size, CONSOLE_INPUT_RING);
	cr_assert_eq(console_ring_read(&dc.out, &index, out, sizeof(out)), 0);
	console_ring_put(&dc.in, "x", 1);
	cr_assert_eq(console_ring_read(&dc.in, &dc.in_read, out, sizeof(out)),
		     1);
	cr_assert_eq(out[0], 'x');
}
