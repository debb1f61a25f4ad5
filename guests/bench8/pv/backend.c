/*
 * pv/backend.c - bench8 as a pv domain (either container): Xen's clock
 * and the split drivers' disk and NIC (pv/devices.c).
 */
#include <guests/lib/pv.h>
#include "../bench8.h"

void bench_backend_init(struct bench_env *env)
{
	env->name = pv_in_te() ? "pv-te" : "pv-hvm";
	env->now_ns = pv_time_ns;
	bench_pv_devices(env);
}

void main(void)
{
	bench8_main();
}
