/*
 * config.c - the domain config parser (xl.cfg style; syntax and keys in
 * kernel/config.h) and the mapping from the files a config names to the
 * boot files the UEFI loader read.  Lab 3 builds domains from these.
 *
 * A small tokenizer feeds a one-statement-at-a-time parser: KEY = VALUE,
 * ended by a newline, ';' or the end of the file.  Every error names the
 * file and line and stops the parse.
 */
#include <inc/error.h>
#include <inc/stdio.h>
#include <inc/string.h>
#include <kernel/config.h>

#define CONFIG_VALUE_MAX	256	/* longest string value, with the NUL */

enum tok_kind { TOK_EOF, TOK_EOL, TOK_IDENT, TOK_STRING, TOK_NUMBER,
		TOK_EQUALS, TOK_LBRACKET, TOK_RBRACKET, TOK_COMMA };

struct token {
	enum tok_kind kind;
	int line;
	char text[CONFIG_VALUE_MAX];	/* identifier or string contents */
	uint64_t num;
};

struct parser {
	const char *file;
	const char *p, *end;
	int line;
	char *err;
	size_t errlen;
	struct domain_config *out;
};

enum val_kind { VAL_STRING, VAL_NUMBER, VAL_LIST };

struct key {
	const char *name;
	enum val_kind kind;
	/* Stores one value (each list item in turn, index i) into ps->out. */
	int (*set)(struct parser *ps, const struct token *v, unsigned i);
};

/* Formats "FILE:LINE: reason" into the caller's buffer; returns -E_INVAL. */
static int __attribute__((format(printf, 3, 4)))
config_error(struct parser *ps, int line, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(ps->err, ps->errlen, "%s:%d: ", ps->file, line);

	if (n >= 0 && (size_t)n < ps->errlen) {
		va_start(ap, fmt);
		vsnprintf(ps->err + n, ps->errlen - n, fmt, ap);
		va_end(ap);
	}
	return -E_INVAL;
}

static const char *tok_name(enum tok_kind k)
{
	static const char *const names[] = {
		[TOK_EOF] = "end of file", [TOK_EOL] = "end of line",
		[TOK_IDENT] = "a word", [TOK_STRING] = "a string",
		[TOK_NUMBER] = "a number", [TOK_EQUALS] = "'='",
		[TOK_LBRACKET] = "'['", [TOK_RBRACKET] = "']'",
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
			if (ps->p >= ps->end || (*ps->p != '"' && *ps->p != '\\'))
				return config_error(ps, t->line, "bad escape in "
						    "string (only \\\" and \\\\)");
			c = *ps->p++;
		}
		if ((unsigned char)c < 0x20)
			return config_error(ps, t->line, "control character "
					    "0x%02x in string", c);
		if (n + 1 >= sizeof(t->text))
			return config_error(ps, t->line, "string longer than %zu "
					    "bytes", sizeof(t->text) - 1);
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
	unsigned base = 10;
	uint64_t v = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && s[2]) {
		base = 16;
		s += 2;
	}
	for (; *s; s++) {
		unsigned d = *s >= '0' && *s <= '9' ? (unsigned)(*s - '0') :
			     *s >= 'a' && *s <= 'f' ? (unsigned)(*s - 'a' + 10) :
			     *s >= 'A' && *s <= 'F' ? (unsigned)(*s - 'A' + 10) : 99;
		if (d >= base)
			return config_error(ps, t->line, "bad number \"%s\"",
					    t->text);
		if (v > (UINT64_MAX - d) / base)
			return config_error(ps, t->line, "number \"%s\" too "
					    "large", t->text);
		v = v * base + d;
	}
	t->num = v;
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
	static const enum tok_kind kinds[] = { TOK_EQUALS, TOK_LBRACKET,
		TOK_RBRACKET, TOK_COMMA, TOK_EOL, TOK_EOL };
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

/* Copies a string value into dst[0..size), or fails naming the key. */
static int set_str(struct parser *ps, const struct token *v, const char *key,
		   char *dst, size_t size)
{
	if (strlcpy(dst, v->text, size) >= size)
		return config_error(ps, v->line, "%s: value longer than %zu "
				    "bytes", key, size - 1);
	return 0;
}

