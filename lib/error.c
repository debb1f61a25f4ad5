/*
 * error.c - names for the -E_* codes of inc/error.h.
 */
#include <inc/error.h>

static const char *const error_names[E_MAX] = {
	[E_OK] = "success",
	[E_INVAL] = "invalid argument",
	[E_NO_MEM] = "out of memory",
	[E_NOT_FOUND] = "not found",
	[E_EXISTS] = "already exists",
	[E_RANGE] = "out of range",
	[E_BAD_ELF] = "malformed ELF image",
	[E_NOT_SUPP] = "not supported",
	[E_IO] = "I/O error",
	[E_AGAIN] = "try again",
};

const char *error_name(int err)
{
	if (err < 0)
		err = -err;
	if (err >= E_MAX || !error_names[err])
		return "unknown error";
	return error_names[err];
}
