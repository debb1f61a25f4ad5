/*
 * error.h - the one set of error codes.  Fallible functions return 0 or a
 * negative -E_* code; error_name() turns one into text for messages.
 */
#ifndef INC_ERROR_H
#define INC_ERROR_H

enum {
	E_OK = 0,
	E_INVAL,     /* invalid argument or malformed input */
	E_NO_MEM,    /* out of memory */
	E_NOT_FOUND, /* no such file, key or object */
	E_EXISTS,    /* already present (e.g. a mapping) */
	E_RANGE,     /* value or address out of the allowed range */
	E_BAD_ELF,   /* malformed ELF image */
	E_NOT_SUPP,  /* the CPU or platform lacks a feature */
	E_IO,	     /* device or firmware I/O error */
	E_AGAIN,     /* not done yet: retry when woken */
	E_MAX
};

/* The text for an error code, negative or not; "unknown error" if none. */
const char *error_name(int err);

#endif