/* Finds v->text among names[0..n); fails listing the choices. */
static int set_enum(struct parser *ps, const struct token *v, const char *key,
		    const char *const *names, unsigned n, unsigned *out)
{
	char choices[64] = "";

	for (unsigned i = 0; i < n; i++) {
		if (strcmp(v->text, names[i]) == 0) {
			*out = i;
			return 0;
		}
		snprintf(choices + strlen(choices), sizeof(choices) - strlen(choices),
			 "%s%s", i ? ", " : "", names[i]);
	}
	return config_error(ps, v->line, "%s: \"%s\" is not one of %s", key,
			    v->text, choices);
}

static bool name_char_ok(char c, bool first)
{
	bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		     (c >= '0' && c <= '9');

	return alnum || (!first && (c == '_' || c == '.' || c == '-'));
}

static int set_name(struct parser *ps, const struct token *v, unsigned i)
{
	const char *s = v->text;

	if (!*s)
		return config_error(ps, v->line, "name: empty");
	for (; *s; s++)
		if (!name_char_ok(*s, s == v->text))
			return config_error(ps, v->line, "name: bad character "
					    "'%c' in \"%s\" (letters, digits, "
					    "'_', '.', '-'; starting with a "
					    "letter or digit)", *s, v->text);
	return set_str(ps, v, "name", ps->out->name, sizeof(ps->out->name));
}

static const char *const type_names[] = { "hvm", "pv", "te" };
static const char *const on_crash_names[] = { "destroy", "restart", "preserve" };
static const char *const boot_mode_names[] = { "default", "real", "protected",
					       "long" };

static int set_type(struct parser *ps, const struct token *v, unsigned i)
{
	unsigned t;
	int r = set_enum(ps, v, "type", type_names, ARRAY_SIZE(type_names), &t);

	ps->out->type = t;
	return r;
}

static int set_on_crash(struct parser *ps, const struct token *v, unsigned i)
{
	unsigned a;
	int r = set_enum(ps, v, "on_crash", on_crash_names,
			 ARRAY_SIZE(on_crash_names), &a);

	ps->out->on_crash = a;
	return r;
}

static int set_boot_mode(struct parser *ps, const struct token *v, unsigned i)
{
	unsigned m;
	int r = set_enum(ps, v, "boot_mode", boot_mode_names + 1,
			 ARRAY_SIZE(boot_mode_names) - 1, &m);

	ps->out->boot_mode = m + 1;
	return r;
}

/* A file reference: non-empty, recorded with its line. */
static int set_file(struct parser *ps, const struct token *v, const char *key,
		    struct config_file_ref *ref)
{
	if (!v->text[0])
		return config_error(ps, v->line, "%s: empty path", key);
	ref->line = v->line;
	return set_str(ps, v, key, ref->path, sizeof(ref->path));
}

static int set_kernel(struct parser *ps, const struct token *v, unsigned i)
{
	return set_file(ps, v, "kernel", &ps->out->kernel);
}

static int set_ramdisk(struct parser *ps, const struct token *v, unsigned i)
{
	return set_file(ps, v, "ramdisk", &ps->out->ramdisk);
}

static int set_extra(struct parser *ps, const struct token *v, unsigned i)
{
	return set_str(ps, v, "extra", ps->out->extra, sizeof(ps->out->extra));
}

static int set_memory(struct parser *ps, const struct token *v, unsigned i)
{
	if (v->num == 0)
		return config_error(ps, v->line, "memory: 0 MiB, need at least 1");
	if (v->num > CONFIG_MEMORY_MAX_MIB)
		return config_error(ps, v->line, "memory: %llu MiB too large "
				    "(limit %d MiB)", (unsigned long long)v->num,
				    CONFIG_MEMORY_MAX_MIB);
	ps->out->memory_mib = v->num;
	return 0;
}

static int set_vcpus(struct parser *ps, const struct token *v, unsigned i)
{
	if (v->num < 1 || v->num > CONFIG_VCPUS_MAX)
		return config_error(ps, v->line, "vcpus: %llu out of range 1..%d",
				    (unsigned long long)v->num, CONFIG_VCPUS_MAX);
	ps->out->vcpus = v->num;
	return 0;
}

static int set_kernel_addr(struct parser *ps, const struct token *v, unsigned i)
{
	if (v->num >= (uint64_t)CONFIG_MEMORY_MAX_MIB * MiB)
		return config_error(ps, v->line, "kernel_addr: 0x%llx beyond "
				    "the largest guest memory", (unsigned long long)v->num);
	ps->out->has_kernel_addr = true;
	ps->out->kernel_addr = v->num;
	return 0;
}

