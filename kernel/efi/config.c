/*
 * config.c - loading the domain configs (\domains\*.cfg) and the files
 * they name.  The syntax is xl.cfg's (keys documented in
 * kernel/load/config.h): `key = value` lines, `#` comments, strings in double quotes,
 * lists in brackets that may span lines.  The loader only needs the file
 * names under `kernel`, `ramdisk` and `disk`; the kernel validates the rest.
 * Names are relative to the config's directory.
 */
#include <inc/error.h>
#include <inc/stdio.h>
#include <inc/string.h>
#include <kernel/efi/loader.h>

#define CONFIG_DIR "domains"

struct config_scan {
	struct boot_info *bi;
	const char *name; /* "domains/NAME.cfg" */
	const char *p, *end;
	int line;
};

/* Skips blanks and comments; with newlines, also line ends. */
static void config_skip(struct config_scan *s, bool newlines)
{
	while (s->p < s->end) {
		if (*s->p == '#') {
			while (s->p < s->end && *s->p != '\n')
				s->p++;
		} else if (*s->p == '\n' && newlines) {
			s->line++;
			s->p++;
		} else if (*s->p == ' ' || *s->p == '\t' || *s->p == '\r') {
			s->p++;
		} else {
			return;
		}
	}
}

/* True when path has a ".." component. */
static bool config_has_dotdot(const char *path)
{
	for (const char *c = path; *c; c++)
		if ((c == path || c[-1] == '/') && c[0] == '.' && c[1] == '.' &&
		    (c[2] == '/' || c[2] == '\0'))
			return true;
	return false;
}

/* Loads the file a config names, once, as "domains/<value>". */
static void config_load_file(struct config_scan *s, const char *key,
			     const char *val, size_t len)
{
	char path[BOOT_NAME_MAX];
	void *data;
	uint64_t size;
	int n;

	if (len >= 5 && strncmp(val, "file:", 5) == 0 &&
	    strcmp(key, "disk") == 0) {
		val += 5;
		len -= 5;
	}
	n = snprintf(path, sizeof(path), "%s/%.*s", CONFIG_DIR, (int)len, val);
	if (len == 0 || val[0] == '/' || n >= (int)sizeof(path))
		loader_fail("%s:%d: %s \"%.*s\": empty, absolute or too long",
			    s->name, s->line, key, (int)len, val);
	if (config_has_dotdot(path))
		loader_fail("%s:%d: %s \"%s\": \"..\" not allowed", s->name,
			    s->line, key, path + sizeof(CONFIG_DIR));
	if (file_find(s->bi, path))
		return;
	if (file_read(path, &data, &size) == -E_NOT_FOUND)
		loader_fail("%s:%d: %s \"%.*s\": file not found", s->name,
			    s->line, key, (int)len, val);
	file_record(s->bi, path, data, size);
}

/* Reads a quoted string at s->p; returns its length and start. */
static size_t config_string(struct config_scan *s, const char *key,
			    const char **start)
{
	const char *q;

	if (s->p >= s->end || *s->p != '"')
		loader_fail("%s:%d: %s: expected a quoted string", s->name,
			    s->line, key);
	*start = ++s->p;
	for (q = s->p; q < s->end && *q != '"' && *q != '\n'; q++)
		;
	if (q >= s->end || *q != '"')
		loader_fail("%s:%d: %s: unterminated string", s->name, s->line,
			    key);
	s->p = q + 1;
	return (size_t)(q - *start);
}

/*
 * The path in Xen's disk spec v[0..len) (kernel/load/config.h): the rest
 * after "target=", else the first field that is not KEY=value; its length.
 */
static size_t config_disk_path(const char **v, size_t len)
{
	const char *f = *v, *end = *v + len, *comma;
	bool key;

	for (; f < end; f = comma + 1) {
		if ((size_t)(end - f) >= 7 && strncmp(f, "target=", 7) == 0) {
			*v = f + 7;
			return (size_t)(end - *v);
		}
		for (comma = f, key = false; comma < end && *comma != ',';
		     comma++)
			key |= *comma == '=';
		if (!key) {
			*v = f;
			return (size_t)(comma - f);
		}
	}
	return 0;
}

/* disk = [ "spec", ... ]: each spec's path (config_disk_path). */
static void config_disk_list(struct config_scan *s)
{
	const char *v;
	size_t len, plen;

	if (s->p >= s->end || *s->p != '[')
		loader_fail("%s:%d: disk: expected a [ list ]", s->name,
			    s->line);
	s->p++;
	for (;;) {
		config_skip(s, true);
		if (s->p < s->end && *s->p == ']') {
			s->p++;
			return;
		}
		len = config_string(s, "disk", &v);
		plen = config_disk_path(&v, len);
		config_load_file(s, "disk", v, plen);
		config_skip(s, true);
		if (s->p < s->end && *s->p == ',')
			s->p++;
		else if (s->p >= s->end || *s->p != ']')
			loader_fail("%s:%d: disk: expected ',' or ']'", s->name,
				    s->line);
	}
}

/* Skips a value the loader does not need, including multi-line lists. */
static void config_skip_value(struct config_scan *s)
{
	bool in_list = false, in_str = false;

	for (; s->p < s->end; s->p++) {
		char c = *s->p;

		if (c == '\n' && !in_list)
			return;
		if (c == '\n')
			s->line++;
		else if (c == '"')
			in_str = !in_str;
		else if (!in_str && c == '[')
			in_list = true;
		else if (!in_str && c == ']')
			in_list = false;
		else if (!in_str && c == '#')
			while (s->p + 1 < s->end && s->p[1] != '\n')
				s->p++;
	}
}

/* One `key = value` statement at s->p. */
static void config_statement(struct config_scan *s)
{
	char key[32];
	size_t n = 0;
	const char *v;
	size_t len;

	while (s->p < s->end && n + 1 < sizeof(key) &&
	       (*s->p == '_' || (*s->p >= 'a' && *s->p <= 'z') ||
		(*s->p >= 'A' && *s->p <= 'Z') ||
		(*s->p >= '0' && *s->p <= '9')))
		key[n++] = *s->p++;
	key[n] = '\0';
	config_skip(s, false);
	if (n == 0 || s->p >= s->end || *s->p != '=') {
		config_skip_value(s);
		return;
	}
	s->p++;
	config_skip(s, false);
	if (strcmp(key, "kernel") == 0 || strcmp(key, "ramdisk") == 0) {
		len = config_string(s, key, &v);
		config_load_file(s, key, v, len);
	} else if (strcmp(key, "disk") == 0) {
		config_disk_list(s);
	}
	config_skip_value(s);
}

static void config_load_one(const char *fname, void *arg)
{
	struct config_scan s = { .bi = arg, .line = 1 };
	char name[BOOT_NAME_MAX];
	void *data;
	uint64_t size;

	snprintf(name, sizeof(name), "%s/%s", CONFIG_DIR, fname);
	if (file_read(name, &data, &size) < 0)
		loader_fail("%s: vanished while listing", name);
	file_record(s.bi, name, data, size);
	s.name = name;
	s.p = data;
	s.end = s.p + size;
	for (;;) {
		config_skip(&s, true);
		if (s.p >= s.end)
			break;
		config_statement(&s);
	}
	loader_printf("hvlab loader: %s\n", name);
}

void config_load_all(struct boot_info *bi)
{
	file_for_each(CONFIG_DIR, ".cfg", config_load_one, bi);
}
