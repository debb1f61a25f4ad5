/*
 * te_int.h - what the files of te/ share and nothing outside te/ sees
 * (lab 2): guest memory through the p2m and the emulation that te/exit.c
 * dispatches to te/emulate.c.  Exceptions for the guest are queued with
 * virt_inject_exception, for te_deliver to reflect before the next entry.
 * The public interface of the backend is te/te.h.
 */
#ifndef TE_TE_INT_H
#define TE_TE_INT_H

#include <inc/types.h>
#include <inc/x86.h>
#include <kernel/domain.h>
#include <te/te.h>

struct x86_insn;

/* Reads n bytes at guest address la (= guest-physical), bounds-checked. */
static inline int te_read(struct vcpu *v, uint64_t la, void *buf, size_t n)
{
	return p2m_read(&v->domain->p2m, la, buf, n);
}

static inline int te_write(struct vcpu *v, uint64_t la, const void *buf,
			   size_t n)
{
	return p2m_write(&v->domain->p2m, la, buf, n);
}

/* emulate.c: runs the avail decoded bytes at rip through x86_emulate. */
void te_emulate(struct vcpu *v, const uint8_t *bytes, size_t avail,
		uint64_t rip);
/* emulate.c: IRETQ to the guest's virtual CPL 0, or a queued #GP. */
void te_iret(struct vcpu *v, const struct x86_insn *in);
/* emulate.c: INT3 or INT n at rip, queued for the guest's own IDT. */
void te_softint(struct vcpu *v, const struct x86_insn *in, uint64_t rip);
/* emulate.c: CPUID at rip after the emulation prefix, from the policy. */
void te_cpuid(struct vcpu *v, const struct x86_insn *in, uint64_t rip);

#endif
