/*
 * file.c - reading files from the ESP, the FAT volume the loader itself
 * was loaded from (UEFI spec 2.10, 13.4 Simple File System Protocol and
 * 13.5 File Protocol).  Paths use '/' and are relative to the volume root;
 * they become the boot_info file names the kernel looks files up by.
 */
#include <inc/error.h>
#include <inc/string.h>
#include <kernel/efi/loader.h>

#define FILE_PATH_MAX 256

/* Room for an EFI_FILE_INFO with a name of up to 255 CHAR16s. */
typedef UINT64 file_info_buf[(offsetof(EFI_FILE_INFO, FileName) + 512) / 8];

static EFI_FILE_HANDLE file_root;

void file_open_volume(EFI_HANDLE device)
{
	EFI_GUID fs_guid = SIMPLE_FILE_SYSTEM_PROTOCOL;
	EFI_FILE_IO_INTERFACE *fs;
	EFI_STATUS st;

	st = loader_bs->HandleProtocol(device, &fs_guid, (void **)&fs);
	if (EFI_ERROR(st))
		loader_fail("boot device has no file system: %s",
			    loader_efi_status(st));
	st = fs->OpenVolume(fs, &file_root);
	if (EFI_ERROR(st))
		loader_fail("cannot open the ESP volume: %s",
			    loader_efi_status(st));
}

/* "a/b.cfg" -> L"\\a\\b.cfg"; fails the boot on paths too long. */
static void file_path16(const char *path, CHAR16 *out, size_t outlen)
{
	size_t i = 0;

	out[i++] = L'\\';
	for (; *path; path++) {
		if (i + 1 >= outlen)
			loader_fail("path too long: %s", path);
		out[i++] = *path == '/' ? L'\\' : (CHAR16)(unsigned char)*path;
	}
	out[i] = 0;
}

/* Reads all size bytes of f into buf; the File Protocol may return less
 * than asked per call. */
static EFI_STATUS file_read_all(EFI_FILE_HANDLE f, char *buf, uint64_t size)
{
	uint64_t done = 0;

	while (done < size) {
		UINTN n = size - done;
		EFI_STATUS st = f->Read(f, &n, buf + done);

		if (EFI_ERROR(st))
			return st;
		if (n == 0)
			return EFI_END_OF_FILE;
		done += n;
	}
	return EFI_SUCCESS;
}

int file_read(const char *path, void **data, uint64_t *size)
{
	EFI_GUID info_guid = EFI_FILE_INFO_ID;
	CHAR16 wpath[FILE_PATH_MAX];
	file_info_buf buf;
	EFI_FILE_INFO *info = (EFI_FILE_INFO *)buf;
	UINTN len = sizeof(buf);
	EFI_FILE_HANDLE f;
	EFI_STATUS st;

	file_path16(path, wpath, ARRAY_SIZE(wpath));
	st = file_root->Open(file_root, &f, wpath, EFI_FILE_MODE_READ, 0);
	if (st == EFI_NOT_FOUND)
		return -E_NOT_FOUND;
	if (EFI_ERROR(st))
		loader_fail("%s: open: %s", path, loader_efi_status(st));
	if (EFI_ERROR(f->GetInfo(f, &info_guid, &len, info)))
		loader_fail("%s: cannot read its file info", path);
	if (info->Attribute & EFI_FILE_DIRECTORY)
		loader_fail("%s: is a directory", path);
	*size = info->FileSize;
	*data = alloc_pages(ROUNDUP(*size, PAGE_SIZE) / PAGE_SIZE +
				    (*size == 0),
			    path);
	st = file_read_all(f, *data, *size);
	f->Close(f);
	if (EFI_ERROR(st))
		loader_fail("%s: read: %s", path, loader_efi_status(st));
	return 0;
}

/* True when the CHAR16 name ends in the ASCII suffix, ignoring case. */
static bool file_has_suffix(const CHAR16 *name, const char *suffix)
{
	size_t n = 0, m = strlen(suffix);

	while (name[n])
		n++;
	if (n < m)
		return false;
	for (size_t i = 0; i < m; i++) {
		CHAR16 c = name[n - m + i];

		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if (c != (CHAR16)suffix[i])
			return false;
	}
	return true;
}

/* Copies an ASCII-only CHAR16 name; fails the boot on anything else. */
static void file_name8(const CHAR16 *name, char *out, size_t outlen)
{
	size_t i;

	for (i = 0; name[i]; i++) {
		if (name[i] > 0x7e || name[i] < 0x20 || i + 1 >= outlen)
			loader_fail("file name not short ASCII in a directory");
		out[i] = (char)name[i];
	}
	out[i] = '\0';
}

void file_for_each(const char *dir, const char *suffix,
		   void (*fn)(const char *name, void *arg), void *arg)
{
	CHAR16 wpath[FILE_PATH_MAX];
	file_info_buf buf;
	EFI_FILE_INFO *info = (EFI_FILE_INFO *)buf;
	EFI_FILE_HANDLE d;
	char name[BOOT_NAME_MAX];

	file_path16(dir, wpath, ARRAY_SIZE(wpath));
	if (EFI_ERROR(file_root->Open(file_root, &d, wpath, EFI_FILE_MODE_READ,
				      0)))
		return;
	for (;;) {
		UINTN len = sizeof(buf);
		EFI_STATUS st = d->Read(d, &len, info);

		if (EFI_ERROR(st))
			loader_fail("%s: reading the directory: %s", dir,
				    loader_efi_status(st));
		if (len == 0)
			break;
		if ((info->Attribute & EFI_FILE_DIRECTORY) ||
		    !file_has_suffix(info->FileName, suffix))
			continue;
		file_name8(info->FileName, name, sizeof(name));
		fn(name, arg);
	}
	d->Close(d);
}

void file_record(struct boot_info *bi, const char *name, void *data,
		 uint64_t size)
{
	struct boot_file *f;

	if (bi->nfiles >= BOOT_MAX_FILES)
		loader_fail("%s: more than %d files to load", name,
			    BOOT_MAX_FILES);
	f = &bi->files[bi->nfiles++];
	if (strlcpy(f->name, name, sizeof(f->name)) >= sizeof(f->name))
		loader_fail("%s: name longer than %d bytes", name,
			    BOOT_NAME_MAX - 1);
	f->pa = (uint64_t)(uintptr_t)data;
	f->size = size;
}
