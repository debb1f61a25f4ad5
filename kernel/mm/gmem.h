/*
 * gmem.h - guest memory as a guest instruction sees it (lab 3): linear
 * addresses translated through the guest's own page tables, then through
 * the domain's p2m.  Used to fetch the exiting instruction and to carry
 * out INS/OUTS.
 */
#ifndef KERNEL_GMEM_H
#define KERNEL_GMEM_H

#include <inc/mmu.h>
#include <inc/types.h>

struct vcpu;

/*
 * Translates linear address la for an access by v (a write when write).
 * Returns 0 with *gpa set; -E_NOT_FOUND when the guest's tables do not
 * allow it (*pfec is the #PF error code to inject, with CR2 = la); -E_RANGE
 * when a guest page table lies outside guest RAM.
 */
int gmem_translate(struct vcpu *v, gva_t la, bool write, gpa_t *gpa,
		   uint32_t *pfec);

/*
 * Copies len bytes between linear address la of v and buf.  Returns 0,
 * -E_NOT_FOUND (with *fault_la and *pfec for the #PF to inject) or -E_RANGE
 * (a page table or the data lies outside guest RAM).
 */
int gmem_read(struct vcpu *v, gva_t la, void *buf, size_t len,
	      gva_t *fault_la, uint32_t *pfec);
int gmem_write(struct vcpu *v, gva_t la, const void *buf, size_t len,
	       gva_t *fault_la, uint32_t *pfec);

/*
 * Reads up to 15 bytes of the instruction at CS:RIP into buf; returns how
 * many could be read (0 when even the first byte is not mapped).
 */
size_t gmem_fetch_insn(struct vcpu *v, uint8_t *buf);

#if SOL >= 3
/* The exiting instruction, fetched by an exit decoder (svm/, vmx/). */
struct gmem_insn {
	uint8_t bytes[15];
	size_t n;		/* bytes fetched */
	size_t pfx;		/* legacy and REX prefix bytes */
	uint8_t rex;		/* the REX prefix right before the opcode, or 0 */
	bool adsize;		/* 0x67 */
	int seg;		/* segment override as enum vseg, or -1 */
};

/*
 * Fetches the instruction at CS:RIP into *in and skips its prefixes.
 * Returns whether any byte after the prefixes could be fetched.
 */
bool gmem_insn_fetch(struct vcpu *v, struct gmem_insn *in);

/* Whether the opcode bytes after the prefixes are op[0..len). */
bool gmem_insn_is(const struct gmem_insn *in, const uint8_t *op, size_t len);

/*
 * The address size, in bytes, of a string instruction in v's current code
 * segment, with (override) or without an 0x67 prefix.
 */
uint8_t gmem_insn_addr_size(struct vcpu *v, bool override);
#endif

#endif
