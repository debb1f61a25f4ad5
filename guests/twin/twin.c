/*
 * twin.c - two domains at once (lab 3): two configs run this guest under
 * different names (name=... in `extra`); each prints numbered lines with
 * work in between, so their console output interleaves.
 */
#include <guests/lib/guest.h>

#define LINES 5

void main(void)
{
	char name[32];
	volatile unsigned spin;

	if (!cmdline_get("name", name, sizeof(name)))
		strlcpy(name, "twin", sizeof(name));
	for (int i = 1; i <= LINES; i++) {
		printf("%s: line %d of %d\n", name, i, LINES);
		for (spin = 0; spin < 2000000; spin++)
			;
	}
	report(true, "%s printed %d lines", name, LINES);
}
