/*
 * idetest.h - the disk image guests/ide reads through dom0's emulated
 * IDE disk (guests/dom0/dm_ide.c), as the grader writes it: byte off of
 * sector s is IDETEST_BYTE(s, off), so that a sector read from the wrong
 * address, or bytes out of order, show.
 */
#ifndef GUESTS_LIB_IDETEST_H
#define GUESTS_LIB_IDETEST_H

#define IDETEST_SECTORS 2048 /* 1 MiB */
#define IDETEST_BYTE(s, off) \
	((uint8_t)((s)*37 + ((s) >> 8) * 101 + (off)*7 + ((off) >> 8)))

#endif
