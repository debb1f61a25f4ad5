/*
 * config_keys.c - the keys a domain config may set (kernel/load/config.h) and
 * how each value is checked and stored; kernel/load/config.c parses the
 * statements and calls these.  Lab 3.
 */
#include <inc/error.h>
#include <inc/stdio.h>
#include <inc/string.h>
#include <kernel/load/config_parse.h>

/* Copies a string value into dst[0..size), or fails naming the key. */
static int set_str(struct parser *ps, const struct token *v, const char *key,
		   char *dst, size_t size)
{
	if (strlcpy(dst, v->text, size) >= size)
		return config_error(ps, v->line,
				    "%s: value longer than %zu "
				    "bytes",
				    key, size - 1);
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
		snprintf(choices + strlen(choices),
			 sizeof(choices) - strlen(choices), "%s%s",
			 i ? ", " : "", names[i]);
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
			return config_error(ps, v->line,
					    "name: bad character "
					    "'%c' in \"%s\" (letters, digits, "
					    "'_', '.', '-'; starting with a "
					    "letter or digit)",
					    *s, v->text);
	return set_str(ps, v, "name", ps->out->name, sizeof(ps->out->name));
}

static const char *const type_names[] = { "hvm", "pv", "te" };
static const char *const on_crash_names[] = { "destroy", "restart",
					      "preserve" };
static const char *const boot_mode_names[] = { "default", "real", "protected",
					       "long" };
static const char *const paging_names[] = { "default", "nested", "shadow" };
static const char *const populate_names[] = { "demand", "eager" };
static const char *const container_names[] = { "default", "hvm", "te" };

/*
 * Defines set_FIELD for the enum key FIELD: its value is one of
 * FIELD_names[first..] ("default" at 0, when there is one, is not a choice),
 * stored as its index.
 */
