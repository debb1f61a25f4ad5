/*
 * elf.h - ELF64 file structures (System V ABI, "ELF-64 Object File Format"
 * and the AMD64 psABI), the ELF32 headers and elf_check(), the validator the loader runs on
 * hv.elf and the kernel runs on guest images (lib/elf.c).
 */
#ifndef INC_ELF_H
#define INC_ELF_H

#include <inc/types.h>

typedef uint64_t Elf64_Addr;
typedef uint64_t Elf64_Off;
typedef uint16_t Elf64_Half;
typedef uint32_t Elf64_Word;
typedef int32_t Elf64_Sword;
typedef uint64_t Elf64_Xword;
typedef int64_t Elf64_Sxword;

#define EI_NIDENT  16
#define EI_CLASS   4
#define EI_DATA	   5
#define EI_VERSION 6

#define ELFMAG	    "\177ELF"
#define SELFMAG	    4
#define ELFCLASS32  1
#define ELFCLASS64  2
#define ELFDATA2LSB 1
#define EV_CURRENT  1

#define ET_EXEC 2
#define ET_DYN	3

#define EM_386	  3
#define EM_X86_64 62

typedef struct {
	unsigned char e_ident[EI_NIDENT];
	Elf64_Half e_type;
	Elf64_Half e_machine;
	Elf64_Word e_version;
	Elf64_Addr e_entry;
	Elf64_Off e_phoff;
	Elf64_Off e_shoff;
	Elf64_Word e_flags;
	Elf64_Half e_ehsize;
	Elf64_Half e_phentsize;
	Elf64_Half e_phnum;
	Elf64_Half e_shentsize;
	Elf64_Half e_shnum;
	Elf64_Half e_shstrndx;
} Elf64_Ehdr;

#define PT_NULL 0
#define PT_LOAD 1
#define PT_NOTE 4

#define PF_X 0x1
#define PF_W 0x2
#define PF_R 0x4

typedef struct {
	Elf64_Word p_type;
	Elf64_Word p_flags;
	Elf64_Off p_offset;
	Elf64_Addr p_vaddr;
	Elf64_Addr p_paddr;
	Elf64_Xword p_filesz;
	Elf64_Xword p_memsz;
	Elf64_Xword p_align;
} Elf64_Phdr;

#define SHT_SYMTAB 2

typedef struct {
	Elf64_Word sh_name;
	Elf64_Word sh_type;
	Elf64_Xword sh_flags;
	Elf64_Addr sh_addr;
	Elf64_Off sh_offset;
	Elf64_Xword sh_size;
	Elf64_Word sh_link;
	Elf64_Word sh_info;
	Elf64_Xword sh_addralign;
	Elf64_Xword sh_entsize;
} Elf64_Shdr;

#define STT_FUNC	    2
#define ELF64_ST_TYPE(info) ((info)&0xf)

typedef struct {
	Elf64_Word st_name;
	unsigned char st_info;
	unsigned char st_other;
	Elf64_Half st_shndx;
	Elf64_Addr st_value;
	Elf64_Xword st_size;
} Elf64_Sym;

/* ELF32 (System V ABI, Intel386 supplement), for i386 guest kernels. */
typedef struct {
	unsigned char e_ident[EI_NIDENT];
	uint16_t e_type, e_machine;
	uint32_t e_version, e_entry, e_phoff, e_shoff, e_flags;
	uint16_t e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum,
		e_shstrndx;
} Elf32_Ehdr;

typedef struct {
	uint32_t p_type, p_offset, p_vaddr, p_paddr, p_filesz, p_memsz;
	uint32_t p_flags, p_align;
} Elf32_Phdr;

_Static_assert(sizeof(Elf32_Ehdr) == 52, "Elf32_Ehdr layout");
_Static_assert(sizeof(Elf32_Phdr) == 32, "Elf32_Phdr layout");
_Static_assert(sizeof(Elf64_Ehdr) == 64, "Elf64_Ehdr layout");
_Static_assert(sizeof(Elf64_Phdr) == 56, "Elf64_Phdr layout");
_Static_assert(sizeof(Elf64_Shdr) == 64, "Elf64_Shdr layout");
_Static_assert(sizeof(Elf64_Sym) == 24, "Elf64_Sym layout");

/*
 * What an image may contain: every PT_LOAD segment must lie inside
 * [va_start, va_end), the file must be at most max_file_size bytes and the
 * span from the lowest to the highest loaded address at most max_mem_size.
 */
struct elf_limits {
	uint64_t va_start;
	uint64_t va_end;
	uint64_t max_file_size;
	uint64_t max_mem_size;
};

/*
 * Checks that img[0..size) is a loadable x86-64 ET_EXEC ELF64 image within
 * lim.  Returns 0, or -E_BAD_ELF with a one-line reason naming the field
 * in why[0..whylen).  After success the headers may be read without further
 * bounds checks.
 */
int elf_check(const void *img, size_t size, const struct elf_limits *lim,
	      char *why, size_t whylen);

/* elf_check's header checks and its PT_LOAD segments' file ranges alone,
 * which with elf32 also accept an i386 ELF32 image: 0, or -E_BAD_ELF with
 * the reason in why. */
int elf_check_headers(const void *img, size_t size, bool elf32, char *why,
		      size_t whylen);

/* A program header of either class, widened. */
struct elf_segment {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz;
};

/* The number of program headers of an image elf_check_headers()
 * accepted, and the i-th, in either class. */
unsigned elf_phnum(const void *img);
struct elf_segment elf_segment(const void *img, unsigned i);

/*
 * The lowest and highest (exclusive) virtual address covered by the PT_LOAD
 * segments of an image elf_check() accepted.
 */
void elf_load_span(const void *img, uint64_t *lo, uint64_t *hi);

#endif
