/* SPDX-License-Identifier: MIT */
#include "over-force.h"

unsigned over_force_release_dn(unsigned force_max_n)
{
	return force_max_n * 10 * OVER_FORCE_RELEASE_PERCENT / 100;
}

enum over_force_verdict over_force_update(struct over_force *of, uint16_t load_dn, unsigned force_max_n,
					  uint64_t now_usec)
{
	if (of->primed && now_usec - MIN(now_usec, of->last_read_usec) > OVER_FORCE_STALE_USEC)
		*of = (struct over_force) { 0 };
	of->primed = true;
	of->last_read_usec = now_usec;

	if (load_dn > force_max_n * 10) {
		if (!of->above) {
			of->above = true;
			of->above_since_usec = now_usec;
		}
		of->capping = true;
		return now_usec - of->above_since_usec >= OVER_FORCE_FAULT_USEC ? OVER_FORCE_FAULT : OVER_FORCE_CAP;
	}
	of->above = false;
	if (of->capping && load_dn < over_force_release_dn(force_max_n))
		of->capping = false;
	return of->capping ? OVER_FORCE_CAP : OVER_FORCE_NONE;
}
