/* SPDX-License-Identifier: MIT */
#include "over-force.h"

unsigned over_force_release_dn(unsigned force_max_n)
{
	return force_max_n * 10 * OVER_FORCE_RELEASE_PERCENT / 100;
}

static void episode_update(struct over_force *of, bool cap_began, uint16_t load_dn, uint64_t now_usec)
{
	of->episode = OVER_FORCE_EPISODE_NONE;
	if (cap_began) {
		if (!of->in_episode) {
			of->in_episode = true;
			of->episode = OVER_FORCE_EPISODE_BEGAN;
			of->episode_start_usec = now_usec;
			of->retractions = 0;
			of->peak_dn = 0;
		}
		of->retractions++;
	}
	if (!of->in_episode)
		return;
	of->peak_dn = MAX(of->peak_dn, load_dn);
	if (!of->capping && now_usec - of->released_usec >= OVER_FORCE_EPISODE_QUIET_USEC) {
		of->in_episode = false;
		of->episode = OVER_FORCE_EPISODE_ENDED;
	}
}

enum over_force_verdict over_force_update(struct over_force *of, uint16_t load_dn, unsigned force_max_n,
					  uint64_t now_usec)
{
	bool was_capping;

	if (of->primed && now_usec - MIN(now_usec, of->last_read_usec) > OVER_FORCE_STALE_USEC)
		*of = (struct over_force) { 0 };
	of->primed = true;
	of->last_read_usec = now_usec;
	was_capping = of->capping;

	if (load_dn > force_max_n * 10) {
		if (!of->above) {
			of->above = true;
			of->above_since_usec = now_usec;
		}
		of->capping = true;
	} else {
		of->above = false;
		if (of->capping && load_dn < over_force_release_dn(force_max_n)) {
			of->capping = false;
			of->released_usec = now_usec;
		}
	}
	episode_update(of, of->capping && !was_capping, load_dn, now_usec);

	if (of->above && now_usec - of->above_since_usec >= OVER_FORCE_FAULT_USEC)
		return OVER_FORCE_FAULT;
	return of->capping ? OVER_FORCE_CAP : OVER_FORCE_NONE;
}
