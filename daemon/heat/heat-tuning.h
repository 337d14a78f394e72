/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>

#include "heat-model.h"

/* A pad's autotune result as persisted in the state directory (heater-ZONE.tune):
 * a small INI file, written atomically (temporary file, fsync, rename, fsync of the
 * directory), so a crash leaves the old file or the new one, never half of one. */

#define HEAT_TUNING_ERROR_MAX 512

struct heat_tuning {
	struct heat_model model;
	double target_c;   /* where autotune held the pad */
	double fit_rms_c;  /* how closely the model replays the experiment */
	double duration_s; /* how long the experiment took */
};

/* Returns 0, or negative errno with err ("FILE:LINE: what") saying why: -ENOENT when
 * there is no file, -EINVAL for anything missing, unknown or implausible. */
int heat_tuning_load(const char *path, struct heat_tuning *ret, char *err);
/* The file's text (malloc'd), or NULL for an invalid model or no memory. */
char *heat_tuning_format(const struct heat_tuning *t, size_t *ret_size);
int heat_tuning_save(const char *path, const struct heat_tuning *t);
