/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check-tap.h"
#include "state-text.h"
#include "config.h"
#include "macro.h"
#include "settings.h"
#include "test-files.h"

/* settings.state (settings.h): what is saved loads back; a value out of its range, an
 * unknown or missing key is refused with the file and line; restoring keeps the saved
 * settings unless the configured default changed since, and cuts the session limit
 * to the configured ceiling. */

static char dir[64];
static char path[128];

static void setup(void)
{
	(void)snprintf(dir, sizeof(dir), "/tmp/test-settings.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	(void)snprintf(path, sizeof(path), "%s/settings.state", dir);
}

static void teardown(void)
{
	test_remove_tree(dir);
}

static const struct settings_file sample = {
	.last = { .intensity = 4,
		  .speed = 2,
		  .width = WIDTH_WIDE,
		  .heat = true,
		  .session_limit_s = 900,
		  .zone_pressure = { [ZONE_NECK] = 2, [ZONE_SHOULDERS] = -1, [ZONE_LOWER_BACK] = -2 } },
	.configured = { .intensity = 3, .speed = 3, .width = WIDTH_MEDIUM, .session_limit_s = 1200 },
};

static void write_text(const char *text)
{
	FILE *f = fopen(path, "we");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_ge(fputs(text, f), 0);
	ck_assert_int_eq(fclose(f), 0);
}

/* The sample's text with the line of `key` replaced by `line` (removed when NULL). */
static void sample_with(const char *key, const char *line, char *buf, size_t size)
{
	_cleanup_free_ char *text = NULL;
	size_t n;

	text = settings_format(&sample, &n);
	ck_assert_ptr_nonnull(text);
	state_text_with(text, key, line, buf, size);
}

/* Loading the text fails with -EINVAL; the reason starts with "PATH:LINE: " (or
 * "PATH: " for line 0) and names `also`; *ret is untouched. */
static void assert_refused(const char *text, unsigned line, const char *also)
{
	struct settings_file s, before;
	char err[SETTINGS_ERROR_MAX], where[256];

	memset(&s, 0x5a, sizeof(s));
	before = s;
	write_text(text);
	ck_assert_int_eq(settings_load(path, &s, err), -EINVAL);
	ck_assert_msg(memcmp(&s, &before, sizeof(s)) == 0, "the settings were changed on error");
	if (line)
		(void)snprintf(where, sizeof(where), "%s:%u: ", path, line);
	else
		(void)snprintf(where, sizeof(where), "%s: ", path);
	ck_assert_msg(strncmp(err, where, strlen(where)) == 0, "\"%s\" does not start with \"%s\"", err, where);
	ck_assert_msg(strstr(err, also), "\"%s\" does not say \"%s\"", err, also);
}

START_TEST(test_round_trip)
{
	struct settings_file back;
	char err[SETTINGS_ERROR_MAX];

	ck_assert_int_eq(settings_save(path, &sample), 0);
	memset(&back, 0, sizeof(back));
	ck_assert_int_eq(settings_load(path, &back, err), 0);
	ck_assert(settings_file_equal(&back, &sample));

	/* every value at the ends of its range */
	for (int end = 0; end < 2; end++) {
		struct settings_file s = {
			.last = { .intensity = end ? INTENSITY_MAX : INTENSITY_MIN,
				  .speed = end ? SPEED_MAX : SPEED_MIN,
				  .width = end ? WIDTH_WIDE : WIDTH_NARROW,
				  .heat = end,
				  .session_limit_s = end ? 1800 : 300 },
			.configured = { .intensity = end ? INTENSITY_MAX : INTENSITY_MIN,
					.speed = end ? SPEED_MAX : SPEED_MIN,
					.width = end ? WIDTH_WIDE : WIDTH_NARROW,
					.session_limit_s = end ? 1800 : 300 },
		};

		for (enum zone z = 0; z < _ZONE_MAX; z++)
			if (z != ZONE_BACK)
				s.last.zone_pressure[z] = end ? ZONE_PRESSURE_MAX : ZONE_PRESSURE_MIN;
		ck_assert_int_eq(settings_save(path, &s), 0);
		ck_assert_int_eq(settings_load(path, &back, err), 0);
		ck_assert(settings_file_equal(&back, &s));
		ck_assert_int_eq(back.last.zone_pressure[ZONE_UPPER_BACK], end ? 2 : -2);
	}
}
END_TEST

#define OLD_SETTINGS \
	"[Settings]\nVersion=1\nIntensity=4\nSpeed=2\nWidth=wide\nHeat=yes\nSessionLimit=900\n" \
	"ConfiguredIntensity=3\nConfiguredSpeed=3\nConfiguredWidth=medium\nConfiguredSessionLimit=1200\n"

/* A file written before the zone pressures existed loads, with every offset 0; one
 * written with only some of them has 0 for the rest. */
START_TEST(test_zone_pressure_optional)
{
	static const char *const keys[] = { "PressureNeck=2", "PressureShoulders=-1", "PressureUpperBack=0",
					    "PressureLowerBack=-2" };
	_cleanup_free_ char *text = NULL;
	struct settings_file back, want = sample;
	char err[SETTINGS_ERROR_MAX];
	size_t n;

	text = settings_format(&sample, &n);
	ck_assert_ptr_nonnull(text);
	for (size_t i = 0; i < ELEMENTSOF(keys); i++)
		ck_assert_msg(strstr(text, keys[i]), "no %s in\n%s", keys[i], text);

	write_text(OLD_SETTINGS);
	memset(&back, 0x5a, sizeof(back));
	ck_assert_int_eq(settings_load(path, &back, err), 0);
	memset(want.last.zone_pressure, 0, sizeof(want.last.zone_pressure));
	ck_assert(settings_file_equal(&back, &want));

	write_text(OLD_SETTINGS "PressureUpperBack=1\n");
	memset(&back, 0x5a, sizeof(back));
	ck_assert_int_eq(settings_load(path, &back, err), 0);
	want.last.zone_pressure[ZONE_UPPER_BACK] = 1;
	ck_assert(settings_file_equal(&back, &want));
}
END_TEST

/* The person's keys of issue 17 (Focus, Gentle, HeatTarget, the profile in use) come
 * back; a file without them (OLD_SETTINGS) loads with none, off, 0 and no profile. */
START_TEST(test_person_keys)
{
	struct settings_file s = sample, back;
	char err[SETTINGS_ERROR_MAX], text[2048];

	s.last.focus = 1u << ZONE_SHOULDERS | 1u << ZONE_UPPER_BACK;
	s.last.gentle = true;
	s.last.heat_target_c = 39.5;
	(void)snprintf(s.profile, sizeof(s.profile), "Ана Мария");
	ck_assert_int_eq(settings_save(path, &s), 0);
	ck_assert_msg(settings_load(path, &back, err) == 0, "%s", err);
	ck_assert(settings_file_equal(&back, &s));
	ck_assert_str_eq(back.profile, "Ана Мария");

	write_text(OLD_SETTINGS);
	memset(&back, 0x5a, sizeof(back));
	ck_assert_msg(settings_load(path, &back, err) == 0, "%s", err);
	ck_assert_uint_eq(back.last.focus, 0);
	ck_assert(!back.last.gentle);
	ck_assert(back.last.heat_target_c == 0.0);
	ck_assert_str_eq(back.profile, "");

	sample_with("Heat", "Heat=no\nProfile=../x", text, sizeof(text));
	assert_refused(text, state_text_line_of(text, "Profile"), "Profile=: ");
	sample_with("Heat", "Heat=no\nConfiguredGentle=yes", text, sizeof(text));
	assert_refused(text, state_text_line_of(text, "ConfiguredGentle"), "unknown key ConfiguredGentle");
	sample_with("Heat", "Heat=no\nFocus=knees", text, sizeof(text));
	assert_refused(text, state_text_line_of(text, "Focus"), "Focus=knees");
}
END_TEST

START_TEST(test_missing_file)
{
	struct settings_file s;
	char err[SETTINGS_ERROR_MAX];

	ck_assert_int_eq(settings_load(path, &s, err), -ENOENT);
	ck_assert_msg(strstr(err, path), "\"%s\" does not name the file", err);
}
END_TEST

START_TEST(test_out_of_range)
{
	static const struct {
		const char *key, *line;
	} bad[] = {
		{ "Intensity", "Intensity=0" },
		{ "Intensity", "Intensity=6" },
		{ "Intensity", "Intensity=-1" },
		{ "Intensity", "Intensity=3.5" },
		{ "Intensity", "Intensity=" },
		{ "Speed", "Speed=7" },
		{ "Speed", "Speed=99999999999999999999" },
		{ "Width", "Width=huge" },
		{ "Heat", "Heat=maybe" },
		{ "SessionLimit", "SessionLimit=0" },
		{ "SessionLimit", "SessionLimit=299" },
		{ "SessionLimit", "SessionLimit=301" },
		{ "SessionLimit", "SessionLimit=2100" },
		{ "ConfiguredIntensity", "ConfiguredIntensity=9" },
		{ "ConfiguredSpeed", "ConfiguredSpeed=0" },
		{ "ConfiguredWidth", "ConfiguredWidth=" },
		{ "ConfiguredSessionLimit", "ConfiguredSessionLimit=60" },
		{ "PressureNeck", "PressureNeck=3" },
		{ "PressureShoulders", "PressureShoulders=-3" },
		{ "PressureUpperBack", "PressureUpperBack=1.5" },
		{ "PressureLowerBack", "PressureLowerBack=" },
		{ "Version", "Version=2" },
		{ "Version", "Version=x" },
	};
	char text[2048];

	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		sample_with(bad[i].key, bad[i].line, text, sizeof(text));
		assert_refused(text, state_text_line_of(text, bad[i].key), bad[i].line);
	}
}
END_TEST

