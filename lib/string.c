/*
 * string.c - memory and string functions for freestanding code.  The
 * compiler may emit calls to memset/memcpy/memmove/memcmp on its own, so
 * these must exist even where nothing calls them by name.
 */
#include <inc/error.h>
#include <inc/string.h>

#ifndef HOST_TEST

/* Eight bytes a move where they can: every exit clears and copies a few
 * structures, and a byte at a time costs hundreds of instructions. */
void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	uint64_t w = 0x0101010101010101ULL * (unsigned char)c;

	for (; n >= 8; n -= 8, d += 8)
		__builtin_memcpy(d, &w, 8);
	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	return memmove(dst, src, n);
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d < s || d >= s + n) {
		for (; n >= 8; n -= 8, d += 8, s += 8)
			__builtin_memcpy(d, s, 8);
		while (n--)
			*d++ = *s++;
	} else {
		while (n--)
			d[n] = s[n];
	}
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (!*a)
			break;
	}
	return 0;
}

char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

char *strrchr(const char *s, int c)
{
	const char *last = NULL;

	for (;; s++) {
		if (*s == (char)c)
			last = s;
		if (!*s)
			return (char *)last;
	}
}

#endif

size_t strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size > 0) {
		size_t n = MIN(len, size - 1);
		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int strtou64(const char **s, uint64_t *val)
{
	const char *p = *s;
	unsigned base = 10;
	uint64_t v = 0;
	int d;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X') &&
	    hex_digit(p[2]) >= 0) {
		base = 16;
		p += 2;
	}
	for (; (d = hex_digit(*p)) >= 0 && (unsigned)d < base; p++) {
		if (v > (UINT64_MAX - d) / base)
			return -E_RANGE;
		v = v * base + d;
	}
	*val = v;
	if (p == *s)
		return -E_INVAL;
	*s = p;
	return 0;
}
