/*
 * cpu.c - sysbench's CPU test (--cpu-max-prime): every number below n
 * tried against each divisor up to its square root.  It touches no
 * memory and makes no exit, so it runs at the host's speed wherever the
 * guest runs: the table's baseline for "CPU work costs nothing".
 */
#include "bench8.h"

uint64_t bench_primes(uint64_t n)
{
	uint64_t count = 0, c, l;

	for (c = 3; c < n; c++) {
		for (l = 2; l * l <= c; l++)
			if (c % l == 0)
				break;
		if (l * l > c)
			count++;
	}
	return count;
}
