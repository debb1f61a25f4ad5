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
				    "%s: value longer than %zu bytes", key,
				    size - 1);
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

/* Checks that s is a domain name (key says whose, for the message). */
static int check_name(struct parser *ps, int line, const char *key,
		      const char *s)
{
	const char *c;

	if (!*s)
		return config_error(ps, line, "%s: empty", key);
	for (c = s; *c; c++)
		if (!name_char_ok(*c, c == s))
			return config_error(ps, line,
					    "%s: bad character '%c' in \"%s\" "
					    "(letters, digits, '_', '.', '-'; "
					    "starting with a letter or digit)",
					    key, *c, s);
	if (c - s >= CONFIG_NAME_MAX)
		return config_error(ps, line, "%s: value longer than %d bytes",
				    key, CONFIG_NAME_MAX - 1);
	return 0;
}

static int set_name(struct parser *ps, const struct token *v, unsigned i)
{
	int r = check_name(ps, v->line, "name", v->text);

	return r ? r :
		   set_str(ps, v, "name", ps->out->name, sizeof(ps->out->name));
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
#define on_reboot_names on_crash_names /* the same actions */
SET_ENUM(on_reboot, 0)
SET_ENUM(boot_mode, 1)
SET_ENUM(paging, 1)
SET_ENUM(populate, 0)
SET_ENUM(container, 1)

/* A number in lo..hi (unit: its unit, for the message). */
static int set_range(struct parser *ps, const struct token *v, const char *key,
		     const char *unit, unsigned lo, unsigned hi, unsigned *out)
{
	if (v->num < lo || v->num > hi)
		return config_error(ps, v->line,
				    "%s: %llu%s out of range %u..%u", key,
				    (unsigned long long)v->num, unit, lo, hi);
	*out = (unsigned)v->num;
	return 0;
}

static int set_shadow_pages(struct parser *ps, const struct token *v,
			    unsigned i)
{
	return set_range(ps, v, "shadow_pages", "", CONFIG_SHADOW_PAGES_MIN,
			 CONFIG_SHADOW_PAGES_MAX, &ps->out->shadow_pages);
}

#define CONFIG_AFTER_MAX 3600 /* migrate_after, save_after: an hour */

/* migrate_after, save_after: seconds, 0 for never. */
static int set_after(struct parser *ps, const struct token *v, const char *key,
		     unsigned *out)
{
	return set_range(ps, v, key, " s", 0, CONFIG_AFTER_MAX, out);
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

static int set_console(struct parser *ps, const struct token *v, unsigned i)
{
	ps->out->console_line = v->line;
	return set_flag(ps, v, "console", &ps->out->console);
}

static int set_gdb(struct parser *ps, const struct token *v, unsigned i)
{
	ps->out->gdb_line = v->line;
	return set_flag(ps, v, "gdb", &ps->out->gdb);
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
SET_VIA(set_flag, driver_domain)
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
				    "memory: %llu MiB too large (limit %d MiB)",
				    (unsigned long long)v->num,
				    CONFIG_MEMORY_MAX_MIB);
	ps->out->memory_mib = v->num;
	return 0;
}

static int set_vcpus(struct parser *ps, const struct token *v, unsigned i)
{
	return set_range(ps, v, "vcpus", "", 1, CONFIG_VCPUS_MAX,
			 &ps->out->vcpus);
}

static int set_kernel_addr(struct parser *ps, const struct token *v, unsigned i)
{
	if (v->num >= (uint64_t)CONFIG_MEMORY_MAX_MIB * MiB)
		return config_error(
			ps, v->line,
			"kernel_addr: 0x%llx beyond the largest guest memory",
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

/* A backend=NAME of a disk or vif spec, into out[CONFIG_NAME_MAX]. */
static int set_backend(struct parser *ps, const struct token *v,
		       const char *key, const char *name, char *out)
{
	if (check_name(ps, v->line, key, name) < 0)
		return -E_INVAL;
	strlcpy(out, name, CONFIG_NAME_MAX);
	return 0;
}

#define DISK_PATH   0
#define DISK_VDEV   1
#define DISK_ACCESS 2
#define DISK_FIELDS 4 /* and backend= */

/*
 * Sorts the comma-separated fields of a disk spec into f[DISK_*]:
 * KEY=value ones by their key, the others into the first empty positional
 * slot; "target=" takes the rest of the spec, "format=raw" is Xen's
 * default.  NULL, or the reason in why.
 */
static const char *disk_split(char *spec, char **f)
{
	static const char *const keys[] = { "target=", "vdev=", "access=",
					    "backend=" };
	unsigned k, slot, pos = 0;
	char *s, *end;

	for (s = spec; s; s = end) {
		for (k = 0; k < DISK_FIELDS; k++)
			if (strncmp(s, keys[k], strlen(keys[k])) == 0)
				break;
		end = k == DISK_PATH ? NULL : strchr(s, ',');
		if (end)
			*end++ = '\0';
		if (strcmp(s, "format=raw") == 0)
			continue;
		if (k == DISK_FIELDS && strchr(s, '='))
			return "unknown key";
		while (k == DISK_FIELDS && pos < DISK_FIELDS - 1 && f[pos])
			pos++;
		if (k == DISK_FIELDS && pos == DISK_FIELDS - 1)
			return "too many fields";
		slot = k == DISK_FIELDS ? pos : k;
		if (f[slot])
			return "a field given twice";
		f[slot] = k == DISK_FIELDS ? s : s + strlen(keys[k]);
	}
	return NULL;
}

/* disk = [ Xen's disk spec ], kernel/load/config.h */
static int set_disk(struct parser *ps, const struct token *v, unsigned i)
{
	struct config_disk *d = &ps->out->disks[i];
	char spec[CONFIG_VALUE_MAX], *f[DISK_FIELDS] = { 0 };
	const char *why, *a;
	struct token path = *v;

	strlcpy(spec, v->text, sizeof(spec));
	why = disk_split(spec, f);
	if (!why && (!f[DISK_PATH] || !f[DISK_VDEV] || !f[DISK_ACCESS]))
		why = "a field missing";
	if (why)
		return config_error(ps, v->line,
				    "disk: \"%s\": %s: expected "
				    "\"[file:]PATH,VDEV,r|w\" and backend=NAME",
				    v->text, why);
	a = f[DISK_ACCESS];
	if (strcmp(a, "r") && strcmp(a, "ro") && strcmp(a, "w") &&
	    strcmp(a, "rw"))
		return config_error(
			ps, v->line,
			"disk: \"%s\": access \"%s\" is not r, ro, w or rw",
			v->text, a);
	strlcpy(path.text,
		f[DISK_PATH] + (strncmp(f[DISK_PATH], "file:", 5) ? 0 : 5),
		sizeof(path.text));
	d->writable = strchr(a, 'w');
	ps->out->ndisks = i + 1;
	if (!f[DISK_VDEV][0] ||
	    strlcpy(d->vdev, f[DISK_VDEV], sizeof(d->vdev)) >= sizeof(d->vdev))
		return config_error(ps, v->line,
				    "disk: vdev \"%s\" empty or too long",
				    f[DISK_VDEV]);
	if (f[DISK_FIELDS - 1] &&
	    set_backend(ps, v, "disk: backend", f[DISK_FIELDS - 1],
			d->backend) < 0)
		return -E_INVAL;
	return set_file(ps, &path, "disk", &d->file);
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

/* One KEY=value field f of the vif spec v. */
static int vif_field(struct parser *ps, const struct token *v, char *f,
		     struct config_vif *vif)
{
	if (strncmp(f, "mac=", 4) == 0) {
		if (!parse_mac(f + 4, vif->mac))
			return config_error(ps, v->line, "vif: bad mac \"%s\"",
					    f + 4);
		vif->has_mac = true;
		return 0;
	}
	if (strncmp(f, "backend=", 8) == 0)
		return set_backend(ps, v, "vif: backend", f + 8, vif->backend);
	if (strncmp(f, "bridge=", 7) == 0 && f[7] &&
	    strlcpy(vif->bridge, f + 7, sizeof(vif->bridge)) <
		    sizeof(vif->bridge))
		return 0;
	return config_error(ps, v->line,
			    "vif: \"%s\": \"%s\" is not mac=xx:xx:xx:xx:xx:xx, "
			    "bridge=NAME (1-%d bytes) or backend=NAME",
			    v->text, f, CONFIG_BRIDGE_MAX - 1);
}

/* vif = [ "" | "KEY=value,..." ] of mac=, bridge=, backend= */
static int set_vif(struct parser *ps, const struct token *v, unsigned i)
{
	struct config_vif *vif = &ps->out->vifs[i];
	char spec[CONFIG_VALUE_MAX], *f, *end;
	int r = 0;

	ps->out->nvifs = i + 1;
	strlcpy(spec, v->text, sizeof(spec));
	for (f = spec; *spec && f && r == 0; f = end) {
		if ((end = strchr(f, ',')))
			*end++ = '\0';
		r = vif_field(ps, v, f, vif);
	}
	return r;
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
	{ "on_reboot", VAL_STRING, 0, set_on_reboot },
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
	{ "driver_domain", VAL_NUMBER, 0, set_driver_domain },
	{ "console", VAL_NUMBER, 0, set_console },
	{ "gdb", VAL_NUMBER, 0, set_gdb },
};

const char *config_type_name(enum domain_type t)
{
	return (unsigned)t < ARRAY_SIZE(type_names) ? type_names[t] : "?";
}

const char *config_boot_mode_name(enum boot_mode m)
{
	return (unsigned)m < ARRAY_SIZE(boot_mode_names) ? boot_mode_names[m] :
							   "?";
}
