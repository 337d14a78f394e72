/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "macro.h"

/* docs/safety-rules.md: over-force. The decision alone, pure: the load the control tick
 * read and the chair time in, what the gate must do out. daemon/faults.c raises the
 * fault, daemon/safety.c caps the depth; a benchmark may run it on its own. */

/* A load above ForceMax this long (consecutive reads, chair time) is over-force. */
#define OVER_FORCE_FAULT_USEC (100 * USEC_PER_MSEC)
/* Once capped, the depth stays capped until the load is below this share of ForceMax,
 * so that a load hovering at the limit does not push, retract, push. */
#define OVER_FORCE_RELEASE_PERCENT 90
/* Reads further apart than this are not consecutive (the tick was off: a new session). */
#define OVER_FORCE_STALE_USEC (1000 * USEC_PER_MSEC)
/* An episode (what the journal reports once) ends when the cap has been off this long:
 * a back that keeps pressing the rollers out retracts them many times in one episode. */
#define OVER_FORCE_EPISODE_QUIET_USEC (2 * USEC_PER_SEC)

enum over_force_verdict {
	OVER_FORCE_NONE,  /* write what was asked */
	OVER_FORCE_CAP,   /* DEPTH_TARGET 0: the rollers retract at full speed */
	OVER_FORCE_FAULT, /* still above ForceMax OVER_FORCE_FAULT_USEC after it passed it */
};

enum over_force_episode {
	OVER_FORCE_EPISODE_NONE,
	OVER_FORCE_EPISODE_BEGAN, /* this read began one */
	OVER_FORCE_EPISODE_ENDED, /* this read ended one (retractions, peak_dn say what it was) */
};

struct over_force {
	bool capping;              /* from a read above ForceMax to one below the release point */
	bool above;                /* the last read was above ForceMax */
	uint64_t above_since_usec; /* chair time of the first of the consecutive reads above */
	uint64_t last_read_usec;
	bool primed; /* has seen a read */

	bool in_episode;
	enum over_force_episode episode; /* what the last read did to the episode */
	uint64_t episode_start_usec, released_usec;
	unsigned retractions; /* times the cap came on in this episode */
	uint16_t peak_dn;     /* the highest load read in it */
};

/* One read of the load cell: load_dn in 0.1 N, force_max_n in N ([Limits] ForceMax),
 * now_usec chair time. A load exactly at ForceMax is not above it. of->episode says
 * whether this read began or ended an episode. */
enum over_force_verdict over_force_update(struct over_force *of, uint16_t load_dn, unsigned force_max_n,
					  uint64_t now_usec);

/* The load (0.1 N) the cap is released below. */
unsigned over_force_release_dn(unsigned force_max_n);
