/*
 * const.h - integer constants that C and assembly share: UL(1) is 1UL in
 * C and a plain 1 in a .S file, whose assembler knows no suffixes.
 */
#ifndef INC_CONST_H
#define INC_CONST_H

#ifdef __ASSEMBLER__
#define UL(x)  x
#define ULL(x) x
#else
#define UL(x)  x##UL
#define ULL(x) x##ULL
#endif

#endif