static int set_entry(struct parser *ps, const struct token *v, unsigned i)
{
	ps->out->has_entry = true;
	ps->out->entry = v->num;
	return 0;
}

/* Splits "a,b,c" at commas into at most max fields; returns the count. */
static unsigned split_commas(char *s, char **fields, unsigned max)
{
	unsigned n = 0;

	for (;;) {
		if (n == max)
			return max + 1;
		fields[n++] = s;
		if (!(s = strchr(s, ',')))
			return n;
		*s++ = '\0';
	}
}

/* disk = [ "[file:]PATH,VDEV,r|w" ] */
static int set_disk(struct parser *ps, const struct token *v, unsigned i)
{
	struct config_disk *d = &ps->out->disks[i];
	char spec[CONFIG_VALUE_MAX], *f[3];
	struct token path = *v;

	strlcpy(spec, strncmp(v->text, "file:", 5) ? v->text : v->text + 5,
		sizeof(spec));
	if (split_commas(spec, f, 3) != 3 || !f[0][0] || !f[1][0])
		return config_error(ps, v->line, "disk: \"%s\": expected "
				    "\"[file:]PATH,VDEV,r|w\"", v->text);
	if (strcmp(f[2], "r") != 0 && strcmp(f[2], "w") != 0)
		return config_error(ps, v->line, "disk: \"%s\": access \"%s\" "
				    "is not r or w", v->text, f[2]);
	strlcpy(path.text, f[0], sizeof(path.text));
	d->writable = f[2][0] == 'w';
	ps->out->ndisks = i + 1;
	if (strlcpy(d->vdev, f[1], sizeof(d->vdev)) >= sizeof(d->vdev))
		return config_error(ps, v->line, "disk: vdev \"%s\" too long", f[1]);
	return set_file(ps, &path, "disk", &d->file);
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Parses "xx:xx:xx:xx:xx:xx" into mac[6]. */
static bool parse_mac(const char *s, uint8_t *mac)
{
	for (int i = 0; i < 6; i++, s += 3) {
		int hi = hex_digit(s[0]), lo = hi < 0 ? -1 : hex_digit(s[1]);

		if (lo < 0 || s[2] != (i == 5 ? '\0' : ':'))
			return false;
		mac[i] = hi << 4 | lo;
	}
	return true;
}

/* vif = [ "" | "mac=xx:xx:xx:xx:xx:xx" ] */
static int set_vif(struct parser *ps, const struct token *v, unsigned i)
{
	struct config_vif *vif = &ps->out->vifs[i];

	ps->out->nvifs = i + 1;
	if (!v->text[0])
		return 0;
	if (strncmp(v->text, "mac=", 4) != 0)
		return config_error(ps, v->line, "vif: \"%s\": expected \"\" "
				    "or \"mac=xx:xx:xx:xx:xx:xx\"", v->text);
	if (!parse_mac(v->text + 4, vif->mac))
		return config_error(ps, v->line, "vif: bad mac \"%s\"",
				    v->text + 4);
	vif->has_mac = true;
	return 0;
}

static const struct key keys[] = {
	{ "name", VAL_STRING, set_name },
	{ "type", VAL_STRING, set_type },
	{ "kernel", VAL_STRING, set_kernel },
	{ "ramdisk", VAL_STRING, set_ramdisk },
	{ "extra", VAL_STRING, set_extra },
	{ "memory", VAL_NUMBER, set_memory },
	{ "vcpus", VAL_NUMBER, set_vcpus },
	{ "disk", VAL_LIST, set_disk },
	{ "vif", VAL_LIST, set_vif },
	{ "on_crash", VAL_STRING, set_on_crash },
	{ "kernel_addr", VAL_NUMBER, set_kernel_addr },
	{ "entry", VAL_NUMBER, set_entry },
	{ "boot_mode", VAL_STRING, set_boot_mode },
};

/* The maximum number of items of a list key. */
static unsigned list_max(const struct key *k)
{
	return k->set == set_disk ? CONFIG_MAX_DISKS : CONFIG_MAX_VIFS;
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
			return config_error(ps, t->line, "%s: expected a string "
					    "or ']' in the list, got %s", k->name,
					    tok_name(t->kind));
		if (n == list_max(k))
			return config_error(ps, t->line, "%s: more than %u "
					    "entries", k->name, list_max(k));
		if ((r = k->set(ps, t, n++)) < 0 ||
		    (r = lex_next_nonl(ps, t)) < 0)
			return r;
		if (t->kind == TOK_RBRACKET)
			return 0;
		if (t->kind != TOK_COMMA)
			return config_error(ps, t->line, "%s: expected ',' or "
					    "']' in the list, got %s", k->name,
					    tok_name(t->kind));
	}
}