START_TEST(test_unknown_and_missing)
{
	static const char *const keys[] = {
		"Version",      "Intensity",           "Speed",           "Width",           "Heat",
		"SessionLimit", "ConfiguredIntensity", "ConfiguredSpeed", "ConfiguredWidth", "ConfiguredSessionLimit",
	};
	char text[2048];

	for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
		sample_with(keys[i], NULL, text, sizeof(text));
		assert_refused(text, 0, keys[i]);
	}
	sample_with("Heat", "Heat=no\nConfiguredHeat=no", text, sizeof(text));
	assert_refused(text, state_text_line_of(text, "ConfiguredHeat"), "ConfiguredHeat");
	sample_with("Heat", "Heat=no\nPressureBack=1", text, sizeof(text));
	assert_refused(text, state_text_line_of(text, "PressureBack"), "PressureBack");
	sample_with("Heat", "Heat=no\nShoulderHeight=600", text, sizeof(text));
	assert_refused(text, state_text_line_of(text, "ShoulderHeight"), "ShoulderHeight");
	sample_with("Heat", "Heat=no\n[Extra]", text, sizeof(text));
	assert_refused(text, state_text_line_of(text, "Heat") + 1, "[Extra]");
	assert_refused("garbage\n", 1, "syntax error");
}
END_TEST

