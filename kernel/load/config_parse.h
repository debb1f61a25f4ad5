/*
 * config_parse.h - what the config parser (kernel/load/config.c) shares with
 * the table of keys and their value setters (kernel/load/config_keys.c).
 * Private to those two files: the public interface is kernel/load/config.h.
 */
#ifndef KERNEL_CONFIG_PARSE_H
#define KERNEL_CONFIG_PARSE_H

#include <kernel/load/config.h>

#define CONFIG_VALUE_MAX 256 /* longest string value, with the NUL */
#define CONFIG_NKEYS	 26

enum tok_kind {
	TOK_EOF,
	TOK_EOL,
	TOK_IDENT,
	TOK_STRING,
	TOK_NUMBER,
	TOK_EQUALS,
	TOK_LBRACKET,
	TOK_RBRACKET,
	TOK_COMMA
};

struct token {
	enum tok_kind kind;
	int line;
	char text[CONFIG_VALUE_MAX]; /* identifier or string contents */
	uint64_t num;
};

struct parser {
	const char *file;
	const char *p, *end;
	int line;
	char *err;
	size_t errlen;
	struct domain_config *out;
	int seen[CONFIG_NKEYS]; /* the line that set each key, or 0 */
};

enum val_kind {
	VAL_STRING,
	VAL_NUMBER,
	VAL_LIST
};

struct key {
	const char *name;
	enum val_kind kind;
	unsigned max_items; /* list keys: the most items allowed */
	/* Stores one value (each list item in turn, index i) into ps->out. */
	int (*set)(struct parser *ps, const struct key *k,
		   const struct token *v, unsigned i);
	/* For the generic set functions of config_keys.c: the field they
	 * store into, its bounds lo..hi (a string's size in hi; an enum's
	 * choices names[lo..hi)) and the unit of a number, for messages. */
	size_t field;
	unsigned lo, hi;
	const char *const *names;
	const char *unit;
};

/* Every key a config may set, in kernel/load/config_keys.c. */
extern const struct key config_keys[CONFIG_NKEYS];

/* Formats "FILE:LINE: reason" into the caller's buffer; returns -E_INVAL. */
#define config_error(ps, line, ...)                                          \
	config_error_at((ps)->err, (ps)->errlen, -E_INVAL, (ps)->file, line, \
			__VA_ARGS__)

#endif
