/*
 * inc/public/elfnote.h - the ELF notes (owner "Xen", PT_NOTE) a PV kernel
 * carries so that the domain builder knows how to start it
 * (xen/include/public/elfnote.h).  A kernel that runs in both containers
 * has both entries.
 */
#ifndef INC_PUBLIC_ELFNOTE_H
#define INC_PUBLIC_ELFNOTE_H

#define XEN_ELFNOTE_ENTRY	   1  /* te: 64-bit entry, RSI = start_info */
#define XEN_ELFNOTE_HYPERCALL_PAGE 2  /* where the builder fills the page */
#define XEN_ELFNOTE_GUEST_OS	   6  /* a string, e.g. "hvlab" */
#define XEN_ELFNOTE_PHYS32_ENTRY   18 /* hvm: 32-bit, EBX = hvm_start_info */

#endif
