/*
 * io.c - per-domain port-I/O and MMIO handler tables (labs 2 and 3), and
 * the emulator's port callbacks that dispatch through them (lab 2's te
 * backend emulates its guest's IN and OUT with them).
 *
 * Tables are small and searched linearly: a domain has a handful of
 * devices, and the exit that leads here costs far more than the search.
 */
#include <kernel/kernel.h>
#include <kernel/domain.h>
#include <kernel/dev/io.h>
#include <kernel/x86/emulate.h>

/* Whether [base, base+len) overlaps any of the n ranges in r. */
static bool io_overlaps(const struct io_range *r, int n, uint64_t base,
			uint64_t len)
{
	int i;

	for (i = 0; i < n; i++)
		if (base < r[i].base + r[i].len && r[i].base < base + len)
			return true;
	return false;
}

static int io_add(struct io_range *r, int *n, int max, uint64_t base,
		  uint64_t len, io_fn fn, void *opaque, const char *name)
{
	if (len == 0 || base + len < base || !fn)
		return -E_INVAL;
	if (io_overlaps(r, *n, base, len))
		return -E_EXISTS;
	if (*n == max)
		return -E_NO_MEM;
	r[*n] = (struct io_range){ base, len, fn, opaque, name };
	(*n)++;
	return 0;
}

int io_register_port(struct domain *d, uint16_t base, uint32_t len, io_fn fn,
		     void *opaque, const char *name)
{
	if ((uint32_t)base + len > 0x10000)
		return -E_INVAL;
	return io_add(d->io.ports, &d->io.nports, IO_MAX_PORT_RANGES, base, len,
		      fn, opaque, name);
}

int io_register_mmio(struct domain *d, gpa_t base, uint64_t len, io_fn fn,
		     void *opaque, const char *name)
{
	return io_add(d->io.mmio, &d->io.nmmio, IO_MAX_MMIO_RANGES, base, len,
		      fn, opaque, name);
}

void io_unregister(struct domain *d, const struct io_range *r)
{
	struct io_handlers *h = &d->io;
	bool mmio = r >= h->mmio && r < h->mmio + h->nmmio;
	struct io_range *t = mmio ? h->mmio : h->ports;
	int *n = mmio ? &h->nmmio : &h->nports, i = (int)(r - t);

	memmove(&t[i], &t[i + 1], (size_t)(*n - i - 1) * sizeof(*t));
	(*n)--;
}

static const struct io_range *io_find(const struct io_range *r, int n,
				      uint64_t addr)
{
	int i;

	for (i = 0; i < n; i++)
		if (addr >= r[i].base && addr - r[i].base < r[i].len)
			return &r[i];
	return NULL;
}

int io_port_access(struct domain *d, uint16_t port, unsigned size, bool write,
		   uint64_t *val)
{
	const struct io_range *r = io_find(d->io.ports, d->io.nports, port);

	if (!r) {
		if (!write)
			*val = ~0ULL >> (64 - 8 * size);
		return 0;
	}
	return r->fn(d, r->opaque, port, size, write, val);
}

const struct io_range *io_port_find(struct domain *d, uint16_t port)
{
	return io_find(d->io.ports, d->io.nports, port);
}

const struct io_range *io_mmio_find(struct domain *d, gpa_t gpa)
{
	return io_find(d->io.mmio, d->io.nmmio, gpa);
}

bool io_vcpu_port(struct vcpu *v, uint16_t port, unsigned size, bool write,
		  uint64_t *val)
{
	int r = io_port_access(v->domain, port, size, write, val);

	/* -E_AGAIN: v waits for a device model (pv/ioreq.c) and retries. */
	if (r < 0 && r != -E_AGAIN)
		domain_crash(v->domain, v, "port 0x%x: %s", port,
			     error_name(r));
	return r == 0;
}

int io_emul_in(struct x86_emul_ctxt *ctxt, uint16_t port, unsigned size,
	       uint32_t *val)
{
	uint64_t v = 0;
	bool ok = io_vcpu_port(ctxt->priv, port, size, false, &v);

	*val = (uint32_t)v;
	return ok ? X86EMUL_OKAY : X86EMUL_UNHANDLEABLE;
}

int io_emul_out(struct x86_emul_ctxt *ctxt, uint16_t port, unsigned size,
		uint32_t val)
{
	uint64_t v = val;

	if (!io_vcpu_port(ctxt->priv, port, size, true, &v))
		return X86EMUL_UNHANDLEABLE;
	return X86EMUL_OKAY;
}
