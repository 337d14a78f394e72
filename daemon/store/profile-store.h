/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>

#include "profile-list.h"
#include "profile.h"
#include "refusal.h"

struct context;
struct sd_event_source;

/* The profiles (profile.h), each its own file in StateDirectory/profiles/, all of them
 * kept in memory. The profile in use (c->profile) follows the chair: a change to one
 * of its fields is written to its file about a second of wall time later, through the
 * state writer (a burst costs one write), and at a clean exit. */
struct profile_store {
	struct profile_list list;
	struct profile saved, tried; /* the profile in use: what its file holds, what was last tried */
	bool write_failing;
	struct sd_event_source *timer;
};

/* A write a method waits for: r is 0 or the write's negative errno. */
typedef void (*profile_done_t)(void *userdata, int r);

/* At start, after settings_store_restore(): load every profile (a damaged one is
 * logged with FILE:LINE and skipped), remove stale temporary files, and apply the
 * profile settings.state names (c->profile), heat off; none when it is gone. */
void profile_store_restore(struct context *c);
/* SaveProfile: the chair's settings and shoulder line under `name` (created or
 * replaced); it becomes the profile in use. `done` runs when the file is written (not
 * when refused). Returns 0 or negative errno with *why. */
int profile_store_save(struct context *c, const char *name, struct refusal *why, profile_done_t done, void *userdata);
/* UseProfile: apply every field of `name`; it becomes the profile in use. */
int profile_store_use(struct context *c, const char *name, struct refusal *why);
/* DeleteProfile: forget `name` and remove its file (queued after any write of it);
 * when it was the profile in use, none is. */
int profile_store_delete(struct context *c, const char *name, struct refusal *why);
/* UseNoProfile: none in use; the chair keeps its settings. */
void profile_store_use_none(struct context *c);
/* The names, sorted, joined by '\n' into buf. */
void profile_store_names(const struct context *c, char *buf, size_t size);
/* From context_publish(): schedule a write if the profile in use changed. */
void profile_store_changed(struct context *c);
/* At a clean exit: write the profile in use now if it is not saved. */
void profile_store_flush(struct context *c);
void profile_store_free(struct context *c);
