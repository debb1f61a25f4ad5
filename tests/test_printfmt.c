/*
 * test_printfmt.c - lib/printfmt.c against the conversions inc/stdio.h
 * promises, and lib/string.c's number parser.
 */
#include <criterion/criterion.h>
#include <inc/error.h>
#include <inc/stdio.h>
#include <inc/string.h>

static char buf[128];

#define expect_fmt(want, ...)                                    \
	do {                                                     \
		int n = snprintf(buf, sizeof(buf), __VA_ARGS__); \
		cr_expect_str_eq(buf, want);                     \
		cr_expect_eq(n, (int)strlen(want));              \
	} while (0)

Test(printfmt, integers)
{
	expect_fmt("42 -7 4294967295", "%d %i %u", 42, -7, 4294967295u);
	expect_fmt("-9223372036854775808", "%lld", (long long)INT64_MIN);
	expect_fmt("18446744073709551615", "%llu",
		   (unsigned long long)UINT64_MAX);
	expect_fmt("ff FF 17", "%x %X %o", 255, 255, 15);
	expect_fmt("ffffffff80100000", "%lx", 0xffffffff80100000ul);
	expect_fmt("12345 0", "%zu %d", (size_t)12345, 0);
}

Test(printfmt, width_and_flags)
{
	expect_fmt("[   42]", "[%5d]", 42);
	expect_fmt("[42   ]", "[%-5d]", 42);
	expect_fmt("[00042]", "[%05d]", 42);
	expect_fmt("[-0042]", "[%05d]", -42);
	expect_fmt("[0000000000001000]", "[%016lx]", 0x1000ul);
	expect_fmt("[  007]", "[%5.3d]", 7);
	expect_fmt("[   ab]", "[%*x]", 5, 0xab);
}

Test(printfmt, strings_and_chars)
{
	expect_fmt("hello world", "%s %s", "hello", "world");
	expect_fmt("[  abc][abc  ]", "[%5s][%-5s]", "abc", "abc");
	expect_fmt("ab", "%.2s", "abcdef");
	expect_fmt("abc", "%.*s", 3, "abcdef");
	/* %s of NULL is our extension; hide it from -Wformat-overflow. */
	const char *volatile null_str = NULL;
	expect_fmt("(null)", "%s", null_str);
	expect_fmt("x%y", "%c%%%c", 'x', 'y');
	expect_fmt("0x1234", "%p", (void *)0x1234);
}

Test(printfmt, truncation)
{
	char small[6];
	int n = snprintf(small, sizeof(small), "%s", "abcdefgh");

	cr_expect_str_eq(small, "abcde");
	cr_expect_eq(n, 8);
	cr_expect_eq(snprintf(NULL, 0, "%d", 12345), 5);
}

Test(string, strtou64)
{
	const char *s = "0x1Fg";
	uint64_t v;

	cr_expect_eq(strtou64(&s, &v), 0);
	cr_expect_eq(v, 0x1f);
	cr_expect_str_eq(s, "g");
	s = "120 in";
	cr_expect_eq(strtou64(&s, &v), 0);
	cr_expect_eq(v, 120);
	cr_expect_str_eq(s, " in");
	s = "0x";
	cr_expect_eq(strtou64(&s, &v), 0);
	cr_expect_str_eq(s, "x", "\"0x\" alone is the number 0");
	s = "x1";
	cr_expect_eq(strtou64(&s, &v), -E_INVAL);
	cr_expect_eq(v, 0);
	s = "18446744073709551615";
	cr_expect_eq(strtou64(&s, &v), 0);
	cr_expect_eq(v, UINT64_MAX);
	s = "18446744073709551616";
	cr_expect_eq(strtou64(&s, &v), -E_RANGE);
}