/* The saved settings come back when the configuration is as it was. */
START_TEST(test_restore_unchanged_config)
{
	struct massaged_config cfg;
	struct chair_settings s;
	char why[512];

	config_init_defaults(&cfg);
	s = settings_restore(&sample, &cfg, why, sizeof(why));
	ck_assert(chair_settings_equal(&s, &sample.last));
	ck_assert_str_eq(why, "");
}
END_TEST

/* A default changed in the configuration since the save wins, key by key. */
START_TEST(test_restore_config_changed)
{
	struct massaged_config cfg;
	struct chair_settings s;
	char why[512];

	config_init_defaults(&cfg);
	cfg.intensity = 1;
	cfg.session_minutes = 10;
	s = settings_restore(&sample, &cfg, why, sizeof(why));
	ck_assert_uint_eq(s.intensity, 1);
	ck_assert_uint_eq(s.session_limit_s, 600);
	ck_assert_int_eq(s.zone_pressure[ZONE_NECK], 2); /* no configured default: kept */
	ck_assert_int_eq(s.zone_pressure[ZONE_LOWER_BACK], -2);
	ck_assert_uint_eq(s.speed, 2);
	ck_assert_int_eq(s.width, WIDTH_WIDE);
	ck_assert(s.heat);
	ck_assert_msg(strstr(why, "Intensity") && strstr(why, "SessionLimit") && !strstr(why, "Speed"), "\"%s\"", why);
}
END_TEST

/* A session limit above today's MaxSessionMinutes is cut to it, and said so. */
START_TEST(test_restore_ceiling)
{
	struct settings_file saved = sample;
	struct massaged_config cfg;
	struct chair_settings s;
	char why[512];

	config_init_defaults(&cfg);
	saved.last.session_limit_s = 1800;
	saved.configured.session_limit_s = cfg.session_minutes * 60;
	cfg.max_session_minutes = 20;
	s = settings_restore(&saved, &cfg, why, sizeof(why));
	ck_assert_uint_eq(s.session_limit_s, 1200);
	ck_assert_msg(strstr(why, "MaxSessionMinutes=20"), "\"%s\"", why);
	ck_assert_uint_eq(s.intensity, sample.last.intensity);
}
END_TEST

static Suite *settings_suite(void)
{
	Suite *s = suite_create("settings");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_zone_pressure_optional);
	tcase_add_test(tc, test_person_keys);
	tcase_add_test(tc, test_missing_file);
	tcase_add_test(tc, test_out_of_range);
	tcase_add_test(tc, test_unknown_and_missing);
	tcase_add_test(tc, test_restore_unchanged_config);
	tcase_add_test(tc, test_restore_config_changed);
	tcase_add_test(tc, test_restore_ceiling);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run_tap(settings_suite());
}
