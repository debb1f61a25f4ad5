/*
 * types.h - fixed-width integer types and address-space types shared by the
 * hypervisor, the loader, the guests and the host-side tests.
 */
#ifndef INC_TYPES_H
#define INC_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Addresses name the space they live in, so a mix-up reads wrong. */
typedef uint64_t hpa_t; /* host-physical address */
typedef uint64_t gpa_t; /* guest-physical address */
typedef uint64_t gva_t; /* guest-virtual address */

#define KiB (1ULL << 10)
#define MiB (1ULL << 20)
#define GiB (1ULL << 30)

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define ROUNDDOWN(x, n) ((x) / (n) * (n))
#define ROUNDUP(x, n)	ROUNDDOWN((x) + (n)-1, (n))
#define MIN(a, b)	((a) < (b) ? (a) : (b))
#define MAX(a, b)	((a) > (b) ? (a) : (b))

#endif
