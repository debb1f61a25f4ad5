/*
 * te-bench - the cost of one emulated privileged instruction (lab 2,
 * make bench-te): ROUNDS rounds of N OUTs to an unclaimed port, timed
 * with RDTSC; prints the median cycles per OUT.  guests/te-bench-hvm is
 * the same loop for an hvm domain, where each OUT is an SVM/VT-x exit.
 */
#include <guests/lib/guest.h>

#define BENCH_NAME "te"
#include <guests/te-bench-hvm/bench.h>
