/*
 * config_files.c - the files a domain config names: paths resolved
 * against the config's own directory, and the boot files the UEFI loader
 * read for them (kernel/load/config.h, labs 2 and 3).
 */
#include <inc/error.h>
#include <inc/stdio.h>
#include <inc/string.h>
#include <kernel/load/config.h>

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
	if ((r = path_push_all(out, outlen, &len, path, path + strlen(path))) <
	    0)
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
		snprintf(err, errlen, "%s:%d: %s \"%s\": %s", c->file,
			 ref->line, key, ref->path,
			 r == -E_RANGE ? "path too long" :
					 "path leaves the ESP root");
		return r;
	}
	if (!(*out = boot_file_find(bi, name))) {
		snprintf(err, errlen,
			 "%s:%d: %s \"%s\": not loaded (no boot file \"%s\")",
			 c->file, ref->line, key, ref->path, name);
		return -E_NOT_FOUND;
	}
	return 0;
}
