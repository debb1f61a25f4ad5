/*
 * io.h - per-domain emulated devices (labs 2 and 3): port-I/O and MMIO handler
 * registration and dispatch.  A handler owns a range of ports or of
 * guest-physical addresses; accesses nobody owns read as all ones and
 * writes to them are dropped, as on a PC bus with nothing behind it.
 */
#ifndef KERNEL_IO_H
#define KERNEL_IO_H

#include <inc/types.h>

struct domain;

/*
 * Handles one access of size 1, 2 or 4 (8 for MMIO) bytes at port or gpa;
 * for a read it stores the value in *val.  Returns 0, or a negative -E_*
 * code, which crashes the domain with that reason.
 */
typedef int (*io_fn)(struct domain *d, void *opaque, uint64_t addr,
		     unsigned size, bool write, uint64_t *val);

struct io_range {
	uint64_t base;
	uint64_t len;
	io_fn fn;
	void *opaque;
	const char *name;
};

#define IO_MAX_PORT_RANGES 32
#define IO_MAX_MMIO_RANGES 16

struct io_handlers {
	struct io_range ports[IO_MAX_PORT_RANGES];
	int nports;
	struct io_range mmio[IO_MAX_MMIO_RANGES];
	int nmmio;
};

/*
 * Registers fn for [base, base+len).  Returns 0, -E_EXISTS if the range
 * overlaps a registered one, -E_NO_MEM if the table is full, -E_INVAL for an
 * empty or wrapping range.
 */
int io_register_port(struct domain *d, uint16_t base, uint32_t len, io_fn fn,
		     void *opaque, const char *name);
int io_register_mmio(struct domain *d, gpa_t base, uint64_t len, io_fn fn,
		     void *opaque, const char *name);

/* Removes range r (of io_port_find or io_mmio_find) from d's tables. */
void io_unregister(struct domain *d, const struct io_range *r);

/* Dispatches one port access; unowned reads give all ones.  0 or -E_*. */
int io_port_access(struct domain *d, uint16_t port, unsigned size, bool write,
		   uint64_t *val);

/* The port range holding port, or NULL. */
const struct io_range *io_port_find(struct domain *d, uint16_t port);

/* The MMIO range holding gpa, or NULL. */
const struct io_range *io_mmio_find(struct domain *d, gpa_t gpa);

struct vcpu;
struct x86_emul_ctxt;

/*
 * Port I/O of vcpu v (an I/O exit, or an emulated IN/OUT): as
 * io_port_access, but a failing device crashes v's domain with its reason
 * ("port 0x71: ..."); returns whether the access completed.
 */
bool io_vcpu_port(struct vcpu *v, uint16_t port, unsigned size, bool write,
		  uint64_t *val);

/*
 * The emulator's port callbacks (struct x86_emul_ops .io_in, .io_out) for
 * an instruction of vcpu ctxt->priv, through io_vcpu_port; after a failing
 * device the instruction is X86EMUL_UNHANDLEABLE.
 */
int io_emul_in(struct x86_emul_ctxt *ctxt, uint16_t port, unsigned size,
	       uint32_t *val);
int io_emul_out(struct x86_emul_ctxt *ctxt, uint16_t port, unsigned size,
		uint32_t val);

#endif
