/*
 * main.c - the lab-5 memory guest: runs the test test=NAME names
 * (memory.h lists them).
 */
#include <guests/memory/memory.h>

static const struct {
	const char *name;
	void (*run)(void);
} tests[] = {
	{ "demand", test_demand }, { "eager", test_eager },
	{ "rom", test_rom },	   { "largepage", test_largepage },
	{ "hog", test_hog },	   { "bench", test_bench },
};

void main(void)
{
	char name[16];

	if (!cmdline_get("test", name, sizeof(name))) {
		report(false, "memory: no test= on the command line");
		return;
	}
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		if (strcmp(name, tests[i].name) == 0) {
			tests[i].run();
			return;
		}
	report(false, "memory: unknown test=%s", name);
}