/* Parses the value of key k, the token after '=' being in *t. */
static int parse_value(struct parser *ps, const struct key *k, struct token *t)
{
	static const enum tok_kind want[] = { [VAL_STRING] = TOK_STRING,
		[VAL_NUMBER] = TOK_NUMBER, [VAL_LIST] = TOK_LBRACKET };
	static const char *const what[] = { [VAL_STRING] = "a string",
		[VAL_NUMBER] = "a number", [VAL_LIST] = "a list [ ... ]" };

	if (t->kind != want[k->kind])
		return config_error(ps, t->line, "%s: expected %s, got %s%s%s",
				    k->name, what[k->kind], tok_name(t->kind),
				    t->kind == TOK_IDENT ? " " : "", t->kind ==
				    TOK_IDENT ? t->text : "");
	if (k->kind == VAL_LIST)
		return parse_list(ps, k, t);
	return k->set(ps, t, 0);
}

/* Parses one `KEY = VALUE` statement whose first token is *t. */
static int parse_statement(struct parser *ps, struct token *t, int *seen)
{
	const struct key *k = NULL;
	int r;

	if (t->kind != TOK_IDENT)
		return config_error(ps, t->line, "expected a key, got %s",
				    tok_name(t->kind));
	for (unsigned i = 0; i < ARRAY_SIZE(keys) && !k; i++)
		if (strcmp(keys[i].name, t->text) == 0)
			k = &keys[i];
	if (!k)
		return config_error(ps, t->line, "unknown key \"%s\"", t->text);
	if (seen[k - keys])
		return config_error(ps, t->line, "duplicate key \"%s\" (first "
				    "set on line %d)", k->name, seen[k - keys]);
	seen[k - keys] = t->line;
	if ((r = lex_next(ps, t)) < 0)
		return r;
	if (t->kind != TOK_EQUALS)
		return config_error(ps, t->line, "%s: expected '=', got %s",
				    k->name, tok_name(t->kind));
	if ((r = lex_next(ps, t)) < 0 || (r = parse_value(ps, k, t)) < 0 ||
	    (r = lex_next(ps, t)) < 0)
		return r;
	if (t->kind != TOK_EOL && t->kind != TOK_EOF)
		return config_error(ps, t->line, "%s: trailing junk after the "
				    "value: %s", k->name, tok_name(t->kind));
	return 0;
}

/* Checks what no single statement can: required keys, key combinations. */
static int parse_finish(struct parser *ps, const int *seen, int last_line)
{
	static const char *const required[] = { "name", "kernel" };

	for (unsigned i = 0; i < ARRAY_SIZE(required); i++)
		for (unsigned k = 0; k < ARRAY_SIZE(keys); k++)
			if (strcmp(keys[k].name, required[i]) == 0 && !seen[k])
				return config_error(ps, last_line, "missing "
						    "required key \"%s\"",
						    required[i]);
	if (ps->out->has_entry && !ps->out->has_kernel_addr)
		return config_error(ps, ps->out->kernel.line, "entry is only "
				    "for flat binaries: set kernel_addr too");
	if (!ps->out->has_entry)
		ps->out->entry = ps->out->kernel_addr;
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
	c->boot_mode = BOOT_MODE_DEFAULT;
}

int config_parse(const char *file, const char *text, size_t len,
		 struct domain_config *out, char *err, size_t errlen)
{
	struct parser ps = { .file = file, .p = text, .end = text + len,
			     .line = 1, .err = err, .errlen = errlen, .out = out };
	int seen[ARRAY_SIZE(keys)] = { 0 };
	struct token t;
	int r;