#define SET_ENUM(field, first)                                             \
	static int set_##field(struct parser *ps, const struct token *v,   \
			       unsigned i)                                 \
	{                                                                  \
		unsigned m = 0;                                            \
		int r = set_enum(ps, v, #field, field##_names + (first),   \
				 ARRAY_SIZE(field##_names) - (first), &m); \
                                                                           \
		ps->out->field = m + (first);                              \
		return r;                                                  \
	}

SET_ENUM(type, 0)
SET_ENUM(on_crash, 0)
SET_ENUM(boot_mode, 1)
SET_ENUM(paging, 1)
SET_ENUM(populate, 0)
SET_ENUM(container, 1)

static int set_shadow_pages(struct parser *ps, const struct token *v,
			    unsigned i)
{
	if (v->num < CONFIG_SHADOW_PAGES_MIN ||
	    v->num > CONFIG_SHADOW_PAGES_MAX)
		return config_error(ps, v->line,
				    "shadow_pages: %llu out of range %d..%d",
				    (unsigned long long)v->num,
				    CONFIG_SHADOW_PAGES_MIN,
				    CONFIG_SHADOW_PAGES_MAX);
	ps->out->shadow_pages = v->num;
	return 0;
}

#define CONFIG_AFTER_MAX 3600 /* migrate_after, save_after: an hour */

/* migrate_after, save_after: seconds, 0 for never. */
static int set_after(struct parser *ps, const struct token *v, const char *key,
		     unsigned *out)
{
	if (v->num > CONFIG_AFTER_MAX)
		return config_error(ps, v->line,
				    "%s: %llu s out of range 0..%d", key,
				    (unsigned long long)v->num,
				    CONFIG_AFTER_MAX);
	*out = (unsigned)v->num;
	return 0;
}

/* A 0 | 1 key. */
static int set_flag(struct parser *ps, const struct token *v, const char *key,
		    bool *out)
{
	if (v->num > 1)
		return config_error(ps, v->line, "%s: %llu is not 0 or 1", key,
				    (unsigned long long)v->num);
	*out = v->num;
	return 0;
}

static int set_privileged(struct parser *ps, const struct token *v, unsigned i)
{
	ps->out->privileged_line = v->line;
	return set_flag(ps, v, "privileged", &ps->out->privileged);
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

/* Defines set_FIELD for key FIELD, checked and stored by helper. */
#define SET_VIA(helper, field)                                           \
	static int set_##field(struct parser *ps, const struct token *v, \
			       unsigned i)                               \
	{                                                                \
		return helper(ps, v, #field, &ps->out->field);           \
	}

SET_VIA(set_after, migrate_after)
SET_VIA(set_after, save_after)
SET_VIA(set_flag, testdev)
SET_VIA(set_flag, xen_platform)
SET_VIA(set_file, kernel)
SET_VIA(set_file, ramdisk)

static int set_extra(struct parser *ps, const struct token *v, unsigned i)
{
	return set_str(ps, v, "extra", ps->out->extra, sizeof(ps->out->extra));
}

static int set_memory(struct parser *ps, const struct token *v, unsigned i)
{
	if (v->num == 0)
		return config_error(ps, v->line,
				    "memory: 0 MiB, need at least 1");
	if (v->num > CONFIG_MEMORY_MAX_MIB)
		return config_error(ps, v->line,
				    "memory: %llu MiB too large "
				    "(limit %d MiB)",
				    (unsigned long long)v->num,
				    CONFIG_MEMORY_MAX_MIB);
	ps->out->memory_mib = v->num;
	return 0;
}

static int set_vcpus(struct parser *ps, const struct token *v, unsigned i)
{
	if (v->num < 1 || v->num > CONFIG_VCPUS_MAX)
		return config_error(ps, v->line,
				    "vcpus: %llu out of range 1..%d",
				    (unsigned long long)v->num,
				    CONFIG_VCPUS_MAX);
	ps->out->vcpus = v->num;
	return 0;
}

static int set_kernel_addr(struct parser *ps, const struct token *v, unsigned i)
{
	if (v->num >= (uint64_t)CONFIG_MEMORY_MAX_MIB * MiB)
		return config_error(ps, v->line,
				    "kernel_addr: 0x%llx beyond "
				    "the largest guest memory",
				    (unsigned long long)v->num);
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
		return config_error(ps, v->line,
				    "disk: \"%s\": expected "
				    "\"[file:]PATH,VDEV,r|w\"",
				    v->text);
	if (strcmp(f[2], "r") != 0 && strcmp(f[2], "w") != 0)
		return config_error(ps, v->line,
				    "disk: \"%s\": access \"%s\" "
				    "is not r or w",
				    v->text, f[2]);
	strlcpy(path.text, f[0], sizeof(path.text));
	d->writable = f[2][0] == 'w';
	ps->out->ndisks = i + 1;
	if (strlcpy(d->vdev, f[1], sizeof(d->vdev)) >= sizeof(d->vdev))
		return config_error(ps, v->line, "disk: vdev \"%s\" too long",
				    f[1]);
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
		return config_error(ps, v->line,
				    "vif: \"%s\": expected \"\" "
				    "or \"mac=xx:xx:xx:xx:xx:xx\"",
				    v->text);
	if (!parse_mac(v->text + 4, vif->mac))
		return config_error(ps, v->line, "vif: bad mac \"%s\"",
				    v->text + 4);
	vif->has_mac = true;
	return 0;
}

const struct key config_keys[] = {
	{ "name", VAL_STRING, 0, set_name },
	{ "type", VAL_STRING, 0, set_type },
	{ "kernel", VAL_STRING, 0, set_kernel },
	{ "ramdisk", VAL_STRING, 0, set_ramdisk },
	{ "extra", VAL_STRING, 0, set_extra },
	{ "memory", VAL_NUMBER, 0, set_memory },
	{ "vcpus", VAL_NUMBER, 0, set_vcpus },
	{ "disk", VAL_LIST, CONFIG_MAX_DISKS, set_disk },
	{ "vif", VAL_LIST, CONFIG_MAX_VIFS, set_vif },
	{ "on_crash", VAL_STRING, 0, set_on_crash },
	{ "kernel_addr", VAL_NUMBER, 0, set_kernel_addr },
	{ "entry", VAL_NUMBER, 0, set_entry },
	{ "boot_mode", VAL_STRING, 0, set_boot_mode },
	{ "paging", VAL_STRING, 0, set_paging },
	{ "shadow_pages", VAL_NUMBER, 0, set_shadow_pages },
	{ "testdev", VAL_NUMBER, 0, set_testdev },
	{ "migrate_after", VAL_NUMBER, 0, set_migrate_after },
	{ "save_after", VAL_NUMBER, 0, set_save_after },
	{ "populate", VAL_STRING, 0, set_populate },
	{ "container", VAL_STRING, 0, set_container },
	{ "xen_platform", VAL_NUMBER, 0, set_xen_platform },
	{ "privileged", VAL_NUMBER, 0, set_privileged },
};

const char *config_type_name(enum domain_type t)
{
	return (unsigned)t < ARRAY_SIZE(type_names) ? type_names[t] : "?";
}

const char *config_on_crash_name(enum on_crash a)
{
	return (unsigned)a < ARRAY_SIZE(on_crash_names) ? on_crash_names[a] :
							  "?";
}

const char *config_boot_mode_name(enum boot_mode m)
{
	return (unsigned)m < ARRAY_SIZE(boot_mode_names) ? boot_mode_names[m] :
							   "?";
}

const char *config_paging_name(enum paging_mode m)
{
	return (unsigned)m < ARRAY_SIZE(paging_names) ? paging_names[m] : "?";
}
