/*
 * config.c - loading the domain configs (\domains\*.cfg) and the files
 * they name (kernel, ramdisk, disks).  The loader parses each config with
 * the kernel's own parser (kernel/load/config.c) and resolves each path
 * as the kernel will look it up (config_resolve_path), so both agree on
 * every name.  A config the parser rejects loads no files; the kernel
 * reports why.  A file a valid config names must exist.
 */
#include <inc/error.h>
#include <inc/stdio.h>
#include <kernel/load/config.h>
#include <kernel/efi/loader.h>

#define CONFIG_DIR "domains"

/* The key that named ref in c, for messages. */
static const char *config_key(const struct domain_config *c,
			      const struct config_file_ref *ref)
{
	return ref == &c->kernel  ? "kernel" :
	       ref == &c->ramdisk ? "ramdisk" :
				    "disk";
}

/* Loads the file ref names, once. */
static void config_load_file(struct boot_info *bi,
			     const struct domain_config *c,
			     const struct config_file_ref *ref)
{
	char path[BOOT_NAME_MAX];
	void *data;
	uint64_t size;

	if (config_resolve_path(c->file, ref->path, path, sizeof(path)) < 0)
		loader_fail("%s:%d: %s \"%s\": empty, too long or outside "
			    "the ESP",
			    c->file, ref->line, config_key(c, ref), ref->path);
	if (boot_file_find(bi, path))
		return;
	if (file_read(path, &data, &size) == -E_NOT_FOUND)
		loader_fail("%s:%d: %s \"%s\": file not found", c->file,
			    ref->line, config_key(c, ref), ref->path);
	file_record(bi, path, data, size);
}

static void config_load_one(const char *fname, void *arg)
{
	static struct domain_config c; /* large for the firmware's stack */
	const struct config_file_ref *refs[2 + CONFIG_MAX_DISKS];
	struct boot_info *bi = arg;
	char name[BOOT_NAME_MAX], err[160];
	void *data;
	uint64_t size;
	unsigned i, n;

	snprintf(name, sizeof(name), "%s/%s", CONFIG_DIR, fname);
	if (file_read(name, &data, &size) < 0)
		loader_fail("%s: vanished while listing", name);
	file_record(bi, name, data, size);
	loader_printf("hvlab loader: %s\n", name);
	if (config_parse(name, data, size, &c, err, sizeof(err)) < 0)
		return;
	n = config_files(&c, refs, ARRAY_SIZE(refs));
	for (i = 0; i < n; i++)
		config_load_file(bi, &c, refs[i]);
}

void config_load_all(struct boot_info *bi)
{
	file_for_each(CONFIG_DIR, ".cfg", config_load_one, bi);
}
