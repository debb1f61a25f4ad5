/*
 * string.h - the string and memory functions freestanding code uses
 * (lib/string.c).  Semantics are the C standard's.
 */
#ifndef INC_STRING_H
#define INC_STRING_H

#include <inc/types.h>

#ifdef HOST_TEST
/* Host-side tests use the C library's versions. */
#include <string.h>
#else
void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
/* Copies at most size-1 bytes and NUL-terminates; returns strlen(src). */
#endif
size_t strlcpy(char *dst, const char *src, size_t size);
/* The value of hex digit c (either case), or -1. */
int hex_digit(char c);
/*
 * Parses the number at *s, decimal or hex after "0x", into *val and
 * advances *s past it.  0, -E_INVAL (*val 0) when no digit is there, or
 * -E_RANGE when it does not fit 64 bits.
 */
int strtou64(const char **s, uint64_t *val);

#endif
