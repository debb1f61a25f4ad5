/*
 * te_int.h - what the files of te/ share and nothing outside te/ sees
 * (labs 2 and 4): guest memory as the guest's instructions see it and
 * the emulation that te/exit.c dispatches to te/emulate.c.
 */
#ifndef TE_TE_INT_H
#define TE_TE_INT_H

#include <inc/types.h>
#include <inc/x86.h>
#include <kernel/domain.h>
#include <te/te.h>

/*
 * emulate.c: copies n bytes between guest-linear la and buf with the
 * rights of the virtual CPL: la is guest-physical while the guest's paging
 * is off, else translated by its tables (kernel/mm/gmem.h).  Returns 0, or
 * -E_NOT_FOUND / -E_RANGE with the #PF to raise in arch.te.fault_cr2 and
 * fault_pfec (beyond guest RAM nothing is mapped: not present).
 */
int te_read(struct vcpu *v, uint64_t la, void *buf, size_t n);
int te_write(struct vcpu *v, uint64_t la, const void *buf, size_t n);
/* emulate.c: runs the avail decoded bytes at rip through x86_emulate. */
void te_emulate(struct vcpu *v, const uint8_t *bytes, size_t avail,
		uint64_t rip);

#endif
