/*
 * gmem.h - guest memory as a guest instruction sees it (lab 3): linear
 * addresses translated through the guest's own page tables, then through
 * the domain's p2m.  Used to fetch and decode the exiting instruction and
 * by the emulator's memory accesses (kernel/dev/mmio.c).
 */
#ifndef KERNEL_GMEM_H
#define KERNEL_GMEM_H

#include <inc/mmu.h>
#include <inc/types.h>
#include <kernel/x86/decode.h>

struct vcpu;

/*
 * A walk of the guest's page tables for one access: the entries it used
 * (entry[level], 4: PML4E ... 1: PTE; 32-bit paging's 4-byte entries
 * widened), where they are, and the translation.
 */
struct gmem_walk {
	uint64_t entry[5];
	gpa_t entry_gpa[5];
	int top;   /* first level walked: 4, 3 (PAE PDPTE), 2 (32-bit), 0 */
	int level; /* the leaf's: 1 (4 KiB), 2 (2 or 4 MiB), 3 (1 GiB) */
	uint64_t rights; /* PTE_W, PTE_U of every level, PTE_NX of any */
	gpa_t gpa;
	uint32_t pfec; /* -E_NOT_FOUND: the #PF error code */
};

/*
 * Walks the guest's tables of v for linear address la and an access
 * (PFEC_W, PFEC_U, PFEC_I) as the CPU would (SDM 3A 4.6-4.8), setting the
 * accessed and dirty flags it would set.  Returns 0 with w->gpa (paging
 * off: w->top is 0); -E_NOT_FOUND when the guest's tables do not allow it
 * (w->pfec for the #PF, CR2 = la); -E_RANGE when a table lies outside
 * guest RAM (w->gpa is the entry's address).
 */
int gmem_walk(struct vcpu *v, gva_t la, uint32_t access, struct gmem_walk *w);

/*
 * gmem_walk for an access by v at its CPL (a write when write): 0 with
 * *gpa, or gmem_walk's error with *pfec the #PF error code to inject.
 */
int gmem_translate(struct vcpu *v, gva_t la, bool write, gpa_t *gpa,
		   uint32_t *pfec);

/*
 * Copies len bytes between linear address la of v and buf.  Returns 0,
 * -E_NOT_FOUND (with *fault_la and *pfec for the #PF to inject) or -E_RANGE
 * (a page table or the data lies outside guest RAM; or a write found the
 * host out of memory, and the domain is crashed).  Writes skip ROM.
 */
int gmem_read(struct vcpu *v, gva_t la, void *buf, size_t len, gva_t *fault_la,
	      uint32_t *pfec);
int gmem_write(struct vcpu *v, gva_t la, const void *buf, size_t len,
	       gva_t *fault_la, uint32_t *pfec);

/*
 * Reads up to 15 bytes of the instruction at la (gmem_fetch_insn: at
 * CS:RIP, the instruction that exited) into buf; returns how many could
 * be read (0 when even the first byte is not mapped).
 */
size_t gmem_fetch(struct vcpu *v, gva_t la, uint8_t *buf);
size_t gmem_fetch_insn(struct vcpu *v, uint8_t *buf);

/* The code size v executes in: 64-bit mode, else CS.D in protected mode. */
enum x86_mode gmem_insn_mode(struct vcpu *v);

/*
 * Fetches the instruction at v's CS:RIP and decodes it (kernel/x86/decode.h)
 * in v's current mode: what an exit decoder reads an instruction's length,
 * prefixes and operands from.  Returns 0; -E_NOT_FOUND when its first byte
 * is not mapped; x86_decode's error otherwise (-E_RANGE: it runs into a page
 * that is not mapped).
 */
int gmem_decode_insn(struct vcpu *v, struct x86_insn *in);

#endif
