/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "chair-types.h"
#include "config.h"
#include "profile-name.h"

/* The person's settings that outlive a session, persisted in the state directory
 * (settings.state, a state-file.h file) and restored at start. The shoulder height is
 * not among them: it is forgotten whenever the seat empties. */

#define SETTINGS_ERROR_MAX 512
#define SESSION_LIMIT_MIN_S 300u  /* 5 minutes */
#define SESSION_LIMIT_MAX_S 1800u /* 30 minutes: docs/safety-rules.md's longest session */
#define SESSION_LIMIT_STEP_S 300u
/* SetZonePressure's offsets: intensity levels added in one zone */
#define ZONE_PRESSURE_MIN (-2)
#define ZONE_PRESSURE_MAX 2

struct chair_settings {
	unsigned intensity; /* INTENSITY_MIN..INTENSITY_MAX */
	unsigned speed;     /* SPEED_MIN..SPEED_MAX */
	enum width width;
	bool heat;
	unsigned session_limit_s; /* SESSION_LIMIT_MIN_S..MAX_S in steps of STEP_S */
	/* ZONE_PRESSURE_MIN..MAX by zone, ZONE_BACK always 0; optional in the file (a file
	 * written before they existed loads with 0) */
	int zone_pressure[_ZONE_MAX];
	/* the person's (issue 17), optional in the file too: none, off, 0 when absent */
	unsigned focus;       /* a bit per enum zone */
	bool gentle;          /* gentle mode */
	double heat_target_c; /* 0 (the program's or the default), else HEAT_TARGET_MIN_C..HEAT_HARD_CEILING_C */
};

#define HEAT_TARGET_MIN_C 30.0

/* What settings.state holds: the last settings, and the configured defaults they were
 * saved under, so a default changed in the configuration since then takes effect. */
struct settings_file {
	struct chair_settings last;
	struct chair_settings configured; /* only intensity, speed, width, session limit: the rest has no default */
	char profile[PROFILE_NAME_MAX];   /* the profile in use, "" when none (Profile=, optional) */
};

/* The settings of a chair with no saved ones: the configured [Defaults], Heat off and
 * SessionMinutes. */
struct chair_settings settings_from_config(const struct massaged_config *cfg);

bool chair_settings_equal(const struct chair_settings *a, const struct chair_settings *b);
bool settings_file_equal(const struct settings_file *a, const struct settings_file *b);

/* The keys of a person's settings, shared by settings.state and a profile's file.
 * Parse one: `name` is the key without `prefix` (which only goes into messages).
 * Returns 1 when `name` is none of them, else 0 or negative errno with err
 * ("FILE:LINE: what"); `seen` gets a bit for each required key (Intensity, Speed,
 * Width, Heat, SessionLimit). */
int chair_settings_parse_key(struct chair_settings *s, unsigned *seen, const char *prefix, const char *name,
			     const char *value, const char *path, unsigned line, char *err);
/* 0 when every required key was seen (Heat only when `heat`), else -EINVAL with err
 * ("FILE: PrefixKey= is missing"). */
int chair_settings_check_seen(unsigned seen, const char *prefix, bool heat, const char *path, char *err);
/* Write the keys of `s`, one a line. */
void chair_settings_print(FILE *f, const struct chair_settings *s);

/* Returns 0, or negative errno with err ("FILE:LINE: what") saying why: -ENOENT when
 * there is no file, -EINVAL for anything missing, unknown or out of its range. */
int settings_load(const char *path, struct settings_file *ret, char *err);
/* The file's text (malloc'd, *ret_size bytes), or NULL when out of memory. */
char *settings_format(const struct settings_file *s, size_t *ret_size);
/* settings_format() and state_file_write(). Returns 0 or negative errno. */
int settings_save(const char *path, const struct settings_file *s);

/* What the chair starts with from a saved file: the last settings, except that a
 * configured default changed since they were saved wins (the owner's newer choice),
 * and the session limit is cut to the configured MaxSessionMinutes. Each change from
 * the saved settings is described in `why` (empty when none). */
struct chair_settings settings_restore(const struct settings_file *saved, const struct massaged_config *cfg, char *why,
				       size_t size);
