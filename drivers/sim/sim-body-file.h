/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "sim-body.h"

/* Bodies as files: one [Body] section whose keys are sim_body_set()'s names, e.g.
 *   [Body]
 *   Weight = 20
 * Every other parameter keeps sim_body_default()'s value. A preset is such a file,
 * NAME.body, in a directory of bodies (config/bodies in the source tree, installed
 * under datadir/massaged/bodies). */

#define SIM_BODY_FILE_SUFFIX ".body"
#define SIM_BODY_BUILT_IN "average" /* the preset whose file is sim_body_default() */
#define SIM_BODY_ERROR_MAX 512
#define SIM_BODY_NAME_MAX 64
#define SIM_BODY_FILE_SIZE_MAX (64 * 1024)

/* Loads `path` on top of sim_body_default(). On failure returns negative errno, err
 * (SIM_BODY_ERROR_MAX bytes) says "PATH:LINE: what" (or "PATH: what") and *ret is
 * untouched: an unknown section or key, a value that is no number or is outside the
 * parameter's range (-EINVAL), a missing file (-ENOENT). *ret_sets_noise (unless NULL)
 * tells whether the file gave Noise, which otherwise is the chair's load noise. */
int sim_body_file_load(const char *path, struct sim_body *ret, bool *ret_sets_noise, char *err);

/* sim_body_set(), and on failure why, for a person to read (into why, `size` bytes):
 * "Unknown body parameter 'X': use StiffnessNeck, ..., Noise." or "Weight=1000 is
 * out of range: use 0.5 to 400 N." */
int sim_body_set_explained(struct sim_body *b, const char *name, double value, char *why, size_t size);

/* A preset's name: 1..SIM_BODY_NAME_MAX-1 of a-z, 0-9 and '-'. */
bool sim_body_preset_name_is_valid(const char *name);
/* DIR/NAME.body as sim_body_file_load(); -EINVAL for a name that is not valid. */
int sim_body_preset_load(const char *dir, const char *name, struct sim_body *ret, bool *ret_sets_noise, char *err);
/* The presets in `dir`, sorted, as "a, b, c" into buf; returns how many, or negative
 * errno (-ENOENT: no such directory). */
int sim_body_preset_list(const char *dir, char *buf, size_t size);
