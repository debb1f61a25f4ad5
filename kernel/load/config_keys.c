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

/* The field of *ps->out that key k sets. */
static void *key_field(struct parser *ps, const struct key *k)
{
	return (char *)ps->out + k->field;
}

/* A string key: its value into a char array of k->hi bytes. */
static int set_string(struct parser *ps, const struct key *k,
		      const struct token *v, unsigned i)
{
	return set_str(ps, v, k->name, key_field(ps, k), k->hi);
}

/* An enum key: one of k->names[k->lo..k->hi), stored as its index. */
static int set_choice(struct parser *ps, const struct key *k,
		      const struct token *v, unsigned i)
{
	char choices[64] = "";

	for (unsigned n = k->lo; n < k->hi; n++) {
		if (strcmp(v->text, k->names[n]) == 0) {
			*(unsigned *)key_field(ps, k) = n;
			return 0;
		}
		snprintf(choices + strlen(choices),
			 sizeof(choices) - strlen(choices), "%s%s",
			 n > k->lo ? ", " : "", k->names[n]);
	}
	return config_error(ps, v->line, "%s: \"%s\" is not one of %s", k->name,
			    v->text, choices);
}

/* A number key in k->lo..k->hi (k->unit: its unit, for the message). */
static int set_range(struct parser *ps, const struct key *k,
		     const struct token *v, unsigned i)
{
	if (v->num < k->lo || v->num > k->hi)
		return config_error(ps, v->line,
				    "%s: %llu%s out of range %u..%u", k->name,
				    (unsigned long long)v->num,
				    k->unit ? k->unit : "", k->lo, k->hi);
	*(unsigned *)key_field(ps, k) = (unsigned)v->num;
	return 0;
}

static int set_name(struct parser *ps, const struct key *k,
		    const struct token *v, unsigned i)
{
	if (check_name(ps, v->line, k->name, v->text) < 0)
		return -E_INVAL;
	return set_string(ps, k, v, i);
}

/* A 0 | 1 key. */
static int set_flag(struct parser *ps, const struct key *k,
		    const struct token *v, unsigned i)
{
	if (v->num > 1)
		return config_error(ps, v->line, "%s: %llu is not 0 or 1",
				    k->name, (unsigned long long)v->num);
	*(bool *)key_field(ps, k) = v->num;
	return 0;
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

static int set_file_key(struct parser *ps, const struct key *k,
			const struct token *v, unsigned i)
{
	return set_file(ps, v, k->name, key_field(ps, k));
}

static int set_memory(struct parser *ps, const struct key *k,
		      const struct token *v, unsigned i)
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

static int set_kernel_addr(struct parser *ps, const struct key *k,
			   const struct token *v, unsigned i)
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

static int set_entry(struct parser *ps, const struct key *k,
		     const struct token *v, unsigned i)
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
static int set_disk(struct parser *ps, const struct key *k,
		    const struct token *v, unsigned i)
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
static int set_vif(struct parser *ps, const struct key *k,
		   const struct token *v, unsigned i)
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

static const char *const type_names[] = { "hvm", "pv", "te" };
static const char *const on_crash_names[] = { "destroy", "restart",
					      "preserve" };
static const char *const boot_mode_names[] = { "default", "real", "protected",
					       "long" };
static const char *const paging_names[] = { "default", "nested", "shadow" };
static const char *const populate_names[] = { "demand", "eager" };
static const char *const container_names[] = { "default", "hvm", "te" };

#define on_reboot_names on_crash_names /* the same actions */
#define FIELD(f)	.field = offsetof(struct domain_config, f)
/* An enum key, stored as the index of its name; "default" at 0, when
 * there is one, is not a choice (first 1). */
#define CHOICE(f, first)                                      \
	VAL_STRING, .set = set_choice, FIELD(f), .lo = first, \
		    .hi = ARRAY_SIZE(f##_names), .names = f##_names
#define FLAG(f)		 VAL_NUMBER, .set = set_flag, FIELD(f)
#define CONFIG_AFTER_MAX 3600 /* migrate_after, save_after: an hour */

/* set_choice and set_range store enums and numbers as unsigned. */
_Static_assert(sizeof(enum paging_mode) == sizeof(unsigned), "enum size");

const struct key config_keys[] = {
	{ "name", VAL_STRING, .set = set_name, FIELD(name),
	  .hi = CONFIG_NAME_MAX },
	{ "type", CHOICE(type, 0) },
	{ "kernel", VAL_STRING, .set = set_file_key, FIELD(kernel) },
	{ "ramdisk", VAL_STRING, .set = set_file_key, FIELD(ramdisk) },
	{ "extra", VAL_STRING, .set = set_string, FIELD(extra),
	  .hi = CONFIG_EXTRA_MAX },
	{ "memory", VAL_NUMBER, .set = set_memory },
	{ "vcpus", VAL_NUMBER, .set = set_range, FIELD(vcpus), .lo = 1,
	  .hi = CONFIG_VCPUS_MAX },
	{ "disk", VAL_LIST, CONFIG_MAX_DISKS, .set = set_disk },
	{ "vif", VAL_LIST, CONFIG_MAX_VIFS, .set = set_vif },
	{ "on_crash", CHOICE(on_crash, 0) },
	{ "on_reboot", CHOICE(on_reboot, 0) },
	{ "kernel_addr", VAL_NUMBER, .set = set_kernel_addr },
	{ "entry", VAL_NUMBER, .set = set_entry },
	{ "boot_mode", CHOICE(boot_mode, 1) },
	{ "paging", CHOICE(paging, 1) },
	{ "shadow_pages", VAL_NUMBER, .set = set_range, FIELD(shadow_pages),
	  .lo = CONFIG_SHADOW_PAGES_MIN, .hi = CONFIG_SHADOW_PAGES_MAX },
	{ "testdev", FLAG(testdev) },
	{ "migrate_after", VAL_NUMBER, .set = set_range, FIELD(migrate_after),
	  .hi = CONFIG_AFTER_MAX, .unit = " s" },
	{ "save_after", VAL_NUMBER, .set = set_range, FIELD(save_after),
	  .hi = CONFIG_AFTER_MAX, .unit = " s" },
	{ "populate", CHOICE(populate, 0) },
	{ "container", CHOICE(container, 1) },
	{ "xen_platform", FLAG(xen_platform) },
	{ "privileged", FLAG(privileged) },
	{ "driver_domain", FLAG(driver_domain) },
	{ "console", FLAG(console) },
	{ "gdb", FLAG(gdb) },
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