	config_defaults(out, file);
	for (;;) {
		if ((r = lex_next_nonl(&ps, &t)) < 0)
			return r;
		if (t.kind == TOK_EOF)
			break;
		if ((r = parse_statement(&ps, &t, seen)) < 0)
			return r;
	}
	if ((r = parse_finish(&ps, seen, t.line)) < 0)
		return r;
	snprintf(err, errlen, "ok");
	return 0;
}

const char *config_type_name(enum domain_type t)
{
	return (unsigned)t < ARRAY_SIZE(type_names) ? type_names[t] : "?";
}

const char *config_on_crash_name(enum on_crash a)
{
	return (unsigned)a < ARRAY_SIZE(on_crash_names) ? on_crash_names[a] : "?";
}

const char *config_boot_mode_name(enum boot_mode m)
{
	return (unsigned)m < ARRAY_SIZE(boot_mode_names) ? boot_mode_names[m] : "?";
}

/* Appends component s[0..n) to out (length *len), resolving "." and "..". */
static int path_push(char *out, size_t outlen, size_t *len, const char *s,
		     size_t n)
{
	if (n == 0 || (n == 1 && s[0] == '.'))
		return 0;
	if (n == 2 && s[0] == '.' && s[1] == '.') {
		if (*len == 0)
			return -E_INVAL;
		while (*len > 0 && out[--*len] != '/')
			;
		out[*len] = '\0';
		return 0;
	}
	if (*len + (*len > 0) + n >= outlen)
		return -E_RANGE;
	if (*len > 0)
		out[(*len)++] = '/';
	memcpy(out + *len, s, n);
	*len += n;
	out[*len] = '\0';
	return 0;
}

/* Appends every component of s (up to end, or its NUL) to out. */
static int path_push_all(char *out, size_t outlen, size_t *len, const char *s,
			 const char *end)
{
	int r;

	while (s < end && *s) {
		const char *slash = s;

		while (slash < end && *slash && *slash != '/')
			slash++;
		if ((r = path_push(out, outlen, len, s, slash - s)) < 0)
			return r;
		s = slash < end && *slash ? slash + 1 : slash;
	}
	return 0;
}

int config_resolve_path(const char *cfg_file, const char *path, char *out,
			size_t outlen)
{
	const char *dir_end = strrchr(cfg_file, '/');
	size_t len = 0;
	int r;

	if (outlen == 0)
		return -E_RANGE;
	out[0] = '\0';
	if (!path[0])
		return -E_INVAL;
	if (dir_end && path[0] != '/' &&
	    (r = path_push_all(out, outlen, &len, cfg_file, dir_end)) < 0)
		return r;
	if ((r = path_push_all(out, outlen, &len, path, path + strlen(path))) < 0)
		return r;
	return len == 0 ? -E_INVAL : 0;
}

unsigned config_files(const struct domain_config *c,
		      const struct config_file_ref **refs, unsigned max)
{
	unsigned n = 0;

	if (c->kernel.path[0] && n < max)
		refs[n++] = &c->kernel;
	if (c->ramdisk.path[0] && n < max)
		refs[n++] = &c->ramdisk;
	for (unsigned i = 0; i < c->ndisks && n < max; i++)
		refs[n++] = &c->disks[i].file;
	return n;
}

const struct boot_file *boot_file_find(const struct boot_info *bi,
				       const char *name)
{
	for (uint32_t i = 0; i < bi->nfiles && i < BOOT_MAX_FILES; i++)
		if (strncmp(bi->files[i].name, name, BOOT_NAME_MAX) == 0)
			return &bi->files[i];
	return NULL;
}

int config_file_find(const struct domain_config *c, const struct boot_info *bi,
		     const char *key, const struct config_file_ref *ref,
		     const struct boot_file **out, char *err, size_t errlen)
{
	char name[BOOT_NAME_MAX];
	int r = config_resolve_path(c->file, ref->path, name, sizeof(name));

	*out = NULL;
	if (r < 0) {
		snprintf(err, errlen, "%s:%d: %s \"%s\": %s", c->file, ref->line,
			 key, ref->path, r == -E_RANGE ? "path too long" :
			 "path leaves the ESP root");
		return r;
	}
	if (!(*out = boot_file_find(bi, name))) {
		snprintf(err, errlen, "%s:%d: %s \"%s\": not loaded (no boot "
			 "file \"%s\")", c->file, ref->line, key, ref->path, name);
		return -E_NOT_FOUND;
	}
	return 0;
}
