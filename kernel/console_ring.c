/*
 * console_ring.c - the console rings of kernel/console.h (lab 6): byte
 * rings in the manner of Xen's console ring (xen/drivers/char/console.c),
 * an index that only grows and a power-of-two buffer, so a writer never
 * waits and each reader keeps its own place.  Plain C: the host tests
 * (tests/test_console.c) link it as it is.
 */
#include <inc/types.h>
#include <inc/string.h>
#include <kernel/console.h>

void console_ring_put(struct console_ring *r, const char *s, size_t len)
{
	r->held = len >= r->size - r->held ? r->size : r->held + (uint32_t)len;
	while (len--)
		r->buf[r->head++ & (r->size - 1)] = *s++;
}

size_t console_ring_read(const struct console_ring *r, uint32_t *index,
			 char *buf, size_t len)
{
	uint32_t i = *index;
	size_t n = 0;

	/* A reader too far behind, or ahead of head (a bogus index): the
	 * unsigned distance is larger than what the ring holds. */
	if (r->head - i > r->held)
		i = r->head - r->held;
	for (; n < len && i != r->head; n++, i++)
		buf[n] = r->buf[i & (r->size - 1)];
	*index = i;
	return n;
}

void console_domain_init(struct domain_console *dc)
{
	memset(dc, 0, sizeof(*dc));
	dc->out = (struct console_ring){ .buf = dc->out_buf,
					 .size = sizeof(dc->out_buf) };
	dc->in = (struct console_ring){ .buf = dc->in_buf,
					.size = sizeof(dc->in_buf) };
}
