/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "profile-name.h"
#include "program.h"
#include "settings.h"

/* A profile is a person: their settings and their body, in a state file of its own
 * (StateDirectory/profiles/NAME.profile, group [Profile]). The scan's load profile is
 * not among them: the force loop relearns the back in every session's first strokes. */

#define PROFILE_SUFFIX ".profile"
#define PROFILE_ERROR_MAX 1024
/* ShoulderHeight=, ShoulderAdjust=: the track is shorter than either */
#define PROFILE_SHOULDER_MAX_MM 2000u
#define PROFILE_SHOULDER_ADJUST_MAX_MM 2000

struct profile {
	char name[PROFILE_NAME_MAX];
	struct chair_settings settings; /* intensity .. heat target (settings.h) */
	unsigned shoulder_mm;           /* the shoulder line with the adjustment in, 0 = not known */
	int shoulder_adjust_mm;         /* the AdjustShoulder total in it */
	char favourite[PROGRAM_ID_MAX]; /* the last program started while in use, "" none */
};

bool profile_equal(const struct profile *a, const struct profile *b);

/* Load `path`. When `name` is not NULL the file's Name= must be it (the file is
 * NAME.profile). Returns 0, or negative errno with err ("FILE:LINE: what"): -ENOENT
 * when there is no file, -EINVAL for anything missing, unknown or out of range. */
int profile_load(const char *path, const char *name, struct profile *ret, char *err);
/* The file's text (malloc'd, *ret_size bytes), or NULL when out of memory. */
char *profile_format(const struct profile *p, size_t *ret_size);
