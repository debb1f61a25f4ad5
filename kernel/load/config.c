/*
 * config.c - the domain config parser (xl.cfg style; syntax and keys in
 * kernel/load/config.h).  Lab 3 builds domains from these.
 *
 * A small tokenizer feeds a one-statement-at-a-time parser: KEY = VALUE,
 * ended by a newline, ';' or the end of the file.  Every error names the
 * file and line and stops the parse.  The keys and how each value is
 * checked and stored: kernel/load/config_keys.c.
 */
#include <inc/error.h>
#include <inc/stdio.h>
#include <inc/string.h>
#include <kernel/load/config_parse.h>

int __attribute__((format(printf, 6, 7)))
config_error_at(char *err, size_t errlen, int code, const char *file, int line,
		const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(err, errlen, "%s:%d: ", file, line);

	if (n >= 0 && (size_t)n < errlen) {
		va_start(ap, fmt);
		vsnprintf(err + n, errlen - n, fmt, ap);
		va_end(ap);
	}
	return code;
}

static const char *tok_name(enum tok_kind k)
{
	static const char *const names[] = {
		[TOK_EOF] = "end of file", [TOK_EOL] = "end of line",
		[TOK_IDENT] = "a word",	   [TOK_STRING] = "a string",
		[TOK_NUMBER] = "a number", [TOK_EQUALS] = "'='",
		[TOK_LBRACKET] = "'['",	   [TOK_RBRACKET] = "']'",
		[TOK_COMMA] = "','",
	};
	return names[k];
}

static bool is_ident_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

/* Skips blanks and a comment, stopping at a newline or a token. */
static void lex_skip(struct parser *ps)
{
	while (ps->p < ps->end) {
		char c = *ps->p;

		if (c == ' ' || c == '\t' || c == '\r') {
			ps->p++;
		} else if (c == '#') {
			while (ps->p < ps->end && *ps->p != '\n')
				ps->p++;
		} else {
			break;
		}
	}
}

/* Reads a "string" with the escapes \" and \\ into t->text. */
static int lex_string(struct parser *ps, struct token *t)
{
	size_t n = 0;

	ps->p++;
	for (;;) {
		if (ps->p >= ps->end || *ps->p == '\n')
			return config_error(ps, t->line, "unterminated string");
		char c = *ps->p++;
		if (c == '"')
			break;
		if (c == '\\') {
			if (ps->p >= ps->end ||
			    (*ps->p != '"' && *ps->p != '\\'))
				return config_error(ps, t->line,
						    "bad escape in string "
						    "(only \\\" and \\\\)");
			c = *ps->p++;
		}
		if ((unsigned char)c < 0x20)
			return config_error(
				ps, t->line,
				"control character 0x%02x in string", c);
		if (n + 1 >= sizeof(t->text))
			return config_error(ps, t->line,
					    "string longer than %zu bytes",
					    sizeof(t->text) - 1);
		t->text[n++] = c;
	}
	t->text[n] = '\0';
	t->kind = TOK_STRING;
	return 0;
}

/* Converts t->text, decimal or 0x hex, to t->num. */
static int lex_convert_number(struct parser *ps, struct token *t)
{
	const char *s = t->text;
	int r = strtou64(&s, &t->num);

	if (r == -E_RANGE)
		return config_error(ps, t->line, "number \"%s\" too large",
				    t->text);
	if (r < 0 || *s)
		return config_error(ps, t->line, "bad number \"%s\"", t->text);
	t->kind = TOK_NUMBER;
	return 0;
}

/* Reads a word: an identifier, or a number when it starts with a digit. */
static int lex_word(struct parser *ps, struct token *t)
{
	size_t n = 0;

	while (ps->p < ps->end && is_ident_char(*ps->p)) {
		if (n + 1 >= sizeof(t->text))
			return config_error(ps, t->line, "word too long");
		t->text[n++] = *ps->p++;
	}
	t->text[n] = '\0';
	if (t->text[0] >= '0' && t->text[0] <= '9')
		return lex_convert_number(ps, t);
	t->kind = TOK_IDENT;
	return 0;
}

/* Reads the next token into *t. */
static int lex_next(struct parser *ps, struct token *t)
{
	static const char punct[] = "=[],;\n";
	static const enum tok_kind kinds[] = { TOK_EQUALS,   TOK_LBRACKET,
					       TOK_RBRACKET, TOK_COMMA,
					       TOK_EOL,	     TOK_EOL };
	const char *pc;

	lex_skip(ps);
	t->line = ps->line;
	t->text[0] = '\0';
	if (ps->p >= ps->end) {
		t->kind = TOK_EOF;
		return 0;
	}
	if (*ps->p == '"')
		return lex_string(ps, t);
	if (is_ident_char(*ps->p))
		return lex_word(ps, t);
	if (*ps->p != '\0' && (pc = strchr(punct, *ps->p)) != NULL) {
		t->kind = kinds[pc - punct];
		if (*ps->p++ == '\n')
			ps->line++;
		return 0;
	}
	return config_error(ps, t->line, "unexpected character '%c' (0x%02x)",
			    *ps->p >= 0x20 && *ps->p < 0x7f ? *ps->p : '?',
			    (unsigned char)*ps->p);
}

