/* te-bench-hvm - the make bench-te loop in an hvm domain (bench.h). */
#include <guests/lib/guest.h>

#define BENCH_NAME "hvm"
#include <guests/te-bench-hvm/bench.h>
