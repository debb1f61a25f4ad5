/*
 * guest.h - the library every HVM test guest links (guests/lib, lab 3):
 * Multiboot start code for protected (entry32.S) and long mode
 * (entry64.S), a COM1 console, printf, kvm-unit-tests style reports, an
 * IDT helper, and exit through the isa-debug-exit port 0xf4.  PV guests
 * (lab 6) link the same reports with pv.h's start code and console.
 *
 * A guest defines main(); the start code calls it, then prints the
 * summary and exits with status 0 only if every report passed:
 *
 *	void main(void)
 *	{
 *		report(cpuid(1, 0).ecx & (1u << 31), "hypervisor bit");
 *	}
 */
#ifndef GUESTS_LIB_GUEST_H
#define GUESTS_LIB_GUEST_H

#include <inc/types.h>
#include <inc/stdio.h>
#include <inc/string.h>
#include <inc/x86.h>

#define GUEST_EXIT_PORT 0xf4
#define COM1		0x3f8

/* The guest's own code; the start code calls it once. */
void main(void);

/*
 * COM1, polled 16550: 115200 8N1.  cons_putc gives up waiting for the
 * transmitter after a bounded time rather than hang the guest.  PV guests
 * (pv.h) write through console_io instead.
 */
void cons_init(void);
void cons_putc(int ch);

/* Formats to the console (lib/printfmt.c's syntax, "\n" as CRLF); returns the
 * number of characters formatted. */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);

/*
 * Called by the start code before main(): the command line (NULL: none)
 * and guest RAM in bytes (0: unknown) that cmdline() and guest_memory()
 * give, and the report token from it.
 */
void guest_init(const char *cmd_line, uint64_t mem);

/* The command line (kernel path and `extra`), or "". */
const char *cmdline(void);

/* Guest RAM in bytes, as the loader reported it (0 if not). */
uint64_t guest_memory(void);

/*
 * Value of word KEY=VALUE on the command line, copied into buf[0..len);
 * returns buf, or NULL when the key is absent.
 */
const char *cmdline_get(const char *key, char *buf, size_t len);

/*
 * A CPU-bound loop of n iterations that touches no memory, for the
 * benchmarks (make bench-exits, bench-paging); returns its TSC cycles and
 * its result in *sum, so that it cannot be optimized away.
 */
static inline uint64_t guest_loop(uint64_t n, uint64_t *sum)
{
	uint64_t t0 = rdtsc(), x = 1;

	for (uint64_t i = 0; i < n; i++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		__asm__ volatile("" : "+r"(x));
	}
	*sum = x;
	return rdtsc() - t0;
}

/* The decimal number KEY=N on the command line; dflt when absent or not one. */
uint64_t cmdline_u64(const char *key, uint64_t dflt);

/*
 * Prints "PASS: what" or "FAIL: what" (with " {TOKEN}" when the command
 * line has token=TOKEN) and counts the result; returns ok.
 */
bool report(bool ok, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* report(got == want, ...) that also prints ": got G, want W". */
bool report_eq(long long got, long long want, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prints a line that is not a result: "SKIP: what". */
void report_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints "SUMMARY: N tests, M failed"; returns 0 if none failed, else 1. */
int report_summary(void);

/* Ends the guest with status: port 0xf4 (HVM), SCHEDOP_shutdown (PV);
 * never returns. */
void guest_exit(int status) __attribute__((noreturn));

/*
 * What an __attribute__((interrupt)) handler receives.  Handlers for
 * exceptions with an error code take it as a second argument.
 */
struct intr_frame {
	uintptr_t ip, cs, flags;
};

/*
 * A hypercall (inc/public/xen.h): VMMCALL or VMCALL, as CPUID's vendor
 * says; returns RAX, -XEN_E* on failure.  Unused arguments are 0.
 */
long hypercall3(unsigned nr, unsigned long a1, unsigned long a2,
		unsigned long a3);

/*
 * HVMOP_set_mem_type (inc/public/hvm/hvm_op.h): frames [first_pfn,
 * first_pfn + nr) become HVMMEM_ram_ro (writes discarded) or
 * HVMMEM_ram_rw again; 0 or -XEN_E*.
 */
long hvm_set_mem_type(uint64_t first_pfn, uint32_t nr, unsigned type);

/* HVMOP_get_mem_type: frame pfn's hvmmem_type_t, or -XEN_E*. */
long hvm_get_mem_type(uint64_t pfn);

/* Points vector vec of the guest's IDT at handler and loads the IDT. */
void idt_set(int vec, void *handler);
/* The same, for a gate that INT vec may use at CPL 3 (a system call). */
void idt_set_user(int vec, void *handler);

/* PCI configuration mechanism #1 (PCI 3.0, 3.2.2.3.2): the dword at reg
 * of bus/device/function bdf (pci.c). */
uint32_t pci_conf_read(uint16_t bdf, unsigned reg);
void pci_conf_write(uint16_t bdf, unsigned reg, uint32_t val);

#define PIC_VEC 0x20 /* the 8259As' IRQ 0-15 at 0x20-0x2f (pic_init) */
/* Initializes both 8259As, edge-triggered, IRQ n at vector PIC_VEC + n,
 * the slave on the master's line 2, with these interrupt masks. */
void pic_init(uint8_t master_imr, uint8_t slave_imr);

/* The median of v[0..n), n > 0, sorting v in place (insertion sort: the
 * benchmarks' few hundred samples). */
static inline uint64_t median(uint64_t *v, unsigned n)
{
	for (unsigned i = 1; i < n; i++)
		for (unsigned j = i; j > 0 && v[j - 1] > v[j]; j--) {
			uint64_t t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return v[n / 2];
}

#endif
