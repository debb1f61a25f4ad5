/*
 * testdev.h - hvlab's test device (kernel/dev/testdev.c, lab 5); the
 * guest's view is inc/testdev.h.
 */
#ifndef KERNEL_DEV_TESTDEV_H
#define KERNEL_DEV_TESTDEV_H

#include <inc/types.h>
#include <inc/testdev.h>

struct domain;

/* A domain's test device: plain data, saved and restored as it is. */
struct testdev {
	uint8_t regfile[TESTDEV_CTRL - TESTDEV_REGFILE];
	uint64_t accesses; /* register-file accesses */
	uint64_t last;	   /* the last one, as TESTDEV_LAST reads it */
	gpa_t map_gpa;	   /* TESTDEV_MAP_GPA */
};

/* Resets t and claims TESTDEV_BASE..+TESTDEV_SIZE in d; 0 or -E_*. */
int testdev_init(struct domain *d, struct testdev *t);

#endif