/* Reads the next token that is not an end of line. */
static int lex_next_nonl(struct parser *ps, struct token *t)
{
	int r;

	while ((r = lex_next(ps, t)) == 0 && t->kind == TOK_EOL)
		;
	return r;
}

/* Parses [ "a", "b", ] after the '[' and hands each item to k->set. */
static int parse_list(struct parser *ps, const struct key *k, struct token *t)
{
	unsigned n = 0;
	int r;

	for (;;) {
		if ((r = lex_next_nonl(ps, t)) < 0)
			return r;
		if (t->kind == TOK_RBRACKET)
			return 0;
		if (t->kind != TOK_STRING)
			return config_error(ps, t->line,
					    "%s: expected a string or ']' in "
					    "the list, got %s",
					    k->name, tok_name(t->kind));
		if (n == k->max_items)
			return config_error(ps, t->line,
					    "%s: more than %u entries", k->name,
					    k->max_items);
		if ((r = k->set(ps, k, t, n++)) < 0 ||
		    (r = lex_next_nonl(ps, t)) < 0)
			return r;
		if (t->kind == TOK_RBRACKET)
			return 0;
		if (t->kind != TOK_COMMA)
			return config_error(
				ps, t->line,
				"%s: expected ',' or ']' in the list, got %s",
				k->name, tok_name(t->kind));
	}
}

/* Parses the value of key k, the token after '=' being in *t. */
static int parse_value(struct parser *ps, const struct key *k, struct token *t)
{
	static const enum tok_kind want[] = { [VAL_STRING] = TOK_STRING,
					      [VAL_NUMBER] = TOK_NUMBER,
					      [VAL_LIST] = TOK_LBRACKET };
	static const char *const what[] = { [VAL_STRING] = "a string",
					    [VAL_NUMBER] = "a number",
					    [VAL_LIST] = "a list [ ... ]" };

	if (t->kind != want[k->kind])
		return config_error(ps, t->line, "%s: expected %s, got %s%s%s",
				    k->name, what[k->kind], tok_name(t->kind),
				    t->kind == TOK_IDENT ? " " : "",
				    t->kind == TOK_IDENT ? t->text : "");
	if (k->kind == VAL_LIST)
		return parse_list(ps, k, t);
	return k->set(ps, k, t, 0);
}

/* Parses one `KEY = VALUE` statement whose first token is *t. */
static int parse_statement(struct parser *ps, struct token *t)
{
	const struct key *k = NULL;
	int r;

	if (t->kind != TOK_IDENT)
		return config_error(ps, t->line, "expected a key, got %s",
				    tok_name(t->kind));
	for (unsigned i = 0; i < CONFIG_NKEYS && !k; i++)
		if (strcmp(config_keys[i].name, t->text) == 0)
			k = &config_keys[i];
	if (!k)
		return config_error(ps, t->line, "unknown key \"%s\"", t->text);
	if (ps->seen[k - config_keys])
		return config_error(
			ps, t->line,
			"duplicate key \"%s\" (first set on line %d)", k->name,
			ps->seen[k - config_keys]);
	ps->seen[k - config_keys] = t->line;
	if ((r = lex_next(ps, t)) < 0)
		return r;
	if (t->kind != TOK_EQUALS)
		return config_error(ps, t->line, "%s: expected '=', got %s",
				    k->name, tok_name(t->kind));
	if ((r = lex_next(ps, t)) < 0 || (r = parse_value(ps, k, t)) < 0 ||
	    (r = lex_next(ps, t)) < 0)
		return r;
	if (t->kind != TOK_EOL && t->kind != TOK_EOF)
		return config_error(ps, t->line,
				    "%s: trailing junk after the value: %s",
				    k->name, tok_name(t->kind));
	return 0;
}

/* The line that set key, 0 if none did. */
static int config_seen_line(const struct parser *ps, const char *key)
{
	for (unsigned k = 0; k < CONFIG_NKEYS; k++)
		if (strcmp(config_keys[k].name, key) == 0)
			return ps->seen[k];
	return 0;
}

