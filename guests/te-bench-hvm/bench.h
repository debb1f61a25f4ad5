/*
 * bench.h - the loop of te-bench and te-bench-hvm (make bench-te): the
 * same code, the same port, under trap-and-emulate and under SVM/VT-x.
 */
#ifndef GUESTS_TE_BENCH_HVM_BENCH_H
#define GUESTS_TE_BENCH_HVM_BENCH_H

#define BENCH_PORT   0x80 /* nobody claims it: the write is dropped */
#define BENCH_ROUNDS 9

static uint64_t bench_round(unsigned n)
{
	uint64_t t0 = rdtsc();

	for (unsigned i = 0; i < n; i++)
		outb(BENCH_PORT, 0);
	return (rdtsc() - t0) / n;
}

void main(void)
{
	char buf[16];
	const char *p;
	unsigned n = 2000;
	uint64_t c[BENCH_ROUNDS];

	if (cmdline_get("n", buf, sizeof(buf)))
		for (n = 0, p = buf; *p >= '0' && *p <= '9'; p++)
			n = n * 10 + (unsigned)(*p - '0');
	if (n == 0)
		n = 1;
	for (int i = 0; i < BENCH_ROUNDS; i++)
		c[i] = bench_round(n);
	printf("bench-te: %s out median %llu cycles (%d rounds of %u)\n",
	       BENCH_NAME, (unsigned long long)median(c, BENCH_ROUNDS),
	       BENCH_ROUNDS, n);
	report(c[0] > 0, "%s out loop ran", BENCH_NAME);
}

#endif
