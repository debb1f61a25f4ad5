/*
 * bench8 - the lab-8 benchmark (make lab8): the seeds' Tabela 1 workloads
 * in one guest, whichever way it runs (bench8.h).  Command line:
 *   primes=N         sysbench: the primes below N (default 500000)
 *   files=N kib=K    bonnie1: N files of K KiB created, read and deleted
 *                    (default 200 of 4)
 *   large=N mib=M    bonnie2: N files of M MiB written and read
 *                    (default 2 of 2)
 *   count=N          netperf: N datagrams to the echo peer (default 1000)
 *   ip=IP peer=IP    this domain's and the echo peer's addresses
 *   tests=LIST       which of cpu,small,large,net run (default all)
 * Each test prints "bench8: result TEST ns=NS work=W UNIT", or
 * "bench8: skip TEST: REASON" when this way of running has no device for
 * it; tools/lab8 turns them into the table.
 */
#include "bench8.h"

static struct bench_env env;

void bench_result(const char *test, uint64_t ns, uint64_t work,
		  const char *unit)
{
	report(ns != 0, "%s ran", test);
	printf("bench8: result %s ns=%llu work=%llu %s\n", test,
	       (unsigned long long)ns, (unsigned long long)work, unit);
}

/* Whether test is in tests= (all when absent). */
static bool bench_wanted(const char *test)
{
	char list[64];
	const char *p;
	size_t n = strlen(test);

	if (!cmdline_get("tests", list, sizeof(list)))
		return true;
	for (p = list; *p; p++)
		if ((p == list || p[-1] == ',') && !strncmp(p, test, n) &&
		    (p[n] == ',' || !p[n]))
			return true;
	return false;
}

static void bench_cpu(void)
{
	uint64_t n = cmdline_u64("primes", 500000);
	uint64_t t0 = env.now_ns(), found = bench_primes(n);

	bench_result("cpu", env.now_ns() - t0, found, "primes");
}

/* The address in key= into *ip; false (reported) when absent or bad. */
static bool bench_ip(const char *key, uint32_t *ip)
{
	char arg[20];

	if (cmdline_get(key, arg, sizeof(arg)) && net_parse_ip(arg, ip))
		return true;
	report(false, "%s= gives an address", key);
	return false;
}

void bench8_main(void)
{
	uint32_t ip, peer;

	bench_backend_init(&env);
	printf("bench8: backend %s\n", env.name);
	if (bench_wanted("cpu"))
		bench_cpu();
	if (bench_wanted("small"))
		bench_small_files(&env, (unsigned)cmdline_u64("files", 200),
				  (unsigned)cmdline_u64("kib", 4));
	if (bench_wanted("large"))
		bench_large_files(&env, (unsigned)cmdline_u64("large", 2),
				  (unsigned)cmdline_u64("mib", 2));
	if (!bench_wanted("net"))
		return;
	if (!env.nic)
		printf("bench8: skip net: %s\n", env.no_nic);
	else if (bench_ip("ip", &ip) && bench_ip("peer", &peer))
		bench_stream(&env, ip, peer,
			     (uint32_t)cmdline_u64("count", 1000));
}