/* migrate_after and save_after need an hvm domain with nested paging. */
static int check_movable(struct parser *ps)
{
	static const char *const keys[] = { "migrate_after", "save_after" };
	const struct domain_config *c = ps->out;
	const unsigned after[] = { c->migrate_after, c->save_after };

	for (unsigned i = 0; i < ARRAY_SIZE(keys); i++) {
		if (!after[i] ||
		    (c->type == DOMAIN_HVM && c->paging != PAGING_SHADOW))
			continue;
		return config_error(ps, config_seen_line(ps, keys[i]),
				    "%s: only an hvm domain with paging "
				    "\"nested\" can be moved, not %s",
				    keys[i],
				    c->type == DOMAIN_HVM ?
					    "one with paging \"shadow\"" :
				    c->type == DOMAIN_TE ? "a te domain" :
							   "a pv domain");
	}
	return 0;
}

/* Lab 6's keys, and console, belong to one domain type each. */
static int check_pv_keys(struct parser *ps)
{
	static const struct {
		const char *key;
		enum domain_type type;
	} keys[] = { { "container", DOMAIN_PV },
		     { "privileged", DOMAIN_PV },
		     { "driver_domain", DOMAIN_PV },
		     { "xen_platform", DOMAIN_HVM },
		     { "console", DOMAIN_HVM } };

	for (unsigned i = 0; i < ARRAY_SIZE(keys); i++)
		if (config_seen_line(ps, keys[i].key) &&
		    ps->out->type != keys[i].type)
			return config_error(
				ps, config_seen_line(ps, keys[i].key),
				"%s: only for type \"%s\", not \"%s\"",
				keys[i].key, config_type_name(keys[i].type),
				config_type_name(ps->out->type));
	if (ps->out->type == DOMAIN_PV && ps->out->container == CONTAINER_TE &&
	    ps->out->paging == PAGING_NESTED)
		return config_error(ps, config_seen_line(ps, "paging"),
				    "paging \"nested\": the te container has "
				    "no hardware paging (only \"shadow\")");
	/* The platform device's BAR1 sits above RAM, aligned to its size. */
	if (ps->out->xen_platform && ps->out->memory_mib % 16)
		return config_error(ps, config_seen_line(ps, "memory"),
				    "memory: %llu MiB, xen_platform needs a "
				    "multiple of 16",
				    (unsigned long long)ps->out->memory_mib);
	if (ps->out->privileged && ps->out->driver_domain)
		return config_error(ps, config_seen_line(ps, "driver_domain"),
				    "driver_domain: the privileged domain may "
				    "run backends already");
	return 0;
}

/* Checks what no single statement can: required keys, key combinations. */
static int parse_finish(struct parser *ps, int last_line)
{
	static const char *const required[] = { "name", "kernel" };

	for (unsigned i = 0; i < ARRAY_SIZE(required); i++)
		if (!config_seen_line(ps, required[i]))
			return config_error(ps, last_line,
					    "missing required key \"%s\"",
					    required[i]);
	if (ps->out->type == DOMAIN_TE && ps->out->paging == PAGING_NESTED)
		return config_error(ps, config_seen_line(ps, "paging"),
				    "paging \"nested\": a te domain has no "
				    "hardware paging (only \"shadow\")");
	if (check_movable(ps) < 0 || check_pv_keys(ps) < 0)
		return -E_INVAL;
	if (ps->out->has_entry && !ps->out->has_kernel_addr)
		return config_error(
			ps, ps->out->kernel.line,
			"entry is only for flat binaries: set kernel_addr too");
	if (!ps->out->has_entry)
		ps->out->entry = ps->out->kernel_addr;
	ps->out->privileged_line = config_seen_line(ps, "privileged");
	ps->out->console_line = config_seen_line(ps, "console");
	ps->out->gdb_line = config_seen_line(ps, "gdb");
	return 0;
}

static void config_defaults(struct domain_config *c, const char *file)
{
	memset(c, 0, sizeof(*c));
	strlcpy(c->file, file, sizeof(c->file));
	c->type = DOMAIN_HVM;
	c->memory_mib = CONFIG_MEMORY_DEFAULT;
	c->vcpus = 1;
	c->on_crash = ON_CRASH_DESTROY;
	c->on_reboot = ON_CRASH_RESTART;
	c->boot_mode = BOOT_MODE_DEFAULT;
	c->paging = PAGING_DEFAULT;
}

int config_parse(const char *file, const char *text, size_t len,
		 struct domain_config *out, char *err, size_t errlen)
{
	struct parser ps = { .file = file,
			     .p = text,
			     .end = text + len,
			     .line = 1,
			     .err = err,
			     .errlen = errlen,
			     .out = out };
	struct token t;
	int r;

	config_defaults(out, file);
	for (;;) {
		if ((r = lex_next_nonl(&ps, &t)) < 0)
			return r;
		if (t.kind == TOK_EOF)
			break;
		if ((r = parse_statement(&ps, &t)) < 0)
			return r;
	}
	if ((r = parse_finish(&ps, t.line)) < 0)
		return r;
	snprintf(err, errlen, "ok");
	return 0;
}
