/* SPDX-License-Identifier: MIT */
/* The loaders of the files massaged keeps in its state folder. The first input byte
 * picks the loader (modulo their number: '0' is the first, '1' the second, ...), the
 * rest is the file. What a loader takes must be usable and survive a save and a load
 * unchanged; what it refuses must say why. Another state file is one more entry in
 * `loaders`. */
#include <limits.h>
#include <math.h>
#include <string.h>

#include "fuzz-target.h"
#include "heat-control.h"
#include "heat-tuning.h"
#include "driver.h" /* heater.h needs it first */
#include "heater.h"
#include "log.h"
#include "macro.h"
#include "settings.h"

static bool all_finite(const double *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isfinite(v[i]))
			return false;
	return true;
}

/* The daemon hands a loaded model to its controller without looking again
 * (heater_apply_model()): the controller must take it and answer with a duty. */
static void check_controller_takes(const struct heat_model *m)
{
	struct heat_control c;
	double duty;
	int r;

	r = heat_control_init(&c, m, (double)HEAT_TICK_CHAIR_USEC / 1e6);
	FUZZ_CHECK(r == 0, "the controller refuses a loaded model: %s", strerror(-r));
	FUZZ_CHECK(all_finite(&c.sample.a[0][0], HEAT_X_N * HEAT_X_N) && all_finite(c.sample.b, HEAT_X_N) &&
			   all_finite(c.sample.c, HEAT_X_N) && all_finite(&c.predict.a[0][0], HEAT_X_N * HEAT_X_N) &&
			   all_finite(c.observer_gain, HEAT_X_N),
		   "the controller's numbers are not finite");
	for (unsigned i = 0; i < 8; i++) {
		duty = heat_control_update(&c, 0.25 * i, 25.0 + i, 42.0);
		FUZZ_CHECK(duty >= 0.0 && duty <= 1.0, "duty %g", duty);
	}
}

static int parse_heat_tuning(const char *path, char *err)
{
	struct heat_tuning t;

	return heat_tuning_load(path, &t, err);
}

static void load_heat_tuning(const char *path, const uint8_t *data, size_t size)
{
	static char again_path[PATH_MAX];
	struct heat_tuning t, again;
	char err[HEAT_TUNING_ERROR_MAX], why[HEAT_PLAUSIBLE_WHY_MAX];
	int r;

	if (!again_path[0])
		fuzz_path(again_path, "again.tune");
	memset(err, 'x', sizeof(err));
	r = heat_tuning_load(path, &t, err);
	if (r < 0) {
		FUZZ_CHECK_ERROR_TEXT(err, sizeof(err));
		FUZZ_CHECK(strncmp(err, path, strlen(path)) == 0, "the error names no file: %s", err);
		fuzz_check_first_bad_line(err, path, data, size, parse_heat_tuning);
		return;
	}
	FUZZ_CHECK(heat_model_validate(&t.model) == 0, "a loaded model that is not valid");
	FUZZ_CHECK(heat_model_plausible(&t.model, 0.0, why, sizeof(why)) == 0, "a loaded model no pad can be: %s", why);
	check_controller_takes(&t.model);
	FUZZ_CHECK(isfinite(t.target_c) && isfinite(t.fit_rms_c) && isfinite(t.duration_s),
		   "a number that is not finite");
	r = heat_tuning_save(again_path, &t);
	FUZZ_CHECK(r == 0, "saving what was loaded: %s", strerror(-r));
	r = heat_tuning_load(again_path, &again, err);
	FUZZ_CHECK(r == 0, "loading what was saved: %s", err);
	FUZZ_CHECK(memcmp(&t, &again, sizeof(t)) == 0, "a save and a load changed the tuning");
}

static int parse_settings(const char *path, char *err)
{
	struct settings_file s;

	return settings_load(path, &s, err);
}

static void check_settings_in_range(const struct chair_settings *s, bool with_heat)
{
	FUZZ_CHECK(s->intensity >= INTENSITY_MIN && s->intensity <= INTENSITY_MAX, "intensity %u", s->intensity);
	FUZZ_CHECK(s->speed >= SPEED_MIN && s->speed <= SPEED_MAX, "speed %u", s->speed);
	FUZZ_CHECK(width_to_string(s->width) != NULL, "width %d", (int)s->width);
	FUZZ_CHECK(s->session_limit_s >= SESSION_LIMIT_MIN_S && s->session_limit_s <= SESSION_LIMIT_MAX_S &&
			   s->session_limit_s % SESSION_LIMIT_STEP_S == 0,
		   "session limit %u s", s->session_limit_s);
	FUZZ_CHECK(with_heat || !s->heat, "a configured Heat");
}

/* settings.state: what loads is in range and survives a save and a load; what the
 * chair restores from it under the default configuration is in range too. */
static void load_settings(const char *path, const uint8_t *data, size_t size)
{
	static char again_path[PATH_MAX];
	struct settings_file s, again;
	struct massaged_config cfg;
	struct chair_settings restored;
	char err[SETTINGS_ERROR_MAX], why[SETTINGS_ERROR_MAX];
	int r;

	if (!again_path[0])
		fuzz_path(again_path, "again.state");
	memset(err, 'x', sizeof(err));
	r = settings_load(path, &s, err);
	if (r < 0) {
		FUZZ_CHECK_ERROR_TEXT(err, sizeof(err));
		FUZZ_CHECK(strncmp(err, path, strlen(path)) == 0, "the error names no file: %s", err);
		fuzz_check_first_bad_line(err, path, data, size, parse_settings);
		return;
	}
	check_settings_in_range(&s.last, true);
	check_settings_in_range(&s.configured, false);
	config_init_defaults(&cfg);
	restored = settings_restore(&s, &cfg, why, sizeof(why));
	check_settings_in_range(&restored, true);
	r = settings_save(again_path, &s);
	FUZZ_CHECK(r == 0, "saving what was loaded: %s", strerror(-r));
	r = settings_load(again_path, &again, err);
	FUZZ_CHECK(r == 0, "loading what was saved: %s", err);
	FUZZ_CHECK(settings_file_equal(&s, &again), "a save and a load changed the settings");
}

static const struct state_loader {
	const char *file;
	void (*load)(const char *path, const uint8_t *data, size_t size);
} loaders[] = {
	{ "heater-neck.tune", load_heat_tuning },
	{ "settings.state", load_settings },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char paths[ELEMENTSOF(loaders)][PATH_MAX];
	const struct state_loader *l;
	char *path;

	if (size == 0)
		return 0;
	if (!paths[0][0]) {
		log_set_max_level(LOG_CRIT);
		for (size_t i = 0; i < ELEMENTSOF(loaders); i++)
			fuzz_path(paths[i], loaders[i].file);
	}
	l = &loaders[data[0] % ELEMENTSOF(loaders)];
	path = paths[l - loaders];
	fuzz_write_file(path, data + 1, size - 1);
	l->load(path, data + 1, size - 1);
	return 0;
}
