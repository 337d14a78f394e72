/* SPDX-License-Identifier: MIT */
/* A profile's file (StateDirectory/profiles/NAME.profile): what loads is a valid name
 * with every value in its range, and survives a save and a load unchanged; what is
 * refused says why, with the file and the first bad line. */
#include <limits.h>
#include <math.h>
#include <string.h>

#include "fuzz-target.h"
#include "log.h"
#include "macro.h"
#include "profile.h"
#include "state-file.h"

#define FILE_NAME "Fuzz"

static int parse_profile(const char *path, char *err)
{
	struct profile p;

	return profile_load(path, NULL, &p, err);
}

static void check_in_range(const struct profile *p)
{
	const struct chair_settings *s = &p->settings;
	char why[256];

	FUZZ_CHECK(profile_name_is_valid(p->name, why, sizeof(why)), "a loaded name that is not valid: %s", why);
	FUZZ_CHECK(strcmp(p->name, FILE_NAME) == 0, "Name=%s loaded from " FILE_NAME PROFILE_SUFFIX, p->name);
	FUZZ_CHECK(s->intensity >= INTENSITY_MIN && s->intensity <= INTENSITY_MAX, "intensity %u", s->intensity);
	FUZZ_CHECK(s->speed >= SPEED_MIN && s->speed <= SPEED_MAX, "speed %u", s->speed);
	FUZZ_CHECK(width_to_string(s->width) != NULL, "width %d", (int)s->width);
	FUZZ_CHECK(s->session_limit_s >= SESSION_LIMIT_MIN_S && s->session_limit_s <= SESSION_LIMIT_MAX_S &&
			   s->session_limit_s % SESSION_LIMIT_STEP_S == 0,
		   "session limit %u s", s->session_limit_s);
	for (enum zone z = 0; z < _ZONE_MAX; z++)
		FUZZ_CHECK(s->zone_pressure[z] >= ZONE_PRESSURE_MIN && s->zone_pressure[z] <= ZONE_PRESSURE_MAX &&
				   (z != ZONE_BACK || s->zone_pressure[z] == 0),
			   "pressure %d in zone %d", s->zone_pressure[z], (int)z);
	FUZZ_CHECK(s->focus < 1u << _ZONE_MAX, "focus 0x%x", s->focus);
	FUZZ_CHECK(isfinite(s->heat_target_c) && (s->heat_target_c == 0.0 || (s->heat_target_c >= HEAT_TARGET_MIN_C &&
									      s->heat_target_c <= HEAT_HARD_CEILING_C)),
		   "heat target %g", s->heat_target_c);
	FUZZ_CHECK(p->shoulder_mm <= PROFILE_SHOULDER_MAX_MM, "shoulder %u", p->shoulder_mm);
	FUZZ_CHECK(p->favourite[0] == '\0' || program_id_is_valid(p->favourite), "favourite %s", p->favourite);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[PATH_MAX], again_path[PATH_MAX];
	struct profile p, again;
	char err[PROFILE_ERROR_MAX];
	char *text;
	size_t n;
	int r;

	if (!path[0]) {
		log_set_max_level(LOG_CRIT);
		fuzz_path(path, FILE_NAME PROFILE_SUFFIX);
		fuzz_path(again_path, "again" PROFILE_SUFFIX);
	}
	fuzz_write_file(path, data, size);
	memset(err, 'x', sizeof(err));
	r = profile_load(path, FILE_NAME, &p, err);
	if (r < 0) {
		FUZZ_CHECK_ERROR_TEXT(err, sizeof(err));
		FUZZ_CHECK(strncmp(err, path, strlen(path)) == 0, "the error names no file: %s", err);
		fuzz_check_first_bad_line(err, path, data, size, parse_profile);
		return 0;
	}
	check_in_range(&p);
	text = profile_format(&p, &n);
	FUZZ_CHECK(text, "out of memory formatting a profile");
	r = state_file_write(again_path, text, n);
	free(text);
	FUZZ_CHECK(r == 0, "saving what was loaded: %s", strerror(-r));
	r = profile_load(again_path, NULL, &again, err);
	FUZZ_CHECK(r == 0, "loading what was saved: %s", err);
	FUZZ_CHECK(profile_equal(&p, &again), "a save and a load changed the profile");
	return 0;
}
